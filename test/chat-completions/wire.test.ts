/**
 * POST /v1/chat/completions at the wire (raw fetch, sandbox engine): the exact
 * SSE framing of chat.completion.chunk streams, headers, aliases, scopes, the
 * OpenAPI entry, and the request/response conversion functions themselves.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { chatParam, remapError, toChatCompletion, toResponseRequest } from '../../src/chat-completions/convert.js';
import { ChatChunkTranslator } from '../../src/chat-completions/stream.js';
import { chatCompletionRequest } from '../../src/chat-completions/schema.js';
import { ApiError } from '../../src/errors/api-error.js';
import type { ResponseObject } from '../../src/responses/types.js';
import { parseRequest } from '../../src/schemas/validate.js';
import { validateAgainst } from '../../src/util/json-schema.js';
import { readSse, startTestServer, type TestServer } from '../helpers/app.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

const post = (body: unknown, opts: { key?: string; prefix?: string } = {}) =>
  fetch(`${s.url}${opts.prefix ?? '/v1'}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${opts.key ?? s.testKey}` },
    body: JSON.stringify(body),
  });

const tool = {
  type: 'function',
  function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false } },
};

/** Splits an SSE body into its `data:` payloads, asserting OpenAI's framing (data lines only, blank-line separated, [DONE] last). */
async function dataFrames(res: Response): Promise<{ raw: string; chunks: Json[] }> {
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const { raw, events } = await readSse(res);
  assert.ok(raw.endsWith('data: [DONE]\n\n'), 'ends with data: [DONE]');
  assert.ok(!/^event:/m.test(raw), 'no event: lines');
  for (const block of raw.split('\n\n').filter(Boolean)) assert.match(block, /^data: [^\n]+$/, 'one data line per frame');
  assert.equal(events.at(-1)!.data, '[DONE]');
  return { raw, chunks: events.slice(0, -1).map((e) => JSON.parse(e.data)) };
}

describe('wire: non-streaming', () => {
  it('returns application/json with the engine and request id headers; nulls and known unused parameters are accepted', async () => {
    const res = await post({
      model: 'mavera-1',
      messages: [{ role: 'user', content: 'Hello!', name: null }],
      logprobs: null,
      tools: null,
      stop: null,
      modalities: ['text'],
      logit_bias: { '50256': -100 },
      prediction: { type: 'content', content: 'Hello' },
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    assert.equal(res.headers.get('x-cohort-engine'), 'sandbox');
    assert.ok(res.headers.get('x-request-id'));
    const body = await res.json();
    assert.equal(body.object, 'chat.completion');
    assert.equal(body.system_fingerprint, null);
    assert.equal(body.choices[0].message.refusal, null);
    assert.equal('analysis' in body, false, 'no analysis without analysis_mode');
  });

  it('is served under /api/v1 too', async () => {
    const res = await post({ model: 'mavera-1', messages: [{ role: 'user', content: 'hi' }] }, { prefix: '/api/v1' });
    assert.equal(res.status, 200);
    assert.equal((await res.json()).object, 'chat.completion');
  });

  it('needs the responses scope (403 forbidden without it)', async () => {
    const k = await s.accounts.createKey({ workspace: 'acme', mode: 'test', plan: 'pro', scopes: ['personas:read'] });
    const res = await post({ model: 'mavera-1', messages: [{ role: 'user', content: 'hi' }] }, { key: k.key });
    assert.equal(res.status, 403);
    assert.equal((await res.json()).error.code, 'forbidden');
  });

  it('a conversation of only system messages is answered, not rejected', async () => {
    const res = await post({ model: 'mavera-1', messages: [{ role: 'system', content: 'Greet the user.' }] });
    assert.equal(res.status, 200);
  });

  it('an empty messages array is 422 on messages', async () => {
    const res = await post({ model: 'mavera-1', messages: [] });
    assert.equal(res.status, 422);
    assert.equal((await res.json()).error.param, 'messages');
  });

  it('a bad role names the message', async () => {
    const res = await post({ model: 'mavera-1', messages: [{ role: 'user', content: 'x' }, { role: 'robot', content: 'y' }] });
    assert.equal(res.status, 422);
    assert.equal((await res.json()).error.param, 'messages[1].role');
  });

  it('a tool message without tool_call_id is 400 naming it', async () => {
    const res = await post({ model: 'mavera-1', messages: [{ role: 'user', content: 'x' }, { role: 'tool', content: 'y' }] });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).error.param, 'messages[1].tool_call_id');
  });

  it('an unparseable body is 400 on body, like /responses', async () => {
    const res = await fetch(`${s.url}/v1/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${s.testKey}`, 'content-type': 'application/json' }, body: '{oops' });
    assert.equal(res.status, 400);
    assert.equal((await res.json()).error.param, 'body');
  });
});

