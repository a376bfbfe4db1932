/**
 * The Anthropic Messages provider against a real HTTP mock upstream: what is
 * sent, what comes back, errors and aborts.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { createAnthropicProvider } from '../../src/providers/anthropic/index.js';
import type { ProviderEvent } from '../../src/providers/types.js';
import { apiErrorMatcher, argsOf, collect, request, textOf } from '../helpers/provider-kit.js';
import { startMockAnthropicUpstream, type MockAnthropicUpstream } from '../helpers/mock-anthropic-upstream.js';

const API_KEY = 'sk-ant-api03-SECRET-0123456789abcdef';

const isApiError = apiErrorMatcher(API_KEY);

const fixture = (name: string): string => readFileSync(new URL(`./__fixtures__/anthropic/${name}`, import.meta.url), 'utf8');

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
    it('streams text as text-delta events, then usage and finish (thinking blocks ignored)', async () => {
      upstream.enqueue({
        type: 'stream',
        before: [{ kind: 'thinking', deltas: ['Hmm, price…', ' she is frugal.'] }],
        content: ['Honestly', ', ', 'yes.'],
        usage: { input_tokens: 42, output_tokens: 3 },
      });
      const events = await collect(provider().stream(request()));
      assert.deepEqual(events, [
        { type: 'text-delta', delta: 'Honestly' },
        { type: 'text-delta', delta: ', ' },
        { type: 'text-delta', delta: 'yes.' },
        { type: 'usage', inputTokens: 42, outputTokens: 3, cachedTokens: 0 },
        { type: 'finish', reason: 'stop' },
      ]);
    });

    it('streams two tool_use blocks with partial_json fragments', async () => {
      upstream.enqueue({
        type: 'stream',
        content: 'Checking.',
        toolUses: [
          { id: 'toolu_weather', name: 'get_weather', partialJson: ['{"ci', 'ty":"Par', 'is"}'] },
          { id: 'toolu_time', name: 'get_time' },
        ],
      });
      const events = await collect(provider().stream(request()));
      assert.equal(textOf(events), 'Checking.');
      assert.deepEqual(
        events.filter((e) => e.type === 'tool-call-start'),
        [
          { type: 'tool-call-start', index: 0, callId: 'toolu_weather', name: 'get_weather' },
          { type: 'tool-call-start', index: 1, callId: 'toolu_time', name: 'get_time' },
        ],
      );
      assert.equal(argsOf(events, 0), '{"city":"Paris"}');
      assert.equal(argsOf(events, 1), '{}', 'a tool without arguments reports {}');
      const end0 = events.findIndex((e) => e.type === 'tool-call-end' && e.index === 0);
      const start1 = events.findIndex((e) => e.type === 'tool-call-start' && e.index === 1);
      assert.ok(end0 < start1, 'content_block_stop ends a call before the next starts');
      assert.deepEqual(events.at(-1), { type: 'finish', reason: 'tool_calls' });
    });

    it('reassembles a stream cut at awkward byte positions with CRLF line ends', async () => {
      const content = ['Ça coûte ', '5 €', ' — 🙂 trop cher', ' für mich.'];
      upstream.enqueue({ type: 'stream', content, split: { every: 7 }, delayMs: 1, lineEnding: '\r\n' });
      const events = await collect(provider().stream(request()));
      assert.equal(textOf(events), content.join(''));
      assert.deepEqual(events.at(-1), { type: 'finish', reason: 'stop' });
    });

    it('replays a recorded Anthropic stream served over HTTP', async () => {
      upstream.enqueue({ type: 'sse', text: fixture('tool-use-stream.txt'), split: { every: 97 }, delayMs: 1 });
      const events = await collect(provider().stream(request()));
      assert.equal(textOf(events), "I'll check the weather and the time in Paris.");
      assert.equal(argsOf(events, 0), '{"city": "Paris", "unit": "c"}');
      assert.equal(argsOf(events, 1), '{"timezone": "Europe/Paris"}');
      assert.deepEqual(events.at(-2), { type: 'usage', inputTokens: 187 + 1536, outputTokens: 112, cachedTokens: 1536 });
      assert.deepEqual(events.at(-1), { type: 'finish', reason: 'tool_calls' });
    });

    for (const [stopReason, expected] of [
      ['end_turn', 'stop'],
      ['stop_sequence', 'stop'],
      ['max_tokens', 'length'],
      ['refusal', 'content_filter'],
      ['pause_turn', 'stop'],
    ] as const) {
      it(`maps stop_reason ${stopReason} → ${expected}`, async () => {
        upstream.enqueue({ type: 'stream', content: 'x', stopReason });
        const events = await collect(provider().stream(request()));
        assert.deepEqual(events.at(-1), { type: 'finish', reason: expected });
      });
    }

    it('a proxy answering a whole JSON message gives the same events', async () => {
      upstream.enqueue({
        type: 'message',
        content: 'I would not.',
        toolUses: [{ id: 'toolu_x', name: 'f', input: { a: 1 } }],
        usage: { input_tokens: 20, output_tokens: 4 },
      });
      const events = await collect(provider().stream(request()));
      assert.deepEqual(events, [
        { type: 'text-delta', delta: 'I would not.' },
        { type: 'tool-call-start', index: 0, callId: 'toolu_x', name: 'f' },
        { type: 'tool-call-delta', index: 0, delta: '{"a":1}' },
        { type: 'tool-call-end', index: 0 },
        { type: 'usage', inputTokens: 20, outputTokens: 4 },
        { type: 'finish', reason: 'tool_calls' },
      ]);
    });
  });

  describe('errors', () => {
    it('429 with retry-after → service_unavailable 503 carrying retry-after', async () => {
      upstream.enqueue({ type: 'error', status: 429, retryAfter: 7, message: 'Number of request tokens has exceeded your per-minute rate limit' });
      await assert.rejects(
        collect(provider().stream(request())),
        isApiError('service_unavailable', 503, (e) => {
          assert.equal(e.headers['retry-after'], '7');
          assert.match(e.message, /rate limiting/);
        }),
      );
    });

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

    it('500 → service_unavailable', async () => {
      upstream.enqueue({ type: 'error', status: 500 });
      await assert.rejects(collect(provider().stream(request())), isApiError('service_unavailable', 503));
    });

    for (const status of [401, 403]) {
      it(`${status} → service_unavailable naming ANTHROPIC_API_KEY, never the key`, async () => {
        upstream.enqueue({ type: 'error', status, message: `invalid x-api-key ${API_KEY}` });
        await assert.rejects(
          collect(provider().stream(request())),
          isApiError('service_unavailable', 503, (e) => assert.match(e.message, /ANTHROPIC_API_KEY/)),
        );
      });
    }

    it('404 → service_unavailable naming the model', async () => {
      upstream.enqueue({ type: 'error', status: 404, message: 'model: claude-sonnet-4-5' });
      await assert.rejects(collect(provider().stream(request())), isApiError('service_unavailable', 503, (e) => assert.match(e.message, /claude-sonnet-4-5/)));
    });

    it('400 → invalid_request with the upstream message, keys redacted', async () => {
      upstream.enqueue({ type: 'error', status: 400, message: `messages.1.content.0.image.source.base64: invalid base64 data (key ${API_KEY})` });
      await assert.rejects(
        collect(provider().stream(request())),
        isApiError('invalid_request', 400, (e) => {
          assert.match(e.message, /^The model backend \(127\.0\.0\.1:\d+, model claude-sonnet-4-5\) rejected the request with HTTP 400: messages\.1\.content\.0\.image\.source\.base64: invalid base64 data \(key \[redacted\]\)$/);
        }),
      );
    });

    it('connection refused → service_unavailable naming the host', async () => {
      const srv = createServer();
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
      const { port } = srv.address() as AddressInfo;
      await new Promise<void>((r) => srv.close(() => r()));
      const p = createAnthropicProvider({ baseURL: `http://127.0.0.1:${port}`, apiKey: API_KEY, model: 'm' });
      await assert.rejects(
        collect(p.stream(request())),
        isApiError('service_unavailable', 503, (e) => {
          assert.match(e.message, new RegExp(`127\\.0\\.0\\.1:${port}`));
          assert.match(e.message, /ECONNREFUSED/);
        }),
      );
    });

    it('an overloaded_error event mid-stream → service_unavailable after the text so far', async () => {
      upstream.enqueue({ type: 'stream', content: ['Hi', ' there'], errorAfterBlocks: { type: 'overloaded_error', message: 'Overloaded' } });
      const seen: ProviderEvent[] = [];
      await assert.rejects(
        (async () => {
          for await (const e of provider().stream(request())) seen.push(e);
        })(),
        isApiError('service_unavailable', 503, (e) => assert.match(e.message, /overloaded/)),
      );
      assert.equal(textOf(seen), 'Hi there');
    });

    it('a stream cut before message_delta/message_stop → service_unavailable', async () => {
      upstream.enqueue({ type: 'sse', text: fixture('text-stream.txt').split('event: message_delta')[0]! });
      await assert.rejects(collect(provider().stream(request())), isApiError('service_unavailable', 503));
    });

    it('a message_delta with stop_reason but no message_stop is accepted', async () => {
      upstream.enqueue({ type: 'stream', content: 'fine', messageStop: false });
      const events = await collect(provider().stream(request()));
      assert.deepEqual(events.at(-1), { type: 'finish', reason: 'stop' });
    });

    it('malformed JSON in the stream → service_unavailable, not a SyntaxError', async () => {
      upstream.enqueue({ type: 'sse', frames: ['event: content_block_delta\ndata: {"type":"content_block_delta","index":0,\n\n'] });
      await assert.rejects(collect(provider().stream(request())), isApiError('service_unavailable', 503));
    });
  });
});
