/**
 * Statistics of focus-group studies: pure functions, no I/O, seeded randomness only.
 *
 * A caller calls one function per question type (or `questionResults`, which picks it)
 * with the question, its respondents' answers (+ weights and segment attributes) and the
 * analysis options, and gets that question's results object (./results/result-types.ts);
 * the service feeds the answers one at a time as it reads them (`questionResultStream`).
 * `rake` turns target marginals into the weights; `ssrDistribution` maps an SSR answer's
 * embedding to its distribution over the scale; `statsMethods` describes the methods for
 * the results document. Everything else is exported for reuse and tests.
 */
import type { Answer } from '../answer-types.js';
import type { AnalysisOptions, QuestionSpec, RespondentAnswer } from './results/inputs.js';
import { conjointResults, conjointStream } from './results/conjoint-question.js';
import { matrixResults, matrixStream } from './results/matrix-question.js';
import { maxDiffResults, maxDiffStream } from './results/maxdiff-question.js';
import { multipleChoiceResults, multipleChoiceStream } from './results/multiple-choice.js';
import { openEndedResults, openEndedStream } from './results/open-ended-question.js';
import { rankingResults, rankingStream } from './results/ranking-question.js';
import type { QuestionResult } from './results/result-types.js';
import { likertResults, likertStream, npsResults, npsStream, ratingResults, ratingStream, semanticDifferentialResults, semanticDifferentialStream, sliderResults, sliderStream } from './results/scale-questions.js';
import { collect, resolvedOptions, type ResultStream } from './results/segments.js';
import { yesNoResults, yesNoStream } from './results/yes-no.js';

export type * from './results/inputs.js';
export type * from './results/result-types.js';
export { conjointResults, likertResults, matrixResults, maxDiffResults, multipleChoiceResults, npsResults, openEndedResults, rankingResults, ratingResults, semanticDifferentialResults, sliderResults, yesNoResults };
export { DEFAULT_LEVEL, DEFAULT_REPLICATES, MAX_PAIRWISE_GROUPS, MAX_REPLICATES, type ResultStream } from './results/segments.js';
export { rake, RakingError, type RakingErrorCode, type RakingOptions, type RakingResult, type RakingTargets } from './raking.js';
export { cosineSimilarity, expectedValue, scalePmf, ssrDistribution, type SsrOptions } from './ssr.js';
export { compareToReference, jensenShannonDivergence, normalizedWasserstein, type ReferenceComparison } from './reference-comparison.js';
export { benjaminiHochbergAdjust, holmAdjust } from './p-adjust.js';
export { createRng, seedFrom, type Rng } from './random.js';

/** The results of one question, by its type. */
export function questionResults(question: QuestionSpec, answers: readonly RespondentAnswer<Answer>[], options: AnalysisOptions): QuestionResult {
  return collect(questionResultStream(question, options), answers);
}

/**
 * The results of one question fed one answer at a time (`add`, then `result` once): what
 * the service uses to compute results while it streams the answers from storage, holding
 * only the tallies (open-ended questions keep each answer's text for the themes). `add`
 * does not keep the record it is given.
 */
export function questionResultStream(question: QuestionSpec, options: AnalysisOptions): ResultStream<Answer, QuestionResult> {
  switch (question.type) {
    case 'nps':
      return npsStream(question, options) as ResultStream<Answer, QuestionResult>;
    case 'likert':
      return likertStream(question, options) as ResultStream<Answer, QuestionResult>;
    case 'rating':
      return ratingStream(question, options) as ResultStream<Answer, QuestionResult>;
    case 'slider':
      return sliderStream(question, options) as ResultStream<Answer, QuestionResult>;
    case 'semantic_differential':
      return semanticDifferentialStream(question, options) as ResultStream<Answer, QuestionResult>;
    case 'yes_no':
      return yesNoStream(question, options) as ResultStream<Answer, QuestionResult>;
    case 'multiple_choice':
      return multipleChoiceStream(question, options) as ResultStream<Answer, QuestionResult>;
    case 'ranking':
      return rankingStream(question, options) as ResultStream<Answer, QuestionResult>;
    case 'maxdiff':
      return maxDiffStream(question, options) as ResultStream<Answer, QuestionResult>;
    case 'conjoint':
      return conjointStream(question, options) as ResultStream<Answer, QuestionResult>;
    case 'matrix':
      return matrixStream(question, options) as ResultStream<Answer, QuestionResult>;
    case 'open_ended':
      return openEndedStream(question, options) as ResultStream<Answer, QuestionResult>;
  }
}

const NPS_INTERVAL = 'percentile bootstrap (ci.nps); beside it (ci.nps_normal) the normal interval from the multinomial variance (p_P + p_D − (p_P − p_D)²)/n';

/** How the numbers were computed, for the results document (`results.methods`); the HTML report prints it. */
export function statsMethods(options: Pick<AnalysisOptions, 'replicates' | 'level'> = {}) {
  const { replicates, level } = resolvedOptions({ seed: 0, ...options });
  return {
    ci_level: level,
    bootstrap_replicates: replicates,
    bootstrap: 'percentile interval; each replicate is one multinomial draw of the (weighted) answer distribution at Kish’s effective sample size; seeded per question and segment',
    mean_interval: 't-interval on Kish’s effective n (ci.mean_t), beside the bootstrap (ci.mean)',
    sd: 'sample sd; with weights, weights normalized to sum to n and divisor n − 1',
    nps: `promoters 9–10, detractors 0–6; interval: ${NPS_INTERVAL}`,
    /** Which interval each reported statistic gets (the one source of the method text the report shows). */
    intervals: {
      mean: 'percentile bootstrap (ci.mean); t-interval on Kish’s effective n beside it (ci.mean_t)',
      median: 'percentile bootstrap (ci.median)',
      nps: NPS_INTERVAL,
      proportions:
        'Wilson score interval on Kish’s effective n (n when unweighted): yes (ci.yes), top-2-box and bottom-2-box (ci.top2box, ci.bottom2box), each option’s share of a multiple-choice question and each option’s first-choice share of a ranking (distribution[].ci); it does not collapse to a point at 0% or 100% as the bootstrap does, and does not depend on the replicates',
      ranking_mean_rank: 't-interval on Kish’s effective n of the option’s rankers (options[].ci)',
      conjoint: 'Wald interval from the logit’s standard errors (levels[].ci)',
    },
    tests: {
      distributions: "Pearson chi-square test of independence (no continuity correction), Cramér's V",
      ordinal_scales: 'Mann–Whitney U (normal approximation, tie and continuity corrected), rank-biserial correlation',
      sliders: "Welch's t-test, Cohen's d; Kruskal–Wallis across all groups",
      nps: 'z-test of the NPS difference',
      yes_no: "two-proportion z-test, Cohen's h",
      ranking: 'Kruskal–Wallis per option',
      conjoint: 'likelihood-ratio test of per-group against pooled logit',
    },
    correction: 'Holm (family-wise error rate) over all tests of a question: p_adjusted',
    weighting: 'raking by iterative proportional fitting to the target marginals',
  };
}
