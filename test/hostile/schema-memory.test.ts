/**
 * Issue 16 item 3: memory for compiled schemas is bounded. A process-wide Ajv
 * kept every schema it ever compiled (clearing a Map of validators freed
 * nothing: Ajv held them); now each distinct schema compiles in an Ajv of its
 * own inside an LRU bounded by count and bytes, and an evicted schema is
 * garbage: checked with a WeakRef across a full GC.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import v8 from 'node:v8';
import vm from 'node:vm';
import { compileSchema, SCHEMA_CACHE, schemaCacheStats, validateAgainst } from '../../src/util/json-schema.js';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

describe('compiled schemas', () => {
  it('an evicted schema (and the Ajv that compiled it) is freed', async () => {
    let fn: unknown = compileSchema({ type: 'object', properties: { probe_field: { type: 'string', minLength: 3 } }, required: ['probe_field'] });
    const ref = new WeakRef(fn as object);
    fn = undefined;
    for (let i = 0; i < 600; i++) compileSchema({ type: 'object', properties: { [`field_${i}`]: { type: 'integer' } } });
    // WeakRefs hold their target until the end of the job that created them
    await new Promise((r) => setImmediate(r));
    gc();
    assert.equal(ref.deref(), undefined, 'the evicted validator is still reachable');
  });

  it('stays within its count and bytes, and evicts the least recently used', () => {
    for (let i = 0; i < SCHEMA_CACHE.entries + 50; i++) compileSchema({ type: 'string', maxLength: i + 1 });
    assert.ok(schemaCacheStats().entries <= SCHEMA_CACHE.entries);
    // large but cheap to compile: the bytes bound evicts before the count does
    const big = (i: number) => ({ type: 'string', description: `${i} ${'x'.repeat(400_000)}` });
    for (let i = 0; i < 60; i++) compileSchema(big(i));
    const stats = schemaCacheStats();
    assert.ok(stats.bytes <= SCHEMA_CACHE.bytes, `${stats.bytes} bytes cached`);
    assert.ok(stats.entries < SCHEMA_CACHE.entries);
    // the most recent ones are still there (same validator), the first ones are gone (a new one)
    assert.equal(compileSchema(big(59)), compileSchema(big(59)));
    const first = compileSchema(big(0));
    compileSchema(big(1));
    assert.equal(compileSchema(big(0)), first, 'used again: moved to the end');
  });

  it('schemas with the same $id and different content never collide; nothing outside a schema resolves', () => {
    const a = { $id: 'https://tenant.example/s.json', type: 'object', properties: { a: { type: 'integer' } }, required: ['a'] };
    const b = { $id: 'https://tenant.example/s.json', type: 'object', properties: { b: { type: 'string' } }, required: ['b'] };
    assert.equal(validateAgainst(a, { a: 1 }).valid, true);
    assert.equal(validateAgainst(b, { b: 'x' }).valid, true);
    assert.equal(validateAgainst(b, { a: 1 }).valid, false);
    assert.throws(() => compileSchema({ type: 'object', properties: { x: { $ref: 'https://tenant.example/s.json' } } }), /resolve|reference/);
  });
});
