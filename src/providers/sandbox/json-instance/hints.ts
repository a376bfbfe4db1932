/** What the generator draws values from, mined once per request from the message and the answer. */
import type { PersonaRecord } from '../../../personas/persona-schema.js';
import type { SchemaOrigin } from '../../../util/client-schema.js';
import { extractAmounts, extractClockTime, extractEmail, extractNumbers, extractPlaces, extractQuery, extractUrl, keywords as keywordsOf } from '../language.js';
import type { Stance, VoiceAnswer } from '../persona-voice.js';
import type { GenerationBudget } from '../generation-budget.js';

/** What the generator may draw values from. */
export interface InstanceHints {
  /** Text mined for enum mentions, numbers and places (the user's message, or the part of it about one tool). */
  message: string;
  /** A search-style query drawn from the message. */
  query: string;
  topic: string;
  keywords: string[];
  places: string[];
  numbers: number[];
  /** Money amounts in the message ("$149"). */
  amounts: number[];
  /** A clock time the message states, as HH:MM. */
  time?: string;
  email?: string;
  url?: string;
  /** Sentences of the plain-text answer, for summary/reason-like strings. */
  sentences: string[];
  answer: string;
  stance: Stance;
  persona?: PersonaRecord;
}

export interface InstanceOptions {
  /**
   * 'all': every declared property (structured output). 'hinted': required
   * properties plus optional ones the message speaks to (function arguments,
   * like a model that leaves defaults alone).
   */
  optional: 'all' | 'hinted';
  /** Whether an enum nothing points at takes its default/first member ('first') or a seeded pick ('random'). */
  enumFallback: 'first' | 'random';
  /** Nullable values the message says nothing about become null (function arguments, like a model leaving them unset). */
  preferNull?: boolean;
  /** Root objects without declared properties get `{"answer": …}` instead of `{}`. */
  answerForOpenRoot?: boolean;
  /** Label used in error messages. */
  label?: string;
  /** What the request's schemas may cost together (GENERATION_LIMITS); a new budget when absent. */
  budget?: GenerationBudget;
  /** Which of the request's schemas this is, set on a refusal so the caller can name the param. */
  origin?: SchemaOrigin;
}

export function buildHints(message: string, voice: VoiceAnswer, persona?: PersonaRecord, exclude: ReadonlySet<string> = new Set()): InstanceHints {
  const email = extractEmail(message);
  const url = extractUrl(message);
  const hints: InstanceHints = {
    message,
    query: extractQuery(message),
    // the fallback topics of greetings and empty messages are not worth repeating
    topic: voice.topic === 'that' || voice.topic === 'this' ? '' : voice.topic,
    keywords: keywordsOf(message, 8),
    places: extractPlaces(message, exclude).map((p) => p.text),
    numbers: extractNumbers(message),
    amounts: extractAmounts(message),
    sentences: voice.sentences.length ? voice.sentences : [voice.text || 'No details available.'],
    answer: voice.text,
    stance: voice.stance,
  };
  const time = extractClockTime(message);
  if (time !== undefined) hints.time = time;
  if (email !== undefined) hints.email = email;
  if (url !== undefined) hints.url = url;
  if (persona) hints.persona = persona;
  return hints;
}
