/**
 * Offline pieces of the openai-chat provider: the SSE decoder, recorded
 * OpenAI streams replayed through the chunk decoder, request conversion rules,
 * finish-reason and error mapping.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ApiError } from '../../src/errors/api-error.js';
import { convertRequest, isReasoningModel, usesMaxCompletionTokens } from '../../src/providers/openai/chat/convert-request.js';
import { ChatEventMapper, decodeChatStream, plainTextChunk, SseDecoder, type SseEvent } from '../../src/providers/openai/chat/decode-stream.js';
import { chatChunkSchema } from '../../src/providers/openai/chat/chat-api.js';
import { mapFinishReason } from '../../src/providers/openai/chat/map-finish-reason.js';
import { mapConnectionError, mapUpstreamHttpError, retryAfterHeaders } from '../../src/providers/openai/chat/map-upstream-error.js';
import type { ProviderEvent, ProviderRequest } from '../../src/providers/types.js';
import { countTokens } from '../../src/util/tokens.js';
import { buildStreamFrames, splitBytes } from '../helpers/mock-chat-upstream.js';

const fixture = (name: string): string => readFileSync(new URL(`./__fixtures__/openai-chat/${name}`, import.meta.url), 'utf8');

async function decode(pieces: Iterable<Uint8Array | string>): Promise<ProviderEvent[]> {
  const out: ProviderEvent[] = [];
  for await (const e of decodeChatStream(pieces)) out.push(e);
  return out;
}

function textOf(events: ProviderEvent[]): string {
  return events.map((e) => (e.type === 'text-delta' ? e.delta : '')).join('');
}

function request(over: Partial<ProviderRequest> = {}): ProviderRequest {
  return {
    items: [{ type: 'message', role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
    tools: [],
    toolChoice: { mode: 'auto' },
    parallelToolCalls: true,
    format: { type: 'text' },
    sampling: {},
    signal: new AbortController().signal,
    ...over,
  };
}

describe('SseDecoder', () => {
  const feed = (pieces: string[]): SseEvent[] => {
    const d = new SseDecoder();
    return [...pieces.flatMap((p) => d.push(p)), ...d.end()];
  };

  it('parses data, event, comments and multi-line data', () => {
    const events = feed([': keep-alive\n\nevent: delta\ndata: line one\ndata: line two\n\ndata:no-space\n\n']);
    assert.deepEqual(events, [
      { event: 'delta', data: 'line one\nline two' },
      { event: 'message', data: 'no-space' },
    ]);
  });

  it('gives the same events whatever the split and line ending', () => {
    const text = 'data: {"a":1}\n\n: comment\ndata: x\ndata: y\n\ndata: [DONE]\n\n';
    const expected = feed([text]);
    assert.equal(expected.length, 3);
    for (const eol of ['\n', '\r\n', '\r']) {
      const t = text.replace(/\n/g, eol);
      for (let size = 1; size <= 5; size++) {
        const pieces: string[] = [];
        for (let i = 0; i < t.length; i += size) pieces.push(t.slice(i, i + size));
        assert.deepEqual(feed(pieces), expected, `eol ${JSON.stringify(eol)} size ${size}`);
      }
    }
  });

  it('keeps a CRLF split across pieces as one line end', () => {
    assert.deepEqual(feed(['data: a\r', '\n\r', '\ndata: b\r\n\r\n']), [
      { event: 'message', data: 'a' },
      { event: 'message', data: 'b' },
    ]);
  });

  it('delivers a final event that lacks its blank line', () => {
    assert.deepEqual(feed(['data: last']), [{ event: 'message', data: 'last' }]);
  });
});

describe('recorded OpenAI streams', () => {
  it('text stream (no usage requested): text, estimated output usage, stop', async () => {
    const events = await decode([fixture('text-stream.txt')]);
    const text = "Honestly? I'd pay for it if it saved me a trip to the café ☕—but only at €5 a month.";
    assert.equal(textOf(events), text);
    assert.deepEqual(events.slice(-2), [
      { type: 'usage', inputTokens: 0, outputTokens: countTokens(text) },
      { type: 'finish', reason: 'stop' },
    ]);
  });

  it('text stream split every 3 bytes (mid multi-byte characters) decodes identically', async () => {
    const whole = await decode([fixture('text-stream.txt')]);
    const split = await decode(splitBytes([fixture('text-stream.txt')], { every: 3 }));
    assert.deepEqual(split, whole);
  });

  it('parallel tool calls with a usage chunk', async () => {
    const events = await decode([fixture('parallel-tool-calls.txt')]);
    const args = (i: number) => events.map((e) => (e.type === 'tool-call-delta' && e.index === i ? e.delta : '')).join('');
    assert.deepEqual(events[0], { type: 'tool-call-start', index: 0, callId: 'call_Qk1vS0yX8dJm2LpR5tWb7nZa', name: 'get_weather' });
    assert.deepEqual(
      events.filter((e) => e.type === 'tool-call-start'),
      [
        { type: 'tool-call-start', index: 0, callId: 'call_Qk1vS0yX8dJm2LpR5tWb7nZa', name: 'get_weather' },
        { type: 'tool-call-start', index: 1, callId: 'call_Xr4bN9cT2hVe6KsM1oPd3fUy', name: 'get_time' },
      ],
    );
    assert.equal(args(0), '{"city": "Paris", "unit": "c"}');
    assert.equal(args(1), '{"timezone": "Europe/Paris"}');
    assert.deepEqual(events.slice(-4), [
      { type: 'tool-call-end', index: 0 },
      { type: 'tool-call-end', index: 1 },
      { type: 'usage', inputTokens: 96, outputTokens: 52, cachedTokens: 0, reasoningTokens: 0 },
      { type: 'finish', reason: 'tool_calls' },
    ]);
    assert.equal(events.filter((e) => e.type === 'text-delta').length, 0);
  });

  it('reasoning model stream with cached and reasoning tokens', async () => {
    const events = await decode(splitBytes([fixture('reasoning-usage-stream.txt')], { every: 64 }));
    assert.equal(textOf(events), "As a Gen Z shopper, I'd try it once.");
    assert.deepEqual(events.slice(-2), [
      { type: 'usage', inputTokens: 1342, outputTokens: 211, cachedTokens: 1152, reasoningTokens: 192 },
      { type: 'finish', reason: 'stop' },
    ]);
  });

  it('mock upstream frames match the decoder (tool call without id, role chunk carrying the first call)', async () => {
    const frames = buildStreamFrames({ toolCalls: [{ id: null, name: 'f', arguments: ['{"x"', ':1}'] }] }, { stream_options: { include_usage: true } });
    const events = await decode(frames);
    assert.equal(events[0]!.type, 'tool-call-start');
    assert.deepEqual(events.at(-2), { type: 'usage', inputTokens: 10, outputTokens: 2, cachedTokens: 0, reasoningTokens: 0 });
  });
});

describe('plainTextChunk (the hand-checked fast path)', () => {
  const accepted: unknown[] = [
    { id: 'c1', object: 'chat.completion.chunk', model: 'gpt-4o-mini', choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null, logprobs: null }] },
    { id: 'c1', choices: [{ index: 0, delta: { content: 'Hi' } }], obfuscation: 'x' },
    { choices: [{ delta: { content: null, refusal: 'no', tool_calls: null }, finish_reason: 'stop' }], usage: null },
    { id: null, model: null, choices: [{ index: null, delta: null, finish_reason: 'length' }] },
    { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }], system_fingerprint: 'fp' },
    { choices: [{ index: 0, delta: { content: 'x', reasoning_content: 'why' } }] },
  ];
  const deferred: unknown[] = [
    { choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_1', function: { name: 'f', arguments: '' } }] } }] },
    { choices: [], usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 } },
    { choices: [{ index: 0, delta: { content: 'a' } }, { index: 1, delta: { content: 'b' } }] },
    { choices: [{ index: 0, delta: { content: 5 } }] },
    { choices: [{ index: '0', delta: { content: 'a' } }] },
    { choices: null },
    { choices: [{ delta: [] }] },
    'text',
    null,
  ];

  it('gives what the schema gives for the chunks it accepts', () => {
    for (const chunk of accepted) {
      const fast = plainTextChunk(chunk);
      assert.ok(fast, JSON.stringify(chunk));
      assert.deepEqual(fast, chatChunkSchema.parse(chunk), JSON.stringify(chunk));
    }
  });

  it('leaves everything else to the schema', () => {
    for (const chunk of deferred) assert.equal(plainTextChunk(chunk), undefined, JSON.stringify(chunk));
  });
});

describe('ChatEventMapper quirks', () => {
  it('separates calls that a server sends all with index 0 but different ids', () => {
    const m = new ChatEventMapper({ generateCallId: () => 'call_gen' });
    const events = [
      ...m.push({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'a', function: { name: 'one', arguments: '{}' } }] } }] }),
      ...m.push({ choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'b', function: { name: 'two', arguments: '{"k":1}' } }] } }] }),
      ...m.push({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }),
      ...m.end(),
    ];
    assert.deepEqual(
      events.filter((e) => e.type === 'tool-call-start'),
      [
        { type: 'tool-call-start', index: 0, callId: 'a', name: 'one' },
        { type: 'tool-call-start', index: 1, callId: 'b', name: 'two' },
      ],
    );
    assert.deepEqual(events.at(-1), { type: 'finish', reason: 'tool_calls' });
  });

  it('accepts already-parsed argument objects and calls without index', () => {
    const m = new ChatEventMapper();
    const events = [
      ...m.push({ choices: [{ delta: { tool_calls: [{ id: 'x', function: { name: 'f', arguments: { a: 1 } } }] }, finish_reason: 'tool_calls' }] }),
      ...m.end(),
    ];
    assert.deepEqual(events.slice(0, 3), [
      { type: 'tool-call-start', index: 0, callId: 'x', name: 'f' },
      { type: 'tool-call-delta', index: 0, delta: '{"a":1}' },
      { type: 'tool-call-end', index: 0 },
    ]);
  });

  it('an unparseable or error stream throws ApiError instead of SyntaxError', async () => {
    await assert.rejects(decode(['data: {oops\n\n']), (e: unknown) => e instanceof ApiError && e.code === 'service_unavailable');
    await assert.rejects(
      decode(['data: {"error":{"message":"This model\'s maximum context length is 8192 tokens","type":"BadRequestError","code":400}}\n\n']),
      (e: unknown) => e instanceof ApiError && e.code === 'invalid_request' && e.message.startsWith('The model backend rejected the request: '),
    );
  });
});

describe('convertRequest rules', () => {
  it('max_completion_tokens only for OpenAI hosts', () => {
    assert.equal(usesMaxCompletionTokens('https://api.openai.com/v1'), true);
    assert.equal(usesMaxCompletionTokens('https://my.openai.azure.com/openai/v1'), true);
    assert.equal(usesMaxCompletionTokens('http://localhost:11434/v1'), false);
    const openai = convertRequest(request({ sampling: { maxOutputTokens: 50 } }), { model: 'gpt-4o', baseURL: 'https://api.openai.com/v1' });
    assert.equal(openai.max_completion_tokens, 50);
    assert.equal(openai.max_tokens, undefined);
    const local = convertRequest(request({ sampling: { maxOutputTokens: 50 } }), { model: 'qwen3', baseURL: 'http://localhost:8000/v1' });
    assert.equal(local.max_tokens, 50);
    assert.equal(local.max_completion_tokens, undefined);
  });

  it('stop sequences and seed are sent as stop and seed', () => {
    const body = convertRequest(request({ sampling: { stop: ['END', '\n\n'], seed: 42 } }), { model: 'm', baseURL: 'http://x/v1' });
    assert.deepEqual(body.stop, ['END', '\n\n']);
    assert.equal(body.seed, 42);
    const plain = convertRequest(request(), { model: 'm', baseURL: 'http://x/v1' });
    assert.ok(!('stop' in plain) && !('seed' in plain));
    // OpenAI's reasoning models reject `stop` (the run applies it itself).
    const reasoning = convertRequest(request({ sampling: { stop: ['END'], seed: 1 } }), { model: 'o4-mini', baseURL: 'https://api.openai.com/v1' });
    assert.ok(!('stop' in reasoning));
    assert.equal(reasoning.seed, 1);
  });

  it('recognizes reasoning models by name', () => {
    for (const m of ['o1', 'o3-mini', 'o4-mini-2025-04-16', 'gpt-5', 'gpt-5-mini', 'gpt-5.1', 'openai/o3']) assert.equal(isReasoningModel(m), true, m);
    for (const m of ['gpt-4o', 'gpt-4.1-mini', 'gpt-5-chat-latest', 'llama3.2', 'qwen3:8b', 'omni-model']) assert.equal(isReasoningModel(m), false, m);
    const body = convertRequest(request({ sampling: { reasoningEffort: 'medium', verbosity: 'high' } }), { model: 'gpt-5-mini', baseURL: 'https://api.openai.com/v1' });
    assert.equal(body.reasoning_effort, 'medium');
    assert.equal(body.verbosity, 'high');
  });

  it("tool_choice 'allowed' filters tools; no tools → no tool_choice or parallel_tool_calls", () => {
    const tools = ['a', 'b', 'c'].map((name) => ({ name, parameters: { type: 'object', properties: {} }, strict: false }));
    const body = convertRequest(request({ tools, toolChoice: { mode: 'allowed', required: true, names: ['a', 'c'] } }), { model: 'm', baseURL: 'http://x/v1' });
    assert.deepEqual(body.tools?.map((t) => t.function.name), ['a', 'c']);
    assert.equal(body.tool_choice, 'required');
    assert.equal(body.parallel_tool_calls, true);
    const none = convertRequest(request({ toolChoice: { mode: 'required' } }), { model: 'm', baseURL: 'http://x/v1' });
    assert.equal(none.tools, undefined);
    assert.equal(none.tool_choice, undefined);
    assert.equal(none.parallel_tool_calls, undefined);
  });

  it('json_object format and non-streaming body', () => {
    const body = convertRequest(request({ format: { type: 'json_object' } }), { model: 'm', baseURL: 'http://x/v1', stream: false });
    assert.deepEqual(body.response_format, { type: 'json_object' });
    assert.equal(body.stream, undefined);
    assert.equal(body.stream_options, undefined);
  });

  it('rejects file inputs given only by URL', () => {
    assert.throws(
      () =>
        convertRequest(request({ items: [{ type: 'message', role: 'user', content: [{ type: 'file', url: 'https://x/a.pdf' }] }] }), {
          model: 'm',
          baseURL: 'http://x/v1',
        }),
      (e: unknown) => e instanceof ApiError && e.code === 'invalid_request',
    );
  });
});

describe('mapping', () => {
  it('maps finish reasons', () => {
    assert.equal(mapFinishReason('stop'), 'stop');
    assert.equal(mapFinishReason('length'), 'length');
    assert.equal(mapFinishReason('tool_calls'), 'tool_calls');
    assert.equal(mapFinishReason('function_call'), 'tool_calls');
    assert.equal(mapFinishReason('content_filter'), 'content_filter');
    assert.equal(mapFinishReason(null), 'stop');
    assert.equal(mapFinishReason('weird'), 'stop');
    assert.equal(mapFinishReason('stop', true), 'tool_calls');
    assert.equal(mapFinishReason(null, true), 'tool_calls');
    assert.equal(mapFinishReason('length', true), 'length');
  });

  it('derives retry-after', () => {
    assert.deepEqual(retryAfterHeaders(new Headers({ 'retry-after': '12' })), { 'retry-after': '12' });
    assert.deepEqual(retryAfterHeaders(new Headers({ 'retry-after-ms': '250' })), { 'retry-after': '1', 'retry-after-ms': '250' });
    const date = new Date(Date.now() + 30_000).toUTCString();
    const fromDate = Number(retryAfterHeaders(new Headers({ 'retry-after': date }))['retry-after']);
    assert.ok(fromDate >= 28 && fromDate <= 31, String(fromDate));
    assert.deepEqual(
      retryAfterHeaders(new Headers({ 'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-reset-tokens': '6m0s' })),
      { 'retry-after': '360' },
    );
    assert.deepEqual(retryAfterHeaders(new Headers()), {});
  });

  it('maps statuses', () => {
    const ctx = { url: 'https://api.example.com/v1/chat/completions', model: 'm', apiKey: 'sk-abcdefghijkl' };
    const h = new Headers();
    assert.equal(mapUpstreamHttpError(408, h, '', ctx).code, 'service_unavailable');
    assert.equal(mapUpstreamHttpError(503, h, '<html>', ctx).code, 'service_unavailable');
    assert.equal(mapUpstreamHttpError(403, h, '', ctx).code, 'service_unavailable');
    const invalid = mapUpstreamHttpError(422, h, '{"detail":[{"loc":["body","x"],"msg":"field required sk-abcdefghijkl"}]}', ctx);
    assert.equal(invalid.code, 'invalid_request');
    assert.equal(invalid.message, 'The model backend (api.example.com, model m) rejected the request with HTTP 422: field required [redacted]');
    const quota = mapUpstreamHttpError(429, h, '{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}', ctx);
    assert.equal(quota.code, 'service_unavailable');
    assert.match(quota.message, /quota/);
    const conn = mapConnectionError(new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }) }), ctx);
    assert.equal(conn.message.includes('api.example.com'), true);
    assert.equal(conn.message.includes('/v1'), false);
    assert.match(conn.message, /ENOTFOUND/);
  });
});
