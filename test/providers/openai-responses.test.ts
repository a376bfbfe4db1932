/**
 * The OpenAI Responses upstream provider against a real HTTP mock upstream:
 * what is sent, what comes back, errors and aborts.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { createOpenAIResponsesProvider } from '../../src/providers/openai/responses/index.js';
import type { ProviderEvent } from '../../src/providers/types.js';
import { apiErrorMatcher, argsOf, collect, request, textOf } from '../helpers/provider-kit.js';
import { startMockResponsesUpstream, type MockResponsesUpstream } from '../helpers/mock-responses-upstream.js';

const API_KEY = 'sk-test-SECRET-0123456789abcdef';

const isApiError = apiErrorMatcher(API_KEY);

const fixture = (name: string): string => readFileSync(new URL(`./__fixtures__/openai-responses/${name}`, import.meta.url), 'utf8');

describe('openai-responses provider', () => {
  let upstream: MockResponsesUpstream;
  const provider = (model = 'gpt-4.1-mini') => createOpenAIResponsesProvider({ baseURL: upstream.url, apiKey: API_KEY, model });

  before(async () => {
    upstream = await startMockResponsesUpstream();
  });
  after(async () => {
    await upstream.close();
  });
  beforeEach(() => {
    upstream.requests.length = 0;
  });

  describe('request sent upstream', () => {
    it('posts to /responses with auth, stream: true and store: false', async () => {
      upstream.enqueue({ type: 'stream', content: 'ok' });
      const p = provider();
      assert.equal(p.name, 'openai-responses');
      await collect(p.stream(request()));
      const req = upstream.requests[0]!;
      assert.equal(req.method, 'POST');
      assert.equal(req.path, '/v1/responses');
      assert.equal(req.headers.authorization, `Bearer ${API_KEY}`);
      assert.deepEqual(req.body, {
        model: 'gpt-4.1-mini',
        input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Would you buy this?' }] }],
        store: false,
        stream: true,
      });
    });

    it('omits Authorization without an API key and tolerates a trailing slash', async () => {
      upstream.enqueue({ type: 'stream', content: 'ok' });
      await collect(createOpenAIResponsesProvider({ baseURL: `${upstream.url}/`, model: 'qwen3' }).stream(request()));
      assert.equal(upstream.requests[0]!.path, '/v1/responses');
      assert.equal(upstream.requests[0]!.headers.authorization, undefined);
    });

    it('forwards instructions, input items, tools, tool_choice, text.format and sampling natively', async () => {
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
                  { type: 'file', filename: 'brief.pdf', data: 'data:application/pdf;base64,JVBERi0=' },
                ],
              },
              { type: 'message', role: 'assistant', content: [{ type: 'text', text: 'Let me check prices.' }] },
              { type: 'function_call', callId: 'call_1', name: 'get_price', arguments: '{"sku":"A"}' },
              { type: 'function_call_output', callId: 'call_1', output: '{"price":5}' },
              { type: 'message', role: 'user', content: [{ type: 'text', text: 'Well?' }] },
            ],
            tools: [
              { name: 'get_price', description: 'Price of a SKU', parameters: { type: 'object', properties: { sku: { type: 'string' } } }, strict: true },
              { name: 'get_stock', parameters: { type: 'object', properties: {} }, strict: false },
            ],
            toolChoice: { mode: 'function', name: 'get_price' },
            parallelToolCalls: false,
            format: { type: 'json_schema', name: 'verdict', schema: { type: 'object' }, strict: true, description: 'A verdict' },
            sampling: { temperature: 0.7, topP: 0.9, frequencyPenalty: 0.1, presencePenalty: 0.2, maxOutputTokens: 300, reasoningEffort: 'high', verbosity: 'low', stop: ['END'], seed: 3 },
          }),
        ),
      );
      const body = upstream.requests[0]!.body;
      assert.equal(body.instructions, 'You are Maya, 27, a nurse in Leeds.');
      assert.deepEqual(body.input, [
        { type: 'message', role: 'developer', content: [{ type: 'input_text', text: 'Be brief.' }] },
        {
          type: 'message',
          role: 'user',
          content: [
            { type: 'input_text', text: 'What do you think of this ad?' },
            { type: 'input_image', image_url: 'https://example.com/ad.png', detail: 'low' },
            { type: 'input_file', filename: 'brief.pdf', file_data: 'data:application/pdf;base64,JVBERi0=' },
          ],
        },
        { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Let me check prices.' }] },
        { type: 'function_call', call_id: 'call_1', name: 'get_price', arguments: '{"sku":"A"}' },
        { type: 'function_call_output', call_id: 'call_1', output: '{"price":5}' },
        { type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Well?' }] },
      ]);
      assert.deepEqual(body.tools, [
        { type: 'function', name: 'get_price', description: 'Price of a SKU', parameters: { type: 'object', properties: { sku: { type: 'string' } } }, strict: true },
        { type: 'function', name: 'get_stock', parameters: { type: 'object', properties: {} }, strict: false },
      ]);
      assert.deepEqual(body.tool_choice, { type: 'function', name: 'get_price' });
      assert.equal(body.parallel_tool_calls, false);
      assert.deepEqual(body.text, { format: { type: 'json_schema', name: 'verdict', schema: { type: 'object' }, strict: true, description: 'A verdict' } });
      assert.equal(body.temperature, 0.7);
      assert.equal(body.top_p, 0.9);
      assert.equal(body.max_output_tokens, 300);
      assert.equal(body.store, false);
      // gpt-4.1-mini is not a reasoning model; penalties do not exist in the Responses API.
      // Neither are stop sequences or a seed (the run applies stop sequences itself).
      for (const k of ['reasoning', 'frequency_penalty', 'presence_penalty', 'stop', 'seed']) assert.ok(!(k in body), `${k} should be omitted`);
    });

    it('sends reasoning.effort and text.verbosity for a gpt-5 model', async () => {
      upstream.enqueue({ type: 'stream', content: 'ok' });
      await collect(provider('gpt-5-mini').stream(request({ sampling: { reasoningEffort: 'low', verbosity: 'high' } })));
      const body = upstream.requests[0]!.body;
      assert.deepEqual(body.reasoning, { effort: 'low' });
      assert.deepEqual(body.text, { verbosity: 'high' });
    });
  });

  describe('streamed responses', () => {
    it('streams text as text-delta events, then usage and finish (reasoning summaries ignored)', async () => {
      upstream.enqueue({
        type: 'stream',
        reasoningSummary: ['**Weighing the price**', ' She is careful with money.'],
        content: ['Honestly', ', ', 'yes.'],
        usage: { input_tokens: 42, output_tokens: 30, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 27 } },
      });
      const events = await collect(provider().stream(request()));
      assert.deepEqual(events, [
        { type: 'text-delta', delta: 'Honestly' },
        { type: 'text-delta', delta: ', ' },
        { type: 'text-delta', delta: 'yes.' },
        { type: 'usage', inputTokens: 42, outputTokens: 30, cachedTokens: 0, reasoningTokens: 27 },
        { type: 'finish', reason: 'stop' },
      ]);
    });

    it('streams two function calls with call_id, name and argument deltas', async () => {
      upstream.enqueue({
        type: 'stream',
        functionCalls: [
          { callId: 'call_weather', name: 'get_weather', arguments: ['{"ci', 'ty":"Par', 'is"}'] },
          { callId: 'call_time', name: 'get_time', arguments: '{"tz":"CET"}' },
        ],
      });
      const events = await collect(provider().stream(request()));
      assert.deepEqual(
        events.filter((e) => e.type === 'tool-call-start'),
        [
          { type: 'tool-call-start', index: 0, callId: 'call_weather', name: 'get_weather' },
          { type: 'tool-call-start', index: 1, callId: 'call_time', name: 'get_time' },
        ],
      );
      assert.equal(argsOf(events, 0), '{"city":"Paris"}');
      assert.equal(argsOf(events, 1), '{"tz":"CET"}');
      const end0 = events.findIndex((e) => e.type === 'tool-call-end' && e.index === 0);
      const start1 = events.findIndex((e) => e.type === 'tool-call-start' && e.index === 1);
      assert.ok(end0 >= 0 && end0 < start1, 'output_item.done ends a call');
      assert.deepEqual(events.at(-1), { type: 'finish', reason: 'tool_calls' });
    });

    it('reassembles a stream cut at awkward byte positions with CRLF line ends', async () => {
      const content = ['Ça coûte ', '5 €', ' — 🙂 trop cher', ' für mich.'];
      upstream.enqueue({ type: 'stream', content, split: { every: 7 }, delayMs: 1, lineEnding: '\r\n', done: true });
      const events = await collect(provider().stream(request()));
      assert.equal(textOf(events), content.join(''));
      assert.deepEqual(events.at(-1), { type: 'finish', reason: 'stop' });
    });

    it('replays a recorded Responses stream served over HTTP', async () => {
      upstream.enqueue({ type: 'sse', text: fixture('function-calls-stream.txt'), split: { every: 97 }, delayMs: 1 });
      const events = await collect(provider().stream(request()));
      assert.equal(argsOf(events, 0), '{"city":"Paris","unit":"c"}');
      assert.equal(argsOf(events, 1), '{"timezone":"Europe/Paris"}');
      assert.deepEqual(events.at(-2), { type: 'usage', inputTokens: 96, outputTokens: 52, cachedTokens: 0, reasoningTokens: 0 });
    });

    for (const [reason, expected] of [
      ['max_output_tokens', 'length'],
      ['content_filter', 'content_filter'],
    ] as const) {
      it(`response.incomplete (${reason}) → ${expected}`, async () => {
        upstream.enqueue({ type: 'stream', content: 'cut', status: 'incomplete', incompleteReason: reason });
        const events = await collect(provider().stream(request()));
        assert.deepEqual(events.at(-1), { type: 'finish', reason: expected });
      });
    }

    it('estimates usage when the server sends usage: null', async () => {
      upstream.enqueue({ type: 'stream', content: ['Hello', ' there', ' friend'], usage: false });
      const events = await collect(provider().stream(request({ system: 'You are a persona.' })));
      const usage = events.find((e) => e.type === 'usage');
      assert.ok(usage && usage.type === 'usage');
      assert.equal(usage.outputTokens, 3);
      assert.ok(usage.inputTokens > 5 && usage.inputTokens < 40, `inputTokens ${usage.inputTokens}`);
    });

    it('a server answering a whole Response JSON gives the same events', async () => {
      upstream.enqueue({
        type: 'response',
        content: 'I would not.',
        functionCalls: [{ callId: 'call_a', name: 'one', arguments: '{"a":1}' }],
        usage: { input_tokens: 20, output_tokens: 4 },
      });
      const events = await collect(provider().stream(request()));
      assert.deepEqual(events, [
        { type: 'text-delta', delta: 'I would not.' },
        { type: 'tool-call-start', index: 0, callId: 'call_a', name: 'one' },
        { type: 'tool-call-delta', index: 0, delta: '{"a":1}' },
        { type: 'tool-call-end', index: 0 },
        { type: 'usage', inputTokens: 20, outputTokens: 4 },
        { type: 'finish', reason: 'tool_calls' },
      ]);
    });
  });

  describe('errors', () => {
    it('429 with retry-after → service_unavailable 503 carrying retry-after', async () => {
      upstream.enqueue({ type: 'error', status: 429, retryAfter: 7, message: 'Rate limit reached in organization org-abc', errorType: 'requests', code: 'rate_limit_exceeded' });
      await assert.rejects(
        collect(provider().stream(request())),
        isApiError('service_unavailable', 503, (e) => {
          assert.equal(e.headers['retry-after'], '7');
          assert.ok(!e.message.includes('org-abc'));
        }),
      );
    });

    it('500 → service_unavailable; 401 names COHORT_UPSTREAM_API_KEY', async () => {
      upstream.enqueue({ type: 'error', status: 500 }, { type: 'error', status: 401, message: `Incorrect API key provided: ${API_KEY}` });
      await assert.rejects(collect(provider().stream(request())), isApiError('service_unavailable', 503));
      await assert.rejects(collect(provider().stream(request())), isApiError('service_unavailable', 503, (e) => assert.match(e.message, /COHORT_UPSTREAM_API_KEY/)));
    });

    it('400 → invalid_request with the upstream message and its Responses param', async () => {
      upstream.enqueue({
        type: 'error',
        status: 400,
        message: "Unsupported parameter: 'temperature' is not supported with this model.",
        param: 'temperature',
        code: 'unsupported_parameter',
      });
      await assert.rejects(
        collect(provider().stream(request({ sampling: { temperature: 0.2 } }))),
        isApiError('invalid_request', 400, (e) => {
          assert.match(e.message, /^The model backend \(127\.0\.0\.1:\d+, model gpt-4\.1-mini\) rejected the request with HTTP 400: Unsupported parameter: 'temperature' is not supported with this model\.$/);
          assert.equal(e.param, 'temperature');
        }),
      );
      upstream.enqueue({ type: 'error', status: 400, message: 'Invalid schema for response_format', param: 'text.format.schema' });
      await assert.rejects(collect(provider().stream(request())), isApiError('invalid_request', 400, (e) => assert.equal(e.param, 'text.format')));
    });

    it('connection refused → service_unavailable naming the host', async () => {
      const srv = createServer();
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
      const { port } = srv.address() as AddressInfo;
      await new Promise<void>((r) => srv.close(() => r()));
      const p = createOpenAIResponsesProvider({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: API_KEY, model: 'm' });
      await assert.rejects(
        collect(p.stream(request())),
        isApiError('service_unavailable', 503, (e) => {
          assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
          assert.match(e.message, /ECONNREFUSED/);
        }),
      );
    });

    it('response.failed → service_unavailable after the text so far', async () => {
      upstream.enqueue({ type: 'stream', content: ['Hi', ' there'], status: 'failed' });
      const seen: ProviderEvent[] = [];
      await assert.rejects(
        (async () => {
          for await (const e of provider().stream(request())) seen.push(e);
        })(),
        isApiError('service_unavailable', 503),
      );
      assert.equal(textOf(seen), 'Hi there');
    });

    it('response.failed with a client-fault code → invalid_request', async () => {
      upstream.enqueue({ type: 'stream', content: [], status: 'failed', error: { code: 'invalid_image_url', message: 'Timeout while downloading https://example.com/ad.png.' } });
      await assert.rejects(
        collect(provider().stream(request())),
        isApiError('invalid_request', 400, (e) => assert.match(e.message, /^The model backend \(127\.0\.0\.1:\d+, model gpt-4\.1-mini\) rejected the request: Timeout while downloading https:\/\/example\.com\/ad\.png\.$/)),
      );
    });

    it('an error event mid-stream → ApiError', async () => {
      upstream.enqueue({ type: 'stream', content: 'Hi', errorEvent: { code: 'server_error', message: 'The server had an error' } });
      await assert.rejects(collect(provider().stream(request())), isApiError('service_unavailable', 503));
      upstream.enqueue({ type: 'stream', content: 'Hi', errorEvent: { code: 'context_length_exceeded', message: 'Your input exceeds the context window of this model.', param: 'input' } });
      await assert.rejects(collect(provider().stream(request())), isApiError('invalid_request', 400, (e) => assert.equal(e.param, 'input')));
    });

    it('a stream that ends without a terminal event → service_unavailable', async () => {
      upstream.enqueue({ type: 'sse', text: fixture('text-stream.txt').split('event: response.completed')[0]! });
      await assert.rejects(collect(provider().stream(request())), isApiError('service_unavailable', 503));
    });

    it('malformed JSON in the stream → service_unavailable, not a SyntaxError', async () => {
      upstream.enqueue({ type: 'sse', frames: ['event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":\n\n'] });
      await assert.rejects(collect(provider().stream(request())), isApiError('service_unavailable', 503));
    });
  });
});
