/** Likert: agreement (or any labelled scale) on 5 or 7 points; labels default to agreement. */
import { z } from 'zod';
import { answerObject, commonFields, defineQuestionType, integerField, label, numbered, range, reasoningOf, type Resolved } from './define.js';
import { pointOf } from './define.js';

export const AGREEMENT_5 = ['Strongly disagree', 'Disagree', 'Neither agree nor disagree', 'Agree', 'Strongly agree'];
export const AGREEMENT_7 = ['Strongly disagree', 'Disagree', 'Somewhat disagree', 'Neither agree nor disagree', 'Somewhat agree', 'Agree', 'Strongly agree'];

const schema = z
  .strictObject({
    ...commonFields,
    type: z.literal('likert'),
    scale: z.union([z.literal(5), z.literal(7)]).default(5).meta({ description: 'Points: 5 (default) or 7.' }),
    labels: z.array(label).optional().meta({ description: 'One label per point, lowest first; default: agreement (Strongly disagree … Strongly agree).' }),
  })
  .superRefine((q, ctx) => {
    const points = q.scale;
    if (q.labels && q.labels.length !== points) ctx.addIssue({ code: 'custom', path: ['labels'], message: `give exactly ${points} labels, one per point of the scale (got ${q.labels.length})` });
  })
  .meta({ id: 'LikertQuestion', description: 'A labelled 5- or 7-point scale.' });
export type LikertQuestion = Resolved<typeof schema>;

export const labelsOf = (q: LikertQuestion): string[] => q.labels ?? (q.scale === 7 ? AGREEMENT_7 : AGREEMENT_5);

export const likert = defineQuestionType<'likert', LikertQuestion>({
  type: 'likert',
  description: 'A labelled 5- or 7-point scale (agreement by default).',
  schema,
  answerSchema: (q) => answerObject({ rating: integerField(1, labelsOf(q).length, numbered(labelsOf(q))) }),
  render: (q) => `${q.text}\nAnswer with a number: ${numbered(labelsOf(q))}.`,
  normalize: (_q, raw) => ({ ok: true, value: { value: raw.rating as number, reasoning: reasoningOf(raw) } }),
  referenceSize: (q) => ({ min: q.scale, max: q.scale }),
  condition: 'number',
  scale: (q) => ({ min: 1, max: labelsOf(q).length, labels: labelsOf(q) }),
  conditionValue: (_q, a) => pointOf(a),
  categories: (q) => range(1, labelsOf(q).length),
  tally: (_q, a) => [String(pointOf(a))],
});
