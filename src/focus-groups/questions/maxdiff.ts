/**
 * MaxDiff (best–worst scaling): in each set of options, the best and the
 * worst. `sets` may be given; otherwise a design is built from `options`:
 * sets of `set_size` (default 4) taken cyclically from the option list so
 * each option appears about three times, the same for every respondent.
 */
import { z } from 'zod';
import { answerObject, commonFields, defineQuestionType, enumField, label, optionList, reasoningOf, strictObject, type Resolved } from './define.js';

const schema = z
  .strictObject({
    ...commonFields,
    type: z.literal('maxdiff'),
    options: optionList(3, 30),
    sets: z.array(z.array(label).min(2).max(7)).min(1).max(20).optional().meta({ description: 'The sets shown (members of options); default: built from options.' }),
    set_size: z.number().int().min(3).max(6).optional().meta({ description: 'Options per generated set (default 4, at most the number of options).' }),
  })
  .superRefine((q, ctx) => {
    if (q.sets && q.set_size !== undefined) ctx.addIssue({ code: 'custom', path: ['set_size'], message: 'set_size applies only when sets are generated; remove it or sets' });
    if (q.set_size !== undefined && q.set_size > q.options.length) ctx.addIssue({ code: 'custom', path: ['set_size'], message: `at most the number of options (${q.options.length})` });
    q.sets?.forEach((set, i) => {
      if (new Set(set).size !== set.length) ctx.addIssue({ code: 'custom', path: ['sets', i], message: 'an option is listed twice in this set' });
      set.forEach((o, j) => {
        if (!q.options.includes(o)) ctx.addIssue({ code: 'custom', path: ['sets', i, j], message: `'${o}' is not one of the options` });
      });
    });
  })
  .meta({ id: 'MaxDiffQuestion', description: 'Best and worst within each set of options.' });
export type MaxDiffQuestion = Resolved<typeof schema>;

/** The sets shown, in order: the given ones, or the generated design. */
export function setsOf(q: MaxDiffQuestion): string[][] {
  if (q.sets) return q.sets;
  const n = q.options.length;
  const k = Math.min(q.set_size ?? 4, n);
  const count = Math.min(20, Math.max(1, Math.ceil((3 * n) / k)));
  return Array.from({ length: count }, (_, s) => Array.from({ length: k }, (_, i) => q.options[(s * k + i) % n]!));
}

const key = (i: number) => `set_${i + 1}`;

export const maxdiff = defineQuestionType<'maxdiff', MaxDiffQuestion>({
  type: 'maxdiff',
  description: 'Best and worst option within each set.',
  schema,
  answerSchema: (q) =>
    answerObject({
      sets: strictObject(
        Object.fromEntries(setsOf(q).map((set, i) => [key(i), strictObject({ best: enumField(set, 'the most important / appealing'), worst: enumField(set, 'the least important / appealing') })])),
        'For each set: the best and the worst option (two different options of that set).',
      ),
    }),
  render: (q) => {
    const sets = setsOf(q).map((set, i) => `${key(i)}: ${set.map((o) => `"${o}"`).join(', ')}`);
    return `${q.text}\nFor each set, choose the best and the worst option (two different ones):\n${sets.join('\n')}`;
  },
  normalize: (q, raw) => {
    const answers = raw.sets as Record<string, { best: string; worst: string }>;
    const sets = setsOf(q);
    const errors: string[] = [];
    const tasks = sets.map((shown, i) => {
      const a = answers[key(i)]!;
      if (a.best === a.worst) errors.push(`/sets/${key(i)}: best and worst must be two different options`);
      return { shown, best: a.best, worst: a.worst };
    });
    return errors.length ? { ok: false, errors } : { ok: true, value: { tasks, reasoning: reasoningOf(raw) } };
  },
  condition: 'none',
  categories: (q) => q.options,
  /** The distribution counts "best" picks. */
  tally: (_q, a) => a.tasks.map((t) => t.best),
});
