/**
 * The checks a client's JSON Schema (a function tool's `parameters`, a
 * `json_schema` output format) passes at the door, before anything is
 * compiled, generated or sent upstream. Every check is linear in the schema's
 * size and none recurses without a bound, so a schema costs what its bytes do.
 *
 * Refused with 422 `validation_error`, `param` naming the place in the schema
 * (`text.format.schema.properties.x.minLength`):
 * - size: SCHEMA_LIMITS (bytes, JSON nesting, property names, enum members,
 *   pattern length; a request's schemas together);
 * - a `pattern` or `patternProperties` key the linear-time engine cannot run
 *   (safe-regex.ts), and a `$ref` that does not resolve within the schema;
 * - contradictions no value can meet: minLength > maxLength (and the items,
 *   properties and contains pairs), an empty numeric range, an integer range
 *   with no integer, no multiple of multipleOf in range, an empty enum, a const
 *   or enum that its own type excludes, allOf members whose types or bounds
 *   exclude each other; a schema whose every value is excluded (`false`,
 *   `not: {}`, a required property that allows nothing, …) when a value is
 *   required;
 * - a subschema whose smallest value is longer than SCHEMA_LIMITS.minimalValueChars
 *   (minLength: 2e8, minItems: 1e9, nested minItems, a $ref fan-out bomb).
 * Constraints under `not` and `if` only describe what is excluded or tested,
 * so contradictions and sizes there are allowed.
 */
import { ApiError } from '../errors/api-error.js';
import { metaSchemaProblem } from './json-schema.js';
import { MAX_PATTERN_CHARS, patternProblem } from './safe-regex.js';
import { SchemaIndex, isObj, type Json, type SchemaPath } from './schema-index.js';

/** The documented limits of a client's JSON Schema (docs/operations.md, "Limits"). */
export const SCHEMA_LIMITS = {
  /** One schema, serialized as JSON. */
  bytes: 128 * 1024,
  /** Every schema of one request together (function tools and the output format). */
  requestBytes: 512 * 1024,
  /** Function tools in one request. */
  functionTools: 128,
  /** Levels of JSON nesting in one schema (a property one level down costs two: `properties` and its name). */
  depth: 64,
  /** Property names declared in one schema (properties, patternProperties, dependentSchemas, all levels). */
  properties: 1000,
  /** Members of one enum. */
  enumMembers: 1000,
  /** Characters of one pattern. */
  patternChars: MAX_PATTERN_CHARS,
  /** Distinct patterns (and patternProperties keys) in one request's schemas: each is compiled. */
  requestPatterns: 256,
  /** JSON characters of the smallest value any subschema allows. */
  minimalValueChars: 100_000,
} as const;

/** Which schema of a request: the output format's, or the function tool's at this index of the provider request's `tools`. */
export type SchemaOrigin = { kind: 'format' } | { kind: 'tool'; index: number };

/** A schema no value can satisfy, or that the server will not handle: where (path in the schema) and why. */
export class SchemaRefusal extends Error {
  /** Set by whoever knows which of the request's schemas this was. */
  origin: SchemaOrigin | undefined;

  constructor(
    readonly path: SchemaPath,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'SchemaRefusal';
  }
}

/** `base` + path as a request param: `text.format.schema.properties.x.minLength`, `…allOf[1]`, `…properties["a.b"]`. */
export function schemaParam(base: string, path: SchemaPath): string {
  let out = base;
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][\w$-]*$/.test(p) ? `.${p}` : `[${JSON.stringify(p)}]`;
  return out;
}

/** What a request's schemas have used so far (checkClientSchema adds to it). */
export interface SchemaTally {
  bytes: number;
  /** Distinct patterns seen. */
  patterns?: Set<string>;
}

/**
 * Throws a 422 naming `param` + the path when the schema breaks a limit, cannot
 * be satisfied, or does not conform to its draft's meta-schema.
 */
export function checkClientSchema(schema: Json, param: string, tally: SchemaTally = { bytes: 0 }, label = 'JSON schema'): void {
  try {
    inspect(schema, tally);
  } catch (err) {
    if (err instanceof SchemaRefusal) throw new ApiError('validation_error', `Invalid ${label}: ${err.reason}`, { param: schemaParam(param, err.path) });
    throw err;
  }
}

