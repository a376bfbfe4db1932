/**
 * Structured outputs on the local engine with the random-weights fixture
 * model (issue 17.16), which happily writes out-of-range numbers: what the
 * grammar can express (integer and number bounds, patterns, uuid) always
 * validates; what it cannot goes through the router's validate-and-repair
 * path, and a model that still fails is a 502 model_output_invalid, never a
 * 500.
 *
 * Skipped only when node-llama-cpp cannot run on this platform.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { ApiError } from '../../src/errors/api-error.js';
import { createLlamaCppProvider, type LlamaCppProvider } from '../../src/providers/llama-cpp/index.js';
import { createRouterProvider } from '../../src/providers/router.js';
import type { Provider, ProviderEvent, ProviderRequest } from '../../src/providers/types.js';
import { validateAgainst } from '../../src/util/json-schema.js';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { engineSkipReason } from '../helpers/llama-engine.js';

const MODEL = [process.env.COHORT_TEST_MODEL, path.resolve('..', 'shared', 'fixtures', 'models', 'llama-2-tiny-random.gguf'), '/work/shared/fixtures/models/llama-2-tiny-random.gguf'].find(
  (p): p is string => !!p && fs.existsSync(p),
);

const SCHEMA = {
  type: 'object',
  properties: {
    score: { type: 'integer', minimum: 0, maximum: 9 },
    year: { type: 'integer', minimum: 1990, exclusiveMaximum: 2031 },
    delta: { type: 'integer', minimum: -40, maximum: -5 },
    ratio: { type: 'number', minimum: 0, maximum: 1 },
    code: { type: 'string', pattern: '^[A-Z]{3}-\\d{2}$' },
    word: { type: 'string', pattern: '^[^"\\s]{1,8}$' },
    id: { type: 'string', format: 'uuid' },
  },
  required: ['score', 'year', 'delta', 'ratio', 'code', 'word', 'id'],
  additionalProperties: false,
};

function request(over: Partial<ProviderRequest> = {}): ProviderRequest {
  return {
    items: [{ type: 'message', role: 'user', content: [{ type: 'text', text: 'Rate this blender.' }] }],
    tools: [],
    toolChoice: { mode: 'auto' },
    parallelToolCalls: false,
    format: { type: 'json_schema', name: 'rating', schema: SCHEMA, strict: true },
    sampling: { temperature: 1, maxOutputTokens: 300 },
    signal: new AbortController().signal,
    ...over,
  };
}

async function textOf(events: AsyncIterable<ProviderEvent>): Promise<string> {
  let text = '';
  for await (const e of events) if (e.type === 'text-delta') text += e.delta;
  return text;
}

describe('local engine: JSON Schema keywords the grammar expresses', () => {
  let provider: LlamaCppProvider;
  let skipReason: string | undefined;
  const ready = (t: TestContext): boolean => {
    if (skipReason !== undefined) t.skip(skipReason);
    return skipReason === undefined;
  };

  before(async () => {
    assert.ok(MODEL, 'the fixture model exists');
    provider = createLlamaCppProvider({ modelPath: MODEL, contextSize: 1024, threads: 1 });
    try {
      await provider.load();
    } catch (err) {
      if (err instanceof ApiError && err.code === 'service_unavailable' && /node-llama-cpp|llama\.cpp on this platform/.test(err.message)) {
        skipReason = engineSkipReason(`node-llama-cpp cannot run here: ${err.message}`);
        return;
      }
      throw err;
    }
  });
  after(() => provider?.close());

  it('bounded integers and numbers, patterns and uuid: every sampled answer validates (8 seeds, temperature 1)', async (t) => {
    if (!ready(t)) return;
    assert.equal(provider.capabilities?.enforcesAll?.(SCHEMA), true, 'nothing left to the router');
    for (let seed = 1; seed <= 8; seed++) {
      const text = await textOf(provider.stream(request({ sampling: { temperature: 1, maxOutputTokens: 300, seed } })));
      const value: unknown = JSON.parse(text);
      assert.deepEqual(validateAgainst(SCHEMA, value), { valid: true, errors: [] }, `seed ${seed}: ${text}`);
    }
  });

  describe('through the app (live key, router in front of the engine)', () => {
    let server: TestServer;
    let calls = 0;
    before(async () => {
      if (skipReason !== undefined) return;
      const counted: Provider = { ...provider, stream: (req) => (calls++, provider.stream(req)) };
      server = await startTestServer({ live: createRouterProvider({ backends: [{ name: 'local', provider: counted }], routes: { default: ['local'] } }) });
    });
    after(() => server?.close());

    const post = (body: object) =>
      fetch(`${server.url}/v1/responses`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${server.liveKey}` },
        body: JSON.stringify({ model: 'mavera-1', input: 'Rate this blender.', temperature: 1, max_output_tokens: 120, ...body }),
      });

    it("the issue's schema: an integer from 0 to 9 comes back in range, in one call", async (t) => {
      if (!ready(t)) return;
      const schema = { type: 'object', properties: { score: { type: 'integer', minimum: 0, maximum: 9 } }, required: ['score'], additionalProperties: false };
      calls = 0;
      const res = await post({ text: { format: { type: 'json_schema', name: 'rating', schema, strict: true } } });
      const body = await res.json();
      assert.equal(res.status, 200, JSON.stringify(body));
      assert.equal(body.status, 'completed');
      const score = JSON.parse(body.output_text).score as number;
      assert.ok(Number.isInteger(score) && score >= 0 && score <= 9, String(score));
      assert.equal(calls, 1);
    });

    it('a keyword the grammar cannot express: validated and repaired once; still invalid → 502 model_output_invalid, not a 500', async (t) => {
      if (!ready(t)) return;
      // The random model never writes an e-mail address.
      const schema = { type: 'object', properties: { email: { type: 'string', format: 'email', maxLength: 12 } }, required: ['email'], additionalProperties: false };
      calls = 0;
      const res = await post({ text: { format: { type: 'json_schema', name: 'contact', schema, strict: true } } });
      const body = await res.json();
      assert.equal(res.status, 502);
      assert.equal(res.headers.get('x-should-retry'), 'false');
      assert.equal(body.error.code, 'model_output_invalid');
      assert.equal(body.error.type, 'model_error');
      assert.equal(body.error.param, 'text.format.schema');
      assert.match(body.error.message, /does not match the JSON schema 'contact', also after one repair attempt \(backend local\): .*email/);
      assert.equal(calls, 2, 'the answer and one repair');
    });
  });
});
