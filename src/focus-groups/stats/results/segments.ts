/**
 * The one loop every question type's results go through: tally the answers (overall and per
 * group of each segment attribute) in one pass, compute each group's statistics with its own
 * seeded stream, run the type's tests between the groups, and adjust all of the question's
 * p-values together with Holm's method (../p-adjust.ts). A question type supplies a
 * QuestionModel: how to tally an answer, the statistics of a tally, and its tests.
 *
 * Pairwise tests run only between groups with at least 2 (effective) respondents and only
 * when a segment has at most MAX_PAIRWISE_GROUPS groups (190 pairs); omnibus tests always.
 */
import type { ChiSquareResult } from '../chi-square-test.js';
import { holmAdjust } from '../p-adjust.js';
import { seedFrom } from '../random.js';
import type { AnalysisOptions, RespondentAnswer } from './inputs.js';
import type { Segment, SegmentTest } from './result-types.js';

export const MAX_PAIRWISE_GROUPS = 20;
export const DEFAULT_REPLICATES = 1000;
export const MAX_REPLICATES = 10_000;
export const DEFAULT_LEVEL = 0.95;

/** Respondent count and weight sums of a tally. */
export interface Totals {
  n: number;
  sumW: number;
  sumW2: number;
}

export const newTotals = (): Totals => ({ n: 0, sumW: 0, sumW2: 0 });

export function addToTotals(t: Totals, weight: number): void {
  t.n++;
  t.sumW += weight;
  t.sumW2 += weight * weight;
}

/** Kish's effective n of a tally (n when unweighted). */
export function effectiveN(t: Totals): number {
  return t.sumW2 > 0 ? (t.sumW * t.sumW) / t.sumW2 : 0;
}

/** `n`, and `n_effective` when the study is weighted. */
export function sizeFields(t: Totals, weighted: boolean): { n: number; n_effective?: number } {
  return weighted ? { n: t.n, n_effective: effectiveN(t) } : { n: t.n };
}

export interface StatsContext {
  seed: number;
  replicates: number;
  level: number;
  weighted: boolean;
}

/** A test before the family's correction. */
export type RawTest = Omit<SegmentTest, 'p_adjusted' | 'significant'>;

export interface GroupTally<S, G> {
  key: string;
  summary: S;
  stats: G;
}

export interface QuestionModel<A, P, S, G> {
  /**
   * Validates and encodes one answer, once: it is then added to the overall tally and to one
   * group per segment attribute. null: the answer does not fit the question (counted as skipped).
   */
  prepare(answer: A, record: RespondentAnswer<A>): P | null;
  create(): S;
  add(summary: S, prepared: P, weight: number): void;
  /** A group's statistics; `overall` (the statistics of all answers) is given for segment groups, e.g. as a starting point. */
  stats(summary: S, context: StatsContext, overall?: G): G;
  /** Tests between the groups of one segment attribute; `pairwise` false: omnibus tests only. `overall`: all answers. */
  compare(groups: readonly GroupTally<S, G>[], pairwise: boolean, context: StatsContext, overall: { summary: S; stats: G }): RawTest[];
}

export interface Analysis<S, G> {
  overall: G;
  summary: S;
  skipped: number;
  segments: Segment<G>[];
}

export function resolvedOptions(options: AnalysisOptions): { replicates: number; level: number } {
  const replicates = Math.min(MAX_REPLICATES, Math.max(0, Math.floor(options.replicates ?? DEFAULT_REPLICATES)));
  const level = options.level ?? DEFAULT_LEVEL;
  if (!(level > 0 && level < 1)) throw new RangeError(`level must be between 0 and 1, got ${level}`);
  return { replicates, level };
}

/**
 * One question's analysis fed one answer at a time: `add` tallies the record (validated and
 * encoded once, added overall and to its segment groups) and keeps nothing of it, `finish`
 * computes the statistics and tests. A caller streaming answers from storage (the service's
 * GET …/results) therefore holds no answer: the tallies are the only state.
 */
export interface AnalysisStream<A, S, G> {
  add(record: RespondentAnswer<A>): void;
  finish(): Analysis<S, G>;
}

