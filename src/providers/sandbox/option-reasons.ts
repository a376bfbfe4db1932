/**
 * Why a survey respondent picked the option it picked, said about that
 * option: "Ready meals: they save me time on busy evenings", not a trait
 * that has nothing to do with it ("the price doesn't put me off. So my
 * answer is Ready meals."). The option's words say what kind of thing it is
 * (quick, cheap, premium, home-made, online, in person, none of them); the
 * respondent's traits say which of its sides counts for this person.
 */
import type { PersonaRecord } from '../../personas/persona-schema.js';
import { stemSetOf } from '../../text/words.js';
import { bestOf, own } from './profile-phrases.js';
import type { Rng } from './seed.js';

const KINDS: [RegExp, string[]][] = [
  [/^(?:none|neither|nothing|no |never|not )/i, ['none of these fits how I live', 'none of them is something I would actually use']],
  [/\b(?:home|homemade|home-cooked|cook\w*|diy|scratch|myself)\b/i, ['I would rather make it myself and know what is in it', 'doing it myself is cheaper and I know what I get']],
  [
    /\b(?:ready|quick|fast|instant|delivery|delivered|convenien\w*|easy|pre-?made|meal kits?|takeaway|take-?out|same-day|automatic\w*)\b/i,
    ['it saves me time on busy days', 'it is the easiest option, and my time is short'],
  ],
  [
    /\b(?:cheap\w*|budget|value|discount\w*|basic|store[- ]brand|own[- ]brand|generic|free|sale|coupons?|second-?hand|used)\b/i,
    ['it is the cheapest way to get what I need', 'it keeps the cost down, and that decides it for me'],
  ],
  [/\b(?:premium|organic|quality|luxury|fresh|artisan\w*|craft|designer|high-end|pro)\b/i, ['quality matters more to me than the price here', 'I would rather pay for the better version']],
  [/\b(?:online|app|apps|digital|website|phone|mobile|subscription)\b/i, ['I do most things on my phone anyway', 'online is where I already do this']],
  [/\b(?:store|shop|in[- ]person|local|market|branch|face[- ]to[- ]face)\b/i, ['I like to see things before I buy them', 'I trust it more when I can talk to someone']],
  [/\b(?:family|kids|children|friends)\b/i, ['it works for the people I do this with', 'it fits my family best']],
  [/\b(?:health\w*|fitness|diet|nutrition\w*|wellness)\b/i, ['I try to look after my health', 'it is the healthier choice']],
];

/** A reason in the first person for choosing `option` (no end punctuation). */
export function optionReason(option: string, traits: Readonly<Record<string, number>>, persona: PersonaRecord | undefined, rng: Rng): string {
  const kind = KINDS.find(([re]) => re.test(option));
  if (kind) return rng.pick(kind[1]);
  // nothing in its words: what the persona cares about that is nearest the option
  const p = persona?.profile;
  if (p) {
    const pool = [...p.psychographics.values, ...p.psychographics.interests];
    if (pool.length) return `it fits what I care about, ${own(bestOf(pool, stemSetOf(option), rng))}`;
  }
  return (traits.openness ?? 50) > 60 ? 'it sounds like the most interesting of the options' : 'it is the closest to what I already do';
}
