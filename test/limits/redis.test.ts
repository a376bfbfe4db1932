/**
 * Redis-backed limits against a real Redis at COHORT_TEST_REDIS_URL (default
 * redis://127.0.0.1:6379): the rate and the concurrency limit behaviour checks
 * run against both implementations (memory and Redis), then atomicity under concurrent calls, leases, and two
 * real `cohort serve` processes sharing one Redis (and one database:
 * PostgreSQL when reachable, else one SQLite file).
 *
 * When Redis is unreachable the Redis blocks are skipped with the reason — or
 * fail, when CI is set (helpers/redis.ts). Every key lives under a random prefix, deleted after.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { ConfigError, readConfig } from '../../src/config.js';
import { createMemoryConcurrencyLimiter, createMemoryRateLimiter } from '../../src/limits/memory.js';
import { createRedisConcurrencyLimiter, createRedisRateLimiter } from '../../src/limits/redis.js';
import { type ConcurrencyLimiter, DAY_MS, MINUTE_MS, type RateLimiter, type WindowLimits, type WindowState } from '../../src/limits/types.js';
import { cohortJson } from '../helpers/cli.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/app.js';
import { type CohortProcess, type CohortServer, startCohortServer } from '../helpers/cohort-process.js';
import { dialects } from '../helpers/databases.js';
import { REDIS_URL, redisUnavailable, withRedis } from '../helpers/redis.js';
import { startMockChatUpstream, type MockChatUpstream } from '../helpers/mock-chat-upstream.js';

const PREFIX = `cohort-test:${Date.now().toString(36)}:${randomBytes(4).toString('hex')}:`;
const unavailable = redisUnavailable;

const clients: Redis[] = [];
/** A client of the test Redis, quit after the file. */
function client(): Redis {
  const r = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  r.on('error', () => {});
  clients.push(r);
  return r;
}

