/**
 * The shapes of `GET …/results` per question (issue 12, "Shapes"): every question result
 * has `question_id`, `type`, `n`, `skipped`, `distribution`, its statistics by type and
 * `segments`; a segment breakdown has the same statistics per group and the tests between
 * groups. Shares are 0–1; NPS and part-worths are in their own units. `null` marks a
 * statistic that is undefined for the data (e.g. an sd of one answer).
 */
import type { ReferenceComparison } from '../reference-comparison.js';

/** [lower, upper]. */
export type Interval = [number, number];

/** One answer value and how many respondents gave it. */
export interface DistributionEntry {
  /** The scale point, option, item, theme id, or profile position. */
  value: number | string;
  label?: string;
  /**
   * Respondents, unweighted (fractional for SSR answers, which spread a respondent over the
   * scale); for maxdiff and conjoint, choices (weighted).
   */
  count: number;
  /** Weighted share of the respondents. */
  share: number;
  /** Wilson score interval of the share, where reported (yes/no, multiple choice, ranking first choices). */
  ci?: Interval | null;
}

/** Statistics of a scale question (nps, likert, rating, slider, semantic_differential, a matrix row) for a set of respondents. */
export interface ScaleStatistics {
  n: number;
  /** Kish's effective n, when the answers are weighted. */
  n_effective?: number;
  distribution: DistributionEntry[];
  mean: number | null;
  median: number | null;
  sd: number | null;
  ci: {
    /** Percentile bootstrap. */
    mean: Interval | null;
    /** t-interval. */
    mean_t: Interval | null;
    median: Interval | null;
    /** Wilson score interval (Kish's effective n when weighted). */
    top2box?: Interval | null;
    bottom2box?: Interval | null;
    /** Percentile bootstrap. */
    nps?: Interval | null;
    /** Normal interval from the multinomial standard error. */
    nps_normal?: Interval | null;
  };
  /** Share on the two highest points (scales of 4+ points, not sliders). */
  top2box?: number | null;
  bottom2box?: number | null;
  /** nps questions only. */
  nps?: { score: number; promoters: number; passives: number; detractors: number; se: number | null } | null;
}

export interface YesNoStatistics {
  n: number;
  n_effective?: number;
  distribution: DistributionEntry[];
  /** Share answering yes. */
  yes: number | null;
  /** Wilson score interval (Kish's effective n when weighted). */
  ci: { yes: Interval | null };
}

export interface MultipleChoiceStatistics {
  n: number;
  n_effective?: number;
  /** Per option (and `other`): share of respondents choosing it, with its Wilson score interval. Multi-select shares sum past 1. */
  distribution: DistributionEntry[];
  /** The most frequent "other" answers (normalized text), at most 10. */
  other_answers: { text: string; count: number }[];
}

export interface RankingStatistics {
  n: number;
  n_effective?: number;
  /** Share ranking each option first, with its Wilson score interval. */
  distribution: DistributionEntry[];
  options: {
    option: string;
    ranked: number;
    mean_rank: number | null;
    sd_rank: number | null;
    ci: Interval | null;
    first_choice: number;
    rank_distribution: number[];
    borda: number;
    borda_share: number;
  }[];
}

export interface MaxDiffStatistics {
  n: number;
  n_effective?: number;
  /** Share of the best picks falling on each item. */
  distribution: DistributionEntry[];
  items: { item: string; shown: number; score: number | null; best_share: number | null; worst_share: number | null }[];
  skipped_tasks: number;
}

export interface ConjointStatistics {
  n: number;
  n_effective?: number;
  /** Share of choices falling on each profile position (1 = first shown) and on "none": a position-bias check. */
  distribution: DistributionEntry[];
  attributes: {
    attribute: string;
    importance: number;
    levels: { level: string; part_worth: number; se: number | null; ci: Interval | null; choice_share: number | null }[];
  }[];
  none: { utility: number; se: number | null; share: number } | null;
  tasks: number;
  skipped_tasks: number;
  log_likelihood: number;
  null_log_likelihood: number;
  mcfadden_r2: number;
  iterations: number;
  converged: boolean;
  identified: boolean;
}

export interface MatrixStatistics {
  n: number;
  n_effective?: number;
  /** All rows' answers pooled: how the scale was used. */
  distribution: DistributionEntry[];
  rows: ({ row: string } & ScaleStatistics)[];
}

export interface Theme {
  id: string;
  label: string;
  terms: string[];
  count: number;
  share: number;
  quotes: { text: string; respondent_id?: string }[];
  sentiment?: number | null;
}

