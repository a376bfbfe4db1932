/** Results of the scale question types: nps, likert, rating, slider and semantic_differential (./scale-summary.ts). */
import type { ScaleAnswer } from '../../answer-types.js';
import { compareToReference, type ReferenceComparison } from '../reference-comparison.js';
import type { AnalysisOptions, LikertQuestionSpec, NpsQuestionSpec, RatingQuestionSpec, RespondentAnswers, SemanticDifferentialQuestionSpec, SliderQuestionSpec } from './inputs.js';
import type { LikertResult, NpsResult, RatingResult, ScaleStatistics, SemanticDifferentialResult, Segment, SliderResult } from './result-types.js';
import { addScaleAnswer, compareScaleGroups, createScaleSummary, prepareScaleAnswer, scaleStatistics, type PreparedScaleAnswer, type ScaleKind, type ScaleSummary } from './scale-summary.js';
import { analyze, type QuestionModel } from './segments.js';

export function scaleModel(min: number, max: number, kind: ScaleKind): QuestionModel<Pick<ScaleAnswer, 'value' | 'distribution'>, PreparedScaleAnswer, ScaleSummary, ScaleStatistics> {
  return {
    prepare: (answer) => prepareScaleAnswer(answer, min, max),
    create: () => createScaleSummary(min, max),
    add: addScaleAnswer,
    stats: (s, ctx) => scaleStatistics(s, kind, ctx),
    compare: (groups, pairwise) => compareScaleGroups(groups, kind, pairwise),
  };
}

interface ScaleQuestionResult {
  skipped: number;
  stats: ScaleStatistics;
  reference?: ReferenceComparison;
  segments: Segment<ScaleStatistics>[];
}

function scaleQuestion(question: { id: string; reference?: readonly number[] }, answers: RespondentAnswers<'likert'>, options: AnalysisOptions, min: number, max: number, kind: ScaleKind): ScaleQuestionResult {
  const a = analyze(scaleModel(min, max, kind), question.id, answers, options);
  const out: ScaleQuestionResult = { skipped: a.skipped, stats: a.overall, segments: a.segments };
  if (question.reference) {
    out.reference = compareToReference(
      a.summary.values,
      a.overall.distribution.map((d) => d.share),
      question.reference,
      true,
    );
  }
  return out;
}

function assemble<T extends string>(id: string, type: T, r: ScaleQuestionResult): { question_id: string; type: T; skipped: number; reference?: ReferenceComparison; segments: Segment<ScaleStatistics>[] } & ScaleStatistics {
  return { question_id: id, type, ...r.stats, skipped: r.skipped, ...(r.reference ? { reference: r.reference } : {}), segments: r.segments };
}

/** NPS (0–10): distribution, mean/median/sd, NPS with bootstrap and normal intervals; tests: chi-square over detractors/passives/promoters, pairwise NPS z. */
export function npsResults(question: NpsQuestionSpec, answers: RespondentAnswers<'nps'>, options: AnalysisOptions): NpsResult {
  return assemble(question.id, 'nps', scaleQuestion(question, answers, options, 0, 10, { test: 'nps', topBox: false }));
}

/** Likert (1 … scale): distribution with labels, mean/median/sd, top/bottom-2-box; tests: chi-square, pairwise Mann–Whitney. */
export function likertResults(question: LikertQuestionSpec, answers: RespondentAnswers<'likert'>, options: AnalysisOptions): LikertResult {
  return assemble(question.id, 'likert', scaleQuestion(question, answers, options, 1, question.scale, { test: 'ordinal', topBox: true, ...labels(question.labels) }));
}

/** Rating (min … max, default min 1): as likert. */
export function ratingResults(question: RatingQuestionSpec, answers: RespondentAnswers<'rating'>, options: AnalysisOptions): RatingResult {
  return assemble(question.id, 'rating', scaleQuestion(question, answers, options, question.min ?? 1, question.max, { test: 'ordinal', topBox: true, ...labels(question.labels) }));
}

/** Slider (min … max, default 0 … 100): mean/median/sd without top-box; tests: Kruskal–Wallis, pairwise Welch t. */
export function sliderResults(question: SliderQuestionSpec, answers: RespondentAnswers<'slider'>, options: AnalysisOptions): SliderResult {
  return assemble(question.id, 'slider', scaleQuestion(question, answers, options, question.min ?? 0, question.max ?? 100, { test: 'interval', topBox: false }));
}

/** Semantic differential (1 … scale, default 7; 1 = left): as likert, the top-2-box being the two points nearest `right`. */
export function semanticDifferentialResults(question: SemanticDifferentialQuestionSpec, answers: RespondentAnswers<'semantic_differential'>, options: AnalysisOptions): SemanticDifferentialResult {
  const points = question.scale ?? 7;
  const poles = Array.from({ length: points }, (_, i) => (i === 0 ? question.left : i === points - 1 ? question.right : ''));
  const r = scaleQuestion(question, answers, options, 1, points, { test: 'ordinal', topBox: true, labels: poles.map((l) => l || undefined) });
  return { ...assemble(question.id, 'semantic_differential', r), left: question.left, right: question.right };
}

function labels(l: readonly string[] | undefined): { labels?: readonly string[] } {
  return l ? { labels: l } : {};
}
