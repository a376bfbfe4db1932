/**
 * One JSON Schema validator (Ajv, draft 2020-12 with formats) shared by request
 * validation, the sandbox engine and structured-output checks. Compiled
 * validators are cached by the schema's serialization.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

const ajv = new Ajv2020({ allErrors: true, strict: false, validateFormats: true });
// ajv-formats is CommonJS; its default export arrives wrapped under NodeNext.
const addFormats = (addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule;
(addFormats as unknown as (a: Ajv2020) => void)(ajv);

const cache = new Map<string, ValidateFunction>();

export function compileSchema(schema: Record<string, unknown>): ValidateFunction {
  const key = JSON.stringify(schema);
  let fn = cache.get(key);
  if (!fn) {
    fn = ajv.compile(schema);
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
