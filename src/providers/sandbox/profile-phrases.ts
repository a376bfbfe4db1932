/**
 * A persona's profile as things it can say about itself in the first
 * person — its routine from `media.habits` ("checks markets several times a
 * day" → "I check markets several times a day"), its brands and apps, its
 * sources — and its stable opinion ("lean") of a subject.
 *
 * The lean is seeded by the persona (and a sampled respondent's traits) and
 * the subject, never by the wording of the request: the same person asked
 * about the same thing twice, in one conversation or in two, leans the same
 * way, so its ratings and prices agree.
 */
import type { PersonaRecord } from '../../personas/persona-schema.js';
import { isStopword, overlap, stemSetOf, stripTerminal } from '../../text/words.js';
import type { QuestionRead } from './question.js';
import { Rng, stableStringify } from './seed.js';
import type { Sensitivity } from './money.js';

const COMMON_START = new Set(
  `hidden poor long high low lack unclear unproven rising aging limited too very every no not new old more less bad good big small
  being getting having making finding paying keeping slow fast cheap expensive complex complicated confusing price prices cost costs
  time lack staff money data family work customer customers people kids children quality service support trust rent bills
  last somewhere roughly around usually probably easily zero none two three four five about maybe possibly honestly since now there`.split(/\s+/),
);

