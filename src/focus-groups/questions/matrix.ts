/** Matrix: several rows (items) rated on one scale (columns). */
import { z } from 'zod';
import { AGREEMENT_5, AGREEMENT_7 } from './likert.js';
import { answerObject, commonFields, defineQuestionType, integerField, label, numbered, optionList, range, reasoningOf, strictObject, type Resolved } from './define.js';

const schema = z
  .strictObject({
    ...commonFields,
    type: z.literal('matrix'),
    rows: optionList(1, 20).meta({ description: 'The items rated, e.g. "Price", "Quality".' }),
    scale: z.number().int().min(2).max(11).default(5).meta({ description: 'Points of the scale (default 5).' }),
    labels: z.array(label).optional().meta({ description: 'One label per point, lowest first (default: agreement for 5 or 7 points, else none).' }),
  })
  .superRefine((q, ctx) => {
    const points = q.scale;
    if (q.labels && q.labels.length !== points) ctx.addIssue({ code: 'custom', path: ['labels'], message: `give exactly ${points} labels, one per point of the scale (got ${q.labels.length})` });
  })
  .meta({ id: 'MatrixQuestion', description: 'Rows rated on one scale.' });
export type MatrixQuestion = Resolved<typeof schema>;

export const pointsOf = (q: MatrixQuestion) => q.scale;
export const matrixLabels = (q: MatrixQuestion): string[] | undefined => q.labels ?? (pointsOf(q) === 5 ? AGREEMENT_5 : pointsOf(q) === 7 ? AGREEMENT_7 : undefined);
const scaleText = (q: MatrixQuestion) => {
  const labels = matrixLabels(q);
  return labels ? numbered(labels) : `1 = lowest, ${pointsOf(q)} = highest`;
};

export const matrix = defineQuestionType<'matrix', MatrixQuestion>({
  type: 'matrix',
  description: 'Several rows rated on one scale.',
  schema,
  answerSchema: (q) => answerObject({ ratings: strictObject(Object.fromEntries(q.rows.map((r) => [r, integerField(1, pointsOf(q), scaleText(q))])), 'One rating per row.') }),
  render: (q) => `${q.text}\nRate each of these on a scale where ${scaleText(q)}:\n${q.rows.map((r) => `- ${r}`).join('\n')}`,
  normalize: (q, raw) => {
    const ratings = raw.ratings as Record<string, number>;
    return { ok: true, value: { rows: Object.fromEntries(q.rows.map((r) => [r, { value: ratings[r]! }])), reasoning: reasoningOf(raw) } };
  },
  condition: 'none',
  scale: (q) => ({ min: 1, max: pointsOf(q), ...(matrixLabels(q) ? { labels: matrixLabels(q)! } : {}) }),
  /** Row × point, "Price: 4". */
  categories: (q) => q.rows.flatMap((r) => range(1, pointsOf(q)).map((p) => `${r}: ${p}`)),
  tally: (q, a) => q.rows.map((r) => `${r}: ${a.rows[r]?.value}`),
});
