/**
 * One JSON Schema validator (Ajv with formats) shared by request validation,
 * the sandbox engine and structured-output checks. Schemas are draft 2020-12
 * unless they declare draft-07 or draft-06 in `$schema` — as every zod-based
 * client helper does (openai-node's zodTextFormat, the AI SDK, the Agents SDK).
 * Compiled validators are cached by the schema's serialization.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { createRequire } from 'node:module';

const options = { allErrors: true, strict: false, validateFormats: true } as const;
// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (a: Ajv) => void;
const ajv2020 = new Ajv2020(options);
const ajvDraft7 = new Ajv(options);
ajvDraft7.addMetaSchema(createRequire(import.meta.url)('ajv/dist/refs/json-schema-draft-06.json') as object);
addFormats(ajv2020 as unknown as Ajv);
addFormats(ajvDraft7);

function engineFor(schema: Record<string, unknown>): Ajv {
  const declared = typeof schema.$schema === 'string' ? schema.$schema : '';
  return /draft-0[67]/.test(declared) ? ajvDraft7 : (ajv2020 as unknown as Ajv);
}

const cache = new Map<string, ValidateFunction>();

export function compileSchema(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  let fn = cache.get(key);
  if (!fn) {
    fn = engineFor(schema).compile(schema);
    if (cache.size > 500) cache.clear();
    cache.set(key, fn);
  }
  return fn;
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

/** Whether the schema itself compiles; returns the compiler's message when it does not. */
export function schemaProblem(schema: Record<string, unknown>): string | null {
  try {
    compileSchema(schema);
    return null;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

function formatErrors(errors: ErrorObject[]): string[] {
  return errors.map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}`);
}
