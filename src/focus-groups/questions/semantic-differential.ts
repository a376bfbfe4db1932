/** Semantic differential: a position between two opposite adjectives (left … right) on a `scale` of 7 (default) or 5 points. */
import { z } from 'zod';
import { answerObject, commonFields, defineQuestionType, integerField, label, range, reasoningOf, type Resolved } from './define.js';
import { pointOf } from './define.js';

const schema = z
  .strictObject({
    ...commonFields,
    type: z.literal('semantic_differential'),
    left: label.meta({ description: 'The pole at point 1, e.g. "Cheap".' }),
    right: label.meta({ description: 'The pole at the last point, e.g. "Premium".' }),
    scale: z.union([z.literal(5), z.literal(7)]).default(7).meta({ description: 'Points: 7 (default) or 5.' }),
  })
  .meta({ id: 'SemanticDifferentialQuestion', description: 'A position between two opposite adjectives.' });
export type SemanticDifferentialQuestion = Resolved<typeof schema>;

const points = (q: SemanticDifferentialQuestion) => q.scale;

export const semanticDifferential = defineQuestionType<'semantic_differential', SemanticDifferentialQuestion>({
  type: 'semantic_differential',
  description: 'A position between two opposite adjectives (5 or 7 points).',
  schema,
  answerSchema: (q) => answerObject({ position: integerField(1, points(q), `1 = ${q.left}, ${points(q)} = ${q.right}, ${(points(q) + 1) / 2} = neither`) }),
  render: (q) => `${q.text}\nPlace it on a scale from 1 (${q.left}) to ${points(q)} (${q.right}); ${(points(q) + 1) / 2} is in the middle.`,
  normalize: (_q, raw) => ({ ok: true, value: { value: raw.position as number, reasoning: reasoningOf(raw) } }),
  referenceSize: (q) => ({ min: q.scale, max: q.scale }),
  condition: 'number',
  scale: (q) => ({ min: 1, max: points(q), labels: [q.left, q.right] }),
  conditionValue: (_q, a) => pointOf(a),
  categories: (q) => range(1, points(q)),
  tally: (_q, a) => [String(pointOf(a))],
});
