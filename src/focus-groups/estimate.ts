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
import { creditsFor, type PricingTable } from '../pricing.js';
import { countTokens } from '../util/tokens.js';
import type { Question } from './questions/registry.js';
import { REPLY_FORMAT } from './prompts.js';
import { typeOf } from './questions/registry.js';
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

/** The tokens a typical answer of this question takes. */
export function answerTokens(q: Question): number {
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
  return MESSAGE_OVERHEAD + countTokens(`Question ${index + 1} of ${total}.\n${typeOf(q).render(q)}\n\n${REPLY_FORMAT}`);
}

/** Expected credits of one respondent answering the whole guide, given its system prompt's tokens. */
export function respondentCredits(questions: readonly Question[], systemTokens: number, imageInput: boolean, pricing: PricingTable): number {
  let history = 0;
  let credits = 0;
  questions.forEach((q, k) => {
    const asked = questionTokens(q, k, questions.length);
    const answer = answerTokens(q);
    const input = systemTokens + history + asked;
    credits += creditsFor({ totalTokens: input + answer, imageInput, calledFunctions: false, analysis: false, serverToolTurns: 0 }, pricing);
    history += asked + MESSAGE_OVERHEAD + answer;
  });
  return credits;
}

/** The most one answer can cost. */
export function maxAnswerCredits(imageInput: boolean, pricing: PricingTable): number {
  return creditsFor({ totalTokens: Number.MAX_SAFE_INTEGER, imageInput, calledFunctions: false, analysis: false, serverToolTurns: 0 }, pricing);
}

/** What one answer cost, from the tokens of every attempt it took. */
export function answerCredits(totalTokens: number, imageInput: boolean, pricing: PricingTable): number {
  return creditsFor({ totalTokens, imageInput, calledFunctions: false, analysis: false, serverToolTurns: 0 }, pricing);
}
