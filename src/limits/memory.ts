/**
 * In-process limits: exact sliding windows (a log of request times per
 * workspace, pruned as it slides) and counters of requests in progress.
 */
import { DAY_MS, MINUTE_MS, type ConcurrencyLimiter, type RateLimiter, type WindowLimits, type WindowState } from './types.js';

/** A sorted log of timestamps, pruned from the front. */
class Log {
  private times: number[] = [];
  private start = 0;

  prune(before: number): void {
    while (this.start < this.times.length && this.times[this.start]! <= before) this.start++;
    if (this.start > 1024 && this.start * 2 > this.times.length) {
      this.times = this.times.slice(this.start);
      this.start = 0;
    }
  }

  count(after: number): number {
    // Binary search for the first time > after.
    let lo = this.start;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.times[mid]! <= after) lo = mid + 1;
      else hi = mid;
    }
    return this.times.length - lo;
  }

  /** The n-th oldest time after `after` (0-based). */
  nth(after: number, n: number): number | undefined {
    const total = this.count(after);
    return this.times[this.times.length - total + n];
  }

  push(t: number): void {
    this.times.push(t);
  }

  get size(): number {
    return this.times.length - this.start;
  }
}

export function windowState(counts: { minute: number; day: number }, oldest: { minute?: number; day?: number }, limits: WindowLimits, now: number): WindowState {
  const minuteLeft = limits.rpm - counts.minute;
  const dayLeft = limits.rpd - counts.day;
  const minuteReset = oldest.minute !== undefined ? oldest.minute + MINUTE_MS : now + MINUTE_MS;
  const dayReset = oldest.day !== undefined ? oldest.day + DAY_MS : now + DAY_MS;
  const binding = dayLeft < minuteLeft ? 'day' : 'minute';
  const allowed = minuteLeft > 0 && dayLeft > 0;
  const retryAfterMs = allowed ? 0 : Math.max(1, Math.max(minuteLeft > 0 ? 0 : minuteReset - now, dayLeft > 0 ? 0 : dayReset - now));
  return {
    allowed,
    window: binding,
    limit: binding === 'day' ? limits.rpd : limits.rpm,
    remaining: Math.max(0, binding === 'day' ? dayLeft : minuteLeft),
    resetAt: binding === 'day' ? dayReset : minuteReset,
    retryAfterMs,
  };
}

export function createMemoryRateLimiter(): RateLimiter {
  const logs = new Map<string, Log>();
  const state = (log: Log, limits: WindowLimits, now: number) => {
    log.prune(now - DAY_MS);
    const counts = { minute: log.count(now - MINUTE_MS), day: log.size };
    const oldestMinute = log.nth(now - MINUTE_MS, 0);
    const oldestDay = log.nth(now - DAY_MS, 0);
    return windowState(counts, { ...(oldestMinute !== undefined ? { minute: oldestMinute } : {}), ...(oldestDay !== undefined ? { day: oldestDay } : {}) }, limits, now);
  };
  return {
    async hit(key, limits, now) {
      let log = logs.get(key);
      if (!log) logs.set(key, (log = new Log()));
      const before = state(log, limits, now);
      if (!before.allowed) return before;
      log.push(now);
      return { ...state(log, limits, now), allowed: true, retryAfterMs: 0 };
    },
    async peek(key, limits, now) {
      const log = logs.get(key);
      return log ? state(log, limits, now) : windowState({ minute: 0, day: 0 }, {}, limits, now);
    },
  };
}

export function createMemoryConcurrencyLimiter(): ConcurrencyLimiter {
  const counts = new Map<string, number>();
  return {
    async acquire(key, limit) {
      const n = counts.get(key) ?? 0;
      if (n >= limit) return null;
      counts.set(key, n + 1);
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        const left = (counts.get(key) ?? 1) - 1;
        if (left <= 0) counts.delete(key);
        else counts.set(key, left);
      };
    },
  };
}
