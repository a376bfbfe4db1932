/**
 * Credits: the workspace balance, holds for responses in flight, and the
 * append-only ledger. Every change is one transaction whose balance update is
 * a single conditional UPDATE, so it is atomic on SQLite and on PostgreSQL
 * (the row lock serializes concurrent holds across processes): the balance
 * never goes below zero and a response is never debited twice (unique
 * response_id + kind in the ledger).
 *
 * It writes only the credit tables (the workspace's balance columns, holds,
 * ledger, test usage). A response stored with what it cost is the responses
 * store's write, in the same unit of work (unit-of-work.ts): `hold`,
 * `settle` and `recordTest` take the caller's transaction.
 */
import type SQLite from 'better-sqlite3';
import { sql, type Transaction } from 'kysely';
import { ApiError } from '../errors/api-error.js';
import { sqliteHandleOf, type Db, type Executor } from './db.js';
import { groupCommitOf } from './group-commit.js';
import { preparedFor, type Param } from './prepared.js';
import { testStudyUsage } from './test-study-usage.js';
import type { CreditHoldsTable, CreditLedgerTable, Database, LedgerKind, TestUsageTable } from './schema.js';
import type { Clock, IdGenerator } from '../util/ids.js';

/** 'YYYY-MM' in UTC, the budget period. */
export function monthOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

let ledgerCounter = 0;

/**
 * Ledger ids sort in insertion order (time, then a process counter, then
 * randomness), so listing by id shows the ledger as it was written.
 */
export function ledgerId(nowMs: number): string {
  ledgerCounter = (ledgerCounter + 1) % 0x10000;
  return `led_${nowMs.toString(16).padStart(12, '0')}${ledgerCounter.toString(16).padStart(4, '0')}${Math.floor(Math.random() * 0xffffffff).toString(16).padStart(8, '0')}`;
}

export async function insertLedger(ex: Executor, row: CreditLedgerTable): Promise<void> {
  await ex.insertInto('credit_ledger').values(row).execute();
}

/** Counts a test-key operation (credits 0) inside the caller's transaction, e.g. with the persona it created. */
export async function recordTestWithin(ex: Executor, clock: Clock, u: TestUsage): Promise<void> {
  await ex
    .insertInto('test_usage')
    .values({
      id: ledgerId(clock.now()).replace(/^led_/, 'tu_'),
      workspace_id: u.workspaceId,
      operation: u.operation,
      response_id: u.responseId,
      key_id: u.keyId,
      persona_id: u.personaId,
      input_tokens: u.inputTokens,
      output_tokens: u.outputTokens,
      created_at: Math.floor(clock.now() / 1000),
    })
    .execute();
}

export interface Hold {
  id: string;
  workspaceId: string;
  responseId: string;
  amount: number;
}

/** What `hold` reserves, and for which response. */
export interface HoldInput {
  workspaceId: string;
  responseId: string;
  amount: number;
  /** The process running the response (crash recovery: `releaseHoldsOf`). */
  owner: string;
}

export interface Settlement {
  hold: Hold;
  /** Credits to debit (≤ hold.amount); 0 releases the hold without a ledger row. */
  credits: number;
  operation: string;
  keyId: string;
  personaId: string | null;
  inputTokens: number;
  outputTokens: number;
}

/** A debit that is not a response's (e.g. creating a custom persona). */
export interface ChargeInput {
  workspaceId: string;
  /** Credits to debit: a positive integer. */
  amount: number;
  /** Ledger `operation`, e.g. 'persona_create'. */
  operation: string;
  keyId: string | null;
  personaId: string | null;
  reason: string | null;
}

export interface Charge {
  ledgerId: string;
  balanceAfter: number;
}

/**
 * Debits `amount` inside the caller's transaction with one conditional UPDATE
 * (available balance and monthly budget checked in the same statement, as
 * `hold` does), then appends the 'debit' ledger row. Throws 402
 * credits_exhausted / budget_exceeded when it cannot, leaving nothing behind
 * once the caller's transaction rolls back.
 */
