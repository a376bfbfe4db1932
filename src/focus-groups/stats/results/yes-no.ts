/** Results of yes_no questions: the share answering yes with its Wilson score interval (Kish's effective n when weighted); tests: chi-square, pairwise two-proportion z. */
import { twoProportionZTest } from '../proportion-test.js';
import { compareToReference } from '../reference-comparison.js';
import { addCategory, categoricalDistribution, categoricalTestCounts, compareCategoricalGroups, createCategoricalSummary, type CategoricalSummary } from './categorical-summary.js';
import type { AnalysisOptions, RespondentAnswers, YesNoQuestionSpec } from './inputs.js';
import type { YesNoResult, YesNoStatistics } from './result-types.js';
import { collect, effectiveN, modelResultStream, pairsOf, sizeFields, type QuestionModel, type ResultStream } from './segments.js';

const CATEGORIES = [{ value: 'yes' }, { value: 'no' }];

const model: QuestionModel<{ value: boolean }, number, CategoricalSummary, YesNoStatistics> = {
  prepare: (answer) => (typeof answer.value === 'boolean' ? (answer.value ? 0 : 1) : null),
  create: () => createCategoricalSummary(2),
  add: addCategory,
  stats(s, ctx) {
    const distribution = categoricalDistribution(s, CATEGORIES, ctx, true);
    const yes = distribution[0]!;
    return { ...sizeFields(s, ctx.weighted), distribution, yes: s.n > 0 ? yes.share : null, ci: { yes: yes.ci ?? null } };
  },
  compare(groups, pairwise) {
    const tests = compareCategoricalGroups(groups, 'distribution');
    if (!pairwise) return tests;
    for (const [a, b] of pairsOf(groups, (g) => effectiveN(g.summary))) {
      const ca = categoricalTestCounts(a.summary);
      const cb = categoricalTestCounts(b.summary);
      const r = twoProportionZTest(ca[0]!, ca[0]! + ca[1]!, cb[0]!, cb[0]! + cb[1]!);
      if (r) tests.push({ test: 'two_proportion_z', metric: 'yes', groups: [a.key, b.key], statistic: r.z, p_value: r.pValue, effect_size: { measure: 'cohens_h', value: r.cohensH }, difference: r.difference });
    }
    return tests;
  },
};

/** `reference`, if given: shares of [yes, no]. */
export function yesNoStream(question: YesNoQuestionSpec, options: AnalysisOptions): ResultStream<{ value: boolean }, YesNoResult> {
  return modelResultStream(model, question.id, options, (a) => ({
    question_id: question.id,
    type: 'yes_no',
    ...a.overall,
    skipped: a.skipped,
    ...(question.reference ? { reference: compareToReference([1, 0], a.overall.distribution.map((d) => d.share), question.reference, true) } : {}),
    segments: a.segments,
  }));
}

export const yesNoResults = (question: YesNoQuestionSpec, answers: RespondentAnswers<'yes_no'>, options: AnalysisOptions): YesNoResult => collect(yesNoStream(question, options), answers);
