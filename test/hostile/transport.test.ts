/**
 * Runs the transport fuzz corpus (transport-corpus.ts) against a real server:
 * each hostile request must end in a 2xx or 4xx (never a 500 or a hang)
 * within a generous bound, while /health, asked as the request goes out,
 * answers within a bound too — so no case blocks the event loop for everyone.
 * The bounds are generous (the failures they catch took 8 s to minutes);
 * timings themselves belong to `npm run bench`.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, it } from 'node:test';
import { createOpenAIChatProvider } from '../../src/providers/openai/chat/index.js';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { startMockChatUpstream, type MockChatUpstream } from '../helpers/mock-chat-upstream.js';
import { TRANSPORT_CORPUS, type HostileCase } from './transport-corpus.js';

const CASE_BOUND_MS = 60_000;
const HEALTH_BOUND_MS = 10_000;

let s: TestServer;
let upstream: MockChatUpstream;
let adminKey: string;
before(async () => {
  upstream = await startMockChatUpstream({ fallback: { type: 'stream', content: ['ok'] } });
  s = await startTestServer({ live: createOpenAIChatProvider({ baseURL: upstream.url, model: 'm' }) });
  adminKey = (await s.accounts.createKey({ workspace: 'acme', mode: 'test', scopes: ['admin', 'operator'] })).key;
});
after(async () => {
  await s.close();
  await upstream.close();
});

/** Sends a case with node:http (a server may answer before it read the whole body); resolves with the status, 0 if aborted. */
function send(c: HostileCase, signal: AbortSignal): Promise<{ status: number; body: string }> {
  const key = c.key === 'test' ? s.testKey : c.key === 'live' ? s.liveKey : adminKey;
  const body = c.body();
  const headers: Record<string, string | number> = { authorization: `Bearer ${key}`, 'content-length': Buffer.byteLength(body) };
  const type = c.contentType === undefined ? 'application/json' : c.contentType;
  if (type !== null) headers['content-type'] = type;
  const u = new URL(s.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path: c.path, method: c.method ?? 'POST', headers, signal, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d.length + text.length < 4096 ? d : ''));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      res.on('error', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    // The server may stop reading at a limit and close: the answer, if any, is what counts.
    req.on('error', (err) => (signal.aborted ? resolve({ status: 0, body: '' }) : reject(err)));
    req.on('socket', (socket) => socket.on('error', () => {}));
    req.end(body);
  });
}

async function health(): Promise<number> {
  const started = performance.now();
  const res = await fetch(`${s.url}/health`);
  assert.equal(res.status, 200);
  await res.text();
  return performance.now() - started;
}

describe('hostile inputs: transport, sizes, nesting', () => {
  for (const c of TRANSPORT_CORPUS) {
    it(c.name, { timeout: CASE_BOUND_MS }, async () => {
      const client = new AbortController();
      if (c.abortAfterUpstream) upstream.enqueue({ type: 'hang' });
      const seen = upstream.requests.length;
      const pending = send(c, client.signal);
      const healthMs = health();
      if (c.abortAfterUpstream) {
        const sent = await upstream.waitForRequest(seen);
        client.abort();
        await sent.closed;
        assert.equal(sent.aborted, true, 'the upstream call is aborted with the client');
      }
      const { status, body } = await pending;
      const ms = await healthMs;
      assert.ok(ms < HEALTH_BOUND_MS, `/health took ${Math.round(ms)} ms`);
      // After an abort the server is still estimating usage: /health must answer then too.
      if (c.abortAfterUpstream) assert.ok((await health()) < HEALTH_BOUND_MS);
      assert.ok(status === 0 ? c.abortAfterUpstream : status >= 200 && status < 500, `status ${status}: ${body.slice(0, 300)}`);
      assert.equal(status, c.expect, body.slice(0, 300));
      if (status >= 400) {
        const error = (JSON.parse(body) as { error: { param: string | null } }).error;
        assert.ok(error.param, 'a refusal names its param');
      }
    });
  }
});
