/**
 * Offline pieces of the openai-responses provider: recorded streams replayed
 * through the decoder, servers that skip events, request conversion rules,
 * finish-reason and error mapping.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ApiError } from '../../src/errors/api-error.js';
import { convertRequest } from '../../src/providers/openai/responses/convert-request.js';
import { decodeResponsesStream, responseToEvents, ResponsesEventMapper } from '../../src/providers/openai/responses/decode-stream.js';
import { mapFinishReason } from '../../src/providers/openai/responses/map-finish-reason.js';
import { mapErrorEvent, mapResponseFailure, mapUpstreamHttpError } from '../../src/providers/openai/responses/map-upstream-error.js';
import type { ProviderEvent, ProviderRequest } from '../../src/providers/types.js';
import { countTokens } from '../../src/util/tokens.js';
import { splitBytes } from '../helpers/mock-chat-upstream.js';
import { buildResponsesFrames, frame } from '../helpers/mock-responses-upstream.js';

const fixture = (name: string): string => readFileSync(new URL(`./__fixtures__/openai-responses/${name}`, import.meta.url), 'utf8');

async function decode(pieces: Iterable<Uint8Array | string>): Promise<ProviderEvent[]> {
  const out: ProviderEvent[] = [];
  for await (const e of decodeResponsesStream(pieces)) out.push(e);
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

describe('recorded Responses streams', () => {
  it('gpt-5 text stream with a reasoning item: text, cached and reasoning usage, stop', async () => {
    const events = await decode([fixture('text-stream.txt')]);
    assert.equal(textOf(events), "As a Gen Z shopper, I'd try it once — for £4.99 tops 🙂");
    assert.deepEqual(events.slice(-2), [
      { type: 'usage', inputTokens: 1342, outputTokens: 211, cachedTokens: 1152, reasoningTokens: 192 },
      { type: 'finish', reason: 'stop' },
    ]);
  });

  it('split every 3 bytes (mid multi-byte characters) decodes identically', async () => {
    const whole = await decode([fixture('text-stream.txt')]);
    const split = await decode(splitBytes([fixture('text-stream.txt')], { every: 3 }));
    assert.deepEqual(split, whole);
  });

  it('two function calls', async () => {
    const events = await decode([fixture('function-calls-stream.txt')]);
    assert.deepEqual(
      events.filter((e) => e.type === 'tool-call-start' || e.type === 'tool-call-end'),
      [
        { type: 'tool-call-start', index: 0, callId: 'call_Qk1vS0yX8dJm2LpR5tWb7nZa', name: 'get_weather' },
        { type: 'tool-call-end', index: 0 },
        { type: 'tool-call-start', index: 1, callId: 'call_Xr4bN9cT2hVe6KsM1oPd3fUy', name: 'get_time' },
        { type: 'tool-call-end', index: 1 },
      ],
    );
    assert.deepEqual(events.at(-1), { type: 'finish', reason: 'tool_calls' });
    assert.equal(events.filter((e) => e.type === 'text-delta').length, 0);
  });

  it('incomplete (max_output_tokens) → length', async () => {
    const events = await decode([fixture('incomplete-stream.txt')]);
    assert.equal(textOf(events), "Honestly, the price feels steep for what it is, and I'd want to");
    assert.deepEqual(events.slice(-2), [
      { type: 'usage', inputTokens: 58, outputTokens: 16, cachedTokens: 0, reasoningTokens: 0 },
      { type: 'finish', reason: 'length' },
    ]);
  });

  it('mock upstream frames match the decoder', async () => {
    const frames = buildResponsesFrames({ content: ['a', 'b'], functionCalls: [{ callId: 'c', name: 'f', arguments: ['{"x"', ':1}'] }] });
    const events = await decode(frames);
    assert.equal(textOf(events), 'ab');
    assert.deepEqual(events.at(-2), { type: 'usage', inputTokens: 12, outputTokens: 4, cachedTokens: 0, reasoningTokens: 0 });
  });
});

describe('ResponsesEventMapper with lenient servers', () => {
  it('arguments only in function_call_arguments.done / output_item.done are reported once', () => {
    const m = new ResponsesEventMapper();
    const item = { id: 'fc_1', type: 'function_call', call_id: 'call_1', name: 'f', arguments: '', status: 'in_progress' };
    const events = [
      ...m.push({ type: 'response.output_item.added', output_index: 0, item }),
      ...m.push({ type: 'response.function_call_arguments.delta', output_index: 0, item_id: 'fc_1', delta: '{"a"' }),
      ...m.push({ type: 'response.function_call_arguments.done', output_index: 0, item_id: 'fc_1', arguments: '{"a":1}' }),
      ...m.push({ type: 'response.output_item.done', output_index: 0, item: { ...item, arguments: '{"a":1}', status: 'completed' } }),
      ...m.push({ type: 'response.completed', response: { status: 'completed', output: [{ ...item, arguments: '{"a":1}' }] } }),
      ...m.end(),
    ];
    assert.deepEqual(events.slice(0, 4), [
      { type: 'tool-call-start', index: 0, callId: 'call_1', name: 'f' },
      { type: 'tool-call-delta', index: 0, delta: '{"a"' },
      { type: 'tool-call-delta', index: 0, delta: ':1}' },
      { type: 'tool-call-end', index: 0 },
    ]);
    assert.equal(events.filter((e) => e.type === 'tool-call-start').length, 1);
  });

  it('a server that sends only the terminal event: output reported from response.output; usage estimated', () => {
    const m = new ResponsesEventMapper({ estimateInputTokens: () => 9 });
    const events = [
      ...m.push({
        type: 'response.completed',
        response: {
          status: 'completed',
          output: [
            { type: 'message', content: [{ type: 'output_text', text: 'Hello there' }] },
            { type: 'function_call', call_id: 'call_z', name: 'g', arguments: { k: 1 } },
          ],
        },
      }),
      ...m.end(),
    ];
    assert.deepEqual(events, [
      { type: 'text-delta', delta: 'Hello there' },
      { type: 'tool-call-start', index: 0, callId: 'call_z', name: 'g' },
      { type: 'tool-call-delta', index: 0, delta: '{"k":1}' },
      { type: 'tool-call-end', index: 0 },
      { type: 'usage', inputTokens: 9, outputTokens: countTokens('Hello thereg{"k":1}') },
      { type: 'finish', reason: 'tool_calls' },
    ]);
  });

  it('uses the SSE event name when the payload has no type; ignores unknown events', () => {
    const m = new ResponsesEventMapper();
    assert.deepEqual(m.push({ delta: 'x' }, 'response.output_text.delta'), [{ type: 'text-delta', delta: 'x' }]);
    assert.deepEqual(m.push({ type: 'response.web_search_call.searching', item_id: 'ws' }), []);
    assert.deepEqual(m.push({ type: 'keepalive' }), []);
  });

  it('a function call without call_id gets a generated id', () => {
    const m = new ResponsesEventMapper({ generateCallId: () => 'call_gen' });
    const events = m.push({ type: 'response.output_item.added', output_index: 0, item: { type: 'function_call', name: 'f', arguments: '' } });
    assert.deepEqual(events, [{ type: 'tool-call-start', index: 0, callId: 'call_gen', name: 'f' }]);
  });

  it('errors: failed, error event, malformed, truncated', async () => {
    await assert.rejects(decode([frame({ type: 'response.failed', response: { status: 'failed', error: { code: 'server_error', message: 'x' } } })]), (e: unknown) => e instanceof ApiError && e.code === 'service_unavailable');
    await assert.rejects(decode(['event: error\ndata: {"type":"error","error":{"type":"invalid_request_error","code":"invalid_prompt","message":"Invalid prompt: flagged."}}\n\n']), (e: unknown) => e instanceof ApiError && e.code === 'invalid_request' && e.message === 'The model backend rejected the request: Invalid prompt: flagged.');
    await assert.rejects(decode(['data: {oops\n\n']), (e: unknown) => e instanceof ApiError && e.code === 'service_unavailable');
    await assert.rejects(decode([frame({ type: 'response.output_text.delta', delta: 'x' })]), (e: unknown) => e instanceof ApiError && e.code === 'service_unavailable');
    await assert.rejects(decode([frame({ type: 'response.output_text.delta', delta: 42 })]), (e: unknown) => e instanceof ApiError && e.code === 'service_unavailable');
  });

  it('non-streaming bodies: incomplete, failed, error, garbage', () => {
    const incomplete = responseToEvents({ object: 'response', status: 'incomplete', incomplete_details: { reason: 'content_filter' }, output: [], usage: { input_tokens: 1, output_tokens: 0 } });
    assert.deepEqual(incomplete.at(-1), { type: 'finish', reason: 'content_filter' });
    assert.throws(() => responseToEvents({ object: 'response', status: 'failed', error: { code: 'server_error', message: 'x' }, output: [] }), (e: unknown) => e instanceof ApiError && e.code === 'service_unavailable');
    assert.throws(() => responseToEvents({ error: { message: 'bad', type: 'invalid_request_error' } }), (e: unknown) => e instanceof ApiError && e.code === 'invalid_request');
    assert.throws(() => responseToEvents({ hello: 1 }), (e: unknown) => e instanceof ApiError && e.code === 'service_unavailable');
  });
});

describe('convertRequest rules', () => {
  it("tool_choice 'allowed' filters tools; no tools → no tool_choice or parallel_tool_calls", () => {
    const tools = ['a', 'b', 'c'].map((name) => ({ name, parameters: { type: 'object', properties: {} }, strict: false }));
    const body = convertRequest(request({ tools, toolChoice: { mode: 'allowed', required: true, names: ['a', 'c'] } }), { model: 'm' });
    assert.deepEqual(body.tools?.map((t) => t.name), ['a', 'c']);
    assert.equal(body.tool_choice, 'required');
    assert.equal(body.parallel_tool_calls, true);
    const none = convertRequest(request({ toolChoice: { mode: 'none' } }), { model: 'm' });
    assert.equal(none.tools, undefined);
    assert.equal(none.tool_choice, undefined);
    assert.equal(none.parallel_tool_calls, undefined);
  });

  it('json_object format, non-reasoning models drop reasoning/verbosity, non-streaming body', () => {
    const body = convertRequest(request({ format: { type: 'json_object' }, sampling: { reasoningEffort: 'high', verbosity: 'low' } }), { model: 'gpt-4o', stream: false });
    assert.deepEqual(body.text, { format: { type: 'json_object' } });
    assert.equal(body.reasoning, undefined);
    assert.equal(body.stream, undefined);
    assert.equal(body.store, false);
    const o3 = convertRequest(request({ sampling: { reasoningEffort: 'high', verbosity: 'low' } }), { model: 'o3' });
    assert.deepEqual(o3.reasoning, { effort: 'high' });
    assert.equal(o3.text, undefined, 'verbosity is a gpt-5 setting');
  });

  it('file parts keep url and id; empty assistant and non-text system parts are dropped', () => {
    const body = convertRequest(
      request({
        items: [
          { type: 'message', role: 'system', content: [{ type: 'image', url: 'https://x/y.png', detail: 'auto' }] },
          { type: 'message', role: 'user', content: [{ type: 'file', url: 'https://x/a.pdf' }, { type: 'file', fileId: 'file-1' }] },
          { type: 'message', role: 'assistant', content: [] },
        ],
      }),
      { model: 'm' },
    );
    assert.deepEqual(body.input, [
      { type: 'message', role: 'user', content: [{ type: 'input_file', file_url: 'https://x/a.pdf' }, { type: 'input_file', file_id: 'file-1' }] },
    ]);
  });
});

describe('mapping', () => {
  it('maps finish reasons', () => {
    assert.equal(mapFinishReason('completed', null), 'stop');
    assert.equal(mapFinishReason('completed', null, true), 'tool_calls');
    assert.equal(mapFinishReason('incomplete', 'max_output_tokens'), 'length');
    assert.equal(mapFinishReason('incomplete', 'content_filter', true), 'content_filter');
    assert.equal(mapFinishReason('incomplete', 'something_new'), 'length');
    assert.equal(mapFinishReason(undefined, undefined), 'stop');
  });

  it('maps failures by code', () => {
    const ctx = { url: 'https://api.openai.com/v1/responses', model: 'm', apiKey: 'sk-abcdefghijkl' };
    assert.equal(mapResponseFailure({ code: 'rate_limit_exceeded', message: 'slow down org-x' }, ctx).code, 'service_unavailable');
    assert.ok(!mapResponseFailure({ code: 'rate_limit_exceeded', message: 'slow down org-x' }, ctx).message.includes('org-x'));
    assert.equal(mapResponseFailure({ code: 'image_too_large', message: 'too big' }, ctx).code, 'invalid_request');
    assert.equal(mapResponseFailure(undefined, ctx).code, 'service_unavailable');
    assert.equal(mapErrorEvent({ type: 'error', code: 'invalid_api_key', message: 'bad key sk-abcdefghijkl' }, ctx).code, 'service_unavailable');
    const invalid = mapErrorEvent({ type: 'error', code: 400, message: 'bad sk-abcdefghijkl' }, ctx);
    assert.equal(invalid.code, 'invalid_request');
    assert.equal(invalid.message, 'The model backend (api.openai.com, model m) rejected the request: bad [redacted]');
    const http = mapUpstreamHttpError(400, new Headers(), '{"error":{"message":"Invalid input","type":"invalid_request_error","param":"input[3].content[0].image_url","code":null}}', ctx);
    assert.equal(http.param, 'input');
    assert.equal(mapUpstreamHttpError(503, new Headers({ 'retry-after': '4' }), '', ctx).headers['retry-after'], '4');
  });
});