export async function chargeWithin(ex: Executor, clock: Clock, input: ChargeInput): Promise<Charge> {
  if (!Number.isInteger(input.amount) || input.amount <= 0) throw new Error(`charge: amount must be a positive integer, got ${input.amount}`);
  const month = monthOf(clock.now());
  const updated = await ex
    .updateTable('workspaces')
    .set({
      balance: sql`balance - ${input.amount}`,
      month_spent: sql`(case when spend_month = ${month} then month_spent else 0 end) + ${input.amount}`,
      spend_month: month,
    })
    .where('id', '=', input.workspaceId)
    .where(sql<boolean>`balance - held >= ${input.amount}`)
    .where(sql<boolean>`(monthly_budget is null or (case when spend_month = ${month} then month_spent else 0 end) + held + ${input.amount} <= monthly_budget)`)
    .returning('balance')
    .executeTakeFirst();
  if (!updated) {
    const w = await ex.selectFrom('workspaces').select(['balance', 'held', 'monthly_budget', 'month_spent', 'spend_month']).where('id', '=', input.workspaceId).executeTakeFirst();
    if (!w) throw new ApiError('not_found', `Workspace '${input.workspaceId}' not found.`);
    const balance = Number(w.balance);
    const held = Number(w.held);
    if (balance - held < input.amount) {
      throw new ApiError(
        'credits_exhausted',
        `This operation costs ${input.amount} credits and the workspace has ${balance - held} available (balance ${balance}, ${held} held by requests in progress). Ask an admin to grant credits.`,
      );
    }
    const spent = w.spend_month === month ? Number(w.month_spent) : 0;
    throw new ApiError('budget_exceeded', `This operation costs ${input.amount} credits, which would exceed the workspace's monthly budget of ${String(w.monthly_budget)} (spent ${spent} in ${month}, ${held} held).`);
  }
  const id = ledgerId(clock.now());
  const balanceAfter = Number(updated.balance);
  await insertLedger(ex, {
    id,
    workspace_id: input.workspaceId,
    kind: 'debit',
    amount: -input.amount,
    balance_after: balanceAfter,
    operation: input.operation,
    response_id: null,
    key_id: input.keyId,
    persona_id: input.personaId,
    reason: input.reason,
    input_tokens: null,
    output_tokens: null,
    created_at: Math.floor(clock.now() / 1000),
  });
  return { ledgerId: id, balanceAfter };
}

/** A test-key request (credits 0): what `recordTest` stores. */
export interface TestUsage {
  workspaceId: string;
  operation: string;
  responseId: string | null;
  keyId: string | null;
  personaId: string | null;
  inputTokens: number;
  outputTokens: number;
}

/** One group of the usage report; test rows have credits 0. */
export type UsageRow = { [group: string]: string | number | null } & {
  mode: 'live' | 'test';
  credits: number;
  requests: number;
  input_tokens: number;
  output_tokens: number;
};
/**
 * Holds that outlive a server process (a focus-group study's) are owned by
 * this marker rather than an instance id, so crash recovery of responses
 * (`releaseHoldsOf(dead instances)`) never releases them; the study settles
 * or releases its own hold when it ends.
 */
export const LONG_HOLD_OWNER = 'long-hold';

/**
 * Reserves `amount` inside the caller's transaction, as `hold` does (one
 * conditional UPDATE, available balance and monthly budget checked in it),
 * and records the hold under `id`. Throws 402 credits_exhausted /
 * budget_exceeded with nothing changed.
 */
