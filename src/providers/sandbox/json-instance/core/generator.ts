/**
 * Traversal: one attempt at a value for a schema. `gen` resolves a subschema
 * ($ref, allOf), dispatches on what it is (if/then/else, const, enum,
 * anyOf/oneOf, then its type: types/), honours `not`, and charges the budget
 * for what it made. Alternatives (branches, conditionals, optional
 * properties) are tried under budget marks, so one that is dropped gives its
 * cost back. The values themselves come from types/ and generators/.
 */
import type { SchemaScope } from '../../../../util/json-schema.js';
import { isObj } from '../../../../util/schema-index.js';
import { GenerationError, TooLarge, type GenerationBudget } from '../../generation-budget.js';
import type { Rng } from '../../seed.js';
import { HintSource } from '../generators/hint-source.js';
import { keyWords, NUMBER_KEYS } from '../generators/keys.js';
import type { InstanceHints, InstanceOptions } from '../hints.js';
import { genArray } from '../types/array.js';
import { genBoolean } from '../types/boolean.js';
import { chooseEnum } from '../types/enum.js';
import { genNumber } from '../types/number.js';
import { genObject, hasMessageHint } from '../types/object.js';
import { genString } from '../types/string.js';
import { CHECK_STEPS, COMPILE_STEPS, HARD_DEPTH, MENTION_WINDOW, SOFT_DEPTH, SOFT_REFS, UnsatisfiableError, type Schema, type Shared, type Where } from './context.js';
import { jsonLength } from './json-text.js';
import { mergeSchemas, type Resolver } from './resolve.js';
import { branchWeight, inferType, isNullOnly } from './schema-shape.js';

export class Generator {
  /** The message-derived values this attempt draws from (sentences in turn, names, numbers used). */
  readonly source: HintSource;
  readonly budget: GenerationBudget;
  readonly resolver: Resolver;
  private readonly scope: SchemaScope;
  /** The message, lower-cased and padded, as enum mentions are searched in it. */
  readonly paddedMessage: string;

  constructor(
    private readonly root: Schema,
    readonly hints: InstanceHints,
    private readonly rng: Rng,
    readonly opts: InstanceOptions,
    attempt: number,
    readonly shared: Shared,
  ) {
    this.source = new HintSource(hints, rng, attempt);
    this.budget = shared.budget;
    this.resolver = shared.resolver;
    this.scope = shared.scope;
    this.paddedMessage = ` ${hints.message.slice(0, MENTION_WINDOW).toLowerCase()} `;
  }

  generate(): unknown {
    return this.gen(this.root, { pointer: '', spath: [], depth: 0, refs: 0 });
  }

  rngAt(where: Where, salt = ''): Rng {
    return this.rng.fork(`${where.pointer}${salt}`);
  }

  minimal(where: Where): boolean {
    return where.depth > SOFT_DEPTH || where.refs > SOFT_REFS || this.budget.tight;
  }

  gen(schema: unknown, where: Where): unknown {
    if (where.depth > HARD_DEPTH) throw new TooLarge(where.spath, 'the JSON schema recurses without a way out (every branch requires another level)');
    this.budget.spend(1, where.spath);
    const resolved = this.resolver.resolve(schema, where.spath);
    const w: Where = { ...where, refs: where.refs + resolved.refs, spath: resolved.spath };
    if (resolved.s === false) throw new UnsatisfiableError(`nothing satisfies the schema at ${where.pointer || '/'}`, w.spath);
    let s: Schema = resolved.s === true ? {} : resolved.s;
    s = this.resolver.flattenAllOf(s, w.spath);
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
    if (Array.isArray(s.enum)) return chooseEnum(this, s.enum, s, w);

    const branchKey = Array.isArray(s.oneOf) ? 'oneOf' : Array.isArray(s.anyOf) ? 'anyOf' : null;
    if (branchKey) return this.genBranches(s, branchKey, w);

    const type = this.chooseType(s, w);
    switch (type) {
      case 'object':
        return genObject(this, s, w);
      case 'array':
        return genArray(this, s, w);
      case 'integer':
        return genNumber(this, s, w, true);
      case 'number':
        return genNumber(this, s, w, false);
      case 'boolean':
        return genBoolean(this, w);
      case 'null':
        return null;
      default:
        return genString(this, s, w);
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
    const nullFirst = this.minimal(w) || (this.opts.preferNull && branches.some((b) => isNullOnly(b.schema)) && !hasMessageHint(this, w.key ?? '', {}, w));
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
          const merged = Object.keys(base).length ? mergeSchemas(base, this.resolver.flattenAllOf(this.resolver.resolvedObject(branch, at), at)) : branch;
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
  check(sub: unknown, value: unknown, w: Where): boolean {
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
    if (types.includes('null') && (this.minimal(w) || (this.opts.preferNull && !hasMessageHint(this, w.key ?? '', { ...s, type: nonNull[0] }, w)))) return 'null';
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
}