export function analysisStream<A, P, S, G>(model: QuestionModel<A, P, S, G>, questionId: string, options: AnalysisOptions): AnalysisStream<A, S, G> {
  const { replicates, level } = resolvedOptions(options);
  const dims = options.segmentBy ?? [];
  const overall = model.create();
  const groups = dims.map(() => new Map<string, S>());
  let skipped = 0;
  let weighted = false;
  return {
    add(record) {
      const weight = record.weight ?? 1;
      if (!(Number.isFinite(weight) && weight >= 0)) throw new RangeError(`respondent weights must be finite and ≥ 0, got ${weight}`);
      if (weight !== 1) weighted = true;
      const prepared = record.answer === null ? null : model.prepare(record.answer, record);
      if (prepared === null) {
        skipped++;
        return;
      }
      model.add(overall, prepared, weight);
      for (let d = 0; d < dims.length; d++) {
        const key = record.segments?.[dims[d]!];
        if (key === undefined) continue;
        let summary = groups[d]!.get(key);
        if (summary === undefined) groups[d]!.set(key, (summary = model.create()));
        model.add(summary, prepared, weight);
      }
    },
    finish() {
      const context = (...parts: string[]): StatsContext => ({ seed: seedFrom(options.seed, questionId, ...parts), replicates, level, weighted });
      const overallStats = model.stats(overall, context('all'));
      const raw: { d: number; test: RawTest }[] = [];
      const segments = dims.map((dim, d): Segment<G> => {
        const tallies = [...groups[d]!.entries()]
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([key, summary]) => ({ key, summary, stats: model.stats(summary, context(dim, key), overallStats) }));
        for (const test of model.compare(tallies, tallies.length <= MAX_PAIRWISE_GROUPS, context(dim, '#tests'), { summary: overall, stats: overallStats })) raw.push({ d, test });
        return { by: dim, groups: tallies.map((t) => ({ key: t.key, ...t.stats })), tests: [] };
      });
      const adjusted = holmAdjust(raw.map((r) => r.test.p_value));
      raw.forEach((r, i) => {
        const p = adjusted[i]!;
        segments[r.d]!.tests.push({ ...r.test, p_adjusted: p, significant: p < 1 - level });
      });
      return { overall: overallStats, summary: overall, skipped, segments };
    },
  };
}

export function analyze<A, P, S, G>(model: QuestionModel<A, P, S, G>, questionId: string, records: readonly RespondentAnswer<A>[], options: AnalysisOptions): Analysis<S, G> {
  const stream = analysisStream(model, questionId, options);
  for (const record of records) stream.add(record);
  return stream.finish();
}

/** A question's results fed one answer at a time (see AnalysisStream); `result` once, after the last answer. */
export interface ResultStream<A, R> {
  add(record: RespondentAnswer<A>): void;
  result(): R;
}

/** The ResultStream of a model: its analysis, then `assemble` shapes the question's result. */
export function modelResultStream<A, P, S, G, R>(model: QuestionModel<A, P, S, G>, questionId: string, options: AnalysisOptions, assemble: (a: Analysis<S, G>) => R): ResultStream<A, R> {
  const stream = analysisStream(model, questionId, options);
  return { add: stream.add, result: () => assemble(stream.finish()) };
}

/** A ResultStream whose result is reshaped by `f`. */
export function mapResult<A, R, T>(stream: ResultStream<A, R>, f: (r: R) => T): ResultStream<A, T> {
  return { add: stream.add, result: () => f(stream.result()) };
}

/** Feeds every record to a ResultStream and returns its result. */
export function collect<A, R>(stream: ResultStream<A, R>, records: readonly RespondentAnswer<A>[]): R {
  for (const record of records) stream.add(record);
  return stream.result();
}

/** All pairs (i < j) of the groups with at least `minN` effective respondents. */
export function pairsOf<T>(groups: readonly T[], size: (g: T) => number, minN = 2): [T, T][] {
  const ok = groups.filter((g) => size(g) >= minN);
  const out: [T, T][] = [];
  for (let i = 0; i < ok.length; i++) for (let j = i + 1; j < ok.length; j++) out.push([ok[i]!, ok[j]!]);
  return out;
}

/** The chi-square test's fields for a SegmentTest. */
export function chiSquareTest(metric: string, groups: string[], r: ChiSquareResult): RawTest {
  return {
    test: 'chi_square',
    metric,
    groups,
    statistic: r.statistic,
    df: r.df,
    p_value: r.pValue,
    effect_size: { measure: 'cramers_v', value: r.cramersV },
    ...(r.cochranOk ? {} : { warning: `sparse table: ${Math.round(r.sparseCellShare * 100)}% of expected counts below 5 (smallest ${r.minExpected.toFixed(2)}); the chi-square approximation is doubtful` }),
  };
}
