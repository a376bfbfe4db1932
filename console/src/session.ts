/** The signed-in session, shared by the pages (what they show follows the key's scopes). */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import type { Session } from './api/types';

export const SessionContext = createContext<Session | null>(null);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in page');
  return s;
}

/** As the server decides (src/accounts/scopes.ts): operator grants everything, admin everything but operator. */
export function hasScope(session: Session, scope: string): boolean {
  const scopes = session.key.scopes;
  if (scopes.includes(scope) || scopes.includes('operator')) return true;
  return scope !== 'operator' && scopes.includes('admin');
}
