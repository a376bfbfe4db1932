/** Open-ended: the respondent's own words (themes come from the results). */
import { z } from 'zod';
import { answerObject, commonFields, defineQuestionType, reasoningOf, type Resolved } from './define.js';

const schema = z
  .strictObject({
    ...commonFields,
    type: z.literal('open_ended'),
    max_words: z.number().int().min(5).max(500).optional().meta({ description: 'Ask for at most this many words (default 80).' }),
  })
  .meta({ id: 'OpenEndedQuestion', description: 'A free-text answer.' });
export type OpenEndedQuestion = Resolved<typeof schema>;

const maxWords = (q: OpenEndedQuestion) => q.max_words ?? 80;

export const openEnded = defineQuestionType<'open_ended', OpenEndedQuestion>({
  type: 'open_ended',
  description: 'A free-text answer.',
  schema,
  answerSchema: (q) => answerObject({ answer: { type: 'string', description: `Your answer in your own words, at most ${maxWords(q)} words.` } }),
  render: (q) => `${q.text}\nAnswer in your own words (at most ${maxWords(q)} words).`,
  normalize: (q, raw) => {
    const text = String(raw.answer).trim();
    if (text === '') return { ok: false, errors: ['/answer must not be empty'] };
    // Generous: a model that runs a little long is not asked again, one that writes an essay is.
    const words = text.split(/\s+/).length;
    if (words > maxWords(q) * 2) return { ok: false, errors: [`/answer has ${words} words; keep it to at most ${maxWords(q)}`] };
    return { ok: true, value: { text, reasoning: reasoningOf(raw) } };
  },
  condition: 'none',
  categories: () => [],
  tally: () => [],
});
