/**
 * Plan limits: sliding minute/day windows per workspace with exact
 * Retry-After, the limit headers on every reply, concurrency per endpoint.
 * Time is controlled through the injected clock.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { createMemoryRateLimiter } from '../../src/limits/memory.js';
import { startTestServer, type TestServer } from '../helpers/app.js';

let now = Date.parse('2026-11-25T12:00:00Z');
const clock = { now: () => now };
let s: TestServer;
before(async () => {
  s = await startTestServer({ clock });
});
after(() => s.close());

const post = (key: string) =>
  fetch(`${s.url}/v1/responses`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'mavera-1', input: 'hi' }) });

describe('rate limits', () => {
  it('free plan: 10 per minute, then 429 with exact Retry-After; headers on every reply', async () => {
    const key = (await s.accounts.createKey({ workspace: 'free-ws', mode: 'test', plan: 'free' })).key;
    for (let i = 0; i < 10; i++) {
      const res = await post(key);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-ratelimit-limit'), '10');
      assert.equal(res.headers.get('x-ratelimit-remaining'), String(9 - i));
      assert.equal(res.headers.get('x-ratelimit-limit-requests'), '10');
      assert.equal(res.headers.get('x-ratelimit-remaining-requests'), String(9 - i));
      assert.equal(res.headers.get('x-ratelimit-reset'), String(Math.ceil((Date.parse('2026-11-25T12:00:00Z') + 60_000) / 1000)));
      now += 1000; // one request a second
    }
    const res = await post(key);
    assert.equal(res.status, 429);
    const body = (await res.json()) as any;
    assert.equal(body.error.code, 'rate_limit_exceeded');
    assert.equal(body.error.type, 'rate_limit_error');
    // The first request leaves the window 60 s after it was made; 10 s have passed.
    assert.equal(res.headers.get('retry-after-ms'), '50000');
    assert.equal(res.headers.get('retry-after'), '50');
    assert.equal(res.headers.get('x-ratelimit-remaining'), '0');
    // Reads are not counted but carry the headers.
    const list = await fetch(`${s.url}/v1/personas?limit=1`, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(list.status, 200);
    assert.equal(list.headers.get('x-ratelimit-remaining'), '0');
    now += 50_000;
    assert.equal((await post(key)).status, 200, 'allowed exactly when Retry-After said');
    const next = await post(key);
    assert.equal(next.status, 429, 'the window is full again');
    assert.equal(next.headers.get('retry-after-ms'), '1000', 'the second request leaves one second later');
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
    const firstAt = start + 61_000;
    assert.equal(Number(res.headers.get('retry-after-ms')), firstAt + 86_400_000 - now);
  });

  it('the official SDK waits exactly as told and then succeeds', async () => {
    const limiter = createMemoryRateLimiter();
    const real = await startTestServer({ rateLimiter: limiter });
    try {
      await real.accounts.setPlan('acme', 'enterprise', { rpm: 2, rpd: 1000 });
      const client = new OpenAI({ baseURL: real.baseURL, apiKey: real.testKey, maxRetries: 0 });
      await client.responses.create({ model: 'mavera-1', input: 'a' });
      await client.responses.create({ model: 'mavera-1', input: 'b' });
      const err = await client.responses.create({ model: 'mavera-1', input: 'c' }).catch((e: unknown) => e);
      assert.ok(err instanceof OpenAI.RateLimitError);
      assert.ok(Number(err.headers?.get('retry-after-ms')) > 0);
    } finally {
      await real.close();
    }
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

describe('concurrency', () => {
  it('limits responses in progress per workspace', async () => {
    const { startMockChatUpstream } = await import('../helpers/mock-chat-upstream.js');
    const { createOpenAIChatProvider } = await import('../../src/providers/openai/chat/index.js');
    const upstream = await startMockChatUpstream();
    const srv = await startTestServer({ live: createOpenAIChatProvider({ baseURL: upstream.url, model: 'm' }), plan: 'free' });
    try {
      upstream.setFallback({ type: 'stream', content: ['slow'], delayMs: 300 });
      const statuses = await Promise.all(
        Array.from({ length: 7 }, async () =>
          (await fetch(`${srv.url}/v1/responses`, { method: 'POST', headers: { authorization: `Bearer ${srv.liveKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'mavera-1', input: 'x' }) })).status,
        ),
      );
      assert.equal(statuses.filter((x) => x === 200).length, 5, statuses.join(','));
      assert.equal(statuses.filter((x) => x === 429).length, 2);
      const after = await fetch(`${srv.url}/v1/responses`, { method: 'POST', headers: { authorization: `Bearer ${srv.liveKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'mavera-1', input: 'x' }) });
      assert.equal(after.status, 200, 'slots are released when responses finish');
    } finally {
      await srv.close();
      await upstream.close();
    }
  });
});
