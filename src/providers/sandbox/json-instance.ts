/**
 * JSON Schema → instance generator for the sandbox engine (structured output
 * and function-call arguments). Supports type (incl. type arrays and
 * `nullable`), object properties/required/additionalProperties/min-max
 * properties/dependentRequired, arrays (items, prefixItems, tuple `items`,
 * min/maxItems, uniqueItems, contains), strings (min/maxLength, formats,
 * pattern), numbers and integers (bounds, exclusive bounds in both drafts,
 * multipleOf), booleans, null, enum/const, allOf (merged), anyOf/oneOf (first
 * branch that validates), and $ref into #/$defs, #/definitions or any local
 * JSON pointer, with recursion bounded by depth.
 *
 * Values are meaningful where the property name says what they are: `name` →
 * the persona's name, `summary`/`reason`/… → a sentence of the persona's
 * answer, `location` → a place from the user's message, `sentiment` → the
 * answer's stance. Every result is checked with Ajv before it is returned.
 */
import type { PersonaRecord } from '../../personas/persona-schema.js';
import { MinimalSize, SchemaRefusal, type SchemaOrigin } from '../../util/client-schema.js';
import { SchemaScope, schemaProblem, validateWithPaths } from '../../util/json-schema.js';
import { safePattern, type SafePattern } from '../../util/safe-regex.js';
import { SchemaIndex, isObj, type SchemaPath } from '../../util/schema-index.js';
import {
  capitalize,
  clipWords,
  extractEmail,
  extractAmounts,
  extractClockTime,
  extractNumbers,
  extractPlaces,
  extractQuery,
  extractUrl,
  identifierWords,
  keywords as keywordsOf,
  slugify,
  stripTerminal,
  wordsOf,
} from './language.js';
import type { Stance, VoiceAnswer } from './persona-voice.js';
import { GenerationBudget, GenerationError, TooLarge } from './generation-budget.js';
import { sampleFromPattern } from './regex-sample.js';
import type { Rng } from './seed.js';

type Schema = Record<string, unknown>;

/** What the generator may draw values from. */
export interface InstanceHints {
  /** Text mined for enum mentions, numbers and places (the user's message, or the part of it about one tool). */
  message: string;
  /** A search-style query drawn from the message. */
  query: string;
  topic: string;
  keywords: string[];
  places: string[];
  numbers: number[];
  /** Money amounts in the message ("$149"). */
  amounts: number[];
  /** A clock time the message states, as HH:MM. */
  time?: string;
  email?: string;
  url?: string;
  /** Sentences of the plain-text answer, for summary/reason-like strings. */
  sentences: string[];
  answer: string;
  stance: Stance;
  persona?: PersonaRecord;
}

export interface InstanceOptions {
  /**
   * 'all': every declared property (structured output). 'hinted': required
   * properties plus optional ones the message speaks to (function arguments,
   * like a model that leaves defaults alone).
   */
  optional: 'all' | 'hinted';
  /** Whether an enum nothing points at takes its default/first member ('first') or a seeded pick ('random'). */
  enumFallback: 'first' | 'random';
  /** Nullable values the message says nothing about become null (function arguments, like a model leaving them unset). */
  preferNull?: boolean;
  /** Root objects without declared properties get `{"answer": …}` instead of `{}`. */
  answerForOpenRoot?: boolean;
  /** Label used in error messages. */
  label?: string;
  /** What the request's schemas may cost together (GENERATION_LIMITS); a new budget when absent. */
  budget?: GenerationBudget;
  /** Which of the request's schemas this is, set on a refusal so the caller can name the param. */
  origin?: SchemaOrigin;
}

export function buildHints(message: string, voice: VoiceAnswer, persona?: PersonaRecord, exclude: ReadonlySet<string> = new Set()): InstanceHints {
  const email = extractEmail(message);
  const url = extractUrl(message);
  const hints: InstanceHints = {
    message,
    query: extractQuery(message),
    // the fallback topics of greetings and empty messages are not worth repeating
    topic: voice.topic === 'that' || voice.topic === 'this' ? '' : voice.topic,
    keywords: keywordsOf(message, 8),
    places: extractPlaces(message, exclude).map((p) => p.text),
    numbers: extractNumbers(message),
    amounts: extractAmounts(message),
    sentences: voice.sentences.length ? voice.sentences : [voice.text || 'No details available.'],
    answer: voice.text,
    stance: voice.stance,
  };
  const time = extractClockTime(message);
  if (time !== undefined) hints.time = time;
  if (email !== undefined) hints.email = email;
  if (url !== undefined) hints.url = url;
  if (persona) hints.persona = persona;
  return hints;
}

/**
 * Generates a value for `schema` and checks it with Ajv. Throws a
 * SchemaRefusal (naming the place in the schema, and `options.origin`) when
 * it cannot within GENERATION_LIMITS: the caller answers 422, before the run.
 */
export function generateInstance(schema: Record<string, unknown>, hints: InstanceHints, rng: Rng, options: InstanceOptions): unknown {
  try {
    return generateWithin(schema, hints, rng, options, options.budget ?? new GenerationBudget());
  } catch (err) {
    if (err instanceof SchemaRefusal && options.origin && !err.origin) err.origin = options.origin;
    throw err;
  }
}

function generateWithin(schema: Record<string, unknown>, hints: InstanceHints, rng: Rng, options: InstanceOptions, budget: GenerationBudget): unknown {
  const label = options.label ?? 'schema';
  const problem = schemaProblem(schema);
  if (problem) throw new SchemaRefusal([], `sandbox: the JSON schema for ${label} does not compile: ${problem}`);
  budget.spend(COMPILE_STEPS, []);
  const index = new SchemaIndex(schema);
  const shared: Shared = { index, scope: SchemaScope.for(schema), budget, wrappers: new WeakMap(), sizes: new MinimalSize(index), mentions: new WeakMap(), enums: new WeakMap() };
  let last: { path: SchemaPath; errors: string[] } = { path: [], errors: [] };
  for (let attempt = 0; attempt < 6; attempt++) {
    budget.startValue();
    const gen = new Generator(schema, hints, rng.fork(`attempt-${attempt}`), options, attempt, shared);
    let value: unknown;
    try {
      value = gen.generate();
    } catch (err) {
      // too large is too large on every attempt
      if (err instanceof TooLarge) throw new SchemaRefusal(err.path, `sandbox: ${err.message}`);
      if (err instanceof UnsatisfiableError) {
        last = { path: err.path, errors: [err.message] };
        continue;
      }
      throw err;
    }
    budget.spend(budget.nodes, []);
    const check = validateWithPaths(schema, value);
    if (check.valid) return value;
    last = { path: check.schemaPaths[0] ?? [], errors: check.errors };
  }
  throw new SchemaRefusal(last.path, `sandbox: could not generate a value that matches the JSON schema for ${label}: ${last.errors.slice(0, 5).join('; ')}`);
}

/** A subschema that cannot be generated here; `path` is its place in the schema. Alternatives are tried. */
class UnsatisfiableError extends GenerationError {
  constructor(message: string, path: SchemaPath = []) {
    super(message, path);
  }
}

/** What every attempt of one generation shares: the schema's index, its validators, the budget. */
interface Shared {
  index: SchemaIndex;
  scope: SchemaScope;
  budget: GenerationBudget;
  /** Subschemas with the root's definitions attached, as check() compiles them. */
  wrappers: WeakMap<object, Schema>;
  /** Lower bounds of subschemas' sizes, to refuse an array too large before generating it. */
  sizes: MinimalSize;
  /** Enum members the message mentions, by enum (see mentionsOf). */
  mentions: WeakMap<unknown[], Map<string, number>>;
  /** What chooseEnum works out of an enum, by enum and type (see enumPlan). */
  enums: WeakMap<unknown[], Map<string, { pool: unknown[]; mentioned: string[]; byStance: unknown[] }>>;
}

/** Steps a schema's compilation costs, and a subschema's (see GenerationBudget). */
const COMPILE_STEPS = 200;
const CHECK_STEPS = 5;
/** Steps one sampling of a pattern costs (sampleFromPattern makes up to 40 bounded attempts). */
const PATTERN_STEPS = 40;

interface Where {
  /** Nearest property name. */
  key?: string | undefined;
  /** Property name of the enclosing object or array. */
  parent?: string | undefined;
  /** Index within an array. */
  index?: number | undefined;
  /** JSON pointer of the value, for forking the rng. */
  pointer: string;
  /** Where the subschema is in the schema document, for refusals. */
  spath: SchemaPath;
  depth: number;
  refs: number;
  /** > 0 when retrying an array item that came out equal to an earlier one: vary the value. */
  jitter?: number | undefined;
}

const SOFT_DEPTH = 7;
const SOFT_REFS = 2;
const HARD_DEPTH = 64;
/** Property names the generator makes up for minProperties, beyond the declared ones. */
const MAX_EXTRA_KEYS = 199;
/** The part of the message searched for enum mentions: mentions are looked for near the question, not in a pasted book. */
const MENTION_WINDOW = 8_000;

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

