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
 * What the generator cannot express is spliced into its output
 * (gbnf-values.ts): integer bounds, number bounds that are integers and
 * `pattern`s of a regex subset (and the `uuid` format as a pattern). Each
 * such node becomes a placeholder `const` for the generator, whose literal
 * in the generated GBNF is then replaced by the rule.
 *
 * Keywords still not expressed (multipleOf, uniqueItems, fractional
 * bounds, patterns beyond the subset, other string formats, not,
 * if/then/else, contains, exclusivity of a client's oneOf, …) are dropped
 * from the grammar and listed by `grammarGaps`: the provider's
 * `capabilities.enforcesAll` says false for such a schema, so the router
 * validates the answer and repairs it once, as it does for backends without
 * native JSON Schema support (router.ts); the run's check stays last.
 */
import { ApiError } from '../../errors/api-error.js';
import type { OutputFormat } from '../types.js';
import type { LlamaGrammar } from './llama-api.js';
import type { LoadedModel } from './load-model.js';
import { integerRange, numberRange, patternGbnf } from './gbnf-values.js';

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
  const plan = grammarPlan(schema);
  const key = `schema:${JSON.stringify(plan.schema)}:${JSON.stringify([...plan.splices])}`;
  return m.grammar(key, async () => {
    let generated: LlamaGrammar;
    try {
      generated = await m.llama.createGrammarForJsonSchema(plan.schema);
    } catch (err) {
      throw new ApiError(
        'invalid_request',
        `The local model engine cannot enforce this JSON Schema: ${err instanceof Error ? err.message : String(err)}`,
        { param, cause: err },
      );
    }
    // A failure here is the engine's, not the schema's.
    return strictStrings(m, generated, plan.splices);
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

/**
 * The grammar with the spliced rules in place of their placeholders and
 * STRICT_STRING_CHAR_CLASS for string characters (its stop triggers kept).
 */
async function strictStrings(m: LoadedModel, g: LlamaGrammar, splices: ReadonlyMap<string, Splice> = new Map()): Promise<LlamaGrammar> {
  let text = g.grammar;
  for (const [token, splice] of splices) {
    // node-llama-cpp writes a string const as a GBNF literal of the JSON string: "\"<token>\"".
    const literal = `"\\"${token}\\""`;
    if (!text.includes(literal)) throw new Error(`grammar: the placeholder ${token} is missing from the generated grammar`);
    text = text.split(literal).join(splice.kind === 'string' ? `"\\"" ${splice.gbnf} "\\""` : `(${splice.gbnf})`);
  }
  if (text === g.grammar && !text.includes(STRING_CHAR_CLASS)) return g;
  return m.llama.createGrammar({
    grammar: text.split(STRING_CHAR_CLASS).join(STRICT_STRING_CHAR_CLASS),
    stopGenerationTriggers: g.stopGenerationTriggers,
    trimWhitespaceSuffix: g.trimWhitespaceSuffix,
  });
}

/** A GBNF rule spliced in place of a placeholder: a whole JSON number, or the inside of a JSON string. */
export interface Splice {
  kind: 'number' | 'string';
  gbnf: string;
}

/** What schemaGrammar compiles: the generator's schema (with placeholders), the rules to splice, and what is not expressed. */
export interface GrammarPlan {
  schema: Schema;
  splices: Map<string, Splice>;
  /** Keywords the grammar does not enforce (with the path where), e.g. `properties.score: multipleOf`. */
  gaps: string[];
}

const PLACEHOLDER = 'cohort-splice-';

interface Ctx {
  /** Absent: plain subset for node-llama-cpp's function documentation (no placeholders). */
  splices?: Map<string, Splice>;
  byRule?: Map<string, string>;
  gaps: string[];
  path: string;
}

const plans = new WeakMap<object, GrammarPlan>();

/** The grammar plan of a schema (memoized per schema object: the router and the engine ask for the same one). */
export function grammarPlan(schema: Schema): GrammarPlan {
  let plan = plans.get(schema);
  if (!plan) {
    // A client schema that contains the placeholder prefix gets no splices (it could collide).
    const canSplice = !JSON.stringify(schema).includes(PLACEHOLDER);
    const ctx: Ctx = { gaps: [], path: '', ...(canSplice ? { splices: new Map(), byRule: new Map() } : {}) };
    plan = { schema: convert(schema, 0, ctx), splices: ctx.splices ?? new Map(), gaps: ctx.gaps };
    plans.set(schema, plan);
  }
  return plan;
}

/** Keywords of `schema` the grammar does not enforce; empty when the grammar alone guarantees a valid answer. */
export function grammarGaps(schema: Schema): string[] {
  return grammarPlan(schema).gaps;
}

function placeholder(ctx: Ctx, splice: Splice): Schema | undefined {
  if (!ctx.splices || !ctx.byRule) return undefined;
  const key = `${splice.kind}:${splice.gbnf}`;
  let token = ctx.byRule.get(key);
  if (!token) {
    token = `${PLACEHOLDER}${ctx.splices.size}`;
    ctx.byRule.set(key, token);
    ctx.splices.set(token, splice);
  }
  return { const: token };
}

/**
 * A client's JSON Schema → the subset node-llama-cpp's grammar generator
 * understands, without splices (for node-llama-cpp's function documentation).
 */
export function toGrammarSchema(schema: unknown): Schema {
  return convert(schema, 0, { gaps: [], path: '' });
}

/** Keywords handled by convertShape (or without effect on the value); any other is a gap. */
const HANDLED = new Set([
  'type', 'properties', 'additionalProperties', 'required', 'items', 'prefixItems', 'minItems', 'maxItems', 'minProperties', 'maxProperties',
  'enum', 'const', 'anyOf', '$defs', 'definitions', '$ref', 'allOf', 'nullable', 'format', 'minLength', 'maxLength', 'pattern',
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'description', 'title', '$schema', '$id', '$comment', 'default', 'examples', 'deprecated', 'readOnly', 'writeOnly',
]);

function gap(ctx: Ctx, what: string): void {
  if (ctx.gaps.length < 50) ctx.gaps.push(ctx.path ? `${ctx.path}: ${what}` : what);
}

function at(ctx: Ctx, ...segments: string[]): Ctx {
  return { ...ctx, path: [ctx.path, ...segments].filter(Boolean).join('.') };
}

/** `checkKeys` false: a branch of a node whose keywords were already looked at (nullable, a type list). */
function convert(input: unknown, depth: number, ctx: Ctx, checkKeys = true): Schema {
  if (depth > MAX_DEPTH) {
    gap(ctx, 'nested too deep');
    return ANY;
  }
  if (!isObject(input)) {
    if (input === false) gap(ctx, 'false schema');
    return ANY;
  }
  if (checkKeys) for (const k of Object.keys(input)) if (!HANDLED.has(k)) gap(ctx, k === 'oneOf' ? 'oneOf (exclusivity)' : k);
  const converted = convertShape(input, depth, ctx);
  // Descriptions do not change the grammar, but node-llama-cpp shows them to
  // the model when it documents functions.
  return typeof input.description === 'string' && converted !== ANY ? { ...converted, description: input.description } : converted;
}

function convertShape(input: Schema, depth: number, ctx: Ctx): Schema {
  let s: Schema = input;
  const out: Schema = {};

  const defs = s.$defs ?? s.definitions;
  if (isObject(defs)) {
    const converted: Schema = {};
    for (const [k, v] of Object.entries(defs)) converted[k] = convert(v, depth + 1, at(ctx, '$defs', k));
    out.$defs = converted;
  }
  const withDefs = (x: Schema): Schema => (out.$defs === undefined ? x : { ...x, $defs: out.$defs });

  if (typeof s.$ref === 'string') {
    const m = /^#\/(?:\$defs|definitions)\/([^/]+)$/.exec(s.$ref);
    if (!m) gap(ctx, `$ref ${s.$ref}`);
    return m ? withDefs({ $ref: `#/$defs/${m[1]}` }) : ANY;
  }

  if (Array.isArray(s.allOf)) {
    const merged = mergeAllOf(s);
    if (!merged) {
      gap(ctx, 'allOf');
      return ANY;
    }
    for (const k of Object.keys(merged)) if (!HANDLED.has(k) && !(k in input)) gap(ctx, k);
    s = merged;
  }

  if (s.nullable === true) {
    const { nullable: _n, ...rest } = s;
    return withDefs({ oneOf: [convert(rest, depth + 1, ctx, false), { type: 'null' }] });
  }

  if ('const' in s) {
    if (!isPrimitive(s.const)) gap(ctx, 'const (not a primitive)');
    return isPrimitive(s.const) ? withDefs({ const: s.const }) : ANY;
  }
  if (Array.isArray(s.enum)) {
    if (!(s.enum.length > 0 && s.enum.every(isPrimitive))) gap(ctx, 'enum (not primitives)');
    return s.enum.length > 0 && s.enum.every(isPrimitive) ? withDefs({ enum: s.enum }) : ANY;
  }

  const alternatives = Array.isArray(s.oneOf) ? s.oneOf : Array.isArray(s.anyOf) ? s.anyOf : undefined;
  if (alternatives && s.type === undefined && s.properties === undefined && s.items === undefined) {
    if (alternatives.length === 0) return ANY;
    const key = Array.isArray(s.oneOf) ? 'oneOf' : 'anyOf';
    return withDefs({ oneOf: alternatives.map((a, i) => convert(a, depth + 1, at(ctx, key, String(i)))) });
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
    else return withDefs({ oneOf: types.map((t) => convert(typeOnly(s, t), depth + 1, ctx, false)) });
  }

  switch (type) {
    case 'string': {
      const format = typeof s.format === 'string' ? s.format : undefined;
      const pattern = typeof s.pattern === 'string' ? s.pattern : undefined;
      const lengths = s.minLength !== undefined || s.maxLength !== undefined;
      // One pattern can be spliced: the client's, else its format's.
      const chosen = pattern ?? (format !== undefined ? FORMAT_PATTERNS[format] : undefined);
      const gbnf = chosen === undefined ? undefined : patternGbnf(chosen);
      const ph = gbnf === undefined ? undefined : placeholder(ctx, { kind: 'string', gbnf });
      if (ph) {
        if (lengths) gap(ctx, 'minLength/maxLength (beside a pattern)');
        if (format !== undefined && pattern !== undefined) gap(ctx, `format ${format} (beside a pattern)`);
        return withDefs(ph);
      }
      if (pattern !== undefined) gap(ctx, 'pattern');
      if (format !== undefined && FORMATS.has(format)) {
        if (lengths) gap(ctx, 'minLength/maxLength (beside a format)');
        return withDefs({ type: 'string', format });
      }
      if (format !== undefined) gap(ctx, `format ${format}`);
      const r: Schema = { type: 'string' };
      if (isCount(s.minLength)) r.minLength = s.minLength;
      if (isCount(s.maxLength)) r.maxLength = s.maxLength;
      return withDefs(r);
    }
    case 'number':
    case 'integer': {
      const bounded = ['minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum'].some((k) => s[k] !== undefined);
      if (!bounded) return withDefs({ type });
      const range = type === 'integer' ? integerBounds(s) : numberBounds(s);
      const gbnf = range && (type === 'integer' ? integerRange(range.min, range.max) : numberRange(range.min, range.max));
      const ph = gbnf ? placeholder(ctx, { kind: 'number', gbnf }) : undefined;
      if (ph) return withDefs(ph);
      gap(ctx, 'minimum/maximum');
      return withDefs({ type });
    }
    case 'boolean':
    case 'null':
      return withDefs({ type });
    case 'object': {
      const r: Schema = { type: 'object' };
      const props = isObject(s.properties) ? Object.entries(s.properties) : [];
      const ap = s.additionalProperties;
      // A required property the schema does not list: generated too (as additionalProperties allows, or any value), else no answer could be valid.
      const listed = new Set(props.map(([k]) => k));
      const unlisted = ap === false ? [] : (Array.isArray(s.required) ? s.required : []).filter((k): k is string => typeof k === 'string' && !listed.has(k));
      if (props.length > 0 || unlisted.length > 0) {
        const p: Schema = {};
        for (const [k, v] of props) p[k] = convert(v, depth + 1, at(ctx, 'properties', k));
        for (const k of unlisted) p[k] = isObject(ap) ? convert(ap, depth + 1, at(ctx, 'additionalProperties')) : ANY;
        r.properties = p;
      }
      if (isObject(ap)) r.additionalProperties = convert(ap, depth + 1, at(ctx, 'additionalProperties'));
      else if (ap === true || (ap === undefined && props.length === 0 && unlisted.length === 0)) r.additionalProperties = true;
      if (isCount(s.minProperties)) r.minProperties = s.minProperties;
      if (isCount(s.maxProperties)) r.maxProperties = s.maxProperties;
      return withDefs(r);
    }
    case 'array': {
      const r: Schema = { type: 'array' };
      const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : undefined;
      if (prefix) r.prefixItems = prefix.map((x, i) => convert(x, depth + 1, at(ctx, 'prefixItems', String(i))));
      if (isObject(s.items)) r.items = convert(s.items, depth + 1, at(ctx, 'items'));
      if (isCount(s.minItems)) r.minItems = s.minItems;
      let maxItems = isCount(s.maxItems) ? s.maxItems : undefined;
      if (s.items === false && prefix) maxItems = Math.min(maxItems ?? prefix.length, prefix.length);
      if (maxItems !== undefined) r.maxItems = maxItems;
      return withDefs(r);
    }
    default:
      gap(ctx, `type ${String(type)}`);
      return ANY;
  }
}

/** Formats expressed as a pattern (node-llama-cpp knows date, time and date-time itself). */
const FORMAT_PATTERNS: Record<string, string> = {
  uuid: '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$',
};

/** A branch of `type: [a, b]`: the keywords of its own type only (so `minimum` is not checked on a string branch). */
function typeOnly(s: Schema, t: string): Schema {
  const { $defs: _d, definitions: _f, type: _t, ...rest } = s;
  return { ...rest, type: t };
}

type Range = { min: number | undefined; max: number | undefined };

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Integer bounds, inclusive: exclusive and fractional bounds rounded inward. Draft-4 boolean exclusives too. */
function integerBounds(s: Schema): Range | undefined {
  let min = num(s.minimum);
  let max = num(s.maximum);
  if (min !== undefined) min = s.exclusiveMinimum === true ? Math.floor(min) + 1 : Math.ceil(min);
  if (max !== undefined) max = s.exclusiveMaximum === true ? Math.ceil(max) - 1 : Math.floor(max);
  const exMin = num(s.exclusiveMinimum);
  const exMax = num(s.exclusiveMaximum);
  if (exMin !== undefined) min = Math.max(min ?? -Infinity, Math.floor(exMin) + 1);
  if (exMax !== undefined) max = Math.min(max ?? Infinity, Math.ceil(exMax) - 1);
  return { min, max };
}

/** Number bounds when they are inclusive integers; undefined otherwise (not expressed). */
function numberBounds(s: Schema): Range | undefined {
  if (s.exclusiveMinimum !== undefined || s.exclusiveMaximum !== undefined) return undefined;
  const min = num(s.minimum);
  const max = num(s.maximum);
  if ((min !== undefined && !Number.isInteger(min)) || (max !== undefined && !Number.isInteger(max))) return undefined;
  return { min, max };
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
