import type { StudyStatus } from '../../../api/focus-groups';
import { Badge } from '../../../components/ui';

export function StatusBadge({ status }: { status: StudyStatus }) {
  const tone = status === 'completed' ? 'ok' : status === 'failed' ? 'danger' : status === 'cancelled' ? 'warn' : 'accent';
  return <Badge tone={tone}>{status}</Badge>;
}
