/**
 * Content for structured-output fields whose name says what they hold,
 * rather than the next sentence of the answer: a concern field
 * (`top_concern`, `main_objection`, `risks`) gets one of the persona's
 * objections or deal-breakers that fits the question, said as a sentence; a
 * benefit field (`top_benefit`, `pros`, `what_they_like`) one of its
 * purchase triggers or values. Without a persona, the answer's sentence that
 * speaks to it (doubt words for a concern), else a plain default.
 */
import { bestOf, own } from '../../profile-phrases.js';
import { asNoun, phraseOf } from '../../phrase-form.js';
import type { Rng } from '../../seed.js';
import { capitalize, sentence, stemSetOf } from '../../../../text/words.js';
import type { InstanceHints } from '../hints.js';

const CONCERN = new Set([
  'concern',
  'concerns',
  'objection',
  'objections',
  'risk',
  'risks',
  'con',
  'cons',
  'worry',
  'worries',
  'downside',
  'downsides',
  'drawback',
  'drawbacks',
  'hesitation',
  'hesitations',
  'fear',
  'fears',
  'dealbreaker',
  'blocker',
  'blockers',
  'barrier',
  'barriers',
  'doubt',
  'doubts',
  'complaint',
  'complaints',
  'dislike',
  'dislikes',
  'weakness',
  'weaknesses',
]);
const BENEFIT = new Set([
  'benefit',
  'benefits',
  'pro',
  'pros',
  'upside',
  'upsides',
  'strength',
  'strengths',
  'appeal',
  'like',
  'likes',
  'advantage',
  'advantages',
  'motivator',
  'motivators',
  'driver',
  'drivers',
]);

export type FieldKind = 'concern' | 'benefit';

/** Whether a property named by `words` holds a concern or a benefit. */
export function fieldKind(words: readonly string[]): FieldKind | undefined {
  const last = words[words.length - 1] ?? '';
  const all = words.join('_');
  if (CONCERN.has(last) || /deal_?breaker/.test(all)) return 'concern';
  if (BENEFIT.has(last) || all === 'what_they_like' || all === 'liked_most') return 'benefit';
  return undefined;
}

const DOUBT = /\b(?:worr\w*|concern\w*|doubt\w*|problem|catch|risk\w*|hidden|fees?|cost\w*|afford|deal-breaker|walk away|skeptic\w*|not convinced)\b/i;

const GOOD = /\b(?:saves?|easy|easier|helps?|useful|value|faster|better|convenient|reliable)\b/i;

/** The content of a concern or benefit field; `index` rotates through the candidates of a list. */
export function fieldContent(kind: FieldKind, hints: InstanceHints, rng: Rng, index: number): string {
  const p = hints.persona?.profile;
  const q = stemSetOf(hints.message);
  if (p) {
    const pool = kind === 'concern' ? [...p.objections, ...p.buying_behavior.deal_breakers, ...p.pains] : [...p.buying_behavior.purchase_triggers, ...p.psychographics.values];
    const used = new Set<string>();
    const ranked: string[] = [];
    while (ranked.length < Math.min(pool.length, index + 1)) ranked.push(bestOf(pool, q, rng.fork(ranked.length), used));
    const raw = ranked[index % Math.max(1, ranked.length)] ?? pool[0] ?? '';
    const phrase = phraseOf(raw);
    if (phrase.form === 'question') return capitalize(`${own(phrase.text)}?`);
    if (phrase.form === 'statement') return sentence(capitalize(own(phrase.text)));
    const noun = asNoun({ ...phrase, text: own(phrase.text) });
    return sentence(capitalize(noun ?? own(phrase.text)));
  }
  const fits = hints.sentences.filter((s) => (kind === 'concern' ? DOUBT.test(s) : GOOD.test(s) && !DOUBT.test(s)));
  if (fits.length) return fits[index % fits.length] as string;
  return kind === 'concern'
    ? (['Whether it is worth the cost.', 'How reliable it is over time.', 'Hidden fees.'][index % 3] as string)
    : (['It saves time.', 'It is easy to use.', 'Good value for the money.'][index % 3] as string);
}
