/**
 * The real app in a process of its own, for test/hostile: whether a hostile
 * request stalls the server is seen from outside, by a /health request that
 * must still be answered (a test in the same process would be stalled too).
 * Live keys are served by an OpenAI-compatible upstream at HOSTILE_UPSTREAM_URL.
 * Prints one JSON line: `{url, testKey, liveKey, betaTestKey}`; stops on SIGTERM.
 */
import { createOpenAIChatProvider } from '../../src/providers/openai/chat/index.js';
import { startTestServer } from '../helpers/app.js';

const upstream = process.env.HOSTILE_UPSTREAM_URL ?? 'http://127.0.0.1:9/v1';
const s = await startTestServer({ live: createOpenAIChatProvider({ baseURL: upstream, model: 'mock' }) });
const beta = await s.accounts.createKey({ workspace: 'beta', mode: 'test', plan: 'business' });
process.stdout.write(`${JSON.stringify({ url: s.url, testKey: s.testKey, liveKey: s.liveKey, betaTestKey: beta.key })}\n`);
process.once('SIGTERM', () => {
  void s.close().finally(() => process.exit(0));
});
