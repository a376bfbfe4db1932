/**
 * The sandbox engine's plain-text answers: read the question (question.ts)
 * and what `instructions` ask of the form (directives.ts), work out how the
 * person leans on the subject (stable for the same person and subject, so a
 * conversation's numbers agree), answer each ask in its kind
 * (persona-answers.ts, or neutral-answers.ts without a persona), then cut
 * and shape: sentences by `verbosity` (low 1–2, medium 3–5, high 6–9) unless
 * the instructions name a length, bullets or JSON when asked.
 *
 * A catchphrase of the persona comes now and then (about one answer in
 * three), never as a fixed opening or closing.
 */
import type { PersonaRecord } from '../../personas/persona-schema.js';
import { capitalize, sentence, stripTerminal } from '../../text/words.js';
import type { ToolResult } from './conversation.js';
import { describeToolOutput } from './tool-result-prose.js';
import { readDirectives, type Directives } from './directives.js';
import { personaCurrency } from './money.js';
import { composeNeutral } from './neutral-answers.js';
import { composePersona, type AnswerContext, type Composed, type Memory, type Stance } from './persona-answers.js';
import { disposition, leanOf, lowerFirst } from './profile-phrases.js';
import { readAmounts, readQuestion, readScale, type QuestionRead } from './question.js';
import type { Rng } from './seed.js';

export type { Stance } from './persona-answers.js';
export type Verbosity = 'low' | 'medium' | 'high';

/** An earlier message of the conversation (text only). */
export interface Turn {
  role: 'user' | 'assistant';
  text: string;
}

export interface VoiceInput {
  persona?: PersonaRecord | undefined;
  /** Text of the last user message. */
  message: string;
  attachment?: 'image' | 'file' | null;
  /** Tool outputs that arrived after the last user message. */
  toolResults?: readonly ToolResult[];
  verbosity?: Verbosity | undefined;
  /** The request's instructions (system/developer text beyond the persona's own prompt). */
  instructions?: string | undefined;
  /** The conversation before the last user message, oldest first. */
  history?: readonly Turn[] | undefined;
  /** A sampled focus-group respondent's traits (0–100: price_sensitivity, brand_loyalty, Big Five), when there is one. */
  traits?: Readonly<Record<string, number>> | undefined;
  /** How favourable the person is, in [-1, 1], when the caller has already decided (a survey respondent's values). */
  lean?: number | undefined;
  rng: Rng;
}

export interface VoiceAnswer {
  /** The answer as prose (or bullet lines when bullets were asked for). */
  text: string;
  /** What the engine sends for a plain-text request: `text`, or a JSON object when the instructions ask for JSON. */
  output: string;
  sentences: string[];
  /** The subject phrase the answer is about ('' when it has none it can say). */
  topic: string;
  stance: Stance;
  /** The typed answer (rating, choice, price, yes/no, items) when the question asked for one. */
  data: Record<string, unknown>;
}

const FOLLOW_UP_KINDS = new Set(['price', 'rating', 'yesno', 'reaction', 'choice', 'open', 'pain', 'want']);

/** The subject of a follow-up ("Would you pay for it?") from the latest earlier question that had one. */
function inherit(q: QuestionRead, history: readonly Turn[]): QuestionRead {
  if (q.subject || !FOLLOW_UP_KINDS.has(q.kind)) return q;
  if (!q.anaphoric && q.kind !== 'price' && q.kind !== 'rating') return q;
  for (let i = history.length - 1; i >= 0; i--) {
    const t = history[i];
    if (t?.role !== 'user') continue;
    const earlier = readQuestion(t.text);
    if (earlier.subject) return { ...q, subject: earlier.subject, subjectKey: earlier.subjectKey, priced: q.priced || earlier.priced };
  }
  return q;
}

/** Numbers this person already gave about the same subject earlier in the conversation. */
function recall(history: readonly Turn[], subjectKey: string): Memory {
  const memory: Memory = {};
  let lastUser: QuestionRead | undefined;
  const seen: Turn[] = [];
  for (const t of history) {
    if (t.role === 'user') lastUser = inherit(readQuestion(t.text), seen);
    else if (lastUser && lastUser.subjectKey === subjectKey) {
      const kinds = new Set(lastUser.asks.map((a) => a.kind));
      const rating = /\b(\d{1,3})\s*(?:out of|\/)\s*(\d{1,3})\b/.exec(t.text);
      if (rating && kinds.has('rating')) {
        const n = Number(rating[1]);
        const max = Number(rating[2]);
        const min = readScale(lastUser.message)?.min ?? (max === 100 ? 0 : 1);
        if (max > min && n >= min && n <= max) memory.ratingPosition = (n - min) / (max - min);
      }
      const amount = readAmounts(t.text).at(-1);
      if (amount && kinds.has('price')) memory.price = amount.value;
    }
    seen.push(t);
  }
  return memory;
}

