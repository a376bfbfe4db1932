/**
 * Group commit: the credit holds and settlements that arrive in the same turn
 * of the event loop run in one transaction, each inside its own savepoint.
 *
 * Every operation keeps its own all-or-nothing outcome (a failing one rolls
 * back to its savepoint and rejects alone; the others commit), and its promise
 * settles only after the shared COMMIT, so nothing is reported done before it
 * is durable. What is shared is the cost of BEGIN/COMMIT, the WAL write of the
 * pages every operation touches (the workspace row, the ledger's last page),
 * and on PostgreSQL the commit's fsync. The benchmark's profile showed the
 * per-request transactions as the largest single cost under load.
 *
 * A batch whose transaction fails as a whole (a PostgreSQL deadlock between
 * two processes' batches, a failed COMMIT) is run again one operation per
 * transaction, so an operation fails only for its own reasons. That is safe
 * because nothing of the failed batch was committed; and the operations
 * batched here cannot apply twice anyway (a hold inserts a row with a fresh
 * unique id; a settlement deletes its hold and fails when it is gone).
 */
import { sql, type Transaction } from 'kysely';
import type { Db } from './db.js';
import type { Database } from './schema.js';

export type Operation<T> = (trx: Transaction<Database>) => Promise<T>;

interface Queued {
  fn: Operation<unknown>;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

export interface GroupCommit {
  /** Runs `fn` in a transaction shared with the other operations of this turn; settles after the commit. */
  run<T>(fn: Operation<T>): Promise<T>;
  /** Operations run so far, and the transactions they took (for tests and metrics). */
  readonly stats: { operations: number; transactions: number };
}

const byDb = new WeakMap<Db, GroupCommit>();

/** The one group-commit queue of a database (every store of that Db shares it). */
export function groupCommitOf(db: Db): GroupCommit {
  let g = byDb.get(db);
  if (!g) {
    g = createGroupCommit(db);
    byDb.set(db, g);
  }
  return g;
}

/** Largest batch in one transaction: bounds how long one COMMIT keeps the others waiting. */
const MAX_BATCH = 256;

function createGroupCommit(db: Db): GroupCommit {
  let queue: Queued[] = [];
  let scheduled = false;
  let running = false;
  const stats = { operations: 0, transactions: 0 };

  function schedule(): void {
    if (scheduled || running || queue.length === 0) return;
    scheduled = true;
    // After the I/O phase: requests that arrived in the same turn join this batch.
    setImmediate(flush);
  }

  async function flush(): Promise<void> {
    scheduled = false;
    running = true;
    const batch = queue.length > MAX_BATCH ? queue.splice(0, MAX_BATCH) : queue;
    if (batch === queue) queue = [];
    try {
      if (batch.length === 1) await single(batch[0]!);
      else await together(batch);
    } finally {
      running = false;
      schedule();
    }
  }

  async function single(op: Queued): Promise<void> {
    stats.operations += 1;
    stats.transactions += 1;
    try {
      op.resolve(await db.transaction().execute(op.fn));
    } catch (error) {
      op.reject(error);
    }
  }

  async function together(batch: Queued[]): Promise<void> {
    const outcomes: Array<{ ok: true; value: unknown } | { ok: false; error: unknown }> = [];
    try {
      await db.transaction().execute(async (trx) => {
        for (let i = 0; i < batch.length; i++) {
          await sql.raw(`savepoint op${i}`).execute(trx);
          try {
            const value = await batch[i]!.fn(trx);
            await sql.raw(`release savepoint op${i}`).execute(trx);
            outcomes.push({ ok: true, value });
          } catch (error) {
            await sql.raw(`rollback to savepoint op${i}`).execute(trx);
            await sql.raw(`release savepoint op${i}`).execute(trx);
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch {
      // The batch as a whole failed and nothing of it was committed: one by one instead.
      for (const op of batch) await single(op);
      return;
    }
    stats.operations += batch.length;
    stats.transactions += 1;
    batch.forEach((op, i) => {
      const o = outcomes[i]!;
      if (o.ok) op.resolve(o.value);
      else op.reject(o.error);
    });
  }

  return {
    stats,
    run<T>(fn: Operation<T>): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        queue.push({ fn: fn as Operation<unknown>, resolve: resolve as (v: unknown) => void, reject });
        schedule();
      });
    },
  };
}
