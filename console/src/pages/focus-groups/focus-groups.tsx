/** Focus groups (placeholder until the study pages land): says whether this server has the focus-groups API. */
import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api/client';
import { ErrorBanner, Notice, PageHeader, Spinner } from '../../components/ui';
import type { Route } from '../../router';

export function FocusGroupsPage(_: { route: Route }) {
  const [state, setState] = useState<'loading' | 'ok' | 'missing' | 'error'>('loading');
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    api<unknown>('/focus-groups?limit=1')
      .then(() => setState('ok'))
      .catch((err: unknown) => {
        const status = (err as { status?: number }).status;
        if (status === 404 || status === 503) setState('missing');
        else {
          setError(err);
          setState('error');
        }
      });
  }, []);
  return (
    <div class="page">
      <PageHeader title="Focus groups" />
      {state === 'loading' ? <Spinner /> : null}
      {state === 'missing' ? <Notice>This server does not offer focus groups yet.</Notice> : null}
      {state === 'ok' ? <Notice>Studies are listed through the API (GET /v1/focus-groups); their pages come next.</Notice> : null}
      <ErrorBanner error={error} />
    </div>
  );
}
