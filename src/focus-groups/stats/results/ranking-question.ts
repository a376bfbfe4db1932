/**
 * Results of ranking questions (../ranking.ts): per option mean rank, first choice, rank
 * distribution and Borda; `distribution` is the share ranking each option first, with its
 * Wilson score interval (on Kish's effective n of the respondents when weighted). Across
 * groups, one Kruskal–Wallis test per option on the ranks it was given.
 */
import type { RankingAnswer } from '../../answer-types.js';
import { wilsonInterval } from '../intervals.js';
import { kruskalWallisFromCounts } from '../kruskal-wallis.js';
import { addRanking, createRankingTally, rankedIndexes, rankingStats, type RankingTally } from '../ranking.js';
import type { AnalysisOptions, RankingQuestionSpec, RespondentAnswers } from './inputs.js';
import type { RankingResult, RankingStatistics } from './result-types.js';
import { collect, effectiveN, modelResultStream, sizeFields, type QuestionModel, type RawTest, type ResultStream } from './segments.js';

function rankingModel(options: readonly string[]): QuestionModel<RankingAnswer, Int32Array, RankingTally, RankingStatistics> {
  const index = new Map(options.map((o, i) => [o, i]));
  return {
    prepare(answer) {
      if (!Array.isArray(answer.order)) return null;
      const order = rankedIndexes(answer.order, index);
      return order.length > 0 ? order : null;
    },
    create: () => createRankingTally(options),
    add: addRanking,
    stats(t, ctx) {
      const stats = rankingStats(t, ctx.level);
      const nEff = effectiveN(t);
      return {
        ...sizeFields(t, ctx.weighted),
        distribution: options.map((option, o) => ({ value: option, count: t.rawPositions[o]![0]!, share: stats[o]!.first_choice, ci: t.n > 0 ? wilsonInterval(stats[o]!.first_choice, nEff, ctx.level) : null })),
        options: stats,
      };
    },
    compare(groups) {
      const used = groups.filter((g) => g.summary.n > 0);
      if (used.length < 2) return [];
      const tests: RawTest[] = [];
      options.forEach((option, o) => {
        // Each group's ranks of this option, weighted and scaled to the option's effective n.
        const counts = used.map((g) => {
          const w = g.summary.rankedW[o]!;
          const nEff = g.summary.rankedW2[o]! > 0 ? (w * w) / g.summary.rankedW2[o]! : 0;
          return Float64Array.from(g.summary.positions[o]!, (x) => (w > 0 ? (x / w) * nEff : 0));
        });
        const kw = kruskalWallisFromCounts(counts);
        if (kw) tests.push({ test: 'kruskal_wallis', metric: `rank:${option}`, groups: used.map((g) => g.key), statistic: kw.h, df: kw.df, p_value: kw.pValue, effect_size: { measure: 'epsilon_squared', value: kw.epsilonSquared } });
      });
      return tests;
    },
  };
}

export function rankingStream(question: RankingQuestionSpec, options: AnalysisOptions): ResultStream<RankingAnswer, RankingResult> {
  return modelResultStream(rankingModel(question.options), question.id, options, (a) => ({ question_id: question.id, type: 'ranking', ...a.overall, skipped: a.skipped, segments: a.segments }));
}

export const rankingResults = (question: RankingQuestionSpec, answers: RespondentAnswers<'ranking'>, options: AnalysisOptions): RankingResult => collect(rankingStream(question, options), answers);
