/**
 * Custom personas per workspace. `custom_personas` holds each persona's
 * current version (what listings read); `custom_persona_versions` keeps every
 * version, so a response can name the version it used and an earlier version
 * stays readable. Deleting is soft (deleted_at): the persona leaves listings
 * and new requests, but `get(…, {includeDeleted})` still resolves it.
 *
 * Creating with a charge debits the workspace and writes the persona in one
 * transaction (chargeWithin): nothing is created unless it is paid for.
 * A new version locks the row (a no-op UPDATE first), reads it, and writes
 * with a conditional UPDATE on the version number, so concurrent PATCHes get
 * distinct versions and none is lost, on SQLite and PostgreSQL.
 */
import { sql, type Transaction } from 'kysely';
import type { Db } from './db.js';
import { dialectName } from './db.js';
import type { CustomPersonasTable, CustomPersonaVersionsTable, Database } from './schema.js';
import { isRecord, parseColumn } from './stored-json.js';
import { chargeWithin, recordTestWithin, type Charge, type ChargeInput } from './credits-store.js';
import type { Clock, IdGenerator } from '../util/ids.js';
import { CUSTOM_ID_PREFIX, type CustomPersona, type CustomPersonaChange } from '../personas/custom-persona.js';
import type { GuidedDetails, PersonaCategory, PersonaProfile, PersonaType, PipelineType } from '../personas/persona-schema.js';

export interface NewCustomPersona extends CustomPersonaChange {
  workspaceId: string;
  pipeline_type: PipelineType;
  cloned_from: string | null;
  credits_charged: number;
  created_by_key: string | null;
}

export interface CustomPersonaListQuery {
  limit: number;
  /** Ids strictly after this one (byte order). */
  after?: string;
  /** A canonical category (PERSONA_CATEGORIES). */
  category?: string;
  /** Words that must all appear in the name or description (case-insensitive). */
  search?: string;
  expert?: boolean;
}

export interface CustomPersonaGetOptions {
  /** Resolve soft-deleted personas too (for conversations that already used them). */
  includeDeleted?: boolean;
  /** An earlier version instead of the current one. */
  version?: number;
}

class VersionRace extends Error {}

/** The profile's required sections and their JSON kind: what prompt composition reads without checking. */
const PROFILE_SECTIONS = {
  demographics: 'object',
  psychographics: 'object',
  media: 'object',
  buying_behavior: 'object',
  communication: 'object',
  goals: 'array',
  pains: 'array',
  objections: 'array',
  statistics: 'array',
} as const satisfies Partial<Record<keyof PersonaProfile, 'object' | 'array'>>;

const checkProfile = (v: unknown): string | undefined => {
  if (!isRecord(v)) return 'is not a JSON object';
  for (const [section, kind] of Object.entries(PROFILE_SECTIONS)) {
    if (kind === 'object' ? !isRecord(v[section]) : !Array.isArray(v[section])) return `has no ${section} ${kind}`;
  }
  return undefined;
};
const checkGuided = (v: unknown): string | undefined => (isRecord(v) ? undefined : 'is not a JSON object');

/** The profile and guided details of a stored persona (or one of its versions), parsed and checked. */
function parseDetails(table: string, rowId: string, row: { profile: string; guided: string }): { profile: PersonaProfile; guided: GuidedDetails } {
  return {
    profile: parseColumn<PersonaProfile>(row.profile, { table, rowId, column: 'profile' }, checkProfile),
    guided: parseColumn<GuidedDetails>(row.guided, { table, rowId, column: 'guided' }, checkGuided),
  };
}

function toPersona(row: CustomPersonasTable): CustomPersona {
  return {
    id: row.id,
    workspace_id: row.workspace_id,
    name: row.name,
    category: row.category as PersonaCategory,
    description: row.description,
    is_expert: Number(row.is_expert) === 1,
    pipeline_type: row.pipeline_type as PipelineType,
    type: row.persona_type as PersonaType,
    version: Number(row.version),
    ...parseDetails('custom_personas', row.id, row),
    cloned_from: row.cloned_from,
    credits_charged: Number(row.credits_charged),
    created_by_key: row.created_by_key,
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
    deleted_at: row.deleted_at === null ? null : Number(row.deleted_at),
  };
}

function versionRow(p: CustomPersona): CustomPersonaVersionsTable {
  return {
    persona_id: p.id,
    version: p.version,
    workspace_id: p.workspace_id,
    name: p.name,
    category: p.category,
    description: p.description,
    is_expert: p.is_expert ? 1 : 0,
    persona_type: p.type,
    profile: JSON.stringify(p.profile),
    guided: JSON.stringify(p.guided),
    created_at: p.updated_at,
  };
}

