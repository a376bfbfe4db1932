/**
 * Stored responses: the Response body, the conversation context it ran on
 * (for previous_response_id), its own input items (for input_items) and, for
 * background responses, the SSE events (for replay).
 *
 * The store owns the `responses` table: it alone writes it, serializes its
 * JSON columns and parses them back (once, with a light check: stored-json.ts),
 * so callers see a StoredResponse, never a row. Writes take an optional
 * transaction, so a service can store a response in the same unit of work as
 * what it cost (unit-of-work.ts); their statements are compiled once
 * (prepared.ts) and, in a group-committed SQLite transaction, run on the
 * connection directly, as the credit statements next to them do.
 */
import type { Transaction } from 'kysely';
import type { ConversationItem } from '../providers/types.js';
import type { InputItemObject, ResponseObject, ResponseStatus } from '../responses/types.js';
import { sqliteHandleOf, type Db } from './db.js';
import { preparedFor, type Param } from './prepared.js';
import type { Database, ResponsesTable } from './schema.js';
import { arrayOf, isRecord, parseColumn, StoredDataError } from './stored-json.js';

/** The parts of a stored response kept as JSON, which a read asks for by name (the others are always read). */
export interface ResponseParts {
  /** The Response object as the API returns it. */
  body: ResponseObject;
  /** The whole conversation it ran on (history + this request's input), for previous_response_id. */
  context: readonly ConversationItem[];
  /** This request's own input items, with ids, as input_items returns them. */
  inputItems: readonly InputItemObject[];
  /** The SSE frames of a finished background response, for replay with the same sequence numbers; null otherwise. */
  events: readonly string[] | null;
}

export type ResponsePart = keyof ResponseParts;

export const RESPONSE_PARTS: readonly ResponsePart[] = ['body', 'context', 'inputItems', 'events'];

/** A stored response: its columns and the JSON parts a read asked for (all of them by default). */
export type StoredResponse<P extends ResponsePart = ResponsePart> = {
  id: string;
  workspaceId: string;
  keyId: string | null;
  status: ResponseStatus;
  background: boolean;
  personaId: string | null;
  engine: string;
  createdAt: number;
  updatedAt: number;
  /** The server instance running it while queued or in progress (crash recovery). */
  owner: string | null;
} & Pick<ResponseParts, P>;

const TABLE = 'responses';
const STATUSES: ReadonlySet<string> = new Set<ResponseStatus>(['queued', 'in_progress', 'completed', 'failed', 'cancelled', 'incomplete']);
const META_COLUMNS = ['id', 'workspace_id', 'key_id', 'status', 'background', 'persona_id', 'engine', 'created_at', 'updated_at', 'owner'] as const;
const PART_COLUMNS = { body: 'body', context: 'context', inputItems: 'input_items', events: 'events' } as const satisfies Record<ResponsePart, keyof ResponsesTable>;
const ROW_COLUMNS = ['id', 'workspace_id', 'key_id', 'status', 'background', 'persona_id', 'engine', 'created_at', 'updated_at', 'body', 'context', 'input_items', 'request', 'events', 'owner'] as const satisfies ReadonlyArray<keyof ResponsesTable>;

const checkBody = (v: unknown): string | undefined =>
  !isRecord(v)
    ? 'is not a JSON object'
    : v.object !== 'response' || typeof v.id !== 'string'
      ? 'is not a Response object'
      : typeof v.status !== 'string' || !STATUSES.has(v.status)
        ? 'has no valid status'
        : !Array.isArray(v.output)
          ? 'has no output array'
          : undefined;
const checkContext = arrayOf((item) => (isRecord(item) && typeof item.type === 'string' ? undefined : 'is not a conversation item'));
const checkInputItems = arrayOf((item) => (isRecord(item) && typeof item.id === 'string' && typeof item.type === 'string' ? undefined : 'is not an input item with an id'));
const checkEvents = arrayOf((frame) => (typeof frame === 'string' ? undefined : 'is not an SSE frame'));

/** The row of a stored response (every JSON part serialized). */
function toRow(r: StoredResponse): ResponsesTable {
  return {
    id: r.id,
    workspace_id: r.workspaceId,
    key_id: r.keyId,
    status: r.status,
    background: r.background ? 1 : 0,
    persona_id: r.personaId,
    engine: r.engine,
    created_at: r.createdAt,
    updated_at: r.updatedAt,
    body: JSON.stringify(r.body),
    context: JSON.stringify(r.context),
    input_items: JSON.stringify(r.inputItems),
    request: null,
    events: r.events === null ? null : JSON.stringify(r.events),
    owner: r.owner,
  };
}

type ReadRow = Pick<ResponsesTable, (typeof META_COLUMNS)[number]> & Partial<Pick<ResponsesTable, 'body' | 'context' | 'input_items' | 'events'>>;