function inspect(schema: Json, tally: SchemaTally): void {
  // Nesting first, without recursion: everything after may recurse as deep as the schema goes.
  const depth = jsonDepth(schema, SCHEMA_LIMITS.depth);
  if (depth.over) throw new SchemaRefusal(depth.path, `the schema nests deeper than ${SCHEMA_LIMITS.depth} levels`);
  const bytes = Buffer.byteLength(JSON.stringify(schema));
  if (bytes > SCHEMA_LIMITS.bytes) throw new SchemaRefusal([], `the schema is ${bytes} bytes; at most ${SCHEMA_LIMITS.bytes} are accepted`);
  tally.bytes += bytes;
  if (tally.bytes > SCHEMA_LIMITS.requestBytes) throw new SchemaRefusal([], `the request's schemas add up to more than ${SCHEMA_LIMITS.requestBytes} bytes`);
  const meta = metaSchemaProblem(schema);
  if (meta) throw new SchemaRefusal([], meta);

  const index = new SchemaIndex(schema);
  let properties = 0;
  for (const { node, path, negated } of index.nodes) {
    if (!isObj(node)) continue;
    for (const key of ['properties', 'patternProperties', 'dependentSchemas'] as const) {
      const m = node[key];
      if (!isObj(m)) continue;
      properties += Object.keys(m).length;
      if (properties > SCHEMA_LIMITS.properties) throw new SchemaRefusal([...path, key], `the schema declares more than ${SCHEMA_LIMITS.properties} properties`);
    }
    if (Array.isArray(node.enum) && node.enum.length > SCHEMA_LIMITS.enumMembers) throw new SchemaRefusal([...path, 'enum'], `an enum has ${node.enum.length} members; at most ${SCHEMA_LIMITS.enumMembers} are accepted`);
    const pattern = (p: string, at: SchemaPath) => {
      const seen = (tally.patterns ??= new Set());
      if (!seen.has(p) && seen.size >= SCHEMA_LIMITS.requestPatterns) throw new SchemaRefusal(at, `the request's schemas hold more than ${SCHEMA_LIMITS.requestPatterns} distinct patterns`);
      seen.add(p);
      const problem = patternProblem(p);
      if (problem) throw new SchemaRefusal(at, problem);
    };
    if (typeof node.pattern === 'string') pattern(node.pattern, [...path, 'pattern']);
    if (isObj(node.patternProperties)) for (const key of Object.keys(node.patternProperties)) pattern(key, [...path, 'patternProperties', key]);
    for (const key of ['$ref', '$dynamicRef'] as const) {
      const ref = node[key];
      if (typeof ref === 'string' && index.resolve(ref, node) === undefined) {
        throw new SchemaRefusal([...path, key], `the $ref '${ref.slice(0, 200)}' does not resolve within this schema (references reach only this schema's own $defs, $ids and anchors)`);
      }
    }
    if (!negated) contradiction(node, path, index);
  }
  const sizes = new MinimalSize(index);
  for (const { node, path, negated } of index.nodes) {
    if (negated) continue;
    const chars = sizes.of(node, path);
    if (chars > SCHEMA_LIMITS.minimalValueChars) {
      const blame = sizes.blame ?? { path, keyword: undefined };
      throw new SchemaRefusal(blame.keyword ? [...blame.path, blame.keyword] : blame.path, `the smallest value this schema allows is longer than ${SCHEMA_LIMITS.minimalValueChars} characters`);
    }
  }
  const empty = new Emptiness(index).reason(schema, []);
  if (empty) throw new SchemaRefusal(empty.path, `no value can satisfy the schema: ${empty.reason}`);
}

/** The JSON nesting of `value`, iteratively; stops at the first place deeper than `limit`. */
function jsonDepth(value: unknown, limit: number): { over: boolean; path: SchemaPath } {
  const stack: { v: unknown; depth: number; path: SchemaPath }[] = [{ v: value, depth: 1, path: [] }];
  while (stack.length) {
    const { v, depth, path } = stack.pop() as { v: unknown; depth: number; path: SchemaPath };
    if (typeof v !== 'object' || v === null) continue;
    if (depth > limit) return { over: true, path: path.slice(0, limit) };
    if (Array.isArray(v)) v.forEach((x, i) => stack.push({ v: x, depth: depth + 1, path: [...path, i] }));
    else for (const [k, x] of Object.entries(v)) stack.push({ v: x, depth: depth + 1, path: [...path, k] });
  }
  return { over: false, path: [] };
}

