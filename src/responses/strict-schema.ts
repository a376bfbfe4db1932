/**
 * OpenAI's strict mode for function tools and json_schema formats, decided
 * once in prepare so that the Response echoes exactly what the backends get.
 *
 * A strict-compatible schema (OpenAI's rules, the subset that decides
 * meaning): the root is `type: "object"`; every object lists its properties
 * in `properties`, all of them in `required`, and has `additionalProperties`
 * false or absent (absent is filled in with false: strict mode means it);
 * no `allOf`, `oneOf`, `not`, `if`/`then`/`else`, `dependentRequired`,
 * `dependentSchemas` or `patternProperties`.
 *
 * - `strict` absent on a function tool: OpenAI's Responses API defaults it to
 *   true and "normalizes the schema into strict mode when possible". Cohort
 *   does the same where that keeps the schema's meaning: a compatible schema
 *   becomes strict (with `additionalProperties: false` filled in); any other
 *   (optional properties, free-form objects, unsupported keywords) stays
 *   `strict: false`. OpenAI also turns optional properties into required
 *   ones, which makes models fill in arguments the caller meant to be
 *   optional; Cohort does not.
 * - `strict: true` on a schema that is not compatible: 400, as OpenAI
 *   (`Invalid schema for function 'f': In context=('properties', 'a'), …`).
 * - `strict: false`: the schema as given.
 *
 * What is echoed (and stored) is what the backends are sent: the resolved
 * `strict` and the normalized schema.
 */

type Schema = Record<string, unknown>;

const UNSUPPORTED = ['allOf', 'oneOf', 'not', 'if', 'then', 'else', 'dependentRequired', 'dependentSchemas', 'patternProperties'] as const;

/** Deeper than this is refused in strict mode (OpenAI allows 10 levels of objects; this bounds the walk). */
const MAX_DEPTH = 64;

function isObject(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function context(path: readonly string[]): string {
  return `In context=(${path.map((p) => `'${p}'`).join(', ')}${path.length === 1 ? ',' : ''})`;
}

function isObjectSchema(s: Schema): boolean {
  const t = s.type;
  return t === 'object' || (Array.isArray(t) && t.includes('object')) || (t === undefined && (isObject(s.properties) || s.additionalProperties !== undefined));
}

/**
 * Why `schema` cannot be used in strict mode, in OpenAI's words; null when it
 * can (after `strictSchema` fills in `additionalProperties: false`).
 */
export function strictProblem(schema: Schema): string | null {
  if (schema.type !== 'object') {
    return `schema must be a JSON Schema of 'type: "object"', got 'type: ${JSON.stringify(schema.type ?? null)}'.`;
  }
  return walk(schema, [], 0);
}

function walk(s: unknown, path: string[], depth: number): string | null {
  if (!isObject(s)) return null; // `true`/`false` subschemas: nothing to check
  if (depth > MAX_DEPTH) return `${context(path)}, the schema is nested more than ${MAX_DEPTH} levels deep.`;
  for (const k of UNSUPPORTED) if (k in s) return `${context(path)}, '${k}' is not permitted.`;
  if (isObjectSchema(s)) {
    const props = isObject(s.properties) ? s.properties : undefined;
    if (s.additionalProperties !== undefined && s.additionalProperties !== false) {
      return `${context(path)}, 'additionalProperties' is required to be supplied and to be false.`;
    }
    if (!props && s.additionalProperties === undefined) {
      return `${context(path)}, an object without 'properties' accepts any keys; list its properties, or set strict to false.`;
    }
    const required = Array.isArray(s.required) ? s.required : [];
    const missing = Object.keys(props ?? {}).filter((k) => !required.includes(k));
    if (missing.length > 0) {
      return `${context(path)}, 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing[0]}'.`;
    }
    for (const [k, v] of Object.entries(props ?? {})) {
      const p = walk(v, [...path, 'properties', k], depth + 1);
      if (p) return p;
    }
  }
  const lists: Array<[string, unknown]> = [
    ['anyOf', s.anyOf],
    ['prefixItems', s.prefixItems],
    ['items', Array.isArray(s.items) ? s.items : undefined],
  ];
  for (const [key, list] of lists) {
    if (!Array.isArray(list)) continue;
    for (let i = 0; i < list.length; i++) {
      const p = walk(list[i], [...path, key, String(i)], depth + 1);
      if (p) return p;
    }
  }
  if (isObject(s.items)) {
    const p = walk(s.items, [...path, 'items'], depth + 1);
    if (p) return p;
  }
  for (const defsKey of ['$defs', 'definitions']) {
    const defs = s[defsKey];
    if (!isObject(defs)) continue;
    for (const [k, v] of Object.entries(defs)) {
      const p = walk(v, [...path, defsKey, k], depth + 1);
      if (p) return p;
    }
  }
  return null;
}

/**
 * A copy of a strict-compatible schema with what strict mode implies written
 * out: `additionalProperties: false` on every object, `required: []` on an
 * object without properties. The input is not changed.
 */
export function strictSchema(schema: Schema): Schema {
  return fill(schema, 0) as Schema;
}

function fill(s: unknown, depth: number): unknown {
  if (!isObject(s) || depth > MAX_DEPTH) return s;
  const out: Schema = { ...s };
  if (isObjectSchema(s)) {
    if (isObject(s.properties)) {
      const props: Schema = {};
      for (const [k, v] of Object.entries(s.properties)) props[k] = fill(v, depth + 1);
      out.properties = props;
      if (out.required === undefined && Object.keys(props).length === 0) out.required = [];
    }
    if (out.additionalProperties === undefined) out.additionalProperties = false;
  }
  for (const key of ['anyOf', 'prefixItems'] as const) {
    const list = s[key];
    if (Array.isArray(list)) out[key] = list.map((x) => fill(x, depth + 1));
  }
  if (Array.isArray(s.items)) out.items = s.items.map((x) => fill(x, depth + 1));
  else if (isObject(s.items)) out.items = fill(s.items, depth + 1);
  for (const defsKey of ['$defs', 'definitions'] as const) {
    const defs = s[defsKey];
    if (!isObject(defs)) continue;
    const copy: Schema = {};
    for (const [k, v] of Object.entries(defs)) copy[k] = fill(v, depth + 1);
    out[defsKey] = copy;
  }
  return out;
}

/**
 * Resolves `strict` for a schema: the given value (true must be compatible),
 * else `defaultStrict` when the schema is compatible. Returns the schema to
 * echo and send, or the problem that makes an explicit `strict: true` fail.
 */
export function resolveStrict(
  schema: Schema,
  strict: boolean | undefined,
  defaultStrict: boolean,
): { ok: true; strict: boolean; schema: Schema } | { ok: false; problem: string } {
  if (strict === false || (strict === undefined && !defaultStrict)) return { ok: true, strict: false, schema };
  const problem = strictProblem(schema);
  if (problem === null) return { ok: true, strict: true, schema: strictSchema(schema) };
  if (strict === true) return { ok: false, problem };
  return { ok: true, strict: false, schema };
}