function sentenceTarget(verbosity: Verbosity, rng: Rng): number {
  if (verbosity === 'low') return 2;
  if (verbosity === 'high') return rng.int(6, 9);
  return rng.int(3, 5);
}

const NEGATIVE_PHRASE = /\b(?:red flag|no way|hard pass|pass|nope|nah|scam|sus|cringe|doubt|skeptic\w*|not|never|won't|can't|cannot|don't|wouldn't|ugh|yikes|mid|overpriced|too expensive|risky|concern\w*|worried|careful|burned|hmm+|catch|afford)\b/i;
const POSITIVE_PHRASE = /\b(?:love|obsessed|slay\w*|fire|worth it|yes+|great|amazing|awesome|perfect|bet|goated|iconic|excited|win|solid|excellent|impressive|promising|brilliant|fantastic)\b/i;

function fitsStance(phrase: string, stance: Stance): boolean {
  const neg = NEGATIVE_PHRASE.test(phrase);
  const pos = POSITIVE_PHRASE.test(phrase);
  if (stance === 'positive') return !neg;
  if (stance === 'skeptical') return !pos;
  return true;
}

/** A phrase short enough to lead a sentence ("ngl", "honestly", "che"). */
function isLeadPhrase(phrase: string): boolean {
  const p = phrase.trim();
  return p.split(/\s+/).length <= 3 && !/[?!.]$/.test(p);
}

