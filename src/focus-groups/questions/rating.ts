/** Rating: an integer from min to max (default 1–10), e.g. stars. */
import { z } from 'zod';
import { answerObject, commonFields, defineQuestionType, integerField, label, range, reasoningOf, type Resolved } from './define.js';
import { pointOf } from './define.js';

const schema = z
  .strictObject({
    ...commonFields,
    type: z.literal('rating'),
    min: z.number().int().min(0).max(100).default(1).meta({ description: 'Lowest point (default 1).' }),
    max: z.number().int().min(1).max(100).default(10).meta({ description: 'Highest point (default 10).' }),
    min_label: label.optional(),
    max_label: label.optional(),
  })
  .superRefine((q, ctx) => {
    if (q.min >= q.max) ctx.addIssue({ code: 'custom', path: ['max'], message: `max must be greater than min (${q.min})` });
  })
  .meta({ id: 'RatingQuestion', description: 'An integer rating from min to max (default 1–10).' });
export type RatingQuestion = Resolved<typeof schema>;

const bounds = (q: RatingQuestion) => ({ min: q.min, max: q.max });
const ends = (q: RatingQuestion) => {
  const { min, max } = bounds(q);
  return `${min}${q.min_label ? ` (${q.min_label})` : ''} to ${max}${q.max_label ? ` (${q.max_label})` : ''}`;
};

export const rating = defineQuestionType<'rating', RatingQuestion>({
  type: 'rating',
  description: 'An integer rating from min to max (default 1–10).',
  schema,
  answerSchema: (q) => answerObject({ rating: integerField(bounds(q).min, bounds(q).max, `from ${ends(q)}`) }),
  render: (q) => `${q.text}\nAnswer with a whole number from ${ends(q)}.`,
  normalize: (_q, raw) => ({ ok: true, value: { value: raw.rating as number, reasoning: reasoningOf(raw) } }),
  referenceSize: (q) => ({ min: q.max - q.min + 1, max: q.max - q.min + 1 }),
  condition: 'number',
  scale: (q) => ({ ...bounds(q), ...(q.min_label && q.max_label ? { labels: [q.min_label, q.max_label] } : {}) }),
  conditionValue: (_q, a) => pointOf(a),
  categories: (q) => range(bounds(q).min, bounds(q).max),
  tally: (_q, a) => [String(pointOf(a))],
});
