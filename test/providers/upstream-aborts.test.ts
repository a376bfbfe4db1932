/**
 * Abort behaviour every HTTP backend shares (src/providers/http-backend/
 * `postForEvents`), run against each backend and its mock upstream in a loop:
 * a client abort, or a consumer that stops reading, closes the upstream
 * connection; an already-aborted request never reaches the upstream.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createAnthropicProvider } from '../../src/providers/anthropic/index.js';
import { createOpenAIChatProvider } from '../../src/providers/openai/chat/index.js';
import { createOpenAIResponsesProvider } from '../../src/providers/openai/responses/index.js';
import type { Provider } from '../../src/providers/types.js';
import { collect, request } from '../helpers/provider-kit.js';
import { startMockAnthropicUpstream } from '../helpers/mock-anthropic-upstream.js';
import { startMockChatUpstream } from '../helpers/mock-chat-upstream.js';
import { startMockResponsesUpstream } from '../helpers/mock-responses-upstream.js';
import type { RecordedRequest } from '../helpers/scripted-server.js';

/** The reply vocabulary the three mocks share for these tests. */
type AbortReply = { type: 'stream'; content: string[]; hang: true } | { type: 'hang' };

interface Upstream {
  url: string;
  requests: RecordedRequest[];
  enqueue(reply: AbortReply): void;
  waitForRequest(index?: number): Promise<RecordedRequest>;
  close(): Promise<void>;
}

const backends: Array<[string, () => Promise<Upstream>, (url: string) => Provider]> = [
  ['openai-chat', startMockChatUpstream, (url) => createOpenAIChatProvider({ baseURL: url, apiKey: 'sk-test', model: 'gpt-4o-mini' })],
  ['openai-responses', startMockResponsesUpstream, (url) => createOpenAIResponsesProvider({ baseURL: url, apiKey: 'sk-test', model: 'gpt-4.1-mini' })],
  ['anthropic', startMockAnthropicUpstream, (url) => createAnthropicProvider({ baseURL: url, apiKey: 'sk-ant-test', model: 'claude-sonnet-4-5' })],
];

const isAbort = (err: unknown) => err instanceof Error && err.name === 'AbortError';

for (const [name, start, make] of backends) {
  describe(`${name}: aborts`, () => {
    let upstream: Upstream;
    const provider = () => make(upstream.url);
    before(async () => {
      upstream = await start();
    });
    after(() => upstream.close());
    beforeEach(() => {
      upstream.requests.length = 0;
    });

    it('aborting the request signal mid-stream closes the upstream connection', async () => {
      upstream.enqueue({ type: 'stream', content: ['first', ' second'], hang: true });
      const controller = new AbortController();
      const iterator = provider().stream(request({ signal: controller.signal }))[Symbol.asyncIterator]();
      const first = await iterator.next();
      assert.deepEqual(first.value, { type: 'text-delta', delta: 'first' });
      const upstreamReq = await upstream.waitForRequest(0);
      controller.abort();
      await assert.rejects(
        (async () => {
          for (;;) if ((await iterator.next()).done) break;
        })(),
        isAbort,
      );
      await upstreamReq.closed;
      assert.equal(upstreamReq.aborted, true);
    });

    it('aborting before the upstream answers closes the connection too', async () => {
      upstream.enqueue({ type: 'hang' });
      const controller = new AbortController();
      const done = collect(provider().stream(request({ signal: controller.signal })));
      const upstreamReq = await upstream.waitForRequest(0);
      controller.abort();
      await assert.rejects(done, isAbort);
      await upstreamReq.closed;
      assert.equal(upstreamReq.aborted, true);
    });

    it('aborting a whole-answer request (not incremental) while the upstream works closes the connection', async () => {
      upstream.enqueue({ type: 'hang' });
      const controller = new AbortController();
      const done = collect(provider().stream(request({ signal: controller.signal, incremental: false })));
      const upstreamReq = await upstream.waitForRequest(0);
      assert.notEqual(upstreamReq.body.stream, true);
      controller.abort();
      await assert.rejects(done, isAbort);
      await upstreamReq.closed;
      assert.equal(upstreamReq.aborted, true);
    });

    it('a consumer that stops iterating releases the upstream connection', async () => {
      upstream.enqueue({ type: 'stream', content: ['one', ' two'], hang: true });
      for await (const e of provider().stream(request())) {
        assert.equal(e.type, 'text-delta');
        break;
      }
      const upstreamReq = await upstream.waitForRequest(0);
      await upstreamReq.closed;
      assert.equal(upstreamReq.aborted, true);
    });

    it('an already-aborted signal never reaches the upstream', async () => {
      const controller = new AbortController();
      controller.abort();
      await assert.rejects(collect(provider().stream(request({ signal: controller.signal }))), isAbort);
      assert.equal(upstream.requests.length, 0);
    });
  });
}
