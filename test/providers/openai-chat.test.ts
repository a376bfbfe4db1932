/**
 * What only the OpenAI-compatible Chat Completions provider does, against a real
 * HTTP mock upstream: the request it sends, ids it generates, its whole-answer
 * shape, Ollama's error body. What every HTTP backend does (streaming, usage,
 * finish reasons, errors, aborts) is in http-backends.contract.test.ts.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createOpenAIChatProvider } from '../../src/providers/openai/chat/index.js';
import { apiErrorMatcher, collect, request } from '../helpers/provider-kit.js';
import { startMockChatUpstream, type MockChatUpstream } from '../helpers/mock-chat-upstream.js';

const API_KEY = 'sk-test-SECRET-0123456789abcdef';

const isApiError = apiErrorMatcher(API_KEY);

describe('openai-chat provider', () => {
  let upstream: MockChatUpstream;
  const provider = () => createOpenAIChatProvider({ baseURL: upstream.url, apiKey: API_KEY, model: 'gpt-4o-mini' });

  before(async () => {
    upstream = await startMockChatUpstream();
  });
  after(async () => {
    await upstream.close();
  });
  beforeEach(() => {
    upstream.requests.length = 0;
  });

  describe('request sent upstream', () => {
    it('posts to /chat/completions with auth, streaming and usage requested', async () => {
      upstream.enqueue({ type: 'stream', content: 'ok' });
      const p = provider();
      assert.equal(p.name, 'openai-chat');
      await collect(p.stream(request()));
      const req = upstream.requests[0]!;
      assert.equal(req.method, 'POST');
      assert.equal(req.path, '/v1/chat/completions');
      assert.equal(req.headers.authorization, `Bearer ${API_KEY}`);
      assert.match(String(req.headers['content-type']), /application\/json/);
      assert.equal(req.body.model, 'gpt-4o-mini');
      assert.equal(req.body.stream, true);
      assert.deepEqual(req.body.stream_options, { include_usage: true });
      assert.deepEqual(req.body.messages, [{ role: 'user', content: 'Would you buy this?' }]);
      for (const k of ['tools', 'tool_choice', 'parallel_tool_calls', 'response_format', 'temperature', 'max_tokens', 'reasoning_effort']) {
        assert.ok(!(k in req.body), `${k} should be omitted`);
      }
    });

    it('omits Authorization without an API key and sends extra headers; tolerates a trailing slash', async () => {
      upstream.enqueue({ type: 'stream', content: 'ok' });
      const p = createOpenAIChatProvider({ baseURL: `${upstream.url}/`, model: 'llama3.2', headers: { 'x-extra': 'yes' } });
      await collect(p.stream(request()));
      const req = upstream.requests[0]!;
      assert.equal(req.path, '/v1/chat/completions');
      assert.equal(req.headers.authorization, undefined);
      assert.equal(req.headers['x-extra'], 'yes');
    });

    it('converts system prompt, conversation, images, tool history, tools, tool_choice, format and sampling', async () => {
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
                  { type: 'text', text: 'What do you think of this ad?' },
                  { type: 'image', url: 'https://example.com/ad.png', detail: 'low' },
                ],
              },
              { type: 'message', role: 'assistant', content: [{ type: 'text', text: 'Let me check prices.' }] },
              { type: 'function_call', callId: 'call_1', name: 'get_price', arguments: '{"sku":"A"}' },
              { type: 'function_call', callId: 'call_2', name: 'get_price', arguments: '{"sku":"B"}' },
              { type: 'function_call_output', callId: 'call_1', output: '{"price":5}' },
              { type: 'function_call_output', callId: 'call_2', output: '{"price":7}' },
              { type: 'function_call', callId: 'call_3', name: 'get_stock', arguments: '{}' },
              { type: 'function_call_output', callId: 'call_3', output: 'in stock' },
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
            format: { type: 'json_schema', name: 'verdict', schema: { type: 'object' }, strict: true, description: 'A verdict' },
            sampling: { temperature: 0.7, topP: 0.9, frequencyPenalty: 0.1, presencePenalty: 0.2, maxOutputTokens: 300, reasoningEffort: 'high', verbosity: 'low' },
          }),
        ),
      );
      const body = upstream.requests[0]!.body;
      assert.deepEqual(body.messages, [
        { role: 'system', content: 'You are Maya, 27, a nurse in Leeds.' },
        { role: 'system', content: 'Be brief.' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What do you think of this ad?' },
            { type: 'image_url', image_url: { url: 'https://example.com/ad.png', detail: 'low' } },
          ],
        },
        {
          role: 'assistant',
          content: 'Let me check prices.',
          tool_calls: [
            { id: 'call_1', type: 'function', function: { name: 'get_price', arguments: '{"sku":"A"}' } },
            { id: 'call_2', type: 'function', function: { name: 'get_price', arguments: '{"sku":"B"}' } },
          ],
        },
        { role: 'tool', tool_call_id: 'call_1', content: '{"price":5}' },
        { role: 'tool', tool_call_id: 'call_2', content: '{"price":7}' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_3', type: 'function', function: { name: 'get_stock', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'call_3', content: 'in stock' },
        { role: 'user', content: 'Well?' },
      ]);
      assert.deepEqual(body.tools, [
        {
          type: 'function',
          function: {
            name: 'get_price',
            description: 'Price of a SKU',
            parameters: { type: 'object', properties: { sku: { type: 'string' } }, required: ['sku'] },
            strict: true,
          },
        },
        { type: 'function', function: { name: 'get_stock', parameters: { type: 'object', properties: {} }, strict: false } },
      ]);
      assert.deepEqual(body.tool_choice, { type: 'function', function: { name: 'get_price' } });
      assert.equal(body.parallel_tool_calls, false);
      assert.deepEqual(body.response_format, {
        type: 'json_schema',
        json_schema: { name: 'verdict', schema: { type: 'object' }, strict: true, description: 'A verdict' },
      });
      assert.equal(body.temperature, 0.7);
      assert.equal(body.top_p, 0.9);
      assert.equal(body.frequency_penalty, 0.1);
      assert.equal(body.presence_penalty, 0.2);
      // 127.0.0.1 is not api.openai.com: the widely supported max_tokens.
      assert.equal(body.max_tokens, 300);
      assert.ok(!('max_completion_tokens' in body));
      // gpt-4o-mini is not a reasoning model: reasoning_effort and verbosity are dropped.
      assert.ok(!('reasoning_effort' in body));
      assert.ok(!('verbosity' in body));
    });

    it('sends reasoning_effort for a reasoning model', async () => {
      upstream.enqueue({ type: 'stream', content: 'ok' });
      const p = createOpenAIChatProvider({ baseURL: upstream.url, model: 'o4-mini' });
      await collect(p.stream(request({ sampling: { reasoningEffort: 'low' } })));
      assert.equal(upstream.requests[0]!.body.reasoning_effort, 'low');
    });
  });

  describe('streamed responses', () => {
    it('generates a call id when the server omits it', async () => {
      upstream.enqueue({ type: 'stream', toolCalls: [{ id: null, name: 'lookup', arguments: '{}' }], finishReason: 'stop' });
      const events = await collect(provider().stream(request()));
      const start = events.find((e) => e.type === 'tool-call-start');
      assert.ok(start && start.type === 'tool-call-start');
      assert.match(start.callId, /^call_[0-9a-f]{24}$/);
      // the server said stop, but tool calls were seen
      assert.deepEqual(events.at(-1), { type: 'finish', reason: 'tool_calls' });
    });
  });

  describe('non-streaming JSON answer', () => {
    it('converts a chat.completion with two tool calls (both end after the last call)', async () => {
      upstream.enqueue({
        type: 'completion',
        toolCalls: [
          { id: 'call_a', name: 'one', arguments: '{"a":1}' },
          { id: 'call_b', name: 'two', arguments: '{}' },
        ],
        usage: false,
      });
      const events = await collect(provider().stream(request()));
      assert.deepEqual(events.slice(0, 6), [
        { type: 'tool-call-start', index: 0, callId: 'call_a', name: 'one' },
        { type: 'tool-call-delta', index: 0, delta: '{"a":1}' },
        { type: 'tool-call-start', index: 1, callId: 'call_b', name: 'two' },
        { type: 'tool-call-delta', index: 1, delta: '{}' },
        { type: 'tool-call-end', index: 0 },
        { type: 'tool-call-end', index: 1 },
      ]);
      assert.equal(events[6]!.type, 'usage');
      assert.deepEqual(events[7], { type: 'finish', reason: 'tool_calls' });
    });
  });

  describe('errors', () => {
    it("404 with Ollama's {error: string} body → service_unavailable naming the model and COHORT_UPSTREAM_MODEL/URL", async () => {
      upstream.enqueue({ type: 'error', status: 404, body: { error: 'model "gpt-4o-mini" not found, try pulling it first' } });
      await assert.rejects(
        collect(provider().stream(request())),
        isApiError('service_unavailable', 503, (e) => {
          assert.match(e.message, /gpt-4o-mini/);
          assert.match(e.message, /COHORT_UPSTREAM_MODEL/);
          assert.match(e.message, /COHORT_UPSTREAM_URL/);
        }),
      );
    });

  });
});
