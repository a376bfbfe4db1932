/**
 * Focus-group studies, respondents and answers (src/focus-groups/). Returns
 * parsed domain objects, never JSON strings.
 *
 * Money and the checkpoint are one unit: `recordAnswer` inserts the answer
 * row (unique per study × respondent × question), counts it on the study and,
 * for live keys, debits its price out of the study's hold — one transaction,
 * group-committed on SQLite like the responses' holds and settlements. An
 * answer recorded twice (a resumed respondent racing its old self) inserts
 * nothing and charges nothing; an answer arriving after the study stopped
 * (cancelled, failed) is refused whole. So after a crash the stored answers
 * are exactly what was paid for.
 *
 * The plan's concurrency limit on studies is counted here, in the database,
 * inside the creating transaction (the workspace row locked first): exact
 * across processes and restarts, which in-memory leases are not for work that
 * lasts hours.
 */
import { sql, type Transaction } from 'kysely';
import { ApiError } from '../errors/api-error.js';
import type { QuestionType } from '../focus-groups/answer-types.js';
import type { AnswerStatus, StoredAnswer } from '../focus-groups/stored-answer.js';
import type { RespondentProfile } from '../focus-groups/respondent-profile.js';
import { ACTIVE_STATUSES, type RespondentRecord, type StudyRecord, type StudyStatus } from '../focus-groups/study.js';
import type { Clock } from '../util/ids.js';
import { answerColumns, answerFromColumns } from './answer-columns.js';
import { debitFromHold, holdWithin, LONG_HOLD_OWNER, releaseHoldWithin } from './credits-store.js';
import { dialectName, type Db, type Executor } from './db.js';
import { groupCommitOf } from './group-commit.js';
import type { Database, FocusGroupAnswersTable, FocusGroupsTable, FocusGroupTurnsTable } from './schema.js';

/** An answer to store, with the model's accepted JSON for the respondent's conversation. */
export type AnswerToRecord = StoredAnswer & { raw: string | null };

/** Who pays for an answer (live keys). */
export interface AnswerCharge {
  holdId: string;
  workspaceId: string;
  keyId: string | null;
  personaId: string | null;
  /** Ledger `response_id`: unique per answer. */
  ledgerKey: string;
}

/** An answer slot as the results read it. */
export interface AnswerValue {
  respondent_index: number;
  question_index: number;
  status: AnswerStatus;
  value: StoredAnswer['value'];
}

/** A respondent's slot as the results read it: [question index, status, parsed value]. */
export type AnswerSlot = [number, AnswerStatus, StoredAnswer['value']];

/** A respondent's slots to a range of questions, in question order. */
export interface RespondentSlots {
  respondent_index: number;
  slots: AnswerSlot[];
}

/** Questions [fromQuestion, toQuestion) of respondents [fromRespondent (0), respondents), read `respondentsPerPage` (200) respondents at a time. */
export interface AnswerRange {
  fromQuestion: number;
  toQuestion: number;
  respondents: number;
  fromRespondent?: number;
  respondentsPerPage?: number;
}

/**
 * A respondent's answer slots as one JSON array, `[[question, "status", value], …]`,
 * concatenated by the database (what the results parse): the aggregate over its
 * focus_group_answers rows.
 */
function slotsJson(db: Executor, ordered = true) {
  const slot = sql<string>`'[' || question_idx || ',"' || status || '",' || coalesce(value, 'null') || ']'`;
  const order = ordered ? sql` order by question_idx` : sql``;
  return dialectName(db) === 'postgres' ? sql<string>`'[' || string_agg(${slot}, ','${order}) || ']'` : sql<string>`'[' || group_concat(${slot}, ','${order}) || ']'`;
}

/** The `answers` text of respondent `index` from its answer rows (null when it has none): written as it completes. */
function packedAnswers(db: Executor, studyId: string, index: number) {
  return sql<string | null>`(select ${slotsJson(db)} from focus_group_answers where study_id = ${studyId} and respondent_idx = ${index})`;
}

/** The answer slots of respondents [from, to) concatenated from their answer rows, by respondent (eachAnswerSlots' fallback). */
async function liveSlotsOf(db: Db, studyId: string, from: number, to: number, q: AnswerRange): Promise<Map<number, string>> {
  const rows = await db
    .selectFrom('focus_group_answers')
    .select(['respondent_idx', slotsJson(db, false).as('slots')])
    .where('study_id', '=', studyId)
    .where('respondent_idx', '>=', from)
    .where('respondent_idx', '<', to)
    .where('question_idx', '>=', q.fromQuestion)
    .where('question_idx', '<', q.toQuestion)
    .groupBy('respondent_idx')
    .execute();
  return new Map(rows.map((r) => [Number(r.respondent_idx), r.slots]));
}