export async function holdWithin(ex: Executor, clock: Clock, input: { id: string; workspaceId: string; subjectId: string; amount: number; owner: string; what: string }): Promise<Hold> {
  const month = monthOf(clock.now());
  const r = await ex
    .updateTable('workspaces')
    .set({ held: sql`held + ${input.amount}` })
    .where('id', '=', input.workspaceId)
    .where(sql<boolean>`balance - held >= ${input.amount}`)
    .where(sql<boolean>`(monthly_budget is null or (case when spend_month = ${month} then month_spent else 0 end) + held + ${input.amount} <= monthly_budget)`)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) !== 1) {
    const w = await ex.selectFrom('workspaces').select(['balance', 'held', 'monthly_budget', 'month_spent', 'spend_month']).where('id', '=', input.workspaceId).executeTakeFirst();
    if (!w) throw new ApiError('not_found', `Workspace '${input.workspaceId}' not found.`);
    const balance = Number(w.balance);
    const held = Number(w.held);
    if (balance - held < input.amount) {
      throw new ApiError(
        'credits_exhausted',
        `${input.what} may cost up to ${input.amount} credits and the workspace has ${balance - held} available (balance ${balance}, ${held} held by work in progress). Ask an admin to grant credits.`,
      );
    }
    const spent = w.spend_month === month ? Number(w.month_spent) : 0;
    throw new ApiError('budget_exceeded', `${input.what} may cost up to ${input.amount} credits, which would exceed the workspace's monthly budget of ${String(w.monthly_budget)} (spent ${spent} in ${month}, ${held} held).`);
  }
  await ex
    .insertInto('credit_holds')
    .values({ id: input.id, workspace_id: input.workspaceId, response_id: input.subjectId, amount: input.amount, owner: input.owner, created_at: Math.floor(clock.now() / 1000) })
    .execute();
  return { id: input.id, workspaceId: input.workspaceId, responseId: input.subjectId, amount: input.amount };
}

/**
 * Debits `amount` out of a hold inside the caller's transaction (a partial
 * settlement: the hold shrinks by what is debited and stays for the rest).
 * `ledgerKey` is the ledger row's `response_id` — unique per debit, so the
 * same unit of work (an answer) can never be debited twice: a second attempt
 * fails on the unique index and its transaction rolls back. Throws when the
 * hold is gone or smaller than `amount` (the caller's estimate was wrong).
 */
export async function debitFromHold(
  ex: Executor,
  clock: Clock,
  input: { holdId: string; workspaceId: string; amount: number; ledgerKey: string; operation: string; keyId: string | null; personaId: string | null; inputTokens: number; outputTokens: number },
): Promise<void> {
  if (!Number.isInteger(input.amount) || input.amount <= 0) throw new Error(`debitFromHold: amount must be a positive integer, got ${input.amount}`);
  const shrunk = await ex.updateTable('credit_holds').set({ amount: sql`amount - ${input.amount}` }).where('id', '=', input.holdId).where('amount', '>=', input.amount).executeTakeFirst();
  if (Number(shrunk.numUpdatedRows) !== 1) throw new Error(`debitFromHold: hold ${input.holdId} is gone or holds less than ${input.amount}`);
  const month = monthOf(clock.now());
  const updated = await ex
    .updateTable('workspaces')
    .set({
      held: sql`held - ${input.amount}`,
      balance: sql`balance - ${input.amount}`,
      month_spent: sql`(case when spend_month = ${month} then month_spent else 0 end) + ${input.amount}`,
      spend_month: month,
    })
    .where('id', '=', input.workspaceId)
    .returning('balance')
    .executeTakeFirstOrThrow();
  await insertLedger(ex, {
    id: ledgerId(clock.now()),
    workspace_id: input.workspaceId,
    kind: 'debit',
    amount: -input.amount,
    balance_after: Number(updated.balance),
    operation: input.operation,
    response_id: input.ledgerKey,
    key_id: input.keyId,
    persona_id: input.personaId,
    reason: null,
    input_tokens: input.inputTokens,
    output_tokens: input.outputTokens,
    created_at: Math.floor(clock.now() / 1000),
  });
}

/** Releases what is left of a hold inside the caller's transaction; 0 when it is already gone. Returns the credits released. */
export async function releaseHoldWithin(ex: Executor, holdId: string): Promise<number> {
  const hold = await ex.deleteFrom('credit_holds').where('id', '=', holdId).returning(['amount', 'workspace_id']).executeTakeFirst();
  if (!hold) return 0;
  const amount = Number(hold.amount);
  if (amount > 0) await ex.updateTable('workspaces').set({ held: sql`held - ${amount}` }).where('id', '=', hold.workspace_id).execute();
  return amount;
}

