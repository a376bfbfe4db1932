/**
 * What a question type is: one file per type (./nps.ts, ./likert.ts, …)
 * exports a QuestionTypeDef, and ./registry.ts lists them. A type owns
 * everything about its questions:
 *
 * - `schema`: the definition a client sends (zod: validates requests and
 *   renders /openapi.json), with the fields every question has (`id`, `text`,
 *   `when`, `elicitation`, `reference`) plus its own;
 * - `answerSchema(q)`: the strict JSON Schema the model answers under
 *   (structured output on every backend) — `reasoning` first, so the model
 *   says why before it says what, then the type's own fields;
 * - `render(q)`: how the question reads to the respondent;
 * - `normalize(q, raw)`: the schema-valid reply → the stored Answer
 *   (../answer-types.ts: what the statistics read, reasoning included), or
 *   the errors to feed back to the model for a repair (rules a JSON Schema
 *   cannot say: a ranking is a permutation, best ≠ worst);
 * - `reference`: which real-survey distributions the type compares with;
 * - `condition`: what skip logic (`when`) may test on its answers;
 * - `categories(q)` / `tally(q, value)`: the distribution a minimal result
 *   counts over.
 */
import { z } from 'zod';
import type { AnswerByType, QuestionType } from '../answer-types.js';
import type { ScaleInfo } from '../stored-answer.js';
import { whenSchema, type ConditionKind } from '../skip-logic.js';

export type { ConditionKind };

export type Json = Record<string, unknown>;

/** Short text a respondent reads (option, row, label). */
export const label = z.string().trim().min(1).max(200);

/** Options of a choice question: distinct texts. */
export const optionList = (min: number, max: number) =>
  z
    .array(label)
    .min(min)
    .max(max)
    .superRefine((xs, ctx) => {
      const seen = new Set<string>();
      xs.forEach((x, i) => {
        const k = x.toLowerCase();
        if (seen.has(k)) ctx.addIssue({ code: 'custom', path: [i], message: `'${x}' is listed twice` });
        seen.add(k);
      });
    });

export const referenceSchema = z
  .array(z.number().min(0))
  .min(2)
  .max(101)
  .refine((xs) => xs.some((x) => x > 0), 'give at least one share above 0')
  .meta({
    id: 'ReferenceDistribution',
    description: "A real survey's answer distribution to compare the study with: shares (or counts) in the order of the scale's points (lowest first), of [yes, no], or of the options (then other).",
  });

/** The fields every question has. */
export const commonFields = {
  id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'use 1 to 64 letters, digits, _ or -')
    .optional()
    .meta({ description: 'Unique within the study; default q1, q2, … by position.' }),
  text: z.string().trim().min(1).max(2000),
  when: whenSchema.optional(),
  elicitation: z
    .enum(['direct', 'ssr'])
    .optional()
    .meta({
      description:
        "Scale questions: 'direct' (the respondent picks a point; default) or 'ssr' (nps, likert, rating of up to 11 points, semantic_differential: the respondent answers in words, mapped to a probability distribution over the scale by embedding similarity to one anchor statement per point; needs a backend with embeddings).",
    }),
  reference: referenceSchema.optional(),
};

export type Normalized<V> = { ok: true; value: V } | { ok: false; errors: string[] };

/** A question as the runner holds it: the parsed definition with its id resolved. */
export interface BaseQuestion {
  id: string;
  type: QuestionType;
  text: string;
  when?: z.infer<typeof whenSchema> | undefined;
  elicitation?: 'direct' | 'ssr' | undefined;
  reference?: number[] | undefined;
}

/** A type's definition schema's output with the id resolved (ids default to q1, q2, …). */
export type Resolved<S extends z.ZodType> = Omit<z.infer<S>, 'id'> & { id: string };

export interface QuestionTypeDef<T extends QuestionType, Q extends BaseQuestion & { type: T }> {
  type: T;
  /** One line for docs and /openapi.json. */
  description: string;
  /** The definition a client sends (a strict zod object with `type` as its literal). */
  schema: z.ZodType;
  answerSchema(q: Q): Json;
  render(q: Q): string;
  /** The reply (schema-valid) → the Answer, `reasoning` included. */
  normalize(q: Q, raw: Json): Normalized<AnswerByType[T]>;
  /** How many shares a `reference` has (exactly `min` = `max` for a scale); absent: the type takes none. */
  referenceSize?(q: Q): { min: number; max: number };
  condition: ConditionKind;
  /** The scale of a scale question. */
  scale?(q: Q): ScaleInfo;
  /** The value skip logic compares (a number, a boolean, the chosen options). */
  conditionValue?(q: Q, value: AnswerByType[T]): number | boolean | string[];
  /** The values skip logic may compare against for a 'choice' question (options, profile ids). */
  choices?(q: Q): string[];
  /** The categories of the answer distribution, in display order. */
  categories(q: Q): string[];
  /** The categories an answer counts in (several for a multi-select). */
  tally(q: Q, value: AnswerByType[T]): string[];
}

/** An object schema with every property required and no others: what strict structured output needs. */
export function strictObject(properties: Record<string, Json>, description?: string): Json {
  return { type: 'object', ...(description ? { description } : {}), properties, required: Object.keys(properties), additionalProperties: false };
}

export const REASONING: Json = {
  type: 'string',
  description: 'In your own words, as yourself: why you answer this way (one to three sentences).',
};

/** The answer schema: reasoning first, then the type's fields. */
export function answerObject(fields: Record<string, Json>): Json {
  return strictObject({ reasoning: REASONING, ...fields });
}

export function integerField(min: number, max: number, description: string): Json {
  return { type: 'integer', minimum: min, maximum: max, description };
}

export function enumField(values: readonly string[], description: string): Json {
  return { type: 'string', enum: [...values], description };
}

/** "1 = a, 2 = b, …" */
export function numbered(labels: readonly string[], from = 1): string {
  return labels.map((l, i) => `${from + i} = ${l}`).join(', ');
}

/** Integers min..max as strings (a numeric scale's categories). */
export function range(min: number, max: number): string[] {
  const out: string[] = [];
  for (let v = min; v <= max; v++) out.push(String(v));
  return out;
}

/** The reply's reasoning, trimmed (every answer schema has it). */
export const reasoningOf = (raw: Json): string => String(raw.reasoning ?? '').trim();

export function defineQuestionType<T extends QuestionType, Q extends BaseQuestion & { type: T }>(def: QuestionTypeDef<T, Q>): QuestionTypeDef<T, Q> {
  return def;
}

/**
 * The scale point an answer stands at, for skip logic and the minimal counts: the point
 * itself (direct), or an SSR answer's expected value rounded to the nearest point.
 */
export const pointOf = (a: { value: number }): number => Math.round(a.value);