const PERSON_NAMES = ['Jordan Lee', 'Priya Sharma', 'Alex Morgan', 'Sam Rivera', 'Taylor Kim', 'Maya Chen', 'Chris Okafor', 'Lena Fischer', 'Diego Alvarez', 'Aisha Khan'];
const THING_SUFFIXES = ['Plus', 'Pro', 'Go', 'One', 'Lite', 'Max', 'Studio', 'Hub'];

const STANCE_WORDS: Record<Stance, string[]> = {
  positive: ['positive', 'pos', 'favorable', 'favourable', 'good', 'happy', 'interested', 'likely', 'very_likely', 'yes', 'buy', 'approve', 'agree', 'support', 'high', 'promoter', 'satisfied', 'love', 'like'],
  mixed: ['neutral', 'mixed', 'maybe', 'unsure', 'undecided', 'medium', 'moderate', 'somewhat', 'passive', 'neither', 'unknown', 'considering', 'ambivalent'],
  skeptical: ['negative', 'neg', 'skeptical', 'sceptical', 'unlikely', 'no', 'low', 'bad', 'unfavorable', 'against', 'reject', 'disagree', 'detractor', 'dissatisfied', 'oppose', 'concerned', 'dislike'],
};

class Generator {
  private sentenceCursor = 0;
  private readonly usedNumbers = new Set<number>();
  private readonly budget: GenerationBudget;
  private readonly index: SchemaIndex;
  private readonly scope: SchemaScope;
  /** The message, lower-cased and padded, as enum mentions are searched in it. */
  private readonly paddedMessage: string;

  constructor(
    private readonly root: Schema,
    private readonly hints: InstanceHints,
    private readonly rng: Rng,
    private readonly opts: InstanceOptions,
    attempt: number,
    private readonly shared: Shared,
  ) {
    // later attempts start from another sentence, so a retry is not a copy
    this.sentenceCursor = attempt;
    this.budget = shared.budget;
    this.index = shared.index;
    this.scope = shared.scope;
    this.paddedMessage = ` ${hints.message.slice(0, MENTION_WINDOW).toLowerCase()} `;
  }

  generate(): unknown {
    return this.gen(this.root, { pointer: '', spath: [], depth: 0, refs: 0 });
  }

  private rngAt(where: Where, salt = ''): Rng {
    return this.rng.fork(`${where.pointer}${salt}`);
  }

  private minimal(where: Where): boolean {
    return where.depth > SOFT_DEPTH || where.refs > SOFT_REFS || this.budget.tight;
  }

  // ------------------------------------------------------------ references and merging

  private lookup(ref: string, from: Schema, spath: SchemaPath): { node: unknown; path: SchemaPath } {
    const found = this.index.resolve(ref, from);
    if (!found) throw new UnsatisfiableError(`$ref '${ref}' does not resolve within the schema`, [...spath, '$ref']);
    return found;
  }

  /**
   * Follows $ref chains (siblings of $ref are merged on top, 2020-12 style).
   * Returns the schema, how many refs were followed and where the last one led.
   */
  private resolve(schema: unknown, spath: SchemaPath): { s: Schema | boolean; refs: number; spath: SchemaPath } {
    let refs = 0;
    let current: unknown = schema;
    let at = spath;
    while (isObj(current) && typeof current.$ref === 'string') {
      if (++refs > 32) throw new UnsatisfiableError('$ref chain too long', at);
      this.budget.spend(1, at);
      const { $ref, ...siblings } = current;
      const target = this.lookup($ref as string, current, at);
      at = target.path;
      const meaningful = Object.keys(siblings).filter((k) => !['$comment', 'description', 'title', '$id', '$schema', '$defs', 'definitions', 'examples'].includes(k));
      if (meaningful.length === 0 || !isObj(target.node)) current = target.node;
      else {
        const resolved = this.resolve(target.node, at);
        refs += resolved.refs;
        if (resolved.s === false) return { s: false, refs, spath: resolved.spath };
        current = mergeSchemas(resolved.s === true ? {} : resolved.s, siblings);
        at = resolved.spath;
        break;
      }
    }
    if (typeof current === 'boolean') return { s: current, refs, spath: at };
    return { s: isObj(current) ? current : {}, refs, spath: at };
  }

  private resolvedObject(schema: unknown, spath: SchemaPath): Schema {
    const { s } = this.resolve(schema, spath);
    if (s === false) throw new UnsatisfiableError('a subschema is `false`', spath);
    return s === true ? {} : s;
  }

  /** Flattens allOf (recursively) into one schema. */
  private flattenAllOf(s: Schema, spath: SchemaPath): Schema {
    if (!Array.isArray(s.allOf)) return s;
    const { allOf, ...base } = s;
    let merged: Schema = base;
    (allOf as unknown[]).forEach((part, i) => {
      const at = [...spath, 'allOf', i];
      merged = mergeSchemas(merged, this.flattenAllOf(this.resolvedObject(part, at), at));
    });
    return merged;
  }

  // ------------------------------------------------------------ dispatch

  private gen(schema: unknown, where: Where): unknown {
    if (where.depth > HARD_DEPTH) throw new TooLarge(where.spath, 'the JSON schema recurses without a way out (every branch requires another level)');
    this.budget.spend(1, where.spath);
    const resolved = this.resolve(schema, where.spath);
    const w: Where = { ...where, refs: where.refs + resolved.refs, spath: resolved.spath };
    if (resolved.s === false) throw new UnsatisfiableError(`nothing satisfies the schema at ${where.pointer || '/'}`, w.spath);
    let s: Schema = resolved.s === true ? {} : resolved.s;
    s = this.flattenAllOf(s, w.spath);
    const value = this.dispatch(s, w);
    // `not`: a value it matches is no value at all here (an optional property is left out, another branch is tried)
    if (s.not !== undefined && s.not !== false && this.check(s.not, value, w)) throw new UnsatisfiableError('the value matches `not`', [...w.spath, 'not']);
    // containers count their brackets here and their members in their own calls
    this.budget.add(value !== null && typeof value === 'object' && !('const' in s) && !Array.isArray(s.enum) ? 2 : jsonLength(value), w.spath);
    return value;
  }

  private dispatch(s: Schema, w: Where): unknown {
    if (isObj(s.if) || typeof s.if === 'boolean') return this.genConditional(s, w);
    if ('const' in s) return structuredClone(s.const);
    if (Array.isArray(s.enum)) return this.chooseEnum(s.enum, s, w);

    const branchKey = Array.isArray(s.oneOf) ? 'oneOf' : Array.isArray(s.anyOf) ? 'anyOf' : null;
    if (branchKey) return this.genBranches(s, branchKey, w);

    const type = this.chooseType(s, w);
    switch (type) {
      case 'object':
        return this.genObject(s, w);
      case 'array':
        return this.genArray(s, w);
      case 'integer':
        return this.genNumber(s, w, true);
      case 'number':
        return this.genNumber(s, w, false);
      case 'boolean':
        return this.genBoolean(w);
      case 'null':
        return null;
      default:
        return this.genString(s, w);
    }
  }

  /** if/then/else: generate under `if`+`then`, else under `else`, keeping the first that validates. */
  private genConditional(s: Schema, w: Where): unknown {
    const { if: cond, then: thenS, else: elseS, ...rest } = s;
    const condObj = isObj(cond) ? cond : {};
    const options: Schema[] = [
      mergeSchemas(mergeSchemas(rest, condObj), isObj(thenS) ? thenS : {}),
      isObj(elseS) ? mergeSchemas(rest, elseS) : rest,
    ];
    let first: { value: unknown; cost: { nodes: number; chars: number } } | undefined;
    for (const [i, option] of options.entries()) {
      let value: unknown;
      const mark = this.budget.mark();
      try {
        value = this.gen(option, { ...w, pointer: `${w.pointer}~if${i}`, spath: [...w.spath, i === 0 ? 'then' : 'else'] });
      } catch (err) {
        if (err instanceof GenerationError) {
          this.budget.reset(mark);
          continue;
        }
        throw err;
      }
      if (this.check(s, value, w)) return value;
      // not kept (for now): its size is taken back
      const cost = this.budget.since(mark);
      this.budget.reset(mark);
      if (i === 0) first = { value, cost };
    }
    if (first !== undefined) {
      this.budget.restore(first.cost);
      return first.value;
    }
    return this.gen(rest, w);
  }

