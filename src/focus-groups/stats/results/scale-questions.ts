/** Results of the scale question types: nps, likert, rating, slider and semantic_differential (./scale-summary.ts). */
import type { ScaleAnswer } from '../../answer-types.js';
import { compareToReference, type ReferenceComparison } from '../reference-comparison.js';
import type { AnalysisOptions, LikertQuestionSpec, NpsQuestionSpec, RatingQuestionSpec, RespondentAnswers, SemanticDifferentialQuestionSpec, SliderQuestionSpec } from './inputs.js';
import type { LikertResult, NpsResult, RatingResult, ScaleStatistics, SemanticDifferentialResult, Segment, SliderResult } from './result-types.js';
import { addScaleAnswer, compareScaleGroups, createScaleSummary, prepareScaleAnswer, scaleStatistics, type PreparedScaleAnswer, type ScaleKind, type ScaleSummary } from './scale-summary.js';
import { collect, mapResult, modelResultStream, type QuestionModel, type ResultStream } from './segments.js';

type ScaleInput = Pick<ScaleAnswer, 'value' | 'distribution'>;

export function scaleModel(min: number, max: number, kind: ScaleKind): QuestionModel<ScaleInput, PreparedScaleAnswer, ScaleSummary, ScaleStatistics> {
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

function scaleQuestion(question: { id: string; reference?: readonly number[] }, options: AnalysisOptions, min: number, max: number, kind: ScaleKind): ResultStream<ScaleInput, ScaleQuestionResult> {
  return modelResultStream(scaleModel(min, max, kind), question.id, options, (a) => {
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
  });
}

function assemble<T extends string>(id: string, type: T, r: ScaleQuestionResult): { question_id: string; type: T; skipped: number; reference?: ReferenceComparison; segments: Segment<ScaleStatistics>[] } & ScaleStatistics {
  return { question_id: id, type, ...r.stats, skipped: r.skipped, ...(r.reference ? { reference: r.reference } : {}), segments: r.segments };
}

/** NPS (0–10): distribution, mean/median/sd, NPS with bootstrap and normal intervals; tests: chi-square over detractors/passives/promoters, pairwise NPS z. */
export function npsStream(question: NpsQuestionSpec, options: AnalysisOptions): ResultStream<ScaleInput, NpsResult> {
  return mapResult(scaleQuestion(question, options, 0, 10, { test: 'nps', topBox: false }), (r) => assemble(question.id, 'nps', r));
}

/** Likert (1 … scale): distribution with labels, mean/median/sd, top/bottom-2-box; tests: chi-square, pairwise Mann–Whitney. */
export function likertStream(question: LikertQuestionSpec, options: AnalysisOptions): ResultStream<ScaleInput, LikertResult> {
  return mapResult(scaleQuestion(question, options, 1, question.scale, { test: 'ordinal', topBox: true, ...labels(question.labels) }), (r) => assemble(question.id, 'likert', r));
}

/** Rating (min … max, default min 1): as likert. */
export function ratingStream(question: RatingQuestionSpec, options: AnalysisOptions): ResultStream<ScaleInput, RatingResult> {
  return mapResult(scaleQuestion(question, options, question.min ?? 1, question.max, { test: 'ordinal', topBox: true, ...labels(question.labels) }), (r) => assemble(question.id, 'rating', r));
}

/** Slider (min … max, default 0 … 100): mean/median/sd without top-box; tests: Kruskal–Wallis, pairwise Welch t. */
export function sliderStream(question: SliderQuestionSpec, options: AnalysisOptions): ResultStream<ScaleInput, SliderResult> {
  return mapResult(scaleQuestion(question, options, question.min ?? 0, question.max ?? 100, { test: 'interval', topBox: false }), (r) => assemble(question.id, 'slider', r));
}

/** Semantic differential (1 … scale, default 7; 1 = left): as likert, the top-2-box being the two points nearest `right`. */
export function semanticDifferentialStream(question: SemanticDifferentialQuestionSpec, options: AnalysisOptions): ResultStream<ScaleInput, SemanticDifferentialResult> {
  const points = question.scale ?? 7;
  const poles = Array.from({ length: points }, (_, i) => (i === 0 ? question.left : i === points - 1 ? question.right : ''));
  return mapResult(scaleQuestion(question, options, 1, points, { test: 'ordinal', topBox: true, labels: poles.map((l) => l || undefined) }), (r) => ({
    ...assemble(question.id, 'semantic_differential', r),
    left: question.left,
    right: question.right,
  }));
}

export const npsResults = (question: NpsQuestionSpec, answers: RespondentAnswers<'nps'>, options: AnalysisOptions): NpsResult => collect(npsStream(question, options), answers);
export const likertResults = (question: LikertQuestionSpec, answers: RespondentAnswers<'likert'>, options: AnalysisOptions): LikertResult => collect(likertStream(question, options), answers);
export const ratingResults = (question: RatingQuestionSpec, answers: RespondentAnswers<'rating'>, options: AnalysisOptions): RatingResult => collect(ratingStream(question, options), answers);
export const sliderResults = (question: SliderQuestionSpec, answers: RespondentAnswers<'slider'>, options: AnalysisOptions): SliderResult => collect(sliderStream(question, options), answers);
export const semanticDifferentialResults = (question: SemanticDifferentialQuestionSpec, answers: RespondentAnswers<'semantic_differential'>, options: AnalysisOptions): SemanticDifferentialResult =>
  collect(semanticDifferentialStream(question, options), answers);

function labels(l: readonly string[] | undefined): { labels?: readonly string[] } {
  return l ? { labels: l } : {};
}
