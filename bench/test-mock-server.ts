/**
 * The test suite's mock upstream (test/helpers/mock-chat-upstream.ts) in its own
 * process, answering like bench/upstream.ts (20 ms, then a completion or 20
 * deltas 2 ms apart), for bench/compare-mocks.ts. Prints `{"port":N}`.
 */
import { startMockChatUpstream, type MockReply } from '../test/helpers/mock-chat-upstream.js';

const DELAY_MS = Number(process.env.BENCH_UPSTREAM_DELAY_MS ?? 20);
const pieces = Array.from({ length: 20 }, (_, i) => `Zq${String(i).padStart(2, '0')} `);
const upstream = await startMockChatUpstream({
  fallback: (req) =>
    new Promise<MockReply>((resolve) =>
      setTimeout(
        () => resolve(req.body?.stream === true ? { type: 'stream', content: pieces, delayMs: 2 } : { type: 'completion', content: pieces.join('') }),
        DELAY_MS,
      ),
    ),
});
// The recorded requests would grow without bound under load; a benchmark does not need them.
setInterval(() => upstream.requests.splice(0), 1000).unref();
process.stdout.write(JSON.stringify({ port: Number(new URL(upstream.url).port) }) + '\n');
process.on('SIGTERM', () => process.exit(0));
