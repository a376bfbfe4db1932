/**
 * Limits shared by every server on one Redis: the same exact sliding windows
 * as memory.ts (a sorted set of request times per workspace) and leases for
 * requests in progress. Each call is one Lua script, run atomically by Redis
 * (defined with defineCommand, so it goes over the wire once and then by
 * EVALSHA), so concurrent servers never both take the last request or slot.
 *
 * Keys (all under `prefix`, default `cohort:`):
 *   <prefix>rl:<key>        sorted set, member "<ms>:<unique>", score = request time (ms)
 *   <prefix>cc:<key>        sorted set, member "<owner>:<n>" (a lease), score = its expiry (Redis time, ms)
 *   <prefix>cc-own:<owner>  set of the cc: keys where `owner` holds or held leases
 * All expire on their own once idle.
 *
 * A lease lasts `leaseMs` (default 30 s) unless renewed: a live server renews
 * all the leases it holds at once every `renewMs` (its heartbeat), so a
 * crashed server's slots come back within one lease, not after the longest
 * request. And when the instances store finds a process dead (its heartbeat
 * lapsed, or its successor under the same name started: instances-store.ts),
 * `releaseOwners` frees that owner's leases at once.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ApiError } from '../errors/api-error.js';
import { windowState } from './memory.js';
import { DAY_MS, MINUTE_MS, type ConcurrencyLimiter, type RateLimiter, type WindowLimits } from './types.js';

export const DEFAULT_REDIS_PREFIX = 'cohort:';

/**
 * KEYS[1] the log. ARGV: now, rpm, rpd, add (1/0), member, now − minute, now − day.
 * Prunes times ≤ now − day, counts the minute (> now − minute) and day windows,
 * adds `member` at `now` when asked and both windows allow it.
 * Returns [added, minuteCount, dayCount, oldestMinute|false, oldestDay|false].
 */
const WINDOW_LUA = `
local key = KEYS[1]
local rpm = tonumber(ARGV[2])
local rpd = tonumber(ARGV[3])
local minuteStart = '(' .. ARGV[6]
redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[7])
local day = redis.call('ZCARD', key)
local minute = redis.call('ZCOUNT', key, minuteStart, '+inf')
local added = 0
if ARGV[4] == '1' and minute < rpm and day < rpd then
  redis.call('ZADD', key, ARGV[1], ARGV[5])
  redis.call('PEXPIRE', key, ${DAY_MS})
  added = 1
  minute = minute + 1
  day = day + 1
end
local oldestDay = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
local oldestMinute = redis.call('ZRANGEBYSCORE', key, minuteStart, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
return { added, minute, day, oldestMinute[2] or false, oldestDay[2] or false }
`;

/** Redis's own clock in ms, so leases of servers with skewed clocks agree. */
const REDIS_NOW_LUA = `
if redis.replicate_commands then pcall(redis.replicate_commands) end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/** KEYS[1] the leases, KEYS[2] the owner's keys. ARGV: limit, leaseMs, lease id. Returns 1 when the lease was taken. */
const ACQUIRE_LUA = `${REDIS_NOW_LUA}
local lease = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + lease, ARGV[3])
  if redis.call('PTTL', KEYS[1]) < lease then redis.call('PEXPIRE', KEYS[1], lease) end
  redis.call('SADD', KEYS[2], KEYS[1])
  if redis.call('PTTL', KEYS[2]) < lease then redis.call('PEXPIRE', KEYS[2], lease) end
  return 1
end
return 0
`;

/** KEYS[1] the leases, KEYS[2] the owner's keys. ARGV: leaseMs, lease ids… Extends the leases still held; returns how many were. */
const RENEW_LUA = `${REDIS_NOW_LUA}
local lease = tonumber(ARGV[1])
local held = 0
for i = 2, #ARGV do
  if redis.call('ZSCORE', KEYS[1], ARGV[i]) then
    redis.call('ZADD', KEYS[1], 'XX', now + lease, ARGV[i])
    held = held + 1
  end
