/**
 * What only the Anthropic Messages provider does, against a real HTTP mock upstream:
 * the request it sends, json_schema emulation with a forced tool, tool_choice, 529 and
 * the anthropic-ratelimit-* headers. What every HTTP backend does (streaming, usage,
 * stop reasons, errors, aborts) is in http-backends.contract.test.ts.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createAnthropicProvider } from '../../src/providers/anthropic/index.js';
import { apiErrorMatcher, argsOf, collect, request, textOf } from '../helpers/provider-kit.js';
import { startMockAnthropicUpstream, type MockAnthropicUpstream } from '../helpers/mock-anthropic-upstream.js';

const API_KEY = 'sk-ant-api03-SECRET-0123456789abcdef';

const isApiError = apiErrorMatcher(API_KEY);


describe('anthropic provider', () => {
  let upstream: MockAnthropicUpstream;
  const provider = (over: { maxTokens?: number } = {}) =>
    createAnthropicProvider({ baseURL: upstream.url, apiKey: API_KEY, model: 'claude-sonnet-4-5', ...over });

  before(async () => {
    upstream = await startMockAnthropicUpstream();
  });
  after(async () => {
    await upstream.close();
  });
  beforeEach(() => {
    upstream.requests.length = 0;
  });

  describe('request sent upstream', () => {
    it('posts to /v1/messages with x-api-key, anthropic-version, streaming and a default max_tokens', async () => {
      upstream.enqueue({ type: 'stream', content: 'ok' });
      const p = provider();
      assert.equal(p.name, 'anthropic');
      await collect(p.stream(request()));
      const req = upstream.requests[0]!;
      assert.equal(req.method, 'POST');
      assert.equal(req.path, '/v1/messages');
      assert.equal(req.headers['x-api-key'], API_KEY);
      assert.equal(req.headers['anthropic-version'], '2023-06-01');
      assert.equal(req.headers.authorization, undefined);
      assert.match(String(req.headers['content-type']), /application\/json/);
      assert.deepEqual(req.body, {
        model: 'claude-sonnet-4-5',
        max_tokens: 4096,
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Would you buy this?' }] }],
        stream: true,
      });
    });

    it('honours maxTokens, anthropicVersion and a trailing slash on baseURL', async () => {
      upstream.enqueue({ type: 'stream', content: 'ok' }, { type: 'stream', content: 'ok' });
      const p = createAnthropicProvider({ baseURL: `${upstream.url}/`, apiKey: API_KEY, model: 'm', maxTokens: 1024, anthropicVersion: '2099-01-01' });
      await collect(p.stream(request()));
      await collect(p.stream(request({ sampling: { maxOutputTokens: 77 } })));
      assert.equal(upstream.requests[0]!.path, '/v1/messages');
      assert.equal(upstream.requests[0]!.headers['anthropic-version'], '2099-01-01');
      assert.equal(upstream.requests[0]!.body.max_tokens, 1024);
      assert.equal(upstream.requests[1]!.body.max_tokens, 77);
    });

    it('converts system prompt, conversation, images, tool history, tools, tool_choice and sampling', async () => {
      upstream.enqueue({ type: 'stream', content: 'ok' });
      await collect(
        provider().stream(
          request({
            system: 'You are Maya, 27, a nurse in Leeds.',
            items: [
              { type: 'message', role: 'developer', content: [{ type: 'text', text: 'Be brief.' }] },
              {
                type: 'message',
                role: 'user',
                content: [
                  { type: 'text', text: 'What do you think of these ads?' },
                  { type: 'image', url: 'https://example.com/ad.png', detail: 'low' },
                  { type: 'image', url: 'data:image/png;base64,iVBORw0KGgo=', detail: 'auto' },
                ],
              },
              { type: 'message', role: 'user', content: [{ type: 'text', text: 'Be honest.' }] },
              { type: 'message', role: 'assistant', content: [{ type: 'text', text: 'Let me check prices.' }] },
              { type: 'function_call', callId: 'call_1', name: 'get_price', arguments: '{"sku":"A"}' },
              { type: 'function_call', callId: 'call_2', name: 'get_price', arguments: '{"sku":"B"}' },
              { type: 'function_call_output', callId: 'call_1', output: '{"price":5}' },
              { type: 'function_call_output', callId: 'call_2', output: '{"price":7}' },
              { type: 'message', role: 'user', content: [{ type: 'text', text: 'Well?' }] },
            ],
            tools: [
              {
                name: 'get_price',
                description: 'Price of a SKU',
                parameters: { type: 'object', properties: { sku: { type: 'string' } }, required: ['sku'] },
                strict: true,
              },
              { name: 'get_stock', parameters: { type: 'object', properties: {} }, strict: false },
            ],
            toolChoice: { mode: 'function', name: 'get_price' },
            parallelToolCalls: false,
            sampling: { temperature: 1.7, frequencyPenalty: 0.1, presencePenalty: 0.2, maxOutputTokens: 300, reasoningEffort: 'high', verbosity: 'low' },
          }),
        ),
      );
      const body = upstream.requests[0]!.body;
      assert.equal(body.system, 'You are Maya, 27, a nurse in Leeds.\n\nBe brief.');
      assert.deepEqual(body.messages, [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What do you think of these ads?' },
            { type: 'image', source: { type: 'url', url: 'https://example.com/ad.png' } },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'text', text: 'Be honest.' },
          ],
        },
        {
          role: 'assistant',
          content: [
            { type: 'text', text: 'Let me check prices.' },
            { type: 'tool_use', id: 'call_1', name: 'get_price', input: { sku: 'A' } },
            { type: 'tool_use', id: 'call_2', name: 'get_price', input: { sku: 'B' } },
          ],
        },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'call_1', content: '{"price":5}' },
            { type: 'tool_result', tool_use_id: 'call_2', content: '{"price":7}' },
            { type: 'text', text: 'Well?' },
          ],
        },
      ]);
      assert.deepEqual(body.tools, [
        {
          name: 'get_price',
          description: 'Price of a SKU',
          input_schema: { type: 'object', properties: { sku: { type: 'string' } }, required: ['sku'] },
        },
        { name: 'get_stock', input_schema: { type: 'object', properties: {} } },
      ]);
      assert.deepEqual(body.tool_choice, { type: 'tool', name: 'get_price', disable_parallel_tool_use: true });
      assert.equal(body.temperature, 1, 'clamped to Anthropic’s 0–1 range');
      assert.equal(body.max_tokens, 300);
      for (const k of ['top_p', 'frequency_penalty', 'presence_penalty', 'reasoning_effort', 'verbosity', 'thinking']) assert.ok(!(k in body), `${k} should be omitted`);
    });

    it('emulates json_schema output with a forced tool and streams its input back as text', async () => {
      upstream.enqueue({
        type: 'stream',
        toolUses: [{ name: 'verdict', partialJson: ['{"would_buy":', ' true, "reason": "cheap"}'] }],
        usage: { input_tokens: 400, output_tokens: 20 },
      });
      const schema = { type: 'object', properties: { would_buy: { type: 'boolean' }, reason: { type: 'string' } }, required: ['would_buy', 'reason'] };
      const events = await collect(provider().stream(request({ format: { type: 'json_schema', name: 'verdict', schema, strict: true } })));
      const body = upstream.requests[0]!.body;
      assert.deepEqual(body.tools, [{ name: 'verdict', description: 'Give your complete answer by calling this tool: its input is your response.', input_schema: schema }]);
      assert.deepEqual(body.tool_choice, { type: 'tool', name: 'verdict', disable_parallel_tool_use: true });
      assert.ok(!('response_format' in body));
      assert.deepEqual(events, [
        { type: 'text-delta', delta: '{"would_buy":' },
        { type: 'text-delta', delta: ' true, "reason": "cheap"}' },
        { type: 'usage', inputTokens: 400, outputTokens: 20, cachedTokens: 0 },
        { type: 'finish', reason: 'stop' },
      ]);
    });

    it('json_object with function tools: the model may call a function or answer through the format tool', async () => {
      upstream.enqueue({ type: 'stream', toolUses: [{ id: 'toolu_a', name: 'lookup', partialJson: '{"q":"x"}' }] });
      const events = await collect(
        provider().stream(
          request({
            format: { type: 'json_object' },
            tools: [{ name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } }, strict: false }],
          }),
        ),
      );
      const body = upstream.requests[0]!.body;
      assert.deepEqual(
        body.tools.map((t: { name: string }) => t.name),
        ['lookup', 'json_response'],
      );
      assert.deepEqual(body.tools[1].input_schema, { type: 'object' });
      assert.deepEqual(body.tool_choice, { type: 'any' });
      assert.deepEqual(events.slice(0, 3), [
        { type: 'tool-call-start', index: 0, callId: 'toolu_a', name: 'lookup' },
        { type: 'tool-call-delta', index: 0, delta: '{"q":"x"}' },
        { type: 'tool-call-end', index: 0 },
      ]);
      assert.deepEqual(events.at(-1), { type: 'finish', reason: 'tool_calls' });
    });

    it('tool_choice none keeps the tools with {type:"none"}; required → any', async () => {
      upstream.enqueue({ type: 'stream', content: 'ok' }, { type: 'stream', content: 'ok' });
      const tools = [{ name: 'f', parameters: { type: 'object', properties: {} }, strict: false }];
      await collect(provider().stream(request({ tools, toolChoice: { mode: 'none' }, parallelToolCalls: false })));
      await collect(provider().stream(request({ tools, toolChoice: { mode: 'required' } })));
      assert.deepEqual(upstream.requests[0]!.body.tool_choice, { type: 'none' });
      assert.equal(upstream.requests[0]!.body.tools.length, 1);
      assert.deepEqual(upstream.requests[1]!.body.tool_choice, { type: 'any' });
    });
  });

  describe('streamed responses', () => {
    it('a tool_use block without input reports {} arguments, after the text block', async () => {
      upstream.enqueue({ type: 'stream', content: 'Checking.', toolUses: [{ id: 'toolu_time', name: 'get_time' }] });
      const events = await collect(provider().stream(request()));
      assert.equal(textOf(events), 'Checking.');
      assert.deepEqual(
        events.filter((e) => e.type === 'tool-call-start'),
        [{ type: 'tool-call-start', index: 0, callId: 'toolu_time', name: 'get_time' }],
      );
      assert.equal(argsOf(events, 0), '{}', 'a tool without arguments reports {}');
      assert.deepEqual(events.at(-1), { type: 'finish', reason: 'tool_calls' });
    });
  });

  describe('errors', () => {
    it('529 overloaded → service_unavailable', async () => {
      upstream.enqueue({ type: 'error', status: 529 });
      await assert.rejects(collect(provider().stream(request())), isApiError('service_unavailable', 503, (e) => assert.match(e.message, /overloaded/)));
    });

    it('429 without retry-after derives it from anthropic-ratelimit-*-reset', async () => {
      const reset = new Date(Date.now() + 20_000).toISOString();
      upstream.enqueue({
        type: 'error',
        status: 429,
        headers: { 'anthropic-ratelimit-tokens-remaining': '0', 'anthropic-ratelimit-tokens-reset': reset },
      });
      await assert.rejects(
        collect(provider().stream(request())),
        isApiError('service_unavailable', 503, (e) => {
          const s = Number(e.headers['retry-after']);
          assert.ok(s >= 18 && s <= 21, String(s));
        }),
      );
    });
  });
});
