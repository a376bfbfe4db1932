/**
 * SSE streams under slow and absent readers, at the wire (issue 16.8, 17.5):
 * - a client that never reads pauses the run (the upstream is not drained into
 *   memory), and after the stall bound the run is aborted and the upstream
 *   request closed — before, the whole answer was read and buffered;
 * - the concurrency slot is held until the body is delivered, not only until
 *   the run ends;
 * - a `: keep-alive` comment after the configured silence on every stream:
 *   responses streaming, GET ?stream=true, chat completions (also while a chat
 *   stream waits for its first output).
 */
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { createMemoryConcurrencyLimiter } from '../../src/limits/memory.js';
import type { ConcurrencyLimiter } from '../../src/limits/types.js';
import { createOpenAIChatProvider } from '../../src/providers/openai/chat/index.js';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { startMockChatUpstream, type MockChatUpstream } from '../helpers/mock-chat-upstream.js';

/** A Chat Completions upstream streaming `chunks` deltas of `chunkBytes`, honouring backpressure, counting what it wrote. */
function bigAnswerUpstream(chunks: number, chunkBytes: number) {
  const state = { written: 0, total: 0, finished: false, closed: undefined as Promise<void> | undefined };
  const delta = (text: string) => `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: text }, finish_reason: null }] })}\n\n`;
  const server: Server = createServer((req, res: ServerResponse) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      state.closed = new Promise((resolve) => res.on('close', () => resolve()));
      const piece = delta('x'.repeat(chunkBytes));
      state.total = piece.length * chunks;
      let sent = 0;
      const pump = () => {
        while (sent < chunks && !res.destroyed) {
          sent++;
          state.written += piece.length;
          if (!res.write(piece)) return void res.once('drain', pump);
        }
        if (res.destroyed) return;
        res.write(`data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\n`);
        res.end('data: [DONE]\n\n');
        state.finished = true;
      };
      pump();
    });
  });
  return {
    state,
    listen: () => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`))),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** A concurrency limiter that reports acquisitions and releases. */
function countingLimiter() {
  const inner = createMemoryConcurrencyLimiter();
  const state = { active: 0, released: 0, onRelease: [] as Array<() => void> };
  const limiter: ConcurrencyLimiter = {
    async acquire(key, limit) {
      const release = await inner.acquire(key, limit);
      if (!release) return null;
      state.active++;
      return async () => {
        await release();
        state.active--;
        state.released++;
        for (const f of state.onRelease.splice(0)) f();
      };
    },
  };
  const nextRelease = () => new Promise<void>((resolve) => state.onRelease.push(resolve));
  return { limiter, state, nextRelease };
}

/** Sends a raw HTTP request on a socket and never reads the answer. */
function nonReadingClient(url: string, key: string, body: unknown): net.Socket {
  const u = new URL(url);
  const payload = JSON.stringify(body);
  const socket = net.connect(Number(u.port), u.hostname);
  socket.pause(); // never read: the receive window fills and stays full
  socket.write(
    `POST /v1/responses HTTP/1.1\r\nhost: ${u.host}\r\nauthorization: Bearer ${key}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(payload)}\r\n\r\n${payload}`,
  );
  return socket;
}

/** Reads a fetch body until `pattern` appears; returns what was read. */
async function readUntil(res: Response, pattern: RegExp): Promise<string> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text;
    text += decoder.decode(value, { stream: true });
    if (pattern.test(text)) {
      await reader.cancel();
      return text;
    }
  }
}

describe('a client that never reads', () => {
  const upstream = bigAnswerUpstream(1024, 64 * 1024); // 64 MiB of answer
  const counting = countingLimiter();
  let s: TestServer;
  before(async () => {
    const url = await upstream.listen();
    s = await startTestServer({
      live: createOpenAIChatProvider({ baseURL: url, model: 'm' }),
      concurrency: counting.limiter,
      limits: { stream: { stallMs: 500, bufferBytes: 64 * 1024 } },
    });
  });
  after(async () => {
    await s.close();
    await upstream.close();
  });

  it('pauses the upstream, then aborts the run after the stall bound and frees the slot', { timeout: 60_000 }, async () => {
    const released = counting.nextRelease();
    const socket = nonReadingClient(s.url, s.liveKey, { model: 'mavera-1', input: 'write a lot', stream: true });
    while (!upstream.state.closed) await new Promise((r) => setImmediate(r));
    await upstream.state.closed;
    assert.equal(upstream.state.finished, false, 'the upstream was stopped mid-answer, not read to its end');
    assert.ok(upstream.state.written < upstream.state.total / 2, `the upstream wrote ${upstream.state.written} of ${upstream.state.total} bytes`);
    await released;
    assert.equal(counting.state.active, 0);
    socket.destroy();
  });
});

describe('the concurrency slot', () => {
  const counting = countingLimiter();
  let upstream: MockChatUpstream;
  let s: TestServer;
  before(async () => {
    upstream = await startMockChatUpstream();
    s = await startTestServer({
      live: createOpenAIChatProvider({ baseURL: upstream.url, model: 'm' }),
      concurrency: counting.limiter,
      limits: { stream: { bufferBytes: 16 * 1024 } },
    });
  });
  after(async () => {
    await s.close();
    await upstream.close();
  });

  it('is held after the run is stored until the body is delivered', { timeout: 30_000 }, async () => {
    // 8 KiB of deltas fit the 16 KiB buffer; the final events (the whole answer, four times) do not.
    upstream.enqueue({ type: 'stream', content: Array.from({ length: 8 }, () => 'y'.repeat(1024)) });
    const res = await s.app.app.request('/v1/responses', {
      method: 'POST',
      headers: { authorization: `Bearer ${s.liveKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mavera-1', input: 'hi', stream: true }),
    });
    const reader = res.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    const id = /"id":"(resp_[0-9a-f]+)"/.exec(first)![1]!;
    await s.app.service.runs.get(id)!.persisted;
    assert.equal(counting.state.active, 1, 'the run is stored, its bytes are not delivered: the slot is still held');
    const released = counting.nextRelease();
    let text = first;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    assert.ok(text.endsWith('data: [DONE]\n\n'));
    await released;
    assert.equal(counting.state.active, 0);
  });
});

