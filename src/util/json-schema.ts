/**
 * One JSON Schema validator (Ajv with formats) shared by request validation,
 * the sandbox engine and structured-output checks. Schemas are draft 2020-12
 * unless they declare draft-07 or draft-06 in `$schema` — as every zod-based
 * client helper does (openai-node's zodTextFormat, the AI SDK, the Agents SDK).
 *
 * Most schemas come from clients, so three things are bounded here:
 * - isolation: each distinct schema is compiled in an Ajv instance of its own.
 *   Ajv keeps every schema it compiled and registers each `$id` process-wide;
 *   with one shared instance, workspace A's `$id` blocked workspace B's and B
 *   could `$ref` A's private schema. Now a schema sees only itself.
 * - memory: compiled schemas live in an LRU (SCHEMA_CACHE: count and bytes);
 *   evicting an entry drops its Ajv instance and everything it compiled.
 *   (Clearing a Map of validators is not enough: the shared Ajv kept them all.)
 * - time: patterns run on a linear-time engine (safe-regex.ts), never on
 *   JavaScript's backtracking RegExp.
 * A schema is checked against its draft's meta-schema by a process-wide
 * validator that compiles only the fixed meta-schemas, never a client's.
 */
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { createRequire } from 'node:module';
import { ajvRegExpEngine } from './safe-regex.js';

// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (a: Ajv) => void;
const DRAFT_06 = createRequire(import.meta.url)('ajv/dist/refs/json-schema-draft-06.json') as object;

/**
 * How many compiled schemas are kept, and how many bytes of schema (serialized) they may add up to.
 * Compiled code takes about ten times its schema's bytes of heap (a 97 KiB schema: 0.9 MiB), so
 * 4 MiB of schemas is about 40 MiB of heap.
 */
export const SCHEMA_CACHE = { entries: 256, bytes: 4 * 1024 * 1024 };

const base: Options = { allErrors: true, strict: false, validateFormats: true, code: { regExp: ajvRegExpEngine } };

function isDraft7(schema: Record<string, unknown>): boolean {
  return typeof schema.$schema === 'string' && /draft-0[67]/.test(schema.$schema);
}

/** An Ajv for one client schema (or one sandbox generation): no meta-schemas, nothing shared. */
function isolatedAjv(draft7: boolean, extra: Options = {}): Ajv {
  const options: Options = { ...base, meta: false, validateSchema: false, ...extra };
  const ajv = draft7 ? new Ajv(options) : (new Ajv2020(options) as unknown as Ajv);
  addFormats(ajv);
  return ajv;
}

// The meta-schema validators: they compile the drafts' fixed meta-schemas and validate client schemas as data.
const meta2020 = new Ajv2020({ ...base, allErrors: false }) as unknown as Ajv;
const meta7 = new Ajv({ ...base, allErrors: false });
meta7.addMetaSchema(DRAFT_06);
addFormats(meta2020);
addFormats(meta7);

/** What is wrong with the schema by its draft's meta-schema, or null. Linear in the schema's size. */
export function metaSchemaProblem(schema: Record<string, unknown>): string | null {
  const ajv = isDraft7(schema) ? meta7 : meta2020;
  try {
    if (ajv.validateSchema(schema) as boolean) return null;
    return `schema is invalid: ${ajv.errorsText(ajv.errors, { dataVar: 'schema' })}`;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

interface Entry {
  validate: ValidateFunction;
  bytes: number;
}

const cache = new Map<string, Entry>();
let cachedBytes = 0;

/** The compiled validator of a schema, from the LRU or compiled in an Ajv of its own. Throws when it does not compile. */
export function compileSchema(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  const hit = cache.get(key);
  if (hit) {
    cache.delete(key);
    cache.set(key, hit);
    return hit.validate;
  }
  const problem = metaSchemaProblem(schema);
  if (problem) throw new Error(problem);
  const validate = isolatedAjv(isDraft7(schema)).compile(schema);
  const entry = { validate, bytes: key.length };
  cache.set(key, entry);
  cachedBytes += entry.bytes;
  for (const [k, e] of cache) {
    if (cache.size <= SCHEMA_CACHE.entries && cachedBytes <= SCHEMA_CACHE.bytes) break;
    if (e === entry) break;
    cache.delete(k);
    cachedBytes -= e.bytes;
  }
  return validate;
}

/** How many compiled schemas the LRU holds and their serialized size (for tests and metrics). */
export function schemaCacheStats(): { entries: number; bytes: number } {
  return { entries: cache.size, bytes: cachedBytes };
}

export interface SchemaCheck {
  valid: boolean;
  errors: string[];
}

export function validateAgainst(schema: Record<string, unknown>, value: unknown): SchemaCheck {
  const fn = compileSchema(schema);
  const valid = fn(value) as boolean;
  return { valid, errors: valid ? [] : formatErrors(fn.errors ?? []) };
}

/** Like validateAgainst, with where each error is in the schema (Ajv's schemaPath as path segments), for refusals. */
export function validateWithPaths(schema: Record<string, unknown>, value: unknown): SchemaCheck & { schemaPaths: (string | number)[][] } {
  const fn = compileSchema(schema);
  const valid = fn(value) as boolean;
  const errors = valid ? [] : (fn.errors ?? []);
  return { valid, errors: formatErrors(errors), schemaPaths: errors.map((e) => pointerPath(e.schemaPath)) };
}

const ARRAY_KEYWORDS = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems', 'items']);

/** `#/properties/a~1b/allOf/0/type` → ['properties', 'a/b', 'allOf', 0, 'type']. */
function pointerPath(pointer: string): (string | number)[] {
  const parts = pointer.replace(/^#\/?/, '').split('/').filter((p) => p !== '');
  const out: (string | number)[] = [];
  for (const raw of parts) {
    let part = raw;
    try {
      part = decodeURIComponent(raw);
    } catch {
      /* kept as written */
    }
    part = part.replace(/~1/g, '/').replace(/~0/g, '~');
    const prev = out[out.length - 1];
    out.push(typeof prev === 'string' && ARRAY_KEYWORDS.has(prev) && /^\d+$/.test(part) ? Number(part) : part);
  }
  return out;
}

/** Whether the schema itself compiles; returns the compiler's message when it does not. */
export function schemaProblem(schema: Record<string, unknown>): string | null {
  try {
    compileSchema(schema);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * Subschemas checked against values while one value is generated (the
 * sandbox): one Ajv for the generation, dropped with it. Each subschema object
 * is compiled once; `$id`s are not registered, so copies of one subschema
 * never collide.
 */
export class SchemaScope {
  private ajv: Ajv | undefined;
  private readonly compiled = new Map<object, ValidateFunction | null>();

  constructor(private readonly draft7: boolean) {}

  static for(root: Record<string, unknown>): SchemaScope {
    return new SchemaScope(isDraft7(root));
  }

  /** How many subschemas this scope compiled. */
  get size(): number {
    return this.compiled.size;
  }

  /** Whether `value` is valid against `schema`; undefined when the subschema does not compile on its own. */
  check(schema: Record<string, unknown>, value: unknown): boolean | undefined {
    let fn = this.compiled.get(schema);
    if (fn === undefined) {
      this.ajv ??= isolatedAjv(this.draft7, { allErrors: false, addUsedSchema: false });
      try {
        fn = this.ajv.compile(schema);
      } catch {
        fn = null;
      }
      this.compiled.set(schema, fn);
    }
    return fn === null ? undefined : (fn(value) as boolean);
  }
}

function formatErrors(errors: ErrorObject[]): string[] {
  return errors.map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`);
}
