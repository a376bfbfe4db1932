/**
 * Structured output on the local engine: the model samples under a grammar,
 * so the text is valid JSON of the requested shape by construction.
 *
 * - json_schema → `llama.createGrammarForJsonSchema(schema)`
 * - json_object → node-llama-cpp's built-in `json` grammar
 * - forced function calls → the tool's `parameters` schema
 *
 * node-llama-cpp's grammar generator understands a subset of JSON Schema
 * (type, properties, additionalProperties, min/maxProperties, items,
 * prefixItems, min/maxItems, const, enum, oneOf, $defs/$ref, string
 * min/maxLength and the date/time/date-time formats) and treats anything
 * else as `null`. `toGrammarSchema` rewrites a client's schema into that
 * subset so the grammar never contradicts it:
 *
 * - anyOf → oneOf; `type: [a, b]` and OpenAPI `nullable` → oneOf;
 *   `definitions` → `$defs` (and `#/definitions/…` refs); single-schema or
 *   object-only allOf → merged.
 * - a schema with no recognizable type (`{}`, `true`, a ref outside `$defs`)
 *   → any JSON value.
 * - an object with no `properties` → any properties.
 * - every listed property is generated (as if all were required, which is
 *   what strict schemas say anyway).
 * - descriptions are kept (node-llama-cpp documents function params with them).
 *
 * String characters: node-llama-cpp's rule, minus surrogates and code points
 * above U+10FFFF (STRICT_STRING_CHAR_CLASS below; see utf8-guard.ts).
 *
 * Keywords the grammar cannot express (pattern, minimum/maximum, multipleOf,
 * uniqueItems, other string formats, not, if/then/else) are dropped; the
 * output can then fail them, and the response's structured-output check
 * (Ajv, in the translator) reports it.
 */
import { ApiError } from '../../errors/api-error.js';
import type { OutputFormat } from '../types.js';
import type { LlamaGrammar } from './llama-api.js';
import type { LoadedModel } from './load-model.js';

type Schema = Record<string, unknown>;

const ANY: Schema = {
  oneOf: [{ type: ['string', 'number', 'boolean', 'null'] }, { type: 'array' }, { type: 'object', additionalProperties: true }],
};

const FORMATS = new Set(['date', 'time', 'date-time']);
const MAX_DEPTH = 64;

/** Grammar for the response format; undefined for plain text. */
export async function formatGrammar(m: LoadedModel, format: OutputFormat): Promise<LlamaGrammar | undefined> {
  switch (format.type) {
    case 'text':
      return undefined;
    case 'json_object':
      return m.grammar('json', async () => strictStrings(m, await m.llama.getGrammarFor('json')));
    case 'json_schema':
      return schemaGrammar(m, format.schema, 'text.format.schema');
  }
}

/** Grammar for a JSON Schema (compiled once per schema and model). */
export async function schemaGrammar(m: LoadedModel, schema: Schema, param: string): Promise<LlamaGrammar> {
  const converted = toGrammarSchema(schema);
  const key = `schema:${JSON.stringify(converted)}`;
  return m.grammar(key, async () => {
    let generated: LlamaGrammar;
    try {
      generated = await m.llama.createGrammarForJsonSchema(converted);
    } catch (err) {
      throw new ApiError(
        'invalid_request',
        `The local model engine cannot enforce this JSON Schema: ${err instanceof Error ? err.message : String(err)}`,
        { param, cause: err },
      );
    }
    // A failure here is the engine's, not the schema's.
    return strictStrings(m, generated);
  });
}

/**
 * node-llama-cpp's character rule inside JSON strings, and the same rule
 * without UTF-16 surrogates and code points above U+10FFFF. llama.cpp decodes
 * a token's bytes leniently, so `ED A0 80` (a surrogate) or `F4 90 80 80`
 * would pass the original rule as ONE character while JavaScript decodes
 * each into several U+FFFD, breaking a maxLength (utf8-guard.ts bans the
 * bytes that are never valid; this closes most of what remains).
 */
export const STRING_CHAR_CLASS = String.raw`[^"\\\x7F\x00-\x1F]`;
export const STRICT_STRING_CHAR_CLASS = String.raw`[^"\\\x7F\x00-\x1F\uD800-\uDFFF\U00110000-\U001FFFFF]`;

/** The grammar with STRICT_STRING_CHAR_CLASS for string characters (its stop triggers kept). */
async function strictStrings(m: LoadedModel, g: LlamaGrammar): Promise<LlamaGrammar> {
  if (!g.grammar.includes(STRING_CHAR_CLASS)) return g;
  return m.llama.createGrammar({
    grammar: g.grammar.split(STRING_CHAR_CLASS).join(STRICT_STRING_CHAR_CLASS),
    stopGenerationTriggers: g.stopGenerationTriggers,
    trimWhitespaceSuffix: g.trimWhitespaceSuffix,
  });
}

/** A client's JSON Schema → the subset node-llama-cpp's grammar generator understands. */
export function toGrammarSchema(schema: unknown): Schema {
  return convert(schema, 0);
}

function convert(input: unknown, depth: number): Schema {
  if (depth > MAX_DEPTH || !isObject(input)) return ANY;
  const converted = convertShape(input, depth);
  // Descriptions do not change the grammar, but node-llama-cpp shows them to
  // the model when it documents functions.
  return typeof input.description === 'string' && converted !== ANY ? { ...converted, description: input.description } : converted;
}

