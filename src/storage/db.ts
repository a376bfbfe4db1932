/**
 * Opens the database: SQLite (WAL) in the data folder by default, PostgreSQL
 * when a postgres:// URL is given. One query builder (Kysely) over every
 * database; each domain store takes the Kysely instance.
 */
import type SQLite from 'better-sqlite3';
import { Kysely, PostgresAdapter, sql, type Transaction } from 'kysely';
import { Migrator, type MigrationProvider } from 'kysely';
import { isPostgresUrl, redactUrl } from './dialects/url.js';
import { createSqliteDialect, withWriteLock } from './dialects/sqlite.js';
import { migrations } from './migrations/index.js';
import type { Database } from './schema.js';

export type Db = Kysely<Database>;
/** The database or a transaction of it: what a store's statement runs on. */
export type Executor = Db | Transaction<Database>;
export type DialectName = 'sqlite' | 'postgres';

export interface OpenDbOptions {
  /** Folder for cohort.db; ':memory:' for an in-memory database (tests). Unused with a PostgreSQL URL. */
  dataDir: string;
  /** `postgres://user@host:5432/db` (or `postgresql://`): use PostgreSQL instead of SQLite. */
  databaseUrl?: string;
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
  /** Errors of idle PostgreSQL connections; the pool replaces the connection. */
  onError?: (error: Error) => void;
}

/** Which SQL dialect a Db (or a transaction of it) speaks, for the rare dialect-specific query. */
export function dialectName(db: Kysely<any>): DialectName {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

const sqliteHandles = new WeakMap<Db, SQLite.Database>();

/**
 * The better-sqlite3 connection under a SQLite Db (undefined on PostgreSQL),
 * for statements that run inside a Kysely transaction of that Db without
 * going through Kysely's executor (storage/prepared.ts). Nothing else may
 * use it: outside a transaction Kysely holds, a statement on it could land
 * in another caller's open transaction.
 */
export function sqliteHandleOf(db: Db): SQLite.Database | undefined {
  return sqliteHandles.get(db);
}

export async function openDatabase(options: OpenDbOptions): Promise<Db> {
  const url = options.databaseUrl ?? '';
  if (url === '') {
    const { dialect, database } = createSqliteDialect(options.dataDir);
    const db = new Kysely<Database>({ dialect });
    sqliteHandles.set(db, database);
    return migrated(db, () => withWriteLock(database, () => migrate(db)));
  }
  if (!isPostgresUrl(url)) throw new Error(`database URL must start with postgres:// or postgresql://, got '${redactUrl(url)}'`);
  // Loaded only when PostgreSQL is configured: `pg` costs memory an SQLite server doesn't need.
  const { createPostgresDialect } = await import('./dialects/postgres.js');
  const { dialect } = createPostgresDialect({
    url,
    ...(options.poolSize !== undefined ? { poolSize: options.poolSize } : {}),
    ...(options.onError ? { onError: options.onError } : {}),
  });
  const db = new Kysely<Database>({ dialect });
  let schema: string | null;
  try {
    const r = await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db);
    schema = r.rows[0]?.schema ?? null;
  } catch (error) {
    await db.destroy();
    throw new Error(`cannot connect to PostgreSQL at ${redactUrl(url)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (schema === null) {
    await db.destroy();
    throw new Error(`PostgreSQL at ${redactUrl(url)}: no schema on the search_path exists`);
  }
  // Kysely looks for its migration tables in every schema of the database;
  // pin them to ours so another app's (or another Cohort's) tables in a
  // different schema are not mistaken for ours.
  return migrated(db, () => migrate(db, { migrationTableSchema: schema }));
}

/** Ends the database: closes the SQLite file or ends the PostgreSQL pool. */
export async function closeDatabase(db: Db): Promise<void> {
  await db.destroy();
}

type MigrateOptions = { migrationTableSchema?: string };

/** Runs the migrations; on failure closes the database so no pool or file handle leaks. */
async function migrated(db: Db, run: () => Promise<void>): Promise<Db> {
  try {
    await run();
    return db;
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

const provider: MigrationProvider = { getMigrations: async () => migrations };

/**
 * Runs pending migrations. Processes starting at once migrate one after the
 * other: on PostgreSQL Kysely's Migrator holds a session-level advisory lock
 * (pg_advisory_lock) around one transaction; on SQLite openDatabase wraps
 * this in BEGIN IMMEDIATE (see dialects/sqlite.ts).
 */
export async function migrate(db: Db, options: MigrateOptions = {}): Promise<void> {
  const migrator = new Migrator({ db, provider, ...options });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error');
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