  private genBranches(s: Schema, key: 'anyOf' | 'oneOf', w: Where): unknown {
    const { [key]: raw, ...base } = s;
    const branches = (raw as unknown[]).map((b, i) => ({ i, schema: b }));
    // minimal mode: simplest branches first (null, then ones without references)
    const nullFirst = this.minimal(w) || (this.opts.preferNull && branches.some((b) => isNullOnly(b.schema)) && !this.hasMessageHint(w.key ?? '', {}, w));
    const ordered = nullFirst
      ? [...branches].sort((a, b) => branchWeight(a.schema) - branchWeight(b.schema))
      : [...branches.filter((b) => !isNullOnly(b.schema)), ...branches.filter((b) => isNullOnly(b.schema))];
    let first: { value: unknown; cost: { nodes: number; chars: number } } | undefined;
    let lastFailure: GenerationError | undefined;
    for (const { i, schema: branch } of ordered) {
      const at = [...w.spath, key, i];
      // oneOf: a value can match several branches (an integer is also a number); vary it a few times
      for (let jitter = 0; jitter < (key === 'oneOf' ? 4 : 1); jitter++) {
        let candidate: unknown;
        const mark = this.budget.mark();
        try {
          const merged = Object.keys(base).length ? mergeSchemas(base, this.flattenAllOf(this.resolvedObject(branch, at), at)) : branch;
          candidate = this.gen(merged, { ...w, pointer: `${w.pointer}~${key}${i}`, spath: at, jitter: jitter ? jitter + 1 : w.jitter });
        } catch (err) {
          if (err instanceof GenerationError) {
            this.budget.reset(mark);
            lastFailure = err;
            break;
          }
          throw err;
        }
        const matches = this.check(branch, candidate, w) && !(key === 'oneOf' && branches.some((b) => b.i !== i && this.check(b.schema, candidate, w)));
        if (matches) return candidate;
        // not kept (for now): its size is taken back
        const cost = this.budget.since(mark);
        this.budget.reset(mark);
        first ??= { value: candidate, cost };
      }
    }
    if (first !== undefined) {
      this.budget.restore(first.cost);
      return first.value;
    }
    if (lastFailure instanceof TooLarge) throw lastFailure;
    throw new UnsatisfiableError(`no ${key} branch can be generated at ${w.pointer || '/'}${lastFailure ? ` (${lastFailure.message})` : ''}`, lastFailure?.path ?? [...w.spath, key]);
  }

  /**
   * Whether `value` is valid against a subschema (with the root's
   * $defs/definitions in scope); unknown counts as valid. Each subschema is
   * compiled once per generation (SchemaScope), at a cost in steps.
   */
  private check(sub: unknown, value: unknown, w: Where): boolean {
    if (typeof sub === 'boolean') return sub;
    if (!isObj(sub)) return true;
    let wrapper = this.shared.wrappers.get(sub);
    if (!wrapper) {
      wrapper = { ...sub };
      if (this.root.$defs !== undefined && wrapper.$defs === undefined) wrapper.$defs = this.root.$defs;
      if (this.root.definitions !== undefined && wrapper.definitions === undefined) wrapper.definitions = this.root.definitions;
      this.shared.wrappers.set(sub, wrapper);
      this.budget.spend(COMPILE_STEPS, w.spath);
    }
    this.budget.spend(CHECK_STEPS, w.spath);
    return this.scope.check(wrapper, value) ?? true;
  }

  private chooseType(s: Schema, w: Where): string {
    let types: string[] = [];
    if (typeof s.type === 'string') types = [s.type];
    else if (Array.isArray(s.type)) types = s.type.filter((t): t is string => typeof t === 'string');
    if (types.length === 0) types = [inferType(s)];
    if (s.nullable === true && !types.includes('null')) types.push('null');
    const nonNull = types.filter((t) => t !== 'null');
    if (nonNull.length === 0) return 'null';
    if (types.includes('null') && (this.minimal(w) || (this.opts.preferNull && !this.hasMessageHint(w.key ?? '', { ...s, type: nonNull[0] }, w)))) return 'null';
    // a number-or-string field named like a number becomes a number, and so on; otherwise the first listed
    if (nonNull.length > 1) {
      const k = keyWords(w.key);
      if (k.some((x) => NUMBER_KEYS.has(x))) {
        const n = nonNull.find((t) => t === 'integer' || t === 'number');
        if (n) return n;
      }
    }
    return nonNull[0] as string;
  }

  // ------------------------------------------------------------ enum

  private chooseEnum(values: unknown[], s: Schema, w: Where): unknown {
    const { pool, mentioned, byStance } = this.enumPlan(values, s, w);
    if (pool.length === 0) throw new UnsatisfiableError(`empty enum at ${w.pointer || '/'}`, [...w.spath, 'enum']);
    const offset = w.index ?? 0;
    // 1. a member the message mentions
    if (mentioned.length) return mentioned[offset % mentioned.length];
    // 2. a member that matches the answer's stance (sentiment, purchase intent, …)
    if (byStance.length && offset === 0) return byStance[0];
    // 3. default, then first or a seeded pick
    if (offset === 0 && 'default' in s && pool.some((v) => JSON.stringify(v) === JSON.stringify(s.default))) return structuredClone(s.default);
    if (this.opts.enumFallback === 'first') return structuredClone(pool[offset % pool.length]);
    const base = this.rngAt(w, '#enum').int(0, pool.length - 1);
    return structuredClone(pool[(base + offset) % pool.length]);
  }

  /**
   * An enum's members of the schema's type, those the message mentions (in
   * the order it mentions them) and those matching the answer's stance:
   * worked out once per enum and type per generation (an enum in each of a
   * thousand array items is one piece of work, not a thousand).
   */
  private enumPlan(values: unknown[], s: Schema, w: Where): { pool: unknown[]; mentioned: string[]; byStance: unknown[] } {
    const typeKey = JSON.stringify(s.type ?? null);
    let byType = this.shared.enums.get(values);
    const known = byType?.get(typeKey);
    if (known) return known;
    this.budget.spend(values.length, w.spath);
    let pool = values;
    if (typeof s.type === 'string' || Array.isArray(s.type)) {
      const allowed = new Set(typeof s.type === 'string' ? [s.type] : (s.type as unknown[]));
      const typed = values.filter((v) => allowed.has(jsonType(v)) || (allowed.has('number') && jsonType(v) === 'integer'));
      if (typed.length) pool = typed;
    }
    const at = this.mentionsOf(values, w);
    const mentioned = pool
      .filter((v): v is string => typeof v === 'string' && v.length > 0)
      .map((v) => ({ v, at: at.get(v) ?? -1 }))
      .filter((x) => x.at >= 0)
      .sort((a, b) => a.at - b.at)
      .map((x) => x.v);
    const stanceWords = STANCE_WORDS[this.hints.stance];
    const byStance = pool.filter((v) => typeof v === 'string' && stanceWords.includes(v.toLowerCase().replace(/[\s-]+/g, '_')));
    const plan = { pool, mentioned, byStance };
    if (!byType) this.shared.enums.set(values, (byType = new Map()));
    byType.set(typeKey, plan);
    return plan;
  }

  /**
   * Where the message mentions each string member of an enum (members it does
   * not mention are absent). Searched once per enum per generation, at a cost
   * in steps that grows with the members and the message: an enum inside an
   * array of a thousand items is not a thousand searches.
   */
  private mentionsOf(values: unknown[], w: Where): Map<string, number> {
    let found = this.shared.mentions.get(values);
    if (found) return found;
    this.budget.spend(values.length, w.spath);
    found = new Map();
    // a regex scan of the message costs about a step per hundred characters
    const scan = 1 + Math.floor(this.paddedMessage.length / 100);
    for (const v of values) {
      if (typeof v !== 'string' || v.length === 0 || found.has(v)) continue;
      // a member whose first word is not a whole word of the message is not mentioned: no regex scan for it
      const first = v.toLowerCase().replace(/[_-]+/g, ' ').trim().split(' ')[0] ?? '';
      if (first.length === 0 || !hasWholeWord(this.paddedMessage, first)) continue;
      this.budget.spend(scan, w.spath);
      const at = mentionIndex(this.paddedMessage, v);
      if (at >= 0) found.set(v, at);
    }
    this.shared.mentions.set(values, found);
    return found;
  }

  // ------------------------------------------------------------ object

