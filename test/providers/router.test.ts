/**
 * The backend router (src/providers/router.ts) against real mock upstreams:
 * retries (500 then success, retry-after honoured, none after the first
 * event), fallback to the next backend, first-byte / idle / connect
 * timeouts, client aborts, persona and workspace routes, the JSON repair
 * retry of backends without native JSON Schema support, and which engine the
 * HTTP replies report.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createLiveRouter } from '../../src/backends.js';
import { ApiError } from '../../src/errors/api-error.js';
import { createOpenAIChatProvider } from '../../src/providers/openai/chat/index.js';
import { createRouterProvider, type RouterBackend } from '../../src/providers/router.js';
import { extractJson } from '../../src/structured/extract-json.js';
import type { Provider, ProviderEvent, ProviderRequest } from '../../src/providers/types.js';
import { startTestServer } from '../helpers/app.js';
import { startMockChatUpstream, type MockChatUpstream } from '../helpers/mock-chat-upstream.js';
import { personas } from '../helpers/app.js';

let up1: MockChatUpstream;
let up2: MockChatUpstream;
before(async () => {
  up1 = await startMockChatUpstream();
  up2 = await startMockChatUpstream();
});
after(async () => {
  await up1.close();
  await up2.close();
});
beforeEach(() => {
  up1.requests.length = 0;
  up2.requests.length = 0;
});

function request(over: Partial<ProviderRequest> = {}): ProviderRequest {
  return {
    items: [{ type: 'message', role: 'user', content: [{ type: 'text', text: 'hi' }] }],
    tools: [],
    toolChoice: { mode: 'auto' },
    parallelToolCalls: true,
    format: { type: 'text' },
    sampling: {},
    signal: new AbortController().signal,
    ...over,
  };
}

async function drain(p: Provider, req: ProviderRequest): Promise<{ events: ProviderEvent[]; error?: unknown }> {
  const events: ProviderEvent[] = [];
  try {
    for await (const e of p.stream(req)) events.push(e);
    return { events };
  } catch (error) {
    return { events, error };
  }
}

const text = (events: ProviderEvent[]) => events.map((e) => (e.type === 'text-delta' ? e.delta : '')).join('');
const engines = (events: ProviderEvent[]) => events.filter((e) => e.type === 'engine').map((e) => (e as { name: string }).name);

function chat(name: string, upstream: MockChatUpstream, over: Partial<RouterBackend> = {}): RouterBackend {
  return { name, provider: createOpenAIChatProvider({ baseURL: upstream.url, model: 'm' }), retries: { max: 2, baseMs: 0 }, ...over };
}

describe('router: retries', () => {
  it('retries an upstream 500, then succeeds; the engine event names the backend', async () => {
    up1.enqueue({ type: 'error', status: 500, message: 'boom' }, { type: 'stream', content: ['Hel', 'lo'] });
    const router = createRouterProvider({ backends: [chat('primary', up1)], routes: { default: ['primary'] }, random: () => 0 });
    const { events, error } = await drain(router, request());
    assert.equal(error, undefined);
    assert.equal(text(events), 'Hello');
    assert.deepEqual(engines(events), ['primary']);
    assert.equal(events[0]!.type, 'engine', 'the engine event comes first');
    assert.equal(up1.requests.length, 2);
  });

  it("waits for the upstream's retry-after before retrying", async () => {
    up1.enqueue({ type: 'error', status: 429, message: 'slow down', retryAfterMs: 200 }, { type: 'stream', content: ['ok'] });
    const router = createRouterProvider({ backends: [chat('primary', up1)], routes: { default: ['primary'] }, random: () => 0 });
    const started = Date.now();
    const { events, error } = await drain(router, request());
    assert.equal(error, undefined);
    assert.equal(text(events), 'ok');
    assert.ok(Date.now() - started >= 190, `waited ${Date.now() - started} ms`);
  });

  it('uses exponential backoff with full jitter when no retry-after is given', async () => {
    up1.enqueue({ type: 'error', status: 503 }, { type: 'error', status: 502 }, { type: 'stream', content: ['ok'] });
    const draws: number[] = [];
    const router = createRouterProvider({
      backends: [chat('primary', up1, { retries: { max: 2, baseMs: 100 } })],
      routes: { default: ['primary'] },
      random: () => (draws.push(0), 0.5),
    });
    const started = Date.now();
    const { error } = await drain(router, request());
    assert.equal(error, undefined);
    // 0.5 × 100 + 0.5 × 200
    assert.ok(Date.now() - started >= 140, `waited ${Date.now() - started} ms`);
    assert.equal(draws.length, 2);
  });

  it('an upstream 429 whose retry-after is too long stays a 503 with retry-after (never rate_limit_exceeded)', async () => {
    up1.enqueue({ type: 'error', status: 429, message: 'Rate limit reached', retryAfter: 7 });
    const router = createRouterProvider({ backends: [chat('primary', up1)], routes: { default: ['primary'] }, maxRetryAfterMs: 1000 });
    const { error } = await drain(router, request());
    assert.ok(error instanceof ApiError);
    assert.equal(error.code, 'service_unavailable');
    assert.equal(error.status, 503);
    assert.equal(error.headers['retry-after'], '7');
    assert.equal(up1.requests.length, 1, 'not retried: the wait is longer than maxRetryAfterMs');
  });

  it('does not retry once an event reached the consumer', async () => {
    up1.enqueue({
      type: 'sse',
      frames: ['data: {"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n', 'data: {"error":{"message":"boom","type":"server_error"}}\n\n'],
    });
    const router = createRouterProvider({ backends: [chat('primary', up1), chat('secondary', up2)], routes: { default: ['primary', 'secondary'] }, random: () => 0 });
    const { events, error } = await drain(router, request());
    assert.equal(text(events), 'Hel');
    assert.ok(error instanceof ApiError);
    assert.equal(error.code, 'service_unavailable');
    assert.equal(up1.requests.length, 1);
    assert.equal(up2.requests.length, 0, 'no fallback either');
  });

  it('does not retry or fall back on the caller’s own error (400)', async () => {
    up1.enqueue({ type: 'error', status: 400, message: 'bad temperature', param: 'temperature' });
    const router = createRouterProvider({ backends: [chat('primary', up1), chat('secondary', up2)], routes: { default: ['primary', 'secondary'] } });
    const { error } = await drain(router, request());
    assert.ok(error instanceof ApiError);
    assert.equal(error.code, 'invalid_request');
    assert.equal(error.param, 'temperature');
    assert.equal(up1.requests.length, 1);
    assert.equal(up2.requests.length, 0);
  });
});

describe('router: fallback', () => {
  it('falls back to the second backend when the first keeps failing', async () => {
    up1.enqueue({ type: 'error', status: 503 }, { type: 'error', status: 503 });
    up2.enqueue({ type: 'stream', content: ['from two'] });
    const router = createRouterProvider({
      backends: [chat('primary', up1, { retries: { max: 1, baseMs: 0 } }), chat('secondary', up2)],
      routes: { default: ['primary', 'secondary'] },
    });
    assert.equal(router.name, 'primary');
    assert.equal(router.engineFor(request()), 'primary');
    const { events, error } = await drain(router, request());
    assert.equal(error, undefined);
    assert.equal(text(events), 'from two');
    assert.deepEqual(engines(events), ['secondary']);
    assert.equal(up1.requests.length, 2);
    assert.equal(up2.requests.length, 1);
  });

  it('falls back on errors that are not retried (401), and ends with the last backend’s error', async () => {
    up1.enqueue({ type: 'error', status: 401, message: 'bad key' });
    up2.enqueue({ type: 'error', status: 500 }, { type: 'error', status: 500 });
    const router = createRouterProvider({
      backends: [chat('primary', up1), chat('secondary', up2, { retries: { max: 1, baseMs: 0 } })],
      routes: { default: ['primary', 'secondary'] },
    });
    const { error } = await drain(router, request());
    assert.ok(error instanceof ApiError);
    assert.match(error.message, /HTTP 500/);
    assert.equal(up1.requests.length, 1, '401 is not retried');
    assert.equal(up2.requests.length, 2);
  });
});

describe('router: timeouts and aborts', () => {
  it('gives up on a backend that sends nothing within firstByteMs and falls back', async () => {
    up1.enqueue({ type: 'hang' });
    up2.enqueue({ type: 'stream', content: ['fast'] });
    const router = createRouterProvider({
      backends: [chat('slow', up1, { firstByteMs: 150, retries: { max: 0, baseMs: 0 } }), chat('fast', up2)],
      routes: { default: ['slow', 'fast'] },
    });
    const started = Date.now();
    const { events, error } = await drain(router, request());
    assert.equal(error, undefined);
    assert.equal(text(events), 'fast');
    assert.ok(Date.now() - started >= 140);
    await up1.requests[0]!.closed;
    assert.equal(up1.requests[0]!.aborted, true, 'the slow upstream request was aborted');
  });

  it('a request that is not incremental waits up to wholeAnswerMs instead of firstByteMs', async () => {
    // The mock answers `stream: false` with one JSON body once the "generation" (3 × 100 ms) is done.
    up1.enqueue({ type: 'stream', content: ['whole ', 'answer'], delayMs: 100 });
    const router = createRouterProvider({
      backends: [chat('primary', up1, { firstByteMs: 100, wholeAnswerMs: 2000, retries: { max: 0, baseMs: 0 } })],
      routes: { default: ['primary'] },
    });
    const { events, error } = await drain(router, request({ incremental: false }));
    assert.equal(error, undefined);
    assert.equal(text(events), 'whole answer');
    assert.equal(up1.requests[0]!.body.stream, undefined);
  });

  it('gives up on a whole answer after wholeAnswerMs, without asking the same backend again; the next backend takes over', async () => {
    up1.enqueue({ type: 'hang' }); // a retry would get the mock's fallback (500) and show in requests.length
    up2.enqueue({ type: 'stream', content: ['from two'] });
    const router = createRouterProvider({
      backends: [chat('primary', up1, { firstByteMs: 5000, wholeAnswerMs: 150, retries: { max: 2, baseMs: 0 } }), chat('secondary', up2)],
      routes: { default: ['primary', 'secondary'] },
    });
    const { events, error } = await drain(router, request({ incremental: false }));
    assert.equal(error, undefined);
    assert.equal(text(events), 'from two');
    assert.equal(up1.requests.length, 1, 'a whole-answer timeout is not retried on the same backend');
    await up1.requests[0]!.closed;
    assert.equal(up1.requests[0]!.aborted, true);
    // Alone on its route, the timeout is the answer.
    up1.enqueue({ type: 'hang' });
    const alone = createRouterProvider({ backends: [chat('primary', up1, { wholeAnswerMs: 150 })], routes: { default: ['primary'] } });
    const r = await drain(alone, request({ incremental: false }));
    assert.ok(r.error instanceof ApiError);
    assert.equal(r.error.status, 503);
    assert.match(r.error.message, /did not answer within 150 ms/);
  });

  it('wholeAnswerMs: 0 means no limit for whole answers (firstByteMs does not apply to them)', async () => {
    up1.enqueue({ type: 'stream', content: ['slow ', 'whole'], delayMs: 80 });
    const router = createRouterProvider({
      backends: [chat('primary', up1, { firstByteMs: 100, wholeAnswerMs: 0, retries: { max: 0, baseMs: 0 } })],
      routes: { default: ['primary'] },
    });
    const { events, error } = await drain(router, request({ incremental: false }));
    assert.equal(error, undefined);
    assert.equal(text(events), 'slow whole');
    assert.equal(up1.requests.length, 1);
  });

  it('fails a stream that goes idle after the first event (no retry)', async () => {
    up1.enqueue({ type: 'stream', content: ['a'], hang: true });
    const router = createRouterProvider({ backends: [chat('primary', up1, { idleMs: 150 })], routes: { default: ['primary'] } });
    const { events, error } = await drain(router, request());
    assert.equal(text(events), 'a');
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 503);
    assert.match(error.message, /stopped sending for 150 ms/);
    assert.equal(up1.requests.length, 1);
    await up1.requests[0]!.closed;
    assert.equal(up1.requests[0]!.aborted, true);
  });

  it('applies connectMs from the config to the upstream fetch (retried like a connection error)', async () => {
    up1.enqueue({ type: 'hang' }, { type: 'hang' });
    const live = createLiveRouter({
      backends: { primary: { type: 'openai-chat', baseURL: up1.url, model: 'm', timeouts: { connectMs: 100 }, retries: { max: 1, baseMs: 0 } } },
      routes: { default: ['primary'] },
      reason: 'test',
    });
    const { error } = await drain(live.provider, request());
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 503);
    assert.match(error.message, /CONNECT_TIMEOUT/);
    assert.equal(up1.requests.length, 2);
  });

  it('from the config: a whole answer is bounded by wholeAnswerMs, not connectMs or firstByteMs; streaming: always keeps the stream', async () => {
    const config = (streaming?: 'always') => ({
      backends: {
        primary: { type: 'openai-chat' as const, baseURL: up1.url, model: 'm', timeouts: { connectMs: 100, firstByteMs: 100, wholeAnswerMs: 3000 }, retries: { max: 0, baseMs: 0 }, ...(streaming ? { streaming } : {}) },
      },
      routes: { default: ['primary'] },
      reason: 'test',
    });
    // The whole reply comes after ~5 × 80 ms, later than connectMs and firstByteMs.
    up1.enqueue({ type: 'stream', content: ['slow ', 'but ', 'whole'], delayMs: 80 });
    const { events, error } = await drain(createLiveRouter(config()).provider, request({ incremental: false }));
    assert.equal(error, undefined);
    assert.equal(text(events), 'slow but whole');
    assert.equal(up1.requests.at(-1)!.body.stream, undefined);

    up1.enqueue({ type: 'stream', content: ['streamed'] });
    const always = await drain(createLiveRouter(config('always')).provider, request({ incremental: false }));
    assert.equal(always.error, undefined);
    assert.equal(text(always.events), 'streamed');
    assert.equal(up1.requests.at(-1)!.body.stream, true);
  });

  it('a backend that ignores its signal is not waited for past firstByteMs', async () => {
    let calls = 0;
    const deaf: Provider = {
      name: 'deaf',
      async *stream() {
        calls++;
        await new Promise<void>((resolve) => setTimeout(resolve, 5000).unref()); // ignores the signal
        yield { type: 'text-delta', delta: 'too late' };
      },
    };
    const router = createRouterProvider({ backends: [{ name: 'deaf', provider: deaf, firstByteMs: 100, retries: { max: 0, baseMs: 0 } }], routes: { default: ['deaf'] } });
    const started = Date.now();
    const { error } = await drain(router, request());
    assert.ok(error instanceof ApiError);
    assert.equal(error.status, 503);
    assert.ok(Date.now() - started < 2000, 'not waited for');
    assert.equal(calls, 1);
  });

  it('a client abort aborts the upstream call and is not retried', async () => {
    up1.enqueue({ type: 'hang' });
    const router = createRouterProvider({ backends: [chat('primary', up1), chat('secondary', up2)], routes: { default: ['primary', 'secondary'] } });
    const controller = new AbortController();
    const pending = drain(router, request({ signal: controller.signal }));
    await up1.waitForRequest(0);
    controller.abort(new DOMException('client went away', 'AbortError'));
    const { error } = await pending;
    assert.equal((error as DOMException).name, 'AbortError');
    await up1.requests[0]!.closed;
    assert.equal(up1.requests[0]!.aborted, true);
    assert.equal(up1.requests.length, 1);
    assert.equal(up2.requests.length, 0);
  });
});

/** A provider that answers with scripted texts, one per call, and records the requests. */
function scripted(name: string, replies: string[], capabilities?: Provider['capabilities']): Provider & { calls: ProviderRequest[] } {
  const calls: ProviderRequest[] = [];
  return {
    name,
    calls,
    ...(capabilities ? { capabilities } : {}),
    async *stream(req) {
      calls.push(req);
      const reply = replies[Math.min(calls.length - 1, replies.length - 1)] ?? '';
      for (const piece of reply.match(/.{1,4}/gs) ?? []) yield { type: 'text-delta', delta: piece };
      yield { type: 'usage', inputTokens: 10, outputTokens: 5 };
      yield { type: 'finish', reason: 'stop' };
    },
  };
}

