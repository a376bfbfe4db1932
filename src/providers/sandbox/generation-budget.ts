/**
 * What the sandbox may spend generating values for a client's JSON Schemas.
 * Without it, `minItems: 1e9`, a $ref fan-out, nested minItems or a pattern
 * with a huge repetition made one request generate for minutes and gigabytes.
 *
 * Sizes are per value (an attempt starts again from zero); work (steps) is
 * counted across attempts and across every schema of one request, and is
 * deterministic — counted, never timed — so the same request is refused (or
 * answered) the same way every time. The caps are documented in docs/operations.md
 * ("Limits").
 */
import { SchemaRefusal } from '../../util/client-schema.js';
import type { SchemaPath } from '../../util/schema-index.js';

export const GENERATION_LIMITS = {
  /** Characters of one generated string. */
  stringChars: 100_000,
  /** Items of one generated array. */
  arrayItems: 10_000,
  /** Values (objects, arrays, strings, numbers, …) of one generated value. */
  nodes: 10_000,
  /** Approximate JSON characters of one generated value. */
  chars: 1_000_000,
  /** Units of work for all of a request's schemas: a value generated, a subschema compiled or checked, a pattern sampled. */
  steps: 50_000,
} as const;

/** Past this share of a size cap, the generator switches to minimal values (required properties, minItems). */
const TIGHT_SHARE = 0.25;

/**
 * An error used for control flow while generating: thrown and caught many
 * times per value, and never shown with a stack, so it records none (a stack
 * trace costs more than the generation step that threw it).
 */
export class GenerationError extends Error {
  constructor(
    message: string,
    readonly path: SchemaPath,
  ) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}

/**
 * A value that would break a size cap. The generator treats it like any
 * unsatisfiable branch (an optional property is left out, another anyOf branch
 * is tried); when nothing else is possible the schema is refused at `path`.
 */
export class TooLarge extends GenerationError {
  constructor(path: SchemaPath, reason: string) {
    super(reason, path);
  }
}

/** Steps ran out: refused at once, wherever generation was (no retry could do better). */
export class WorkExhausted extends SchemaRefusal {}

export class GenerationBudget {
  steps = 0;
  nodes = 0;
  chars = 0;

  constructor(readonly limits: typeof GENERATION_LIMITS = GENERATION_LIMITS) {}

  /** Spends `n` steps; throws WorkExhausted (naming `path`) when none are left. */
  spend(n: number, path: SchemaPath): void {
    this.steps += n;
    if (this.steps > this.limits.steps) {
      throw new WorkExhausted(path, `the sandbox could not generate a value within its work budget (${this.limits.steps} steps): simplify the schema here`);
    }
  }

  /** A new value begins: sizes start again from zero. */
  startValue(): void {
    this.nodes = 0;
    this.chars = 0;
  }

  /** Counts one generated value of about `chars` JSON characters; throws TooLarge past the caps. */
  add(chars: number, path: SchemaPath): void {
    this.nodes++;
    this.chars += chars;
    if (this.nodes > this.limits.nodes) throw new TooLarge(path, `the value would hold more than ${this.limits.nodes} values, the most the sandbox generates`);
    if (this.chars > this.limits.chars) throw new TooLarge(path, `the value would be longer than ${this.limits.chars} characters, the most the sandbox generates`);
  }

  /** How much of the value is generated so far, to undo a branch that was abandoned. */
  mark(): { nodes: number; chars: number } {
    return { nodes: this.nodes, chars: this.chars };
  }

  reset(mark: { nodes: number; chars: number }): void {
    this.nodes = mark.nodes;
    this.chars = mark.chars;
  }

  /** What was generated since `mark`. */
  since(mark: { nodes: number; chars: number }): { nodes: number; chars: number } {
    return { nodes: this.nodes - mark.nodes, chars: this.chars - mark.chars };
  }

  /** Counts again a value whose size was taken back (a candidate kept after all). */
  restore(cost: { nodes: number; chars: number }): void {
    this.nodes += cost.nodes;
    this.chars += cost.chars;
  }

  /** Room is running out: generate minimal values from here on. */
  get tight(): boolean {
    return this.nodes > this.limits.nodes * TIGHT_SHARE || this.chars > this.limits.chars * TIGHT_SHARE;
  }

  /** Values that fit in what is left. */
  get nodesLeft(): number {
    return this.limits.nodes - this.nodes;
  }
}