describe('keep-alive comments', () => {
  let upstream: MockChatUpstream;
  let s: TestServer;
  before(async () => {
    upstream = await startMockChatUpstream();
    s = await startTestServer({ live: createOpenAIChatProvider({ baseURL: upstream.url, model: 'm' }), limits: { stream: { keepAliveMs: 50 } } });
  });
  after(async () => {
    await s.close();
    await upstream.close();
  });
  const post = (path: string, body: unknown) =>
    fetch(`${s.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${s.liveKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('on a responses stream silent between events', { timeout: 30_000 }, async () => {
    upstream.enqueue({ type: 'stream', content: ['Hel'], hang: true });
    const res = await post('/v1/responses', { model: 'mavera-1', input: 'hi', stream: true });
    const text = await readUntil(res, /output_text\.delta[\s\S]*\n\n: keep-alive\n\n/);
    assert.ok(text.split('\n\n').includes(': keep-alive'), 'a comment frame of its own, between events');
    await (await upstream.waitForRequest(upstream.requests.length - 1)).closed;
  });

  it('on GET ?stream=true of a background response', { timeout: 30_000 }, async () => {
    upstream.enqueue({ type: 'stream', content: ['Hel'], hang: true });
    const created = await (await post('/v1/responses', { model: 'mavera-1', input: 'hi', background: true })).json();
    const res = await fetch(`${s.url}/v1/responses/${created.id}?stream=true`, { headers: { authorization: `Bearer ${s.liveKey}` } });
    assert.match(await readUntil(res, /: keep-alive\n\n/), /: keep-alive\n\n/);
    await fetch(`${s.url}/v1/responses/${created.id}/cancel`, { method: 'POST', headers: { authorization: `Bearer ${s.liveKey}` } });
  });

  it('on a chat completions stream, also before its first output (the stream is then committed)', { timeout: 30_000 }, async () => {
    upstream.enqueue({ type: 'hang' });
    const res = await post('/v1/chat/completions', { model: 'mavera-1', messages: [{ role: 'user', content: 'hi' }], stream: true });
    assert.equal(res.status, 200);
    assert.match(await readUntil(res, /: keep-alive\n\n/), /: keep-alive\n\n/);
    const sent = await upstream.waitForRequest(upstream.requests.length - 1);
    await sent.closed;
    assert.equal(sent.aborted, true, 'leaving the stream aborts the upstream call');
  });
});