  private genObject(s: Schema, w: Where): Record<string, unknown> {
    const props = isObj(s.properties) ? s.properties : {};
    const required = new Set(Array.isArray(s.required) ? s.required.filter((r): r is string => typeof r === 'string') : []);
    const additional = s.additionalProperties;
    const out: Record<string, unknown> = {};
    const minimal = this.minimal(w);
    // properties of the n-th array item keep its index, so the items differ (names, labels, …)
    const child = (key: string, spath: SchemaPath): Where => ({ key, parent: w.key, index: w.index, pointer: `${w.pointer}/${escapePointer(key)}`, spath, depth: w.depth + 1, refs: w.refs, jitter: w.jitter });
    const propPath = (key: string): SchemaPath => [...w.spath, 'properties', key];

    const include = new Set<string>();
    for (const key of Object.keys(props)) {
      if (required.has(key)) include.add(key);
      else if (!minimal && this.opts.optional === 'all') include.add(key);
      else if (!minimal && this.opts.optional === 'hinted' && this.hasMessageHint(key, props[key], w)) include.add(key);
    }
    for (const key of required) include.add(key);
    // dependentRequired: including a key pulls in its dependants
    if (isObj(s.dependentRequired)) {
      for (const [key, deps] of Object.entries(s.dependentRequired)) {
        if (include.has(key) && Array.isArray(deps)) for (const d of deps) if (typeof d === 'string') include.add(d);
      }
    }

    const schemaFor = (key: string): { schema: unknown; spath: SchemaPath } => {
      if (Object.hasOwn(props, key)) return { schema: props[key], spath: propPath(key) };
      if (isObj(s.patternProperties)) {
        for (const [pat, sub] of Object.entries(s.patternProperties)) {
          let matches = false;
          try {
            matches = safePattern(pat).test(key);
          } catch {
            /* refused at the door */
          }
          if (matches) return { schema: sub, spath: [...w.spath, 'patternProperties', pat] };
        }
      }
      return { schema: additional === undefined || additional === true || additional === false ? {} : additional, spath: [...w.spath, 'additionalProperties'] };
    };
    /** An optional property that cannot be generated (or would be too large) is left out. */
    const put = (key: string, optional: boolean): void => {
      const { schema, spath } = schemaFor(key);
      if (!optional) {
        out[key] = this.gen(schema, child(key, spath));
        return;
      }
      const mark = this.budget.mark();
      try {
        out[key] = this.gen(schema, child(key, spath));
      } catch (err) {
        if (!(err instanceof GenerationError)) throw err;
        this.budget.reset(mark);
      }
    };

    for (const key of Object.keys(props)) if (include.has(key)) put(key, !required.has(key));
    for (const key of include) if (!(key in out)) put(key, !required.has(key));

    const minProps = num(s.minProperties) ?? 0;
    if (minProps > Object.keys(props).length + MAX_EXTRA_KEYS) {
      throw new TooLarge([...w.spath, 'minProperties'], `minProperties is ${minProps}; the sandbox generates at most ${MAX_EXTRA_KEYS} properties beyond those declared`);
    }
    if (Object.keys(out).length < minProps) {
      for (const key of Object.keys(props)) {
        if (Object.keys(out).length >= minProps) break;
        if (!(key in out)) put(key, false);
      }
      const patterns = isObj(s.patternProperties) ? Object.keys(s.patternProperties) : [];
      const namePattern = isObj(s.propertyNames) && typeof s.propertyNames.pattern === 'string' ? s.propertyNames.pattern : undefined;
      const keyRng = this.rngAt(w, '#keys');
      for (let n = 1; Object.keys(out).length < minProps && n <= MAX_EXTRA_KEYS; n++) {
        let key: string | undefined;
        const plain = `${slugify(this.hints.keywords[n - 1] ?? 'field', 20).replace(/-/g, '_')}_${n}`;
        this.budget.spend(PATTERN_STEPS, w.spath);
        if (namePattern) key = sampleFromPattern(namePattern, keyRng);
        else if (additional === false && patterns.length) key = sampleFromPattern(patterns[(n - 1) % patterns.length] as string, keyRng);
        else key = plain;
        if (key === undefined || key in out) continue;
        if (isObj(s.propertyNames) && !this.check(s.propertyNames, key, w)) continue;
        put(key, false);
      }
    }

    const maxProps = num(s.maxProperties);
    if (maxProps !== undefined) {
      for (const key of Object.keys(out).reverse()) {
        if (Object.keys(out).length <= maxProps) break;
        if (!required.has(key)) delete out[key];
      }
    }

    if (w.depth === 0 && this.opts.answerForOpenRoot && Object.keys(props).length === 0 && Object.keys(out).length === 0 && additional !== false && !isObj(s.patternProperties)) {
      const answerSchema = isObj(additional) ? additional : { type: 'string' };
      out.answer = this.gen(answerSchema, child('answer', [...w.spath, 'additionalProperties']));
    }
    return out;
  }

  /** For optional function arguments: whether the message says something about this property. */
  private hasMessageHint(key: string, schema: unknown, w: Where): boolean {
    let s: Schema;
    try {
      s = this.flattenAllOf(this.resolvedObject(schema, w.spath), w.spath);
    } catch (err) {
      if (err instanceof UnsatisfiableError) return false;
      throw err;
    }
    if (Array.isArray(s.enum)) return this.mentionsOf(s.enum, w).size > 0;
    const words = keyWords(key);
    if (words.some((x) => PLACE_KEYS.has(x))) return this.hints.places.length > 0;
    if (words.some((x) => COUNT_KEYS.has(x))) return this.hints.numbers.length > 0;
    if (words.some((x) => ['price', 'cost', 'amount', 'budget'].includes(x))) return this.hints.amounts.length > 0;
    if (words.includes('email')) return this.hints.email !== undefined;
    if (words.some((x) => URL_KEYS.has(x))) return this.hints.url !== undefined;
    return false;
  }

  // ------------------------------------------------------------ array

  private genArray(s: Schema, w: Where): unknown[] {
    const prefix: unknown[] = Array.isArray(s.prefixItems) ? s.prefixItems : Array.isArray(s.items) ? s.items : [];
    const rest: unknown = Array.isArray(s.items) ? s.additionalItems : s.items;
    const min = num(s.minItems) ?? 0;
    let max = num(s.maxItems) ?? Infinity;
    if (rest === false) max = Math.min(max, prefix.length);
    const itemKey = singular(w.key);
    let count: number;
    if (this.minimal(w)) count = min;
    else {
      const pool = this.listPool(w.key);
      const preferred = pool ? Math.min(pool.length, 3) : this.rngAt(w, '#len').int(2, 3);
      count = Math.max(min, Math.min(max, Math.max(preferred, prefix.length > 0 && rest === false ? prefix.length : 0)));
    }
    count = Math.min(count, max);
    count = this.affordableCount(s, w, count, min, prefix, rest);
    const unique = s.uniqueItems === true;
    const out: unknown[] = [];
    const seen = new Set<string>();
    const restPath = [...w.spath, Array.isArray(s.items) ? 'additionalItems' : 'items'];
    for (let i = 0; out.length < count && i < count + 12; i++) {
      const idx = out.length;
      const itemSchema = idx < prefix.length ? prefix[idx] : rest === undefined || rest === true ? {} : rest;
      const spath = idx < prefix.length ? [...w.spath, Array.isArray(s.prefixItems) ? 'prefixItems' : 'items', idx] : restPath;
      let value: unknown;
      let accepted = false;
      for (let attempt = 0; attempt < 8 && !accepted; attempt++) {
        const where: Where = {
          key: itemKey,
          parent: w.key,
          index: idx + attempt * count,
          pointer: `${w.pointer}/${idx}${attempt ? `~${attempt}` : ''}`,
          spath,
          depth: w.depth + 1,
          refs: w.refs,
          jitter: attempt,
        };
        const mark = this.budget.mark();
        value = this.gen(itemSchema, where);
        const sig = canonical(value);
        if (!unique || !seen.has(sig)) {
          seen.add(sig);
          accepted = true;
        } else this.budget.reset(mark);
      }
      if (accepted) out.push(value);
      else if (out.length >= min) break;
    }

    if (s.contains !== undefined && s.contains !== true) {
      const minContains = num(s.minContains) ?? 1;
      const containsPath = [...w.spath, 'contains'];
      if (minContains > this.budget.limits.arrayItems) throw new TooLarge([...w.spath, 'minContains'], `minContains is ${minContains}; the sandbox generates at most ${this.budget.limits.arrayItems} items`);
      let have = out.filter((v) => this.check(s.contains, v, w)).length;
      let k = 0;
      while (have < minContains && k < minContains + 3) {
        const v = this.gen(s.contains, { key: itemKey, parent: w.key, index: out.length, pointer: `${w.pointer}/contains${k}`, spath: containsPath, depth: w.depth + 1, refs: w.refs });
        if (out.length < max) out.push(v);
        else {
          const replaceAt = out.findIndex((x) => !this.check(s.contains, x, w));
          if (replaceAt < 0) break;
          out[replaceAt] = v;
        }
        have++;
        k++;
      }
    }
    return out;
  }

  /**
   * `count` items, or `min` when `count` would not fit in what is left of the
   * budget; throws TooLarge (at minItems) when even `min` would not.
   */
  private affordableCount(s: Schema, w: Where, count: number, min: number, prefix: unknown[], rest: unknown): number {
    const limits = this.budget.limits;
    if (min > limits.arrayItems) throw new TooLarge([...w.spath, 'minItems'], `minItems is ${min}; the sandbox generates at most ${limits.arrayItems} items`);
    const itemChars = rest === undefined || typeof rest === 'boolean' ? 1 : Math.max(1, this.shared.sizes.of(rest, [...w.spath, 'items']));
    const itemNodes = this.minimalNodes(rest);
    const fits = (n: number) => Math.max(0, n - prefix.length) * itemNodes <= this.budget.nodesLeft && Math.max(0, n - prefix.length) * itemChars <= limits.chars - this.budget.chars;
    if (fits(count)) return count;
    if (fits(min)) return min;
    throw new TooLarge([...w.spath, 'minItems'], `minItems is ${min} and each item takes at least ${itemNodes} values and ${itemChars} characters: more than the sandbox generates (${limits.nodes} values, ${limits.chars} characters)`);
  }

  /** A lower bound of the values in an instance of `schema`: itself, and one per required property when it is an object. */
  private minimalNodes(schema: unknown): number {
    let s: Schema | boolean;
    try {
      s = this.resolve(schema, []).s;
    } catch (err) {
      if (err instanceof GenerationError) return 1;
      throw err;
    }
    if (!isObj(s) || 'const' in s || Array.isArray(s.enum)) return 1;
    const typed = s.type === 'object' || (s.type === undefined && isObj(s.properties));
    return typed && Array.isArray(s.required) ? 1 + new Set(s.required).size : 1;
  }