describe('wire: streaming frames', () => {
  it('text: role chunk, content chunks, finish chunk, [DONE]; same id/created/model everywhere; no usage key', async () => {
    const { chunks } = await dataFrames(await post({ model: 'mavera-1', messages: [{ role: 'user', content: 'Describe a sunset.' }], stream: true }));
    assert.ok(chunks.length >= 4);
    const [first] = chunks;
    assert.match(first.id, /^chatcmpl_[0-9a-f]{24}$/);
    for (const c of chunks) {
      assert.equal(c.id, first.id);
      assert.equal(c.created, first.created);
      assert.equal(c.model, 'mavera-1');
      assert.equal(c.object, 'chat.completion.chunk');
      assert.equal(c.system_fingerprint, null);
      assert.equal('usage' in c, false);
      assert.equal(c.choices.length, 1);
      assert.equal(c.choices[0].index, 0);
      assert.equal(c.choices[0].logprobs, null);
    }
    assert.deepEqual(first.choices[0].delta, { role: 'assistant', content: '', refusal: null });
    assert.equal(first.choices[0].finish_reason, null);
    const middle = chunks.slice(1, -1);
    for (const c of middle) {
      assert.deepEqual(Object.keys(c.choices[0].delta), ['content']);
      assert.equal(c.choices[0].finish_reason, null);
    }
    const last = chunks.at(-1);
    assert.deepEqual(last.choices[0].delta, {});
    assert.equal(last.choices[0].finish_reason, 'stop');
  });

  it('include_usage: usage:null on every chunk, then a choices:[] chunk with usage', async () => {
    const { chunks } = await dataFrames(
      await post({ model: 'mavera-1', messages: [{ role: 'user', content: 'Tell me a long story.' }], stream: true, stream_options: { include_usage: true }, max_tokens: 4 }),
    );
    const usageChunk = chunks.at(-1);
    assert.deepEqual(usageChunk.choices, []);
    assert.equal(usageChunk.usage.completion_tokens, 4);
    assert.deepEqual(Object.keys(usageChunk.usage).sort(), ['completion_tokens', 'completion_tokens_details', 'credits_used', 'prompt_tokens', 'prompt_tokens_details', 'total_tokens']);
    for (const c of chunks.slice(0, -1)) assert.equal(c.usage, null);
    assert.equal(chunks.at(-2).choices[0].finish_reason, 'length');
  });

  it('tool calls: header delta with id/type/name and empty arguments, then argument fragments, finish tool_calls', async () => {
    const { chunks } = await dataFrames(
      await post({ model: 'mavera-1', messages: [{ role: 'user', content: 'Weather in Oslo?' }], tools: [tool], tool_choice: 'required', stream: true }),
    );
    const deltas = chunks.map((c) => c.choices[0].delta);
    assert.deepEqual(deltas[0], { role: 'assistant', content: '', refusal: null });
    const header = deltas[1].tool_calls;
    assert.equal(header.length, 1);
    assert.equal(header[0].index, 0);
    assert.match(header[0].id, /^call_/);
    assert.equal(header[0].type, 'function');
    assert.deepEqual(header[0].function, { name: 'get_weather', arguments: '' });
    const fragments = deltas.slice(2, -1);
    assert.ok(fragments.length >= 1);
    let args = '';
    for (const d of fragments) {
      assert.deepEqual(Object.keys(d), ['tool_calls']);
      assert.deepEqual(Object.keys(d.tool_calls[0]).sort(), ['function', 'index']);
      assert.equal(d.tool_calls[0].index, 0);
      args += d.tool_calls[0].function.arguments;
    }
    assert.ok(validateAgainst(tool.function.parameters, JSON.parse(args)).valid);
    assert.equal(chunks.at(-1).choices[0].finish_reason, 'tool_calls');
  });

  it('errors before the stream starts are plain HTTP errors', async () => {
    const res = await post({ model: 'mavera-1', messages: [{ role: 'user', content: 'hi' }], stream: true, temperature: -1 });
    assert.equal(res.status, 422);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    assert.equal((await res.json()).error.param, 'temperature');
  });
});

