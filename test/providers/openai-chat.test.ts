/**
 * The OpenAI-compatible Chat Completions provider against a real HTTP mock
 * upstream: what is sent, what comes back, errors and aborts.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { createOpenAIChatProvider } from '../../src/providers/openai/chat/index.js';
import type { ProviderEvent } from '../../src/providers/types.js';
import { apiErrorMatcher, argsOf, collect, request, textOf } from '../helpers/provider-kit.js';
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
    it('streams text as text-delta events, then usage and finish', async () => {
      upstream.enqueue({
        type: 'stream',
        content: ['Honestly', ', ', 'yes.'],
        usage: { prompt_tokens: 42, completion_tokens: 3, total_tokens: 45 },
      });
      const events = await collect(provider().stream(request()));
      assert.deepEqual(events, [
        { type: 'text-delta', delta: 'Honestly' },
        { type: 'text-delta', delta: ', ' },
        { type: 'text-delta', delta: 'yes.' },
        { type: 'usage', inputTokens: 42, outputTokens: 3 },
        { type: 'finish', reason: 'stop' },
      ]);
    });

    it('streams two parallel tool calls', async () => {
      upstream.enqueue({
        type: 'stream',
        toolCalls: [
          { id: 'call_weather', name: 'get_weather', arguments: ['{"ci', 'ty":"Par', 'is"}'] },
          { id: 'call_time', name: 'get_time', arguments: ['{"tz":', '"CET"}'] },
        ],
      });
      const events = await collect(provider().stream(request()));
      const starts = events.filter((e) => e.type === 'tool-call-start');
      assert.deepEqual(starts, [
        { type: 'tool-call-start', index: 0, callId: 'call_weather', name: 'get_weather' },
        { type: 'tool-call-start', index: 1, callId: 'call_time', name: 'get_time' },
      ]);
      assert.equal(argsOf(events, 0), '{"city":"Paris"}');
      assert.equal(argsOf(events, 1), '{"tz":"CET"}');
      const tail = events.slice(-4);
      assert.deepEqual(tail[0], { type: 'tool-call-end', index: 0 });
      assert.deepEqual(tail[1], { type: 'tool-call-end', index: 1 });
      assert.equal(tail[2]!.type, 'usage');
      assert.deepEqual(tail[3], { type: 'finish', reason: 'tool_calls' });
      // every delta comes after its start and before its end
      const startAt = events.findIndex((e) => e.type === 'tool-call-start' && e.index === 1);
      const firstDelta1 = events.findIndex((e) => e.type === 'tool-call-delta' && e.index === 1);
      assert.ok(firstDelta1 > startAt);
    });

    it('generates a call id when the server omits it', async () => {
      upstream.enqueue({ type: 'stream', toolCalls: [{ id: null, name: 'lookup', arguments: '{}' }], finishReason: 'stop' });
      const events = await collect(provider().stream(request()));
      const start = events.find((e) => e.type === 'tool-call-start');
      assert.ok(start && start.type === 'tool-call-start');
      assert.match(start.callId, /^call_[0-9a-f]{24}$/);
      // the server said stop, but tool calls were seen
      assert.deepEqual(events.at(-1), { type: 'finish', reason: 'tool_calls' });
    });

    it('reassembles a stream cut at awkward byte positions (mid-JSON, mid-UTF-8) with CRLF line ends', async () => {
      const content = ['Ça coûte ', '5 €', ' — 🙂 trop cher', ' für mich.'];
      upstream.enqueue({ type: 'stream', content, split: { every: 7 }, delayMs: 1, lineEnding: '\r\n' });
      const events = await collect(provider().stream(request()));
      assert.equal(textOf(events), content.join(''));
      assert.deepEqual(events.at(-1), { type: 'finish', reason: 'stop' });
    });

    it('replays a recorded OpenAI stream served over HTTP', async () => {
      const text = readFileSync(new URL('./__fixtures__/openai-chat/parallel-tool-calls.txt', import.meta.url), 'utf8');
      upstream.enqueue({ type: 'sse', text, split: { every: 97 }, delayMs: 1 });
      const events = await collect(provider().stream(request()));
      assert.equal(argsOf(events, 0), '{"city": "Paris", "unit": "c"}');
      assert.equal(argsOf(events, 1), '{"timezone": "Europe/Paris"}');
      assert.deepEqual(events.at(-2), { type: 'usage', inputTokens: 96, outputTokens: 52, cachedTokens: 0, reasoningTokens: 0 });
    });
  });

  describe('usage and finish mapping', () => {
    it('maps cached and reasoning tokens', async () => {
      upstream.enqueue({
        type: 'stream',
        content: 'x',
        usage: {
          prompt_tokens: 1000,
          completion_tokens: 250,
          prompt_tokens_details: { cached_tokens: 768 },
          completion_tokens_details: { reasoning_tokens: 200 },
        },
      });
      const events = await collect(provider().stream(request()));
      assert.deepEqual(events.find((e) => e.type === 'usage'), {
        type: 'usage',
        inputTokens: 1000,
        outputTokens: 250,
        cachedTokens: 768,
        reasoningTokens: 200,
      });
    });

    it('estimates usage with the tokenizer when the server sends none', async () => {
      upstream.enqueue({ type: 'stream', content: ['Hello', ' there', ' friend'], usage: false });
      const events = await collect(provider().stream(request({ system: 'You are a persona.' })));
      const usage = events.find((e) => e.type === 'usage');
      assert.ok(usage && usage.type === 'usage');
      assert.equal(usage.outputTokens, 3);
      assert.ok(usage.inputTokens > 10 && usage.inputTokens < 40, `inputTokens ${usage.inputTokens}`);
    });

    for (const [upstreamReason, expected] of [
      ['length', 'length'],
      ['content_filter', 'content_filter'],
      ['stop', 'stop'],
      [null, 'stop'],
      ['eos_token', 'stop'],
    ] as const) {
      it(`maps finish_reason ${String(upstreamReason)} → ${expected}`, async () => {
        upstream.enqueue({ type: 'stream', content: 'x', finishReason: upstreamReason });
        const events = await collect(provider().stream(request()));
        assert.deepEqual(events.at(-1), { type: 'finish', reason: expected });
      });
    }
  });

  describe('non-streaming JSON answer', () => {
    it('converts a chat.completion with text to the same events', async () => {
      upstream.enqueue({ type: 'completion', content: 'I would not.', usage: { prompt_tokens: 20, completion_tokens: 4 } });
      const events = await collect(provider().stream(request()));
      assert.deepEqual(events, [
        { type: 'text-delta', delta: 'I would not.' },
        { type: 'usage', inputTokens: 20, outputTokens: 4 },
        { type: 'finish', reason: 'stop' },
      ]);
    });

    it('converts a chat.completion with tool calls', async () => {
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
    it('429 with retry-after → service_unavailable 503 carrying retry-after', async () => {
      upstream.enqueue({ type: 'error', status: 429, retryAfter: 7, message: 'Rate limit reached for gpt-4o-mini in organization org-abc', errorType: 'requests', code: 'rate_limit_exceeded' });
      await assert.rejects(
        collect(provider().stream(request())),
        isApiError('service_unavailable', 503, (e) => {
          assert.equal(e.headers['retry-after'], '7');
          assert.ok(!e.message.includes('org-abc'));
        }),
      );
    });

    it('429 with retry-after-ms → retry-after in whole seconds', async () => {
      upstream.enqueue({ type: 'error', status: 429, retryAfterMs: 1500 });
      await assert.rejects(
        collect(provider().stream(request())),
        isApiError('service_unavailable', 503, (e) => assert.equal(e.headers['retry-after'], '2')),
      );
    });

    it('500 → service_unavailable', async () => {
      upstream.enqueue({ type: 'error', status: 500, message: 'The server had an error' });
      await assert.rejects(collect(provider().stream(request())), isApiError('service_unavailable', 503));
    });

    it('401 → service_unavailable naming COHORT_UPSTREAM_API_KEY, never the key', async () => {
      upstream.enqueue({ type: 'error', status: 401, message: `Incorrect API key provided: ${API_KEY}.`, code: 'invalid_api_key' });
      await assert.rejects(
        collect(provider().stream(request())),
        isApiError('service_unavailable', 503, (e) => assert.match(e.message, /COHORT_UPSTREAM_API_KEY/)),
      );
    });

    it('404 → service_unavailable naming the model and COHORT_UPSTREAM_MODEL/URL', async () => {
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

    it('400 → invalid_request with the upstream message', async () => {
      upstream.enqueue({ type: 'error', status: 400, message: "Unsupported parameter: 'temperature' is not supported with this model.", param: 'temperature', code: 'unsupported_parameter' });
      await assert.rejects(
        collect(provider().stream(request({ sampling: { temperature: 0.2 } }))),
        isApiError('invalid_request', 400, (e) => {
          assert.match(e.message, /^The model backend \(127\.0\.0\.1:\d+, model gpt-4o-mini\) rejected the request with HTTP 400: Unsupported parameter: 'temperature' is not supported with this model\.$/);
          assert.equal(e.param, 'temperature');
        }),
      );
    });

    it('connection refused → service_unavailable naming the host', async () => {
      const srv = createServer();
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
      const { port } = srv.address() as AddressInfo;
      await new Promise<void>((r) => srv.close(() => r()));
      const p = createOpenAIChatProvider({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: API_KEY, model: 'm' });
      await assert.rejects(
        collect(p.stream(request())),
        isApiError('service_unavailable', 503, (e) => {
          assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
          assert.match(e.message, /ECONNREFUSED/);
        }),
      );
    });

    it('an error object inside the stream → ApiError', async () => {
      upstream.enqueue({
        type: 'sse',
        frames: [
          { id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'Hi' }, finish_reason: null }] },
          { error: { message: 'The server had an error while processing your request.', type: 'server_error' } },
        ],
      });
      const seen: ProviderEvent[] = [];
      await assert.rejects(
        (async () => {
          for await (const e of provider().stream(request())) seen.push(e);
        })(),
        isApiError('service_unavailable', 503),
      );
      assert.deepEqual(seen, [{ type: 'text-delta', delta: 'Hi' }]);
    });

    it('a stream that ends before finish and [DONE] → service_unavailable', async () => {
      upstream.enqueue({ type: 'stream', content: 'partial', done: false, usage: false });
      upstream.enqueue({
        type: 'sse',
        frames: [{ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'cut' }, finish_reason: null }] }],
      });
      // first: finish chunk present but no [DONE] → accepted
      const ok = await collect(provider().stream(request()));
      assert.deepEqual(ok.at(-1), { type: 'finish', reason: 'stop' });
      // second: neither → error
      await assert.rejects(collect(provider().stream(request())), isApiError('service_unavailable', 503));
    });

    it('malformed JSON in the stream → service_unavailable, not an unhandled SyntaxError', async () => {
      upstream.enqueue({ type: 'sse', frames: ['data: {"choices":[{"delta":{"content":"a"}\n\n'] });
      await assert.rejects(collect(provider().stream(request())), isApiError('service_unavailable', 503));
    });
  });
});