/** Now and then, one of the persona's phrases: leading a sentence, or as a sentence of its own. */
function withCatchphrase(persona: PersonaRecord, sentences: string[], stance: Stance, verbosity: Verbosity, rng: Rng, leadOnly = false): string[] {
  if (!rng.chance(verbosity === 'high' ? 0.5 : 0.33)) return sentences;
  const phrases = persona.profile.communication.phrases.map((p) => p.trim().replace(/[,;:]+$/, '')).filter((p) => p && fitsStance(p, stance) && (!leadOnly || (isLeadPhrase(p) && p.split(/\s+/).length <= 2 && !/\b(?:that|this|it)'?s?\b/i.test(p))));
  if (phrases.length === 0) return sentences;
  const phrase = rng.pick(phrases);
  const out = sentences.slice();
  if (isLeadPhrase(phrase)) {
    const at = out.length > 1 && rng.chance(0.5) ? 1 : 0;
    const target = out[at] ?? '';
    out[at] = `${capitalize(stripTerminal(phrase))}, ${lowerFirst(target)}`;
    return out;
  }
  const line = sentence(capitalize(phrase));
  // A short answer keeps its head and its reason; a sentence-long phrase only joins longer ones.
  if (out.length <= 2) return out;
  // replace the last supporting sentence, so the length stays what was asked
  const at = rng.int(1, out.length - 1);
  out.splice(at, 0, line);
  out.pop();
  if (out.length < sentences.length) out.push(sentences[sentences.length - 1] as string);
  return out.slice(0, sentences.length);
}

function wordCount(text: string): number {
  return text.split(/\s+/).filter(Boolean).length;
}

/** Cuts to `max` words: whole sentences while they fit, else the first one clipped at a word. */
function fitWords(sentences: string[], max: number): string[] {
  const out: string[] = [];
  let words = 0;
  for (const s of sentences) {
    const n = wordCount(s);
    if (words + n > max) break;
    out.push(s);
    words += n;
  }
  if (out.length === 0 && sentences[0]) out.push(sentence(stripTerminal(sentences[0].split(/\s+/).slice(0, max).join(' ').replace(/[,;:—–-]+$/, ''))));
  return out;
}

function select(composed: Composed, target: number): string[] {
  const all = [...composed.heads, ...composed.support];
  return all.slice(0, Math.max(1, target));
}

function shape(composed: Composed, sentences: string[], d: Directives): { text: string; sentences: string[] } {
  if (d.bullets !== undefined && !d.only) {
    const source = composed.items ?? [...composed.heads, ...composed.support];
    const n = d.bullets > 0 ? d.bullets : Math.min(Math.max(3, sentences.length), source.length);
    const items = source.slice(0, n).map((x) => (composed.items ? capitalize(x) : x));
    return { text: items.map((x, i) => `${d.numbered ? `${i + 1}.` : '-'} ${x}`).join('\n'), sentences: items };
  }
  return { text: sentences.join(' '), sentences };
}

export function composeAnswer(input: VoiceInput): VoiceAnswer {
  const rng = input.rng;
  const history = input.history ?? [];
  let q = inherit(readQuestion(input.message), history);
  if (!q.subject && input.attachment) q = { ...q, subject: input.attachment === 'image' ? 'the image you shared' : 'the file you shared', subjectKey: `attachment ${input.attachment}` };
  const d = readDirectives(input.instructions ?? '', q.message);
  if (d.scale && q.kind !== 'rating') q = { ...q, kind: 'rating', asks: [{ kind: 'rating', text: q.asks[0]?.text ?? q.message, scale: d.scale }, ...q.asks.slice(1)] };
  if (d.yesNo && q.asks[0] && ['reaction', 'open', 'want'].includes(q.kind)) q = { ...q, asks: [{ ...q.asks[0], kind: 'reaction', decide: true }, ...q.asks.slice(1)] };

  const persona = input.persona;
  const lean = leanOf(persona, input.traits, q);
  if (input.lean !== undefined) lean.value = Math.max(-1, Math.min(1, input.lean));
  const stance: Stance = q.kind === 'pain' ? 'skeptical' : lean.value > 0.2 ? 'positive' : lean.value < -0.2 ? 'skeptical' : 'mixed';
  const ctx: AnswerContext = {
    persona: persona as PersonaRecord,
    q,
    d,
    lean,
    stance,
    disp: disposition(persona, input.traits),
    rng: rng.fork('compose'),
    memory: recall(history, q.subjectKey),
    data: {},
    used: new Set(),
    currency: personaCurrency(persona?.profile),
  };
  // Describing one's own life or listing things takes no stance on a subject.
  if (['life', 'list', 'want', 'amount', 'favourite', 'story'].includes(q.kind) || (q.kind === 'yesno' && q.asks[0]?.domain)) ctx.stance = 'mixed';
  if (q.kind === 'likes') ctx.stance = q.asks[0]?.valence === 'bad' || lean.value <= -0.2 ? 'skeptical' : 'positive';
  // Naming a choice or what one looks for says what one likes.
  if (q.kind === 'choice') ctx.stance = 'positive';
  const composed = persona ? composePersona(ctx) : composeNeutral(ctx);
  // …but a choice, or a price named, is not a verdict on a subject: the answer reports no stance.
  if (q.kind === 'choice' || (q.kind === 'price' && q.asks[0]?.price !== 'accept')) ctx.stance = 'mixed';

  const results = input.toolResults ?? [];
  // What the tools returned, reported in plain words first ("It's 28°F and snowing."), then the answer.
  if (results.length) composed.heads.unshift(...results.map((r) => describeToolOutput(r.output)));

  const verbosity = input.verbosity ?? 'medium';
  let target = d.sentences ?? sentenceTarget(verbosity, rng.fork('length'));
  if (d.only) target = 1;
  let sentences = select(composed, target).map((s) => s.trim()).filter(Boolean);
  // Own-life answers and lists take no stance on a subject: only phrases that are not negative fit them.
  const phraseStance: Stance = ['life', 'list', 'want', 'amount', 'favourite', 'story'].includes(q.kind) || (q.kind === 'yesno' && q.asks[0]?.domain) ? 'positive' : ctx.stance;
  // A story, a number or a named favourite reads as one train of thought: a phrase may lead a sentence, not interrupt it.
  const leadOnly = ['amount', 'favourite', 'story'].includes(q.kind);
  if (persona && !d.only && d.json !== true && d.bullets === undefined && q.kind !== 'greeting') sentences = withCatchphrase(persona, sentences, phraseStance, verbosity, rng.fork('phrase'), leadOnly);
  if (d.maxWords !== undefined) sentences = fitWords(sentences, d.maxWords);
  const shaped = shape(composed, sentences, d);
  const data = { ...ctx.data };
  const output = d.json ? JSON.stringify({ answer: shaped.text, ...data, ...(persona ? { persona: persona.name } : {}) }) : shaped.text;
  return { text: shaped.text, output, sentences: shaped.sentences, topic: q.subject ?? '', stance: ctx.stance, data };
}