describe('conversion', () => {
  const parse = (body: unknown) => parseRequest(chatCompletionRequest, body);

  it('messages → instructions + input items; nested tools → flat; params mapped; never stored', () => {
    const chat = parse({
      model: 'mavera-1',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Look:' }, { type: 'image_url', image_url: { url: 'https://x/y.png', detail: 'high' } }] },
        { role: 'assistant', content: 'Checking.', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: [{ type: 'text', text: 'sunny' }] },
        { role: 'developer', content: 'Use metric units.' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_2', type: 'function', function: { name: 'get_weather', arguments: '{}' } }] },
      ],
      tools: [tool],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' }, strict: true } },
      max_tokens: 10,
      max_completion_tokens: 20,
      temperature: 0.2,
      persona_id: 'p',
      analysis_mode: true,
      store: true,
      stream: true,
    });
    const { request, params } = toResponseRequest(chat);
    assert.equal(request.instructions, 'Be brief.\n\nUse metric units.');
    assert.equal(request.store, false);
    assert.equal(request.max_output_tokens, 20);
    assert.equal(request.temperature, 0.2);
    assert.equal(request.persona_id, 'p');
    assert.equal(request.analysis_mode, true);
    assert.equal(request.stream, undefined);
    // Chat Completions tools are not strict unless they say so (OpenAI's Chat default), unlike Responses tools.
    assert.deepEqual(request.tools, [{ type: 'function', name: 'get_weather', parameters: tool.function.parameters, strict: false }]);
    assert.deepEqual(request.tool_choice, { type: 'function', name: 'get_weather' });
    assert.deepEqual(request.text, { format: { type: 'json_schema', name: 'out', schema: { type: 'object' }, strict: true } });
    assert.deepEqual(request.input, [
      { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Look:' }, { type: 'input_image', image_url: 'https://x/y.png', detail: 'high' }] },
      { type: 'message', role: 'assistant', content: 'Checking.' },
      { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Oslo"}' },
      { type: 'function_call_output', call_id: 'call_1', output: 'sunny' },
      { type: 'function_call', call_id: 'call_2', name: 'get_weather', arguments: '{}' },
    ]);
    assert.deepEqual(params.itemToMessage, [1, 2, 2, 3, 5]);
  });

  it('renames Responses params in errors to the chat request’s', () => {
    const params = { itemToMessage: [1, 2, 2], maxTokensParam: 'max_tokens' as const };
    assert.equal(chatParam('input[2].content', params), 'messages[2].content');
    assert.equal(chatParam('input[0].content[1].image_url', params), 'messages[1].content[1].image_url.url');
    assert.equal(chatParam('input[0].content[1].file_id', params), 'messages[1].content[1].file.file_id');
    assert.equal(chatParam('tools[3].parameters', params), 'tools[3].function.parameters');
    assert.equal(chatParam('tool_choice.tools[1].name', params), 'tool_choice.allowed_tools.tools[1].function.name');
    assert.equal(chatParam('text.format.schema', params), 'response_format.json_schema.schema');
    assert.equal(chatParam('max_output_tokens', params), 'max_tokens');
    assert.equal(chatParam('persona_id', params), 'persona_id');
    const e = remapError(new ApiError('service_unavailable', "'input' is bad", { param: 'input', headers: { 'retry-after': '3' } }), params);
    assert.equal(e.param, 'messages');
    assert.equal(e.message, "'messages' is bad");
    assert.equal(e.status, 503);
    assert.equal(e.headers['retry-after'], '3');
  });

  const response = (over: Partial<ResponseObject>): ResponseObject =>
    ({
      id: 'resp_00112233445566778899aabb',
      object: 'response',
      created_at: 1700000000,
      status: 'completed',
      incomplete_details: null,
      output: [],
      output_text: '',
      service_tier: 'default',
      persona_id: null,
      usage: { input_tokens: 5, input_tokens_details: { cached_tokens: 1 }, output_tokens: 7, output_tokens_details: { reasoning_tokens: 2 }, total_tokens: 12, credits_used: 2 },
      ...over,
    }) as ResponseObject;

  it('Response → chat.completion: id, finish reasons, usage, analysis', () => {
    const c = toChatCompletion(
      response({
        output: [{ type: 'message', id: 'm', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: 'Hi', annotations: [], logprobs: [] }] }],
        output_text: 'Hi',
        persona_id: 'p',
        analysis: { confidence: 7, emotion: { emotional_valence: 6, arousal: 4, dominance: 5 }, biases: [], key_insights: ['hi'] },
      }),
    );
    assert.equal(c.id, 'chatcmpl_00112233445566778899aabb');
    assert.equal(c.created, 1700000000);
    assert.equal(c.choices[0]!.message.content, 'Hi');
    assert.equal(c.choices[0]!.finish_reason, 'stop');
    assert.deepEqual(c.usage, { prompt_tokens: 5, completion_tokens: 7, total_tokens: 12, prompt_tokens_details: { cached_tokens: 1 }, completion_tokens_details: { reasoning_tokens: 2 }, credits_used: 2 });
    assert.equal(c.persona_id, 'p');
    assert.equal((c.analysis as { confidence?: number } | undefined)?.confidence, 7);

    const calls = toChatCompletion(response({ output: [{ type: 'function_call', id: 'fc', call_id: 'call_9', name: 'f', arguments: '{}', status: 'completed' }] }));
    assert.equal(calls.choices[0]!.message.content, null);
    assert.deepEqual(calls.choices[0]!.message.tool_calls, [{ id: 'call_9', type: 'function', function: { name: 'f', arguments: '{}' } }]);
    assert.equal(calls.choices[0]!.finish_reason, 'tool_calls');

    assert.equal(toChatCompletion(response({ status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } })).choices[0]!.finish_reason, 'length');
    assert.equal(toChatCompletion(response({ status: 'incomplete', incomplete_details: { reason: 'content_filter' } })).choices[0]!.finish_reason, 'content_filter');
  });

  it('stream translator: a failure after output is an error frame, then [DONE]', () => {
    const t = new ChatChunkTranslator({ includeUsage: false, params: { itemToMessage: [0], maxTokensParam: 'max_completion_tokens' } });
    const frames = [
      ...t.push({ type: 'response.created', sequence_number: 0, response: response({}) }),
      ...t.push({ type: 'response.output_text.delta', sequence_number: 1, item_id: 'msg_1', output_index: 0, content_index: 0, delta: 'Hel', logprobs: [] }),
      ...t.push({ type: 'error', sequence_number: 2, code: 'service_unavailable', message: 'boom', param: 'input[0].content', error: { type: 'server_error', code: 'service_unavailable', message: 'boom', param: 'input[0].content' } }),
      ...t.push({ type: 'response.failed', sequence_number: 3, response: response({ status: 'failed' }) }),
      ...t.end(),
    ];
    assert.equal(frames.length, 4);
    assert.deepEqual(JSON.parse(frames[2]!.slice(6)), { error: { message: 'boom', type: 'server_error', code: 'service_unavailable', param: 'messages[0].content' } });
    assert.equal(frames[3], 'data: [DONE]\n\n');
  });
});