export interface OpenEndedStatistics {
  n: number;
  n_effective?: number;
  /** Share of each theme (by id) and of `unthemed` answers. */
  distribution: DistributionEntry[];
}

/** A test between segment groups. `p_adjusted` is Holm's, over all the tests of the question. */
export interface SegmentTest {
  test: 'chi_square' | 'mann_whitney_u' | 'kruskal_wallis' | 'welch_t' | 'two_proportion_z' | 'nps_difference_z' | 'likelihood_ratio';
  /** What is compared: 'distribution', 'scale', 'mean', 'nps', 'yes', 'themes', 'part_worths', or 'option:…', 'rank:…', 'item:…', 'row:…' (+ ':distribution'). */
  metric: string;
  /** The groups compared: two for a pairwise test, all for an omnibus one. */
  groups: string[];
  statistic: number;
  df?: number;
  p_value: number;
  p_adjusted: number;
  /** p_adjusted < 1 − level. */
  significant: boolean;
  effect_size: { measure: 'cramers_v' | 'rank_biserial' | 'cohens_d' | 'cohens_h' | 'epsilon_squared' | 'nps_points'; value: number } | null;
  /** Pairwise tests: the first group's statistic minus the second's (mean, share or NPS points). */
  difference?: number;
  /** Why the result needs care (e.g. a sparse chi-square table). */
  warning?: string;
}

export interface Segment<G> {
  /** The segment attribute, e.g. 'persona'. */
  by: string;
  groups: ({ key: string } & G)[];
  tests: SegmentTest[];
}

interface QuestionResultBase<T extends string> {
  question_id: string;
  type: T;
  /** Respondents without an answer (not asked, failed, or outside the question's scale). */
  skipped: number;
}

export type ReferenceComparisonResult = ReferenceComparison;

export type NpsResult = QuestionResultBase<'nps'> & ScaleStatistics & { reference?: ReferenceComparisonResult; segments: Segment<ScaleStatistics>[] };
export type LikertResult = QuestionResultBase<'likert'> & ScaleStatistics & { reference?: ReferenceComparisonResult; segments: Segment<ScaleStatistics>[] };
export type RatingResult = QuestionResultBase<'rating'> & ScaleStatistics & { reference?: ReferenceComparisonResult; segments: Segment<ScaleStatistics>[] };
export type SliderResult = QuestionResultBase<'slider'> & ScaleStatistics & { reference?: ReferenceComparisonResult; segments: Segment<ScaleStatistics>[] };
export type SemanticDifferentialResult = QuestionResultBase<'semantic_differential'> &
  ScaleStatistics & { left: string; right: string; reference?: ReferenceComparisonResult; segments: Segment<ScaleStatistics>[] };
export type YesNoResult = QuestionResultBase<'yes_no'> & YesNoStatistics & { reference?: ReferenceComparisonResult; segments: Segment<YesNoStatistics>[] };
export type MultipleChoiceResult = QuestionResultBase<'multiple_choice'> &
  MultipleChoiceStatistics & { multiple: boolean; reference?: ReferenceComparisonResult; segments: Segment<MultipleChoiceStatistics>[] };
export type RankingResult = QuestionResultBase<'ranking'> & RankingStatistics & { segments: Segment<RankingStatistics>[] };
export type MaxDiffResult = QuestionResultBase<'maxdiff'> & MaxDiffStatistics & { segments: Segment<MaxDiffStatistics>[] };
export type ConjointResult = QuestionResultBase<'conjoint'> & ConjointStatistics & { segments: Segment<ConjointStatistics>[] };
export type MatrixResult = QuestionResultBase<'matrix'> & MatrixStatistics & { segments: Segment<MatrixStatistics>[] };
export type OpenEndedResult = QuestionResultBase<'open_ended'> &
  OpenEndedStatistics & {
    themes: Theme[];
    unthemed: { count: number; share: number };
    /** 'embeddings' when every answer had one, else 'lexical'. */
    method: 'embeddings' | 'lexical';
    silhouette: number | null;
    segments: Segment<OpenEndedStatistics>[];
  };

export type QuestionResult =
  | NpsResult
  | LikertResult
  | RatingResult
  | SliderResult
  | SemanticDifferentialResult
  | YesNoResult
  | MultipleChoiceResult
  | RankingResult
  | MaxDiffResult
  | ConjointResult
  | MatrixResult
  | OpenEndedResult;