// ---------------------------------------------------------------- contradictions within one subschema

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function typesOf(s: Json): Set<string> | undefined {
  if (typeof s.type === 'string') return new Set([s.type]);
  if (Array.isArray(s.type)) return new Set(s.type.filter((t): t is string => typeof t === 'string'));
  return undefined;
}

function jsonTypeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeAllows(types: Set<string> | undefined, v: unknown): boolean {
  if (!types) return true;
  const t = jsonTypeOf(v);
  return types.has(t) || (t === 'integer' && types.has('number'));
}

/** The numeric bounds of a schema in both drafts' forms: [lo, loExclusive, hi, hiExclusive]. */
function numericBounds(s: Json): { lo: number; loEx: boolean; loKey: string; hi: number; hiEx: boolean } {
  let lo = -Infinity;
  let loEx = false;
  let loKey = 'minimum';
  let hi = Infinity;
  let hiEx = false;
  const min = num(s.minimum);
  const max = num(s.maximum);
  if (min !== undefined) [lo, loEx] = [min, s.exclusiveMinimum === true];
  if (max !== undefined) [hi, hiEx] = [max, s.exclusiveMaximum === true];
  const exMin = num(s.exclusiveMinimum);
  const exMax = num(s.exclusiveMaximum);
  if (exMin !== undefined && exMin >= lo) [lo, loEx, loKey] = [exMin, true, 'exclusiveMinimum'];
  if (exMax !== undefined && exMax <= hi) [hi, hiEx] = [exMax, true];
  return { lo, loEx, loKey, hi, hiEx };
}

/** The allOf members that are plain subschemas (no $ref), merged with the node itself, for the pair checks. */
function withAllOf(node: Json, index: SchemaIndex): Json[] {
  const out: Json[] = [node];
  if (!Array.isArray(node.allOf)) return out;
  for (const m of node.allOf) {
    let member: unknown = m;
    if (isObj(member) && typeof member.$ref === 'string' && Object.keys(member).length === 1) member = index.resolve(member.$ref, member)?.node;
    if (isObj(member)) out.push(member);
  }
  return out;
}

const PAIRS: [string, string, string][] = [
  ['minLength', 'maxLength', 'characters'],
  ['minItems', 'maxItems', 'items'],
  ['minProperties', 'maxProperties', 'properties'],
  ['minContains', 'maxContains', 'matching items'],
];