describe('/openapi.json', () => {
  it('documents POST /chat/completions with the request schema the server validates with', async () => {
    const doc = (await (await fetch(`${s.url}/openapi.json`)).json()) as Json;
    assert.ok(doc.paths['/chat/completions'].post);
    const schema = JSON.parse(JSON.stringify(doc.components.schemas.ChatCompletionRequest).replaceAll('#/components/schemas/', '#/$defs/'));
    schema.$defs = doc.components.schemas;
    assert.ok(validateAgainst(schema, { model: 'mavera-1', messages: [{ role: 'user', content: 'hi' }] }).valid);
    assert.ok(!validateAgainst(schema, { model: 'mavera-1', messages: [{ role: 'user', content: 'hi' }], temperature: 3 }).valid);
    assert.ok(!validateAgainst(schema, { model: 'mavera-1' }).valid);
    assert.deepEqual(schema.required.sort(), ['messages', 'model']);
    assert.ok(doc.components.schemas.ChatCompletion);
  });
});

describe('stream translator: analysis', () => {
  it('puts the response analysis on the finish chunk', () => {
    const t = new ChatChunkTranslator({ includeUsage: true, params: { itemToMessage: [0], maxTokensParam: 'max_completion_tokens' } });
    const r = { id: 'resp_00112233445566778899aabb', created_at: 1, service_tier: 'default', status: 'completed', output: [], usage: null } as unknown as ResponseObject;
    t.push({ type: 'response.created', sequence_number: 0, response: r });
    const frames = t.push({ type: 'response.completed', sequence_number: 1, response: { ...r, analysis: { confidence: 8 } as unknown as NonNullable<ResponseObject['analysis']> } });
    const finish = JSON.parse(frames[0]!.slice(6));
    assert.deepEqual(finish.analysis, { confidence: 8 });
    assert.equal(finish.usage, null);
    assert.equal(finish.choices[0].finish_reason, 'stop');
    assert.deepEqual(JSON.parse(frames[1]!.slice(6)).choices, []);
  });
});
