/**
 * The sandbox as a survey respondent: a structured answer (any strict JSON
 * Schema of scales, choices, rankings, yes/no, free text) whose values follow
 * the respondent's sampled traits, so a simulated study's distributions have
 * spread and the spread means something.
 *
 * 1. A lean in [-1, 1]: how favourable this respondent is to what is asked.
 *    Temperament (agreeableness, extraversion, neuroticism) sets a base;
 *    the words of the question and the stimulus bring in the traits they
 *    touch — a price (price_sensitivity lowers the lean), something new
 *    (openness raises it), switching brands (brand_loyalty lowers it) — and
 *    a seeded draw adds the rest (the same respondent's questions share part
 *    of it, so their answers agree with each other).
 * 2. The value follows the lean: a number at its position in [min, max],
 *    a boolean by its sign, choices by a per-option score that mixes a
 *    stable taste with the lean, a ranking by those scores, best/worst pairs
 *    at the two ends.
 * 3. `reasoning` says why in words that agree with the value: the stance of
 *    the lean, the trait that moved it most, and the value itself.
 * 4. An "Other" choice says what it is: one of the persona's interests or
 *    goals, the one nearest the question (the respondent's draw breaks ties),
 *    so "other" answers vary and sound like who gave them.
 *
 * Pure and deterministic: the same request (its seed) gives the same answer.
 */
import type { PersonaRecord } from '../../personas/persona-schema.js';
import { stemSetOf, stripTerminal } from '../../text/words.js';
import type { RespondentHint } from '../types.js';
import type { VoiceAnswer } from './persona-voice.js';
import { bestOf, ownPronouns } from './profile-phrases.js';
import { Rng, stableStringify } from './seed.js';
import { optionReason } from './option-reasons.js';
import { withPrior } from './respondent-memory.js';

type Schema = Record<string, unknown>;

interface Driver {
  /** Contribution to the lean. */
  weight: number;
  /** Why, when it pushes up / down. */
  up: string;
  down: string;
}

const PRICE = /\b(price[sd]?|pricing|cost[s]?|costly|expensive|afford\w*|pay|paying|subscription|fee[s]?|cheap\w*|discount\w*|per month|monthly|\/mo|budget)\b|[$€£¥₹]\s?\d/i;
const NOVELTY = /\b(new|novel|innovative|innovation|try|trying|concept|idea|launch\w*|first|future|prototype|redesign\w*)\b/i;
const SWITCHING = /\b(switch\w*|change|changing|alternative[s]?|competitor[s]?|instead|replace\w*|brand[s]?)\b/i;
const RISK = /\b(risk\w*|safe\w*|trust\w*|secure|security|privacy|reliab\w*|worr\w*)\b/i;

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** Gaussian draw (Box–Muller) from the sandbox Rng. */
function normal(rng: Rng): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

export interface Lean {
  value: number;
  drivers: Driver[];
}

/** How favourable the respondent is to what `question` (with `context`) asks. */
export function leanOf(hint: RespondentHint, question: string, rng: Rng): Lean {
  const t = (k: string) => (clamp(hint.traits[k] ?? 50, 0, 100) - 50) / 50;
  const text = `${question}\n${hint.context ?? ''}`;
  const drivers: Driver[] = [
    { weight: 0.25 * t('agreeableness'), up: "I'm easy to please when something is decent", down: "I'm hard to win over" },
    { weight: 0.1 * t('extraversion'), up: 'I like talking things up', down: "I keep my enthusiasm in check" },
    { weight: -0.1 * t('neuroticism'), up: "I don't worry much about things going wrong", down: 'I tend to worry about what could go wrong' },
  ];
  if (PRICE.test(text)) drivers.push({ weight: -0.6 * t('price_sensitivity'), up: "the price doesn't put me off", down: 'the price matters a lot to me and this feels like a lot to pay' });
  if (NOVELTY.test(text)) drivers.push({ weight: 0.35 * t('openness'), up: 'I like trying new things', down: 'I prefer what I already know works' });
  if (SWITCHING.test(text)) drivers.push({ weight: -0.3 * t('brand_loyalty'), up: "I'm happy to switch when something is better", down: 'I stick with the brands I trust' });
  if (RISK.test(text)) drivers.push({ weight: -0.2 * t('neuroticism') + 0.1 * t('conscientiousness'), up: 'it seems safe enough to me', down: "I'd need to be sure it's safe and reliable" });
  // Part of the draw belongs to the respondent (stable across its questions), part to this question.
  const own = new Rng(`respondent/${stableStringify(hint.traits)}`);
  const value = clamp(0.1 + drivers.reduce((n, d) => n + d.weight, 0) + 0.25 * normal(own) + 0.3 * normal(rng), -1, 1);
  return { value, drivers };
}

