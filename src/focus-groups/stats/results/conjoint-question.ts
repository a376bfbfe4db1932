/**
 * Results of conjoint questions (../conjoint.ts): multinomial-logit part-worths with
 * intervals, attribute importances and counts; `distribution` is the share of choices by
 * position shown (1 = first) and "none" — a check for position bias. Across groups, a
 * likelihood-ratio test of one model per group against one pooled model:
 * LR = 2(Σ LL_g − LL_pooled) ~ χ²((G − 1)·p), p the parameters of one model (a Chow-type
 * test of preference heterogeneity; it ignores scale differences between groups).
 */
import type { ConjointAnswer } from '../../answer-types.js';
import { addEncodedTask, createConjointCodec, createConjointTally, encodeConjointTask, fitConjoint, forEachChoiceSet, mergeConjointTally, type ConjointTally, type EncodedTask } from '../conjoint.js';
import { chiSquareSf } from '../distributions.js';
import type { AnalysisOptions, ConjointQuestionSpec, RespondentAnswers } from './inputs.js';
import type { ConjointResult, ConjointStatistics, DistributionEntry } from './result-types.js';
import { addToTotals, collect, modelResultStream, newTotals, sizeFields, type QuestionModel, type ResultStream, type Totals } from './segments.js';

type Summary = ConjointTally & Totals;

interface PreparedConjoint {
  tasks: EncodedTask[];
  skipped: number;
}

function conjointModel(attributes: ConjointQuestionSpec['attributes']): QuestionModel<ConjointAnswer, PreparedConjoint, Summary, ConjointStatistics> {
  const codec = createConjointCodec(attributes);
  const create = (): Summary => ({ ...createConjointTally(attributes, codec), ...newTotals() });
  return {
    prepare(answer) {
      if (!Array.isArray(answer.tasks) || answer.tasks.length === 0) return null;
      const tasks: EncodedTask[] = [];
      let skipped = 0;
      for (const task of answer.tasks) {
        const encoded = encodeConjointTask(codec, task?.shown, task?.chosen ?? null);
        if (encoded) tasks.push(encoded);
        else skipped++;
      }
      return { tasks, skipped };
    },
    create,
    add(t, answer, weight) {
      for (const task of answer.tasks) addEncodedTask(t, task, weight);
      t.skippedTasks += answer.skipped;
      addToTotals(t, weight);
    },
    stats(t, ctx, overall) {
      const fit = fitConjoint(t, { level: ctx.level, ...(overall ? { start: overall } : {}) });
      return { ...sizeFields(t, ctx.weighted), distribution: positions(t), ...fit, skipped_tasks: t.skippedTasks };
    },
    compare(groups, _pairwise, _context, overall) {
      const used = groups.filter((g) => g.summary.tasks > 0);
      if (used.length < 2) return [];
      // The pooled model is the overall one unless some respondents lack the attribute.
      let pooled: ConjointTally = overall.summary;
      let pooledLl = overall.stats.log_likelihood;
      if (used.reduce((s, g) => s + g.summary.tasks, 0) !== overall.summary.tasks) {
        pooled = create();
        for (const g of used) mergeConjointTally(pooled, g.summary);
        pooledLl = fitConjoint(pooled).log_likelihood;
      }
      const parameters = attributes.reduce((s, a) => s + Math.max(0, a.levels.length - 1), 0) + (pooled.noneChosen > 0 ? 1 : 0);
      const lr = 2 * (used.reduce((s, g) => s + g.stats.log_likelihood, 0) - pooledLl);
      const df = (used.length - 1) * parameters;
      if (!(df > 0)) return [];
      return [{ test: 'likelihood_ratio', metric: 'part_worths', groups: used.map((g) => g.key), statistic: Math.max(0, lr), df, p_value: chiSquareSf(Math.max(0, lr), df), effect_size: null }];
    },
  };
}

/** Share of the (weighted) choices falling on each position shown, and on none. */
function positions(t: ConjointTally): DistributionEntry[] {
  const byPosition: number[] = [];
  let none = 0;
  forEachChoiceSet(t, (profiles, _ids, counts) => {
    const p = profiles.length;
    for (let j = 0; j < p; j++) byPosition[j] = (byPosition[j] ?? 0) + counts[j]!;
    none += counts[p]!;
  });
  const filled = Array.from(byPosition, (x) => x ?? 0);
  const total = filled.reduce((s, x) => s + x, 0) + none;
  const entries: DistributionEntry[] = filled.map((x, j) => ({ value: j + 1, count: x, share: total > 0 ? x / total : 0 }));
  if (none > 0) entries.push({ value: 'none', count: none, share: total > 0 ? none / total : 0 });
  return entries;
}

export function conjointStream(question: ConjointQuestionSpec, options: AnalysisOptions): ResultStream<ConjointAnswer, ConjointResult> {
  return modelResultStream(conjointModel(question.attributes), question.id, options, (a) => ({ question_id: question.id, type: 'conjoint', ...a.overall, skipped: a.skipped, segments: a.segments }));
}

export const conjointResults = (question: ConjointQuestionSpec, answers: RespondentAnswers<'conjoint'>, options: AnalysisOptions): ConjointResult =>
  collect(conjointStream(question, options), answers);
