/** Yes / no. */
import { z } from 'zod';
import { answerObject, commonFields, defineQuestionType, reasoningOf, type Resolved } from './define.js';

const schema = z.strictObject({ ...commonFields, type: z.literal('yes_no') }).meta({ id: 'YesNoQuestion', description: 'A yes or no question.' });
export type YesNoQuestion = Resolved<typeof schema>;

export const yesNo = defineQuestionType<'yes_no', YesNoQuestion>({
  type: 'yes_no',
  description: 'Yes or no.',
  schema,
  answerSchema: () => answerObject({ answer: { type: 'boolean', description: 'true = yes, false = no' } }),
  render: (q) => `${q.text}\nAnswer yes (true) or no (false).`,
  normalize: (_q, raw) => ({ ok: true, value: { value: raw.answer as boolean, reasoning: reasoningOf(raw) } }),
  referenceSize: () => ({ min: 2, max: 2 }),
  condition: 'boolean',
  conditionValue: (_q, a) => a.value,
  categories: () => ['yes', 'no'],
  tally: (_q, a) => [a.value ? 'yes' : 'no'],
});
