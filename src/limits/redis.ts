/**
 * Limits shared by every server on one Redis: the same exact sliding windows
 * as memory.ts (a sorted set of request times per workspace) and leases for
 * requests in progress. Each call is one Lua script, run atomically by Redis
 * (defined with defineCommand, so it goes over the wire once and then by
 * EVALSHA), so concurrent servers never both take the last request or slot.
 *
 * Keys (all under `prefix`, default `cohort:`):
 *   <prefix>rl:<key>  sorted set, member "<ms>:<unique>", score = request time (ms)
 *   <prefix>cc:<key>  sorted set, member = lease id, score = lease expiry (Redis time, ms)
 * Both expire on their own once idle, and a crashed server's leases lapse
 * after `leaseMs`; a live server renews its leases while it holds them.
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

/** KEYS[1] the leases. ARGV: limit, leaseMs, lease id. Returns 1 when the lease was taken. */
const ACQUIRE_LUA = `${REDIS_NOW_LUA}
local key = KEYS[1]
local lease = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
if redis.call('ZCARD', key) < tonumber(ARGV[1]) then
  redis.call('ZADD', key, now + lease, ARGV[3])
  redis.call('PEXPIRE', key, lease)
  return 1
end
return 0
`;

/** KEYS[1] the leases. ARGV: leaseMs, lease id. Extends a lease still held; returns 1 if it was. */
const RENEW_LUA = `${REDIS_NOW_LUA}
local key = KEYS[1]
local lease = tonumber(ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[2]) then
  redis.call('ZADD', key, 'XX', now + lease, ARGV[2])
  if redis.call('PTTL', key) < lease then redis.call('PEXPIRE', key, lease) end
  return 1
end
return 0
`;

type WindowReply = [number, number, number, string | null, string | null];

interface LimitCommands {
  cohortWindow(key: string, now: string, rpm: string, rpd: string, add: string, member: string, minuteStart: string, dayCutoff: string): Promise<WindowReply>;
  cohortAcquire(key: string, limit: string, leaseMs: string, id: string): Promise<number>;
  cohortRenew(key: string, leaseMs: string, id: string): Promise<number>;
}

/** Defines the scripts on the client once (idempotent) and returns it typed with them. */
function withCommands(redis: Redis): Redis & LimitCommands {
  const r = redis as Redis & Partial<LimitCommands>;
  if (typeof r.cohortWindow !== 'function') redis.defineCommand('cohortWindow', { numberOfKeys: 1, lua: WINDOW_LUA });
  if (typeof r.cohortAcquire !== 'function') redis.defineCommand('cohortAcquire', { numberOfKeys: 1, lua: ACQUIRE_LUA });
  if (typeof r.cohortRenew !== 'function') redis.defineCommand('cohortRenew', { numberOfKeys: 1, lua: RENEW_LUA });
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
  /** How long a lease lasts without renewal: the longest a crashed server's slots stay taken (default 15 min). */
  leaseMs?: number;
  /** How often a held lease is renewed (default leaseMs / 3; 0 never renews). */
  renewMs?: number;
  /** Called when releasing or renewing a lease fails (the lease then lapses by itself). */
  onError?: (err: unknown) => void;
}

export function createRedisConcurrencyLimiter(redis: Redis, options: RedisConcurrencyOptions = {}): ConcurrencyLimiter {
  const client = withCommands(redis);
  const prefix = options.prefix ?? DEFAULT_REDIS_PREFIX;
  const leaseMs = Math.max(1, Math.round(options.leaseMs ?? 15 * 60_000));
  const renewMs = options.renewMs ?? Math.floor(leaseMs / 3);
  const onError = options.onError ?? (() => {});
  const processId = uniquePart();
  let counter = 0;

  return {
    async acquire(key, limit) {
      const redisKey = `${prefix}cc:${key}`;
      const id = `${processId}:${(++counter).toString(36)}`;
      const taken = await unavailable(() => client.cohortAcquire(redisKey, String(limit), String(leaseMs), id));
      if (Number(taken) !== 1) return null;
      let timer: NodeJS.Timeout | undefined;
      if (renewMs > 0) {
        timer = setInterval(() => {
          client.cohortRenew(redisKey, String(leaseMs), id).catch(onError);
        }, renewMs);
        timer.unref();
      }
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        if (timer) clearInterval(timer);
        // Never throws: the caller releases in `finally` blocks; an unreleased lease lapses after leaseMs.
        await client.zrem(redisKey, id).catch(onError);
      };
    },
  };
}