/** Throws when the keywords of one subschema (with its allOf members) exclude each other. */
function contradiction(node: Json, path: SchemaPath, index: SchemaIndex): void {
  const parts = withAllOf(node, index);
  const members: unknown[] = Array.isArray(node.allOf) ? node.allOf : [];
  // where a keyword of one of the parts is: the node's own, or its allOf member's (a $ref member's target: the allOf)
  const at = (s: Json, keyword: string): SchemaPath => {
    if (s === node) return [...path, keyword];
    const i = members.indexOf(s);
    return i >= 0 ? [...path, 'allOf', i, keyword] : [...path, 'allOf'];
  };

  if (Array.isArray(node.enum) && node.enum.length === 0) throw new SchemaRefusal([...path, 'enum'], 'the enum is empty');
  for (const [lowKey, highKey, what] of PAIRS) {
    let low: { v: number; s: Json } | undefined;
    let high: { v: number; s: Json } | undefined;
    for (const s of parts) {
      const l = num(s[lowKey]);
      const h = num(s[highKey]);
      if (l !== undefined && (!low || l > low.v)) low = { v: l, s };
      if (h !== undefined && (!high || h < high.v)) high = { v: h, s };
    }
    if (low && high && low.v > high.v) throw new SchemaRefusal(at(low.s, lowKey), `${lowKey} (${low.v}) is greater than ${highKey} (${high.v}): no value has that many ${what}`);
  }

  // types: the intersection of every part that says one
  let types: Set<string> | undefined;
  for (const s of parts) {
    const t = typesOf(s);
    if (!t) continue;
    if (!types) types = t;
    else {
      const next = new Set<string>();
      for (const x of types) if (t.has(x) || (x === 'integer' && t.has('number'))) next.add(x);
      for (const x of t) if (x === 'integer' && types.has('number')) next.add('integer');
      if (next.size === 0) throw new SchemaRefusal(at(s, 'type'), `the types ${[...t].join(', ')} and ${[...types].join(', ')} (of another allOf member) have no value in common`);
      types = next;
    }
  }

  // numbers: every part's bounds together
  let lo = -Infinity;
  let loEx = false;
  let hi = Infinity;
  let hiEx = false;
  let loAt: SchemaPath = [...path, 'minimum'];
  for (const s of parts) {
    const b = numericBounds(s);
    if (b.lo > lo || (b.lo === lo && b.loEx)) [lo, loEx, loAt] = [b.lo, b.loEx, at(s, b.loKey)];
    if (b.hi < hi || (b.hi === hi && b.hiEx)) [hi, hiEx] = [b.hi, b.hiEx];
  }
  const onlyNumeric = types !== undefined && [...types].every((t) => t === 'number' || t === 'integer');
  if (lo > hi || (lo === hi && (loEx || hiEx))) throw new SchemaRefusal(loAt, `the range from ${lo} to ${hi}${loEx || hiEx ? ' (exclusive)' : ''} holds no number`);
  if (onlyNumeric && types && !types.has('number') && types.has('integer') && Number.isFinite(lo) && Number.isFinite(hi)) {
    const first = loEx ? Math.floor(lo) + 1 : Math.ceil(lo);
    const last = hiEx ? Math.ceil(hi) - 1 : Math.floor(hi);
    if (first > last) throw new SchemaRefusal(loAt, `the range from ${lo} to ${hi}${loEx || hiEx ? ' (exclusive)' : ''} holds no integer`);
  }
  const multipleOf = parts.map((s) => num(s.multipleOf)).find((m) => m !== undefined && m > 0);
  if (onlyNumeric && multipleOf !== undefined && Number.isFinite(lo) && Number.isFinite(hi) && hi - lo < multipleOf * 1e6) {
    const k0 = Math.ceil(lo / multipleOf - 1e-9);
    let found = false;
    for (let k = k0; k * multipleOf <= hi + Math.abs(hi) * 1e-12 + 1e-12 && k < k0 + 3; k++) {
      const v = k * multipleOf;
      if ((loEx ? v > lo : v >= lo - Math.abs(lo) * 1e-12) && (hiEx ? v < hi : true)) found = true;
    }
    const mSource = parts.find((s) => num(s.multipleOf) === multipleOf) as Json;
    if (!found) throw new SchemaRefusal(at(mSource, 'multipleOf'), `no multiple of ${multipleOf} lies between ${lo} and ${hi}`);
  }

  // const and enum against the types and each other
  for (const s of parts) {
    if ('const' in s && !typeAllows(types, s.const)) throw new SchemaRefusal(at(s, 'const'), `the const is not of the schema's type (${[...(types ?? [])].join(', ')})`);
    if (Array.isArray(s.enum) && s.enum.length > 0 && !s.enum.some((v) => typeAllows(types, v))) {
      throw new SchemaRefusal(at(s, 'enum'), `no enum member is of the schema's type (${[...(types ?? [])].join(', ')})`);
    }
  }
  const withConst = parts.find((s) => 'const' in s);
  if (withConst) {
    const c = JSON.stringify(withConst.const);
    for (const s of parts) {
      if (s !== withConst && 'const' in s && JSON.stringify(s.const) !== c) throw new SchemaRefusal(at(s, 'const'), 'two consts of one schema differ');
      if (Array.isArray(s.enum) && !s.enum.some((v) => JSON.stringify(v) === c)) throw new SchemaRefusal(at(withConst, 'const'), 'the const is not a member of the enum');
    }
  }
}

// ---------------------------------------------------------------- the smallest value a subschema allows

/**
 * A lower bound of the JSON length of the smallest value each subschema
 * allows (memoized per subschema, so a $ref fan-out costs one visit per
 * target). `blame` is the first subschema found over the limit and the
 * keyword that made it so.
 */
export class MinimalSize {
  private readonly memo = new Map<object, number>();
  private readonly busy = new Set<object>();
  blame: { path: SchemaPath; keyword: string | undefined } | undefined;
  private depth = 0;

  constructor(private readonly index: SchemaIndex) {}

