/** Personas: the library, a persona's full card, and custom personas (create, import, edit). */
import type { Route } from '../../router';
import { CreatePersona } from './create-persona';
import { EditPersona } from './edit-persona';
import { ImportPersona } from './import-persona';
import { PersonaLibrary } from './library';
import { PersonaDetail } from './persona-detail';

export function PersonasPage({ route }: { route: Route }) {
  const [, id, action] = route.parts;
  if (id === undefined) return <PersonaLibrary route={route} />;
  if (id === 'new') return <CreatePersona />;
  if (id === 'import') return <ImportPersona />;
  if (action === 'edit') return <EditPersona id={id} />;
  return <PersonaDetail id={id} version={route.query.get('version')} />;
}
