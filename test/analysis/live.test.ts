/**
 * The live analysis pass (live keys) against the mock Chat Completions
 * upstream: what the pass sends (strict json_schema, the persona, the
 * question and the answer), one repair on an invalid reply, the lexicon
 * fallback when the repair fails too or the engine errors, and aborts.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { analyzeLive, checkReply } from '../../src/analysis/live.js';
import { analyzeWithLexicon } from '../../src/analysis/lexicon.js';
import { ANALYSIS_SCHEMA } from '../../src/analysis/schema.js';
import type { Analysis } from '../../src/analysis/types.js';
import type { Logger } from '../../src/logger.js';
import { createOpenAIChatProvider } from '../../src/providers/openai/chat/index.js';
import { personas, readSse, startTestServer, type TestServer } from '../helpers/app.js';
import { startMockChatUpstream, type MockChatUpstream } from '../helpers/mock-chat-upstream.js';

const PERSONA_ID = 'hospital-cfo';
const persona = personas.find((p) => p.id === PERSONA_ID)!;
const QUESTION = 'Should we switch our EHR vendor this year?';
const ANSWER = 'Not this year. Every vendor promises ROI, and I stick with what we have until someone shows me a reference site our size.';

const VALID: Analysis = {
  confidence: 8,
  emotion: { emotional_valence: 3, arousal: 4, dominance: 8 },
  biases: [{ name: 'status quo bias', description: 'Prefers the current vendor by default.', evidence: 'I stick with what we have' }],
  key_insights: ['Declines to switch this year.', 'Wants a reference site of the same size.'],
};

const warnings: { msg: string; fields: Record<string, unknown> }[] = [];
const logger: Logger = {
  debug() {},
  info() {},
  warn(msg, fields = {}) {
    warnings.push({ msg, fields });
  },
  error() {},
};

let s: TestServer;
let upstream: MockChatUpstream;
before(async () => {
  upstream = await startMockChatUpstream();
  s = await startTestServer({ live: createOpenAIChatProvider({ baseURL: upstream.url, model: 'gpt-test', apiKey: 'sk-upstream' }), logger });
});
after(async () => {
  await s.close();
  await upstream.close();
});
beforeEach(() => {
  upstream.requests.length = 0;
  warnings.length = 0;
});

const post = (body: Record<string, unknown>) =>
  fetch(`${s.url}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${s.liveKey}` },
    body: JSON.stringify({ model: 'mavera-1', input: QUESTION, persona_id: PERSONA_ID, analysis_mode: true, ...body }),
  });

/** The answer as streamed by the upstream, then the analysis replies. */
function script(...analysisReplies: string[]): void {
  upstream.enqueue({ type: 'stream', content: ANSWER.split(/(?<= )/) });
  for (const r of analysisReplies) upstream.enqueue({ type: 'stream', content: [r.slice(0, 20), r.slice(20)] });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Msg = { role: string; content: any };
const messagesOf = (i: number): Msg[] => (upstream.requests[i]!.body as { messages: Msg[] }).messages;
const text = (m: Msg | undefined): string => (typeof m?.content === 'string' ? m.content : JSON.stringify(m?.content ?? ''));

describe('live analysis pass', () => {
  it('asks the engine with a strict json_schema, the persona, the question and the answer', async () => {
    script(JSON.stringify(VALID));
    const res = await post({});
    assert.equal(res.status, 200);
    const body = (await res.json()) as { output_text: string; analysis: Analysis; usage: { credits_used: number } };
    assert.equal(body.output_text, ANSWER);
    assert.deepEqual(body.analysis, VALID);
    assert.ok(body.usage.credits_used >= 3 && body.usage.credits_used <= 5);

    assert.equal(upstream.requests.length, 2, 'the answer, then one analysis request');
    const sent = upstream.requests[1]!.body as { response_format: unknown; messages: Msg[]; tools?: unknown };
    assert.deepEqual(sent.response_format, {
      type: 'json_schema',
      json_schema: { name: 'analysis', schema: ANALYSIS_SCHEMA, strict: true, description: 'A structured reading of the persona answer.' },
    });
    assert.equal(sent.tools, undefined);
    const [system, user] = sent.messages;
    assert.equal(system?.role, 'system');
    assert.match(text(system), /emotional_valence/);
    assert.match(text(system), /dominance/);
    assert.equal(user?.role, 'user');
    assert.ok(text(user).includes(persona.name), 'the persona name');
    assert.ok(text(user).includes(persona.profile.buying_behavior.decision_style), 'the decision style');
    assert.ok(text(user).includes(persona.profile.psychographics.values[0]!), 'the values');
    assert.ok(text(user).includes(QUESTION) && text(user).includes(ANSWER), 'the question and the answer');
    assert.equal(warnings.length, 0);
  });

  it('carries the analysis into response.completed when streaming', async () => {
    script(JSON.stringify(VALID));
    const res = await post({ stream: true });
    const { events } = await readSse(res);
    const completed = events.filter((e) => e.event === 'response.completed').map((e) => JSON.parse(e.data) as { response: { analysis: Analysis } })[0];
    assert.deepEqual(completed?.response.analysis, VALID);
  });

  it('repairs an invalid reply exactly once, sending the validation errors', async () => {
    const invalid = JSON.stringify({ ...VALID, confidence: 11 });
    script(invalid, JSON.stringify(VALID));
    const body = (await (await post({})).json()) as { analysis: Analysis };
    assert.deepEqual(body.analysis, VALID);
    assert.equal(upstream.requests.length, 3, 'answer, analysis, one repair');
    const repair = messagesOf(2);
    assert.deepEqual(repair.slice(0, 2), messagesOf(1), 'the same conversation first');
    assert.equal(repair[2]?.role, 'assistant');
    assert.equal(text(repair[2]), invalid);
    assert.equal(repair[3]?.role, 'user');
    assert.match(text(repair[3]), /\/confidence must be <= 10/);
    assert.deepEqual((upstream.requests[2]!.body as { response_format: unknown }).response_format, (upstream.requests[1]!.body as { response_format: unknown }).response_format);
  });

  it('repairs a reply that is not JSON', async () => {
    script('Sure! Here is the analysis: {', JSON.stringify(VALID));
    const body = (await (await post({})).json()) as { analysis: Analysis };
    assert.deepEqual(body.analysis, VALID);
    assert.match(text(messagesOf(2)[3]), /not valid JSON/);
  });

  it('falls back to the lexicon analysis when the repair is invalid too, and logs a warning', async () => {
    script('{"confidence": "high"}', JSON.stringify({ ...VALID, key_insights: [] }));
    const res = await post({});
    assert.equal(res.status, 200);
    const body = (await res.json()) as { status: string; analysis: Analysis };
    assert.equal(body.status, 'completed');
    assert.equal(upstream.requests.length, 3, 'no second repair');
    assert.deepEqual(body.analysis, analyzeWithLexicon({ persona, question: QUESTION, answer: ANSWER }));
    const w = warnings.filter((x) => x.msg === 'analysis.live_fallback');
    assert.equal(w.length, 1);
    assert.equal(w[0]!.fields.reason, 'invalid_after_repair');
    assert.ok(Array.isArray(w[0]!.fields.errors));
  });

  it('falls back to the lexicon analysis when the engine fails; the response still completes', async () => {
    upstream.enqueue({ type: 'stream', content: [ANSWER] }, { type: 'error', status: 400, message: 'response_format not supported' });
    const body = (await (await post({})).json()) as { status: string; output_text: string; analysis: Analysis };
    assert.equal(body.status, 'completed');
    assert.equal(body.output_text, ANSWER);
    assert.deepEqual(body.analysis, analyzeWithLexicon({ persona, question: QUESTION, answer: ANSWER }));
    assert.equal(warnings.filter((x) => x.msg === 'analysis.live_fallback' && x.fields.reason === 'engine_error').length, 1);
  });

  it('drops a bias whose evidence is not a quote of the answer', async () => {
    const made_up = { ...VALID, biases: [...VALID.biases, { name: 'anchoring', description: 'x', evidence: 'compared to the original price' }] };
    script(JSON.stringify(made_up));
    const body = (await (await post({})).json()) as { analysis: Analysis };
    assert.deepEqual(body.analysis.biases, VALID.biases);
  });

  it('stops when the signal aborts, rethrowing its reason', async () => {
    upstream.enqueue({ type: 'stream', content: ['{"confidence":'], hang: true });
    const provider = createOpenAIChatProvider({ baseURL: upstream.url, model: 'gpt-test' });
    const ac = new AbortController();
    const pending = analyzeLive({ persona, question: QUESTION, answer: ANSWER, provider, mode: 'live', signal: ac.signal }, { logger });
    const req = await upstream.waitForRequest(0);
    ac.abort(new Error('client went away'));
    await assert.rejects(pending, /client went away/);
    await req.closed;
    assert.equal(req.aborted, true, 'the upstream request was cancelled');
    assert.equal(upstream.requests.length, 1, 'no repair, no retry');
    assert.equal(warnings.length, 0, 'an abort is not a fallback');
  });

  it('checkReply: accepts a Markdown-fenced object, rejects out-of-range and extra fields', () => {
    const fenced = checkReply(`\`\`\`json\n${JSON.stringify(VALID)}\n\`\`\``, ANSWER);
    assert.ok(fenced.ok);
    assert.deepEqual(fenced.analysis, VALID);
    const low = checkReply(JSON.stringify({ ...VALID, emotion: { ...VALID.emotion, arousal: 0 } }), ANSWER);
    assert.ok(!low.ok && low.errors.some((e) => e.includes('/emotion/arousal')));
    const fractional = checkReply(JSON.stringify({ ...VALID, confidence: 7.5 }), ANSWER);
    assert.ok(!fractional.ok && fractional.errors.some((e) => e.includes('integer')));
    const extra = checkReply(JSON.stringify({ ...VALID, mood: 'good' }), ANSWER);
    assert.ok(!extra.ok);
    const many = checkReply(JSON.stringify({ ...VALID, key_insights: ['a', 'b', 'c', 'd', 'e', 'f'] }), ANSWER);
    assert.ok(!many.ok);
  });

  it('makes no model call for an empty answer', async () => {
    const provider = createOpenAIChatProvider({ baseURL: upstream.url, model: 'gpt-test' });
    const a = await analyzeLive({ persona, question: QUESTION, answer: '  ', provider, mode: 'live', signal: new AbortController().signal });
    assert.deepEqual(a, analyzeWithLexicon({ persona, question: QUESTION, answer: '  ' }));
    assert.equal(upstream.requests.length, 0);
  });
});