  of(node: unknown, path: SchemaPath): number {
    if (!isObj(node)) return 1;
    const memo = this.memo.get(node);
    if (memo !== undefined) return memo;
    // a cycle (recursive $ref) or an absurd chain: a lower bound of 0 is still a lower bound
    if (this.busy.has(node) || this.depth > 400) return 0;
    this.busy.add(node);
    this.depth++;
    let result: number;
    try {
      result = this.compute(node, path);
    } finally {
      this.depth--;
      this.busy.delete(node);
    }
    this.memo.set(node, result);
    return result;
  }

  private over(chars: number, path: SchemaPath, keyword: string | undefined): number {
    if (chars > SCHEMA_LIMITS.minimalValueChars && !this.blame) this.blame = { path, keyword };
    return chars;
  }

  private child(value: unknown, path: SchemaPath): number {
    return this.of(value, this.index.pathFor(value as object) ?? path);
  }

  private compute(s: Json, path: SchemaPath): number {
    let own: number;
    if ('const' in s) own = this.over((JSON.stringify(s.const) ?? '').length, path, 'const');
    else if (Array.isArray(s.enum) && s.enum.length) own = Math.min(...s.enum.map((v) => (JSON.stringify(v) ?? '').length));
    else {
      const types = typesOf(s);
      const candidates = types ? [...types] : ['number'];
      own = Math.min(...candidates.map((t) => this.ofType(t, s, path)));
    }
    let chars = own;
    for (const key of ['$ref', '$dynamicRef'] as const) {
      if (typeof s[key] === 'string') {
        const target = this.index.resolve(s[key] as string, s);
        if (target) chars = Math.max(chars, this.of(target.node, target.path));
      }
    }
    if (Array.isArray(s.allOf)) s.allOf.forEach((m, i) => (chars = Math.max(chars, this.child(m, [...path, 'allOf', i]))));
    for (const key of ['anyOf', 'oneOf'] as const) {
      const branches = s[key];
      if (Array.isArray(branches) && branches.length) chars = Math.max(chars, Math.min(...branches.map((b, i) => this.child(b, [...path, key, i]))));
    }
    return chars;
  }

  private ofType(type: string, s: Json, path: SchemaPath): number {
    switch (type) {
      case 'string':
        return this.over(2 + (num(s.minLength) ?? 0), path, 'minLength');
      case 'boolean':
      case 'null':
        return 4;
      case 'array': {
        const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : [];
        const rest = Array.isArray(s.items) ? s.additionalItems : s.items;
        const minItems = num(s.minItems) ?? 0;
        const minContains = s.contains !== undefined ? (num(s.minContains) ?? 1) : 0;
        const count = Math.max(minItems, minContains);
        let chars = 2 + Math.max(0, count - 1);
        const restSize = rest === undefined || typeof rest === 'boolean' ? 1 : this.child(rest, [...path, 'items']);
        const containsSize = s.contains === undefined || typeof s.contains === 'boolean' ? 1 : this.child(s.contains, [...path, 'contains']);
        const perItem = minContains > 0 ? Math.min(restSize, containsSize) : restSize;
        for (let i = 0; i < Math.min(count, prefix.length); i++) chars += this.child(prefix[i], [...path, Array.isArray(s.prefixItems) ? 'prefixItems' : 'items', i]);
        chars += Math.max(0, count - prefix.length) * perItem;
        return this.over(chars, path, count === minItems ? 'minItems' : 'minContains');
      }
      case 'object': {
        const props = isObj(s.properties) ? s.properties : {};
        const required = Array.isArray(s.required) ? [...new Set(s.required.filter((r): r is string => typeof r === 'string'))] : [];
        let chars = 2 + Math.max(0, required.length - 1);
        for (const key of required) {
          const sub = Object.hasOwn(props, key) ? props[key] : undefined;
          chars += key.length + 3 + (sub === undefined ? 1 : this.child(sub, [...path, 'properties', key]));
        }
        const minProperties = num(s.minProperties) ?? 0;
        const byCount = 2 + minProperties * 5 - (minProperties > 0 ? 1 : 0);
        return byCount > chars ? this.over(byCount, path, 'minProperties') : this.over(chars, path, 'required');
      }
      default:
        return 1;
    }
  }
}

// ---------------------------------------------------------------- a value that must exist but cannot

