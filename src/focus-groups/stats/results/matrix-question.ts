/**
 * Results of matrix questions: every row is a scale question of its own (likert-like, on
 * 1 … scale) with its statistics and tests (metrics prefixed `row:<row>:`); `distribution`
 * pools all rows' answers (how the respondents used the scale). `n` counts respondents who
 * answered at least one row.
 */
import type { MatrixAnswer } from '../../answer-types.js';
import { seedFrom } from '../random.js';
import type { AnalysisOptions, MatrixQuestionSpec, RespondentAnswers } from './inputs.js';
import type { MatrixResult, MatrixStatistics } from './result-types.js';
import { addScaleAnswer, compareScaleGroups, createScaleSummary, prepareScaleAnswer, scaleStatistics, type PreparedScaleAnswer, type ScaleKind, type ScaleSummary } from './scale-summary.js';
import { addToTotals, collect, modelResultStream, newTotals, sizeFields, type QuestionModel, type RawTest, type ResultStream, type Totals } from './segments.js';

interface Summary extends Totals {
  rows: ScaleSummary[];
  pooled: ScaleSummary;
}

function matrixModel(rows: readonly string[], points: number, labels: readonly string[] | undefined): QuestionModel<MatrixAnswer, (PreparedScaleAnswer | null)[], Summary, MatrixStatistics> {
  const kind: ScaleKind = { test: 'ordinal', topBox: true, ...(labels ? { labels } : {}) };
  return {
    prepare(answer) {
      if (typeof answer.rows !== 'object' || answer.rows === null) return null;
      const cells = rows.map((row) => {
        const cell = answer.rows[row];
        return cell && typeof cell === 'object' ? prepareScaleAnswer(cell, 1, points) : null;
      });
      return cells.some((c) => c !== null) ? cells : null;
    },
    create: () => ({ ...newTotals(), rows: rows.map(() => createScaleSummary(1, points)), pooled: createScaleSummary(1, points) }),
    add(s, cells, weight) {
      cells.forEach((cell, r) => {
        if (cell === null) return;
        addScaleAnswer(s.rows[r]!, cell, weight);
        addScaleAnswer(s.pooled, cell, weight);
      });
      addToTotals(s, weight);
    },
    stats(s, ctx) {
      const pooled = scaleStatistics(s.pooled, kind, { ...ctx, replicates: 0 });
      return {
        ...sizeFields(s, ctx.weighted),
        distribution: pooled.distribution,
        rows: rows.map((row, r) => ({ row, ...scaleStatistics(s.rows[r]!, kind, { ...ctx, seed: seedFrom(ctx.seed, 'row', r) }) })),
      };
    },
    compare(groups, pairwise) {
      const tests: RawTest[] = [];
      rows.forEach((row, r) => {
        const rowGroups = groups.map((g) => ({ key: g.key, summary: g.summary.rows[r]!, stats: g.stats.rows[r]! }));
        tests.push(...compareScaleGroups(rowGroups, kind, pairwise, `row:${row}:`));
      });
      return tests;
    },
  };
}

export function matrixStream(question: MatrixQuestionSpec, options: AnalysisOptions): ResultStream<MatrixAnswer, MatrixResult> {
  return modelResultStream(matrixModel(question.rows, question.scale, question.labels), question.id, options, (a) => ({
    question_id: question.id,
    type: 'matrix',
    ...a.overall,
    skipped: a.skipped,
    segments: a.segments,
  }));
}

export const matrixResults = (question: MatrixQuestionSpec, answers: RespondentAnswers<'matrix'>, options: AnalysisOptions): MatrixResult => collect(matrixStream(question, options), answers);
