/**
 * /v1/chat/completions with a live key, served by the OpenAI-compatible Chat
 * Completions provider against the mock upstream: what reached the upstream
 * (persona prompt + instructions as the system message, then the converted
 * conversation), upstream tool calls, failures before and after the first
 * token, and a client disconnect aborting the upstream request.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI, { InternalServerError, APIError } from 'openai';
import { createOpenAIChatProvider } from '../../src/providers/openai/chat/index.js';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { startMockChatUpstream, type MockChatUpstream } from '../helpers/mock-chat-upstream.js';
import { PNG_1x1, startImageServer, type ImageServer } from '../helpers/images.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let s: TestServer;
let upstream: MockChatUpstream;
let client: OpenAI;
let images: ImageServer;
before(async () => {
  upstream = await startMockChatUpstream();
  images = await startImageServer();
  s = await startTestServer({ live: createOpenAIChatProvider({ baseURL: upstream.url, model: 'x' }), imageFetch: { allow: ['127.0.0.1'] } });
  client = new OpenAI({ apiKey: s.liveKey, baseURL: s.baseURL, maxRetries: 0 });
});
after(async () => {
  await s.close();
  await upstream.close();
  await images.close();
});

const post = (body: unknown, signal?: AbortSignal) =>
  fetch(`${s.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${s.liveKey}` },
    body: JSON.stringify(body),
    ...(signal ? { signal } : {}),
  });

describe('chat completions → live upstream', () => {
  it('sends the persona system prompt, then the converted messages', async () => {
    upstream.enqueue({ type: 'stream', content: ['Honestly, ', 'it is great.'] });
    const { data: c, response } = await client.chat.completions
      .create({
        model: 'mavera-1',
        messages: [
          { role: 'system', content: 'Answer in one sentence.' },
          { role: 'user', content: 'What is the weather in Oslo?' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_abc', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }] },
          { role: 'tool', tool_call_id: 'call_abc', content: '{"forecast":"sunny"}' },
          { role: 'user', content: [{ type: 'text', text: 'And would you go outside?' }, { type: 'image_url', image_url: { url: `${images.url}/cat.png` } }] },
        ],
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
        temperature: 0.3,
        max_tokens: 50,
        persona_id: 'gen-z-digital-native',
      } as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .withResponse();
    assert.equal(response.headers.get('x-cohort-engine'), 'openai-chat');
    assert.equal(c.choices[0]!.message.content, 'Honestly, it is great.');
    assert.equal(c.choices[0]!.finish_reason, 'stop');
    assert.equal((c as Json).persona_id, 'gen-z-digital-native');

    const sent = upstream.requests.at(-1)!.body as Json;
    assert.equal(sent.model, 'x');
    assert.equal(sent.temperature, 0.3);
    assert.equal(sent.max_tokens, 50);
    const msgs = sent.messages as Json[];
    assert.equal(msgs[0].role, 'system');
    assert.match(msgs[0].content, /Gen Z Digital Native/, 'the persona prompt comes first');
    assert.ok(msgs[0].content.trimEnd().endsWith('Answer in one sentence.'), 'the system message is appended as instructions');
    assert.deepEqual(msgs.slice(1), [
      { role: 'user', content: 'What is the weather in Oslo?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_abc', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }] },
      { role: 'tool', tool_call_id: 'call_abc', content: '{"forecast":"sunny"}' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'And would you go outside?' },
          // Fetched and verified by the server, handed to the upstream as a data: URL.
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_1x1.toString('base64')}`, detail: 'auto' } },
        ],
      },
    ]);
    assert.equal(sent.tools[0].function.name, 'get_weather');
  });

  it('stop and seed reach the upstream; an upstream that ignores stop still has its text cut there, and its call ends', async () => {
    for (const stream of [false, true]) {
      // Streaming, the upstream then hangs after the stop sequence: the answer must not wait for it.
      upstream.enqueue({ type: 'stream', content: ['Sure. I would', ' buy it. EN', 'D and more', ' text'], hang: stream });
      const params = { model: 'mavera-1', messages: [{ role: 'user' as const, content: 'Would you buy it?' }], stop: ['END', 'NEVER'], seed: 7 };
      let text = '';
      let finish: string | null = null;
      if (stream) {
        for await (const chunk of await client.chat.completions.create({ ...params, stream: true })) {
          text += chunk.choices[0]?.delta.content ?? '';
          finish = chunk.choices[0]?.finish_reason ?? finish;
        }
      } else {
        const c = await client.chat.completions.create(params);
        text = c.choices[0]!.message.content ?? '';
        finish = c.choices[0]!.finish_reason;
      }
      assert.equal(text, 'Sure. I would buy it. ', `stream: ${stream}`);
      assert.equal(finish, 'stop');
      const req = upstream.requests.at(-1)!;
      const sent = req.body as Json;
      assert.deepEqual(sent.stop, ['END', 'NEVER']);
      assert.equal(sent.seed, 7);
      if (stream) {
        await Promise.race([req.closed, new Promise((_, rej) => setTimeout(() => rej(new Error('upstream request was not aborted')), 3000))]);
        assert.equal(req.aborted, true, 'the upstream call was aborted at the stop sequence');
      }
    }
  });

  it('streams upstream text and tool calls as chunks', async () => {
    upstream.enqueue({ type: 'stream', content: ['Let me check. '], toolCalls: [{ id: 'call_up', name: 'get_weather', arguments: ['{"city":', '"Rome"}'] }] });
    const stream = client.chat.completions.stream({
      model: 'mavera-1',
      messages: [{ role: 'user', content: 'Weather in Rome?' }],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
      stream_options: { include_usage: true },
    });
    const final = await stream.finalChatCompletion();
    const msg = final.choices[0]!.message;
    assert.equal(msg.content, 'Let me check. ');
    assert.equal(msg.tool_calls?.length, 1);
    const call = msg.tool_calls![0]!;
    assert.ok(call.type === 'function');
    assert.equal(call.id, 'call_up');
    assert.deepEqual({ name: call.function.name, arguments: call.function.arguments }, { name: 'get_weather', arguments: '{"city":"Rome"}' });
    assert.equal(final.choices[0]!.finish_reason, 'tool_calls');
    assert.ok(final.usage && final.usage.prompt_tokens === 10);
  });

  it('an upstream failure before the first token is an HTTP error, streaming or not', async () => {
    upstream.enqueue({ type: 'error', status: 429, message: 'Rate limit reached', retryAfter: 7 });
    const res = await post({ model: 'mavera-1', messages: [{ role: 'user', content: 'hi' }], stream: true });
    assert.equal(res.status, 503);
    assert.equal(res.headers.get('retry-after'), '7');
    assert.equal((await res.json()).error.code, 'service_unavailable');

    upstream.enqueue({ type: 'error', status: 500, message: 'upstream broke' });
    await assert.rejects(client.chat.completions.create({ model: 'mavera-1', messages: [{ role: 'user', content: 'hi' }] }), (e: unknown) => e instanceof APIError && (e.status ?? 0) >= 500);
  });

  it('a failure mid-stream is a data: {"error":…} frame, then [DONE]', async () => {
    upstream.enqueue({
      type: 'sse',
      frames: ['data: {"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n', 'data: {"error":{"message":"boom","type":"server_error"}}\n\n'],
    } as never);
    const res = await post({ model: 'mavera-1', messages: [{ role: 'user', content: 'hi' }], stream: true });
    assert.equal(res.status, 200);
    const raw = await res.text();
    const frames = raw.split('\n\n').filter(Boolean);
    assert.equal(frames.at(-1), 'data: [DONE]');
    const err = JSON.parse(frames.at(-2)!.slice(6));
    assert.deepEqual(Object.keys(err), ['error']);
    assert.deepEqual(Object.keys(err.error).sort(), ['code', 'message', 'param', 'type']);
    assert.equal(typeof err.error.message, 'string');
    const content = JSON.parse(frames.at(-3)!.slice(6));
    assert.equal(content.choices[0].delta.content, 'Hel');

    // The SDK surfaces the error frame as an APIError while iterating.
    upstream.enqueue({
      type: 'sse',
      frames: ['data: {"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hel"}}]}\n\n', 'data: {"error":{"message":"boom","type":"server_error"}}\n\n'],
    } as never);
    const stream = await client.chat.completions.create({ model: 'mavera-1', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let text = '';
    await assert.rejects(
      (async () => {
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      })(),
      (e: unknown) => e instanceof APIError || e instanceof InternalServerError,
    );
    assert.equal(text, 'Hel');
  });

  it('a client disconnect mid-stream aborts the upstream request', async () => {
    upstream.enqueue({ type: 'stream', content: ['one ', 'two '], hang: true });
    const controller = new AbortController();
    const res = await post({ model: 'mavera-1', messages: [{ role: 'user', content: 'hi' }], stream: true }, controller.signal);
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    let seen = '';
    while (!seen.includes('"content":"two "')) seen += new TextDecoder().decode((await reader.read()).value);
    const req = upstream.requests.at(-1)!;
    controller.abort();
    await Promise.race([req.closed, new Promise((_, rej) => setTimeout(() => rej(new Error('upstream request was not aborted')), 3000))]);
    assert.equal(req.aborted, true);
  });

  it('a client disconnect before the first token aborts the upstream request too', async () => {
    upstream.enqueue({ type: 'hang' });
    const controller = new AbortController();
    const arrived = upstream.waitForRequest(upstream.requests.length);
    const pending = post({ model: 'mavera-1', messages: [{ role: 'user', content: 'hi' }], stream: true }, controller.signal).catch(() => undefined);
    const req = await arrived;
    controller.abort();
    await pending;
    await Promise.race([req.closed, new Promise((_, rej) => setTimeout(() => rej(new Error('upstream request was not aborted')), 3000))]);
    assert.equal(req.aborted, true);
  });
});