  /** Profile lists that suit an array by its property name ("concerns" → objections, …). */
  private listPool(key: string | undefined): string[] | undefined {
    const words = keyWords(key);
    if (words.length === 0) return undefined;
    const last = words[words.length - 1] ?? '';
    const all = words.join('_');
    const p = this.hints.persona?.profile;
    if (p) {
      if (/^(?:objection|question|concern|worry|doubt|hesitation)s?$/.test(last)) return p.objections;
      if (/^(?:pain|pain_point|frustration|challenge|problem|struggle|pain_points)s?$/.test(last) || all.endsWith('pain_points')) return p.pains;
      if (/^(?:con|risk|drawback|weakness|dislike|negative|downside|barrier|blocker|deal_breaker|dealbreaker|red_flag|flag)s?$/.test(last) || all.endsWith('deal_breakers') || all.endsWith('red_flags'))
        return p.buying_behavior.deal_breakers;
      if (/^(?:pro|benefit|strength|like|positive|upside|advantage|motivator|trigger|driver|opportunit(?:y|ie))s?$/.test(last)) return p.buying_behavior.purchase_triggers;
      if (/^values?$/.test(last)) return p.psychographics.values;
      if (/^goals?$/.test(last)) return p.goals;
      if (/^(?:interest|hobby|hobbie)s?$/.test(last)) return p.psychographics.interests;
      if (/^(?:platform|channel|network)s?$/.test(last)) return p.media.platforms;
      if (/^(?:source|trusted_source)s?$/.test(last)) return p.media.trusted_sources;
      if (/^(?:phrase|quote|saying|expression)s?$/.test(last)) return p.communication.phrases;
      if (/^(?:attitude|belief|opinion)s?$/.test(last)) return p.psychographics.attitudes;
    }
    if (/^(?:tag|keyword|topic|theme|hashtag|term|label)s?$/.test(last)) return this.hints.keywords.length ? this.hints.keywords : undefined;
    if (/^(?:reason|point|takeaway|insight|step|recommendation|suggestion|idea|tip|finding|highlight|note|argument|bullet|sentence)s?$/.test(last)) return this.hints.sentences;
    return undefined;
  }

  // ------------------------------------------------------------ number / boolean

  private genNumber(s: Schema, w: Where, integer: boolean): number {
    let target = this.numberTarget(s, w, integer);
    if (w.jitter) {
      const lo = lowerBound(s);
      const hi = upperBound(s);
      const r = this.rngAt(w, `#jitter${w.jitter}`);
      target = Number.isFinite(lo) && Number.isFinite(hi) ? lo + (hi - lo) * r.next() : target + r.int(1, 50) * (num(s.multipleOf) ?? 1) * (r.chance(0.5) ? 1 : -1);
      if (!integer && num(s.multipleOf) === undefined) target += r.int(1, 99) / 100;
    }
    return fitNumber(target, s, integer || Number.isInteger(num(s.multipleOf) ?? 0.5) && integerBounds(s));
  }

  private numberTarget(s: Schema, w: Where, integer: boolean): number {
    const words = keyWords(w.key);
    const lo = lowerBound(s);
    const hi = upperBound(s);
    const frac = this.hints.stance === 'positive' ? 0.8 : this.hints.stance === 'mixed' ? 0.6 : 0.3;
    const inRange = (x: number) => x >= lo && x <= hi;
    const rng = this.rngAt(w, '#num');
    const has = (...xs: string[]) => words.some((x) => xs.includes(x));

    const money = has('price', 'cost', 'amount', 'budget', 'total', 'salary', 'fee', 'pay', 'spend', 'wtp', 'income', 'revenue');
    const pool = money ? [...this.hints.amounts, ...this.hints.numbers] : words.some((x) => COUNT_KEYS.has(x)) || has('year', 'years') ? this.hints.numbers : [];
    const fromMessage = pool.find((n) => !this.usedNumbers.has(n) && inRange(n) && (!integer || Number.isInteger(n)));
    if (fromMessage !== undefined) {
      this.usedNumbers.add(fromMessage);
      return fromMessage;
    }
    if (has('age')) {
      const range = this.hints.persona?.profile.demographics.age_range;
      const m = range ? /(\d+)\D+(\d+)/.exec(range) : null;
      if (m) return Math.round((Number(m[1]) + Number(m[2])) / 2);
      const single = range ? /(\d+)/.exec(range) : null;
      return single ? Number(single[1]) + 5 : 34;
    }
    if (has('confidence', 'probability', 'likelihood', 'certainty', 'share', 'ratio', 'fraction', 'weight')) {
      if (hi <= 1) return Math.max(lo, 0) + (Math.min(hi, 1) - Math.max(lo, 0)) * (frac + 0.05);
      return 100 * frac;
    }
    if (has('rating', 'stars', 'star', 'score', 'nps', 'grade', 'satisfaction', 'interest', 'intent', 'likely', 'likeliness', 'sentiment', 'favorability', 'rank', 'level', 'priority')) {
      const a = Number.isFinite(lo) ? lo : has('score', 'nps', 'satisfaction', 'favorability') ? 0 : 1;
      const b = Number.isFinite(hi) ? hi : has('score', 'favorability', 'satisfaction') ? 100 : has('nps') ? 10 : 5;
      return a + (b - a) * frac;
    }
    if (has('percent', 'percentage', 'pct')) return Math.round(100 * frac);
    if (has('price', 'cost', 'amount', 'budget', 'total', 'fee')) return integer ? 49 : 19.99;
    if (has('salary', 'income')) return 52000;
    if (has('year')) return 2025;
    if (has('month')) return 6;
    if (has('day', 'days', 'nights')) return 3;
    if (has('hour', 'hours')) return 2;
    if (has('minute', 'minutes')) return 30;
    if (has('page')) return 1;
    if (has('limit', 'max', 'top', 'k', 'n', 'results', 'size')) return 5;
    if (has('lat', 'latitude')) return 40.7128;
    if (has('lon', 'lng', 'longitude')) return -74.006;
    if (has('temperature', 'temp')) return 21;
    if (words.some((x) => COUNT_KEYS.has(x))) return rng.int(1, 3);
    const fraction = integer ? 0 : rng.int(1, 99) / 100;
    if (Number.isFinite(lo) && Number.isFinite(hi)) return lo + (hi - lo) * (0.25 + rng.next() * 0.5);
    if (Number.isFinite(lo)) return lo + rng.int(1, 10) + fraction;
    if (Number.isFinite(hi)) return Math.min(hi, rng.int(1, 10)) - (hi < 1 ? rng.int(1, 10) : 0) - fraction;
    return rng.int(1, 100) + fraction;
  }

  private genBoolean(w: Where): boolean {
    const words = keyWords(w.key);
    const intent = ['buy', 'purchase', 'interested', 'recommend', 'likely', 'approve', 'positive', 'trust', 'like', 'subscribe', 'agree', 'try', 'would', 'worth', 'support', 'favorable', 'satisfied', 'accept', 'adopt', 'use', 'switch'];
    const negative = ['concern', 'concerned', 'objection', 'risk', 'reject', 'negative', 'skeptical', 'hesitant', 'worried'];
    if (words.some((x) => negative.includes(x))) return this.hints.stance !== 'positive';
    if (words.some((x) => intent.includes(x))) {
      if (this.hints.stance === 'positive') return true;
      if (this.hints.stance === 'skeptical') return false;
    }
    return this.rngAt(w, `#bool${w.jitter ?? ''}`).chance(0.5);
  }

  // ------------------------------------------------------------ string

  private genString(s: Schema, w: Where): string {
    const minLength = num(s.minLength) ?? 0;
    const maxLength = num(s.maxLength) ?? Infinity;
    const pattern = typeof s.pattern === 'string' ? s.pattern : undefined;
    const format = typeof s.format === 'string' ? s.format : undefined;
    const rng = this.rngAt(w, '#str');
    const cap = this.budget.limits.stringChars;
    if (minLength > cap) throw new TooLarge([...w.spath, 'minLength'], `minLength is ${minLength}; the sandbox generates strings of at most ${cap} characters`);

    let value = format ? this.formatValue(format, w, rng) : undefined;
    if (value === undefined) value = this.hintString(w, rng);
    if (w.jitter && w.jitter > 1 && !format) value = `${value} ${w.jitter}`;
    if (!format) value = fitLength(value, minLength, Math.min(maxLength, cap), this.hints.sentences);

    if (pattern !== undefined) {
      let re: SafePattern | undefined;
      try {
        re = safePattern(pattern);
      } catch {
        throw new UnsatisfiableError('the pattern cannot be run safely', [...w.spath, 'pattern']);
      }
      const lenOk = (x: string) => {
        const n = codePoints(x);
        return n >= minLength && n <= maxLength;
      };
      if (!(re.test(value) && lenOk(value))) {
        this.budget.spend(PATTERN_STEPS + Math.ceil(minLength / 100), w.spath);
        const sampled = sampleFromPattern(pattern, rng, { minLength, maxLength: Math.min(Number.isFinite(maxLength) ? maxLength : 10_000, cap) });
        if (sampled !== undefined) value = sampled;
        else {
          const fixed = ['A', 'ABC', 'abc', 'a1', '123', 'example', 'sample-1', 'AB12', 'en', 'en-US', 'USD', '2025-01-01', 'user@example.com', 'https://example.com', value.toLowerCase(), slugify(value)];
          value = fixed.find((x) => re.test(x) && lenOk(x)) ?? value;
        }
      }
    }
    return value;
  }

