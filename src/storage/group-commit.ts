/**
 * Group commit (SQLite): the credit holds and settlements queued together run
 * in one transaction — those queued by the code running now, or, when the
 * event loop is saturated, during the whole turn of the loop (util/defer.ts).
 *
 * Every operation keeps its own all-or-nothing outcome, and its promise
 * settles only after the COMMIT that made it durable. When any operation of a
 * batch fails (a 402 hold, say), the whole transaction rolls back and every
 * operation of the batch runs again in a transaction of its own, so the
 * failing one rejects alone and the others commit. Failures are rare, so the
 * common path costs no savepoints. What is shared is the cost of BEGIN/COMMIT
 * and the WAL write of the pages every operation touches (the workspace row,
 * the ledger's last page). The benchmark's profile showed the per-request
 * transactions as the largest single cost under load.
 *
 * The same applies when the transaction fails as a whole (a busy database
 * file, a failed COMMIT). Running an
 * operation again is safe because nothing of the failed batch was committed;
 * and the operations batched here cannot apply twice anyway (a hold inserts a
 * row with a fresh unique id; a settlement deletes its hold and fails when it
 * is gone). An operation must therefore be a function of its transaction
 * only, safe to call twice.
 */
import type { Transaction } from 'kysely';
import { dialectName, type Db } from './db.js';
import { deferGathered } from '../util/defer.js';
import { directWithin } from './prepared.js';
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

/**
 * The one group-commit queue of a database (every store of that Db shares it).
 * SQLite only: its one connection runs every transaction one after the other
 * anyway, and a commit costs more than the statements it commits. PostgreSQL
 * runs transactions side by side on a pool, and a batch's statements would
 * each wait a network round trip in one queue, so there each operation keeps
 * its own transaction.
 */
export function groupCommitOf(db: Db): GroupCommit {
  let g = byDb.get(db);
  if (!g) {
    g = dialectName(db) === 'sqlite' ? createGroupCommit(db) : ownTransactions(db);
    byDb.set(db, g);
  }
  return g;
}

/** One transaction per operation (PostgreSQL). */
function ownTransactions(db: Db): GroupCommit {
  const stats = { operations: 0, transactions: 0 };
  return {
    stats,
    async run<T>(fn: Operation<T>): Promise<T> {
      stats.operations += 1;
      stats.transactions += 1;
      return db.transaction().execute(fn);
    },
  };
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
    // Once the code running now has finished (a microtask), or at the end of the loop's
    // turn when the loop is saturated (util/defer.ts): the operations queued by then join
    // this batch.
    deferGathered(() => void flush());
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
      op.resolve(await db.transaction().execute((trx) => directWithin(trx, () => op.fn(trx))));
    } catch (error) {
      op.reject(error);
    }
  }

  async function together(batch: Queued[]): Promise<void> {
    const values: unknown[] = [];
    try {
      await db.transaction().execute((trx) =>
        directWithin(trx, async () => {
          for (const op of batch) values.push(await op.fn(trx));
        }),
      );
    } catch {
      // An operation failed (a 402, say) or the transaction did: nothing of the batch was
      // committed. Each operation runs again in its own transaction, so each succeeds or
      // fails for its own reasons alone. (Failures are rare; the common path needs no savepoints.)
      for (const op of batch) await single(op);
      return;
    }
    stats.operations += batch.length;
    stats.transactions += 1;
    batch.forEach((op, i) => op.resolve(values[i]));
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
