/**
 * The embedding backends over real HTTP against the mock upstream speaking each wire
 * format: OpenAI-compatible POST /v1/embeddings (data put back in input order by index,
 * usage read, or counted when absent; 429 a retryable 503), Ollama's /api/embed (from a
 * /v1 base URL), the router (backends without embeddings skipped, a failing one fallen back
 * from), the sandbox's deterministic embedding, and the local GGUF engine's embedding context.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiError } from '../../src/errors/api-error.js';
import { createLlamaCppProvider } from '../../src/providers/llama-cpp/index.js';
import { createOllamaEmbeddings } from '../../src/providers/ollama/index.js';
import { createOpenAIChatProvider } from '../../src/providers/openai/chat/index.js';
import { createOpenAIEmbeddings } from '../../src/providers/openai/embeddings/index.js';
import { createRouterProvider } from '../../src/providers/router.js';
import { sandboxEmbedding, sandboxEmbeddings, SANDBOX_EMBEDDING_DIM, valence } from '../../src/providers/sandbox/embedding.js';
import { countTokens } from '../../src/util/tokens.js';
import { mockEmbedding, startMockChatUpstream, type MockChatUpstream } from '../helpers/mock-chat-upstream.js';

let upstream: MockChatUpstream;
before(async () => {
  upstream = await startMockChatUpstream();
});
after(() => upstream.close());

const signal = () => new AbortController().signal;

describe('OpenAI-compatible /embeddings', () => {
  it('posts the texts as floats and returns the vectors in input order with the upstream token count', async () => {
    upstream.requests.length = 0;
    upstream.enqueue({ type: 'embeddings', order: 'reversed', usage: { prompt_tokens: 17, total_tokens: 17 } });
    const e = createOpenAIEmbeddings({ baseURL: upstream.url, model: 'text-embedding-3-small', apiKey: 'sk-emb', dimensions: 8 });
    const r = await e.embed({ input: ['I would not recommend it', 'I love it'], signal: signal() });
    assert.deepEqual(r.vectors, [mockEmbedding('I would not recommend it'), mockEmbedding('I love it')]);
    assert.equal(r.inputTokens, 17);
    const req = upstream.requests[0]!;
    assert.equal(req.path, '/v1/embeddings');
    assert.equal(req.headers.authorization, 'Bearer sk-emb');
    assert.deepEqual(req.body, { model: 'text-embedding-3-small', input: ['I would not recommend it', 'I love it'], encoding_format: 'float', dimensions: 8 });
  });

  it('counts the tokens itself when the server sends no usage', async () => {
    upstream.enqueue({ type: 'embeddings', usage: false });
    const r = await createOpenAIEmbeddings({ baseURL: upstream.url, model: 'm' }).embed({ input: ['one two three', 'four'], signal: signal() });
    assert.equal(r.inputTokens, countTokens('one two three') + countTokens('four'));
  });

  it('maps a 429 to a retryable 503 and a reply with the wrong count to a malformed-upstream 503', async () => {
    upstream.enqueue({ type: 'error', status: 429, retryAfter: 1 });
    const e = createOpenAIEmbeddings({ baseURL: upstream.url, model: 'm' });
    await assert.rejects(e.embed({ input: ['a'], signal: signal() }), (err: unknown) => err instanceof ApiError && err.status === 503 && err.retryable && err.headers['retry-after'] === '1');
    upstream.enqueue({ type: 'embeddings', vectors: [[1, 2]] });
    await assert.rejects(e.embed({ input: ['a', 'b'], signal: signal() }), (err: unknown) => err instanceof ApiError && err.status === 503 && /1 embeddings for 2 inputs/.test(err.message));
    upstream.enqueue({ type: 'embeddings', vectors: [[1, 2], [1]] });
    await assert.rejects(e.embed({ input: ['a', 'b'], signal: signal() }), /different dimensions/);
  });
});

describe("Ollama's /api/embed", () => {
  it('posts to the root /api/embed from a /v1 base URL and reads prompt_eval_count', async () => {
    upstream.requests.length = 0;
    upstream.enqueue({ type: 'ollama-embed', promptEvalCount: 9 });
    const e = createOllamaEmbeddings({ baseURL: upstream.url, model: 'nomic-embed-text' });
    const r = await e.embed({ input: ['great value', 'too expensive'], signal: signal() });
    assert.equal(upstream.requests[0]!.path, '/api/embed');
    assert.deepEqual(upstream.requests[0]!.body, { model: 'nomic-embed-text', input: ['great value', 'too expensive'], truncate: true });
    assert.deepEqual(r, { vectors: [mockEmbedding('great value'), mockEmbedding('too expensive')], inputTokens: 9 });
  });
});

describe('router embeddings', () => {
  it('skips backends without embeddings, falls back from a failing one, and says when a route has none', async () => {
    upstream.requests.length = 0;
    const chat = createOpenAIChatProvider({ baseURL: upstream.url, model: 'chat' });
    const failing = { ...createOpenAIChatProvider({ baseURL: upstream.url, model: 'chat' }), embeddings: createOpenAIEmbeddings({ baseURL: upstream.url, model: 'bad' }) };
    const good = { ...createOpenAIChatProvider({ baseURL: upstream.url, model: 'chat' }), embeddings: createOpenAIEmbeddings({ baseURL: upstream.url, model: 'good' }) };
    const router = createRouterProvider({
      backends: [
        { name: 'plain', provider: chat },
        { name: 'failing', provider: failing, retries: { max: 0, baseMs: 1 } },
        { name: 'good', provider: good },
      ],
      routes: { default: ['plain', 'failing', 'good'], workspaces: { solo: ['plain'] } },
    });
    upstream.enqueue({ type: 'error', status: 500 }, { type: 'embeddings' });
    const r = await router.embeddings!.embed({ input: ['x'], signal: signal() });
    assert.deepEqual(r.vectors, [mockEmbedding('x')]);
    assert.deepEqual(upstream.requests.map((q) => q.body.model), ['bad', 'good']);
    assert.equal(router.embeddings!.available({}), true);
    assert.equal(router.embeddings!.available({ workspace: { id: 'w', name: 'solo' } }), false);
    await assert.rejects(router.embeddings!.embed({ input: ['x'], workspace: { id: 'w', name: 'solo' }, signal: signal() }), (err: unknown) => err instanceof ApiError && err.status === 400);
    assert.equal(createRouterProvider({ backends: [{ name: 'plain', provider: chat }], routes: { default: ['plain'] } }).embeddings, undefined);
  });
});

describe('sandbox embedding', () => {
  it('is deterministic, unit length, and nearer texts of the same valence', async () => {
    const a = sandboxEmbedding('I would definitely recommend it.');
    assert.equal(a.length, SANDBOX_EMBEDDING_DIM);
    assert.deepEqual(a, sandboxEmbedding('I would definitely recommend it.'));
    assert.ok(Math.abs(Math.hypot(...a) - 1) < 1e-5);
    const cos = (x: number[], y: number[]) => x.reduce((s, v, i) => s + v * y[i]!, 0);
    const positive = sandboxEmbedding("I really like this, it's great.");
    const negative = sandboxEmbedding("Honestly, this isn't for me.");
    assert.ok(cos(a, positive) > cos(a, negative), 'praise is nearer praise than refusal');
    // Negation and intensity, by hand: "not convinced" = −0.75 × 2 → tanh(−1.5/4); "really like" = 1.5 × 2 → tanh(3/4).
    assert.ok(Math.abs(valence("I'm not convinced") - Math.tanh(-1.5 / 4)) < 1e-12);
    assert.ok(Math.abs(valence('I really like this') - Math.tanh(3 / 4)) < 1e-12);
    const r = await sandboxEmbeddings.embed({ input: ['a b', 'c'], signal: signal() });
    assert.equal(r.vectors.length, 2);
    assert.equal(r.inputTokens, countTokens('a b') + countTokens('c'));
  });
});

const MODEL = [process.env.COHORT_TEST_MODEL, path.resolve('..', 'shared', 'fixtures', 'models', 'llama-2-tiny-random.gguf'), '/work/shared/fixtures/models/llama-2-tiny-random.gguf'].find(
  (p): p is string => p !== undefined && existsSync(p),
);

describe('local GGUF embeddings', () => {
  it("embeds with the model's embedding context and counts the model's tokens", async (t) => {
    assert.ok(MODEL, 'the tiny GGUF fixture is in shared/fixtures/models');
    const provider = createLlamaCppProvider({ modelPath: MODEL, contextSize: 512, threads: 1, embeddings: true });
    try {
      let r;
      try {
        r = await provider.embeddings!.embed({ input: ['I would recommend it', 'not for me'], signal: signal() });
      } catch (err) {
        if (err instanceof ApiError && err.code === 'service_unavailable' && /node-llama-cpp|llama\.cpp on this platform/.test(err.message)) return t.skip(`node-llama-cpp cannot run here: ${err.message}`);
        throw err;
      }
      assert.equal(r.vectors.length, 2);
      assert.ok(r.vectors[0]!.length > 0 && r.vectors[0]!.length === r.vectors[1]!.length);
      assert.ok(r.vectors.flat().every(Number.isFinite));
      assert.ok(r.inputTokens >= 4, `tokens: ${r.inputTokens}`);
      assert.equal(createLlamaCppProvider({ modelPath: MODEL }).embeddings, undefined, 'off unless asked for');
    } finally {
      await provider.close();
    }
  });
});