function typesOf(s: Schema): string[] {
  const t = s.type;
  return Array.isArray(t) ? (t as string[]) : typeof t === 'string' ? [t] : [];
}

/** A stable taste for an option (the respondent's, not the question's), in [0, 1). */
function taste(hint: RespondentHint, option: string): number {
  return new Rng(`taste/${stableStringify(hint.traits)}/${option}`).next();
}

const NEGATIVE_OPTION = /\b(no|not|never|none|neither|dis\w*|un\w*|worse|less|low\w*|bad|poor|cheap\w*)\b/i;

/** Options scored by taste and lean: a favourable respondent leans away from negative options. */
function scores(hint: RespondentHint, options: readonly string[], lean: number, rng: Rng): number[] {
  return options.map((o) => 0.6 * taste(hint, o) + 0.25 * rng.next() + (NEGATIVE_OPTION.test(o) ? -0.3 * lean : 0.1 * lean));
}

function order(options: readonly string[], s: number[]): string[] {
  return options.map((o, i) => [o, s[i]!] as const).sort((a, b) => b[1] - a[1]).map(([o]) => o);
}

interface Fill {
  hint: RespondentHint;
  lean: number;
  rng: Rng;
  voice: VoiceAnswer;
  /** The question's first line (what an "Other" text is chosen to fit). */
  question: string;
  persona?: PersonaRecord | undefined;
  /** The first scalar value chosen (what the reasoning quotes). */
  headline?: string | undefined;
  /** The option chosen first (a choice, a multi-select, a ranking): the reasoning is about it. */
  chosen?: string | undefined;
  /** An "Other" option was chosen: a nullable text beside it says what. */
  other?: boolean;
}

const OTHER = /^other\b/i;

function fill(schema: Schema, key: string, f: Fill): unknown {
  const types = typesOf(schema);
  if (types.includes('object') && schema.properties && typeof schema.properties === 'object') {
    const props = schema.properties as Record<string, Schema>;
    const names = Object.keys(props);
    // A best/worst pair over the same options: the two ends of the scores.
    const best = props.best?.enum;
    const worst = props.worst?.enum;
    if (names.length === 2 && Array.isArray(best) && Array.isArray(worst) && stableStringify(best) === stableStringify(worst) && best.length >= 2) {
      const ranked = order(best as string[], scores(f.hint, best as string[], f.lean, f.rng));
      return { best: ranked[0], worst: ranked[ranked.length - 1] };
    }
    const out: Record<string, unknown> = {};
    for (const name of names) out[name] = name === 'reasoning' ? '' : fill(props[name]!, name, f);
    return out;
  }
  if (Array.isArray(schema.enum) && schema.enum.length > 0) {
    const options = schema.enum.map(String);
    const pick = order(options, scores(f.hint, options, f.lean, f.rng))[0]!;
    f.headline ??= pick;
    f.chosen ??= pick;
    if (OTHER.test(pick)) f.other = true;
    return schema.enum[options.indexOf(pick)];
  }
  if (types.includes('array')) {
    const items = (schema.items ?? {}) as Schema;
    const options = Array.isArray(items.enum) ? items.enum.map(String) : [];
    const min = typeof schema.minItems === 'number' ? schema.minItems : 0;
    const max = typeof schema.maxItems === 'number' ? schema.maxItems : options.length || 3;
    if (options.length) {
      const ranked = order(options, scores(f.hint, options, f.lean, f.rng));
      // Everything (a ranking), or the options that appeal enough (a multi-select).
      const wanted = min >= options.length ? options.length : clamp(1 + Math.round(((f.lean + 1) / 2) * Math.min(3, options.length - 1) + 0.4 * normal(f.rng)), Math.max(1, min), max);
      const chosen = ranked.slice(0, wanted);
      f.headline ??= chosen[0];
      f.chosen ??= chosen[0];
      if (min < options.length && chosen.some((c) => OTHER.test(c))) f.other = true;
      return chosen;
    }
    return Array.from({ length: Math.max(min, Math.min(max, 1)) }, () => fill(items, key, f));
  }
  if (types.includes('integer') || types.includes('number')) {
    const lo = typeof schema.minimum === 'number' ? schema.minimum : 0;
    const hi = typeof schema.maximum === 'number' ? schema.maximum : 10;
    const position = clamp((f.lean + 1) / 2 + 0.08 * normal(f.rng), 0, 1);
    const v = clamp(Math.round(lo + position * (hi - lo)), Math.ceil(lo), Math.floor(hi));
    f.headline ??= `${v} (on ${lo} to ${hi})`;
    return v;
  }
  if (types.includes('boolean')) {
    const yes = f.lean + 0.15 * normal(f.rng) > 0;
    f.headline ??= yes ? 'yes' : 'no';
    return yes;
  }
  if (types.includes('null')) return f.other && types.includes('string') ? otherText(f) : null;
  if (types.includes('string')) {
    // The persona's own words: they already take the respondent's stance (a stock "I'm fairly
    // positive about it" before them only fed the study's themes with its words).
    const words = f.voice.text.split(/\s+/).slice(0, 60).join(' ');
    return words ? words : `${stance(f.lean)}.`;
  }
  return null;
}

