/**
 * The llama-cpp engine's pure parts, without node-llama-cpp: prompt
 * conversion, JSON Schema → grammar-subset rewriting, the slot queue, the
 * async channel and finish reasons.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../src/errors/api-error.js';
import { AsyncChannel } from '../../src/providers/llama-cpp/async-channel.js';
import { callToolInstruction, convertPrompt } from '../../src/providers/llama-cpp/convert-prompt.js';
import { toGrammarSchema } from '../../src/providers/llama-cpp/grammar.js';
import { mapFinishReason } from '../../src/providers/llama-cpp/map-finish-reason.js';
import { createSlotQueue } from '../../src/providers/llama-cpp/queue.js';
import { samplingSeed } from '../../src/providers/llama-cpp/generate.js';

const text = (t: string) => [{ type: 'text' as const, text: t }];

describe('llama-cpp convertPrompt', () => {
  it('builds system, alternating turns, text tool calls/results, and an empty model turn', () => {
    const history = convertPrompt({
      system: 'Persona prompt.',
      items: [
        { type: 'message', role: 'developer', content: text('Be brief.') },
        { type: 'message', role: 'user', content: text('Hi') },
        { type: 'message', role: 'user', content: text('Price?') },
        { type: 'message', role: 'assistant', content: text('Let me check.') },
        { type: 'function_call', callId: 'c1', name: 'lookup', arguments: '{"sku":"1"}' },
        { type: 'function_call_output', callId: 'c1', output: '9.99' },
        { type: 'message', role: 'system', content: text('Answer in euros.') },
        { type: 'message', role: 'user', content: text('So?') },
      ],
    });
    assert.deepEqual(history, [
      { type: 'system', text: 'Persona prompt.\n\nBe brief.' },
      { type: 'user', text: 'Hi\n\nPrice?' },
      { type: 'model', response: ['Let me check.\n\n<tool_call>\n{"name": "lookup", "arguments": {"sku":"1"}}\n</tool_call>'] },
      { type: 'user', text: '<tool_response name="lookup">\n9.99\n</tool_response>' },
      { type: 'system', text: 'Answer in euros.' },
      { type: 'user', text: 'So?' },
      { type: 'model', response: [] },
    ]);
  });

  it('appends a final instruction; no system item when there is no system text', () => {
    const history = convertPrompt(
      { items: [{ type: 'message', role: 'user', content: text('Hi') }] },
      callToolInstruction([{ name: 'f', parameters: { type: 'object', properties: {} }, strict: false }], 'f'),
    );
    assert.equal(history[0]?.type, 'user');
    assert.equal(history[1]?.type, 'system');
    assert.match((history[1] as { text: string }).text, /Call the function "f" now/);
    assert.deepEqual(history[2], { type: 'model', response: [] });
  });

  it('rejects image and file parts with a 400 naming the item', () => {
    assert.throws(
      () => convertPrompt({ items: [{ type: 'message', role: 'user', content: [{ type: 'file', data: 'x' }] }] }),
      (err: unknown) => err instanceof ApiError && err.code === 'invalid_request' && err.param === 'input[0].content',
    );
  });
});

describe('llama-cpp toGrammarSchema', () => {
  it('keeps what the grammar generator understands', () => {
    const schema = {
      type: 'object',
      properties: {
        s: { type: 'string', minLength: 1, maxLength: 5, description: 'x' },
        d: { type: 'string', format: 'date' },
        n: { type: 'integer' },
        e: { enum: ['a', 1, null] },
        c: { const: true },
        a: { type: 'array', items: { type: 'number' }, minItems: 1, maxItems: 3 },
      },
      required: ['s'],
      additionalProperties: false,
    };
    assert.deepEqual(toGrammarSchema(schema), {
      type: 'object',
      properties: {
        s: { type: 'string', minLength: 1, maxLength: 5, description: 'x' },
        d: { type: 'string', format: 'date' },
        n: { type: 'integer' },
        e: { enum: ['a', 1, null] },
        c: { const: true },
        a: { type: 'array', items: { type: 'number' }, minItems: 1, maxItems: 3 },
      },
    });
  });

  it('rewrites anyOf, type lists, nullable, definitions and allOf; unknown shapes become any JSON', () => {
    const out = toGrammarSchema({
      type: 'object',
      definitions: { id: { type: 'string', pattern: '^a', maxLength: 4 } },
      properties: {
        u: { anyOf: [{ type: 'string' }, { type: 'null' }] },
        t: { type: ['integer', 'null'] },
        nl: { type: 'string', nullable: true },
        r: { $ref: '#/definitions/id' },
        m: { allOf: [{ type: 'object', properties: { x: { type: 'boolean' } } }, { properties: { y: { type: 'null' } } }] },
        free: {},
        open: { type: 'object' },
        email: { type: 'string', format: 'email' },
      },
    }) as { $defs: unknown; properties: Record<string, unknown> };
    assert.deepEqual(out.$defs, { id: { type: 'string', maxLength: 4 } });
    const p = out.properties;
    assert.deepEqual(p.u, { oneOf: [{ type: 'string' }, { type: 'null' }] });
    assert.deepEqual(p.t, { oneOf: [{ type: 'integer' }, { type: 'null' }] });
    assert.deepEqual(p.nl, { oneOf: [{ type: 'string' }, { type: 'null' }] });
    assert.deepEqual(p.r, { $ref: '#/$defs/id' });
    assert.deepEqual(p.m, { type: 'object', properties: { x: { type: 'boolean' }, y: { type: 'null' } } });
    assert.ok(Array.isArray((p.free as { oneOf?: unknown[] }).oneOf), 'any JSON');
    assert.deepEqual(p.open, { type: 'object', additionalProperties: true });
    assert.deepEqual(p.email, { type: 'string' });
  });
});

describe('llama-cpp slot queue', () => {
  it('grants slots in FIFO order, refuses beyond maxQueue with 503 + retry-after, and drops aborted waiters', async () => {
    const q = createSlotQueue(1, 2);
    const a = await q.acquire();
    const order: string[] = [];
    const b = q.acquire().then((l) => (order.push('b'), l));
    const abort = new AbortController();
    const c = q.acquire(abort.signal);
    await assert.rejects(q.acquire(), (err: unknown) => {
      assert.ok(err instanceof ApiError);
      assert.equal(err.code, 'service_unavailable');
      assert.equal(err.headers['retry-after'], '1');
      return true;
    });
    abort.abort();
    await assert.rejects(c, { name: 'AbortError' });
    assert.equal(q.waiting, 1);
    const d = q.acquire().then((l) => (order.push('d'), l));
    a.release();
    a.release(); // idempotent
    const lb = await b;
    assert.equal(q.running, 1);
    lb.release();
    (await d).release();
    assert.deepEqual(order, ['b', 'd']);
    assert.deepEqual({ running: q.running, waiting: q.waiting }, { running: 0, waiting: 0 });
  });

  it('maxQueue 0 refuses as soon as every slot is busy', async () => {
    const q = createSlotQueue(2, 0);
    const leases = [await q.acquire(), await q.acquire()];
    assert.deepEqual(leases.map((l) => l.slot).sort(), [0, 1]);
    await assert.rejects(q.acquire(), { code: 'service_unavailable' });
  });
});

describe('llama-cpp async channel', () => {
  it('delivers pushed values in order, waits for late ones, and ends on close or fail', async () => {
    const ch = new AsyncChannel<number>();
    ch.push(1);
    setTimeout(() => {
      ch.push(2);
      ch.close();
    }, 5);
    const seen: number[] = [];
    for await (const v of ch) seen.push(v);
    assert.deepEqual(seen, [1, 2]);

    const failing = new AsyncChannel<number>();
    setTimeout(() => failing.fail(new Error('boom')), 5);
    await assert.rejects(failing.next(), /boom/);
  });
});

describe('llama-cpp mapFinishReason', () => {
  it('maps node-llama-cpp stop reasons', () => {
    assert.equal(mapFinishReason('maxTokens'), 'length');
    assert.equal(mapFinishReason('maxTokens', true), 'length');
    assert.equal(mapFinishReason('functionCalls'), 'tool_calls');
    assert.equal(mapFinishReason('eogToken'), 'stop');
    assert.equal(mapFinishReason('eogToken', true), 'tool_calls');
    assert.equal(mapFinishReason('stopGenerationTrigger'), 'stop');
    assert.equal(mapFinishReason('customStopTrigger'), 'stop');
  });
});

describe('llama-cpp samplingSeed', () => {
  it("folds a client's seed into llama.cpp's range, where 2^32-1 would mean random", () => {
    assert.equal(samplingSeed(42), 42);
    assert.equal(samplingSeed(0), 0);
    assert.equal(samplingSeed(-1), 0xfffffffe);
    assert.equal(samplingSeed(0xffffffff), 0);
    assert.equal(samplingSeed(2 ** 32), 1);
    for (const s of [-(2 ** 40), 2 ** 50 + 3, Number.MAX_SAFE_INTEGER]) {
      const v = samplingSeed(s);
      assert.ok(Number.isInteger(v) && v >= 0 && v < 0xffffffff, `${s} → ${v}`);
    }
  });

  it('without a seed, picks a random one (not the current second)', () => {
    const seeds = new Set(Array.from({ length: 20 }, () => samplingSeed(undefined)));
    assert.ok(seeds.size > 15, `distinct seeds: ${seeds.size}`);
    for (const s of seeds) assert.ok(s >= 0 && s < 0xffffffff);
  });
});
