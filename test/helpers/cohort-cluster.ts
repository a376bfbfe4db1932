/**
 * Cohort as several processes for the queue tests: `cohort serve` and
 * `cohort worker` children (dist/, built by `npm test`) on one database
 * (a fresh PostgreSQL database when reachable, else one SQLite file) and one
 * Redis under a fresh key prefix; everything they leave — children, the
 * database, the prefix's keys, the data folder — is removed by `close()`.
 *
 *   const cluster = createCohortCluster();
 *   before(() => cluster.open({ COHORT_FOCUS_GROUP_LOCK_MS: '2000' }));
 *   after(() => cluster.close());
 *   const worker = await cluster.start(['worker'], { COHORT_UPSTREAM_URL: upstream.url }, 'Cohort worker');
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { reaped } from './child-reaper.js';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Redis } from 'ioredis';
import { openDatabase, type Db } from '../../src/storage/db.js';
import { tempDir } from './app.js';
import { cohortJson } from './cli.js';
import { dialects } from './databases.js';
import { REDIS_URL } from './redis.js';
import { until } from './wait.js';

export { until, within } from './wait.js';

export const BIN = path.resolve('bin/cohort.js');

export interface Proc {
  child: ChildProcess;
  exited: Promise<number | null>;
  output: () => string;
}

export interface CohortCluster {
  /** The Redis key prefix of this run (COHORT_REDIS_PREFIX). */
  readonly prefix: string;
  /** A client of the test Redis (open between open() and close()). */
  readonly redis: Redis;
  /** The database URL ('' for the SQLite file in the data folder). */
  readonly databaseUrl: string;
  /** Provisions the database and connects Redis; `env` is added to every child's environment. */
  open(env?: NodeJS.ProcessEnv): Promise<void>;
  /** Starts `cohort <args>` and waits for `ready` in its output. */
  start(args: string[], env: NodeJS.ProcessEnv, ready: string): Promise<Proc>;
  /** A key for a new workspace (`cohort keys create`), live unless `mode` says test. */
  key(workspace: string, mode?: 'live' | 'test'): Promise<string>;
  /** Opens the shared database in this process (closed by close()). */
  db(): Promise<Db>;
  /** Keys under the prefix matching `pattern` (e.g. 'fg-lease:*'). */
  keys(pattern: string): Promise<string[]>;
  /** SIGKILLs the children still running, deletes the prefix's keys, drops the database. */
  close(): Promise<void>;
}

export function createCohortCluster(): CohortCluster {
  const dir = tempDir('cohort-fg-queue-');
  const prefix = `cohort-test:${Date.now().toString(36)}:${randomBytes(4).toString('hex')}:`;
  const children: Proc[] = [];
  const dbs: Db[] = [];
  let redis: Redis | undefined;
  let env: NodeJS.ProcessEnv = {};
  let databaseUrl = '';
  let drop: (() => Promise<void>) | undefined;

  return {
    prefix,
    get redis() {
      if (!redis) throw new Error('the cluster is not open');
      return redis;
    },
    get databaseUrl() {
      return databaseUrl;
    },

    async open(extra = {}) {
      redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
      const pg = dialects().find((d) => d.kind === 'postgres' && d.unavailable === undefined);
      if (pg) {
        const p = await pg.provision();
        drop = p.drop;
        databaseUrl = p.options.databaseUrl ?? '';
      }
      env = {
        ...process.env,
        COHORT_REDIS_URL: REDIS_URL,
        COHORT_REDIS_PREFIX: prefix,
        COHORT_UPSTREAM_MODEL: 'm',
        COHORT_DATABASE_URL: databaseUrl,
        COHORT_LOG_LEVEL: 'warn',
        COHORT_KEY_CACHE_MS: '0',
        COHORT_SHUTDOWN_GRACE_SECONDS: '1',
        ...extra,
      };
    },

    start(args, extraEnv, ready) {
      const child = reaped(spawn(process.execPath, [BIN, ...args, '--data-dir', dir], { env: { ...env, ...extraEnv } }));
      let out = '';
      child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
      const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
      const proc = { child, exited, output: () => out };
      children.push(proc);
      return until(`'${ready}' from cohort ${args[0]}`, () => out.includes(ready) || child.exitCode !== null, 30_000).then(() => {
        assert.ok(out.includes(ready), out);
        return proc;
      });
    },

    async key(workspace, mode = 'live') {
      // In this process (helpers/cli.ts): a spawnSync would block the event loop the tests' servers need.
      const { key } = await cohortJson<{ key: string }>(
        ['keys', 'create', '--workspace', workspace, '--create-workspace', '--plan', 'pro', ...(mode === 'test' ? ['--test'] : []), '--json', '--data-dir', dir],
        env,
      );
      return key;
    },

    async db() {
      const db = await openDatabase({ dataDir: dir, ...(databaseUrl ? { databaseUrl } : {}) });
      dbs.push(db);
      return db;
    },

    async keys(pattern) {
      if (!redis) throw new Error('the cluster is not open');
      return redis.keys(`${prefix}${pattern}`);
    },

    async close() {
      for (const p of children) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
      await Promise.all(children.map((p) => p.exited));
      await Promise.allSettled(dbs.map((d) => d.destroy()));
      if (redis) {
        let cursor = '0';
        do {
          const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
          if (keys.length) await redis.del(...keys);
          cursor = next;
        } while (cursor !== '0');
        await redis.quit();
      }
      await drop?.();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
