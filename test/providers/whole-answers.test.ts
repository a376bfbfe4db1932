/**
 * Whole answers: a request that is not incremental (a non-streaming client
 * request) makes each HTTP backend ask its upstream for one JSON reply instead
 * of a stream, and the provider events are the same as the stream's; the
 * backend option `streaming: 'always'` keeps the stream. Against the real
 * HTTP mocks of each API, which answer `stream: false` with one JSON body as
 * the real APIs do.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAnthropicProvider } from '../../src/providers/anthropic/index.js';
import { createOpenAIChatProvider } from '../../src/providers/openai/chat/index.js';
import { createOpenAIResponsesProvider } from '../../src/providers/openai/responses/index.js';
import type { FunctionToolDef, Provider, ProviderEvent } from '../../src/providers/types.js';
import type { UpstreamStreaming } from '../../src/providers/http-backend/index.js';
import { startMockAnthropicUpstream } from '../helpers/mock-anthropic-upstream.js';
import { startMockChatUpstream } from '../helpers/mock-chat-upstream.js';
import { startMockResponsesUpstream } from '../helpers/mock-responses-upstream.js';
import type { RecordedRequest } from '../helpers/scripted-server.js';
import { collect, request } from '../helpers/provider-kit.js';

const TOOL: FunctionToolDef = { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] }, strict: false };

interface Backend {
  name: string;
  start(): Promise<{ close(): Promise<void> }>;
  provider(streaming?: UpstreamStreaming): Provider;
  /** Queues one answer: text in two deltas, then a call of `lookup` with its arguments in two fragments. */
  enqueueAnswer(): void;
  requests(): RecordedRequest[];
}

function backends(): Backend[] {
  let chat: Awaited<ReturnType<typeof startMockChatUpstream>>;
  let responses: Awaited<ReturnType<typeof startMockResponsesUpstream>>;
  let anthropic: Awaited<ReturnType<typeof startMockAnthropicUpstream>>;
  return [
    {
      name: 'openai-chat',
      start: async () => (chat = await startMockChatUpstream()),
      provider: (streaming) => createOpenAIChatProvider({ baseURL: chat.url, model: 'gpt-4o-mini', ...(streaming ? { streaming } : {}) }),
      enqueueAnswer: () => chat.enqueue({ type: 'stream', content: ['Would ', 'buy.'], toolCalls: [{ id: 'call_1', name: 'lookup', arguments: ['{"q":', '"price"}'] }] }),
      requests: () => chat.requests,
    },
    {
      name: 'openai-responses',
      start: async () => (responses = await startMockResponsesUpstream()),
      provider: (streaming) => createOpenAIResponsesProvider({ baseURL: responses.url, model: 'gpt-4.1-mini', ...(streaming ? { streaming } : {}) }),
      enqueueAnswer: () => responses.enqueue({ type: 'stream', content: ['Would ', 'buy.'], functionCalls: [{ callId: 'call_1', name: 'lookup', arguments: ['{"q":', '"price"}'] }] }),
      requests: () => responses.requests,
    },
    {
      name: 'anthropic',
      start: async () => (anthropic = await startMockAnthropicUpstream()),
      provider: (streaming) => createAnthropicProvider({ baseURL: anthropic.url, apiKey: 'sk-ant-test', model: 'claude-sonnet-4-5', ...(streaming ? { streaming } : {}) }),
      enqueueAnswer: () => anthropic.enqueue({ type: 'stream', content: ['Would ', 'buy.'], toolUses: [{ id: 'toolu_1', name: 'lookup', partialJson: ['{"q":', '"price"}'] }] }),
      requests: () => anthropic.requests,
    },
  ];
}

/** What a consumer takes from the events: the text, the calls, usage and finish (not how they were cut). */
function answerOf(events: ProviderEvent[]) {
  const calls = new Map<number, { callId: string; name: string; args: string }>();
  let text = '';
  let usage: ProviderEvent | undefined;
  let finish: ProviderEvent | undefined;
  for (const e of events) {
    if (e.type === 'text-delta') text += e.delta;
    else if (e.type === 'tool-call-start') calls.set(e.index, { callId: e.callId, name: e.name, args: '' });
    else if (e.type === 'tool-call-delta') calls.get(e.index)!.args += e.delta;
    else if (e.type === 'usage') usage = e;
    else if (e.type === 'finish') finish = e;
  }
  return { text, calls: [...calls.values()].map((c) => ({ ...c, args: JSON.parse(c.args) as unknown })), usage, finish };
}

for (const b of backends()) {
  describe(`whole answers: ${b.name}`, () => {
    let server: { close(): Promise<void> };
    before(async () => {
      server = await b.start();
    });
    after(async () => {
      await server.close();
    });

    it('asks for one JSON reply when the request is not incremental, with the same answer as the stream', async () => {
      const base = requestWithTool();
      b.enqueueAnswer();
      const streamed = await collect(b.provider().stream(base));
      b.enqueueAnswer();
      const whole = await collect(b.provider().stream({ ...base, incremental: false }));
      const [first, second] = b.requests().slice(-2);
      assert.equal(first!.body.stream, true);
      assert.notEqual(second!.body.stream, true, 'the whole answer is asked for without stream: true');
      assert.equal(second!.body.stream_options, undefined);
      const a = answerOf(streamed);
      assert.equal(a.text, 'Would buy.');
      assert.deepEqual(a.calls.map((c) => [c.name, c.args]), [['lookup', { q: 'price' }]]);
      assert.ok(a.usage && a.finish);
      assert.deepEqual(answerOf(whole), a);
      // One text delta for the whole text: the translator gets one event, not one per token.
      assert.equal(whole.filter((e) => e.type === 'text-delta').length, 1);
    });

    it("streaming: 'always' streams even when the request is not incremental", async () => {
      b.enqueueAnswer();
      const events = await collect(b.provider('always').stream({ ...requestWithTool(), incremental: false }));
      assert.equal(b.requests().at(-1)!.body.stream, true);
      assert.equal(answerOf(events).text, 'Would buy.');
    });
  });
}

function requestWithTool() {
  return request({ tools: [TOOL] });
}