  /**
   * A value of `format`. One taken from the user's text (a URL, an email, a
   * time) is kept only if Ajv accepts it for that format: the sandbox never
   * answers with a value that fails its own validation.
   */
  private formatValue(format: string, w: Where, rng: Rng): string | undefined {
    const value = this.formatCandidate(format, w, rng);
    if (value === undefined || this.check(formatSchema(format), value, w)) return value;
    // a URL from the message that the format rejects ('https://例え.jp/パス'): its WHATWG form is often accepted
    const normalized = /^https?:/.test(value) ? normalizeUrl(value) : undefined;
    if (normalized !== undefined && this.check(formatSchema(format), normalized, w)) return normalized;
    return SAFE_FORMAT_VALUES[format] ?? value;
  }

  private formatCandidate(format: string, w: Where, rng: Rng): string | undefined {
    const dayMs = 86_400_000;
    const base = Date.UTC(2025, 0, 1) + rng.int(0, 364) * dayMs + rng.int(8, 18) * 3_600_000 + rng.pick([0, 15, 30, 45]) * 60_000;
    const iso = new Date(base).toISOString().replace('.000Z', 'Z');
    const name = this.personName(w);
    switch (format) {
      case 'date-time':
      case 'iso-date-time':
        return iso;
      case 'date':
        return iso.slice(0, 10);
      case 'time':
      case 'iso-time':
        return this.hints.time ? `${this.hints.time}:00Z` : `${iso.slice(11, 19)}Z`;
      case 'duration':
        return rng.pick(['P3D', 'PT2H', 'P1W', 'PT30M', 'P1M']);
      case 'email':
      case 'idn-email':
        return this.hints.email ?? `${slugify(name, 24).replace(/-/g, '.')}@example.com`;
      case 'uri':
      case 'url':
      case 'iri':
        return this.hints.url ?? `https://example.com/${slugify(this.hints.topic || keyWords(w.key).join(' ') || 'item')}`;
      case 'uri-reference':
      case 'iri-reference':
        return `/${slugify(this.hints.topic || 'item')}`;
      case 'uri-template':
        return 'https://example.com/items/{id}';
      case 'hostname':
      case 'idn-hostname':
        return `${slugify(this.hints.keywords[0] ?? 'example', 20)}.example.com`;
      case 'ipv4':
        return `192.0.2.${rng.int(1, 254)}`;
      case 'ipv6':
        return `2001:db8::${rng.int(1, 0xffff).toString(16)}`;
      case 'uuid': {
        const h = rng.hex(32);
        return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[rng.int(0, 3)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
      }
      case 'regex':
        return '^[a-z]+$';
      case 'json-pointer':
        return `/${slugify(keyWords(w.key)[0] ?? 'item', 20)}`;
      case 'json-pointer-uri-fragment':
        return `#/${slugify(keyWords(w.key)[0] ?? 'item', 20)}`;
      case 'relative-json-pointer':
        return '0';
      case 'byte':
        return Buffer.from(this.hints.topic || 'sandbox').toString('base64');
      default:
        return undefined;
    }
  }

  private nextSentence(offset = 0): string {
    const list = this.hints.sentences;
    const s = list[(this.sentenceCursor + offset) % list.length] ?? this.hints.answer;
    this.sentenceCursor++;
    return s;
  }

  /** A plausible personal name (never the persona's label); the same for every field of the n-th array item. */
  private plausibleName(w: Where): string {
    const base = this.rng.fork('names').int(0, PERSON_NAMES.length - 1);
    return PERSON_NAMES[(base + (w.index ?? 0)) % PERSON_NAMES.length] as string;
  }

  private personName(w: Where): string {
    const persona = this.hints.persona;
    const parent = keyWords(w.parent);
    const thingParent = parent.some((x) => THING_PARENTS.has(singular(x) ?? x));
    if (thingParent) return `${capitalize(this.hints.keywords[(w.index ?? 0) % Math.max(1, this.hints.keywords.length)] ?? 'Sample')} ${THING_SUFFIXES[(w.index ?? 0) % THING_SUFFIXES.length]}`;
    if (persona && w.index === undefined) return persona.name;
    return this.plausibleName(w);
  }

  private hintString(w: Where, rng: Rng): string {
    const h = this.hints;
    const persona = h.persona;
    const words = keyWords(w.key);
    const last = words[words.length - 1] ?? '';
    const all = words.join('_');
    const idx = w.index ?? 0;
    const has = (...xs: string[]) => words.some((x) => xs.includes(x));

    if (words.length === 0) return w.depth === 0 ? h.answer : this.nextSentence();

    // items of a list named for a profile field or for reasons/steps/tags
    if (w.index !== undefined) {
      const pool = this.listPool(w.parent);
      if (pool && pool.length) return pool[idx % pool.length] as string;
    }

    if (all === 'username' || all === 'user_name' || all === 'handle' || last === 'handle') return slugify(this.personName(w), 24).replace(/-/g, '_');
    if (last === 'first' || all.endsWith('first_name') || all === 'firstname' || all === 'given_name') return this.plausibleName(w).split(' ')[0] ?? 'Alex';
    if (all.endsWith('last_name') || all === 'lastname' || all === 'surname' || all === 'family_name') return this.plausibleName(w).split(' ').slice(1).join(' ') || 'Morgan';
    if (['name', 'fullname', 'persona', 'author', 'respondent', 'speaker', 'customer', 'participant', 'who'].includes(last) || all === 'display_name') return this.personName(w);

    if (has('email')) return h.email ?? `${slugify(this.personName(w), 24).replace(/-/g, '.')}@example.com`;
    if (words.some((x) => URL_KEYS.has(x))) return h.url ?? `https://example.com/${slugify(h.topic || 'item')}`;
    if (has('phone', 'telephone', 'mobile', 'tel')) return '+1-555-0100';

    if (has('query', 'q', 'search', 'prompt', 'question', 'term', 'request', 'input', 'instruction', 'instructions', 'keywords') && !has('type', 'id')) return h.query || h.topic;

    if (['to', 'recipient', 'recipients', 'cc', 'bcc', 'sender'].includes(all)) {
      if (h.email) return h.email;
      if (all !== 'to') return this.personName(w);
    }
    if (words.some((x) => ENTITY_KEYS.has(x)) && !has('id', 'type', 'category')) {
      const entity = h.places[idx % Math.max(1, h.places.length)];
      if (entity) return entity;
    }
    if (h.time && has('time', 'hour', 'start', 'when') && !has('zone', 'timezone', 'stamp', 'timestamp')) return h.time;
    if (words.some((x) => PLACE_KEYS.has(x))) {
      if (has('country') && !h.places.length) return persona?.profile.demographics.country ?? 'United States';
      const place = h.places[idx % Math.max(1, h.places.length)];
      if (place) return place;
      if (persona) return stripTerminal(persona.profile.demographics.region.split(/[,;]/)[0] ?? 'New York');
      return rng.pick(['San Francisco', 'London', 'Berlin', 'Toronto']);
    }

    if (has('sentiment', 'tone', 'mood', 'feeling', 'emotion')) return h.stance === 'positive' ? 'positive' : h.stance === 'skeptical' ? 'negative' : 'mixed';
    if (has('verdict', 'decision', 'intent', 'stance')) {
      if (words.length === 1 || last === 'verdict' || last === 'decision' || last === 'intent' || last === 'stance') {
        const short = h.stance === 'positive' ? 'likely to buy' : h.stance === 'skeptical' ? 'unlikely to buy' : 'undecided';
        return last === 'verdict' ? this.nextSentence() : short;
      }
    }

    if (['answer', 'response', 'reply', 'content', 'text', 'message', 'body', 'output', 'result', 'transcript'].includes(last)) return w.depth <= 1 && w.index === undefined ? h.answer : this.nextSentence(idx);
    if (
      [
        'summary', 'reason', 'reasoning', 'description', 'explanation', 'rationale', 'comment', 'comments', 'feedback', 'opinion',
        'reaction', 'recommendation', 'justification', 'thoughts', 'thought', 'details', 'detail', 'notes', 'note', 'quote',
        'statement', 'review', 'analysis', 'conclusion', 'takeaway', 'insight', 'advice', 'critique', 'evaluation',
        'assessment', 'remarks', 'motivation', 'why', 'bio', 'about', 'overview', 'narrative', 'story', 'argument',
        'perspective', 'impression', 'concern', 'objection', 'pro', 'con', 'benefit', 'risk', 'suggestion', 'tip', 'step',
        'action', 'point', 'finding', 'highlight', 'idea', 'context', 'background', 'caveat',
      ].includes(last)
    )
      return this.nextSentence(idx);

    if (['title', 'headline', 'subject', 'heading', 'caption', 'slogan', 'tagline', 'label'].includes(last)) {
      if (idx > 0 && h.keywords.length) return capitalize(h.keywords[(idx - 1) % h.keywords.length] as string);
      return capitalize(clipWords(h.topic || h.keywords.join(' ') || 'Overview', 70));
    }
    if (['topic', 'theme', 'keyword', 'tag', 'category', 'hashtag', 'interest', 'kind', 'type', 'genre', 'segment'].includes(last)) {
      if (persona && (last === 'segment' || last === 'category')) return persona.category;
      return h.keywords[idx % Math.max(1, h.keywords.length)] ?? h.topic ?? 'general';
    }

    if (persona) {
      const d = persona.profile.demographics;
      if (has('gender')) return d.gender ?? 'any';
      if (has('age', 'age_range')) return d.age_range;
      if (has('occupation', 'job', 'role', 'profession', 'work')) return d.occupation;
      if (has('generation', 'cohort')) return d.generation ?? persona.category;
      if (has('income')) return d.income_bracket;
      if (has('education')) return d.education;
      if (has('household')) return d.household;
      if (has('region')) return d.region;
      if (has('audience', 'demographic', 'persona')) return persona.description;
      if (has('value')) return persona.profile.psychographics.values[idx % persona.profile.psychographics.values.length] ?? 'authenticity';
      if (has('goal')) return persona.profile.goals[idx % persona.profile.goals.length] ?? 'save time';
      if (has('pain', 'frustration', 'challenge', 'problem')) return persona.profile.pains[idx % persona.profile.pains.length] ?? 'cost';
      if (has('platform', 'channel')) return persona.profile.media.platforms[idx % persona.profile.media.platforms.length] ?? 'YouTube';
    }

    if (has('id', 'identifier', 'uuid', 'key', 'ref', 'slug') && !has('keyword', 'keywords')) return `${slugify(singular(w.parent) ?? h.keywords[0] ?? 'item', 20).replace(/-/g, '_')}_${idx + 1}`;
    if (has('date', 'day', 'deadline', 'due', 'birthday', 'when', 'timestamp', 'time', 'start', 'end', 'created', 'updated')) {
      const d = new Date(Date.UTC(2025, 0, 1) + rng.int(0, 364) * 86_400_000).toISOString();
      return has('time', 'timestamp', 'created', 'updated') ? d.replace('.000Z', 'Z') : d.slice(0, 10);
    }
    if (has('language', 'lang', 'locale')) return 'en';
    if (has('currency')) return 'USD';
    if (has('unit', 'units')) return /fahrenheit|°f\b/i.test(h.message) ? 'fahrenheit' : /imperial/i.test(h.message) ? 'imperial' : 'celsius';
    if (has('color', 'colour')) return rng.pick(['blue', 'green', 'black', 'white', 'red']);
    if (has('symbol', 'ticker', 'code')) return wordsOf(h.message).find((x) => /^[A-Z]{2,5}$/.test(x.text) && x.text !== 'I')?.text ?? 'ABC';
    if (has('status', 'state')) return 'active';
    if (has('priority', 'level', 'severity', 'urgency')) return 'medium';
    if (has('version')) return '1.0.0';
    if (has('password', 'secret', 'token')) return rng.hex(24);
    if (has('price', 'cost', 'amount')) return '$19.99';
    if (has('brand', 'product', 'company', 'app', 'tool', 'service', 'plan', 'feature', 'option', 'item')) return `${capitalize(h.keywords[idx % Math.max(1, h.keywords.length)] ?? 'Sample')} ${THING_SUFFIXES[idx % THING_SUFFIXES.length]}`;

    // unknown names: a short phrase from the message, else the humanized key
    const kw = h.keywords[idx % Math.max(1, h.keywords.length)];
    return kw ?? (h.topic || capitalize(words.join(' ')));
  }
}

// ---------------------------------------------------------------- helpers

/** Values Ajv's formats accept, for when a value built from the message is not one. */
const SAFE_FORMAT_VALUES: Record<string, string> = {
  'date-time': '2025-01-01T12:00:00Z',
  'iso-date-time': '2025-01-01T12:00:00Z',
  date: '2025-01-01',
  time: '12:00:00Z',
  'iso-time': '12:00:00Z',
  duration: 'P3D',
  email: 'alex.morgan@example.com',
  'idn-email': 'alex.morgan@example.com',
  uri: 'https://example.com/item',
  url: 'https://example.com/item',
  iri: 'https://example.com/item',
  'uri-reference': '/item',
  'iri-reference': '/item',
  'uri-template': 'https://example.com/items/{id}',
  hostname: 'example.com',
  'idn-hostname': 'example.com',
  'json-pointer': '/item',
  'json-pointer-uri-fragment': '#/item',
  byte: 'c2FuZGJveA==',
};

/** `{type: 'string', format}`, one object per format, so the generation's validators compile it once. */
const FORMAT_SCHEMAS = new Map<string, Schema>();
function formatSchema(format: string): Schema {
  let schema = FORMAT_SCHEMAS.get(format);
  if (!schema) {
    schema = { type: 'string', format };
    if (FORMAT_SCHEMAS.size < 100) FORMAT_SCHEMAS.set(format, schema);
  }
  return schema;
}

function normalizeUrl(url: string): string | undefined {
  try {
    return new URL(url).href;
  } catch {
    return undefined;
  }
}

/** JSON characters of a value; cheap for scalars. */
function jsonLength(v: unknown): number {
  if (typeof v === 'string') return v.length + 2;
  if (typeof v === 'number') return String(v).length;
  if (typeof v === 'boolean') return v ? 4 : 5;
  if (v === null || v === undefined) return 4;
  return (JSON.stringify(v) ?? '').length;
}

/** Characters (code points) of a string, as JSON Schema counts lengths. */
function codePoints(x: string): number {
  let n = 0;
  for (let i = 0; i < x.length; i++) {
    const c = x.charCodeAt(i);
    if (c < 0xd800 || c > 0xdbff || i + 1 >= x.length) n++;
    else {
      const d = x.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
      n++;
    }
  }
  return n;
}

const NUMBER_KEYS = new Set(['count', 'number', 'num', 'quantity', 'qty', 'amount', 'price', 'cost', 'total', 'age', 'score', 'rating', 'year', 'limit', 'size', 'confidence', 'probability', 'percent', 'percentage']);
const COUNT_KEYS = new Set(['count', 'quantity', 'qty', 'limit', 'num', 'number', 'n', 'k', 'top', 'max', 'results', 'size', 'days', 'nights', 'guests', 'people', 'adults', 'children', 'seats', 'tickets', 'items', 'hours', 'minutes', 'page', 'per']);
const PLACE_KEYS = new Set(['location', 'city', 'place', 'destination', 'origin', 'address', 'town', 'country', 'venue', 'where', 'area', 'locality', 'region', 'from', 'to', 'near']);
const ENTITY_KEYS = new Set(['restaurant', 'hotel', 'venue', 'store', 'shop', 'company', 'brand', 'business', 'airline', 'airport', 'organization', 'organisation', 'org', 'school', 'university', 'team', 'vendor', 'merchant', 'employer', 'bank', 'clinic', 'hospital', 'cafe', 'bar']);
const URL_KEYS = new Set(['url', 'link', 'website', 'homepage', 'href', 'uri', 'image', 'avatar', 'photo', 'site']);
const THING_PARENTS = new Set(['product', 'item', 'feature', 'plan', 'company', 'brand', 'tool', 'app', 'project', 'competitor', 'option', 'idea', 'service', 'course', 'book', 'movie', 'song', 'recipe', 'restaurant', 'team', 'category', 'tag', 'skill', 'event', 'task', 'step', 'alternative', 'recommendation', 'offer', 'offering', 'campaign', 'channel', 'platform']);

function keyWords(key: string | undefined): string[] {
  return key ? identifierWords(key) : [];
}

function singular(key: string | undefined): string | undefined {
  if (!key) return key;
  if (/ies$/.test(key)) return `${key.slice(0, -3)}y`;
  if (/(?:ss|us|is)$/.test(key)) return key;
  if (/(?:xes|ches|shes|sses)$/.test(key)) return key.slice(0, -2);
  if (/s$/.test(key)) return key.slice(0, -1);
  return key;
}

function escapePointer(key: string): string {
  return key.replace(/~/g, '~0').replace(/\//g, '~1');
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'undefined';
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  return `{${Object.keys(v)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
    .join(',')}}`;
}

/** Position of an enum member mentioned in a message as a whole word (or phrase), -1 when absent. */
const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/** Whether `word` occurs in `text` with no letter or digit right before or after it (what mentionIndex needs of a phrase's first word). */
function hasWholeWord(text: string, word: string): boolean {
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
    const before = at > 0 ? text.charAt(at - 1) : '';
    const after = text.charAt(at + word.length);
    if (!LETTER_OR_DIGIT.test(before) && !LETTER_OR_DIGIT.test(after)) return true;
  }
  return false;
}

function mentionIndex(paddedLowerMessage: string, value: string): number {
  const v = value.toLowerCase().replace(/[_-]+/g, ' ').trim();
  if (v.length < 2) return -1;
  const escaped = v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '[\\s_-]+');
  const m = new RegExp(`(?<![\\p{L}\\p{N}])${escaped}(?![\\p{L}\\p{N}])`, 'u').exec(paddedLowerMessage);
  return m ? m.index : -1;
}

