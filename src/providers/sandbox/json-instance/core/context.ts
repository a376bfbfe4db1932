/**
 * What one generation carries through its traversal: where a value is (its
 * property name, index, JSON pointer and place in the schema), what every
 * attempt shares (the schema's index and validators, the work budget, caches
 * per enum), the limits that stop recursion, and the error that makes the
 * traversal try an alternative.
 */
import type { MinimalSize } from '../../../../util/client-schema.js';
import type { SchemaScope } from '../../../../util/json-schema.js';
import type { SchemaIndex, SchemaPath } from '../../../../util/schema-index.js';
import { GenerationError, type GenerationBudget } from '../../generation-budget.js';
import type { Resolver } from './resolve.js';

export type Schema = Record<string, unknown>;

/** A subschema that cannot be generated here; `path` is its place in the schema. Alternatives are tried. */
export class UnsatisfiableError extends GenerationError {
  constructor(message: string, path: SchemaPath = []) {
    super(message, path);
  }
}

/** What every attempt of one generation shares: the schema's index, its validators, the budget. */
export interface Shared {
  index: SchemaIndex;
  /** Follows $refs and flattens allOf, charging the budget. */
  resolver: Resolver;
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
export const COMPILE_STEPS = 200;
export const CHECK_STEPS = 5;
/** Steps one sampling of a pattern costs (sampleFromPattern makes up to 40 bounded attempts). */
export const PATTERN_STEPS = 40;

export interface Where {
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

export const SOFT_DEPTH = 7;
export const SOFT_REFS = 2;
export const HARD_DEPTH = 64;
/** Property names the generator makes up for minProperties, beyond the declared ones. */
export const MAX_EXTRA_KEYS = 199;
/** The part of the message searched for enum mentions: mentions are looked for near the question, not in a pasted book. */
export const MENTION_WINDOW = 8_000;

export const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