end
if held > 0 then
  if redis.call('PTTL', KEYS[1]) < lease then redis.call('PEXPIRE', KEYS[1], lease) end
  redis.call('SADD', KEYS[2], KEYS[1])
  if redis.call('PTTL', KEYS[2]) < lease then redis.call('PEXPIRE', KEYS[2], lease) end
end
return held
`;

/** Removes from KEYS[1] the members starting with ARGV[1] (an owner's "<owner>:"); returns how many. */
const DROP_PREFIX_LUA = `
local n = 0
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if string.sub(m, 1, #ARGV[1]) == ARGV[1] then
    redis.call('ZREM', KEYS[1], m)
    n = n + 1
  end
end
return n
`;

/** KEYS[1] the leases, KEYS[2] the owner's keys. ARGV: lease id, "<owner>:". Releases the lease; forgets the key when the owner holds no other there. */
const RELEASE_LUA = `
redis.call('ZREM', KEYS[1], ARGV[1])
for _, m in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if string.sub(m, 1, #ARGV[2]) == ARGV[2] then return 1 end
end
redis.call('SREM', KEYS[2], KEYS[1])
return 1
`;

type WindowReply = [number, number, number, string | null, string | null];

interface LimitCommands {
  cohortWindow(key: string, now: string, rpm: string, rpd: string, add: string, member: string, minuteStart: string, dayCutoff: string): Promise<WindowReply>;
  cohortAcquire(key: string, ownerKey: string, limit: string, leaseMs: string, id: string): Promise<number>;
  cohortRenew(key: string, ownerKey: string, leaseMs: string, ...ids: string[]): Promise<number>;
  cohortRelease(key: string, ownerKey: string, id: string, ownerPrefix: string): Promise<number>;
  cohortDropPrefix(key: string, prefix: string): Promise<number>;
}

/** Defines the scripts on the client once (idempotent) and returns it typed with them. */
function withCommands(redis: Redis): Redis & LimitCommands {
  const r = redis as Redis & Partial<LimitCommands>;
  if (typeof r.cohortWindow !== 'function') redis.defineCommand('cohortWindow', { numberOfKeys: 1, lua: WINDOW_LUA });
  if (typeof r.cohortAcquire !== 'function') redis.defineCommand('cohortAcquire', { numberOfKeys: 2, lua: ACQUIRE_LUA });
  if (typeof r.cohortRenew !== 'function') redis.defineCommand('cohortRenew', { numberOfKeys: 2, lua: RENEW_LUA });
  if (typeof r.cohortRelease !== 'function') redis.defineCommand('cohortRelease', { numberOfKeys: 2, lua: RELEASE_LUA });
  if (typeof r.cohortDropPrefix !== 'function') redis.defineCommand('cohortDropPrefix', { numberOfKeys: 1, lua: DROP_PREFIX_LUA });
  return redis as Redis & LimitCommands;
}

/** A Redis failure becomes a 503 that names the dependency, not an anonymous 500. */
async function unavailable<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (err) {
    throw new ApiError('service_unavailable', 'The request limits store (Redis) is not reachable. Retry shortly.', { cause: err, headers: { 'retry-after': '1' } });
  }
}

export interface RedisLimiterOptions {
  /** Prepended to every key (default `cohort:`), so several deployments or test runs can share a Redis. */
  prefix?: string;
}

const uniquePart = () => randomBytes(6).toString('hex');

export function createRedisRateLimiter(redis: Redis, options: RedisLimiterOptions = {}): RateLimiter {
  const client = withCommands(redis);
  const prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
  const processId = uniquePart();
  let counter = 0;

  async function run(key: string, limits: WindowLimits, now: number, add: boolean) {
    const member = add ? `${now}:${processId}:${(++counter).toString(36)}` : '';
    const [added, minute, day, oldestMinute, oldestDay] = await unavailable(() =>
      client.cohortWindow(`${prefix}rl:${key}`, String(now), String(limits.rpm), String(limits.rpd), add ? '1' : '0', member, String(now - MINUTE_MS), String(now - DAY_MS)),
    );
    const state = windowState(
      { minute: Number(minute), day: Number(day) },
      { ...(oldestMinute !== null ? { minute: Number(oldestMinute) } : {}), ...(oldestDay !== null ? { day: Number(oldestDay) } : {}) },
      limits,
      now,
    );
    // Like memory.ts: a counted request is allowed even when it took the window's last place.
    return added === 1 ? { ...state, allowed: true, retryAfterMs: 0 } : state;
  }

  return {
    hit: (key, limits, now) => run(key, limits, now, true),
    peek: (key, limits, now) => run(key, limits, now, false),
  };
}

export interface RedisConcurrencyOptions extends RedisLimiterOptions {
  /**
   * Who holds the leases: this process's instance id (instances-store.ts), so that the
   * process that finds it dead can release them (`releaseOwners`). Default: a random id.
   */
  owner?: string;
  /** How long a lease lasts without renewal: the longest a crashed server's slots stay taken (default 30 s). */
  leaseMs?: number;
  /** How often this process renews every lease it holds, in one round (default leaseMs / 3; 0 never renews). */
  renewMs?: number;
  /** Called when releasing or renewing a lease fails, or a lease lapsed before its renewal (it then counts no more). */
  onError?: (err: unknown) => void;
}

export interface RedisConcurrencyLimiter extends ConcurrencyLimiter {
  /** Frees every lease of these owners (dead processes); resolves to how many there were. */
  releaseOwners(owners: readonly string[]): Promise<number>;
}

export const DEFAULT_LEASE_MS = 30_000;

export function createRedisConcurrencyLimiter(redis: Redis, options: RedisConcurrencyOptions = {}): RedisConcurrencyLimiter {
  const client = withCommands(redis);
  const prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
  const leaseMs = Math.max(1, Math.round(options.leaseMs ?? DEFAULT_LEASE_MS));
  const renewMs = options.renewMs ?? Math.floor(leaseMs / 3);
  const onError = options.onError ?? (() => {});
  const owner = options.owner ?? uniquePart();
  const ownerKey = (o: string) => `${prefix}cc-own:${o}`;
  const mine = ownerKey(owner);
  let counter = 0;
  /** The leases this process holds, by Redis key: renewed together, one script call per key. */
  const held = new Map<string, Set<string>>();
  let timer: NodeJS.Timeout | undefined;

  const renewAll = (): void => {
    for (const [key, ids] of held) {
      const list = [...ids];
      client.cohortRenew(key, mine, String(leaseMs), ...list).then((n) => {
        if (Number(n) < list.length) onError(new Error(`${list.length - Number(n)} concurrency lease(s) lapsed before their renewal: this process was silent longer than ${leaseMs} ms`));
      }, onError);
    }
  };
  const hold = (key: string, id: string): void => {
    let ids = held.get(key);
    if (!ids) held.set(key, (ids = new Set()));
    ids.add(id);
    if (!timer && renewMs > 0) {
      timer = setInterval(renewAll, renewMs);
      timer.unref();
    }
  };
  const drop = (key: string, id: string): void => {
    const ids = held.get(key);
    ids?.delete(id);
    if (ids?.size === 0) held.delete(key);
    if (held.size === 0 && timer) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  return {
    async acquire(key, limit) {
      const redisKey = `${prefix}cc:${key}`;
      const id = `${owner}:${(++counter).toString(36)}`;
      const taken = await unavailable(() => client.cohortAcquire(redisKey, mine, String(limit), String(leaseMs), id));
      if (Number(taken) !== 1) return null;
      hold(redisKey, id);
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        drop(redisKey, id);
        // Never throws: the caller releases in `finally` blocks; an unreleased lease lapses after leaseMs.
        await client.cohortRelease(redisKey, mine, id, `${owner}:`).catch(onError);
      };
    },

    async releaseOwners(owners) {
      let freed = 0;
      for (const o of owners) {
        if (o === owner) continue;
        const keys = await unavailable(() => client.smembers(ownerKey(o)));
        for (const key of keys) freed += Number(await unavailable(() => client.cohortDropPrefix(key, `${o}:`)));
        await client.del(ownerKey(o)).catch(onError);
      }
      return freed;
    },
  };
}
