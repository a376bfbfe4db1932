/**
 * What the per-question result functions take: the fields of a question the statistics
 * read (the service's validated question objects satisfy these structurally; the names
 * follow issue 12's question shape), the respondents' answers with their weights and
 * segment attributes, and the options of the analysis.
 */
import type { AnswerByType, QuestionType } from '../../answer-types.js';

interface QuestionBase<T extends QuestionType> {
  id: string;
  type: T;
  /**
   * A real survey's answer distribution (shares, in the order of the scale points or the
   * options) to compare the study with; see ../reference-comparison.ts.
   */
  reference?: readonly number[];
}

export type NpsQuestionSpec = QuestionBase<'nps'>;
export interface LikertQuestionSpec extends QuestionBase<'likert'> {
  /** Number of points (5 or 7). */
  scale: number;
  labels?: readonly string[];
}
export interface RatingQuestionSpec extends QuestionBase<'rating'> {
  /** Default 1. */
  min?: number;
  max: number;
  labels?: readonly string[];
}
export interface SliderQuestionSpec extends QuestionBase<'slider'> {
  /** Default 0. */
  min?: number;
  /** Default 100. */
  max?: number;
}
export interface SemanticDifferentialQuestionSpec extends QuestionBase<'semantic_differential'> {
  left: string;
  right: string;
  /** Number of points, default 7. */
  scale?: number;
}
export type YesNoQuestionSpec = QuestionBase<'yes_no'>;
export interface MultipleChoiceQuestionSpec extends QuestionBase<'multiple_choice'> {
  options: readonly string[];
  multiple?: boolean;
}
export type OpenEndedQuestionSpec = QuestionBase<'open_ended'>;
export interface RankingQuestionSpec extends QuestionBase<'ranking'> {
  options: readonly string[];
}
export interface MatrixQuestionSpec extends QuestionBase<'matrix'> {
  rows: readonly string[];
  /** Number of points of every row's scale (1 … scale). */
  scale: number;
  labels?: readonly string[];
}
export interface ConjointQuestionSpec extends QuestionBase<'conjoint'> {
  attributes: readonly { name: string; levels: readonly string[] }[];
}
export interface MaxDiffQuestionSpec extends QuestionBase<'maxdiff'> {
  options: readonly string[];
}

export interface QuestionSpecByType {
  nps: NpsQuestionSpec;
  likert: LikertQuestionSpec;
  multiple_choice: MultipleChoiceQuestionSpec;
  open_ended: OpenEndedQuestionSpec;
  rating: RatingQuestionSpec;
  yes_no: YesNoQuestionSpec;
  ranking: RankingQuestionSpec;
  slider: SliderQuestionSpec;
  matrix: MatrixQuestionSpec;
  semantic_differential: SemanticDifferentialQuestionSpec;
  conjoint: ConjointQuestionSpec;
  maxdiff: MaxDiffQuestionSpec;
}

export type QuestionSpec = QuestionSpecByType[QuestionType];

/** One respondent's answer to the question, as the results read it. */
export interface RespondentAnswer<A> {
  /** null: not asked (skip logic) or failed; counted in `skipped`. */
  answer: A | null;
  /** Raking weight (../raking.ts), default 1. Must be finite and ≥ 0. */
  weight?: number;
  /** The respondent's segment attributes, e.g. {persona: 'gen-z-digital-native', age_band: '25-34'}. */
  segments?: Readonly<Record<string, string>>;
  /** Quoted with open-ended themes. */
  respondent_id?: string;
}

export type RespondentAnswers<T extends QuestionType> = readonly RespondentAnswer<AnswerByType[T]>[];

export interface AnalysisOptions {
  /** The study's seed: every question and segment derives its own stream from it. */
  seed: number | string;
  /**
   * Segment attributes to break each question down by (keys of the answers' `segments`).
   * A respondent without the attribute is left out of that breakdown.
   */
  segmentBy?: readonly string[];
  /** Bootstrap replicates B (default 1,000; 0 turns the bootstrap off; at most 10,000). */
  replicates?: number;
  /** Confidence level (default 0.95). */
  level?: number;
  /** Open-ended answers: a sentiment scorer averaged per theme (e.g. the analysis lexicon's valence). */
  sentiment?: (text: string) => number;
  /** Open-ended answers: at most this many themes (default 8). */
  maxThemes?: number;
}
