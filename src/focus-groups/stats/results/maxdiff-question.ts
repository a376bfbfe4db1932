/**
 * Results of maxdiff questions (../maxdiff.ts): best-minus-worst counting scores per item;
 * `distribution` is each item's share of the best picks. Across groups, one chi-square test
 * per item on how its appearances ended (best / worst / neither) — the appearances of one
 * respondent are not independent, so read these p-values as indicative.
 */
import type { MaxDiffAnswer } from '../../answer-types.js';
import { chiSquareIndependence } from '../chi-square-test.js';
import { addMaxDiffTask, createMaxDiffTally, maxDiffScores, prepareMaxDiffTask, type MaxDiffTally, type PreparedMaxDiffTask } from '../maxdiff.js';
import type { AnalysisOptions, MaxDiffQuestionSpec, RespondentAnswers } from './inputs.js';
import type { MaxDiffResult, MaxDiffStatistics } from './result-types.js';
import { addToTotals, chiSquareTest, collect, modelResultStream, newTotals, sizeFields, type QuestionModel, type RawTest, type ResultStream, type Totals } from './segments.js';

type Summary = MaxDiffTally & Totals;

interface PreparedMaxDiff {
  tasks: PreparedMaxDiffTask[];
  skipped: number;
}

function maxDiffModel(items: readonly string[]): QuestionModel<MaxDiffAnswer, PreparedMaxDiff, Summary, MaxDiffStatistics> {
  const index = new Map(items.map((item, i) => [item, i]));
  return {
    prepare(answer) {
      if (!Array.isArray(answer.tasks) || answer.tasks.length === 0) return null;
      const tasks: PreparedMaxDiffTask[] = [];
      let skipped = 0;
      for (const task of answer.tasks) {
        const prepared = prepareMaxDiffTask(task.shown, task.best, task.worst, index);
        if (prepared) tasks.push(prepared);
        else skipped++;
      }
      return { tasks, skipped };
    },
    create: () => ({ ...createMaxDiffTally(items), ...newTotals() }),
    add(t, answer, weight) {
      for (const task of answer.tasks) addMaxDiffTask(t, task, weight);
      t.skippedTasks += answer.skipped;
      addToTotals(t, weight);
    },
    stats(t, ctx) {
      let best = 0;
      for (const b of t.best) best += b;
      return {
        ...sizeFields(t, ctx.weighted),
        distribution: items.map((item, i) => ({ value: item, count: t.best[i]!, share: best > 0 ? t.best[i]! / best : 0 })),
        items: maxDiffScores(t),
        skipped_tasks: t.skippedTasks,
      };
    },
    compare(groups) {
      const used = groups.filter((g) => g.summary.n > 0);
      if (used.length < 2) return [];
      const tests: RawTest[] = [];
      items.forEach((item, i) => {
        const table = used.map((g) => [g.summary.best[i]!, g.summary.worst[i]!, Math.max(0, g.summary.shown[i]! - g.summary.best[i]! - g.summary.worst[i]!)]);
        const chi = chiSquareIndependence(table);
        if (chi) tests.push(chiSquareTest(`item:${item}`, used.map((g) => g.key), chi));
      });
      return tests;
    },
  };
}

export function maxDiffStream(question: MaxDiffQuestionSpec, options: AnalysisOptions): ResultStream<MaxDiffAnswer, MaxDiffResult> {
  return modelResultStream(maxDiffModel(question.options), question.id, options, (a) => ({ question_id: question.id, type: 'maxdiff', ...a.overall, skipped: a.skipped, segments: a.segments }));
}

export const maxDiffResults = (question: MaxDiffQuestionSpec, answers: RespondentAnswers<'maxdiff'>, options: AnalysisOptions): MaxDiffResult => collect(maxDiffStream(question, options), answers);