after(async () => {
  if (unavailable !== undefined) return;
  const r = client();
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${PREFIX}*`, 'COUNT', 1000);
    if (keys.length) await r.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  await Promise.all(clients.map((c) => c.quit().catch(() => c.disconnect())));
});

const implementations: [string, () => RateLimiter][] = [
  ['memory', () => createMemoryRateLimiter()],
  ['redis', () => createRedisRateLimiter(client(), { prefix: PREFIX })],
];

describe('COHORT_REDIS_URL', () => {
  it('accepts redis:// and rediss:// URLs, rejects others', () => {
    assert.equal(readConfig({}, { COHORT_REDIS_URL: 'redis://127.0.0.1:6379' }).redisUrl, 'redis://127.0.0.1:6379');
    assert.equal(readConfig({}, { COHORT_REDIS_URL: 'rediss://u:p@cache.example.com:6380/2' }).redisUrl, 'rediss://u:p@cache.example.com:6380/2');
    assert.equal('redisUrl' in readConfig({}, {}), false);
    assert.equal('redisUrl' in readConfig({}, { COHORT_REDIS_URL: '' }), false);
    assert.equal(readConfig({}, { COHORT_REDIS_PREFIX: 'prod:' }).redisPrefix, 'prod:');
    for (const bad of ['http://127.0.0.1:6379', '127.0.0.1:6379', 'redis://', 'not a url']) {
      assert.throws(() => readConfig({}, { COHORT_REDIS_URL: bad }), (e) => e instanceof ConfigError && /COHORT_REDIS_URL/.test(e.message), bad);
    }
  });
});

for (const [name, make] of implementations) {
  const block = name === 'redis' ? withRedis : describe;
  block(`rate limit behaviour [${name}]`, () => {
    let now = Date.parse('2026-11-25T12:00:00Z');
    const clock = { now: () => now };
    let s: TestServer;
    before(async () => {
      s = await startTestServer({ clock, rateLimiter: make() });
    });
    after(() => s?.close());
    const post = (key: string) =>
      fetch(`${s.url}/v1/responses`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'mavera-1', input: 'hi' }) });

    it('free plan: 10 per minute, then 429 with exact Retry-After at the minute edge', async () => {
      const start = now;
      const key = (await s.accounts.createKey({ workspace: 'free-ws', mode: 'test', plan: 'free' })).key;
      for (let i = 0; i < 10; i++) {
        const res = await post(key);
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('x-ratelimit-limit'), '10');
        assert.equal(res.headers.get('x-ratelimit-remaining'), String(9 - i));
        assert.equal(res.headers.get('x-ratelimit-remaining-requests'), String(9 - i));
        assert.equal(res.headers.get('x-ratelimit-reset'), String(Math.ceil((start + 60_000) / 1000)));
        now += 1000;
      }
      const res = await post(key);
      assert.equal(res.status, 429);
      assert.equal(((await res.json()) as any).error.code, 'rate_limit_exceeded');
      assert.equal(res.headers.get('retry-after-ms'), '50000');
      assert.equal(res.headers.get('retry-after'), '50');
      assert.equal(res.headers.get('x-ratelimit-remaining'), '0');
      // Reads are not counted (peek) but carry the headers.
      for (let i = 0; i < 3; i++) {
        const list = await fetch(`${s.url}/v1/personas?limit=1`, { headers: { authorization: `Bearer ${key}` } });
        assert.equal(list.status, 200);
        assert.equal(list.headers.get('x-ratelimit-remaining'), '0');
      }
      now += 49_999;
      const early = await post(key);
      assert.equal(early.status, 429, 'one millisecond before the edge');
      assert.equal(early.headers.get('retry-after-ms'), '1');
      now += 1;
      assert.equal((await post(key)).status, 200, 'allowed exactly when Retry-After said');
      const next = await post(key);
      assert.equal(next.status, 429, 'the window is full again');
      assert.equal(next.headers.get('retry-after-ms'), '1000', 'the second request leaves one second later');
    });

    it('reads never count: a fresh workspace keeps its whole window', async () => {
      const key = (await s.accounts.createKey({ workspace: 'peek-ws', mode: 'test', plan: 'free' })).key;
      for (let i = 0; i < 15; i++) {
        const res = await fetch(`${s.url}/v1/personas?limit=1`, { headers: { authorization: `Bearer ${key}` } });
        assert.equal(res.headers.get('x-ratelimit-remaining'), '10');
      }
      const res = await post(key);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-ratelimit-remaining'), '9');
    });

    it('the day window binds after the minute windows refill', async () => {
      const key = (await s.accounts.createKey({ workspace: 'day-ws', mode: 'test', plan: 'free' })).key;
      const start = now;
      for (let i = 0; i < 100; i++) {
        if (i % 10 === 0) now += 61_000;
        assert.equal((await post(key)).status, 200, `request ${i}`);
      }
      now += 61_000;
      const res = await post(key);
      assert.equal(res.status, 429);
      assert.match(((await res.json()) as any).error.message, /100 requests per day/);
      assert.equal(res.headers.get('x-ratelimit-limit'), '100');
      const firstAt = start + 61_000;
      assert.equal(Number(res.headers.get('retry-after-ms')), firstAt + DAY_MS - now);
    });

    it('enterprise custom limits apply', async () => {
      const key = (await s.accounts.createKey({ workspace: 'ent', mode: 'test', plan: 'enterprise' })).key;
      await s.accounts.setPlan('ent', 'enterprise', { rpm: 3, rpd: 5 });
      for (let i = 0; i < 3; i++) assert.equal((await post(key)).status, 200);
      const res = await post(key);
      assert.equal(res.status, 429);
      assert.equal(res.headers.get('x-ratelimit-limit'), '3');
    });
  });
}

/** A small seeded PRNG, so a failing sequence can be replayed. */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

withRedis('redis rate limiter', () => {
  it('returns exactly the memory limiter’s states for the same calls (edges included)', async () => {
    const memory = createMemoryRateLimiter();
    const redis = createRedisRateLimiter(client(), { prefix: PREFIX });
    const limits: WindowLimits = { rpm: 3, rpd: 7 };
    const t0 = Date.parse('2026-11-25T12:00:00Z');
    // [op, offset from t0]: the minute edge (t0 + 60 s exactly frees t0's place), peeks, the day edge.
    const script: ['hit' | 'peek', number][] = [
      ['peek', 0], ['hit', 0], ['hit', 0], ['peek', 1], ['hit', 10], ['hit', 20], ['peek', 30],
      ['hit', MINUTE_MS - 1], ['hit', MINUTE_MS], ['hit', MINUTE_MS], ['hit', MINUTE_MS + 10],
      ['hit', 3 * MINUTE_MS], ['hit', 3 * MINUTE_MS + 1], ['hit', 3 * MINUTE_MS + 2], ['hit', 5 * MINUTE_MS],
      ['peek', 5 * MINUTE_MS], ['hit', DAY_MS - 1], ['hit', DAY_MS], ['peek', DAY_MS], ['hit', DAY_MS + 10], ['hit', 2 * DAY_MS + MINUTE_MS],
    ];
    for (const [i, [op, at]] of script.entries()) {
      const a = await memory[op]('ws:equal', limits, t0 + at);
      const b = await redis[op]('ws:equal', limits, t0 + at);
      assert.deepEqual(b, a, `step ${i}: ${op} at +${at} ms`);
    }
  });

  it('agrees with the memory limiter over a random sequence', async () => {
    const seed = Number(process.env.LIMITS_SEED ?? Date.now() % 100_000);
    const rand = mulberry32(seed);
    const memory = createMemoryRateLimiter();
    const redis = createRedisRateLimiter(client(), { prefix: PREFIX });
    const limits: WindowLimits = { rpm: 5, rpd: 40 };
    let t = Date.parse('2026-11-25T12:00:00Z');
    const seen = { allowed: 0, rejected: 0 };
    for (let i = 0; i < 400; i++) {
      const r = rand();
      t += r < 0.5 ? Math.floor(rand() * 5000) : r < 0.9 ? Math.floor(rand() * 60_000) : Math.floor(rand() * 4 * 3_600_000);
      const op = rand() < 0.8 ? 'hit' : 'peek';
      const a: WindowState = await memory[op]('ws:random', limits, t);
      const b = await redis[op]('ws:random', limits, t);
      assert.deepEqual(b, a, `seed ${seed}, step ${i}: ${op} at ${t}`);
      if (op === 'hit') seen[a.allowed ? 'allowed' : 'rejected']++;
    }
    assert.ok(seen.allowed > 20 && seen.rejected > 20, `the sequence exercised both outcomes (seed ${seed}): ${JSON.stringify(seen)}`);
  });

  it('is atomic: 200 concurrent hits from two connections with rpm=50 → exactly 50 allowed', async () => {
    const limiters = [createRedisRateLimiter(client(), { prefix: PREFIX }), createRedisRateLimiter(client(), { prefix: PREFIX })];
    const now = Date.now();
    const states = await Promise.all(Array.from({ length: 200 }, (_, i) => limiters[i % 2]!.hit('ws:atomic', { rpm: 50, rpd: 10_000 }, now + (i % 7))));
    const allowed = states.filter((s) => s.allowed);
    assert.equal(allowed.length, 50);
    assert.deepEqual(
      allowed.map((s) => s.remaining).sort((a, b) => a - b),
      Array.from({ length: 50 }, (_, i) => i),
      'each allowed request saw a different count',
    );
    for (const s of states.filter((x) => !x.allowed)) assert.ok(s.retryAfterMs > 0 && s.retryAfterMs <= MINUTE_MS);
    const peek = await limiters[0]!.peek('ws:atomic', { rpm: 50, rpd: 10_000 }, now + 10);
    assert.equal(peek.remaining, 0);
    const r = client();
    assert.equal(await r.zcard(`${PREFIX}rl:ws:atomic`), 50, 'rejected requests are not stored');
    const ttl = await r.pttl(`${PREFIX}rl:ws:atomic`);
    assert.ok(ttl > DAY_MS - 60_000 && ttl <= DAY_MS, `the log expires a day after its last request (pttl ${ttl})`);
  });

  it('a Redis outage is a 503 naming the dependency', async () => {
    const dead = new Redis('redis://127.0.0.1:1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: 500 });
    dead.on('error', () => {});
    try {
      const limiter = createRedisRateLimiter(dead, { prefix: PREFIX });
      await assert.rejects(limiter.hit('ws:x', { rpm: 1, rpd: 1 }, Date.now()), (e: any) => e.status === 503 && /Redis/.test(e.message));
    } finally {
      dead.disconnect();
    }
  });
});

/** Each concurrency limiter as two handles on one limit: two Redis connections, or one memory limiter twice. */
const concurrencyImplementations: [string, () => [ConcurrencyLimiter, ConcurrencyLimiter], (key: string) => Promise<number | undefined>][] = [
  [
    'memory',
    () => {
      const memory = createMemoryConcurrencyLimiter();
      return [memory, memory];
    },
    async () => undefined,
  ],
  [
    'redis',
    () => [createRedisConcurrencyLimiter(client(), { prefix: PREFIX }), createRedisConcurrencyLimiter(client(), { prefix: PREFIX })],
    (key) => client().zcard(`${PREFIX}cc:${key}`),
  ],
];

for (const [name, make, leasesHeld] of concurrencyImplementations) {
  const block = name === 'redis' ? withRedis : describe;
  block(`concurrency limit behaviour [${name}]`, () => {
    it('limit 3 with 10 concurrent acquires from two handles → exactly 3; release frees a slot', async () => {
      const limiters = make();
      const got = await Promise.all(Array.from({ length: 10 }, (_, i) => limiters[i % 2]!.acquire('unit:c', 3)));
      const held = got.filter((r) => r !== null);
      assert.equal(held.length, 3);
      assert.equal(await limiters[0]!.acquire('unit:c', 3), null);
      await held[0]!();
      await held[0]!(); // idempotent: must not free a second slot
      const again = await limiters[1]!.acquire('unit:c', 3);
      assert.ok(again, 'the released slot is free');
      assert.equal(await limiters[0]!.acquire('unit:c', 3), null, 'a double release frees one slot only');
      await Promise.all([again, held[1]!, held[2]!].map((r) => r!()));
      const leases = await leasesHeld('unit:c');
      if (leases !== undefined) assert.equal(leases, 0, 'every released lease is gone');
      const next = await limiters[0]!.acquire('unit:c', 3);
      assert.ok(next, 'all slots free again');
      await next();
    });

    it('keys are independent: a full key does not block another', async () => {
      const [limiter] = make();
      const full = await limiter.acquire('unit:k1', 1);
      assert.ok(full);
      assert.equal(await limiter.acquire('unit:k1', 1), null);
      const other = await limiter.acquire('unit:k2', 1);
      assert.ok(other, 'another key has its own slots');
      await Promise.all([full(), other()]);
    });
  });
}

withRedis('redis concurrency limiter', () => {
  it('an expired lease (a crashed server) frees its slot', async () => {
    const crashed = createRedisConcurrencyLimiter(client(), { prefix: PREFIX, leaseMs: 250, renewMs: 0 });
    for (let i = 0; i < 3; i++) assert.ok(await crashed.acquire('unit:e', 3));
    const other = createRedisConcurrencyLimiter(client(), { prefix: PREFIX });
    assert.equal(await other.acquire('unit:e', 3), null);
    await new Promise((r) => setTimeout(r, 350));
    const release = await other.acquire('unit:e', 3);
    assert.ok(release, 'the lapsed leases no longer count');
    await release();
  });

  it('a live holder renews its lease, so a long request keeps its slot', async () => {
    const limiter = createRedisConcurrencyLimiter(client(), { prefix: PREFIX, leaseMs: 300, renewMs: 80 });
    const held = await limiter.acquire('unit:r', 1);
    assert.ok(held);
    await new Promise((r) => setTimeout(r, 800));
    assert.equal(await limiter.acquire('unit:r', 1), null, 'still held after several lease lengths');
    await held();
    const next = await limiter.acquire('unit:r', 1);
    assert.ok(next);
    await next();
  });
});

withRedis('redis concurrency leases of dead processes', () => {
  it('releaseOwners frees a dead owner’s leases at once, on every key, and nobody else’s', async () => {
    const dead = createRedisConcurrencyLimiter(client(), { prefix: PREFIX, owner: 'inst_dead', renewMs: 0 });
    const alive = createRedisConcurrencyLimiter(client(), { prefix: PREFIX, owner: 'inst_alive' });
    for (let i = 0; i < 3; i++) assert.ok(await dead.acquire('own:a', 5));
    assert.ok(await dead.acquire('own:b', 1));
    const mine = await alive.acquire('own:a', 5);
    assert.ok(mine);
    assert.equal(await alive.acquire('own:b', 1), null, 'the dead owner still holds the only slot of b');
    // A prefix of another owner's id does not match: inst_dead must not free inst_dead2's leases.
    const similar = createRedisConcurrencyLimiter(client(), { prefix: PREFIX, owner: 'inst_dead2' });
    assert.ok(await similar.acquire('own:a', 5));
    assert.equal(await alive.releaseOwners(['inst_dead']), 4);
    const r = client();
    assert.deepEqual((await r.zrange(`${PREFIX}cc:own:a`, '0', '-1')).map((m) => m.replace(/:[0-9a-z]+$/, '')).sort(), ['inst_alive', 'inst_dead2']);
    assert.equal(await r.exists(`${PREFIX}cc-own:inst_dead`), 0, 'the owner’s index is gone');
    const b = await alive.acquire('own:b', 1);
    assert.ok(b, 'b’s slot is free');
    assert.equal(await alive.releaseOwners(['inst_dead']), 0, 'releasing again frees nothing');
    await Promise.all([mine, b].map((release) => release!()));
    assert.deepEqual(await r.smembers(`${PREFIX}cc-own:inst_alive`), [], 'an owner holding nothing indexes no key');
  });

  it('a lease lasts leaseMs from its last renewal, which covers every lease of the process', async () => {
    const limiter = createRedisConcurrencyLimiter(client(), { prefix: PREFIX, owner: 'inst_ttl', leaseMs: 60_000, renewMs: 0 });
    const held = await limiter.acquire('own:ttl', 2);
    assert.ok(held);
    const r = client();
    const [id, expiry] = (await r.zrange(`${PREFIX}cc:own:ttl`, '0', '-1', 'WITHSCORES')) as [string, string];
    assert.match(id, /^inst_ttl:/);
    const [sec, micro] = await r.time();
    const redisNow = Number(sec) * 1000 + Math.floor(Number(micro) / 1000);
    assert.ok(Number(expiry) > redisNow + 55_000 && Number(expiry) <= redisNow + 60_000, `expires ${Number(expiry) - redisNow} ms from now`);
    const ttl = await r.pttl(`${PREFIX}cc-own:inst_ttl`);
    assert.ok(ttl > 55_000 && ttl <= 60_000, `the owner index lives as long (pttl ${ttl})`);
    await held();
  });
});

// ---------------------------------------------------------------------------
// Two real server processes on one Redis and one database.

/** Builds dist/ when it is missing or older than the sources this file tests. */
function ensureBuilt(): void {
  const pairs = [
    ['src/limits/redis.ts', 'dist/limits/redis.js'],
    ['src/bootstrap.ts', 'dist/bootstrap.js'],
    ['src/config.ts', 'dist/config.js'],
  ] as const;
  const stale = pairs.some(([src, out]) => !fs.existsSync(out) || fs.statSync(out).mtimeMs < fs.statSync(src).mtimeMs);
  if (!stale) return;
  const r = spawnSync('npm', ['run', 'build'], { encoding: 'utf8' });
  assert.equal(r.status, 0, `npm run build failed:\n${r.stdout}\n${r.stderr}`);
}

type Served = CohortServer;

withRedis('two server processes on one Redis', () => {
  const dir = tempDir('cohort-redis-');
  let env: NodeJS.ProcessEnv = {};
  let drop: (() => Promise<void>) | undefined;
  let database = '';
  let upstream: MockChatUpstream;
  const servers: CohortProcess[] = [];

  const cli = (...args: string[]) => cohortJson([...args, '--data-dir', dir], env);

  const serve = (extraEnv: NodeJS.ProcessEnv = {}): Promise<Served> => startCohortServer({ dataDir: dir, env: { ...env, ...extraEnv }, into: servers });

  let a: Served;
  let b: Served;

  before(async () => {
    ensureBuilt();
    upstream = await startMockChatUpstream();
    // PostgreSQL when reachable (the multi-server setup), else both processes on one SQLite file.
    const pg = dialects().find((d) => d.kind === 'postgres' && d.unavailable === undefined);
    let databaseUrl: string | undefined;
    if (pg) {
      const p = await pg.provision();
      drop = p.drop;
      databaseUrl = p.options.databaseUrl;
    }
    database = databaseUrl ? 'postgres' : 'sqlite';
    env = {
      ...process.env,
      COHORT_REDIS_URL: REDIS_URL,
      COHORT_REDIS_PREFIX: PREFIX,
      COHORT_UPSTREAM_URL: upstream.url,
      COHORT_UPSTREAM_MODEL: 'm',
      COHORT_DATABASE_URL: databaseUrl ?? '',
      COHORT_LOG_LEVEL: 'warn',
      COHORT_SHUTDOWN_GRACE_SECONDS: '2',
    };
    // Migrate and create the first workspace before two servers start on the database.
    await cli('keys', 'create', '--workspace', 'boot', '--create-workspace', '--plan', 'free', '--test', '--json');
    a = await serve();
    b = await serve();
  });

  after(async () => {
    for (const s of servers) if (s.child.exitCode === null) s.child.kill('SIGTERM');
    await Promise.all(servers.map((s) => Promise.race([s.exited, new Promise((r) => setTimeout(r, 5000))])));
    for (const s of servers) if (s.child.exitCode === null) s.child.kill('SIGKILL');
    await upstream?.close();
    await drop?.();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const post = (server: Served, key: string, input = 'hi') =>
    fetch(`${server.url}/v1/responses`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'mavera-1', input }) });
  const credits = async (server: Served, key: string) => (await (await fetch(`${server.url}/v1/credits`, { headers: { authorization: `Bearer ${key}` } })).json()) as { balance: number; held: number };

  it('both are ready (database and Redis)', async () => {
    for (const s of [a, b]) {
      const res = await fetch(`${s.url}/ready`);
      assert.equal(res.status, 200, await res.text());
    }
  });

  interface Reply {
    status: number;
    /** For 429s: which limit refused it. */
    limit?: 'rate' | 'concurrency';
    retryAfter: string | null;
    remaining: string | null;
  }

  /** Sends `n` requests alternating between the two processes, at most `inFlight` at a time. */
  async function fire(key: string, n: number, inFlight = n): Promise<Reply[]> {
    const replies: Reply[] = [];
    let next = 0;
    const worker = async () => {
      while (next < n) {
        const i = next++;
        const res = await post(i % 2 ? b : a, key);
        const body = (await res.json()) as any;
        replies[i] = {
          status: res.status,
          ...(res.status === 429 ? { limit: /in progress/.test(body.error.message) ? ('concurrency' as const) : ('rate' as const) } : {}),
          retryAfter: res.headers.get('retry-after'),
          remaining: res.headers.get('x-ratelimit-remaining'),
        };
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
    return replies;
  }

  it('share one rate limit: 30 requests alternating between the processes → exactly 10 succeed in total', async (t) => {
    t.diagnostic(`database: ${database}`);
    const { key } = await cli('keys', 'create', '--workspace', 'shared-rpm', '--create-workspace', '--plan', 'free', '--test', '--json');
    // 5 in flight: the free plan's concurrency, so only the request windows refuse.
    const replies = await fire(key, 30, 5);
    const summary = JSON.stringify(replies.map((r) => r.limit ?? r.status));
    const ok = replies.filter((r) => r.status === 200);
    const limited = replies.filter((r) => r.status === 429 && r.limit === 'rate');
    assert.equal(ok.length, 10, summary);
    assert.equal(limited.length, 20, summary);
    for (const r of limited) assert.ok(Number(r.retryAfter) >= 1 && Number(r.retryAfter) <= 60, `retry-after ${r.retryAfter}`);
    assert.deepEqual(ok.map((r) => Number(r.remaining)).sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // Either process now refuses the workspace.
    for (const s of [a, b]) assert.equal((await post(s, key)).status, 429);
  });

  it('a burst of 30 at once: the shared windows let exactly 10 through, the other 20 get 429 with Retry-After', async () => {
    const { key } = await cli('keys', 'create', '--workspace', 'shared-burst', '--create-workspace', '--plan', 'free', '--test', '--json');
    const replies = await fire(key, 30);
    const summary = JSON.stringify(replies.map((r) => r.limit ?? r.status));
    const rate = replies.filter((r) => r.limit === 'rate');
    assert.equal(rate.length, 20, summary);
    for (const r of rate) assert.ok(Number(r.retryAfter) >= 1 && Number(r.retryAfter) <= 60, `retry-after ${r.retryAfter}`);
    // The 10 let through either ran or met the plan's 5-at-once concurrency limit (shared too).
    const ok = replies.filter((r) => r.status === 200).length;
    assert.equal(ok + replies.filter((r) => r.limit === 'concurrency').length, 10, summary);
    assert.ok(ok >= 5, summary);
  });

  it('share one concurrency limit: 8 slow requests on a free workspace (5 at once) → exactly 5 run', async () => {
    const { key } = await cli('keys', 'create', '--workspace', 'shared-conc', '--create-workspace', '--plan', 'free', '--json');
    upstream.setFallback({ type: 'stream', content: ['slow ', 'answer'], delayMs: 400 });
    const statuses = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const res = await post(i % 2 ? b : a, key);
        const body = (await res.json()) as any;
        return res.status === 429 ? `429:${body.error.message.includes('in progress') ? 'concurrency' : 'rate'}` : String(res.status);
      }),
    );
    assert.equal(statuses.filter((s) => s === '200').length, 5, statuses.join(','));
    assert.equal(statuses.filter((s) => s === '429:concurrency').length, 3, statuses.join(','));
    upstream.setFallback({ type: 'stream', content: ['ok'] });
    assert.equal((await post(b, key)).status, 200, 'the slots are released when the responses finish');
    assert.equal(await leasesHeld(), 0, 'no lease left behind');
  });

  /** Leases held by the servers, summed over every workspace. */
  async function leasesHeld(): Promise<number> {
    const r = client();
    let total = 0;
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${PREFIX}cc:responses:*`, 'COUNT', 1000);
      for (const k of keys) total += await r.zcard(k);
      cursor = next;
    } while (cursor !== '0');
    return total;
  }

  it('concurrent live requests on both processes never overdraw a small balance', async (t) => {
    const { key } = await cli('keys', 'create', '--workspace', 'small-balance', '--create-workspace', '--plan', 'pro', '--json');
    const shown = await cli('credits', 'show', '--workspace', 'small-balance', '--json');
    await cli('credits', 'adjust', '--workspace', 'small-balance', `--amount=${7 - shown.balance}`, '--reason', 'test', '--json');
    upstream.setFallback({ type: 'stream', content: ['an ', 'answer'], delayMs: 50 });
    const start = await credits(a, key);
    assert.equal(start.balance, 7);
    let used = 0;
    let succeeded = 0;
    let refused = 0;
    for (let wave = 0; wave < 6; wave++) {
      const replies = await Promise.all(
        Array.from({ length: 10 }, async (_, i) => {
          const res = await post(i % 2 ? b : a, key);
          return { status: res.status, body: (await res.json()) as any };
        }),
      );
      for (const r of replies) {
        if (r.status === 200) {
          succeeded++;
          used += r.body.usage.credits_used;
        } else {
          assert.equal(r.status, 402, JSON.stringify(r.body));
          assert.equal(r.body.error.code, 'credits_exhausted');
          refused++;
        }
      }
      const mid = await credits(wave % 2 ? a : b, key);
      assert.ok(mid.balance >= 0, `balance ${mid.balance}`);
    }
    const end = await credits(b, key);
    assert.ok(end.balance >= 0, `balance ${end.balance}`);
    assert.equal(end.held, 0);
    assert.equal(start.balance - end.balance, used, 'the credits used add up to the balance change');
    t.diagnostic(`balance 7 → ${end.balance}: ${succeeded} succeeded using ${used} credits, ${refused} refused with 402`);
    assert.ok(succeeded >= 2 && refused > 0, `succeeded ${succeeded}, refused ${refused}`);
  });

  it('without its Redis a server is not ready and refuses counted requests with 503, not 500', async () => {
    const { key } = await cli('keys', 'create', '--workspace', 'no-redis', '--create-workspace', '--plan', 'free', '--test', '--json');
    const lost = await serve({ COHORT_REDIS_URL: 'redis://127.0.0.1:1' });
    const ready = await fetch(`${lost.url}/ready`);
    assert.equal(ready.status, 503);
    assert.match(((await ready.json()) as any).error.message, /Redis/);
    assert.equal((await fetch(`${lost.url}/health`)).status, 200, 'the database is fine');
    const res = await post(lost, key);
    assert.equal(res.status, 503);
    assert.match(((await res.json()) as any).error.message, /Redis/);
    lost.child.kill('SIGTERM');
    assert.equal(await lost.exited, 0);
  });

  it('SIGTERM shuts both down cleanly (the Redis client is quit)', async () => {
    for (const s of [a, b]) s.child.kill('SIGTERM');
    assert.deepEqual(await Promise.all([a.exited, b.exited]), [0, 0]);
  });
});