export interface CreditsSummary {
  balance: number;
  held: number;
  available: number;
  monthly_budget: number | null;
  month: string;
  month_spend: number;
}

export interface UsageQuery {
  from: number;
  to: number;
  groupBy: 'day' | 'key' | 'persona' | 'operation';
}

const LEDGER_COLUMNS = ['id', 'workspace_id', 'kind', 'amount', 'balance_after', 'operation', 'response_id', 'key_id', 'persona_id', 'reason', 'input_tokens', 'output_tokens', 'created_at'] as const satisfies ReadonlyArray<keyof CreditLedgerTable>;
const TEST_USAGE_COLUMNS = ['id', 'workspace_id', 'operation', 'response_id', 'key_id', 'persona_id', 'input_tokens', 'output_tokens', 'created_at'] as const satisfies ReadonlyArray<keyof TestUsageTable>;
const HOLD_COLUMNS = ['id', 'workspace_id', 'response_id', 'amount', 'owner', 'created_at'] as const satisfies ReadonlyArray<keyof CreditHoldsTable>;

/** `{ column: p('column') }` for every column: an insert of a whole row as a prepared statement. */
function placeholders<C extends string>(columns: readonly C[], p: Param<C>): Record<C, unknown> {
  return Object.fromEntries(columns.map((c) => [c, p(c)])) as Record<C, unknown>;
}

/**
 * The statements every live request runs, compiled once per store (see
 * prepared.ts); on SQLite they run on its connection directly inside the
 * group-committed transactions, the only place they are used.
 */
function hotStatements(sqlite: SQLite.Database | undefined) {
  const statement = preparedFor(sqlite);
  return {
    /** Reserves `amount` if the available balance and the monthly budget allow it (one row updated), else none. */
    hold: statement<'amount' | 'workspace' | 'month'>((db, p) =>
      db
        .updateTable('workspaces')
        .set({ held: sql`held + ${p('amount')}` })
        .where('id', '=', p('workspace'))
        .where(sql<boolean>`balance - held >= ${p('amount')}`)
        .where(sql<boolean>`(monthly_budget is null or (case when spend_month = ${p('month')} then month_spent else 0 end) + held + ${p('amount')} <= monthly_budget)`),
    ),
    insertHold: statement<(typeof HOLD_COLUMNS)[number]>((db, p) => db.insertInto('credit_holds').values(placeholders(HOLD_COLUMNS, p) as never)),
    deleteHold: statement<'id'>((db, p) => db.deleteFrom('credit_holds').where('id', '=', p('id'))),
    /** Releases the hold and debits what was spent, counting it in the month; returns the balance after. */
    settle: statement<'held' | 'credits' | 'month' | 'workspace', { balance: number }>((db, p) =>
      db
        .updateTable('workspaces')
        .set({
          held: sql`held - ${p('held')}`,
          balance: sql`balance - ${p('credits')}`,
          month_spent: sql`(case when spend_month = ${p('month')} then month_spent else 0 end) + ${p('credits')}`,
          spend_month: p('month'),
        })
        .where('id', '=', p('workspace'))
        .returning('balance'),
    ),
    insertTestUsage: statement<(typeof TEST_USAGE_COLUMNS)[number]>((db, p) => db.insertInto('test_usage').values(placeholders(TEST_USAGE_COLUMNS, p) as never)),
    insertLedger: statement<(typeof LEDGER_COLUMNS)[number]>((db, p) => db.insertInto('credit_ledger').values(placeholders(LEDGER_COLUMNS, p) as never)),
  };
}

