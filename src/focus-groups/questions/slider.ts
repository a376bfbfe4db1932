/** Slider: a position from min to max (default 0–100), e.g. a likelihood in percent. */
import { z } from 'zod';
import { answerObject, commonFields, defineQuestionType, integerField, label, reasoningOf, type Resolved } from './define.js';

const schema = z
  .strictObject({
    ...commonFields,
    type: z.literal('slider'),
    min: z.number().int().min(-1000).max(1000).default(0).meta({ description: 'Default 0.' }),
    max: z.number().int().min(-1000).max(1000).default(100).meta({ description: 'Default 100.' }),
    min_label: label.optional(),
    max_label: label.optional(),
  })
  .superRefine((q, ctx) => {
    if (q.min >= q.max) ctx.addIssue({ code: 'custom', path: ['max'], message: `max must be greater than min (${q.min})` });
  })
  .meta({ id: 'SliderQuestion', description: 'A position on a slider from min to max (default 0–100).' });
export type SliderQuestion = Resolved<typeof schema>;

const bounds = (q: SliderQuestion) => ({ min: q.min, max: q.max });
const ends = (q: SliderQuestion) => {
  const { min, max } = bounds(q);
  return `${min}${q.min_label ? ` (${q.min_label})` : ''} to ${max}${q.max_label ? ` (${q.max_label})` : ''}`;
};

/** Ten equal bins: a slider's distribution (0–9, 10–19, …, 90–100 on the default scale). */
function bins(q: SliderQuestion): Array<{ name: string; from: number; to: number }> {
  const { min, max } = bounds(q);
  const width = (max - min) / 10;
  return Array.from({ length: 10 }, (_, i) => {
    const from = Math.ceil(min + i * width);
    const to = i === 9 ? max : Math.ceil(min + (i + 1) * width) - 1;
    return { name: `${from}-${to}`, from, to };
  }).filter((b) => b.to >= b.from);
}

export const slider = defineQuestionType<'slider', SliderQuestion>({
  type: 'slider',
  description: 'A position from min to max (default 0–100).',
  schema,
  answerSchema: (q) => answerObject({ value: integerField(bounds(q).min, bounds(q).max, `from ${ends(q)}`) }),
  render: (q) => `${q.text}\nAnswer with a whole number from ${ends(q)}.`,
  normalize: (_q, raw) => ({ ok: true, value: { value: raw.value as number, reasoning: reasoningOf(raw) } }),
  referenceSize: (q) => ({ min: q.max - q.min + 1, max: q.max - q.min + 1 }),
  condition: 'number',
  scale: (q) => ({ ...bounds(q), ...(q.min_label && q.max_label ? { labels: [q.min_label, q.max_label] } : {}) }),
  conditionValue: (_q, a) => a.value,
  categories: (q) => bins(q).map((b) => b.name),
  tally: (q, a) => {
    const b = bins(q).find((x) => a.value >= x.from && a.value <= x.to);
    return b ? [b.name] : [];
  },
});
