/** Focus groups: the list of studies, the builder, and a study (live progress, results, respondents, exports). */
import type { Route } from '../../router';
import { StudyBuilder } from './builder/builder';
import { StudyList } from './study-list';
import { StudyPage } from './study/study-page';

export function FocusGroupsPage({ route }: { route: Route }) {
  const id = route.parts[1];
  if (id === undefined) return <StudyList />;
  if (id === 'new') return <StudyBuilder />;
  return <StudyPage id={id} />;
}
