/** The limits' environment overrides (src/limits/request-limits.ts through readConfig). */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, readConfig } from '../../src/config.js';
import { DEFAULT_LIMITS } from '../../src/limits/request-limits.js';

const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'cohort-limits-'));
const read = (env: Record<string, string>) => readConfig({}, env, cwd);

describe('limits from the environment', () => {
  it('defaults without variables', () => {
    assert.deepEqual(read({}).limits, DEFAULT_LIMITS);
  });

  it('overrides each limit that has a variable', () => {
    const l = read({ COHORT_MAX_INPUT_CHARS: '5000', COHORT_MAX_INPUT_TOKENS: '900', COHORT_MAX_INPUT_ITEMS: '7', COHORT_MAX_IMAGES: '0', COHORT_SSE_KEEPALIVE_MS: '0', COHORT_SSE_STALL_MS: '2000', COHORT_MAX_CONNECTIONS: '10' }).limits!;
    assert.deepEqual(l.request, { ...DEFAULT_LIMITS.request, inputChars: 5000, inputTokens: 900, inputItems: 7, images: 0 });
    assert.deepEqual(l.stream, { ...DEFAULT_LIMITS.stream, keepAliveMs: 0, stallMs: 2000 });
    assert.equal(l.server.maxConnections, 10);
  });

  it('keeps the headers timeout above the keep-alive timeout, and the request timeout at least the headers one', () => {
    const l = read({ COHORT_KEEP_ALIVE_TIMEOUT_MS: '120000' }).limits!.server;
    assert.equal(l.headersTimeoutMs, 121_000);
    assert.ok(l.requestTimeoutMs >= l.headersTimeoutMs);
    assert.throws(() => read({ COHORT_HEADERS_TIMEOUT_MS: '90000', COHORT_REQUEST_TIMEOUT_MS: '60000' }), (err) => err instanceof ConfigError && /COHORT_REQUEST_TIMEOUT_MS/.test(err.message));
  });

  it('names the variable of a value that is not a number', () => {
    assert.throws(() => read({ COHORT_MAX_INPUT_CHARS: '1MB' }), (err) => err instanceof ConfigError && /COHORT_MAX_INPUT_CHARS/.test(err.message));
  });
});
