/**
 * Analysis mode end to end on a real listening server with a test key (the
 * sandbox engine + the lexicon analyzer): JSON and SSE, credits, and the
 * official `openai` client carrying the extra field through.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import type { ResponseCreateParamsNonStreaming, ResponseCreateParamsStreaming } from 'openai/resources/responses/responses';
import { analyzeWithLexicon } from '../../src/analysis/lexicon.js';
import { ANALYSIS_SCHEMA } from '../../src/analysis/schema.js';
import type { Analysis } from '../../src/analysis/types.js';
import { validateAgainst } from '../../src/util/json-schema.js';
import { personas, readSse, startTestServer, type TestServer } from '../helpers/app.js';

const PERSONA = 'budget-conscious-single-parent';
const QUESTION = 'Would you pay $12/month for a meal-kit subscription?';

/** Every event type a plain text response may stream; analysis mode adds none. */
const KNOWN_EVENTS = new Set([
  'response.created',
  'response.in_progress',
  'response.output_item.added',
  'response.content_part.added',
  'response.output_text.delta',
  'response.output_text.done',
  'response.content_part.done',
  'response.output_item.done',
  'response.completed',
]);

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

const post = (body: unknown, key = s.testKey) =>
  fetch(`${s.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(body) });

function assertAnalysis(value: unknown, answer: string): asserts value is Analysis {
  const check = validateAgainst(ANALYSIS_SCHEMA, value);
  assert.ok(check.valid, check.errors.join('; '));
  const a = value as Analysis;
  for (const n of [a.confidence, a.emotion.emotional_valence, a.emotion.arousal, a.emotion.dominance]) assert.ok(Number.isInteger(n) && n >= 1 && n <= 10);
  for (const b of a.biases) assert.ok(answer.includes(b.evidence));
}

describe('analysis mode over HTTP (test key)', () => {
  it('adds a top-level `analysis` to the JSON response, computed from the answer and the persona', async () => {
    const res = await post({ model: 'mavera-1', input: QUESTION, persona_id: PERSONA, analysis_mode: true });
    assert.equal(res.status, 200);
    const body = (await res.json()) as { output_text: string; analysis: unknown; usage: { credits_used: number }; status: string };
    assert.equal(body.status, 'completed');
    assertAnalysis(body.analysis, body.output_text);
    const persona = personas.find((p) => p.id === PERSONA);
    assert.deepEqual(body.analysis, analyzeWithLexicon({ persona, question: QUESTION, answer: body.output_text }));
    assert.ok(body.usage.credits_used >= 3 && body.usage.credits_used <= 5, `credits ${body.usage.credits_used}`);
  });

  it('is deterministic for the same request', async () => {
    const req = { model: 'mavera-1', input: QUESTION, persona_id: PERSONA, analysis_mode: true };
    const a = (await (await post(req)).json()) as { analysis: unknown };
    const b = (await (await post(req)).json()) as { analysis: unknown };
    assert.deepEqual(a.analysis, b.analysis);
  });

  it('works without a persona', async () => {
    const body = (await (await post({ model: 'mavera-1', input: 'Is remote work here to stay?', analysis_mode: true })).json()) as { output_text: string; analysis: unknown };
    assertAnalysis(body.analysis, body.output_text);
  });

  it('without analysis_mode there is no `analysis` key, and standard pricing', async () => {
    for (const extra of [{}, { analysis_mode: false }]) {
      const body = (await (await post({ model: 'mavera-1', input: QUESTION, persona_id: PERSONA, ...extra })).json()) as Record<string, unknown> & { usage: { credits_used: number } };
      assert.equal('analysis' in body, false);
      assert.ok(body.usage.credits_used >= 1 && body.usage.credits_used <= 3);
    }
  });

  it('streams: `analysis` is in response.completed’s response, no new event types', async () => {
    const res = await post({ model: 'mavera-1', input: QUESTION, persona_id: PERSONA, analysis_mode: true, stream: true });
    assert.equal(res.status, 200);
    const { events: frames } = await readSse(res);
    // `data: [DONE]` closes the stream, as OpenAI's does; every other frame is a named event.
    assert.equal(frames.at(-1)?.data, '[DONE]');
    const events = frames.slice(0, -1);
    const types = events.map((e) => e.event);
    for (const t of types) assert.ok(t && KNOWN_EVENTS.has(t), `unknown event type ${t}`);
    const parsed = events.map((e) => JSON.parse(e.data) as { type: string; response?: { analysis?: unknown; output_text?: string; usage?: { credits_used: number } } });
    const completed = parsed.find((e) => e.type === 'response.completed');
    assert.ok(completed?.response);
    assertAnalysis(completed.response.analysis, completed.response.output_text ?? '');
    const credits = completed.response.usage?.credits_used ?? 0;
    assert.ok(credits >= 3 && credits <= 5);
    // Only the terminal response carries it.
    for (const e of parsed) if (e.type !== 'response.completed' && e.response) assert.equal('analysis' in e.response, false);
    // The same analysis as the non-streaming request.
    const json = (await (await post({ model: 'mavera-1', input: QUESTION, persona_id: PERSONA, analysis_mode: true })).json()) as { analysis: unknown };
    assert.deepEqual(completed.response.analysis, json.analysis);
  });

  it('is kept on the stored response', async () => {
    const created = (await (await post({ model: 'mavera-1', input: QUESTION, persona_id: PERSONA, analysis_mode: true, store: true })).json()) as { id: string; analysis: unknown };
    const res = await fetch(`${s.url}/v1/responses/${created.id}`, { headers: { authorization: `Bearer ${s.testKey}` } });
    assert.equal(res.status, 200);
    assert.deepEqual(((await res.json()) as { analysis: unknown }).analysis, created.analysis);
  });

  it('the official openai client carries it through create() and stream().finalResponse()', async () => {
    const client = new OpenAI({ apiKey: s.testKey, baseURL: s.baseURL, maxRetries: 0 });
    const body = { model: 'mavera-1', input: QUESTION, persona_id: PERSONA, analysis_mode: true };
    const created = await client.responses.create(body as ResponseCreateParamsNonStreaming);
    const analysis = (created as unknown as { analysis?: unknown }).analysis;
    assertAnalysis(analysis, created.output_text);
    assert.ok((created.usage as unknown as { credits_used: number }).credits_used >= 3);

    const stream = client.responses.stream(body as unknown as ResponseCreateParamsStreaming);
    const final = await stream.finalResponse();
    const streamed = (final as unknown as { analysis?: unknown }).analysis;
    assertAnalysis(streamed, final.output_text);
    assert.deepEqual(streamed, analysis);
  });

  it('rejects a non-boolean analysis_mode (validation error)', async () => {
    const res = await post({ model: 'mavera-1', input: QUESTION, analysis_mode: 'yes' });
    assert.equal(res.status, 422);
    assert.equal(((await res.json()) as { error: { param: string } }).error.param, 'analysis_mode');
  });
});

describe('analysis mode without an analyzer', () => {
  it('gets a 400 naming analysis_mode', async () => {
    // A server built without `analyze` (createApp's dep left out): the brief's refusal path.
    const { createApp } = await import('../../src/app.js');
    const { createBuiltinPersonaStore } = await import('../../src/personas/persona-store.js');
    const { createSandboxProvider } = await import('../../src/providers/sandbox/index.js');
    const { createResponsesStore } = await import('../../src/storage/responses-store.js');
    const { openDatabase } = await import('../../src/storage/db.js');
    const { createAccountsStore } = await import('../../src/storage/accounts-store.js');
    const { createCreditsStore } = await import('../../src/storage/credits-store.js');
    const { unitOfWorkOf } = await import('../../src/storage/unit-of-work.js');
    const { createMemoryConcurrencyLimiter, createMemoryRateLimiter } = await import('../../src/limits/memory.js');
    const { randomIds, systemClock } = await import('../../src/util/ids.js');
    const { silentLogger } = await import('../../src/logger.js');
    const db = await openDatabase({ dataDir: ':memory:' });
    try {
      const accounts = createAccountsStore(db, randomIds, systemClock);
      const { app } = createApp({
        accounts,
        credits: createCreditsStore(db, randomIds, systemClock),
        unitOfWork: unitOfWorkOf(db),
        rateLimiter: createMemoryRateLimiter(),
        concurrency: createMemoryConcurrencyLimiter(),
        instanceId: 'inst_noanalysis',
        personas: createBuiltinPersonaStore(personas),
        responses: createResponsesStore(db),
        engines: { sandbox: createSandboxProvider(), live: undefined },
        ids: randomIds,
        clock: systemClock,
        logger: silentLogger,
      });
      const key = await accounts.createKey({ workspace: 'acme', mode: 'test', plan: 'business' });
      const res = await app.request('/v1/responses', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key.key}` },
        body: JSON.stringify({ model: 'mavera-1', input: 'hi', analysis_mode: true }),
      });
      assert.equal(res.status, 400);
      assert.equal(((await res.json()) as { error: { param: string } }).error.param, 'analysis_mode');
    } finally {
      await db.destroy();
    }
  });
});
