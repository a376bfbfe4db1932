/**
 * Concurrency slots held in Redis by a process that is SIGKILLed come back —
 * real `cohort serve` processes, real Redis, one database (PostgreSQL when
 * reachable, else one SQLite file):
 * - a server that dies and is not restarted: its leases lapse with its
 *   heartbeat (COHORT_HEARTBEAT_MS=1000 here: 3 s), and the surviving server
 *   reaps them when it finds the instance dead;
 * - a --workers worker that dies: the primary starts it again under the same
 *   name, and the new worker frees its predecessor's leases as it starts —
 *   long before a 30 s lapse (the default heartbeat here).
 * Before, leases lasted 15 minutes: a killed server left half a workspace's
 * slots taken. (dist/ is built by `npm test`.)
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { after, before, it } from 'node:test';
import { Redis } from 'ioredis';
import { until, within } from '../helpers/wait.js';
import { cohortJson } from '../helpers/cli.js';
import { tempDir } from '../helpers/app.js';
import { type CohortProcess, type CohortServer, startCohortServer } from '../helpers/cohort-process.js';
import { dialects } from '../helpers/databases.js';
import { startMockChatUpstream, type MockChatUpstream } from '../helpers/mock-chat-upstream.js';
import { REDIS_URL, withRedis } from '../helpers/redis.js';

const PREFIX = `cohort-test:${Date.now().toString(36)}:${randomBytes(4).toString('hex')}:`;

/** The pids of `pid`'s children (a --workers primary's workers). */
const childPids = (pid: number): number[] => {
  try {
    return fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
};

type Served = CohortServer;

/** A streaming request held open by the upstream; `status` once admitted or refused, `stop` ends it. */
interface Held {
  status: Promise<number>;
  stop(): void;
}

withRedis('concurrency slots of a SIGKILLed process', () => {
  const dir = tempDir('cohort-leases-');
  let upstream: MockChatUpstream;
  let redis: Redis;
  let env: NodeJS.ProcessEnv = {};
  let drop: (() => Promise<void>) | undefined;
  const children: CohortProcess[] = [];

  const cli = (...args: string[]) => cohortJson([...args, '--data-dir', dir], env);

  const serve = (args: string[] = [], extraEnv: NodeJS.ProcessEnv = {}): Promise<Served> => startCohortServer({ dataDir: dir, env: { ...env, ...extraEnv }, args, into: children });

  function hold(server: Served, key: string): Held {
    const controller = new AbortController();
    const status = fetch(`${server.url}/v1/responses`, {
      method: 'POST',
      // A new connection each: under --workers the kernel hands them to the workers in turn.
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', connection: 'close' },
      body: JSON.stringify({ model: 'mavera-1', input: 'hi', stream: true }),
      signal: controller.signal,
    }).then(
      async (res) => {
        if (res.status !== 200) await res.arrayBuffer();
        else void res.body!.pipeTo(new WritableStream()).catch(() => {});
        return res.status;
      },
      () => 0, // the connection dropped (its process was killed)
    );
    return { status, stop: () => controller.abort() };
  }

  /** The leases held in Redis, over every workspace. */
  async function leaseIds(): Promise<string[]> {
    const ids: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}cc:responses:*`, 'COUNT', 1000);
      for (const k of keys) ids.push(...(await redis.zrange(k, '0', '-1')));
      cursor = next;
    } while (cursor !== '0');
    return ids;
  }
  const leases = async () => (await leaseIds()).length;

  /** All `n` slots of the workspace can be taken at once on `server`, and not one more. */
  async function allSlotsUsable(server: Served, key: string, n: number): Promise<void> {
    const held = Array.from({ length: n }, () => hold(server, key));
    try {
      assert.deepEqual(await within(`${n} streams admitted`, Promise.all(held.map((h) => h.status)), 20_000), Array(n).fill(200), `all ${n} slots are usable`);
      assert.equal(await within('one more refused', hold(server, key).status, 20_000), 429, 'and the limit still holds');
    } finally {
      for (const h of held) h.stop();
    }
    await until('the slots released', async () => (await leases()) === 0, 10_000);
  }

  before(async () => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    upstream = await startMockChatUpstream();
    upstream.setFallback({ type: 'stream', content: ['thinking '], hang: true });
    const pg = dialects().find((d) => d.kind === 'postgres' && d.unavailable === undefined);
    let databaseUrl = '';
    if (pg) {
      const p = await pg.provision();
      drop = p.drop;
      databaseUrl = p.options.databaseUrl ?? '';
    }
    env = {
      ...process.env,
      COHORT_REDIS_URL: REDIS_URL,
      COHORT_REDIS_PREFIX: PREFIX,
      COHORT_UPSTREAM_URL: upstream.url,
      COHORT_UPSTREAM_MODEL: 'm',
      COHORT_DATABASE_URL: databaseUrl,
      COHORT_LOG_LEVEL: 'warn',
      COHORT_SHUTDOWN_GRACE_SECONDS: '1',
      COHORT_KEY_CACHE_MS: '0',
    };
    await cli('keys', 'create', '--workspace', 'boot', '--create-workspace', '--plan', 'free', '--test', '--json');
  });

  after(async () => {
    for (const s of children) {
      if (s.child.exitCode !== null || s.child.signalCode !== null) continue;
      // A --workers primary's workers first: killed alone, they would outlive it holding upstream streams.
      for (const pid of childPids(s.child.pid!)) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      s.child.kill('SIGKILL');
    }
    await within('the servers exited', Promise.all(children.map((s) => s.exited)), 10_000);
    if (upstream) await within('the upstream closed', upstream.close(), 10_000);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    await redis.quit();
    await drop?.();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a server killed while holding every slot: within its heartbeat lapse all slots are usable on the other', async () => {
    const heartbeat = { COHORT_HEARTBEAT_MS: '1000' };
    const a = await serve([], heartbeat);
    const b = await serve([], heartbeat);
    // The pro plan: 20 at once, and 60 a minute leave room for the requests below.
    const { key } = await cli('keys', 'create', '--workspace', 'killed-server', '--create-workspace', '--plan', 'pro', '--json');
    const held = Array.from({ length: 20 }, () => hold(a, key));
    assert.deepEqual(await within('20 streams admitted', Promise.all(held.map((h) => h.status)), 20_000), Array(20).fill(200));
    assert.equal(await within('one more refused', hold(b, key).status, 20_000), 429, 'the other server sees the 20 slots taken');
    assert.equal(await leases(), 20);
    a.child.kill('SIGKILL');
    await within('the killed server exited', a.exited, 10_000);
    // 3 heartbeats of silence (3 s), plus one beat of the survivor to notice, plus slack.
    await until('the dead server’s leases are gone', async () => (await leases()) === 0, 3000 + 1000 + 2000);
    await allSlotsUsable(b, key, 20);
    b.child.kill('SIGTERM');
    assert.equal(await within('the server stopped on SIGTERM', b.exited, 20_000), 0, b.output());
  });

  // Aborting the held streams makes Node.js 22 and 24's fetch open spare connections at once,
  // as the worker dies: the one the primary handed to the dead worker used to stay open with
  // nobody to answer, and a request sent into it later got no reply (cli/worker-handoffs.ts).
  it('a --workers worker killed while holding slots: its restarted successor frees them as it starts', async () => {
    // A 60 s heartbeat (a 180 s lapse): only the successor's reaping at start can free the
    // slots within the waits below, however slowly a loaded machine starts the worker.
    const server = await serve(['--workers', '2'], { COHORT_HEARTBEAT_MS: '60000' });
    const { key } = await cli('keys', 'create', '--workspace', 'killed-worker', '--create-workspace', '--plan', 'pro', '--json');
    const held = Array.from({ length: 20 }, () => hold(server, key));
    assert.deepEqual(await within('20 streams admitted', Promise.all(held.map((h) => h.status)), 20_000), Array(20).fill(200));
    const workers = childPids(server.child.pid!);
    assert.equal(workers.length, 2);
    const owners = new Set((await leaseIds()).map((m) => m.replace(/:[0-9a-z]+$/, '')));
    assert.equal(owners.size, 2, 'both workers hold slots');
    process.kill(workers[0]!, 'SIGKILL');
    // The survivor's clients leave too; their slots are released as usual.
    for (const h of held) h.stop();
    await until('the worker restarted', () => /worker \d exited \(SIGKILL\); starting it again/.test(server.output()), 30_000);
    // Well before the lapse: the successor (same name) reaps its predecessor at start.
    await until('the killed worker’s leases are gone', async () => (await leases()) === 0, 40_000);
    await allSlotsUsable(server, key, 20);
    server.child.kill('SIGTERM');
    assert.equal(await within('the server stopped on SIGTERM', server.exited, 20_000), 0, server.output());
  });
});
