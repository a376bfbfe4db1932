/**
 * A refused value says what is valid, for every enum, literal union and
 * discriminated union (src/schemas/validate.ts renders them generically), and
 * suggests the accepted value a string was probably meant as; `param` is kept.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { ApiError } from '../../src/errors/api-error.js';
import { parseRequest } from '../../src/schemas/validate.js';

const schema = z.object({
  kind: z
    .discriminatedUnion('type', [z.object({ type: z.literal('multiple_choice'), options: z.array(z.string()) }), z.object({ type: z.literal('open_ended') }), z.object({ type: z.literal('yes_no') })])
    .optional(),
  scale: z.union([z.literal(5), z.literal(7)]).optional(),
  effort: z.enum(['low', 'medium', 'high']).optional(),
  flag: z.literal(true).optional(),
  limit: z.union([z.literal('auto'), z.number().int()]).optional(),
  shape: z.union([z.string(), z.object({ a: z.string() })]).optional(),
});

function refusal(body: unknown): { message: string; param: string | null | undefined; code: string } {
  try {
    parseRequest(schema, body);
  } catch (err) {
    assert.ok(err instanceof ApiError);
    return { message: err.message, param: err.param, code: err.code };
  }
  assert.fail('accepted');
}

describe('validation messages say what is valid', () => {
  it('a discriminated union lists its tags and suggests the closest (case, - for _, a typo)', () => {
    const r = refusal({ kind: { type: 'multiple-choice', options: [] } });
    assert.equal(r.param, 'kind.type');
    assert.equal(r.code, 'validation_error');
    assert.equal(r.message, "Invalid value for 'kind.type': 'multiple-choice' is not supported; it must be one of 'multiple_choice', 'open_ended', 'yes_no'. Did you mean 'multiple_choice'?");
    assert.match(refusal({ kind: { type: 'Yes No' } }).message, / Did you mean 'yes_no'\?$/);
    assert.match(refusal({ kind: { type: 'open_endd' } }).message, / Did you mean 'open_ended'\?$/);
    assert.equal(refusal({ kind: { type: 'essay' } }).message, "Invalid value for 'kind.type': 'essay' is not supported; it must be one of 'multiple_choice', 'open_ended', 'yes_no'.");
    assert.equal(refusal({ kind: { type: 3 } }).message, "Invalid value for 'kind.type': 3 is not supported; it must be one of 'multiple_choice', 'open_ended', 'yes_no'.");
  });

  it('a union of literals lists them, numbers bare', () => {
    const r = refusal({ scale: 11 });
    assert.equal(r.param, 'scale');
    assert.equal(r.message, "Invalid value for 'scale': 11 is not supported; it must be 5 or 7.");
    assert.equal(refusal({ scale: '5' }).message, "Invalid value for 'scale': '5' is not supported; it must be 5 or 7.");
  });

  it('an enum and a single literal', () => {
    assert.equal(refusal({ effort: 'hihg' }).message, "Invalid value for 'effort': 'hihg' is not supported; it must be one of 'low', 'medium', 'high'. Did you mean 'high'?");
    assert.equal(refusal({ effort: 'max' }).message, "Invalid value for 'effort': 'max' is not supported; it must be one of 'low', 'medium', 'high'.");
    assert.equal(refusal({ flag: false }).message, "Invalid value for 'flag': false is not supported; it must be true.");
  });

  it('a union of a literal and a type, or of types, names them', () => {
    assert.equal(refusal({ limit: 'all' }).message, "Invalid value for 'limit': 'all' is not supported; it must be 'auto' or a number.");
    assert.equal(refusal({ shape: [1] }).message, "Invalid value for 'shape': an array is not supported; it must be a string or an object.");
  });
});