export function createCreditsStore(db: Db, ids: IdGenerator, clock: Clock) {
  const now = () => Math.floor(clock.now() / 1000);
  // Holds and settlements are the per-request writes: they share transactions (group-commit.ts)
  // and their statements are compiled once (prepared.ts).
  const batch = groupCommitOf(db);
  const q = hotStatements(sqliteHandleOf(db));

  async function summary(ex: Executor, workspaceId: string): Promise<CreditsSummary> {
    const w = await ex
      .selectFrom('workspaces')
      .select(['balance', 'held', 'monthly_budget', 'month_spent', 'spend_month'])
      .where('id', '=', workspaceId)
      .executeTakeFirst();
    if (!w) throw new ApiError('not_found', `Workspace '${workspaceId}' not found.`);
    const month = monthOf(clock.now());
    const balance = Number(w.balance);
    const held = Number(w.held);
    return {
      balance,
      held,
      available: balance - held,
      monthly_budget: w.monthly_budget === null ? null : Number(w.monthly_budget),
      month,
      month_spend: w.spend_month === month ? Number(w.month_spent) : 0,
    };
  }

  async function holdIn(trx: Transaction<Database>, input: HoldInput): Promise<Hold> {
    const month = monthOf(clock.now());
    const hold: Hold = { id: ids.next('hold'), workspaceId: input.workspaceId, responseId: input.responseId, amount: input.amount };
    const r = await q.hold(trx, { amount: input.amount, workspace: input.workspaceId, month });
    if (Number(r.numAffectedRows ?? 0n) !== 1) {
      const s = await summary(trx, input.workspaceId);
      if (s.available < input.amount) {
        throw new ApiError(
          'credits_exhausted',
          `This request may cost up to ${input.amount} credits and the workspace has ${s.available} available (balance ${s.balance}, ${s.held} held by requests in progress). Ask an admin to grant credits.`,
        );
      }
      throw new ApiError(
        'budget_exceeded',
        `This request may cost up to ${input.amount} credits, which would exceed the workspace's monthly budget of ${s.monthly_budget} (spent ${s.month_spend} in ${s.month}, ${s.held} held).`,
      );
    }
    await q.insertHold(trx, { id: hold.id, workspace_id: input.workspaceId, response_id: input.responseId, amount: input.amount, owner: input.owner, created_at: now() });
    return hold;
  }

  async function settleIn(trx: Transaction<Database>, s: Settlement): Promise<void> {
    if (s.credits > s.hold.amount) throw new Error(`settle: ${s.credits} credits exceed the hold of ${s.hold.amount}`);
    const month = monthOf(clock.now());
    const deleted = await q.deleteHold(trx, { id: s.hold.id });
    if (Number(deleted.numAffectedRows ?? 0n) !== 1) throw new Error(`settle: hold ${s.hold.id} is not active`);
    const updated = await q.settle(trx, { held: s.hold.amount, credits: s.credits, month, workspace: s.hold.workspaceId });
    if (updated.rows.length !== 1) throw new Error(`settle: workspace ${s.hold.workspaceId} not found`);
    if (s.credits > 0) {
      await q.insertLedger(trx, {
        id: ledgerId(clock.now()),
        workspace_id: s.hold.workspaceId,
        kind: 'debit',
        amount: -s.credits,
        balance_after: Number(updated.rows[0]!.balance),
        operation: s.operation,
        response_id: s.hold.responseId,
        key_id: s.keyId,
        persona_id: s.personaId,
        reason: null,
        input_tokens: s.inputTokens,
        output_tokens: s.outputTokens,
        created_at: now(),
      });
    }
  }

  async function recordTestIn(trx: Transaction<Database>, u: TestUsage): Promise<void> {
    await q.insertTestUsage(trx, {
      id: ledgerId(clock.now()).replace(/^led_/, 'tu_'),
      workspace_id: u.workspaceId,
      operation: u.operation,
      response_id: u.responseId,
      key_id: u.keyId,
      persona_id: u.personaId,
      input_tokens: u.inputTokens,
      output_tokens: u.outputTokens,
      created_at: now(),
    });
  }

  return {
    summary: (workspaceId: string) => summary(db, workspaceId),

    /**
     * Reserves `amount` credits for a response before any model call, or
     * throws 402 credits_exhausted / budget_exceeded, with nothing changed.
     * In `trx` when given (a unit of work that also stores the response:
     * unit-of-work.ts), else in a transaction of its own; either way
     * concurrent holds and settlements share a transaction on SQLite (group
     * commit), each still all-or-nothing.
     */
    hold: (input: HoldInput, trx?: Transaction<Database>): Promise<Hold> => (trx ? holdIn(trx, input) : batch.run((own) => holdIn(own, input))),

    /**
     * Debits what a finished response cost and releases its hold. In `trx`
     * when given — the unit of work that also stores the response, so the
     * response, the ledger and the balance agree even if the process dies
     * right after — else in a transaction of its own (group-committed on SQLite).
     */
    settle: (s: Settlement, trx?: Transaction<Database>): Promise<void> => (trx ? settleIn(trx, s) : batch.run((own) => settleIn(own, s))),

    /**
     * Debits a non-response operation (e.g. creating a custom persona) atomically,
     * or throws 402 credits_exhausted / budget_exceeded. `write`, when given,
     * runs in the same transaction after the debit, so what was paid for is
     * stored if and only if the debit is.
     */
    async charge(input: ChargeInput, write?: (trx: Transaction<Database>) => Promise<void>): Promise<Charge> {
      return db.transaction().execute(async (trx) => {
        const charge = await chargeWithin(trx, clock, input);
        if (write) await write(trx);
        return charge;
      });
    },

    /** Grants (positive) or adjusts (either sign) the balance, with a reason, in the ledger. */
    async change(input: { workspaceId: string; kind: Extract<LedgerKind, 'grant' | 'adjustment' | 'refund'>; amount: number; reason: string | null; keyId?: string | null }): Promise<CreditsSummary> {
      if (!Number.isInteger(input.amount) || input.amount === 0) throw new ApiError('validation_error', 'amount must be a non-zero integer.', { param: 'amount' });
      if (input.kind !== 'adjustment' && input.amount < 0) throw new ApiError('validation_error', 'A grant must be positive; use an adjustment to reduce a balance.', { param: 'amount' });
      return db.transaction().execute(async (trx) => {
        const r = await trx
          .updateTable('workspaces')
          .set({ balance: sql`balance + ${input.amount}` })
          .where('id', '=', input.workspaceId)
          .where(sql<boolean>`balance - held + ${input.amount} >= 0`)
          .returning('balance')
          .executeTakeFirst();
        if (!r) {
          const s = await summary(trx, input.workspaceId);
          throw new ApiError('validation_error', `An adjustment of ${input.amount} would take the balance below zero or below the ${s.held} credits held by requests in progress (balance ${s.balance}).`, {
            param: 'amount',
          });
        }
        await insertLedger(trx, {
          id: ledgerId(clock.now()),
          workspace_id: input.workspaceId,
          kind: input.kind,
          amount: input.amount,
          balance_after: Number(r.balance),
          operation: null,
          response_id: null,
          key_id: input.keyId ?? null,
          persona_id: null,
          reason: input.reason,
          input_tokens: null,
          output_tokens: null,
          created_at: now(),
        });
        return summary(trx, input.workspaceId);
      });
    },

    async setBudget(workspaceId: string, budget: number | null): Promise<void> {
      await db.updateTable('workspaces').set({ monthly_budget: budget }).where('id', '=', workspaceId).execute();
    },

    async ledger(workspaceId: string, options: { limit: number; from?: number; to?: number }): Promise<CreditLedgerTable[]> {
      let q = db.selectFrom('credit_ledger').selectAll().where('workspace_id', '=', workspaceId);
      if (options.from !== undefined) q = q.where('created_at', '>=', options.from);
      if (options.to !== undefined) q = q.where('created_at', '<', options.to);
      const rows = await q.orderBy('id', 'desc').limit(options.limit).execute();
      return rows.map((r) => ({ ...r, amount: Number(r.amount), balance_after: Number(r.balance_after), created_at: Number(r.created_at) }));
    },

    /**
     * Stores what a test-key request used (zero cost, no balance change). In
     * `trx` when given — the unit of work that also stores the response, so
     * the usage report counts exactly the test responses stored — else in a
     * transaction of its own (group-committed on SQLite, like settlements).
     */
    recordTest: (u: TestUsage, trx?: Transaction<Database>): Promise<void> => (trx ? recordTestIn(trx, u) : batch.run((own) => recordTestIn(own, u))),

    /**
     * The usage report: live debits (net of refunds) from the ledger and
     * test-key requests (test_usage, credits 0) and test-key focus-group
     * answers (./test-study-usage.ts), grouped, each row marked with its `mode`.
     */
    async usage(workspaceId: string, q: UsageQuery): Promise<UsageRow[]> {
      const groupOf = (r: { created_at: number | bigint; key_id: string | null; persona_id: string | null; operation: string | null }): string => {
        if (q.groupBy === 'day') return new Date(Number(r.created_at) * 1000).toISOString().slice(0, 10);
        return (q.groupBy === 'key' ? r.key_id : q.groupBy === 'persona' ? r.persona_id : r.operation) ?? '';
      };
      const groups = new Map<string, { group: string; mode: 'live' | 'test'; credits: number; requests: number; input_tokens: number; output_tokens: number }>();
      const add = (group: string, mode: 'live' | 'test', credits: number, requests: number, input: number, output: number): void => {
        const k = `${group}\u0000${mode}`;
        const g = groups.get(k) ?? { group, mode, credits: 0, requests: 0, input_tokens: 0, output_tokens: 0 };
        g.credits += credits;
        g.requests += requests;
        g.input_tokens += input;
        g.output_tokens += output;
        groups.set(k, g);
      };
      const live = await db
        .selectFrom('credit_ledger')
        .select(['kind', 'amount', 'created_at', 'key_id', 'persona_id', 'operation', 'input_tokens', 'output_tokens'])
        .where('workspace_id', '=', workspaceId)
        .where('kind', 'in', ['debit', 'refund'])
        .where('created_at', '>=', q.from)
        .where('created_at', '<', q.to)
        .execute();
      for (const r of live) add(groupOf(r), 'live', -Number(r.amount), r.kind === 'debit' ? 1 : 0, Number(r.input_tokens ?? 0), Number(r.output_tokens ?? 0));
      const test = await db
        .selectFrom('test_usage')
        .select(['created_at', 'key_id', 'persona_id', 'operation', 'input_tokens', 'output_tokens'])
        .where('workspace_id', '=', workspaceId)
        .where('created_at', '>=', q.from)
        .where('created_at', '<', q.to)
        .execute();
      for (const r of test) add(groupOf(r), 'test', 0, 1, Number(r.input_tokens), Number(r.output_tokens));
      for (const r of await testStudyUsage(db, workspaceId, q.from, q.to)) add(groupOf(r), 'test', 0, r.requests, r.input_tokens, r.output_tokens);
      const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
      return [...groups.values()]
        .sort((a, b) => order(a.group, b.group) || order(a.mode, b.mode))
        .map(({ group, mode, ...g }) => ({ [q.groupBy]: group || null, mode, ...g }) as UsageRow);
    },

    /** Releases holds whose owner is gone (crash recovery); their responses are failed separately. */
    async releaseHoldsOf(owners: string[]): Promise<number> {
      if (owners.length === 0) return 0;
      return db.transaction().execute(async (trx) => {
        const holds = await trx.selectFrom('credit_holds').selectAll().where('owner', 'in', owners).execute();
        for (const h of holds) {
          await trx.deleteFrom('credit_holds').where('id', '=', h.id).execute();
          await trx.updateTable('workspaces').set({ held: sql`held - ${h.amount}` }).where('id', '=', h.workspace_id).execute();
        }
        return holds.length;
      });
    },
  };
}

export type CreditsStore = ReturnType<typeof createCreditsStore>;
