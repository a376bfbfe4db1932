/**
 * A unit of work: one transaction that several stores write in, composed by
 * the service that knows what belongs together. Each store writes only its
 * own tables and takes the transaction as an argument (e.g. the credits
 * store settles a hold and the responses store stores the response it paid
 * for), so what must happen together commits together or not at all — the
 * response, the ledger and the balance agree even if the process dies right
 * after.
 *
 * On SQLite a unit of work is group-committed with the others queued in the
 * same turn of the loop (group-commit.ts), and the stores' compiled
 * statements run on the connection directly inside it (prepared.ts); on
 * PostgreSQL it is a transaction of its own. Because a failed batch runs each
 * of its units again alone, `fn` must be a function of its transaction only,
 * safe to run twice (nothing of a failed attempt was committed).
 */
import type { Transaction } from 'kysely';
import type { Db } from './db.js';
import { groupCommitOf } from './group-commit.js';
import type { Database } from './schema.js';

export type UnitOfWork = <T>(fn: (trx: Transaction<Database>) => Promise<T>) => Promise<T>;

/** The units of work of `db`: they share its group-commit queue with the stores' own transactions. */
export function unitOfWorkOf(db: Db): UnitOfWork {
  const queue = groupCommitOf(db);
  return (fn) => queue.run(fn);
}
