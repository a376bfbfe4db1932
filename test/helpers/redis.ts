/**
 * The test Redis at COHORT_TEST_REDIS_URL (default redis://127.0.0.1:6379):
 * probed once per file; `withRedis` blocks are skipped with the reason when it
 * is unreachable — or fail, when CI is set (helpers/ci.ts).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { isCI } from './ci.js';

export const REDIS_URL = process.env.COHORT_TEST_REDIS_URL || 'redis://127.0.0.1:6379';

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

/** Why Redis cannot be used here, or undefined when it answers PING. */
export async function probeRedis(url = REDIS_URL): Promise<string | undefined> {
  const probe = new Redis(url, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  let lastError: unknown;
  probe.on('error', (err) => (lastError = err));
  try {
    await probe.connect();
    assert.equal(await probe.ping(), 'PONG');
    return undefined;
  } catch (caught) {
    const err = lastError ?? caught;
    return `Redis not reachable at ${redact(url)} (set COHORT_TEST_REDIS_URL): ${err instanceof Error ? err.message || err.name : String(err)}`;
  } finally {
    probe.disconnect();
  }
}

export const redisUnavailable = await probeRedis();
if (redisUnavailable && !isCI) console.warn(`# skipping the Redis tests: ${redisUnavailable}`);

/** describe() for blocks that need Redis: skipped without it, failing without it in CI. */
export function withRedis(title: string, fn: () => void): void {
  if (redisUnavailable === undefined) describe(title, fn);
  else if (isCI) describe(title, () => it('needs a reachable Redis in CI', () => assert.fail(`${redisUnavailable} — CI is set, so the Redis tests must run`)));
  else describe(title, { skip: redisUnavailable }, () => {});
}