/** Lower-cases the first letter of a common word; names ("Medicare", "TikTok", "ROI") keep theirs. */
export function lowerFirst(text: string): string {
  const first = /^[\p{L}'’]+/u.exec(text)?.[0] ?? '';
  if (!first || /^I(?:['’]|$)/.test(first) || /^\p{Lu}{2,}/u.test(first) || /^\p{Lu}\p{Ll}*\p{Lu}/u.test(first)) return text;
  const lower = first.toLowerCase();
  if (isStopword(lower) || COMMON_START.has(lower)) return text.charAt(0).toLowerCase() + text.slice(1);
  return text;
}

export function listPhrase(items: readonly string[], conj = 'and'): string {
  if (items.length <= 1) return items[0] ?? '';
  if (items.length === 2) return `${items[0]} ${conj} ${items[1]}`;
  return `${items.slice(0, -1).join(', ')} ${conj} ${items[items.length - 1]}`;
}

/** Third-person verbs that open habit clauses, and their first-person form. */
const VERBS = new Set(
  `reads checks watches attends shops scrolls uses listens orders streams spends works pays follows does lives plans reviews buys builds
  researches opens tracks skims writes sorts binge-watches quotes teaches skips joins logs prefers goes emails asks triages shares
  testifies catches keeps ignores reports receives posts takes calls starts speaks makes walks studies monitors visits cooks drives
  searches looks compares tries tests consults scans googles waits relies trusts listens buys gets
  texts browses hosts meets runs sends saves compares talks gets relies trusts avoids waits handles manages leaves eats drinks sees`.split(/\s+/),
);
const ADVERB = /^(?:always|mostly|usually|often|occasionally|sometimes|daily|rarely|still|also|now|then)$/i;

function baseForm(verb: string): string {
  const v = verb.toLowerCase();
  const irregular: Record<string, string> = { does: 'do', goes: 'go', has: 'have', is: 'am', 'binge-watches': 'binge-watch' };
  if (irregular[v]) return irregular[v];
  if (v.endsWith('ies')) return `${v.slice(0, -3)}y`;
  if (/(?:ches|shes|sses|xes|zes)$/.test(v)) return v.slice(0, -2);
  if (v.endsWith('s')) return v.slice(0, -1);
  return v;
}

export function ownPronouns(text: string): string {
  return text
    .replace(/\b(?:his|her|their)\b/g, 'my')
    .replace(/\b(?:him|them)self\b|\bthemselves\b/g, 'myself')
    .replace(/\bthem\b/g, 'me')
    .replace(/\b(?:he|she|they)\b/g, 'I');
}

export interface HabitClause {
  /** "I check markets and weather several times a day" (a verb clause), or the noun phrase as written. */
  text: string;
  verb: boolean;
}

/** The persona's habits, one clause each: verb clauses in the first person, noun phrases as they are. */
export function habits(persona: PersonaRecord): HabitClause[] {
  return persona.profile.media.habits
    .split(/;|\.\s+/)
    .map((c) => stripTerminal(c.trim()))
    .filter(Boolean)
    .map((clause) => {
      const words = clause.split(/\s+/);
      let i = 0;
      const adverbs: string[] = [];
      while (i < words.length - 1 && ADVERB.test(words[i] ?? '')) adverbs.push(words[i++] as string);
      const w = words[i] ?? '';
      if (VERBS.has(w.toLowerCase())) {
        const rest = ownPronouns(words.slice(i + 1).join(' '));
        return { text: `I ${[...adverbs.map((a) => a.toLowerCase()), baseForm(w)].join(' ')}${rest ? ` ${rest}` : ''}`, verb: true };
      }
      return { text: ownPronouns(clause), verb: false };
    });
}

const brandsOf = new WeakMap<PersonaRecord['profile'], readonly string[]>();

/**
 * Brand and product names the persona uses or trusts (platforms, capitalised names in its
 * sources and phrases); worked out once per profile object (an answer asks several times).
 */
export function brands(persona: PersonaRecord): readonly string[] {
  let known = brandsOf.get(persona.profile);
  if (known === undefined) brandsOf.set(persona.profile, (known = brandsFrom(persona.profile)));
  return known;
}

function brandsFrom(p: PersonaRecord['profile']): string[] {
  const out: string[] = [];
  const add = (s: string) => {
    const t = stripTerminal(s.replace(/\s*\([^)]*\)/g, '').trim());
    if (t && /\p{Lu}/u.test(t) && !out.some((x) => x.toLowerCase() === t.toLowerCase()) && t.split(/\s+/).length <= 6) out.push(t);
  };
  const names = (s: string) => s.replace(/\s*\([^)]*\)/g, '').split(/\s*,\s*|\s+and\s+|\s+or\s+|\s*\/\s*/);
  for (const s of p.media.platforms) for (const n of names(s)) add(n);
  for (const s of p.media.trusted_sources) if (/^\p{Lu}/u.test(s)) for (const n of names(s)) add(n);
  return out;
}

/** Where the persona gets information: channels, then trusted sources. */
export function sources(persona: PersonaRecord): { channels: string[]; trusted: string[] } {
  return { channels: persona.profile.media.channels.map((c) => own(c)), trusted: persona.profile.media.trusted_sources.map((c) => own(c)) };
}

/** The member of `items` that best overlaps the question, ties broken by `rng`, skipping `used` when it can. */
export function bestOf(items: readonly string[], q: ReadonlySet<string>, rng: Rng, used?: Set<string>): string {
  const pool = used ? items.filter((x) => !used.has(x)) : items;
  const list = pool.length ? pool : items;
  let top = list[0] ?? '';
  let topScore = -Infinity;
  for (const x of list) {
    const s = overlap(q, stemSetOf(x)) + rng.next() * 0.9;
    if (s > topScore) {
      topScore = s;
      top = x;
    }
  }
  used?.add(top);
  return top;
}

/** A 0–100 respondent trait as a level. */
function levelOf(value: number | undefined): Sensitivity | undefined {
  if (value === undefined) return undefined;
  const v = value > 1 ? value / 100 : value;
  return v >= 0.62 ? 'high' : v <= 0.38 ? 'low' : 'medium';
}

export interface Disposition {
  priceSensitivity: Sensitivity;
  brandLoyalty: Sensitivity;
  /** Big Five, 0–100. */
  openness: number;
  agreeableness: number;
  neuroticism: number;
}

/** The persona's buying disposition, with a sampled respondent's traits (0–100) in place of the profile's where given. */
export function disposition(persona: PersonaRecord | undefined, traits: Readonly<Record<string, number>> | undefined): Disposition {
  const p = persona?.profile;
  const b5 = p?.psychographics.big_five;
  const t = traits ?? {};
  return {
    priceSensitivity: levelOf(t.price_sensitivity) ?? p?.buying_behavior.price_sensitivity ?? 'medium',
    brandLoyalty: levelOf(t.brand_loyalty) ?? p?.buying_behavior.brand_loyalty ?? 'medium',
    openness: t.openness ?? b5?.openness ?? 50,
    agreeableness: t.agreeableness ?? b5?.agreeableness ?? 50,
    neuroticism: t.neuroticism ?? b5?.neuroticism ?? 50,
  };
}

const NOVELTY = /\b(?:new|novel|innovative|try|trying|concept|idea|launch\w*|first|prototype|beta|ai)\b/i;
const SWITCHING = /\b(?:switch\w*|change|changing|alternative|competitor|instead|replace\w*|different)\b/i;

export interface Lean {
  /** -1 (against) … 1 (for). */
  value: number;
  /** A stable draw in [0, 1) for this person and subject (prices, ratings). */
  jitter: number;
}

/** Same persona, traits and subject → same lean (see the file comment). */
export function leanOf(persona: PersonaRecord | undefined, traits: Readonly<Record<string, number>> | undefined, q: QuestionRead): Lean {
  const d = disposition(persona, traits);
  const own = new Rng(`lean/${persona?.id ?? 'neutral'}/${stableStringify(traits ?? null)}/${q.subjectKey}`);
  const noise = own.next() + own.next() - 1;
  const jitter = own.next();
  let v = ((d.agreeableness - 50) / 100) * 0.6 + ((d.openness - 50) / 100) * 0.3 - ((d.neuroticism - 50) / 100) * 0.2 + noise * 0.45;
  if (persona) {
    const p = persona.profile;
    const qs = stemSetOf(`${q.subject ?? ''} ${q.message}`);
    const pos = stemSetOf([...p.buying_behavior.purchase_triggers, ...p.psychographics.values, ...p.psychographics.interests, ...p.goals].join(' '));
    const neg = stemSetOf([...p.buying_behavior.deal_breakers, ...p.pains, ...p.objections].join(' '));
    v += Math.max(-0.4, Math.min(0.4, 0.15 * (overlap(qs, pos) - overlap(qs, neg))));
  }
  if (q.priced) v += d.priceSensitivity === 'high' ? -0.25 : d.priceSensitivity === 'low' ? 0.1 : -0.05;
  if (NOVELTY.test(q.message)) v += ((d.openness - 50) / 100) * 0.4;
  if (SWITCHING.test(q.message)) v += d.brandLoyalty === 'high' ? -0.15 : d.brandLoyalty === 'low' ? 0.1 : 0;
  return { value: Math.max(-1, Math.min(1, v)), jitter };
}

/**
 * A profile phrase as something the persona does: "compares on Tweakers, asks
 * friends" → "compare on Tweakers, ask friends" (verb: true), or the noun
 * phrase as written ("yield trial data, dealer advice", verb: false).
 */
export function actionPhrase(text: string): { text: string; verb: boolean } {
  const parts = stripTerminal(text).split(/\s*[,;]\s*/);
  let verbs = 0;
  const out = parts.map((part) => {
    const words = part.split(/\s+/);
    let i = 0;
    const adverbs: string[] = [];
    while (i < words.length - 1 && ADVERB.test(words[i] ?? '')) adverbs.push((words[i++] as string).toLowerCase());
    const w = words[i] ?? '';
    if (VERBS.has(w.toLowerCase()) || (/^[a-z]+s$/.test(w) && !/(?:ss|us|is|ics|ness)$/.test(w) && (words[i + 1] ?? '').length > 0 && /^(?:the|a|an|on|in|to|for|with|at|up|out|from|every|each|other|my|his|her|their|it|them|all|reviews?|\w+ly)$/.test(words[i + 1] ?? ''))) {
      verbs++;
      return [...adverbs, baseForm(w), ownPronouns(words.slice(i + 1).join(' '))].filter(Boolean).join(' ');
    }
    return ownPronouns(part);
  });
  return { text: out.join(', '), verb: verbs > 0 && verbs >= parts.length / 2 };
}

const BASE_VERBS = new Set(
  `protect own give travel cycle keep buy hit stay optimize help save manage get grow pass improve reduce find build make learn pay spend avoid
  cut become retire raise support win modernize expand hire land start finish launch move earn secure send feed stop spend provide care
  balance replace upgrade lower increase create maintain streamline automate prove meet comply survive enjoy remain live see look be have
  do feel afford pay buy finish launch scale digitize attract retain diversify invest hedge minimize consolidate shape hand
  educate prepare fund work leave advise publish mentor communicate enable teach award graduate arrive bridge catch express
  digitalize sustain contain compete recover accelerate close inform acquire develop fill advance stretch reach use ship decide
  extend share marry influence advocate study not eventually`.split(/\s+/),
);

/** Whether a goal or trigger starts with a base-form verb ("own a home"), so "I want to …" reads right. */
export function startsWithVerb(text: string): boolean {
  return BASE_VERBS.has((/^[a-z]+/.exec(text.trim())?.[0] ?? '').toLowerCase());
}

/** A profile item said by the persona: "their doctor" → "my doctor", lower-cased, without end punctuation. */
export function own(text: string): string {
  return lowerFirst(ownPronouns(stripTerminal(text)));
}