function inQuestionOrder(slots: readonly AnswerSlot[]): boolean {
  for (let i = 1; i < slots.length; i++) if (slots[i - 1]![0] > slots[i]![0]) return false;
  return true;
}

/** A discussion turn as stored (FocusGroupTurnsTable with its value parsed). */
export type StoredTurn = Omit<FocusGroupTurnsTable, 'value'> & { value: unknown };

export type RecordOutcome = 'recorded' | 'duplicate' | 'stopped';

export interface RespondentPage {
  data: Array<RespondentRecord & { answers: StoredAnswer[] }>;
  has_more: boolean;
}

class Stopped extends Error {}
class Duplicate extends Error {}

const ACTIVE = ACTIVE_STATUSES as StudyStatus[];

function toStudy(r: FocusGroupsTable): StudyRecord {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    keyId: r.key_id,
    keyMode: r.key_mode === 'live' ? 'live' : 'test',
    name: r.name,
    status: r.status as StudyStatus,
    mode: r.mode as StudyRecord['mode'],
    definition: JSON.parse(r.definition) as StudyRecord['definition'],
    metadata: JSON.parse(r.metadata) as Record<string, string>,
    respondentsTotal: Number(r.respondents_total),
    questionsTotal: Number(r.questions_total),
    respondentsDone: Number(r.respondents_done),
    answersDone: Number(r.answers_done),
    answersFailed: Number(r.answers_failed),
    answersSkipped: Number(r.answers_skipped),
    creditsEstimated: Number(r.credits_estimated),
    creditsMax: Number(r.credits_max),
    creditsUsed: Number(r.credits_used),
    holdId: r.hold_id,
    owner: r.owner,
    idempotencyKey: r.idempotency_key,
    requestHash: r.request_hash,
    error: r.error === null ? null : (JSON.parse(r.error) as StudyRecord['error']),
    createdAt: Number(r.created_at),
    startedAt: r.started_at === null ? null : Number(r.started_at),
    completedAt: r.completed_at === null ? null : Number(r.completed_at),
    updatedAt: Number(r.updated_at),
  };
}

function toRow(s: StudyRecord, images: string[] | null): FocusGroupsTable {
  return {
    id: s.id,
    workspace_id: s.workspaceId,
    key_id: s.keyId,
    key_mode: s.keyMode,
    name: s.name,
    status: s.status,
    mode: s.mode,
    definition: JSON.stringify(s.definition),
    stimulus_images: images?.length ? JSON.stringify(images) : null,
    metadata: JSON.stringify(s.metadata),
    respondents_total: s.respondentsTotal,
    questions_total: s.questionsTotal,
    respondents_done: s.respondentsDone,
    answers_done: s.answersDone,
    answers_failed: s.answersFailed,
    answers_skipped: s.answersSkipped,
    credits_estimated: s.creditsEstimated,
    credits_max: s.creditsMax,
    credits_used: s.creditsUsed,
    hold_id: s.holdId,
    owner: s.owner,
    idempotency_key: s.idempotencyKey,
    request_hash: s.requestHash,
    error: s.error ? JSON.stringify(s.error) : null,
    created_at: s.createdAt,
    started_at: s.startedAt,
    completed_at: s.completedAt,
    updated_at: s.updatedAt,
  };
}

function toAnswer(r: FocusGroupAnswersTable): StoredAnswer & { raw: string | null } {
  return {
    study_id: r.study_id,
    respondent_index: Number(r.respondent_idx),
    question_index: Number(r.question_idx),
    question_id: r.question_id,
    type: r.type as QuestionType,
    status: r.status as AnswerStatus,
    value: answerFromColumns(r.value, r.reasoning),
    reasoning: r.reasoning,
    credits: Number(r.credits),
    input_tokens: Number(r.input_tokens),
    output_tokens: Number(r.output_tokens),
    attempts: Number(r.attempts),
    error: r.error,
    created_at: Number(r.created_at),
    raw: r.raw,
  };
}

const STUDY_COLUMNS = [
  'id', 'workspace_id', 'key_id', 'key_mode', 'name', 'status', 'mode', 'definition', 'metadata', 'respondents_total', 'questions_total', 'respondents_done',
  'answers_done', 'answers_failed', 'answers_skipped', 'credits_estimated', 'credits_max', 'credits_used', 'hold_id', 'owner', 'idempotency_key',
  'request_hash', 'error', 'created_at', 'started_at', 'completed_at', 'updated_at',
] as const;

