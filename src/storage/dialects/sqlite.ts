/** SQLite (WAL) in the data folder, or in memory for tests. */
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type SQLite from 'better-sqlite3';
import { SqliteDialect } from 'kysely';

/**
 * The better-sqlite3 major that works on this Node.js: 12 on Node 20 (13 needs
 * Node 22; on 20 it crashes the process), 13 from Node 22 on (12 subclasses
 * Node's raw `node::ObjectWrap`, and on Node ≥ 24.19 a statement finalized
 * while the process exits aborts it with "Assertion failed: (env) !=
 * nullptr"; 13 is built on node-addon-api). Both are installed
 * (`better-sqlite3-13` is an npm alias), with the same API.
 */
export const SQLITE_DRIVER = Number(process.versions.node.split('.')[0]) >= 22 ? 'better-sqlite3-13' : 'better-sqlite3';

/** Loaded on the first database opened, like the other drivers. */
function driver(): typeof SQLite {
  return createRequire(import.meta.url)(SQLITE_DRIVER) as typeof SQLite;
}

/** `dataDir` is a folder for cohort.db, or ':memory:'. */
export function createSqliteDialect(dataDir: string): { dialect: SqliteDialect; database: SQLite.Database } {
  let file = ':memory:';
  if (dataDir !== ':memory:') {
    fs.mkdirSync(dataDir, { recursive: true });
    file = path.join(dataDir, 'cohort.db');
  }
  const Database = driver();
  const sqlite = new Database(file);
  // The busy timeout first: switching a new file to WAL takes a lock that another
  // process opening the same file at the same moment may hold.
  sqlite.pragma('busy_timeout = 5000');
  retryWhileBusy(() => sqlite.pragma('journal_mode = WAL'));
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  return { dialect: new SqliteDialect({ database: withStatementCache(sqlite) }), database: sqlite };
}

/** Retries `fn` while SQLite answers SQLITE_BUSY (up to `waitMs`). */
function retryWhileBusy<T>(fn: () => T, waitMs = 30_000): T {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return fn();
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw error;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20); // a short synchronous pause
    }
  }
}

/**
 * Kysely prepares every statement again on every query; preparing costs more
 * than running a small statement (the benchmark's profile showed it at ~12% of
 * CPU). Statements are reusable in better-sqlite3, so keep them by SQL text.
 * Our queries are parameterized, so the set of distinct texts is small.
 */
function withStatementCache(sqlite: SQLite.Database): { prepare(sql: string): SQLite.Statement; close(): void } {
  const cache = new Map<string, SQLite.Statement>();
  return {
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (!stmt) {
        stmt = sqlite.prepare(sql);
        if (cache.size >= 1000) cache.clear();
        cache.set(sql, stmt);
      }
      return stmt;
    },
    close() {
      cache.clear();
      sqlite.close();
    },
  };
}

/**
 * Runs `fn` (the migrations) inside one `BEGIN IMMEDIATE` transaction on the
 * raw connection: Kysely's Migrator takes no lock on SQLite, so without this
 * two processes opening the same file at once both run the same migration.
 * The second waits for the first's commit, then finds nothing to do. A
 * failing migration rolls back entirely, as on PostgreSQL.
 */
export async function withWriteLock(sqlite: SQLite.Database, fn: () => Promise<void>, waitMs = 60_000): Promise<void> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      sqlite.exec('BEGIN IMMEDIATE'); // waits up to busy_timeout per attempt
      break;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw error;
    }
  }
  try {
    await fn();
    sqlite.exec('COMMIT');
  } catch (error) {
    if (sqlite.inTransaction) sqlite.exec('ROLLBACK');
    throw error;
  }
}