/** What an "Other" choice is (see 4. above); without a persona, the answer's topic. */
function otherText(f: Fill): string {
  const p = f.persona?.profile;
  // Goals are written about the persona ("travel while they can"): said in the first person.
  const pool = p ? [...p.psychographics.interests, ...p.goals.map(ownPronouns)] : [];
  if (pool.length > 0) {
    const text = stripTerminal(bestOf(pool, stemSetOf(f.question), f.rng).trim());
    return text.length <= 120 ? text : `${text.slice(0, 120).replace(/\s+\S*$/, '')}…`;
  }
  return f.voice.topic && f.voice.topic !== 'that' ? `Something for ${f.voice.topic}` : 'Something else';
}

function stance(lean: number): string {
  if (lean > 0.5) return 'I really like this';
  if (lean > 0.15) return "I'm fairly positive about it";
  if (lean > -0.15) return "I'm in two minds";
  if (lean > -0.5) return "I'm not convinced";
  return "Honestly, this isn't for me";
}

function reasoning(lean: Lean, headline: string | undefined): string {
  // The trait that pushed hardest the way the answer went.
  const why = lean.drivers
    .filter((d) => Math.abs(d.weight) > 0.03 && d.weight >= 0 === lean.value >= 0)
    .sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight))[0];
  const first = why ? `${stance(lean.value)}: ${why.weight >= 0 ? why.up : why.down}.` : `${stance(lean.value)}.`;
  return headline === undefined ? first : `${first} So my answer is ${headline}.`;
}

/** The respondent's answer to `question` under the strict answer `schema`; `persona`, who answers (what an "Other" choice is). */
export function respondentAnswer(schema: Schema, hint: RespondentHint, question: string, voice: VoiceAnswer, rng: Rng, persona?: PersonaRecord, prior?: number): unknown {
  const lean = leanOf(hint, question, rng.fork('lean'));
  lean.value = withPrior(lean.value, prior);
  const f: Fill = { hint, lean: lean.value, rng: rng.fork('values'), voice, question: question.split('\n')[0] ?? question, persona };
  const value = fill(schema, '', f);
  if (value && typeof value === 'object' && !Array.isArray(value) && 'reasoning' in value) {
    (value as Record<string, unknown>).reasoning =
      f.chosen !== undefined && !OTHER.test(f.chosen) ? `I chose ${f.chosen} because ${optionReason(f.chosen, hint.traits, persona, rng.fork('why'))}.` : reasoning(lean, f.headline);
  }
  return value;
}