describe('router: routes', () => {
  const persona = personas.find((p) => p.id === 'hospital-cfo') ?? personas[0]!;
  const make = () =>
    createRouterProvider({
      backends: ['a', 'b', 'c'].map((n) => ({ name: n, provider: scripted(n, [n]) })),
      routes: { default: ['a'], personas: { [persona.id]: ['b'] }, workspaces: { acme: ['c'], ws_123: ['b'] } },
    });

  it('persona route > workspace route (by id or name) > default', async () => {
    const router = make();
    assert.deepEqual(router.routeFor({}), ['a']);
    assert.deepEqual(router.routeFor({ workspace: { id: 'ws_1', name: 'acme' } }), ['c']);
    assert.deepEqual(router.routeFor({ workspace: { id: 'ws_123', name: 'acme' } }), ['b'], 'the id wins over the name');
    assert.deepEqual(router.routeFor({ persona, workspace: { id: 'ws_1', name: 'acme' } }), ['b'], 'the persona route wins');
    assert.deepEqual(router.routeFor({ workspace: { id: 'ws_9', name: 'other' } }), ['a']);
    assert.deepEqual(router.routeFor({ workspace: { id: 'ws_9', name: 'toString' } }), ['a'], 'no prototype keys');
    const { events } = await drain(router, request({ workspace: { id: 'ws_1', name: 'acme' } }));
    assert.equal(text(events), 'c');
    assert.deepEqual(engines(events), ['c']);
    assert.equal(router.engineFor(request({ persona })), 'b');
  });

  it('refuses routes that name unknown backends', () => {
    assert.throws(
      () => createRouterProvider({ backends: [{ name: 'a', provider: scripted('a', ['a']) }], routes: { default: ['a'], personas: { x: ['nope'] } } }),
      /routes\.personas\.x names 'nope'/,
    );
  });
});

