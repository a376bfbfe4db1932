/** Net Promoter Score: "how likely are you to recommend …", 0–10. */
import { z } from 'zod';
import { answerObject, commonFields, defineQuestionType, integerField, range, reasoningOf, type Resolved } from './define.js';
import { pointOf } from './define.js';

const schema = z.strictObject({ ...commonFields, type: z.literal('nps') }).meta({ id: 'NpsQuestion', description: 'How likely to recommend, 0–10 (promoters 9–10, detractors 0–6).' });
export type NpsQuestion = Resolved<typeof schema>;

export const nps = defineQuestionType<'nps', NpsQuestion>({
  type: 'nps',
  description: 'Net Promoter Score, 0–10.',
  schema,
  answerSchema: () => answerObject({ score: integerField(0, 10, '0 = not at all likely, 10 = extremely likely') }),
  render: (q) => `${q.text}\nAnswer with a score from 0 (not at all likely) to 10 (extremely likely).`,
  normalize: (_q, raw) => ({ ok: true, value: { value: raw.score as number, reasoning: reasoningOf(raw) } }),
  referenceSize: () => ({ min: 11, max: 11 }),
  condition: 'number',
  scale: () => ({ min: 0, max: 10, labels: ['Not at all likely', 'Extremely likely'] }),
  conditionValue: (_q, a) => pointOf(a),
  categories: () => range(0, 10),
  tally: (_q, a) => [String(pointOf(a))],
});
