/**
 * The answer of one respondent to one question, per question type: what the model produces
 * under structured output (validated by the service), what is stored and returned by
 * `GET …/respondents`, and what the statistics (./stats/) read. Every answer carries the
 * respondent's `reasoning`. Options, rows, items and attribute levels are referred to by
 * their text as the question lists them.
 */

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

export interface AnswerBase {
  /** Why the respondent answered so, in their words. */
  reasoning?: string;
}

/**
 * An answer on a numeric scale (nps, likert, rating, semantic_differential, a matrix row).
 * Direct elicitation: `value` is the chosen point (an integer of the scale). SSR elicitation:
 * `text` is what the respondent said, `distribution` the probability of each scale point
 * (lowest point first, summing to 1; ./stats/ssr.ts computes it from embeddings) and `value`
 * its expected value. The statistics use `distribution` whenever it is present.
 */
export interface ScaleAnswer extends AnswerBase {
  value: number;
  distribution?: readonly number[];
  text?: string;
}

/** 0–10 likelihood to recommend. */
export type NpsAnswer = ScaleAnswer;
/** 1 … scale (5 or 7), 1 = the first label (e.g. "Strongly disagree"). */
export type LikertAnswer = ScaleAnswer;
/** min … max (default 1 … max). */
export type RatingAnswer = ScaleAnswer;
/** 1 … scale (default 7); 1 is the `left` pole, the last point the `right` one. */
export type SemanticDifferentialAnswer = ScaleAnswer;

/** An integer in min … max (default 0 … 100). Direct only: 101 points have no anchor statements. */
export interface SliderAnswer extends AnswerBase {
  value: number;
}

export interface YesNoAnswer extends AnswerBase {
  value: boolean;
}

/**
 * The options chosen (exactly one unless the question is `multiple`). `other`: the
 * respondent's own answer when the question offers "other" and none of the options fit
 * (counted as the option `other`).
 */
export interface MultipleChoiceAnswer extends AnswerBase {
  selected: readonly string[];
  other?: string;
}

/**
 * Free text. `embedding` is attached by the service (not by the model) when the backend
 * offers embeddings; themes then cluster the embeddings instead of the words. It is not
 * returned to clients.
 */
export interface OpenEndedAnswer extends AnswerBase {
  text: string;
  embedding?: readonly number[];
}

/** The options in order of preference, best first; a partial ranking (top k) is allowed. */
export interface RankingAnswer extends AnswerBase {
  order: readonly string[];
}

/** One scale answer per row (by row text), on the matrix's scale. */
export interface MatrixAnswer extends AnswerBase {
  rows: Readonly<Record<string, ScaleAnswer>>;
}

/** A conjoint profile: attribute name → level. */
export type ConjointProfile = Readonly<Record<string, string>>;

/** One choice task: the profiles shown, in order, and the index of the chosen one (null: none of them). */
export interface ConjointTask {
  shown: readonly ConjointProfile[];
  chosen: number | null;
}

export interface ConjointAnswer extends AnswerBase {
  tasks: readonly ConjointTask[];
}

/** One best–worst task: the items shown, and the best and worst of them. */
export interface MaxDiffTask {
  shown: readonly string[];
  best: string;
  worst: string;
}

export interface MaxDiffAnswer extends AnswerBase {
  tasks: readonly MaxDiffTask[];
}

export interface AnswerByType {
  nps: NpsAnswer;
  likert: LikertAnswer;
  multiple_choice: MultipleChoiceAnswer;
  open_ended: OpenEndedAnswer;
  rating: RatingAnswer;
  yes_no: YesNoAnswer;
  ranking: RankingAnswer;
  slider: SliderAnswer;
  matrix: MatrixAnswer;
  semantic_differential: SemanticDifferentialAnswer;
  conjoint: ConjointAnswer;
  maxdiff: MaxDiffAnswer;
}

export type Answer<T extends QuestionType = QuestionType> = AnswerByType[T];
