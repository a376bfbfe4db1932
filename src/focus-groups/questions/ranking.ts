/** Ranking: every option in order of preference. */
import { z } from 'zod';
import { answerObject, commonFields, defineQuestionType, enumField, optionList, reasoningOf, type Resolved } from './define.js';

const schema = z
  .strictObject({ ...commonFields, type: z.literal('ranking'), options: optionList(2, 20) })
  .meta({ id: 'RankingQuestion', description: 'Rank every option, most preferred first.' });
export type RankingQuestion = Resolved<typeof schema>;

export const ranking = defineQuestionType<'ranking', RankingQuestion>({
  type: 'ranking',
  description: 'Every option in order of preference, most preferred first.',
  schema,
  answerSchema: (q) =>
    answerObject({
      ranking: { type: 'array', items: enumField(q.options, 'an option'), minItems: q.options.length, maxItems: q.options.length, description: 'Every option exactly once, most preferred first.' },
    }),
  render: (q) => `${q.text}\nRank all of these, most preferred first:\n${q.options.map((o) => `- ${o}`).join('\n')}`,
  normalize: (q, raw) => {
    const order = raw.ranking as string[];
    const missing = q.options.filter((o) => !order.includes(o));
    if (missing.length > 0 || new Set(order).size !== order.length) {
      return { ok: false, errors: [`/ranking must list every option exactly once${missing.length ? `; missing: ${missing.map((m) => `'${m}'`).join(', ')}` : ''}`] };
    }
    return { ok: true, value: { order, reasoning: reasoningOf(raw) } };
  },
  condition: 'choice',
  choices: (q) => q.options,
  /** Skip logic compares the first-ranked option. */
  conditionValue: (_q, a) => a.order.slice(0, 1),
  categories: (q) => q.options,
  /** The distribution counts first places. */
  tally: (_q, a) => a.order.slice(0, 1),
});
