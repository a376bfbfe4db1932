/**
 * Live keys through the Chat Completions upstream, at the wire: what was sent
 * upstream (persona prompt first, instructions after), the streamed reply, and
 * a client disconnect mid-stream aborting the upstream request.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { createOpenAIChatProvider } from '../../src/providers/openai/chat/index.js';
import { readSse, startTestServer, type TestServer } from '../helpers/app.js';
import { startMockChatUpstream, type MockChatUpstream } from '../helpers/mock-chat-upstream.js';

let s: TestServer;
let upstream: MockChatUpstream;
before(async () => {
  upstream = await startMockChatUpstream();
  s = await startTestServer({ live: createOpenAIChatProvider({ baseURL: upstream.url, model: 'gpt-test', apiKey: 'sk-upstream' }) });
});
after(async () => {
  await s.close();
  await upstream.close();
});

const post = (body: unknown) =>
  fetch(`${s.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${s.liveKey}` }, body: JSON.stringify(body) });

describe('live upstream', () => {
  it('sends the persona prompt first, instructions after, and returns the answer', async () => {
    upstream.enqueue({ type: 'stream', content: ['Honestly, ', 'it depends.'] });
    const res = await post({ model: 'mavera-1', input: 'Would you buy this?', persona_id: 'gen-z-digital-native', instructions: 'Answer in one sentence.', temperature: 0.3 });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-cohort-engine'), 'openai-chat');
    const body = await res.json();
    assert.equal(body.output_text, 'Honestly, it depends.');
    const sent = upstream.requests.at(-1)!;
    assert.equal(sent.headers.authorization, 'Bearer sk-upstream');
    const msgs = (sent.body as any).messages;
    assert.equal(msgs[0].role, 'system');
    assert.match(msgs[0].content, /Gen Z Digital Native/);
    assert.ok(msgs[0].content.trimEnd().endsWith('Answer in one sentence.'), 'instructions are appended after the persona prompt');
    assert.deepEqual(msgs[1], { role: 'user', content: 'Would you buy this?' });
    assert.equal((sent.body as any).model, 'gpt-test');
    assert.equal((sent.body as any).temperature, 0.3);
    assert.ok(body.usage.input_tokens > 0);
  });

  it('turns an upstream 429 into 503 service_unavailable with retry-after', async () => {
    upstream.enqueue({ type: 'error', status: 429, message: 'Rate limit reached', retryAfter: 7 });
    const res = await post({ model: 'mavera-1', input: 'hi' });
    assert.equal(res.status, 503);
    assert.equal((await res.json()).error.code, 'service_unavailable');
    assert.equal(res.headers.get('retry-after'), '7');
  });

  it('ends a stream that fails upstream with the error event, then response.failed', async () => {
    upstream.enqueue({ type: 'sse', frames: ['data: {"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n', 'data: {"error":{"message":"boom","type":"server_error"}}\n\n'] } as any);
    const res = await post({ model: 'mavera-1', input: 'hi', stream: true });
    const { events } = await readSse(res);
    assert.equal(events.pop()!.data, '[DONE]');
    const types = events.map((e) => e.event);
    assert.deepEqual(types.slice(-2), ['error', 'response.failed']);
    const err = JSON.parse(events.at(-2)!.data);
    assert.equal(typeof err.code, 'string');
    assert.equal(err.error.code, err.code);
    const failed = JSON.parse(events.at(-1)!.data).response;
    assert.equal(failed.status, 'failed');
    assert.ok(failed.usage, 'usage is non-null in terminal events');
  });

  it('aborts the upstream request when the client disconnects mid-stream', async () => {
    upstream.enqueue({ type: 'stream', content: ['one ', 'two '], hang: true });
    const controller = new AbortController();
    const res = await fetch(`${s.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${s.liveKey}` },
      body: JSON.stringify({ model: 'mavera-1', input: 'hi', stream: true }),
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    let seen = '';
    while (!seen.includes('response.output_text.delta')) seen += new TextDecoder().decode((await reader.read()).value);
    const req = upstream.requests.at(-1)!;
    controller.abort();
    await Promise.race([req.closed, new Promise((_, rej) => setTimeout(() => rej(new Error('upstream request was not aborted')), 3000))]);
    assert.equal(req.aborted, true);
  });
});

describe('live upstream: whole answers for non-streaming requests', () => {
  const client = () => new OpenAI({ apiKey: s.liveKey, baseURL: `${s.url}/v1`, maxRetries: 0 });
  const sentStream = () => (upstream.requests.at(-1)!.body as { stream?: boolean }).stream === true;

  it('asks the upstream for a stream only when the client reads one (openai SDK)', async () => {
    const openai = client();
    upstream.enqueue({ type: 'stream', content: ['One ', 'reply.'] });
    const plain = await openai.responses.create({ model: 'mavera-1', input: 'hi', persona_id: 'gen-z-digital-native' } as never);
    assert.equal(plain.output_text, 'One reply.');
    assert.equal(sentStream(), false, 'non-streaming: one JSON reply from the upstream');
    assert.ok(plain.usage!.output_tokens > 0 && (plain.usage as unknown as { credits_used: number }).credits_used > 0, 'usage and credits come from the whole reply');

    upstream.enqueue({ type: 'stream', content: ['One ', 'reply.'] });
    let text = '';
    for await (const e of await openai.responses.create({ model: 'mavera-1', input: 'hi', stream: true })) if (e.type === 'response.output_text.delta') text += e.delta;
    assert.equal(text, 'One reply.');
    assert.equal(sentStream(), true, 'streaming: streamed from the upstream');

    upstream.enqueue({ type: 'stream', content: ['One ', 'reply.'] });
    const bg = await openai.responses.create({ model: 'mavera-1', input: 'hi', background: true });
    let done = bg;
    for (let i = 0; i < 100 && (done.status === 'queued' || done.status === 'in_progress'); i++) {
      await new Promise((r) => setTimeout(r, 20));
      done = await openai.responses.retrieve(bg.id);
    }
    assert.equal(done.output_text, 'One reply.');
    assert.equal(sentStream(), true, 'background: streamed (its events can be read while it runs)');

    upstream.enqueue({ type: 'stream', content: ['One ', 'reply.'] });
    const chat = await openai.chat.completions.create({ model: 'mavera-1', messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(chat.choices[0]!.message.content, 'One reply.');
    assert.equal(sentStream(), false, 'non-streaming Chat Completions: one JSON reply');
  });

  it('a non-streaming client that walks away aborts the whole-answer call and is charged for its input only', async () => {
    const ledgerRows = async () => (await s.db.selectFrom('credit_ledger').selectAll().where('kind', '=', 'debit').execute()).length;
    const before = await ledgerRows();
    upstream.enqueue({ type: 'hang' });
    const controller = new AbortController();
    const pending = fetch(`${s.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${s.liveKey}` },
      body: JSON.stringify({ model: 'mavera-1', input: 'Would you buy this?' }),
      signal: controller.signal,
    }).catch((err: unknown) => err);
    const req = await upstream.waitForRequest(upstream.requests.length);
    assert.notEqual((req.body as { stream?: boolean }).stream, true);
    controller.abort();
    await pending;
    await req.closed;
    assert.equal(req.aborted, true, 'the upstream call was aborted');
    let rows: Array<{ amount: unknown; output_tokens: unknown; input_tokens: unknown }> = [];
    for (let i = 0; i < 100 && rows.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      if ((await ledgerRows()) > before) rows = await s.db.selectFrom('credit_ledger').selectAll().where('kind', '=', 'debit').orderBy('id', 'desc').limit(1).execute();
    }
    assert.equal(rows.length, 1, 'the abandoned response was settled');
    assert.ok(Number(rows[0]!.amount) < 0);
    assert.ok(Number(rows[0]!.input_tokens) > 0);
    assert.equal(Number(rows[0]!.output_tokens), 0);
  });
});
