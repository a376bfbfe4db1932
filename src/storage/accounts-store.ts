/**
 * Workspaces and API keys. Keys are shown once and stored only as a SHA-256
 * hash: they are 190 bits of randomness, so a fast hash is the right tool (a
 * slow password hash would only add latency to every request).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from './db.js';
import type { ApiKeysTable, WorkspacesTable } from './schema.js';
import type { Clock, IdGenerator } from '../util/ids.js';
import { PLAN_LIMITS, PLANS, type Plan } from '../accounts/plans.js';
import { insertLedger, ledgerId } from './credits-store.js';
import { DEFAULT_SCOPES, SCOPES } from '../accounts/scopes.js';

export { PLANS, type Plan, SCOPES, DEFAULT_SCOPES };
export type KeyMode = 'live' | 'test';

export type Workspace = WorkspacesTable;

export interface ApiKeyInfo {
  id: string;
  workspace_id: string;
  workspace: string;
  prefix: string;
  mode: KeyMode;
  name: string | null;
  scopes: string[];
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface CreatedKey extends ApiKeyInfo {
  /** The secret, shown once. */
  key: string;
  plan: string;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function randomSecret(length: number): string {
  const bytes = randomBytes(length * 2);
  let out = '';
  for (let i = 0; i < bytes.length && out.length < length; i++) {
    const b = bytes[i]!;
    if (b < 248) out += BASE62[b % 62]; // 248 = 62*4: no modulo bias
  }
  return out.length === length ? out : randomSecret(length);
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

export function keyMode(key: string): KeyMode | null {
  if (key.startsWith('mvra_live_')) return 'live';
  if (key.startsWith('mvra_test_')) return 'test';
  return null;
}

function toInfo(row: ApiKeysTable & { workspace: string }): ApiKeyInfo {
  return {
    id: row.id,
    workspace_id: row.workspace_id,
    workspace: row.workspace,
    prefix: row.prefix,
    mode: row.mode,
    name: row.name,
    scopes: row.scopes.split(' ').filter(Boolean),
    created_at: Number(row.created_at),
    expires_at: row.expires_at === null ? null : Number(row.expires_at),
    revoked_at: row.revoked_at === null ? null : Number(row.revoked_at),
    last_used_at: row.last_used_at === null ? null : Number(row.last_used_at),
  };
}

export type KeyRecord = ApiKeyInfo & { plan: string; rpm_limit: number | null; rpd_limit: number | null };

export interface AccountsStoreOptions {
  /**
   * How long a key's record (its workspace, plan, limits, revocation) is
   * reused before it is read again, in ms (default 1000; 0: every request
   * reads it). Changes made through this store apply at once; a change made
   * by another process (the CLI, another server) applies within this time.
   */
  keyCacheMs?: number;
}

export function createAccountsStore(db: Db, ids: IdGenerator, clock: Clock, options: AccountsStoreOptions = {}) {
  const now = () => Math.floor(clock.now() / 1000);
  const keyCacheMs = options.keyCacheMs ?? 1000;
  // By hash, never by secret; timed by the monotonic clock (an injected test clock may stand still).
  const keyCache = new Map<string, { record: KeyRecord | undefined; until: number }>();
  let generation = 0; // a lookup that overlapped a change does not cache what it read
  const forgetKeys = (): void => {
    generation += 1;
    keyCache.clear();
  };

  async function findWorkspace(name: string): Promise<Workspace | undefined> {
    return db.selectFrom('workspaces').selectAll().where('name', '=', name).executeTakeFirst();
  }

  /** Creates a workspace with its plan's initial credits (a ledger grant); false if the name is taken. */
  async function createWorkspace(name: string, plan: Plan): Promise<{ workspace: Workspace; created: boolean }> {
    const credits = PLAN_LIMITS[plan].initialCredits;
    const row: Workspace = { id: ids.next('ws'), name, plan, created_at: now(), balance: credits, held: 0, month_spent: 0, spend_month: '', monthly_budget: null, rpm_limit: null, rpd_limit: null };
    const created = await db.transaction().execute(async (trx) => {
      const r = await trx.insertInto('workspaces').values(row).onConflict((oc) => oc.column('name').doNothing()).executeTakeFirst();
      if (Number(r.numInsertedOrUpdatedRows ?? 0n) !== 1) return false;
      if (credits > 0) {
        await insertLedger(trx, {
          id: ledgerId(clock.now()),
          workspace_id: row.id,
          kind: 'grant',
          amount: credits,
          balance_after: credits,
          operation: null,
          response_id: null,
          key_id: null,
          persona_id: null,
          reason: `initial ${plan} plan credits`,
          input_tokens: null,
          output_tokens: null,
          created_at: row.created_at,
        });
      }
      return true;
    });
    return { workspace: (await findWorkspace(name))!, created };
  }

  async function ensureWorkspace(name: string, plan: Plan): Promise<Workspace> {
    return (await findWorkspace(name)) ?? (await createWorkspace(name, plan)).workspace;
  }

  return {
    findWorkspace,
    ensureWorkspace,
    createWorkspace,

    async getWorkspace(id: string): Promise<Workspace | undefined> {
      return db.selectFrom('workspaces').selectAll().where('id', '=', id).executeTakeFirst();
    },

    async listWorkspaces(): Promise<Workspace[]> {
      return db.selectFrom('workspaces').selectAll().orderBy('created_at').orderBy('name').execute();
    },

    /** Sets the plan and, for Enterprise, custom limits (null → the plan's). */
    async setPlan(name: string, plan: Plan, limits: { rpm?: number | null; rpd?: number | null } = {}): Promise<Workspace | undefined> {
      forgetKeys();
      await db
        .updateTable('workspaces')
        .set({ plan, rpm_limit: limits.rpm ?? null, rpd_limit: limits.rpd ?? null })
        .where('name', '=', name)
        .execute();
      forgetKeys();
      return findWorkspace(name);
    },

    async countWorkspaces(): Promise<number> {
      const r = await db.selectFrom('workspaces').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      return Number(r.n);
    },

    async createKey(input: { workspace: string; plan?: Plan; mode: KeyMode; name?: string; scopes?: string[]; expiresAt?: number }): Promise<CreatedKey> {
      const ws = await ensureWorkspace(input.workspace, input.plan ?? 'free');
      const key = `mvra_${input.mode}_${randomSecret(32)}`;
      const row: ApiKeysTable = {
        id: ids.next('key'),
        workspace_id: ws.id,
        key_hash: hashKey(key),
        prefix: `${key.slice(0, 14)}…`,
        mode: input.mode,
        name: input.name ?? null,
        scopes: (input.scopes ?? DEFAULT_SCOPES).join(' '),
        created_at: now(),
        expires_at: input.expiresAt ?? null,
        revoked_at: null,
        last_used_at: null,
      };
      await db.insertInto('api_keys').values(row).execute();
      forgetKeys(); // a lookup of this secret may have cached 'no such key'
      return { ...toInfo({ ...row, workspace: ws.name }), key, plan: ws.plan };
    },

    /** The key's record by its secret, or undefined. Revoked and expired keys are returned; the caller decides. */
    async findKeyBySecret(key: string): Promise<KeyRecord | undefined> {
      const hash = hashKey(key);
      if (keyCacheMs > 0) {
        const hit = keyCache.get(hash);
        if (hit && hit.until > performance.now()) return hit.record;
      }
      const gen = generation;
      const row = await db
        .selectFrom('api_keys')
        .innerJoin('workspaces', 'workspaces.id', 'api_keys.workspace_id')
        .selectAll('api_keys')
        .select(['workspaces.name as workspace', 'workspaces.plan as plan', 'workspaces.rpm_limit as rpm_limit', 'workspaces.rpd_limit as rpd_limit'])
        .where('api_keys.key_hash', '=', hash)
        .executeTakeFirst();
      const record = row ? { ...toInfo(row), plan: row.plan, rpm_limit: row.rpm_limit, rpd_limit: row.rpd_limit } : undefined;
      if (keyCacheMs > 0 && gen === generation) {
        if (keyCache.size >= 10_000) keyCache.clear();
        keyCache.set(hash, { record, until: performance.now() + keyCacheMs });
      }
      return record;
    },

    async listKeys(workspace?: string): Promise<ApiKeyInfo[]> {
      let q = db
        .selectFrom('api_keys')
        .innerJoin('workspaces', 'workspaces.id', 'api_keys.workspace_id')
        .selectAll('api_keys')
        .select('workspaces.name as workspace')
        .orderBy('api_keys.created_at')
        .orderBy('api_keys.id');
      if (workspace) q = q.where('workspaces.name', '=', workspace);
      return (await q.execute()).map(toInfo);
    },

    async getKey(id: string): Promise<ApiKeyInfo | undefined> {
      const row = await db
        .selectFrom('api_keys')
        .innerJoin('workspaces', 'workspaces.id', 'api_keys.workspace_id')
        .selectAll('api_keys')
        .select('workspaces.name as workspace')
        .where('api_keys.id', '=', id)
        .executeTakeFirst();
      return row ? toInfo(row) : undefined;
    },

    /** Revokes a key by id; false when no such key. Idempotent. */
    async revokeKey(id: string): Promise<boolean> {
      forgetKeys();
      const r = await db
        .updateTable('api_keys')
        .set({ revoked_at: now() })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      forgetKeys();
      if (Number(r.numUpdatedRows) > 0) return true;
      return (await db.selectFrom('api_keys').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
    },
  };
}

export type AccountsStore = ReturnType<typeof createAccountsStore>;
