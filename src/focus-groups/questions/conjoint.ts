/**
 * Conjoint (choice-based): choose one of several product profiles described
 * by the same attributes. One question is one choice task; several conjoint
 * questions with the same attributes make a design the results estimate
 * part-worths from.
 */
import { z } from 'zod';
import { answerObject, commonFields, defineQuestionType, enumField, label, reasoningOf, type Resolved } from './define.js';

export const NONE = 'none';

const attribute = z.strictObject({ name: label, levels: z.array(label).min(2).max(10) }).meta({ id: 'ConjointAttribute' });
const profile = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'use 1 to 32 letters, digits, _ or -').optional().meta({ description: 'Default A, B, C, … by position.' }),
    levels: z.record(z.string(), label).meta({ description: 'Attribute name → one of its levels; every attribute once.' }),
  })
  .meta({ id: 'ConjointProfile' });

const schema = z
  .strictObject({
    ...commonFields,
    type: z.literal('conjoint'),
    attributes: z.array(attribute).min(1).max(10),
    profiles: z.array(profile).min(2).max(6),
    allow_none: z.boolean().optional().meta({ description: `Adds "${NONE}": choose none of them.` }),
  })
  .superRefine((q, ctx) => {
    const names = q.attributes.map((a) => a.name);
    q.attributes.forEach((a, i) => {
      if (names.indexOf(a.name) !== i) ctx.addIssue({ code: 'custom', path: ['attributes', i, 'name'], message: `'${a.name}' is listed twice` });
      if (new Set(a.levels).size !== a.levels.length) ctx.addIssue({ code: 'custom', path: ['attributes', i, 'levels'], message: 'a level is listed twice' });
    });
    const ids = new Set<string>();
    q.profiles.forEach((p, i) => {
      const id = p.id ?? letter(i);
      if (ids.has(id) || id === NONE) ctx.addIssue({ code: 'custom', path: ['profiles', i, 'id'], message: `'${id}' is used twice or reserved` });
      ids.add(id);
      for (const a of q.attributes) {
        const level = p.levels[a.name];
        if (level === undefined) ctx.addIssue({ code: 'custom', path: ['profiles', i, 'levels'], message: `give a level for '${a.name}'` });
        else if (!a.levels.includes(level)) ctx.addIssue({ code: 'custom', path: ['profiles', i, 'levels', a.name], message: `'${level}' is not one of the levels of '${a.name}'` });
      }
      for (const k of Object.keys(p.levels)) {
        if (!names.includes(k)) ctx.addIssue({ code: 'custom', path: ['profiles', i, 'levels', k], message: `'${k}' is not an attribute` });
      }
    });
  })
  .meta({ id: 'ConjointQuestion', description: 'Choose one of several profiles described by the same attributes.' });
export type ConjointQuestion = Resolved<typeof schema>;

function letter(i: number): string {
  return i < 26 ? String.fromCharCode(65 + i) : `P${i + 1}`;
}

export const profileIds = (q: ConjointQuestion): string[] => q.profiles.map((p, i) => p.id ?? letter(i));
const choicesOf = (q: ConjointQuestion): string[] => (q.allow_none ? [...profileIds(q), NONE] : profileIds(q));
const chosenId = (q: ConjointQuestion, chosen: number | null): string => (chosen === null ? NONE : profileIds(q)[chosen]!);

export const conjoint = defineQuestionType<'conjoint', ConjointQuestion>({
  type: 'conjoint',
  description: 'Choose between product profiles described by attributes.',
  schema,
  answerSchema: (q) => answerObject({ choice: enumField(choicesOf(q), `The id of the option you would choose${q.allow_none ? ` ("${NONE}" for none of them)` : ''}.`) }),
  render: (q) => {
    const ids = profileIds(q);
    const lines = q.profiles.map((p, i) => `Option ${ids[i]}: ${q.attributes.map((a) => `${a.name}: ${p.levels[a.name]}`).join('; ')}`);
    return `${q.text}\n${lines.join('\n')}\nChoose the id of the option you would pick${q.allow_none ? `, or "${NONE}" if you would pick none of them` : ''}.`;
  },
  normalize: (q, raw) => {
    const choice = raw.choice as string;
    const i = profileIds(q).indexOf(choice);
    // One question is one choice task: the profiles shown, and which was chosen (null: none).
    const shown = q.profiles.map((p) => ({ ...p.levels }));
    return { ok: true, value: { tasks: [{ shown, chosen: i >= 0 ? i : null }], reasoning: reasoningOf(raw) } };
  },
  condition: 'choice',
  choices: choicesOf,
  conditionValue: (q, a) => [chosenId(q, a.tasks[0]?.chosen ?? null)],
  categories: choicesOf,
  tally: (q, a) => [chosenId(q, a.tasks[0]?.chosen ?? null)],
});
