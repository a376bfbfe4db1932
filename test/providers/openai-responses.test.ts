/**
 * What only the OpenAI Responses upstream provider does, against a real HTTP mock
 * upstream: the request it sends, response.failed, Responses error params. What every
 * HTTP backend does (streaming, usage, finish reasons, errors, aborts) is in
 * http-backends.contract.test.ts.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createOpenAIResponsesProvider } from '../../src/providers/openai/responses/index.js';
import type { ProviderEvent } from '../../src/providers/types.js';
import { apiErrorMatcher, collect, request, textOf } from '../helpers/provider-kit.js';
import { startMockResponsesUpstream, type MockResponsesUpstream } from '../helpers/mock-responses-upstream.js';

const API_KEY = 'sk-test-SECRET-0123456789abcdef';

const isApiError = apiErrorMatcher(API_KEY);


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

  describe('errors', () => {
    it('400 → invalid_request naming the Cohort param for a Responses param (text.format.schema → text.format)', async () => {
      upstream.enqueue({ type: 'error', status: 400, message: 'Invalid schema for response_format', param: 'text.format.schema' });
      await assert.rejects(collect(provider().stream(request())), isApiError('invalid_request', 400, (e) => assert.equal(e.param, 'text.format')));
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

    it('an error event mid-stream with a client-fault code → invalid_request naming its param', async () => {
      upstream.enqueue({ type: 'stream', content: 'Hi', errorEvent: { code: 'context_length_exceeded', message: 'Your input exceeds the context window of this model.', param: 'input' } });
      await assert.rejects(collect(provider().stream(request())), isApiError('invalid_request', 400, (e) => assert.equal(e.param, 'input')));
    });
  });
});
