/**
 * Bearer-key authentication: resolves a `mvra_live_`/`mvra_test_` key to its
 * workspace. Keys are looked up by hash; the key itself is never logged.
 */
import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../errors/api-error.js';
import type { AccountsStore } from '../storage/accounts-store.js';
import { keyMode } from '../storage/accounts-store.js';
import { limitsFor } from '../accounts/plans.js';
import { hasScope } from '../accounts/scopes.js';
import type { Clock } from '../util/ids.js';
import type { AppEnv } from './context.js';
import type { SessionAuthenticator } from '../console/session-auth.js';

/** The key as `mvra_test_…wxyz`, or nothing when it is too short to show any of it safely. */
function redacted(key: string): string {
  return key.length > 14 ? ` ${key.slice(0, 10)}…${key.slice(-4)}` : '';
}

/** Why a key was not accepted, in a sentence that reads whole however short the key. */
function incorrectKey(key: string, mode: string | null): string {
  const shown = redacted(key);
  return mode
    ? `Incorrect API key provided${shown ? `:${shown}` : ''}. Check your mvra_live_ or mvra_test_ key.`
    : `Incorrect API key provided${shown ? `:${shown}` : ''}. A Cohort key starts with mvra_live_ or mvra_test_.`;
}

/** `session`: the console's cookie, accepted when no Authorization header is sent (src/console/session-auth.ts). */
export function authenticate(accounts: AccountsStore, clock: Clock, session?: SessionAuthenticator): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization');
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match && header === undefined && session && (await session(c))) return next();
    if (!match) {
      throw new ApiError('unauthorized', "You didn't provide an API key. Send 'Authorization: Bearer mvra_live_…' (or a mvra_test_ key).");
    }
    const key = match[1]!;
    const mode = keyMode(key);
    const found = mode ? await accounts.findKeyBySecret(key) : undefined;
    if (!found) throw new ApiError('unauthorized', incorrectKey(key, mode));
    if (found.revoked_at !== null) throw new ApiError('unauthorized', `The API key ${found.prefix} has been revoked. Create a new key.`);
    if (found.expires_at !== null && found.expires_at * 1000 <= clock.now()) {
      throw new ApiError('unauthorized', `The API key ${found.prefix} expired. Create a new key.`);
    }
    c.set('caller', {
      workspaceId: found.workspace_id,
      workspaceName: found.workspace,
      keyId: found.id,
      mode: found.mode,
      scopes: found.scopes,
      plan: found.plan,
      limits: limitsFor(found.plan, found),
    });
    await next();
  };
}

/** 403 unless the caller's key grants `scope` (src/accounts/scopes.ts: admin grants all but operator; operator all). */
export function requireScope(scope: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!hasScope(c.get('caller').scopes, scope)) {
      throw new ApiError('forbidden', `This API key lacks the '${scope}' scope needed for this operation.`);
    }
    await next();
  };
}
