/**
 * An answer slot as the runner checkpoints it: one respondent × one
 * question, answered (the Answer of ./answer-types.ts, reasoning included),
 * skipped by skip logic, or failed. What the store returns and the API's
 * respondent listing shows.
 */
import type { Answer, QuestionType } from './answer-types.js';

/** Questions answered with one point of a numeric scale. */
export const SCALE_TYPES = ['nps', 'likert', 'rating', 'slider', 'semantic_differential'] as const satisfies readonly QuestionType[];
export type ScaleType = (typeof SCALE_TYPES)[number];

export type AnswerStatus =
  /** Answered and valid (after any repair); charged. */
  | 'answered'
  /** Not asked: the question's `when` condition did not hold for this respondent. Free. */
  | 'skipped'
  /** No valid answer within the repair budget, or the backend kept failing. Free. */
  | 'failed';

export interface StoredAnswer<T extends QuestionType = QuestionType> {
  study_id: string;
  /** 0-based index of the respondent in the study. */
  respondent_index: number;
  /** 0-based index of the question in the guide. */
  question_index: number;
  question_id: string;
  type: T;
  status: AnswerStatus;
  /** The answer (its `reasoning` included) when status is 'answered'; else null. */
  value: Answer<T> | null;
  /** The respondent's reasoning; null unless answered. */
  reasoning: string | null;
  /** Credits the answer cost (what a test key would have paid); 0 unless answered. */
  credits: number;
  input_tokens: number;
  output_tokens: number;
  /** Model calls made for it (1 + repairs); 0 when skipped. */
  attempts: number;
  /** Why it failed. */
  error: string | null;
  created_at: number;
}

/** A scale question's points, with labels where the question has them. */
export interface ScaleInfo {
  min: number;
  max: number;
  labels?: string[];
}
