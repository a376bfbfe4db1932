/**
 * A fixed corpus for reading and measuring the sandbox's answers: five
 * personas (three from outside the US, with their own currencies) × twenty
 * ordinary research questions of every kind the engine recognizes, and the
 * repetition measures the voice test bounds (test/providers/sandbox-voice.test.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { personaSchema, type PersonaRecord } from '../../src/personas/persona-schema.js';
import { planSandboxResponse } from '../../src/providers/sandbox/index.js';
import type { ProviderRequest } from '../../src/providers/types.js';
import { request } from '../helpers/provider-kit.js';

const DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'personas');

export function loadPersona(id: string): PersonaRecord {
  return personaSchema.parse(JSON.parse(readFileSync(path.join(DIR, `${id}.json`), 'utf8')));
}

export const CORPUS_PERSONAS = ['hospital-cfo', 'gen-z-digital-native', 'budget-conscious-single-parent', 'india-kirana-store-owner', 'german-mittelstand-buyer'] as const;

export const CORPUS_QUESTIONS = [
  'Describe your morning routine.',
  'What would it take for you to switch from the grocery store you use most to a different one?',
  'Your phone plan goes from $45 to $55. Would you stay, downgrade, or switch? At what price would you leave?',
  'What do you think about a meal-kit subscription that delivers three dinners a week?',
  'How much would you pay per month for an app that tracks all your subscriptions?',
  'Which would you choose: a cheaper plan with ads or a pricier plan without ads?',
  'On a scale of 1 to 10, how likely are you to recommend your bank to a friend?',
  'Do you shop online for groceries?',
  'List three brands you trust.',
  'Where do you get your news?',
  'What frustrates you most about customer service?',
  "What's the last thing you bought that you regretted?",
  'How do you usually decide on a big purchase?',
  'Would you try a new energy drink made from green tea?',
  'Rate our new loyalty program from 1 to 5.',
  'What does a typical weekend look like for you?',
  'Is it worth paying extra for same-day delivery?',
  'What matters most to you when choosing a laptop?',
  'How do you feel about AI chatbots answering support questions?',
  'Would you rather rent or buy a home?',
] as const;

/** Lower-case words, apostrophes kept. */
function tokens(text: string): string[] {
  return text.toLowerCase().replace(/[’‘]/g, "'").match(/[\p{L}\p{N}$€£₹'-]+/gu) ?? [];
}

function sentencesOf(text: string): string[] {
  return text
    .split(/(?<=[.!?…])\s+|\n+/u)
    .map((s) => s.replace(/^[-*•\d.)\s]+/u, '').trim().toLowerCase())
    .filter((s) => tokens(s).length >= 4);
}

export interface Repetition {
  answers: number;
  /** Answers with a sentence (4+ words) that also appears in an answer of another persona: an engine formula. */
  formulaAnswers: number;
  /** Answers with a sentence (4+ words) that the same persona also says in another answer (its catchphrases, said now and then by design, aside). */
  repeatedWithinPersona: number;
  /** The 5-word sequence found in the most answers, and in how many. */
  topFiveGram: { gram: string; answers: number };
  /** The most common first three words of an answer, and how many answers open with them. */
  topOpening: { gram: string; answers: number };
  /** The most common last three words, and how many answers close with them. */
  topClosing: { gram: string; answers: number };
}

function top(counts: Map<string, number>): { gram: string; answers: number } {
  let best = { gram: '', answers: 0 };
  for (const [gram, n] of counts) if (n > best.answers || (n === best.answers && gram < best.gram)) best = { gram, answers: n };
  return best;
}

/** How formulaic a set of answers is (each answer with the persona that gave it). */
export function measureRepetition(answers: readonly { persona: string; text: string; catchphrases?: readonly string[] }[]): Repetition {
  const norm = (x: string) => x.toLowerCase().replace(/[’‘]/g, "'").replace(/[.!?…]+$/u, '').trim();
  const sentenceOwners = new Map<string, number[]>();
  const fiveGrams = new Map<string, number>();
  const openings = new Map<string, number>();
  const closings = new Map<string, number>();
  answers.forEach((a, i) => {
    for (const s of new Set(sentencesOf(a.text))) sentenceOwners.set(s, [...(sentenceOwners.get(s) ?? []), i]);
    const t = tokens(a.text);
    const grams = new Set<string>();
    for (let k = 0; k + 5 <= t.length; k++) grams.add(t.slice(k, k + 5).join(' '));
    for (const g of grams) fiveGrams.set(g, (fiveGrams.get(g) ?? 0) + 1);
    if (t.length >= 3) {
      const o = t.slice(0, 3).join(' ');
      const c = t.slice(-3).join(' ');
      openings.set(o, (openings.get(o) ?? 0) + 1);
      closings.set(c, (closings.get(c) ?? 0) + 1);
    }
  });
  const formula = new Set<number>();
  const within = new Set<number>();
  for (const [sentence, owners] of sentenceOwners) {
    if (owners.length < 2) continue;
    const personas = new Set(owners.map((i) => answers[i]?.persona));
    if (personas.size > 1) for (const i of owners) formula.add(i);
    for (const i of owners) {
      const phrases = new Set((answers[i]?.catchphrases ?? []).map(norm));
      if (phrases.has(norm(sentence))) continue;
      if (owners.some((j) => j !== i && answers[j]?.persona === answers[i]?.persona)) within.add(i);
    }
  }
  return { answers: answers.length, formulaAnswers: formula.size, repeatedWithinPersona: within.size, topFiveGram: top(fiveGrams), topOpening: top(openings), topClosing: top(closings) };
}

/** The sandbox's text answer to `message` from `persona` (none: no persona), in process; `over` replaces parts of the request. */
export function ask(persona: PersonaRecord | undefined, message: string, over: Partial<ProviderRequest> = {}): string {
  const plan = planSandboxResponse(request({ ...(persona ? { persona } : {}), items: [{ type: 'message', role: 'user', content: [{ type: 'text', text: message }] }], ...over }));
  if (plan.kind !== 'text') throw new Error(`expected a text answer, got ${plan.kind}`);
  return plan.text;
}