/** The stored response of `row`, with the parts asked for parsed and checked. */
function fromRow<P extends ResponsePart>(row: ReadRow, parts: readonly P[]): StoredResponse<P> {
  const at = (column: string) => ({ table: TABLE, rowId: row.id, column });
  if (!STATUSES.has(row.status)) throw new StoredDataError(TABLE, row.id, 'status', `is not a response status ('${row.status}')`);
  const r: StoredResponse<never> = {
    id: row.id,
    workspaceId: row.workspace_id,
    keyId: row.key_id,
    status: row.status as ResponseStatus,
    background: Number(row.background) === 1,
    personaId: row.persona_id,
    engine: row.engine,
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
    owner: row.owner,
  };
  const out = r as StoredResponse<never> & Partial<ResponseParts>;
  for (const part of parts) {
    switch (part) {
      case 'body':
        out.body = parseColumn<ResponseObject>(row.body!, at('body'), checkBody);
        break;
      case 'context':
        out.context = parseColumn<ConversationItem[]>(row.context!, at('context'), checkContext);
        break;
      case 'inputItems':
        out.inputItems = parseColumn<InputItemObject[]>(row.input_items!, at('input_items'), checkInputItems);
        break;
      case 'events':
        out.events = row.events === null || row.events === undefined ? null : parseColumn<string[]>(row.events, at('events'), checkEvents);
        break;
    }
  }
  return out as StoredResponse<P>;
}

/** `{ column: p('column') }` for every column: a write of a whole row as a prepared statement. */
function placeholders<C extends string>(columns: readonly C[], p: Param<C>): Record<C, unknown> {
  return Object.fromEntries(columns.map((c) => [c, p(c)])) as Record<C, unknown>;
}

export function createResponsesStore(db: Db) {
  // The writes every stored response makes, compiled once (prepared.ts).
  const statement = preparedFor(sqliteHandleOf(db));
  const insertRow = statement<(typeof ROW_COLUMNS)[number]>((ex, p) => ex.insertInto('responses').values(placeholders(ROW_COLUMNS, p) as never));
  const upsertRow = statement<(typeof ROW_COLUMNS)[number]>((ex, p) => {
    const row = placeholders(ROW_COLUMNS, p);
    const { id: _id, ...rest } = row;
    return ex
      .insertInto('responses')
      .values(row as never)
      .onConflict((oc) => oc.column('id').doUpdateSet(rest as never));
  });

  return {
    /** Inserts a new response (an existing id fails); in `trx` when given. */
    async insert(response: StoredResponse, trx?: Transaction<Database>): Promise<void> {
      await insertRow(trx ?? db, toRow(response));
    },

    /** Inserts or replaces the whole response (foreground responses are written once, at the end); in `trx` when given. */
    async upsert(response: StoredResponse, trx?: Transaction<Database>): Promise<void> {
      await upsertRow(trx ?? db, toRow(response));
    },

    /**
     * The workspace's response `id` with the JSON `parts` asked for (default:
     * all), or undefined. Throws StoredDataError when a part asked for is corrupt.
     */
    async get<P extends ResponsePart = ResponsePart>(workspaceId: string, id: string, parts: readonly P[] = RESPONSE_PARTS as readonly P[]): Promise<StoredResponse<P> | undefined> {
      const row = await db
        .selectFrom('responses')
        .select([...META_COLUMNS, ...parts.map((p) => PART_COLUMNS[p])])
        .where('id', '=', id)
        .where('workspace_id', '=', workspaceId)
        .executeTakeFirst();
      return row && fromRow(row as ReadRow, parts);
    },

    async delete(workspaceId: string, id: string): Promise<boolean> {
      const r = await db.deleteFrom('responses').where('id', '=', id).where('workspace_id', '=', workspaceId).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    /**
     * Marks responses that dead owners left queued or in progress as failed
     * (not charged: their holds are released separately). `null` owners are
     * rows from before ownership was recorded. A corrupt body throws
     * StoredDataError, naming the row.
     */
    async failInterrupted(owners: string[], now: number): Promise<number> {
      const rows = await db
        .selectFrom('responses')
        .select(['id', 'body'])
        .where('status', 'in', ['queued', 'in_progress'])
        .where((eb) => (owners.length ? eb.or([eb('owner', 'in', owners), eb('owner', 'is', null)]) : eb('owner', 'is', null)))
        .execute();
      for (const row of rows) {
        const body = parseColumn<ResponseObject>(row.body, { table: TABLE, rowId: row.id, column: 'body' }, checkBody);
        body.status = 'failed';
        body.error = { code: 'internal_error', type: 'server_error', message: 'The server stopped while this response was in progress; it was not charged.' };
        body.usage ??= { input_tokens: 0, input_tokens_details: { cached_tokens: 0 }, output_tokens: 0, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 0, credits_used: 0 };
        await db.updateTable('responses').set({ status: 'failed', updated_at: now, owner: null, body: JSON.stringify(body) }).where('id', '=', row.id).execute();
      }
      return rows.length;
    },
  };
}

export type ResponsesStore = ReturnType<typeof createResponsesStore>;