/** LIKE pattern for a literal substring, escaped with '!'. */
function containsPattern(term: string): string {
  return `%${term.replace(/[!%_]/g, (c) => `!${c}`)}%`;
}

export function createCustomPersonasStore(db: Db, ids: IdGenerator, clock: Clock) {
  const now = () => Math.floor(clock.now() / 1000);
  // Ids compare byte-wise on both databases (PostgreSQL's default collation may not), so pages merge with the built-in list.
  const idCol = dialectName(db) === 'postgres' ? sql<string>`custom_personas.id collate "C"` : sql<string>`custom_personas.id`;

  async function insert(trx: Transaction<Database> | Db, p: CustomPersona): Promise<void> {
    const row: CustomPersonasTable = {
      id: p.id,
      workspace_id: p.workspace_id,
      name: p.name,
      category: p.category,
      description: p.description,
      is_expert: p.is_expert ? 1 : 0,
      pipeline_type: p.pipeline_type,
      persona_type: p.type,
      version: p.version,
      profile: JSON.stringify(p.profile),
      guided: JSON.stringify(p.guided),
      cloned_from: p.cloned_from,
      credits_charged: p.credits_charged,
      created_by_key: p.created_by_key,
      created_at: p.created_at,
      updated_at: p.updated_at,
      deleted_at: null,
    };
    await trx.insertInto('custom_personas').values(row).execute();
    await trx.insertInto('custom_persona_versions').values(versionRow(p)).execute();
  }

  return {
    /**
     * Stores a new persona (version 1). With `charge`, debits the workspace in
     * the same transaction (ledger row names the new persona) or throws 402
     * with nothing stored. With `test` (a test key), counts it as test usage instead, at no cost.
     */
    async create(
      input: NewCustomPersona,
      options: { charge?: Omit<ChargeInput, 'workspaceId' | 'personaId'>; test?: { operation: string; keyId: string | null } } = {},
    ): Promise<{ persona: CustomPersona; charge: Charge | null }> {
      const t = now();
      const persona: CustomPersona = {
        id: ids.next(CUSTOM_ID_PREFIX),
        workspace_id: input.workspaceId,
        name: input.name,
        category: input.category,
        description: input.description,
        is_expert: input.is_expert,
        pipeline_type: input.pipeline_type,
        type: input.type,
        version: 1,
        profile: input.profile,
        guided: input.guided,
        cloned_from: input.cloned_from,
        credits_charged: input.credits_charged,
        created_by_key: input.created_by_key,
        created_at: t,
        updated_at: t,
        deleted_at: null,
      };
      const charge = await db.transaction().execute(async (trx) => {
        const c = options.charge ? await chargeWithin(trx, clock, { ...options.charge, workspaceId: input.workspaceId, personaId: persona.id }) : null;
        if (options.test) {
          await recordTestWithin(trx, clock, { workspaceId: input.workspaceId, operation: options.test.operation, responseId: null, keyId: options.test.keyId, personaId: persona.id, inputTokens: 0, outputTokens: 0 });
        }
        await insert(trx, persona);
        return c;
      });
      return { persona, charge };
    },

    async get(workspaceId: string, id: string, options: CustomPersonaGetOptions = {}): Promise<CustomPersona | undefined> {
      const row = await db.selectFrom('custom_personas').selectAll().where('id', '=', id).where('workspace_id', '=', workspaceId).executeTakeFirst();
      if (!row || (row.deleted_at !== null && !options.includeDeleted)) return undefined;
      const head = toPersona(row);
      if (options.version === undefined || options.version === head.version) return head;
      const v = await db
        .selectFrom('custom_persona_versions')
        .selectAll()
        .where('persona_id', '=', id)
        .where('workspace_id', '=', workspaceId)
        .where('version', '=', options.version)
        .executeTakeFirst();
      if (!v) return undefined;
      return {
        ...head,
        name: v.name,
        category: v.category as PersonaCategory,
        description: v.description,
        is_expert: Number(v.is_expert) === 1,
        type: v.persona_type as PersonaType,
        version: Number(v.version),
        ...parseDetails('custom_persona_versions', `${v.persona_id}@${v.version}`, v),
        updated_at: Number(v.created_at),
      };
    },

    /** Which of `ids` name no live (not deleted) custom persona in any workspace, in their order (a config's routes are checked at start). */
    async missing(ids: readonly string[]): Promise<string[]> {
      if (ids.length === 0) return [];
      const found = new Set((await db.selectFrom('custom_personas').select('id').where('id', 'in', ids).where('deleted_at', 'is', null).execute()).map((r) => r.id));
      return ids.filter((id) => !found.has(id));
    },

    /** Live (not deleted) personas of the workspace in id order, a page at a time. */
    async list(workspaceId: string, q: CustomPersonaListQuery): Promise<{ data: CustomPersona[]; has_more: boolean }> {
      let query = db.selectFrom('custom_personas').selectAll().where('workspace_id', '=', workspaceId).where('deleted_at', 'is', null);
      if (q.after !== undefined) query = query.where(idCol, '>', q.after);
      if (q.category !== undefined) query = query.where('category', '=', q.category);
      if (q.expert !== undefined) query = query.where('is_expert', '=', q.expert ? 1 : 0);
      for (const term of q.search?.toLowerCase().split(/\s+/).filter(Boolean) ?? []) {
        const pattern = containsPattern(term);
        query = query.where(sql<boolean>`(lower(name) like ${pattern} escape '!' or lower(description) like ${pattern} escape '!')`);
      }
      const rows = await query.orderBy(idCol).limit(q.limit + 1).execute();
      return { data: rows.slice(0, q.limit).map(toPersona), has_more: rows.length > q.limit };
    },

    /**
     * Writes a new version (current + 1) of a live persona; undefined when there
     * is none. `apply` turns the current version into the change (it may throw
     * to refuse, or return null for "nothing changes": no new version). When a
     * concurrent update wins the race, `apply` runs again on top of it, so
     * every write gets its own version and none is lost.
     */
    async update(workspaceId: string, id: string, apply: (current: CustomPersona) => CustomPersonaChange | null): Promise<{ persona: CustomPersona; changed: boolean } | undefined> {
      for (let attempt = 0; attempt < 8; attempt++) {
        try {
          return await db.transaction().execute(async (trx) => {
            // Write first: takes the row lock on PostgreSQL and the write lock on SQLite before reading,
            // so the read below is the latest version (a deferred SQLite transaction that read first could not upgrade).
            const locked = await trx
              .updateTable('custom_personas')
              .set({ version: sql<number>`version` })
              .where('id', '=', id)
              .where('workspace_id', '=', workspaceId)
              .where('deleted_at', 'is', null)
              .executeTakeFirst();
            if (Number(locked.numUpdatedRows) !== 1) return undefined;
            const row = await trx.selectFrom('custom_personas').selectAll().where('id', '=', id).where('workspace_id', '=', workspaceId).where('deleted_at', 'is', null).executeTakeFirst();
            if (!row) return undefined;
            const current = toPersona(row);
            const change = apply(current);
            if (!change) return { persona: current, changed: false };
            const next: CustomPersona = { ...current, ...change, version: current.version + 1, updated_at: now() };
            const r = await trx
              .updateTable('custom_personas')
              .set({
                name: next.name,
                category: next.category,
                description: next.description,
                is_expert: next.is_expert ? 1 : 0,
                persona_type: next.type,
                profile: JSON.stringify(next.profile),
                guided: JSON.stringify(next.guided),
                version: next.version,
                updated_at: next.updated_at,
              })
              .where('id', '=', id)
              .where('version', '=', current.version)
              .where('deleted_at', 'is', null)
              .executeTakeFirst();
            if (Number(r.numUpdatedRows) !== 1) throw new VersionRace();
            await trx.insertInto('custom_persona_versions').values(versionRow(next)).execute();
            return { persona: next, changed: true };
          });
        } catch (err) {
          if (!(err instanceof VersionRace)) throw err;
        }
      }
      throw new Error(`custom persona ${id}: too many concurrent updates`);
    },

    /** Marks a live persona deleted; false when there is none. */
    async softDelete(workspaceId: string, id: string): Promise<boolean> {
      const r = await db.updateTable('custom_personas').set({ deleted_at: now() }).where('id', '=', id).where('workspace_id', '=', workspaceId).where('deleted_at', 'is', null).executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /** Version numbers and when each was written, oldest first. */
    async versions(workspaceId: string, id: string): Promise<{ version: number; created_at: number }[]> {
      const rows = await db.selectFrom('custom_persona_versions').select(['version', 'created_at']).where('persona_id', '=', id).where('workspace_id', '=', workspaceId).orderBy('version').execute();
      return rows.map((r) => ({ version: Number(r.version), created_at: Number(r.created_at) }));
    },
  };
}

export type CustomPersonasStore = ReturnType<typeof createCustomPersonasStore>;
