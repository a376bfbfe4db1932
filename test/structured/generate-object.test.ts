/**
 * generateObject over real providers: the sandbox engine, and the OpenAI-
 * compatible Chat Completions backend against the mock upstream (so every
 * request and reply crosses real HTTP): strict json_schema asked, fences
 * stripped, errors fed back as a user message within the repair budget,
 * usage summed over attempts, typed failures, errors and aborts propagated.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ApiError } from '../../src/errors/api-error.js';
import { createOpenAIChatProvider } from '../../src/providers/openai/chat/index.js';
import { createSandboxProvider } from '../../src/providers/sandbox/index.js';
import type { Provider } from '../../src/providers/types.js';
import { extractJson, stripCodeFences } from '../../src/structured/extract-json.js';
import { GenerateObjectError, generateObject, type ObjectRequest, type ObjectSchema } from '../../src/structured/generate-object.js';
import { startMockChatUpstream, type MockChatUpstream } from '../helpers/mock-chat-upstream.js';

const SCHEMA: ObjectSchema = {
  name: 'verdict',
  schema: {
    type: 'object',
    properties: { reasoning: { type: 'string' }, value: { type: 'integer', minimum: 0, maximum: 10 } },
    required: ['reasoning', 'value'],
    additionalProperties: false,
  },
};
const REQUEST: ObjectRequest = {
  system: 'You are a respondent.',
  items: [{ type: 'message', role: 'user', content: [{ type: 'text', text: 'How likely are you to recommend it, 0 to 10?' }] }],
  sampling: { temperature: 0 },
};
const usage = (prompt: number, completion: number) => ({ prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion });

describe('extractJson and stripCodeFences', () => {
  it('finds the JSON: bare, fenced with or without an info string, inside prose', () => {
    assert.deepEqual(extractJson(' {"a":1} '), { ok: true, value: { a: 1 }, text: '{"a":1}' });
    assert.equal(stripCodeFences('```json\n{"a":1}\n```'), '{"a":1}');
    assert.equal(stripCodeFences('```\n[1,2]\n```'), '[1,2]');
    assert.equal(stripCodeFences('```json {"a":1}```'), '{"a":1}');
    assert.equal(stripCodeFences('no fence'), 'no fence');
    assert.deepEqual(extractJson('Sure! ```json\n{"a":2}\n``` hope it helps'), { ok: true, value: { a: 2 }, text: '{"a":2}' });
    assert.deepEqual(extractJson('Here it is: {"a":{"b":3}} — done.'), { ok: true, value: { a: { b: 3 } }, text: '{"a":{"b":3}}' });
    assert.deepEqual(extractJson('the list: [1, 2] ok'), { ok: true, value: [1, 2], text: '[1, 2]' });
  });

  it('says why when there is none', () => {
    const r = extractJson('{"a": ');
    assert.equal(r.ok, false);
    assert.match((r as { error: string }).error, /not valid JSON/);
    assert.deepEqual(extractJson('   '), { ok: false, error: 'the reply is empty' });
  });
});

describe('generateObject on the sandbox', () => {
  it('returns a schema-valid object in one attempt, with the usage of the call', async () => {
    const r = await generateObject({ provider: createSandboxProvider(), request: REQUEST, schema: SCHEMA, signal: new AbortController().signal });
    assert.equal(r.attempts, 1);
    assert.equal(typeof (r.object as { reasoning: unknown }).reasoning, 'string');
    assert.ok(Number.isInteger((r.object as { value: number }).value));
    assert.ok(r.usage.inputTokens > 0 && r.usage.outputTokens > 0);
    assert.deepEqual(JSON.parse(r.text), r.object);
  });
});

describe('generateObject on an OpenAI-compatible backend', () => {
  let upstream: MockChatUpstream;
  let provider: Provider;
  before(async () => {
    upstream = await startMockChatUpstream();
    provider = createOpenAIChatProvider({ baseURL: upstream.url, model: 'gpt-test', apiKey: 'sk-test' });
  });
  after(() => upstream.close());
  beforeEach(() => {
    upstream.requests.length = 0;
  });
  const run = (extra: Partial<Parameters<typeof generateObject>[0]> = {}) =>
    generateObject({ provider, request: REQUEST, schema: SCHEMA, signal: new AbortController().signal, ...extra });

  it('asks for a strict json_schema without streaming and strips a code fence', async () => {
    upstream.enqueue({ type: 'completion', content: '```json\n{"reasoning":"I like it.","value":9}\n```', usage: usage(40, 12) });
    const r = await run();
    assert.deepEqual(r.object, { reasoning: 'I like it.', value: 9 });
    assert.equal(r.text, '{"reasoning":"I like it.","value":9}');
    assert.deepEqual(r.usage, { inputTokens: 40, outputTokens: 12, cachedTokens: 0, reasoningTokens: 0 });
    const body = upstream.requests[0]!.body as Record<string, any>;
    assert.notEqual(body.stream, true);
    assert.equal(body.response_format.type, 'json_schema');
    assert.equal(body.response_format.json_schema.name, 'verdict');
    assert.equal(body.response_format.json_schema.strict, true);
    assert.equal(body.tools, undefined);
  });

  it('repairs an invalid reply: the errors go back as a user message, usage is summed', async () => {
    upstream.enqueue(
      { type: 'completion', content: '{"reasoning":"Too pricey.","value":14}', usage: usage(40, 10) },
      { type: 'completion', content: '{"reasoning":"Too pricey.","value":4}', usage: usage(70, 11) },
    );
    const r = await run();
    assert.deepEqual(r.object, { reasoning: 'Too pricey.', value: 4 });
    assert.equal(r.attempts, 2);
    assert.deepEqual(r.usage, { inputTokens: 110, outputTokens: 21, cachedTokens: 0, reasoningTokens: 0 });
    const messages = (upstream.requests[1]!.body as { messages: { role: string; content: string }[] }).messages;
    assert.equal(messages.at(-2)!.role, 'assistant');
    assert.equal(messages.at(-2)!.content, '{"reasoning":"Too pricey.","value":14}');
    assert.equal(messages.at(-1)!.role, 'user');
    assert.match(messages.at(-1)!.content, /\/value must be <= 10/);
  });

  it('feeds the domain check back like schema errors', async () => {
    upstream.enqueue({ type: 'completion', content: '{"reasoning":"","value":5}' }, { type: 'completion', content: '{"reasoning":"Fine.","value":5}' });
    const r = await run({
      check: (v) => ((v as { reasoning: string }).reasoning.trim() ? { ok: true, value: v } : { ok: false, errors: ['reasoning must not be empty'] }),
    });
    assert.equal(r.attempts, 2);
    assert.match((upstream.requests[1]!.body as { messages: { content: string }[] }).messages.at(-1)!.content, /reasoning must not be empty/);
  });

  it('fails with a typed error after the budget, carrying the usage of every attempt', async () => {
    upstream.enqueue({ type: 'completion', content: 'I would say nine.', usage: usage(30, 5) }, { type: 'completion', content: 'Nine!', usage: usage(50, 2) });
    await assert.rejects(run(), (err: unknown) => {
      assert.ok(err instanceof GenerateObjectError);
      assert.equal(err.kind, 'invalid');
      assert.equal(err.attempts, 2);
      assert.deepEqual(err.usage, { inputTokens: 80, outputTokens: 7, cachedTokens: 0, reasoningTokens: 0 });
      assert.match(err.errors[0]!, /not valid JSON/);
      return true;
    });
    assert.equal(upstream.requests.length, 2);
  });

  it('makes exactly 1 + repairBudget calls', async () => {
    upstream.enqueue({ type: 'completion', content: 'no' });
    await assert.rejects(run({ repairBudget: 0 }), GenerateObjectError);
    assert.equal(upstream.requests.length, 1);
    upstream.enqueue({ type: 'completion', content: 'no' }, { type: 'completion', content: 'no' }, { type: 'completion', content: '{"reasoning":"ok","value":1}' });
    const r = await run({ repairBudget: 2 });
    assert.equal(r.attempts, 3);
  });

  it('reports a reply cut off at the token limit as truncated', async () => {
    upstream.enqueue({ type: 'completion', content: '{"reasoning":"I think', finishReason: 'length' });
    await assert.rejects(run({ repairBudget: 0 }), (err: unknown) => err instanceof GenerateObjectError && err.kind === 'truncated');
  });

  it('cuts off a reply longer than maxChars', async () => {
    upstream.enqueue({ type: 'stream', content: ['{"reasoning":"', 'x'.repeat(500), '","value":1}'] });
    await assert.rejects(run({ repairBudget: 0, maxChars: 100 }), (err: unknown) => err instanceof GenerateObjectError && err.kind === 'truncated' && /longer than 100/.test(err.errors[0]!));
  });

  it('lets backend errors through unchanged', async () => {
    upstream.enqueue({ type: 'error', status: 400, message: 'bad schema' });
    await assert.rejects(run(), (err: unknown) => err instanceof ApiError && !(err instanceof GenerateObjectError));
  });

  it('throws the abort reason when the signal is aborted', async () => {
    upstream.enqueue({ type: 'hang' });
    const ac = new AbortController();
    const p = run({ signal: ac.signal });
    await upstream.waitForRequest(0);
    ac.abort(new Error('stop'));
    await assert.rejects(p, /stop/);
  });
});
