/**
 * What an API key may do. Two levels sit above the ordinary scopes, because a
 * self-hosted server has two kinds of administrator:
 *
 * - `admin` — a **workspace** admin: every scope within the key's own
 *   workspace, and the admin API for that workspace only (its keys, its
 *   credits and usage). A customer's own admin key cannot see, change or even
 *   probe another workspace, nor change its own plan or grant itself credits.
 * - `operator` — the **server's** operator: everything `admin` can do, in
 *   every workspace, plus creating workspaces, setting plans and custom
 *   limits, and granting or adjusting credits. Only the CLI (whoever can write
 *   the data folder or the database) or another operator key can create one:
 *   `cohort keys create --workspace default --scopes operator`.
 */
export const SCOPES = ['responses', 'personas:read', 'personas:write', 'focus_groups', 'usage:read', 'admin', 'operator'] as const;
export type Scope = (typeof SCOPES)[number];

/** What a key gets when no scopes are given: everything but administration. */
export const DEFAULT_SCOPES: string[] = ['responses', 'personas:read', 'personas:write', 'focus_groups', 'usage:read'];

export function isScope(s: string): s is Scope {
  return (SCOPES as readonly string[]).includes(s);
}

/** Whether a key's scopes grant `needed`: 'operator' grants everything, 'admin' everything but 'operator'. */
export function hasScope(scopes: readonly string[], needed: string): boolean {
  if (scopes.includes(needed) || scopes.includes('operator')) return true;
  return needed !== 'operator' && scopes.includes('admin');
}

export function isOperator(scopes: readonly string[]): boolean {
  return scopes.includes('operator');
}
