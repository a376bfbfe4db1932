/**
 * Statements built once with the query builder and then run many times with
 * new values. Building and compiling a Kysely query (operation nodes, frozen
 * objects, the compiler's visit) cost about as much CPU as SQLite took to run
 * the statement; the per-request credit statements (hold, settle, ledger,
 * response row) are the same text every time, so they are compiled once per
 * database and only their parameters change.
 *
 * Each value is given to the builder as a named placeholder; after compiling,
 * the placeholders are found among the compiled parameters, so the SQL text
 * and the parameter order are exactly what the builder produced for the
 * dialect (SQLite `?`, PostgreSQL `$n`).
 *
 * On SQLite, given the Db's better-sqlite3 connection (db.ts
 * `sqliteHandleOf`), a statement run inside a transaction runs on that
 * connection directly, as Kysely's SQLite driver would run it (same SQL,
 * same parameters, same result shape), but without the executor's per-query
 * machinery (connection provider, promise chain, result objects), which the
 * benchmark measured at about as much CPU as SQLite itself. That is safe
 * only inside a transaction that is open now: Kysely holds its one SQLite
 * connection for the transaction, so nothing else runs on it meanwhile. So
 * the direct path is taken only for a transaction its owner has declared
 * live with `directWithin` (the group commit does, for the length of its
 * callback), and only while SQLite reports a transaction open; anything else
 * (a transaction used after its commit, another Db's) goes through Kysely,
 * which rejects it as it should.
 */
import type SQLite from 'better-sqlite3';
import { CompiledQuery, type Compilable, type QueryResult, type Transaction } from 'kysely';
import type { Executor } from './db.js';
import type { Database } from './schema.js';

const MARK = '\u0000cohort:param:';

/** Transactions open now whose statements may run on the connection directly (see above). */
const live = new WeakSet<object>();

/** Runs `fn` with `trx` (a transaction open for the length of `fn`) declared live for the direct path. */
export async function directWithin<T>(trx: Transaction<Database>, fn: () => Promise<T>): Promise<T> {
  live.add(trx);
  try {
    return await fn();
  } finally {
    live.delete(trx);
  }
}

/** Statements run on the SQLite connection directly (for tests). */
export const directStats = { runs: 0 };

/** A placeholder for the value named `name` (typed `any`: it stands in for values of every column type). */
export type Param<K extends string> = (name: K) => any; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Prepared<K extends string, R> {
  (ex: Executor, values: Record<K, unknown>): Promise<QueryResult<R>>;
  /** The compiled SQL (after the first run), for tests. */
  readonly sql: string | undefined;
}

/**
 * `build(db, p)` returns the query with `p('name')` wherever a value goes. The
 * first run compiles it with the executor's dialect; one Prepared belongs to
 * one database (create them per store), whose SQLite connection `sqlite` is
 * (see above; undefined on PostgreSQL).
 */
export function prepared<K extends string, R = unknown>(build: (db: Executor, p: Param<K>) => Compilable<R>, sqlite?: SQLite.Database): Prepared<K, R> {
  let sql: string | undefined;
  let order: Array<{ name: K } | { value: unknown }> = [];
  let stmt: SQLite.Statement | undefined;
  const run = ((ex: Executor, values: Record<K, unknown>) => {
    if (sql === undefined) {
      const compiled = build(ex, (name: K) => MARK + name).compile();
      order = compiled.parameters.map((v) => (typeof v === 'string' && v.startsWith(MARK) ? { name: v.slice(MARK.length) as K } : { value: v }));
      sql = compiled.sql;
    }
    const parameters = order.map((o) => ('name' in o ? (values[o.name] ?? null) : o.value));
    if (sqlite && live.has(ex) && sqlite.inTransaction) {
      directStats.runs++;
      try {
        return Promise.resolve(runOn((stmt ??= sqlite.prepare(sql)), parameters) as QueryResult<R>);
      } catch (error) {
        return Promise.reject(error);
      }
    }
    try {
      return ex.executeQuery<R>(CompiledQuery.raw(sql, parameters));
    } catch (error) {
      // Kysely 0.28 throws at once for a transaction used after its end: still a rejected promise here.
      return Promise.reject(error);
    }
  }) as Prepared<K, R>;
  Object.defineProperty(run, 'sql', { get: () => sql });
  return run;
}

/** `prepared` for the statements of one database, whose SQLite connection is `sqlite` (undefined on PostgreSQL). */
export function preparedFor(sqlite: SQLite.Database | undefined) {
  return <K extends string, R = unknown>(build: (db: Executor, p: Param<K>) => Compilable<R>): Prepared<K, R> => prepared(build, sqlite);
}

/** A statement's result in the shape Kysely's SQLite driver gives it. */
function runOn(stmt: SQLite.Statement, parameters: unknown[]): QueryResult<unknown> {
  if (stmt.reader) return { rows: stmt.all(parameters) };
  const { changes, lastInsertRowid } = stmt.run(parameters);
  return { insertId: BigInt(lastInsertRowid), numAffectedRows: BigInt(changes), rows: [] };
}