export function createFocusGroupsStore(db: Db, clock: Clock) {
  const now = () => Math.floor(clock.now() / 1000);
  const batch = groupCommitOf(db);
  const select = (ex: Db | Transaction<Database>) => ex.selectFrom('focus_groups').select(STUDY_COLUMNS);
  const withoutImages = (r: Omit<FocusGroupsTable, 'stimulus_images'>) => toStudy({ ...r, stimulus_images: null });

  return {
    /**
     * Stores a new study: checks the workspace's concurrency limit on studies
     * (429), holds its credits (live keys; 402) and inserts it, in one
     * transaction. Throws with nothing written. A duplicate idempotency key
     * surfaces as the database's unique violation (the service re-reads).
     */
    async create(input: { study: StudyRecord; images: string[] | null; concurrencyLimit: number | null; hold: { id: string; amount: number } | null }): Promise<StudyRecord> {
      const s = input.study;
      await db.transaction().execute(async (trx) => {
        // Lock the workspace row first (a row lock on PostgreSQL, the write lock on SQLite),
        // so concurrent creates of one workspace count one after the other.
        await trx.updateTable('workspaces').set({ held: sql`held` }).where('id', '=', s.workspaceId).execute();
        if (input.concurrencyLimit !== null) {
          const r = await trx.selectFrom('focus_groups').select((eb) => eb.fn.countAll<number>().as('n')).where('workspace_id', '=', s.workspaceId).where('status', 'in', ACTIVE).executeTakeFirstOrThrow();
          if (Number(r.n) >= input.concurrencyLimit) {
            throw new ApiError(
              'rate_limit_exceeded',
              `Too many focus groups in progress for this workspace (at most ${input.concurrencyLimit} at once on its plan). Retry when one finishes or cancel one.`,
              { headers: { 'retry-after': '30', 'retry-after-ms': '30000', 'x-focus-groups-limit': String(input.concurrencyLimit), 'x-focus-groups-in-progress': String(Number(r.n)) } },
            );
          }
        }
        if (input.hold) {
          await holdWithin(trx, clock, { id: input.hold.id, workspaceId: s.workspaceId, subjectId: s.id, amount: input.hold.amount, owner: LONG_HOLD_OWNER, what: 'This focus group' });
        }
        await trx.insertInto('focus_groups').values(toRow(s, input.images)).execute();
      });
      return s;
    },

    async get(workspaceId: string, id: string): Promise<StudyRecord | undefined> {
      const r = await select(db).where('id', '=', id).where('workspace_id', '=', workspaceId).executeTakeFirst();
      return r ? withoutImages(r) : undefined;
    },

    /** Any workspace's study (the runner). */
    async getById(id: string): Promise<StudyRecord | undefined> {
      const r = await select(db).where('id', '=', id).executeTakeFirst();
      return r ? withoutImages(r) : undefined;
    },

    async byIdempotencyKey(workspaceId: string, key: string): Promise<StudyRecord | undefined> {
      const r = await select(db).where('workspace_id', '=', workspaceId).where('idempotency_key', '=', key).executeTakeFirst();
      return r ? withoutImages(r) : undefined;
    },

    /** The stimulus images as checked data: URLs (only the runner reads them). */
    async images(id: string): Promise<string[]> {
      const r = await db.selectFrom('focus_groups').select('stimulus_images').where('id', '=', id).executeTakeFirst();
      return r?.stimulus_images ? (JSON.parse(r.stimulus_images) as string[]) : [];
    },

    /** Newest first; `after` is the id of the last study of the previous page. */
    async list(workspaceId: string, q: { limit: number; after?: string }): Promise<{ data: StudyRecord[]; has_more: boolean }> {
      let query = select(db).where('workspace_id', '=', workspaceId);
      if (q.after !== undefined) {
        const cursor = await db.selectFrom('focus_groups').select(['created_at', 'id']).where('workspace_id', '=', workspaceId).where('id', '=', q.after).executeTakeFirst();
        if (!cursor) throw new ApiError('validation_error', `No focus group with id '${q.after}' in this workspace.`, { param: 'after' });
        const at = Number(cursor.created_at);
        query = query.where((eb) => eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', cursor.id)])]));
      }
      const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(q.limit + 1).execute();
      return { data: rows.slice(0, q.limit).map(withoutImages), has_more: rows.length > q.limit };
    },

    /**
     * Takes a study for `owner` if it is still active and nobody alive runs
     * it: its owner is `owner` already, null, or one of `deadOwners`.
     */
    async claim(id: string, owner: string, deadOwners: string[] = []): Promise<boolean> {
      const r = await db
        .updateTable('focus_groups')
        .set({ owner, updated_at: now() })
        .where('id', '=', id)
        .where('status', 'in', ACTIVE)
        .where((eb) => eb.or([eb('owner', 'is', null), eb('owner', '=', owner), ...(deadOwners.length ? [eb('owner', 'in', deadOwners)] : [])]))
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /** Active studies nobody alive runs (owner null or dead), taken for `owner`; their ids. */
    async claimAbandoned(owner: string, deadOwners: string[]): Promise<string[]> {
      const rows = await db
        .selectFrom('focus_groups')
        .select('id')
        .where('status', 'in', ACTIVE)
        .where((eb) => eb.or([eb('owner', 'is', null), ...(deadOwners.length ? [eb('owner', 'in', deadOwners)] : [])]))
        .orderBy('created_at')
        .limit(100)
        .execute();
      const taken: string[] = [];
      for (const { id } of rows) {
        const r = await db
          .updateTable('focus_groups')
          .set({ owner, updated_at: now() })
          .where('id', '=', id)
          .where('status', 'in', ACTIVE)
          .where((eb) => eb.or([eb('owner', 'is', null), ...(deadOwners.length ? [eb('owner', 'in', deadOwners)] : [])]))
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) === 1) taken.push(id);
      }
      return taken;
    },

    /** Lets go of a study (graceful shutdown): the next heartbeat of any server takes it. */
    async release(id: string, owner: string): Promise<void> {
      await db.updateTable('focus_groups').set({ owner: null, updated_at: now() }).where('id', '=', id).where('owner', '=', owner).execute();
    },

    /** pending → processing (started_at set once); by its `owner`, or (queue jobs, any process) without one. */
    async markProcessing(id: string, owner?: string): Promise<boolean> {
      let q = db
        .updateTable('focus_groups')
        .set({ status: 'processing', started_at: sql`coalesce(started_at, ${now()})`, updated_at: now() })
        .where('id', '=', id)
        .where('status', 'in', ACTIVE);
      if (owner !== undefined) q = q.where('owner', '=', owner);
      const r = await q.executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /** The respondent's row, created with `profile` if it has none yet (a resumed respondent keeps its stored profile). */
    async startRespondent(studyId: string, index: number, personaId: string, profile: RespondentProfile): Promise<RespondentRecord> {
      await db
        .insertInto('focus_group_respondents')
        .values({ study_id: studyId, idx: index, persona_id: personaId, profile: JSON.stringify(profile), status: 'in_progress', created_at: now(), completed_at: null })
        .onConflict((oc) => oc.columns(['study_id', 'idx']).doNothing())
        .execute();
      const r = await db.selectFrom('focus_group_respondents').selectAll().where('study_id', '=', studyId).where('idx', '=', index).executeTakeFirstOrThrow();
      return {
        studyId,
        index,
        personaId: r.persona_id,
        profile: JSON.parse(r.profile) as RespondentProfile,
        status: r.status === 'completed' ? 'completed' : 'in_progress',
        createdAt: Number(r.created_at),
        completedAt: r.completed_at === null ? null : Number(r.completed_at),
      };
    },

    /** A respondent's stored answers, in question order (what a resumed respondent continues from). */
    async answersOf(studyId: string, index: number): Promise<AnswerToRecord[]> {
      const rows = await db.selectFrom('focus_group_answers').selectAll().where('study_id', '=', studyId).where('respondent_idx', '=', index).orderBy('question_idx').execute();
      return rows.map(toAnswer);
    },

    /** Indexes of the respondents that finished the guide. */
    async completedRespondents(studyId: string): Promise<Set<number>> {
      const rows = await db.selectFrom('focus_group_respondents').select('idx').where('study_id', '=', studyId).where('status', '=', 'completed').execute();
      return new Set(rows.map((r) => Number(r.idx)));
    },

    /**
     * Checkpoints one answer: the row, the study's counters and (live keys)
     * the debit out of the hold, in one transaction. 'duplicate': this slot
     * was already stored (nothing changed, nothing charged); 'stopped': the
     * study is no longer processing (nothing stored).
     */
    async recordAnswer(answer: AnswerToRecord, charge: AnswerCharge | null): Promise<RecordOutcome> {
      try {
        await batch.run(async (trx) => {
          const counted = await trx
            .updateTable('focus_groups')
            .set({
              answers_done: sql`answers_done + ${answer.status === 'answered' ? 1 : 0}`,
              answers_failed: sql`answers_failed + ${answer.status === 'failed' ? 1 : 0}`,
              answers_skipped: sql`answers_skipped + ${answer.status === 'skipped' ? 1 : 0}`,
              credits_used: sql`credits_used + ${answer.credits}`,
              updated_at: now(),
            })
            .where('id', '=', answer.study_id)
            .where('status', '=', 'processing')
            .executeTakeFirst();
          if (Number(counted.numUpdatedRows) !== 1) throw new Stopped();
          const inserted = await trx
            .insertInto('focus_group_answers')
            .values({
              study_id: answer.study_id,
              respondent_idx: answer.respondent_index,
              question_idx: answer.question_index,
              question_id: answer.question_id,
              type: answer.type,
              status: answer.status,
              ...answerColumns(answer.value, answer.reasoning),
              raw: answer.raw,
              credits: answer.credits,
              input_tokens: answer.input_tokens,
              output_tokens: answer.output_tokens,
              attempts: answer.attempts,
              error: answer.error,
              created_at: answer.created_at,
            })
            .onConflict((oc) => oc.columns(['study_id', 'respondent_idx', 'question_idx']).doNothing())
            .executeTakeFirst();
          // Nothing inserted: the slot is stored already; undo the count (roll back).
          if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) !== 1) throw new Duplicate();
          if (charge && answer.status === 'answered' && answer.credits > 0) {
            await debitFromHold(trx, clock, {
              holdId: charge.holdId,
              workspaceId: charge.workspaceId,
              amount: answer.credits,
              ledgerKey: charge.ledgerKey,
              operation: 'focus_group',
              keyId: charge.keyId,
              personaId: charge.personaId,
              inputTokens: answer.input_tokens,
              outputTokens: answer.output_tokens,
            });
          }
        });
        return 'recorded';
      } catch (err) {
        if (err instanceof Stopped) return 'stopped';
        if (err instanceof Duplicate) return 'duplicate';
        throw err;
      }
    },

    /**
     * Stores a discussion turn (the transcript; its cost is paid with the respondent's
     * position, recordAnswer). 'duplicate': this seq is stored already; 'stopped': the
     * study is no longer processing.
     */
    async recordTurn(turn: StoredTurn): Promise<RecordOutcome> {
      try {
        await batch.run(async (trx) => {
          const live = await trx.selectFrom('focus_groups').select('status').where('id', '=', turn.study_id).executeTakeFirst();
          if (live?.status !== 'processing') throw new Stopped();
          const inserted = await trx
            .insertInto('focus_group_turns')
            .values({ ...turn, value: turn.value === null ? null : JSON.stringify(turn.value) })
            .onConflict((oc) => oc.columns(['study_id', 'session_idx', 'seq']).doNothing())
            .executeTakeFirst();
          if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) !== 1) throw new Duplicate();
        });
        return 'recorded';
      } catch (err) {
        if (err instanceof Stopped) return 'stopped';
        if (err instanceof Duplicate) return 'duplicate';
        throw err;
      }
    },

    /** The turns of sessions `from` … `to` (inclusive), in session and seq order. */
    async turns(studyId: string, from: number, to: number): Promise<StoredTurn[]> {
      const rows = await db
        .selectFrom('focus_group_turns')
        .selectAll()
        .where('study_id', '=', studyId)
        .where('session_idx', '>=', from)
        .where('session_idx', '<=', to)
        .orderBy('session_idx')
        .orderBy('seq')
        .execute();
      return rows.map((r) => ({
        ...r,
        session_idx: Number(r.session_idx),
        seq: Number(r.seq),
        question_idx: Number(r.question_idx),
        respondent_idx: r.respondent_idx === null ? null : Number(r.respondent_idx),
        value: r.value === null ? null : (JSON.parse(r.value) as unknown),
        credits: Number(r.credits),
        input_tokens: Number(r.input_tokens),
        output_tokens: Number(r.output_tokens),
        created_at: Number(r.created_at),
      }));
    },

    /**
     * Gives up on a respondent that could not be run (it kept throwing): every question
     * without a stored answer gets a failed one (free; `error`), counted on the study, and
     * the respondent is marked done — one transaction. Its stored answers (paid for) stay.
     * The respondent's row must exist (startRespondent). 'stopped': the study is no longer
     * processing (nothing written).
     */
    async giveUpRespondent(studyId: string, index: number, questions: ReadonlyArray<{ id: string; type: string }>, error: string): Promise<'recorded' | 'stopped'> {
      try {
        await batch.run(async (trx) => {
          const live = await trx.selectFrom('focus_groups').select('status').where('id', '=', studyId).executeTakeFirst();
          if (live?.status !== 'processing') throw new Stopped();
          const t = now();
          const inserted = await trx
            .insertInto('focus_group_answers')
            .values(
              questions.map((q, qi) => ({
                study_id: studyId,
                respondent_idx: index,
                question_idx: qi,
                question_id: q.id,
                type: q.type,
                status: 'failed',
                value: null,
                reasoning: null,
                raw: null,
                credits: 0,
                input_tokens: 0,
                output_tokens: 0,
                attempts: 0,
                error,
                created_at: t,
              })),
            )
            .onConflict((oc) => oc.columns(['study_id', 'respondent_idx', 'question_idx']).doNothing())
            .executeTakeFirst();
          const failed = Number(inserted.numInsertedOrUpdatedRows ?? 0n);
          const done = await trx
            .updateTable('focus_group_respondents')
            .set({ status: 'completed', completed_at: t, answers: packedAnswers(trx, studyId, index) })
            .where('study_id', '=', studyId)
            .where('idx', '=', index)
            .where('status', '!=', 'completed')
            .executeTakeFirst();
          await trx
            .updateTable('focus_groups')
            .set({ answers_failed: sql`answers_failed + ${failed}`, respondents_done: sql`respondents_done + ${Number(done.numUpdatedRows)}`, updated_at: t })
            .where('id', '=', studyId)
            .execute();
        });
        return 'recorded';
      } catch (err) {
        if (err instanceof Stopped) return 'stopped';
        throw err;
      }
    },

    /** Marks a respondent done and counts it on the study (once). */
    async completeRespondent(studyId: string, index: number): Promise<void> {
      await batch.run(async (trx) => {
        const r = await trx
          .updateTable('focus_group_respondents')
          .set({ status: 'completed', completed_at: now(), answers: packedAnswers(trx, studyId, index) })
          .where('study_id', '=', studyId)
          .where('idx', '=', index)
          .where('status', '!=', 'completed')
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) === 1) {
          await trx.updateTable('focus_groups').set({ respondents_done: sql`respondents_done + 1`, updated_at: now() }).where('id', '=', studyId).execute();
        }
      });
    },

    /**
     * Ends an active study: its status, completed_at, no owner, and what is
     * left of its hold released — one transaction. undefined when it had
     * already ended (nothing changes).
     */
    async finish(id: string, status: Extract<StudyStatus, 'completed' | 'cancelled' | 'failed'>, error: StudyRecord['error'] = null, workspaceId?: string): Promise<StudyRecord | undefined> {
      return db.transaction().execute(async (trx) => {
        let q = trx
          .updateTable('focus_groups')
          .set({ status, error: error ? JSON.stringify(error) : null, completed_at: now(), owner: null, updated_at: now() })
          .where('id', '=', id)
          .where('status', 'in', ACTIVE);
        if (workspaceId !== undefined) q = q.where('workspace_id', '=', workspaceId);
        const r = await q.executeTakeFirst();
        if (Number(r.numUpdatedRows) !== 1) return undefined;
        const row = await select(trx).where('id', '=', id).executeTakeFirstOrThrow();
        if (row.hold_id) await releaseHoldWithin(trx, row.hold_id);
        return withoutImages(row);
      });
    },

    /** A page of respondents (by index) with their answers. */
    async listRespondents(studyId: string, q: { limit: number; afterIndex?: number }): Promise<RespondentPage> {
      let query = db.selectFrom('focus_group_respondents').selectAll().where('study_id', '=', studyId);
      if (q.afterIndex !== undefined) query = query.where('idx', '>', q.afterIndex);
      const rows = await query.orderBy('idx').limit(q.limit + 1).execute();
      const page = rows.slice(0, q.limit);
      const byIndex = new Map<number, StoredAnswer[]>();
      if (page.length) {
        const from = Number(page[0]!.idx);
        const to = Number(page[page.length - 1]!.idx);
        const answers = await db
          .selectFrom('focus_group_answers')
          .selectAll()
          .where('study_id', '=', studyId)
          .where('respondent_idx', '>=', from)
          .where('respondent_idx', '<=', to)
          .orderBy('respondent_idx')
          .orderBy('question_idx')
          .execute();
        for (const a of answers) {
          const { raw: _raw, ...answer } = toAnswer(a);
          const list = byIndex.get(answer.respondent_index) ?? [];
          list.push(answer);
          byIndex.set(answer.respondent_index, list);
        }
      }
      return {
        data: page.map((r) => ({
          studyId,
          index: Number(r.idx),
          personaId: r.persona_id,
          profile: JSON.parse(r.profile) as RespondentProfile,
          status: r.status === 'completed' ? 'completed' : 'in_progress',
          createdAt: Number(r.created_at),
          completedAt: r.completed_at === null ? null : Number(r.completed_at),
          answers: byIndex.get(Number(r.idx)) ?? [],
        })),
        has_more: rows.length > q.limit,
      };
    },

    /**
     * Every answer of a study in (respondent, question) order, read in pages: never all in
     * memory. Keyset on the primary key's (respondent, question) row value, so each page is
     * one index range (an OR of the two columns made SQLite scan from the study's first row
     * on every page: 5 s for 200,000 answers).
     */
    async *answers(studyId: string, pageSize = 2000): AsyncGenerator<StoredAnswer & { persona_id: string }> {
      let after: [number, number] = [-1, -1];
      for (;;) {
        const [r, qi] = after;
        const rows = await db
          .selectFrom('focus_group_answers as a')
          .innerJoin('focus_group_respondents as r', (j) => j.onRef('r.study_id', '=', 'a.study_id').onRef('r.idx', '=', 'a.respondent_idx'))
          .selectAll('a')
          .select('r.persona_id')
          .where('a.study_id', '=', studyId)
          .where((eb) => eb(eb.refTuple('a.respondent_idx', 'a.question_idx'), '>', eb.tuple(r, qi)))
          .orderBy('a.respondent_idx')
          .orderBy('a.question_idx')
          .limit(pageSize)
          .execute();
        for (const row of rows) {
          const { raw: _raw, ...answer } = toAnswer(row);
          yield { ...answer, persona_id: row.persona_id };
        }
        if (rows.length < pageSize) return;
        const last = rows[rows.length - 1]!;
        after = [Number(last.respondent_idx), Number(last.question_idx)];
      }
    },

    /**
     * What the results read of the answers to questions [fromQuestion, toQuestion): status and
     * parsed value, by respondent in index order, a page of `respondentsPerPage` respondents at
     * a time (one range of the primary key each). A completed respondent's slots were packed
     * into one JSON text on its row as it completed (`answers`: `[[question, "status", value],
     * …]`), so a page is one read of ~200 small rows — 10,000 × 20 answers cost ~30 ms of
     * SQLite instead of ~170 ms of concatenating 200,000 rows at every read. Respondents
     * without it (still answering, or completed by a version before migration 0011) have their
     * answer rows concatenated by the database the same way, for that page only. `visit` gets
     * each respondent's slots as soon as they are parsed, and they are not kept: at any time
     * only one page's texts and one respondent's parsed answers are alive, so what the garbage
     * collector copies out of the young generation stays small.
     */
    async eachAnswerSlots(studyId: string, q: AnswerRange, visit: (r: RespondentSlots) => void): Promise<void> {
      const per = q.respondentsPerPage ?? 200;
      for (let from = q.fromRespondent ?? 0; from < q.respondents; from += per) {
        const to = Math.min(q.respondents, from + per);
        const rows = await db.selectFrom('focus_group_respondents').select(['idx', 'answers']).where('study_id', '=', studyId).where('idx', '>=', from).where('idx', '<', to).orderBy('idx').execute();
        const live = rows.some((r) => r.answers == null) ? await liveSlotsOf(db, studyId, from, to, q) : undefined;
        for (const row of rows) {
          const index = Number(row.idx);
          const text = row.answers ?? live?.get(index);
          if (text == null) continue;
          let slots = JSON.parse(text) as AnswerSlot[];
          // In question order already when the database read them by its primary key (SQLite does); sorted otherwise.
          if (!inQuestionOrder(slots)) slots.sort((x, y) => x[0] - y[0]);
          if (slots.length > 0 && (slots[0]![0] < q.fromQuestion || slots[slots.length - 1]![0] >= q.toQuestion)) slots = slots.filter((x) => x[0] >= q.fromQuestion && x[0] < q.toQuestion);
          if (slots.length > 0) visit({ respondent_index: index, slots });
        }
      }
    },

    /**
     * Packs the answer slots of the completed respondents [from, to) that have none onto their
     * rows — what completing a respondent does (a backfill for respondents completed before
     * migration 0011, and for data written around the runner, as the benchmarks do).
     */
    async packAnswers(studyId: string, from: number, to: number): Promise<number> {
      const r = await db
        .updateTable('focus_group_respondents')
        .set({
          answers: sql`(select ${slotsJson(db)} from focus_group_answers where focus_group_answers.study_id = focus_group_respondents.study_id and focus_group_answers.respondent_idx = focus_group_respondents.idx)`,
        })
        .where('study_id', '=', studyId)
        .where('idx', '>=', from)
        .where('idx', '<', to)
        .where('status', '=', 'completed')
        .where('answers', 'is', null)
        .executeTakeFirst();
      return Number(r.numUpdatedRows);
    },

    /** eachAnswerSlots one answer at a time, a page of respondents read ahead. */
    async *answerValues(studyId: string, q: AnswerRange): AsyncGenerator<AnswerValue> {
      const per = q.respondentsPerPage ?? 200;
      for (let from = q.fromRespondent ?? 0; from < q.respondents; from += per) {
        const page: AnswerValue[] = [];
        await this.eachAnswerSlots(studyId, { ...q, fromRespondent: from, respondents: Math.min(q.respondents, from + per) }, (r) => {
          for (const [question_index, status, value] of r.slots) page.push({ respondent_index: r.respondent_index, question_index, status, value });
        });
        yield* page;
      }
    },

    /** The sampled respondents (index, persona, profile) in index order, read in pages; no answers. */
    async *respondentProfiles(studyId: string, pageSize = 1000): AsyncGenerator<{ index: number; persona_id: string; profile: RespondentProfile }> {
      let after = -1;
      for (;;) {
        const rows = await db.selectFrom('focus_group_respondents').select(['idx', 'persona_id', 'profile']).where('study_id', '=', studyId).where('idx', '>', after).orderBy('idx').limit(pageSize).execute();
        for (const r of rows) yield { index: Number(r.idx), persona_id: r.persona_id, profile: JSON.parse(r.profile) as RespondentProfile };
        if (rows.length < pageSize) return;
        after = Number(rows[rows.length - 1]!.idx);
      }
    },

    /** The stored results document of an ended study for `variant` (its JSON text), if any. */
    async storedResults(studyId: string, variant: string): Promise<string | undefined> {
      const row = await db.selectFrom('focus_group_results').select('document').where('study_id', '=', studyId).where('variant', '=', variant).executeTakeFirst();
      return row?.document;
    },

    /**
     * Stores an ended study's results document for `variant`: the study's documents of other
     * formats (variants not starting with `format`) are deleted first; at most `max` variants
     * are kept per study (beyond, nothing is stored: the caller computes it again). A variant
     * stored already is kept (two servers computing it at once store it once). Nothing for a
     * study that is not there or has not ended.
     */
    async storeResults(studyId: string, variant: { format: string; key: string }, document: string, max: number): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const study = await trx.selectFrom('focus_groups').select('status').where('id', '=', studyId).executeTakeFirst();
        if (!study || (ACTIVE as readonly string[]).includes(study.status)) return false;
        const prefix = `${variant.format}|`;
        await trx.deleteFrom('focus_group_results').where('study_id', '=', studyId).where(sql`substr(variant, 1, ${prefix.length})`, '<>', prefix).execute();
        const { n } = await trx.selectFrom('focus_group_results').select((eb) => eb.fn.countAll<number>().as('n')).where('study_id', '=', studyId).executeTakeFirstOrThrow();
        if (Number(n) >= max) return false;
        const r = await trx
          .insertInto('focus_group_results')
          .values({ study_id: studyId, variant: `${variant.format}|${variant.key}`, document, created_at: now() })
          .onConflict((oc) => oc.columns(['study_id', 'variant']).doNothing())
          .executeTakeFirst();
        return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
      });
    },

    /** Deletes a study that has ended, with its respondents and answers (the ledger keeps its debits). */
    async delete(workspaceId: string, id: string): Promise<boolean> {
      return db.transaction().execute(async (trx) => {
        const r = await trx.deleteFrom('focus_groups').where('id', '=', id).where('workspace_id', '=', workspaceId).where('status', 'not in', ACTIVE).executeTakeFirst();
        if (Number(r.numDeletedRows) !== 1) return false;
        await trx.deleteFrom('focus_group_answers').where('study_id', '=', id).execute();
        await trx.deleteFrom('focus_group_turns').where('study_id', '=', id).execute();
        await trx.deleteFrom('focus_group_respondents').where('study_id', '=', id).execute();
        await trx.deleteFrom('focus_group_results').where('study_id', '=', id).execute();
        return true;
      });
    },
  };
}

export type FocusGroupsStore = ReturnType<typeof createFocusGroupsStore>;
