/**
 * Limits enforced per workspace: request windows (per minute, per day) and
 * requests in progress per endpoint. Implemented in process memory (one
 * server) and in Redis (any number of servers sharing one limit).
 */
export interface WindowLimits {
  rpm: number;
  rpd: number;
}

export interface WindowState {
  allowed: boolean;
  /** The binding window: the one with the fewest requests remaining. */
  limit: number;
  remaining: number;
  /** When the binding window frees its next request, ms since epoch. */
  resetAt: number;
  /** When rejected: how long until a request would be allowed, ms. */
  retryAfterMs: number;
  window: 'minute' | 'day';
}

export interface RateLimiter {
  /** Counts a request if both windows allow it; never counts a rejected one. */
  hit(key: string, limits: WindowLimits, now: number): Promise<WindowState>;
  /** The state without counting (for the headers of replies that aren't counted). */
  peek(key: string, limits: WindowLimits, now: number): Promise<WindowState>;
}

export interface ConcurrencyLimiter {
  /** A release function, or null when `limit` requests are already in progress. */
  acquire(key: string, limit: number): Promise<(() => Promise<void>) | null>;
  /**
   * Frees the slots held by these dead processes (instance ids), when the
   * limits outlive a process (Redis); resolves to how many were freed.
   */
  releaseOwners?(owners: readonly string[]): Promise<number>;
}

export const MINUTE_MS = 60_000;
export const DAY_MS = 86_400_000;
