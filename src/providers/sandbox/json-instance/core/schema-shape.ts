/**
 * What a schema or a value is, read from its shape: the type a schema without
 * `type` implies, a value's JSON type, whether a branch allows only null, and
 * how simple a branch is (the order minimal generation tries them in).
 */
import { isObj } from '../../../../util/schema-index.js';
import type { Schema } from './context.js';

export function inferType(s: Schema): string {
  if (isObj(s.properties) || Array.isArray(s.required) || 'additionalProperties' in s || isObj(s.patternProperties) || 'minProperties' in s || 'maxProperties' in s) return 'object';
  if ('items' in s || 'prefixItems' in s || 'minItems' in s || 'maxItems' in s || 'contains' in s || 'uniqueItems' in s) return 'array';
  if ('minLength' in s || 'maxLength' in s || 'pattern' in s || 'format' in s) return 'string';
  if ('minimum' in s || 'maximum' in s || 'exclusiveMinimum' in s || 'exclusiveMaximum' in s || 'multipleOf' in s) return 'number';
  return 'string';
}

export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

export function isNullOnly(schema: unknown): boolean {
  return isObj(schema) && (schema.type === 'null' || (Array.isArray(schema.enum) && schema.enum.length === 1 && schema.enum[0] === null) || ('const' in schema && schema.const === null));
}

const branchWeights = new WeakMap<object, number>();

/** Simplest first: null, then plain scalars, then objects and arrays, then anything with a $ref (serialized once per branch). */
export function branchWeight(schema: unknown): number {
  if (isNullOnly(schema)) return 0;
  const known = isObj(schema) ? branchWeights.get(schema) : undefined;
  if (known !== undefined) return known;
  const text = JSON.stringify(schema) ?? '';
  const weight = !text.includes('$ref') ? (text.includes('"object"') || text.includes('"array"') ? 2 : 1) : 3;
  if (isObj(schema)) branchWeights.set(schema, weight);
  return weight;
}
