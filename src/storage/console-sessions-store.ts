/**
 * Console sessions: an API key exchanged for a random token that the browser
 * keeps in an HttpOnly cookie. Only the token's SHA-256 hash is stored (as for
 * keys: 256 random bits need no slow hash), so a copy of the database signs
 * nobody in. A session is its key: it resolves to the key's workspace, plan and
 * scopes on every request, and ends when the key is revoked or expires, at its
 * own expiry, or at sign-out.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from './db.js';
import type { KeyMode } from './accounts-store.js';
import type { Clock } from '../util/ids.js';

/** A session lasts this long from sign-in (seconds): a working day, then sign in again. */
export const SESSION_TTL_SECONDS = 12 * 3600;
/** Live sessions one key may hold; signing in once more ends the oldest. */
export const MAX_SESSIONS_PER_KEY = 20;

export function hashSessionToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** What a session resolves to: its key's record, as the Bearer path reads it. */
export interface SessionRecord {
  token_hash: string;
  expires_at: number;
  key_id: string;
  workspace_id: string;
  workspace: string;
  plan: string;
  rpm_limit: number | null;
  rpd_limit: number | null;
  prefix: string;
  name: string | null;
  mode: KeyMode;
  scopes: string[];
  key_expires_at: number | null;
  key_revoked_at: number | null;
}

export function createConsoleSessionsStore(db: Db, clock: Clock, options: { ttlSeconds?: number; maxPerKey?: number } = {}) {
  const ttl = options.ttlSeconds ?? SESSION_TTL_SECONDS;
  const maxPerKey = options.maxPerKey ?? MAX_SESSIONS_PER_KEY;
  const now = () => Math.floor(clock.now() / 1000);

  return {
    /**
     * Opens a session for a key and returns its token (shown once, to be set as
     * a cookie). Expired sessions are removed on the way, and the key's oldest
     * sessions beyond the per-key bound, so the table stays bounded.
     */
    async create(input: { keyId: string; workspaceId: string; keyExpiresAt?: number | null }): Promise<{ token: string; expiresAt: number }> {
      const token = `cs_${randomBytes(32).toString('base64url')}`;
      const created = now();
      const expiresAt = Math.min(created + ttl, input.keyExpiresAt ?? Number.MAX_SAFE_INTEGER);
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('console_sessions').where('expires_at', '<=', created).execute();
        const kept = await trx
          .selectFrom('console_sessions')
          .select('token_hash')
          .where('key_id', '=', input.keyId)
          .orderBy('created_at', 'desc')
          .orderBy('token_hash')
          .limit(maxPerKey - 1)
          .execute();
        let old = trx.deleteFrom('console_sessions').where('key_id', '=', input.keyId);
        if (kept.length > 0) old = old.where('token_hash', 'not in', kept.map((k) => k.token_hash));
        await old.execute();
        await trx
          .insertInto('console_sessions')
          .values({ token_hash: hashSessionToken(token), key_id: input.keyId, workspace_id: input.workspaceId, created_at: created, expires_at: expiresAt })
          .execute();
      });
      return { token, expiresAt };
    },

    /** The session of a token with its key, or undefined. Expired sessions and revoked keys are returned: the caller says why it refuses. */
    async find(token: string): Promise<SessionRecord | undefined> {
      const row = await db
        .selectFrom('console_sessions')
        .innerJoin('api_keys', 'api_keys.id', 'console_sessions.key_id')
        .innerJoin('workspaces', 'workspaces.id', 'api_keys.workspace_id')
        .select([
          'console_sessions.token_hash',
          'console_sessions.expires_at',
          'api_keys.id as key_id',
          'api_keys.workspace_id',
          'api_keys.prefix',
          'api_keys.name',
          'api_keys.mode',
          'api_keys.scopes',
          'api_keys.expires_at as key_expires_at',
          'api_keys.revoked_at as key_revoked_at',
          'workspaces.name as workspace',
          'workspaces.plan',
          'workspaces.rpm_limit',
          'workspaces.rpd_limit',
        ])
        .where('console_sessions.token_hash', '=', hashSessionToken(token))
        .executeTakeFirst();
      if (!row) return undefined;
      return {
        ...row,
        expires_at: Number(row.expires_at),
        key_expires_at: row.key_expires_at === null ? null : Number(row.key_expires_at),
        key_revoked_at: row.key_revoked_at === null ? null : Number(row.key_revoked_at),
        scopes: row.scopes.split(' ').filter(Boolean),
      };
    },

    /** Ends a session (sign-out); true if it existed. */
    async delete(token: string): Promise<boolean> {
      const r = await db.deleteFrom('console_sessions').where('token_hash', '=', hashSessionToken(token)).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    /** Live sessions of a key (for tests and operators). */
    async countForKey(keyId: string): Promise<number> {
      const r = await db
        .selectFrom('console_sessions')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('key_id', '=', keyId)
        .where('expires_at', '>', now())
        .executeTakeFirstOrThrow();
      return Number(r.n);
    },
  };
}

export type ConsoleSessionsStore = ReturnType<typeof createConsoleSessionsStore>;