describe('router: structured outputs without native JSON Schema support', () => {
  const format = {
    type: 'json_schema' as const,
    name: 'person',
    strict: true,
    schema: { type: 'object', properties: { age: { type: 'integer' } }, required: ['age'], additionalProperties: false },
  };

  it('validates the collected answer and repairs it once with the errors as a user message', async () => {
    const p = scripted('local', ['Sure! ```json\n{"age": "three"}\n```', '{"age": 3}'], { jsonSchema: false });
    const router = createRouterProvider({ backends: [{ name: 'local', provider: p }], routes: { default: ['local'] } });
    const { events, error } = await drain(router, request({ format, system: 'You are helpful.' }));
    assert.equal(error, undefined);
    assert.equal(p.calls.length, 2);
    const first = p.calls[0]!;
    assert.deepEqual(first.format, { type: 'text' }, 'asked for plain text');
    assert.match(first.system!, /^You are helpful\.\n\n/);
    assert.match(first.system!, /"age":\{"type":"integer"\}/, 'the schema is in the system prompt');
    const repairItems = p.calls[1]!.items;
    assert.equal(repairItems.length, 3);
    assert.deepEqual(repairItems[1], { type: 'message', role: 'assistant', content: [{ type: 'text', text: 'Sure! ```json\n{"age": "three"}\n```' }] });
    const last = repairItems[2]!;
    assert.ok(last.type === 'message' && last.role === 'user');
    assert.match((last.content[0] as { text: string }).text, /not valid for the JSON schema "person".*age.*integer/s);
    // One delta with the JSON only, after the engine event; usage of both calls.
    assert.deepEqual(
      events.filter((e) => e.type !== 'usage' && e.type !== 'finish'),
      [
        { type: 'engine', name: 'local' },
        { type: 'text-delta', delta: '{"age": 3}' },
      ],
    );
    assert.deepEqual(events.find((e) => e.type === 'usage'), { type: 'usage', inputTokens: 20, outputTokens: 10 });
  });

  it('accepts a fenced valid answer at once, yielding only the JSON', async () => {
    const p = scripted('local', ['Here you go:\n```json\n{"age": 41}\n```\nAnything else?'], { jsonSchema: false });
    const router = createRouterProvider({ backends: [{ name: 'local', provider: p }], routes: { default: ['local'] } });
    const { events } = await drain(router, request({ format }));
    assert.equal(p.calls.length, 1);
    assert.equal(text(events), '{"age": 41}');
  });

  it('still invalid after the repair → 502 model_output_invalid naming the schema (the model failed, not the server), no client retry', async () => {
    const p = scripted('local', ['no idea', '{"age": 1.5}'], { jsonSchema: false });
    const router = createRouterProvider({ backends: [{ name: 'local', provider: p }], routes: { default: ['local'] } });
    const { events, error } = await drain(router, request({ format }));
    assert.equal(events.length, 0, 'nothing reached the consumer');
    assert.ok(error instanceof ApiError);
    assert.equal(error.code, 'model_output_invalid');
    assert.equal(error.status, 502);
    assert.equal(error.param, 'text.format.schema');
    assert.equal(error.headers['x-should-retry'], 'false');
    assert.match(error.message, /JSON schema 'person', also after one repair attempt/);
    assert.equal(p.calls.length, 2);
  });

  it('a backend that enforces schemas but not this one entirely (enforcesAll false): validated and repaired, keeping the format', async () => {
    const seen: unknown[] = [];
    const p = scripted('grammar', ['{"age": 1.5}', '{"age": 2}'], { jsonSchema: true, enforcesAll: (schema) => (seen.push(schema), false) });
    const router = createRouterProvider({ backends: [{ name: 'grammar', provider: p }], routes: { default: ['grammar'] } });
    const { events, error } = await drain(router, request({ format }));
    assert.equal(error, undefined);
    assert.deepEqual(seen, [format.schema], 'asked about the request schema');
    assert.equal(p.calls.length, 2);
    for (const call of p.calls) {
      assert.deepEqual(call.format, format, 'the engine keeps enforcing what it can');
      assert.equal(call.system, undefined, 'no schema prompt');
      assert.equal(call.incremental, false, 'collected whole');
    }
    assert.equal(text(events), '{"age": 2}');
    // enforcesAll true, or no such capability: streamed through, one call.
    const full = scripted('grammar', ['{"age": 1.5}'], { jsonSchema: true, enforcesAll: () => true });
    const through = await drain(createRouterProvider({ backends: [{ name: 'grammar', provider: full }], routes: { default: ['grammar'] } }), request({ format }));
    assert.equal(full.calls.length, 1);
    assert.equal(text(through.events), '{"age": 1.5}', 'the run checks it, not the router');
  });

  it('the config’s jsonSchema:false applies to a backend that declares nothing; text formats stream through', async () => {
    const p = scripted('x', ['{"age": 2}']);
    const router = createRouterProvider({ backends: [{ name: 'x', provider: p, jsonSchema: false }], routes: { default: ['x'] } });
    await drain(router, request({ format }));
    assert.deepEqual(p.calls[0]!.format, { type: 'text' });
    const plain = await drain(router, request());
    assert.equal(text(plain.events), '{"age": 2}');
    assert.ok(plain.events.filter((e) => e.type === 'text-delta').length > 1, 'streamed in pieces');
  });

  it('extractJson finds the JSON in prose and fences', () => {
    const value = (text: string) => {
      const json = extractJson(text);
      return json.ok ? json.value : undefined;
    };
    assert.deepEqual(value(' {"a":1} '), { a: 1 });
    assert.deepEqual(value('x ```\n[1,2]\n``` y'), [1, 2]);
    assert.deepEqual(value('The answer is {"a": {"b": 2}}.'), { a: { b: 2 } });
    assert.equal(value('nothing here'), undefined);
  });
});

describe('router: the engine reported over HTTP', () => {
  it('x-cohort-engine: the serving backend for non-streaming replies, the route’s first for streams', async () => {
    const router = createRouterProvider({
      backends: [chat('primary', up1, { retries: { max: 0, baseMs: 0 } }), chat('secondary', up2)],
      routes: { default: ['primary', 'secondary'] },
    });
    const s = await startTestServer({ live: router });
    try {
      const post = (body: unknown) =>
        fetch(`${s.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${s.liveKey}` }, body: JSON.stringify(body) });
      up1.enqueue({ type: 'error', status: 503 });
      up2.enqueue({ type: 'stream', content: ['hello'] });
      const res = await post({ model: 'mavera-1', input: 'hi' });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('x-cohort-engine'), 'secondary');
      const body = await res.json();
      assert.equal(body.output_text, 'hello');

      up1.enqueue({ type: 'stream', content: ['streamed'] });
      const streamed = await post({ model: 'mavera-1', input: 'hi', stream: true });
      assert.equal(streamed.headers.get('x-cohort-engine'), 'primary');
      assert.match(await streamed.text(), /streamed/);
    } finally {
      await s.close();
    }
  });
});
