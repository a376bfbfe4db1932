/** Multiple choice: one option, or several (`multiple`), optionally "Other" with the respondent's own text. */
import { z } from 'zod';
import { answerObject, commonFields, defineQuestionType, enumField, optionList, reasoningOf, type Resolved } from './define.js';

export const OTHER = 'Other';

const schema = z
  .strictObject({
    ...commonFields,
    type: z.literal('multiple_choice'),
    options: optionList(2, 20),
    multiple: z.boolean().optional().meta({ description: 'Several options may be chosen (default false).' }),
    max_choices: z.number().int().min(1).max(20).optional().meta({ description: 'With multiple: at most this many.' }),
    allow_other: z.boolean().optional().meta({ description: `Adds "${OTHER}" with the respondent's own text.` }),
  })
  .superRefine((q, ctx) => {
    if (q.allow_other && q.options.some((o) => o.toLowerCase() === OTHER.toLowerCase())) {
      ctx.addIssue({ code: 'custom', path: ['options'], message: `'${OTHER}' is added by allow_other; remove it from options` });
    }
    if (q.max_choices !== undefined && !q.multiple) ctx.addIssue({ code: 'custom', path: ['max_choices'], message: 'max_choices needs multiple: true' });
  })
  .meta({ id: 'MultipleChoiceQuestion', description: 'One option, or several with multiple: true; allow_other adds "Other" with free text.' });
export type MultipleChoiceQuestion = Resolved<typeof schema>;

export const choicesOf = (q: MultipleChoiceQuestion): string[] => (q.allow_other ? [...q.options, OTHER] : q.options);
const otherField = { other_text: { type: ['string', 'null'], description: `Only when you chose "${OTHER}": what it is; otherwise null.` } };

export const multipleChoice = defineQuestionType<'multiple_choice', MultipleChoiceQuestion>({
  type: 'multiple_choice',
  description: 'Choose one option (or several with multiple: true), optionally "Other" with text.',
  schema,
  answerSchema: (q) => {
    const choices = choicesOf(q);
    const pick = q.multiple
      ? { choices: { type: 'array', items: enumField(choices, 'an option'), minItems: 1, maxItems: Math.min(q.max_choices ?? choices.length, choices.length), description: 'Every option that applies, each once.' } }
      : { choice: enumField(choices, 'The one option you choose.') };
    return answerObject(q.allow_other ? { ...pick, ...otherField } : pick);
  },
  render: (q) => {
    const lines = choicesOf(q).map((o) => `- ${o}`);
    const how = q.multiple ? `Choose every option that applies${q.max_choices ? ` (at most ${q.max_choices})` : ''}` : 'Choose one option';
    return `${q.text}\n${how}:\n${lines.join('\n')}${q.allow_other ? `\nIf you choose "${OTHER}", say what in other_text.` : ''}`;
  },
  normalize: (q, raw) => {
    const picked = q.multiple ? (raw.choices as string[]) : [raw.choice as string];
    if (new Set(picked).size !== picked.length) return { ok: false, errors: ['/choices lists an option more than once; list each once'] };
    // The chosen options in the question's order; "Other" is not an option but the respondent's `other` text.
    const selected = q.options.filter((o) => picked.includes(o));
    if (q.allow_other && picked.includes(OTHER)) {
      const text = typeof raw.other_text === 'string' ? raw.other_text.trim() : '';
      if (!text) return { ok: false, errors: [`/other_text must say what "${OTHER}" is`] };
      return { ok: true, value: { selected, other: text.slice(0, 500), reasoning: reasoningOf(raw) } };
    }
    return { ok: true, value: { selected, reasoning: reasoningOf(raw) } };
  },
  referenceSize: (q) => ({ min: 2, max: q.options.length + 1 }),
  condition: 'choice',
  choices: choicesOf,
  conditionValue: (_q, a) => (a.other !== undefined ? [...a.selected, OTHER] : [...a.selected]),
  categories: choicesOf,
  tally: (_q, a) => (a.other !== undefined ? [...a.selected, OTHER] : [...a.selected]),
});
