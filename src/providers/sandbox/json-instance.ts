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
 *
 * Laid out as json-schema-faker is: json-instance/core/ (traversal,
 * resolution, what every attempt shares), types/ (one file per JSON type, and
 * enum), generators/ (values a property name asks for, and the semantic key
 * tables they read); this file runs the attempts and checks the result.
 */
import { MinimalSize, SchemaRefusal } from '../../util/client-schema.js';
import { SchemaScope, schemaProblem, validateWithPaths } from '../../util/json-schema.js';
import { SchemaIndex, type SchemaPath } from '../../util/schema-index.js';
import { GenerationBudget, TooLarge } from './generation-budget.js';
import { COMPILE_STEPS, UnsatisfiableError, type Shared } from './json-instance/core/context.js';
import { Generator } from './json-instance/core/generator.js';
import { Resolver } from './json-instance/core/resolve.js';
import type { InstanceHints, InstanceOptions } from './json-instance/hints.js';
import type { Rng } from './seed.js';

export { buildHints, type InstanceHints, type InstanceOptions } from './json-instance/hints.js';

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
  const shared: Shared = { index, resolver: new Resolver(index, budget), scope: SchemaScope.for(schema), budget, wrappers: new WeakMap(), sizes: new MinimalSize(index), mentions: new WeakMap(), enums: new WeakMap() };
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
