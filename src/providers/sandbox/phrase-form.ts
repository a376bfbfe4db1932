/**
 * The grammatical form of a profile item, so a template only ever receives
 * what its slot can hold. Profile lists are free text written by people:
 * a purchase trigger may be a noun phrase ("free returns"), a verb phrase
 * ("saves time"), or a whole clause ("kids need it now"); an objection may be
 * a question ("Is this just an ad?") or a statement ("I can probably find a
 * cheaper dupe."). A frame like "as long as there's ___" wants a noun
 * phrase, "I'd want to know: ___" a question, "___ matters to me" a singular
 * noun — so each slot takes a `Phrase` and says which forms it accepts, and
 * the helpers here turn any form into the one a frame needs.
 */
import { stripTerminal } from '../../text/words.js';

export type PhraseForm = 'noun' | 'verb' | 'clause' | 'question' | 'statement';

export interface Phrase {
  /** The words, first-person, without end punctuation (a question keeps its "?"). */
  text: string;
  form: PhraseForm;
  /** A noun phrase that takes a plural verb ("experiences", "free returns", "friends and family"). */
  plural: boolean;
}

/** Third-person present verbs a verb phrase or a clause turns on. */
const FINITE = new Set(
  `is are was were has have had does do did can can't cannot will won't would should must need needs want wants uses recommends says
  sets gets goes works saves makes takes gives shows comes offers lets helps keeps runs breaks fits integrates supports includes
  accepts covers pays delivers ships cuts reduces lowers adds explains speaks matters lasts handles feels looks sounds tastes knows
  trusts vouches answers arrives opens tracks plugs syncs connects`.split(/\s+/),
);
/** Verbs that open a verb phrase ("saves hours on admin", "works with existing equipment"). */
const VERB_LEAD =
  /^(?:saves|works|integrates|accepts|comes|offers|lets|helps|keeps|runs|fits|supports|includes|covers|pays|delivers|ships|cuts|reduces|lowers|adds|explains|speaks|lasts|handles|feels|looks|sounds|tastes|makes|takes|gives|shows|requires|needs|uses|has|is|are|plugs|syncs|connects|answers|arrives|tracks|doesn't|does|can|will)\b/i;
const ADJECTIVE_LEAD =
  /^(?:available|compatible|made|built|backed|certified|approved|covered|included|sold|designed|endorsed|recommended|priced|easy|simple|proven|free)\s+(?:on|in|by|with|for|to|at|under|from)\b/i;
const RELATIVE = /\b(?:that|who|which|whose|where|when)\s*$/i;
/** Nouns that look plural but take a singular verb, and mass nouns. */
const SINGULAR_S = /(?:ss|us|is|ics|ness|news|series|analysis|status|bus|gas|canvas|access)$/i;

/** Reads the form of one profile item (see the file comment). */
export function phraseOf(raw: string): Phrase {
  const trimmed = raw.trim();
  const text = /\?\s*$/.test(trimmed) ? trimmed.replace(/\s+\?$/, '?') : stripTerminal(trimmed);
  if (/\?\s*$/.test(trimmed)) return { text, form: 'question', plural: false };
  const words = text.split(/\s+/);
  if (
    /^I(?:['’]\w+)?$/.test(words[0] ?? '') ||
    (/[.!]\s*$/.test(trimmed) && words.length > 3) ||
    (/^(?:i|we|you)\b/i.test(text) && /\b(?:am|is|are|can|can't|won't|don't|do|will|need|have)\b/i.test(text))
  )
    return { text, form: 'statement', plural: false };
  if (VERB_LEAD.test(text) && words.length > 1) return { text, form: 'verb', plural: false };
  // "available on a GPO contract", "made in Germany": a predicate, said with "is"
  if (ADJECTIVE_LEAD.test(text) && words.length > 1) return { text: `is ${text}`, form: 'verb', plural: false };
  // a finite verb after a subject: "kids need it now", "a contractor they respect uses it"
  for (let i = 1; i < words.length; i++) {
    const w = (words[i] ?? '').toLowerCase();
    if (!FINITE.has(w)) continue;
    const before = words.slice(0, i).join(' ');
    if (RELATIVE.test(before) || /\b(?:to|of|for|with|without|on|in|at|by|no)$/i.test(before)) continue;
    // "kids need it now": a bare plural subject; "a family member recommends it": an article and a noun
    if (i <= 4 && !/,/.test(before)) return { text, form: 'clause', plural: false };
  }
  return { text, form: 'noun', plural: isPlural(text) };
}

/** Whether a noun phrase takes a plural verb: "experiences", "free returns", "friends and family". */
export function isPlural(np: string): boolean {
  const core = np.replace(/\s*\([^)]*\)/g, '').trim();
  if (/\b(?:and|&)\b/i.test(core) && !/\bor\b/i.test(core)) return true;
  // the head noun: the last word before "of/for/with/…", else the last word
  const head = (/^(.+?)\s+(?:of|for|with|from|in|on|at|without|that|who|which|to)\b/i.exec(core)?.[1] ?? core).split(/\s+/).pop() ?? '';
  const w = head.toLowerCase().replace(/[^a-z']/g, '');
  if (/^(?:people|children|police)$/.test(w)) return true;
  return w.endsWith('s') && w.length >= 3 && !SINGULAR_S.test(w) && !w.endsWith("'s");
}

/** "matters" or "matter", "is" or "are", for a noun phrase as the subject. */
export function agree(p: Phrase, singular: string, plural: string): string {
  return p.form === 'noun' && p.plural ? plural : singular;
}

/**
 * The item as a noun phrase, for frames like "I look for ___" or "give me ___":
 * a verb phrase becomes "something that saves time", a clause "knowing kids need it now"…
 * Returns undefined for questions and statements: they do not fit a noun slot.
 */
export function asNoun(p: Phrase): string | undefined {
  if (p.form === 'noun') return p.text;
  if (p.form === 'verb') return `something that ${p.text}`;
  return undefined;
}

/** The item as a condition clause, for "if ___" / "when ___" frames: "there's free returns" is avoided. */
export function asCondition(p: Phrase): string | undefined {
  if (p.form === 'clause') return p.text;
  if (p.form === 'verb') return `it ${p.text}`;
  if (p.form === 'noun') return `${p.plural ? 'there are' : 'there is'} ${p.text}`;
  return undefined;
}