/**
 * Why no value satisfies a subschema that must hold a value: `false`,
 * `not: {}`, a required property whose schema allows nothing or that
 * `additionalProperties: false` forbids, more required properties than
 * maxProperties, items that must exist but allow nothing, every anyOf/oneOf
 * branch empty. Optional places may be empty (`"x": false` forbids a property).
 */
class Emptiness {
  private readonly busy = new Set<object>();
  private depth = 0;

  constructor(private readonly index: SchemaIndex) {}

  reason(node: unknown, path: SchemaPath): { path: SchemaPath; reason: string } | undefined {
    if (node === false) return { path, reason: 'the schema is `false`' };
    if (!isObj(node) || this.busy.has(node) || this.depth > 400) return undefined;
    this.busy.add(node);
    this.depth++;
    try {
      return this.check(node, path);
    } finally {
      this.depth--;
      this.busy.delete(node);
    }
  }

  private sub(value: unknown, path: SchemaPath): { path: SchemaPath; reason: string } | undefined {
    return this.reason(value, isObj(value) ? (this.index.pathFor(value) ?? path) : path);
  }

  private check(s: Json, path: SchemaPath): { path: SchemaPath; reason: string } | undefined {
    if (s.not === true || (isObj(s.not) && Object.keys(s.not).every((k) => ['description', 'title', '$comment'].includes(k)))) return { path: [...path, 'not'], reason: '`not` excludes every value' };
    for (const key of ['$ref', '$dynamicRef'] as const) {
      if (typeof s[key] !== 'string') continue;
      const target = this.index.resolve(s[key] as string, s);
      if (target) {
        const r = this.reason(target.node, target.path);
        if (r) return r;
      }
    }
    if (Array.isArray(s.allOf)) {
      for (const [i, m] of s.allOf.entries()) {
        const r = this.sub(m, [...path, 'allOf', i]);
        if (r) return r;
      }
    }
    for (const key of ['anyOf', 'oneOf'] as const) {
      const branches = s[key];
      if (!Array.isArray(branches) || branches.length === 0) continue;
      const reasons = branches.map((b, i) => this.sub(b, [...path, key, i]));
      if (reasons.every((r) => r !== undefined)) return { path: [...path, key], reason: `every ${key} branch excludes every value (${reasons[0]?.reason})` };
    }
    const types = typesOf(s);
    const objectOnly = types !== undefined && types.size === 1 && types.has('object');
    const arrayOnly = types !== undefined && types.size === 1 && types.has('array');
    if (objectOnly) {
      const props = isObj(s.properties) ? s.properties : {};
      const required = Array.isArray(s.required) ? [...new Set(s.required.filter((r): r is string => typeof r === 'string'))] : [];
      const maxProperties = num(s.maxProperties);
      if (maxProperties !== undefined && required.length > maxProperties) return { path: [...path, 'maxProperties'], reason: `${required.length} properties are required but maxProperties is ${maxProperties}` };
      for (const key of required) {
        if (Object.hasOwn(props, key)) {
          const r = this.sub(props[key], [...path, 'properties', key]);
          if (r) return { path: r.path, reason: `the required property '${key}' allows no value: ${r.reason}` };
        } else if (s.additionalProperties === false && !isObj(s.patternProperties)) {
          return { path: [...path, 'required'], reason: `the required property '${key}' is not in properties and additionalProperties is false` };
        }
      }
    }
    if (arrayOnly) {
      const minItems = num(s.minItems) ?? 0;
      const prefix = Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : [];
      for (let i = 0; i < Math.min(minItems, prefix.length); i++) {
        const r = this.sub(prefix[i], [...path, Array.isArray(s.prefixItems) ? 'prefixItems' : 'items', i]);
        if (r) return r;
      }
      const rest = Array.isArray(s.items) ? s.additionalItems : s.items;
      if (minItems > prefix.length) {
        if (rest === false) return { path: [...path, 'minItems'], reason: `minItems is ${minItems} but no item is allowed after the first ${prefix.length}` };
        const r = this.sub(rest, [...path, 'items']);
        if (r) return r;
      }
      if (s.contains !== undefined && (num(s.minContains) ?? 1) > 0) {
        const r = this.sub(s.contains, [...path, 'contains']);
        if (r) return r;
      }
    }
    return undefined;
  }
}