function inferType(s: Schema): string {
  if (isObj(s.properties) || Array.isArray(s.required) || 'additionalProperties' in s || isObj(s.patternProperties) || 'minProperties' in s || 'maxProperties' in s) return 'object';
  if ('items' in s || 'prefixItems' in s || 'minItems' in s || 'maxItems' in s || 'contains' in s || 'uniqueItems' in s) return 'array';
  if ('minLength' in s || 'maxLength' in s || 'pattern' in s || 'format' in s) return 'string';
  if ('minimum' in s || 'maximum' in s || 'exclusiveMinimum' in s || 'exclusiveMaximum' in s || 'multipleOf' in s) return 'number';
  return 'string';
}

function isNullOnly(schema: unknown): boolean {
  return isObj(schema) && (schema.type === 'null' || (Array.isArray(schema.enum) && schema.enum.length === 1 && schema.enum[0] === null) || ('const' in schema && schema.const === null));
}

const branchWeights = new WeakMap<object, number>();
/** Simplest first: null, then plain scalars, then objects and arrays, then anything with a $ref (serialized once per branch). */
function branchWeight(schema: unknown): number {
  if (isNullOnly(schema)) return 0;
  const known = isObj(schema) ? branchWeights.get(schema) : undefined;
  if (known !== undefined) return known;
  const text = JSON.stringify(schema) ?? '';
  const weight = !text.includes('$ref') ? (text.includes('"object"') || text.includes('"array"') ? 2 : 1) : 3;
  if (isObj(schema)) branchWeights.set(schema, weight);
  return weight;
}

