/**
 * Skip logic: a question with `when` is asked only if an earlier answer of
 * the same respondent matches. The condition names the earlier question and
 * one or more operators, all of which must hold:
 *
 *   {"question_id": "q1", "gte": 9}                 NPS promoters only
 *   {"question_id": "owns", "equals": true}         yes_no
 *   {"question_id": "brand", "in": ["Acme", "Zed"]}  a choice among options
 *   {"question_id": "features", "includes": "GPS"}  a multi-select that includes GPS
 *
 * Numbers (nps, likert, rating, slider, semantic_differential) take equals,
 * not_equals, in, gt, gte, lt, lte; yes_no takes equals / not_equals;
 * choices (multiple_choice, conjoint, and ranking's first-ranked option) take
 * equals, not_equals, in and (multi-select) includes. open_ended, matrix and
 * maxdiff answers cannot be referenced. A skipped or failed earlier answer
 * never matches, so what depends on it is skipped too.
 */
import { z } from 'zod';

/** What skip logic can test on a type's answers. */
export type ConditionKind =
  /** equals / not_equals / in / gt / gte / lt / lte on the number. */
  | 'number'
  /** equals / not_equals on the boolean. */
  | 'boolean'
  /** equals / not_equals / in on the chosen option (first-ranked for ranking); includes on a multi-select. */
  | 'choice'
  /** Cannot be referenced by `when`. */
  | 'none';

const scalar = z.union([z.string().max(200), z.number(), z.boolean()]);

export const whenSchema = z
  .strictObject({
    question_id: z.string().min(1).max(64),
    equals: scalar.optional(),
    not_equals: scalar.optional(),
    in: z.array(z.union([z.string().max(200), z.number()])).min(1).max(50).optional(),
    gt: z.number().optional(),
    gte: z.number().optional(),
    lt: z.number().optional(),
    lte: z.number().optional(),
    includes: z.string().max(200).optional(),
  })
  .refine((w) => OPERATORS.some((op) => w[op] !== undefined), { message: `give at least one of ${['equals', 'not_equals', 'in', 'gt', 'gte', 'lt', 'lte', 'includes'].join(', ')}` })
  .meta({ id: 'SkipCondition', description: 'Ask this question only when the answer to an earlier question matches (every operator given must hold).' });

export type When = z.infer<typeof whenSchema>;

const OPERATORS = ['equals', 'not_equals', 'in', 'gt', 'gte', 'lt', 'lte', 'includes'] as const;
type Operator = (typeof OPERATORS)[number];

const ALLOWED: Record<ConditionKind, readonly Operator[]> = {
  number: ['equals', 'not_equals', 'in', 'gt', 'gte', 'lt', 'lte'],
  boolean: ['equals', 'not_equals'],
  choice: ['equals', 'not_equals', 'in', 'includes'],
  none: [],
};

/** What a referenced question offers to a condition. */
export interface ConditionTarget {
  type: string;
  kind: ConditionKind;
  /** For 'choice': the values that can be chosen. */
  choices?: string[];
  /** For 'choice': whether several can be chosen (includes). */
  multiple?: boolean;
}

/** Problems of a condition against the question it references: [field, message]. */
export function checkWhen(when: When, target: ConditionTarget): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  if (target.kind === 'none') return [['question_id', `answers to ${target.type} questions cannot be used in a condition`]];
  for (const op of OPERATORS) {
    const v = when[op];
    if (v === undefined) continue;
    if (!ALLOWED[target.kind].includes(op)) {
      out.push([op, `'${op}' does not apply to a ${target.type} answer (use ${ALLOWED[target.kind].join(', ')})`]);
      continue;
    }
    if (op === 'includes' && !target.multiple) {
      out.push([op, `'includes' needs a multi-select question (multiple: true); use equals or in`]);
      continue;
    }
    const values = Array.isArray(v) ? v : [v];
    values.forEach((x, i) => {
      const field = Array.isArray(v) ? `${op}[${i}]` : op;
      if (target.kind === 'number' && typeof x !== 'number') out.push([field, `must be a number for a ${target.type} answer`]);
      if (target.kind === 'boolean' && typeof x !== 'boolean') out.push([field, 'must be true or false for a yes_no answer']);
      if (target.kind === 'choice') {
        if (typeof x !== 'string') out.push([field, `must be one of the question's choices`]);
        else if (target.choices && !target.choices.includes(x)) out.push([field, `'${x}' is not one of [${target.choices.map((c) => `'${c}'`).join(', ')}]`]);
      }
    });
  }
  return out;
}

/** Whether the condition holds for the referenced answer's value (undefined: skipped, failed or not asked). */
export function conditionHolds(when: When, value: number | boolean | string[] | undefined): boolean {
  if (value === undefined) return false;
  const checks: boolean[] = [];
  if (typeof value === 'number') {
    if (when.equals !== undefined) checks.push(value === when.equals);
    if (when.not_equals !== undefined) checks.push(value !== when.not_equals);
    if (when.in !== undefined) checks.push(when.in.includes(value));
    if (when.gt !== undefined) checks.push(value > when.gt);
    if (when.gte !== undefined) checks.push(value >= when.gte);
    if (when.lt !== undefined) checks.push(value < when.lt);
    if (when.lte !== undefined) checks.push(value <= when.lte);
  } else if (typeof value === 'boolean') {
    if (when.equals !== undefined) checks.push(value === when.equals);
    if (when.not_equals !== undefined) checks.push(value !== when.not_equals);
  } else {
    const only = value.length === 1 ? value[0] : undefined;
    if (when.equals !== undefined) checks.push(only === when.equals);
    if (when.not_equals !== undefined) checks.push(only !== when.not_equals);
    if (when.in !== undefined) checks.push(value.some((x) => when.in!.includes(x)));
    if (when.includes !== undefined) checks.push(value.includes(when.includes));
  }
  return checks.length > 0 && checks.every(Boolean);
}