function convertShape(input: Schema, depth: number): Schema {
  let s: Schema = input;
  const out: Schema = {};

  const defs = s.$defs ?? s.definitions;
  if (isObject(defs)) {
    const converted: Schema = {};
    for (const [k, v] of Object.entries(defs)) converted[k] = convert(v, depth + 1);
    out.$defs = converted;
  }
  const withDefs = (x: Schema): Schema => (out.$defs === undefined ? x : { ...x, $defs: out.$defs });

  if (typeof s.$ref === 'string') {
    const m = /^#\/(?:\$defs|definitions)\/([^/]+)$/.exec(s.$ref);
    return m ? withDefs({ $ref: `#/$defs/${m[1]}` }) : ANY;
  }

  if (Array.isArray(s.allOf)) {
    const merged = mergeAllOf(s);
    if (!merged) return ANY;
    s = merged;
  }

  if (s.nullable === true) {
    const { nullable: _n, ...rest } = s;
    return withDefs({ oneOf: [convert(rest, depth + 1), { type: 'null' }] });
  }

  if ('const' in s) return isPrimitive(s.const) ? withDefs({ const: s.const }) : ANY;
  if (Array.isArray(s.enum)) {
    return s.enum.length > 0 && s.enum.every(isPrimitive) ? withDefs({ enum: s.enum }) : ANY;
  }

  const alternatives = Array.isArray(s.oneOf) ? s.oneOf : Array.isArray(s.anyOf) ? s.anyOf : undefined;
  if (alternatives && s.type === undefined && s.properties === undefined && s.items === undefined) {
    if (alternatives.length === 0) return ANY;
    return withDefs({ oneOf: alternatives.map((a) => convert(a, depth + 1)) });
  }

  let type = s.type;
  if (type === undefined) {
    if (isObject(s.properties) || s.additionalProperties !== undefined) type = 'object';
    else if (s.items !== undefined || Array.isArray(s.prefixItems)) type = 'array';
    else return out.$defs === undefined ? ANY : withDefs(ANY);
  }
  if (Array.isArray(type)) {
    const types = [...new Set(type.filter((t): t is string => typeof t === 'string'))];
    if (types.length === 0) return ANY;
    if (types.length === 1) type = types[0];
    else return withDefs({ oneOf: types.map((t) => convert({ ...s, type: t, $defs: undefined, definitions: undefined }, depth + 1)) });
  }

  switch (type) {
    case 'string': {
      if (typeof s.format === 'string' && FORMATS.has(s.format)) return withDefs({ type: 'string', format: s.format });
      const r: Schema = { type: 'string' };
      if (isCount(s.minLength)) r.minLength = s.minLength;
      if (isCount(s.maxLength)) r.maxLength = s.maxLength;
      return withDefs(r);
    }
    case 'number':
    case 'integer':
    case 'boolean':
    case 'null':
      return withDefs({ type });
    case 'object': {
      const r: Schema = { type: 'object' };
      const props = isObject(s.properties) ? Object.entries(s.properties) : [];
      if (props.length > 0) {
        const p: Schema = {};
        for (const [k, v] of props) p[k] = convert(v, depth + 1);
        r.properties = p;
      }
      const ap = s.additionalProperties;
      if (isObject(ap)) r.additionalProperties = convert(ap, depth + 1);
      else if (ap === true || (ap === undefined && props.length === 0)) r.additionalProperties = true;
      if (isCount(s.minProperties)) r.minProperties = s.minProperties;
      if (isCount(s.maxProperties)) r.maxProperties = s.maxProperties;
      return withDefs(r);
    }
    case 'array': {
      const r: Schema = { type: 'array' };
      const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : undefined;
      if (prefix) r.prefixItems = prefix.map((x) => convert(x, depth + 1));
      if (isObject(s.items)) r.items = convert(s.items, depth + 1);
      if (isCount(s.minItems)) r.minItems = s.minItems;
      let maxItems = isCount(s.maxItems) ? s.maxItems : undefined;
      if (s.items === false && prefix) maxItems = Math.min(maxItems ?? prefix.length, prefix.length);
      if (maxItems !== undefined) r.maxItems = maxItems;
      return withDefs(r);
    }
    default:
      return ANY;
  }
}

/** allOf merged into its parent when that can be done exactly enough; null when not. */
function mergeAllOf(s: Schema): Schema | null {
  const { allOf, ...base } = s;
  const parts = (allOf as unknown[]).filter(isObject);
  if (parts.length !== (allOf as unknown[]).length) return null;
  const merged: Schema = { ...base };
  for (const part of parts) {
    for (const [k, v] of Object.entries(part)) {
      if (k === 'properties' && isObject(v)) {
        merged.properties = { ...(isObject(merged.properties) ? merged.properties : {}), ...v };
      } else if (k === 'required' && Array.isArray(v)) {
        merged.required = [...(Array.isArray(merged.required) ? merged.required : []), ...v];
      } else if (!(k in merged)) {
        merged[k] = v;
      } else if (JSON.stringify(merged[k]) !== JSON.stringify(v) && k !== 'description' && k !== 'title') {
        return null;
      }
    }
  }
  return merged;
}

function isObject(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isPrimitive(v: unknown): v is string | number | boolean | null {
  return v === null || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}
