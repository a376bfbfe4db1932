/**
 * Per-workspace request limits. Creating requests (POST) count against the
 * plan's sliding minute and day windows; every authenticated reply carries
 * the limit headers in both conventions. Over the limit → 429
 * rate_limit_exceeded with Retry-After and retry-after-ms set to exactly when
 * the next request will be allowed, so the SDKs' own backoff waits just long
 * enough.
 */
import type { MiddlewareHandler } from 'hono';
import { ApiError } from '../errors/api-error.js';
import type { RateLimiter, WindowState } from '../limits/types.js';
import type { Clock } from '../util/ids.js';
import type { AppEnv } from './context.js';

/** OpenAI's duration format for x-ratelimit-reset-requests: 250ms, 12s, 6m0s, 1h2m3s. */
export function openAiDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.ceil(ms))}ms`;
  const total = Math.ceil(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

export function rateLimitHeaders(state: WindowState, now: number): Record<string, string> {
  return {
    'x-ratelimit-limit': String(state.limit),
    'x-ratelimit-remaining': String(state.remaining),
    'x-ratelimit-reset': String(Math.ceil(state.resetAt / 1000)),
    'x-ratelimit-limit-requests': String(state.limit),
    'x-ratelimit-remaining-requests': String(state.remaining),
    'x-ratelimit-reset-requests': openAiDuration(state.resetAt - now),
  };
}

/** Whether a request counts against the windows: creating requests do; reads, cancels and admin calls don't. */
function counts(method: string, path: string): boolean {
  return method === 'POST' && !path.endsWith('/cancel') && !path.includes('/admin/');
}

export function rateLimit(limiter: RateLimiter, clock: Clock): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const caller = c.get('caller');
    const now = clock.now();
    const limits = { rpm: caller.limits.rpm, rpd: caller.limits.rpd };
    const key = `ws:${caller.workspaceId}`;
    const counted = counts(c.req.method, c.req.path);
    const state = counted ? await limiter.hit(key, limits, now) : await limiter.peek(key, limits, now);
    const headers = rateLimitHeaders(state, now);
    if (counted && !state.allowed) {
      const seconds = Math.ceil(state.retryAfterMs / 1000);
      throw new ApiError(
        'rate_limit_exceeded',
        `Rate limit reached: ${state.limit} requests per ${state.window} for this workspace's plan (${caller.plan}). Retry in ${seconds} s.`,
        { headers: { ...headers, 'retry-after': String(seconds), 'retry-after-ms': String(state.retryAfterMs) } },
      );
    }
    await next();
    for (const [k, v] of Object.entries(headers)) c.res.headers.set(k, v);
  };
}