const LOWER_KEYS = ['minimum', 'minLength', 'minItems', 'minProperties', 'minContains'];
const UPPER_KEYS = ['maximum', 'maxLength', 'maxItems', 'maxProperties', 'maxContains'];

/** Merges two schemas as `allOf` would require (best effort: enough to generate from). */
export function mergeSchemas(a: Schema, b: Schema): Schema {
  const out: Schema = { ...a };
  for (const [k, bv] of Object.entries(b)) {
    const av = out[k];
    if (av === undefined) {
      out[k] = bv;
      continue;
    }
    if (k === 'properties' && isObj(av) && isObj(bv)) {
      const props: Schema = { ...av };
      for (const [pk, pv] of Object.entries(bv)) {
        const existing = props[pk];
        props[pk] = isObj(existing) && isObj(pv) ? { allOf: [existing, pv] } : pv;
      }
      out[k] = props;
    } else if (k === 'required' && Array.isArray(av) && Array.isArray(bv)) out[k] = [...new Set([...av, ...bv])];
    else if (k === 'type') {
      const at = Array.isArray(av) ? av : [av];
      const bt = Array.isArray(bv) ? bv : [bv];
      let both = at.filter((t) => bt.includes(t) || (t === 'integer' && bt.includes('number')));
      for (const t of bt) if (t === 'integer' && at.includes('number') && !both.includes('integer')) both.push('integer');
      if (both.includes('integer') && both.includes('number')) both = both.filter((t) => t !== 'number');
      out[k] = both.length === 1 ? both[0] : both.length ? both : bv;
    } else if (k === 'enum' && Array.isArray(av) && Array.isArray(bv)) {
      const inter = av.filter((x) => bv.some((y) => JSON.stringify(x) === JSON.stringify(y)));
      out[k] = inter.length ? inter : bv;
    } else if (LOWER_KEYS.includes(k) && typeof av === 'number' && typeof bv === 'number') out[k] = Math.max(av, bv);
    else if (UPPER_KEYS.includes(k) && typeof av === 'number' && typeof bv === 'number') out[k] = Math.min(av, bv);
    else if (k === 'exclusiveMinimum' && typeof av === 'number' && typeof bv === 'number') out[k] = Math.max(av, bv);
    else if (k === 'exclusiveMaximum' && typeof av === 'number' && typeof bv === 'number') out[k] = Math.min(av, bv);
    else if (k === 'additionalProperties') out[k] = av === false || bv === false ? false : isObj(av) && isObj(bv) ? { allOf: [av, bv] } : bv;
    else if ((k === 'items' || k === 'contains' || k === 'not') && isObj(av) && isObj(bv)) out[k] = { allOf: [av, bv] };
    else if ((k === 'anyOf' || k === 'oneOf') && Array.isArray(av) && Array.isArray(bv)) {
      const allOf = Array.isArray(out.allOf) ? [...(out.allOf as unknown[])] : [];
      allOf.push({ [k]: bv });
      out.allOf = allOf;
    } else if (k === 'allOf' && Array.isArray(av) && Array.isArray(bv)) out[k] = [...av, ...bv];
    else if (k === '$defs' || k === 'definitions') out[k] = { ...(isObj(av) ? av : {}), ...(isObj(bv) ? bv : {}) };
    else out[k] = bv;
  }
  return out;
}

function lowerBound(s: Schema): number {
  let lo = -Infinity;
  const min = num(s.minimum);
  if (min !== undefined) lo = min;
  const ex = num(s.exclusiveMinimum);
  if (ex !== undefined && ex >= lo) lo = ex;
  return lo;
}

function upperBound(s: Schema): number {
  let hi = Infinity;
  const max = num(s.maximum);
  if (max !== undefined) hi = max;
  const ex = num(s.exclusiveMaximum);
  if (ex !== undefined && ex <= hi) hi = ex;
  return hi;
}

function integerBounds(s: Schema): boolean {
  return [s.minimum, s.maximum, s.exclusiveMinimum, s.exclusiveMaximum].every((v) => typeof v !== 'number' || Number.isInteger(v));
}

function decimals(x: number): number {
  const t = String(x);
  if (t.includes('e-')) return Number(t.split('e-')[1] ?? 0) + (t.split('e')[0]?.split('.')[1]?.length ?? 0);
  return t.split('.')[1]?.length ?? 0;
}

/** The value nearest `target` that satisfies bounds (both drafts' exclusives), integer-ness and multipleOf. */
export function fitNumber(target: number, s: Schema, integer: boolean): number {
  const min = num(s.minimum);
  const max = num(s.maximum);
  const exMin = s.exclusiveMinimum;
  const exMax = s.exclusiveMaximum;
  const m = num(s.multipleOf);
  const ok = (v: number): boolean => {
    if (!Number.isFinite(v)) return false;
    if (integer && !Number.isInteger(v)) return false;
    if (min !== undefined && (exMin === true ? v <= min : v < min)) return false;
    if (max !== undefined && (exMax === true ? v >= max : v > max)) return false;
    if (typeof exMin === 'number' && v <= exMin) return false;
    if (typeof exMax === 'number' && v >= exMax) return false;
    if (m !== undefined && m > 0 && !Number.isInteger(v / m)) return false;
    return true;
  };
  const lo = lowerBound(s);
  const hi = upperBound(s);
  let t = Number.isFinite(target) ? target : 0;
  if (t < lo || t > hi) t = Number.isFinite(lo) && Number.isFinite(hi) ? (lo + hi) / 2 : Number.isFinite(lo) ? lo + 1 : hi - 1;
  if (m !== undefined && m > 0) {
    const d = decimals(m);
    const k0 = Math.round(t / m);
    for (let dk = 0; dk < 5000; dk++) {
      for (const k of dk === 0 ? [k0] : [k0 + dk, k0 - dk]) {
        const v = Number((k * m).toFixed(Math.min(20, d)));
        if (ok(v)) return v;
      }
    }
  } else {
    const start = integer ? Math.round(t) : Math.round(t * 100) / 100;
    if (ok(start)) return start;
    const step = integer ? 1 : Number.isFinite(lo) && Number.isFinite(hi) && hi - lo < 0.02 ? (hi - lo) / 4 || 1e-9 : 0.01;
    for (let i = 1; i < 5000; i++) {
      for (const v of [start + i * step, start - i * step]) {
        const r = integer ? v : Number(v.toFixed(12));
        if (ok(r)) return r;
      }
    }
    if (!integer && Number.isFinite(lo) && Number.isFinite(hi) && ok((lo + hi) / 2)) return (lo + hi) / 2;
  }
  throw new UnsatisfiableError(`no ${integer ? 'integer' : 'number'} satisfies the bounds${m !== undefined ? ` and multipleOf ${m}` : ''}`);
}

/** Pads (with words from the answer) or clips a string into [min, max] characters. */
function fitLength(value: string, min: number, max: number, filler: readonly string[]): string {
  // words, not a run of one letter: the answer is tokenized, and a long run without spaces is its worst case
  const parts = value ? [value] : [];
  let len = codePoints(value);
  for (let i = 0; len < min; i++) {
    const extra = filler[i % Math.max(1, filler.length)] ?? 'More detail follows.';
    len += (parts.length ? 1 : 0) + codePoints(extra);
    parts.push(extra);
  }
  let v = parts.join(' ');
  if (len > max) {
    v = clipWords(v, max);
    if (codePoints(v) > max) v = Array.from(v).slice(0, max).join('');
    if (codePoints(v) < min) v = Array.from(value.padEnd(min, 'x')).slice(0, max).join('');
  }
  return v;
}
