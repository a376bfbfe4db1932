/**
 * A study's price before it runs: the sum of its model calls' prices, each
 * from the one pricing function (src/pricing.ts) as if it were a response:
 * the standard base (the image base when the stimulus has images, which ride
 * in every call's conversation) plus the size tier of the call's tokens.
 *
 * `credits` is the expected figure: each call's tokens are estimated — the
 * respondent's system prompt, the conversation so far (earlier questions and
 * answers), the question, and a typical answer of its type — and every
 * question is assumed asked (skip logic can only lower it). `max_credits` is
 * the most it can cost: every answer at the top tier. That is what a live
 * key's hold reserves before any model call, and what settles down to the
 * answers actually received.
 */
import { creditsFor, embeddingCredits, type PricingTable } from '../pricing.js';
import { countTokens } from '../util/tokens.js';
import type { Question } from './questions/registry.js';
import { questionText, REPLY_FORMAT } from './prompts.js';
import { anchorsOf } from './ssr-anchors.js';
import { setsOf } from './questions/maxdiff.js';

export interface StudyEstimate {
  /** Answer slots: respondents × questions. */
  answers: number;
  /** Expected credits. */
  credits: number;
  /** The most the study can cost (the hold of a live key). */
  max_credits: number;
}

/** Per-message overhead of a chat turn, in tokens (role and framing). */
const MESSAGE_OVERHEAD = 4;
/** Tokens of a typical reasoning (one to three sentences) plus the JSON around it. */
const REASONING_TOKENS = 60;

/** Tokens of a typical answer in words (SSR). */
const WORDS_ANSWER_TOKENS = 40;

/** The tokens a typical answer of this question takes. */
export function answerTokens(q: Question): number {
  if (q.elicitation === 'ssr') return REASONING_TOKENS + WORDS_ANSWER_TOKENS;
  switch (q.type) {
    case 'open_ended':
      return REASONING_TOKENS + Math.ceil((q.max_words ?? 80) * 1.35);
    case 'ranking':
      return REASONING_TOKENS + 6 * q.options.length;
    case 'matrix':
      return REASONING_TOKENS + 8 * q.rows.length;
    case 'maxdiff':
      return REASONING_TOKENS + 16 * setsOf(q).length;
    case 'multiple_choice':
      return REASONING_TOKENS + (q.multiple ? 24 : 10) + (q.allow_other ? 8 : 0);
    default:
      return REASONING_TOKENS + 8;
  }
}

/** The tokens of a question's message. */
export function questionTokens(q: Question, index: number, total: number): number {
  return MESSAGE_OVERHEAD + countTokens(`Question ${index + 1} of ${total}.\n${questionText(q)}\n\n${REPLY_FORMAT}`);
}

/** The input tokens of an SSR question's embeddings call (the answer and the anchors); 0 for a direct question. */
export function embeddingTokens(q: Question): number {
  return q.elicitation === 'ssr' ? WORDS_ANSWER_TOKENS + anchorsOf(q).reduce((n, a) => n + countTokens(a), 0) : 0;
}

/** An SSR question's embeddings call's credits; 0 for a direct question. */
export function embeddingCallCredits(q: Question, pricing: PricingTable): number {
  return q.elicitation === 'ssr' ? embeddingCredits(embeddingTokens(q), pricing) : 0;
}

/** Expected credits of one respondent answering the whole guide, given its system prompt's tokens. */
export function respondentCredits(questions: readonly Question[], systemTokens: number, imageInput: boolean, pricing: PricingTable): number {
  let history = 0;
  let credits = 0;
  questions.forEach((q, k) => {
    const asked = questionTokens(q, k, questions.length);
    const answer = answerTokens(q);
    const input = systemTokens + history + asked;
    credits += creditsFor({ totalTokens: input + answer, imageInput, calledFunctions: false, analysis: false, serverToolTurns: 0 }, pricing) + embeddingCallCredits(q, pricing);
    history += asked + MESSAGE_OVERHEAD + answer;
  });
  return credits;
}

/** The most one answer can cost (an SSR answer: with its embeddings call at the top tier too). */
export function maxAnswerCredits(imageInput: boolean, pricing: PricingTable, ssr = false): number {
  return creditsFor({ totalTokens: Number.MAX_SAFE_INTEGER, imageInput, calledFunctions: false, analysis: false, serverToolTurns: 0 }, pricing) + (ssr ? embeddingCredits(Number.MAX_SAFE_INTEGER, pricing) : 0);
}

/** The most one respondent answering the whole guide can cost. */
export function maxRespondentCredits(questions: readonly Question[], imageInput: boolean, pricing: PricingTable): number {
  return questions.reduce((n, q) => n + maxAnswerCredits(imageInput, pricing, q.elicitation === 'ssr'), 0);
}

/** What one answer cost, from the tokens of every attempt it took (and of its embeddings call, SSR). */
export function answerCredits(totalTokens: number, imageInput: boolean, pricing: PricingTable, embeddingTokens?: number): number {
  return creditsFor({ totalTokens, imageInput, calledFunctions: false, analysis: false, serverToolTurns: 0 }, pricing) + (embeddingTokens !== undefined ? embeddingCredits(embeddingTokens, pricing) : 0);
}
