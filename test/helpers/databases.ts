/**
 * Runs a suite against every database Cohort supports, Kysely style:
 *
 *   forEachDatabase('accounts store', (t) => {
 *     it('creates a key', async () => { const accounts = createAccountsStore(t.db, …); … });
 *   });
 *
 * registers one `describe` per dialect. Each gets a fresh, migrated database
 * that is dropped after the block: SQLite in a temporary folder, and
 * PostgreSQL as a new database `cohort_test_<time>_<random>` created on the
 * server at COHORT_TEST_DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/test, then the OS user) and dropped with
 * WITH (FORCE). When PostgreSQL is unreachable its block is skipped with the
 * reason — or fails, when CI is set, so CI never silently skips it.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { isCI } from './ci.js';
import { closeDatabase, openDatabase, type Db, type DialectName, type OpenDbOptions } from '../../src/storage/db.js';

export interface TestDatabase {
  kind: DialectName;
  /** The block's migrated database (available inside tests and hooks). */
  readonly db: Db;
  /** openDatabase options of the block's database, to open it again (another process, another pool). */
  readonly options: OpenDbOptions;
  /** Opens the block's database once more (own connection/pool); closed after the block. */
  open(extra?: Partial<OpenDbOptions>): Promise<Db>;
  /** Another empty, unmigrated database of the same kind; dropped after the block. */
  fresh(): Promise<OpenDbOptions>;
  /** Keeps a Db opened by the test to be closed after the block. */
  track(db: Db): Db;
}

export interface DialectTarget {
  kind: DialectName;
  /** Why this dialect cannot run here; undefined when it can. */
  unavailable?: string;
  /** Creates an empty database; `drop` removes it. */
  provision(): Promise<{ options: OpenDbOptions; drop(): Promise<void> }>;
}

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

function withUser(url: string, user: string): string {
  const u = new URL(url);
  u.username = encodeURIComponent(user);
  return u.toString();
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

async function withClient<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

const quote = (ident: string) => `"${ident.replace(/"/g, '""')}"`;

const STALE_SECONDS = 24 * 3600;

/** Finds a PostgreSQL server we can create databases on, and drops test databases crashed runs left behind. */
async function probePostgres(): Promise<{ url: string } | { error: string }> {
  const explicit = process.env.COHORT_TEST_DATABASE_URL;
  const candidates = explicit ? [explicit] : [DEFAULT_TEST_DATABASE_URL, withUser(DEFAULT_TEST_DATABASE_URL, os.userInfo().username)];
  const errors: string[] = [];
  for (const url of [...new Set(candidates)]) {
    try {
      const canCreate = await withClient(url, async (c) => {
        const r = await c.query<{ ok: boolean }>('select rolcreatedb or rolsuper as ok from pg_roles where rolname = current_user');
        if (!r.rows[0]?.ok) return false;
        const stale = await c.query<{ datname: string }>("select datname from pg_database where datname like 'cohort\\_test\\_%'");
        const cutoff = Math.floor(Date.now() / 1000) - STALE_SECONDS;
        for (const { datname } of stale.rows) {
          const started = Number(/^cohort_test_(\d+)_/.exec(datname)?.[1]);
          if (Number.isFinite(started) && started < cutoff) await c.query(`drop database if exists ${quote(datname)}`).catch(() => {});
        }
        return true;
      });
      if (canCreate) return { url };
      errors.push(`${redact(url)}: the role may not CREATE DATABASE`);
    } catch (error) {
      errors.push(`${redact(url)}: ${error instanceof Error ? error.message || error.name : String(error)}`);
    }
  }
  return { error: `PostgreSQL not reachable (set COHORT_TEST_DATABASE_URL): ${errors.join('; ')}` };
}

const sqliteTarget: DialectTarget = {
  kind: 'sqlite',
  async provision() {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cohort-db-'));
    return { options: { dataDir: dir }, drop: async () => fs.rmSync(dir, { recursive: true, force: true }) };
  },
};

function postgresTarget(probe: { url: string } | { error: string }): DialectTarget {
  if ('error' in probe) {
    return {
      kind: 'postgres',
      unavailable: probe.error,
      provision: () => Promise.reject(new Error(probe.error)),
    };
  }
  const admin = probe.url;
  return {
    kind: 'postgres',
    async provision() {
      const name = `cohort_test_${Math.floor(Date.now() / 1000)}_${randomBytes(4).toString('hex')}`;
      await withClient(admin, (c) => c.query(`create database ${quote(name)}`));
      return {
        options: { dataDir: ':memory:', databaseUrl: withDatabase(admin, name) },
        drop: () =>
          withClient(admin, async (c) => {
            await c.query(`drop database if exists ${quote(name)} with (force)`);
          }),
      };
    },
  };
}

const targets: DialectTarget[] = [sqliteTarget, postgresTarget(await probePostgres())];

/** The dialects to test: SQLite always, PostgreSQL with `unavailable` set when it cannot run. */
export function dialects(): readonly DialectTarget[] {
  return targets;
}

let loggedSkip = false;

/** Registers `describe('<name> [<dialect>]')` once per dialect, each on its own fresh database. */
export function forEachDatabase(name: string, fn: (t: TestDatabase) => void): void {
  for (const target of dialects()) {
    const title = `${name} [${target.kind}]`;
    if (target.unavailable !== undefined) {
      if (isCI) {
        describe(title, () => {
          it('needs a reachable PostgreSQL in CI', () => {
            throw new Error(`${target.unavailable} — CI is set, so the PostgreSQL tests must run`);
          });
        });
      } else {
        if (!loggedSkip) {
          loggedSkip = true;
          console.warn(`# skipping the ${target.kind} storage tests: ${target.unavailable}`);
        }
        describe(title, { skip: target.unavailable }, () => {});
      }
      continue;
    }
    describe(title, () => {
      const drops: (() => Promise<void>)[] = [];
      const opened: Db[] = [];
      let options: OpenDbOptions | undefined;
      let db: Db | undefined;
      const provision = async () => {
        const p = await target.provision();
        drops.push(p.drop);
        return p.options;
      };
      const track = (d: Db) => (opened.push(d), d);
      const t: TestDatabase = {
        kind: target.kind,
        get db() {
          if (!db) throw new Error(`${title}: the database is only available inside tests and hooks`);
          return db;
        },
        get options() {
          if (!options) throw new Error(`${title}: the database is only available inside tests and hooks`);
          return options;
        },
        open: async (extra = {}) => track(await openDatabase({ ...t.options, ...extra })),
        fresh: provision,
        track,
      };
      before(async () => {
        options = await provision();
        db = track(await openDatabase(options));
      });
      after(async () => {
        await Promise.allSettled(opened.map((d) => closeDatabase(d)));
        for (const drop of drops.reverse()) await drop();
      });
      fn(t);
    });
  }
}
