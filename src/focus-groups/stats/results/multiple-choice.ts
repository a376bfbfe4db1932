/**
 * Results of multiple_choice questions. Single choice: one category per respondent (the
 * options, then `other`), a Wilson score interval per share, chi-square across groups.
 * Multi-select: each option is chosen or not by each respondent — its share is of
 * respondents (shares sum past 1), its interval the Wilson interval of that proportion
 * (Kish's effective n when weighted), and across
 * groups one chi-square (chosen / not) per option. "Other" answers are listed by their
 * normalized text (top 10). Options not in the question are ignored; an answer with no
 * known option and no `other` is skipped.
 */
import type { MultipleChoiceAnswer } from '../../answer-types.js';
import { chiSquareIndependence } from '../chi-square-test.js';
import { wilsonInterval } from '../intervals.js';
import { compareToReference } from '../reference-comparison.js';
import { categoricalDistribution, compareCategoricalGroups, createCategoricalSummary, type CategoricalSummary } from './categorical-summary.js';
import type { AnalysisOptions, MultipleChoiceQuestionSpec, RespondentAnswers } from './inputs.js';
import type { DistributionEntry, MultipleChoiceResult, MultipleChoiceStatistics } from './result-types.js';
import { addToTotals, chiSquareTest, collect, effectiveN, modelResultStream, sizeFields, type QuestionModel, type RawTest, type ResultStream } from './segments.js';

const OTHER = 'other';
const MAX_OTHER_TEXTS = 10;
/** Distinct "other" texts kept per tally, so that a stranger's free text cannot grow it without bound. */
const MAX_OTHER_KEYS = 1000;

interface ChoiceSummary extends CategoricalSummary {
  others: Map<string, number>;
}

interface PreparedChoice {
  chosen: number[];
  /** The normalized "other" text. */
  other: string | null;
}

function choiceModel(options: readonly string[], multiple: boolean): QuestionModel<MultipleChoiceAnswer, PreparedChoice, ChoiceSummary, MultipleChoiceStatistics> {
  const k = options.length + 1;
  const index = new Map(options.map((o, i) => [o, i]));
  const categories = [...options.map((o) => ({ value: o })), { value: OTHER }];
  return {
    prepare(answer) {
      const chosen = new Set<number>();
      for (const option of Array.isArray(answer.selected) ? answer.selected : []) {
        const i = index.get(option) ?? (option === OTHER ? k - 1 : undefined);
        if (i !== undefined) chosen.add(i);
      }
      const otherText = typeof answer.other === 'string' ? answer.other.trim() : '';
      if (otherText) chosen.add(k - 1);
      if (chosen.size === 0 || (!multiple && chosen.size > 1)) return null;
      return { chosen: [...chosen], other: otherText ? otherText.toLowerCase().replace(/\s+/g, ' ').replace(/[.!?]+$/, '') : null };
    },
    create: () => ({ ...createCategoricalSummary(k), others: new Map() }),
    add(s, answer, weight) {
      for (const i of answer.chosen) {
        s.counts[i]! += 1;
        s.weighted[i]! += weight;
      }
      addToTotals(s, weight);
      const key = answer.other;
      if (key !== null && (s.others.has(key) || s.others.size < MAX_OTHER_KEYS)) s.others.set(key, (s.others.get(key) ?? 0) + 1);
    },
    stats(s, ctx) {
      const distribution = multiple ? multiSelectDistribution(s, categories, ctx) : categoricalDistribution(s, categories, ctx, true);
      const other_answers = [...s.others.entries()]
        .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
        .slice(0, MAX_OTHER_TEXTS)
        .map(([text, count]) => ({ text, count }));
      return { ...sizeFields(s, ctx.weighted), distribution, other_answers };
    },
    compare(groups) {
      if (!multiple) return compareCategoricalGroups(groups, 'distribution');
      const used = groups.filter((g) => g.summary.n > 0);
      if (used.length < 2) return [];
      const tests: RawTest[] = [];
      categories.forEach((c, i) => {
        const table = used.map((g) => {
          const nEff = effectiveN(g.summary);
          const p = g.summary.sumW > 0 ? g.summary.weighted[i]! / g.summary.sumW : 0;
          return [p * nEff, (1 - p) * nEff];
        });
        const chi = chiSquareIndependence(table);
        if (chi) tests.push(chiSquareTest(`option:${c.value}`, used.map((g) => g.key), chi));
      });
      return tests;
    },
  };
}

/** Each option's share of respondents with its Wilson score interval (on Kish's effective n). */
function multiSelectDistribution(s: ChoiceSummary, categories: readonly { value: string }[], ctx: { level: number }): DistributionEntry[] {
  const nEff = effectiveN(s);
  return categories.map((c, i) => {
    const share = s.sumW > 0 ? s.weighted[i]! / s.sumW : 0;
    return { value: c.value, count: s.counts[i]!, share, ci: s.n > 0 ? wilsonInterval(share, nEff, ctx.level) : null };
  });
}

/** `reference`, if given: shares of the options (and optionally `other` last); compared by Jensen–Shannon only (unordered). */
export function multipleChoiceStream(question: MultipleChoiceQuestionSpec, options: AnalysisOptions): ResultStream<MultipleChoiceAnswer, MultipleChoiceResult> {
  const multiple = question.multiple === true;
  return modelResultStream(choiceModel(question.options, multiple), question.id, options, (a) => {
    const out: MultipleChoiceResult = { question_id: question.id, type: 'multiple_choice', multiple, ...a.overall, skipped: a.skipped, segments: a.segments };
    if (question.reference) {
      const shares = a.overall.distribution.map((d) => d.share).slice(0, question.reference.length);
      out.reference = compareToReference(shares.map((_, i) => i), shares, question.reference, false);
    }
    return out;
  });
}

export const multipleChoiceResults = (question: MultipleChoiceQuestionSpec, answers: RespondentAnswers<'multiple_choice'>, options: AnalysisOptions): MultipleChoiceResult =>
  collect(multipleChoiceStream(question, options), answers);
