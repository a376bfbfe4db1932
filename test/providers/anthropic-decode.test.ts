/**
 * Offline pieces of the anthropic provider: recorded streams replayed through
 * the decoder, request conversion rules (alternation, placeholders, JSON output
 * emulation, files), finish-reason and error mapping.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ApiError } from '../../src/errors/api-error.js';
import { convertRequest, PLACEHOLDER_USER_TEXT } from '../../src/providers/anthropic/convert-request.js';
import { AnthropicEventMapper, decodeAnthropicStream, type AnthropicDecodeOptions } from '../../src/providers/anthropic/decode-stream.js';
import { mapFinishReason } from '../../src/providers/anthropic/map-finish-reason.js';
import { anthropicRetryAfter, mapConnectionError, mapStreamError, mapUpstreamHttpError } from '../../src/providers/anthropic/map-upstream-error.js';
import type { ProviderEvent, ProviderRequest } from '../../src/providers/types.js';
import { countTokens } from '../../src/util/tokens.js';
import { splitBytes } from '../helpers/mock-chat-upstream.js';
import { buildAnthropicFrames, frame } from '../helpers/mock-anthropic-upstream.js';

const fixture = (name: string): string => readFileSync(new URL(`./__fixtures__/anthropic/${name}`, import.meta.url), 'utf8');

async function decode(pieces: Iterable<Uint8Array | string>, options: AnthropicDecodeOptions = {}): Promise<ProviderEvent[]> {
  const out: ProviderEvent[] = [];
  for await (const e of decodeAnthropicStream(pieces, options)) out.push(e);
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

const opts = { model: 'claude-sonnet-4-5', maxTokens: 4096 };

describe('recorded Anthropic streams', () => {
  it('text stream: text, usage, stop', async () => {
    const events = await decode([fixture('text-stream.txt')]);
    const text = "Honestly? I'd pay for it if it saved me a trip to the café ☕—but only at €5 a month.";
    assert.equal(textOf(events), text);
    assert.deepEqual(events.slice(-2), [
      { type: 'usage', inputTokens: 472, outputTokens: 31, cachedTokens: 0 },
      { type: 'finish', reason: 'stop' },
    ]);
  });

  it('split every 3 bytes (mid multi-byte characters) decodes identically', async () => {
    const whole = await decode([fixture('text-stream.txt')]);
    const split = await decode(splitBytes([fixture('text-stream.txt')], { every: 3 }));
    assert.deepEqual(split, whole);
  });

  it('text then two tool_use blocks, with cache-read usage', async () => {
    const events = await decode([fixture('tool-use-stream.txt')]);
    assert.deepEqual(events, [
      { type: 'text-delta', delta: "I'll check the weather" },
      { type: 'text-delta', delta: ' and the time in Paris.' },
      { type: 'tool-call-start', index: 0, callId: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', name: 'get_weather' },
      { type: 'tool-call-delta', index: 0, delta: '{"city": "Pa' },
      { type: 'tool-call-delta', index: 0, delta: 'ris' },
      { type: 'tool-call-delta', index: 0, delta: '", "unit"' },
      { type: 'tool-call-delta', index: 0, delta: ': "c"}' },
      { type: 'tool-call-end', index: 0 },
      { type: 'tool-call-start', index: 1, callId: 'toolu_01VbqQ8nXyJ3kS2mTrB4cLwE', name: 'get_time' },
      { type: 'tool-call-delta', index: 1, delta: '{"timezo' },
      { type: 'tool-call-delta', index: 1, delta: 'ne": "Europe/' },
      { type: 'tool-call-delta', index: 1, delta: 'Paris"}' },
      { type: 'tool-call-end', index: 1 },
      { type: 'usage', inputTokens: 187 + 1536, outputTokens: 112, cachedTokens: 1536 },
      { type: 'finish', reason: 'tool_calls' },
    ]);
  });

  it('the forced format tool becomes JSON text, finish stop', async () => {
    const events = await decode([fixture('json-tool-stream.txt')], { jsonTool: { name: 'verdict', wrapped: false } });
    assert.deepEqual(JSON.parse(textOf(events)), { would_buy: false, reason: 'Too expensive at £12 — I’d wait for a sale.' });
    assert.equal(events.filter((e) => e.type.startsWith('tool-call')).length, 0);
    assert.deepEqual(events.at(-1), { type: 'finish', reason: 'stop' });
  });

  it('without jsonTool the same stream is an ordinary function call', async () => {
    const events = await decode([fixture('json-tool-stream.txt')]);
    assert.equal(events[0]!.type, 'tool-call-start');
    assert.deepEqual(events.at(-1), { type: 'finish', reason: 'tool_calls' });
  });

  it('overloaded_error mid-stream throws ApiError service_unavailable after the text so far', async () => {
    const seen: ProviderEvent[] = [];
    await assert.rejects(
      (async () => {
        for await (const e of decodeAnthropicStream([fixture('overloaded-mid-stream.txt')])) seen.push(e);
      })(),
      (e: unknown) => e instanceof ApiError && e.code === 'service_unavailable',
    );
    assert.deepEqual(seen, [{ type: 'text-delta', delta: 'Well, ' }]);
  });

  it('mock upstream frames match the decoder', async () => {
    const frames = buildAnthropicFrames({ content: ['a', 'b'], toolUses: [{ id: 'toolu_1', name: 'f', partialJson: ['{"x"', ':1}'] }] });
    const events = await decode(frames);
    assert.equal(textOf(events), 'ab');
    assert.deepEqual(events.at(-2), { type: 'usage', inputTokens: 25, outputTokens: 4, cachedTokens: 0 });
  });
});

describe('AnthropicEventMapper', () => {
  it('unwraps a wrapped (non-object) schema answer', () => {
    const m = new AnthropicEventMapper({ jsonTool: { name: 'list', wrapped: true } });
    const events = [
      ...m.push({ type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 't', name: 'list', input: {} } }),
      ...m.push({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"value": [1, ' } }),
      ...m.push({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '2]}' } }),
      ...m.push({ type: 'content_block_stop', index: 0 }),
      ...m.push({ type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 5 } }),
      ...m.end(),
    ];
    assert.deepEqual(events, [
      { type: 'text-delta', delta: '[1,2]' },
      { type: 'usage', inputTokens: 0, outputTokens: 5 },
      { type: 'finish', reason: 'stop' },
    ]);
  });

  it('ignores a second call of the format tool and unknown events/blocks', () => {
    const m = new AnthropicEventMapper({ jsonTool: { name: 'out', wrapped: false } });
    const events = [
      ...m.push({ type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'a', name: 'out', input: {} } }),
      ...m.push({ type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"a":1}' } }),
      ...m.push({ type: 'content_block_stop', index: 0 }),
      ...m.push({ type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'b', name: 'out', input: {} } }),
      ...m.push({ type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"a":2}' } }),
      ...m.push({ type: 'content_block_stop', index: 1 }),
      ...m.push({ type: 'content_block_start', index: 2, content_block: { type: 'server_tool_use', id: 's', name: 'web_search', input: {} } }),
      ...m.push({ type: 'content_block_delta', index: 2, delta: { type: 'citations_delta', citation: {} } }),
      ...m.push({ type: 'some_future_event' }),
      ...m.push({ type: 'message_stop' }),
      ...m.end(),
    ];
    assert.equal(textOf(events), '{"a":1}');
    assert.equal(events.filter((e) => e.type.startsWith('tool-call')).length, 0);
  });

  it('estimates usage when none arrives', () => {
    const m = new AnthropicEventMapper({ estimateInputTokens: () => 17 });
    const events = [
      ...m.push({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: 'Hello there' } }),
      ...m.push({ type: 'message_delta', delta: { stop_reason: 'end_turn' } }),
      ...m.end(),
    ];
    assert.deepEqual(events, [
      { type: 'text-delta', delta: 'Hello there' },
      { type: 'usage', inputTokens: 17, outputTokens: countTokens('Hello there') },
      { type: 'finish', reason: 'stop' },
    ]);
  });

  it('an error event throws; a truncated body throws; unparseable data throws ApiError', async () => {
    const m = new AnthropicEventMapper();
    assert.throws(
      () => m.push({ type: 'error', error: { type: 'invalid_request_error', message: 'prompt is too long: 210000 tokens > 200000 maximum' } }),
      (e: unknown) => e instanceof ApiError && e.code === 'invalid_request' && e.message === 'The model backend rejected the request: prompt is too long: 210000 tokens > 200000 maximum',
    );
    await assert.rejects(decode([frame({ type: 'message_start', message: {} })]), (e: unknown) => e instanceof ApiError && e.code === 'service_unavailable');
    await assert.rejects(decode(['event: message_start\ndata: {oops\n\n']), (e: unknown) => e instanceof ApiError && e.code === 'service_unavailable');
    await assert.rejects(decode([frame({ type: 'content_block_start', index: 'x' })]), (e: unknown) => e instanceof ApiError && e.code === 'service_unavailable');
  });
});

describe('convertRequest rules', () => {
  it('inserts a user turn before a leading assistant turn and after a trailing one; none for only-system input', () => {
    const { body } = convertRequest(
      request({
        items: [
          { type: 'message', role: 'assistant', content: [{ type: 'text', text: 'Hello, I am Maya.' }] },
          { type: 'message', role: 'user', content: [{ type: 'text', text: 'Hi' }, { type: 'text', text: '   ' }] },
          { type: 'message', role: 'assistant', content: [{ type: 'text', text: 'How can I help?' }] },
        ],
      }),
      opts,
    );
    assert.deepEqual(body.messages, [
      { role: 'user', content: [{ type: 'text', text: PLACEHOLDER_USER_TEXT }] },
      { role: 'assistant', content: [{ type: 'text', text: 'Hello, I am Maya.' }] },
      { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'How can I help?' }] },
      { role: 'user', content: [{ type: 'text', text: PLACEHOLDER_USER_TEXT }] },
    ]);
    const onlySystem = convertRequest(request({ system: 'S', items: [{ type: 'message', role: 'system', content: [{ type: 'text', text: 'T' }] }] }), opts);
    assert.equal(onlySystem.body.system, 'S\n\nT');
    assert.deepEqual(onlySystem.body.messages, [{ role: 'user', content: [{ type: 'text', text: PLACEHOLDER_USER_TEXT }] }]);
  });

  it('a trailing assistant tool_use turn is left for its tool_result; non-object arguments are wrapped', () => {
    const { body } = convertRequest(
      request({
        items: [
          { type: 'message', role: 'user', content: [{ type: 'text', text: 'Go' }] },
          { type: 'function_call', callId: 'c1', name: 'f', arguments: '' },
          { type: 'function_call', callId: 'c2', name: 'g', arguments: '[1,2]' },
        ],
      }),
      opts,
    );
    assert.deepEqual(body.messages.at(-1), {
      role: 'assistant',
      content: [
        { type: 'tool_use', id: 'c1', name: 'f', input: {} },
        { type: 'tool_use', id: 'c2', name: 'g', input: { arguments: '[1,2]' } },
      ],
    });
  });

  it('tool_result blocks go first in a merged user turn; empty outputs send no content', () => {
    const { body } = convertRequest(
      request({
        items: [
          { type: 'message', role: 'user', content: [{ type: 'text', text: 'Go' }] },
          { type: 'function_call', callId: 'c1', name: 'f', arguments: '{}' },
          { type: 'message', role: 'user', content: [{ type: 'text', text: 'Also this' }] },
          { type: 'function_call_output', callId: 'c1', output: '' },
        ],
      }),
      opts,
    );
    assert.deepEqual(body.messages[2], {
      role: 'user',
      content: [
        { type: 'tool_result', tool_use_id: 'c1' },
        { type: 'text', text: 'Also this' },
      ],
    });
  });

  it('files: PDF data → base64 document, text data → text document, URL → url document, file id rejected', () => {
    const pdf = `data:application/pdf;base64,${Buffer.from('%PDF-1.4').toString('base64')}`;
    const txt = `data:text/plain;base64,${Buffer.from('hello notes').toString('base64')}`;
    const { body } = convertRequest(
      request({
        items: [
          {
            type: 'message',
            role: 'user',
            content: [
              { type: 'file', filename: 'brief.pdf', data: pdf },
              { type: 'file', data: txt },
              { type: 'file', url: 'https://example.com/a.pdf' },
            ],
          },
        ],
      }),
      opts,
    );
    assert.deepEqual(body.messages[0]!.content, [
      { type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: Buffer.from('%PDF-1.4').toString('base64') }, title: 'brief.pdf' },
      { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'hello notes' } },
      { type: 'document', source: { type: 'url', url: 'https://example.com/a.pdf' } },
    ]);
    for (const part of [{ type: 'file' as const, fileId: 'file-abc' }, { type: 'file' as const, data: 'data:application/zip;base64,UEsDBA==' }]) {
      assert.throws(
        () => convertRequest(request({ items: [{ type: 'message', role: 'user', content: [part] }] }), opts),
        (e: unknown) => e instanceof ApiError && e.code === 'invalid_request' && e.param === 'input[0].content',
      );
    }
  });

  it('json_schema with a non-object root is wrapped; a name clash with a function tool is suffixed', () => {
    const wrapped = convertRequest(request({ format: { type: 'json_schema', name: 'list', schema: { type: 'array', items: { type: 'string' } }, strict: true } }), opts);
    assert.deepEqual(wrapped.jsonTool, { name: 'list', wrapped: true });
    assert.deepEqual(wrapped.body.tools?.[0]?.input_schema, { type: 'object', properties: { value: { type: 'array', items: { type: 'string' } } }, required: ['value'] });
    const clash = convertRequest(
      request({
        tools: [{ name: 'answer', parameters: { type: 'object', properties: {} }, strict: false }],
        format: { type: 'json_schema', name: 'answer', schema: { type: 'object', properties: {} }, strict: true, description: 'The verdict' },
      }),
      opts,
    );
    assert.deepEqual(clash.jsonTool, { name: 'answer_response', wrapped: false });
    assert.deepEqual(clash.body.tools?.map((t) => t.name), ['answer', 'answer_response']);
    assert.match(clash.body.tools?.[1]?.description ?? '', /^The verdict/);
    assert.deepEqual(clash.body.tool_choice, { type: 'any' });
  });

  it('json format with tool_choice none forces the format tool only; required adds no format tool', () => {
    const tools = [{ name: 'f', parameters: { type: 'object', properties: {} }, strict: false }];
    const none = convertRequest(request({ tools, toolChoice: { mode: 'none' }, format: { type: 'json_object' } }), opts);
    assert.deepEqual(none.body.tools?.map((t) => t.name), ['json_response']);
    assert.deepEqual(none.body.tool_choice, { type: 'tool', name: 'json_response', disable_parallel_tool_use: true });
    const required = convertRequest(request({ tools, toolChoice: { mode: 'required' }, format: { type: 'json_object' } }), opts);
    assert.equal(required.jsonTool, undefined);
    assert.deepEqual(required.body.tools?.map((t) => t.name), ['f']);
    assert.deepEqual(required.body.tool_choice, { type: 'any' });
  });

  it("tool_choice 'allowed' filters tools; no tools → no tools or tool_choice", () => {
    const tools = ['a', 'b', 'c'].map((name) => ({ name, parameters: { type: 'object', properties: {} }, strict: false }));
    const { body } = convertRequest(request({ tools, toolChoice: { mode: 'allowed', required: true, names: ['a', 'c'] }, parallelToolCalls: false }), opts);
    assert.deepEqual(body.tools?.map((t) => t.name), ['a', 'c']);
    assert.deepEqual(body.tool_choice, { type: 'any', disable_parallel_tool_use: true });
    const none = convertRequest(request({ toolChoice: { mode: 'required' } }), opts);
    assert.equal(none.body.tools, undefined);
    assert.equal(none.body.tool_choice, undefined);
  });

  it('sampling: temperature clamped, top_p only without temperature, non-streaming body', () => {
    assert.equal(convertRequest(request({ sampling: { temperature: -1 } }), opts).body.temperature, 0);
    const both = convertRequest(request({ sampling: { temperature: 0.5, topP: 0.9 } }), opts).body;
    assert.equal(both.temperature, 0.5);
    assert.equal(both.top_p, undefined);
    assert.equal(convertRequest(request({ sampling: { topP: 0.9 } }), opts).body.top_p, 0.9);
    assert.equal(convertRequest(request(), { ...opts, stream: false }).body.stream, undefined);
  });

  it('stop sequences → stop_sequences (whitespace-only ones are left to the run\'s filter); no seed', () => {
    const body = convertRequest(request({ sampling: { stop: ['END', '\n\n', ' x '], seed: 7 } }), opts).body;
    assert.deepEqual(body.stop_sequences, ['END', ' x ']);
    assert.ok(!('seed' in body));
    assert.equal(convertRequest(request({ sampling: { stop: ['\n'] } }), opts).body.stop_sequences, undefined);
    assert.equal(convertRequest(request(), opts).body.stop_sequences, undefined);
  });
});

describe('mapping', () => {
  it('maps stop reasons', () => {
    assert.equal(mapFinishReason('end_turn'), 'stop');
    assert.equal(mapFinishReason('stop_sequence'), 'stop');
    assert.equal(mapFinishReason('pause_turn'), 'stop');
    assert.equal(mapFinishReason('max_tokens'), 'length');
    assert.equal(mapFinishReason('model_context_window_exceeded'), 'length');
    assert.equal(mapFinishReason('refusal'), 'content_filter');
    assert.equal(mapFinishReason('tool_use', true), 'tool_calls');
    assert.equal(mapFinishReason('tool_use', false), 'stop');
    assert.equal(mapFinishReason(null), 'stop');
    assert.equal(mapFinishReason('max_tokens', true), 'length');
  });

  it('maps statuses and stream errors', () => {
    const ctx = { url: 'https://api.anthropic.com/v1/messages', model: 'claude-x', apiKey: 'sk-ant-abcdefghijkl' };
    const h = new Headers();
    assert.equal(mapUpstreamHttpError(413, h, '{"type":"error","error":{"type":"request_too_large","message":"Request exceeds the maximum size"}}', ctx).code, 'invalid_request');
    assert.equal(mapUpstreamHttpError(503, h, '<html>', ctx).code, 'service_unavailable');
    assert.equal(mapUpstreamHttpError(418, h, '', ctx).code, 'service_unavailable');
    const plain = mapUpstreamHttpError(400, h, 'bad sk-ant-abcdefghijkl', ctx);
    assert.equal(plain.message, 'The model backend (api.anthropic.com, model claude-x) rejected the request with HTTP 400: bad [redacted]');
    assert.equal(mapStreamError({ type: 'error', error: { type: 'api_error', message: 'Internal' } }, ctx).code, 'service_unavailable');
    assert.deepEqual(anthropicRetryAfter(new Headers({ 'retry-after': '3' })), { 'retry-after': '3' });
    assert.deepEqual(anthropicRetryAfter(new Headers()), {});
    const conn = mapConnectionError(new TypeError('fetch failed', { cause: Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' }) }), ctx);
    assert.match(conn.message, /api\.anthropic\.com/);
    assert.match(conn.message, /ENOTFOUND/);
  });
});
