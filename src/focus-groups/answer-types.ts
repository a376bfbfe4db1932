/**
 * What a focus-group answer is, once normalized: the contract between the
 * runner (which stores answers), the statistics (src/focus-groups/stats/),
 * the results and exports. Pure types, no runtime code, so every side can
 * import them without pulling anything else in.
 *
 * Every answer carries the respondent's `reasoning` (their own words on why);
 * `value`'s shape depends on the question type (AnswerValueByType). Values
 * refer to options, rows, profiles and set members by their text or id as the
 * question defines them, never by position, so a stored answer reads on its own.
 */

/** The question types of a study guide. */
export const QUESTION_TYPES = [
  'nps',
  'likert',
  'multiple_choice',
  'open_ended',
  'rating',
  'yes_no',
  'ranking',
  'slider',
  'matrix',
  'semantic_differential',
  'conjoint',
  'maxdiff',
] as const;
export type QuestionType = (typeof QUESTION_TYPES)[number];

/** Scale types: one number on an ordered scale (`direct` or, later, `ssr` elicitation). */
export const SCALE_TYPES = ['nps', 'likert', 'rating', 'slider', 'semantic_differential'] as const satisfies readonly QuestionType[];
export type ScaleType = (typeof SCALE_TYPES)[number];

/** The normalized value of an answer, by question type. */
export interface AnswerValueByType {
  /** 0–10. */
  nps: number;
  /** 1–scale (5 or 7); 1 is the first label ("Strongly disagree" by default). */
  likert: number;
  /** `min`–`max` of the question (default 1–10). */
  rating: number;
  /** `min`–`max` of the question (default 0–100), an integer. */
  slider: number;
  /** 1–points; 1 is the `left` pole, `points` the `right` one. */
  semantic_differential: number;
  yes_no: boolean;
  /** The chosen options' texts (one unless the question is `multiple`), in the question's option order; `other` is the respondent's own text when they chose "Other". */
  multiple_choice: { selected: string[]; other: string | null };
  /** The respondent's words. */
  open_ended: string;
  /** Every option's text, most preferred first. */
  ranking: string[];
  /** Row text → a point of the matrix scale (1–scale). */
  matrix: Record<string, number>;
  /** The chosen profile's id, or 'none' when the question allows no choice. */
  conjoint: string;
  /** One {best, worst} per set, in the question's set order; best ≠ worst, both members of the set. */
  maxdiff: Array<{ best: string; worst: string }>;
}

export type AnswerValue = AnswerValueByType[QuestionType];

/** How an answer slot of a study ended. */
export type AnswerStatus =
  /** Answered and valid (after any repair); charged. */
  | 'answered'
  /** Not asked: the question's `when` condition did not hold for this respondent. Free. */
  | 'skipped'
  /** No valid answer after the repair budget, or the backend kept failing. Free. */
  | 'failed';

/** One stored answer: one respondent × one question (the runner's checkpoint). */
export interface StoredAnswer<T extends QuestionType = QuestionType> {
  study_id: string;
  /** 0-based index of the respondent in the study. */
  respondent_index: number;
  /** 0-based index of the question in the guide. */
  question_index: number;
  question_id: string;
  type: T;
  status: AnswerStatus;
  /** Present when status is 'answered'. */
  value: AnswerValueByType[T] | null;
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

/** A scale question's scale: the points it allows, in order, with their labels where it has them. */
export interface ScaleInfo {
  min: number;
  max: number;
  /** Labels of the points from min to max, when the question labels every point (likert, matrix); else the two ends or none. */
  labels?: string[];
}

/** A reference distribution from a real survey, given on a question: answer value (as a string: "1".."5", an option text, "true") → share or count. */
export interface ReferenceDistribution {
  distribution: Record<string, number>;
  /** Where it comes from (free text, shown in reports). */
  source?: string;
}
