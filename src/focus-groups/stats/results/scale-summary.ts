/**
 * Tally and statistics of answers on a numeric scale of integer points min … max (nps,
 * likert, rating, slider, semantic differential, matrix rows): counts per point, weighted
 * (raking) and fractional (an SSR answer adds its pmf), from which every statistic is a
 * function of the K shares (../discrete-distribution.ts) and every bootstrap replicate one
 * multinomial draw (../bootstrap.ts) — the mean, median and NPS intervals; the top-2-box and
 * bottom-2-box shares, being proportions, get the Wilson score interval on Kish's effective n
 * (../intervals.ts), which does not collapse at 0 or 100%. Tests between groups: chi-square on the distributions
 * and Mann–Whitney for ordinal scales, NPS difference z for NPS, Welch t (and Kruskal–Wallis
 * across all groups) for sliders. Weighted groups enter the tests as shares × Kish's n_eff.
 */
import type { ScaleAnswer } from '../../answer-types.js';
import { bootstrapDistribution, percentileInterval } from '../bootstrap.js';
import { chiSquareIndependence } from '../chi-square-test.js';
import { distributionMean, distributionMedian, distributionSampleSd, massBetween } from '../discrete-distribution.js';
import { normalInterval, tInterval, wilsonInterval } from '../intervals.js';
import { kruskalWallisFromCounts } from '../kruskal-wallis.js';
import { mannWhitneyFromCounts } from '../mann-whitney.js';
import { npsDifferenceTest, npsFromDistribution, npsStandardError } from '../nps.js';
import { createRng } from '../random.js';
import { welchTTest } from '../welch-t-test.js';
import type { DistributionEntry, ScaleStatistics } from './result-types.js';
import { addToTotals, chiSquareTest, effectiveN, newTotals, pairsOf, sizeFields, type GroupTally, type RawTest, type StatsContext, type Totals } from './segments.js';

export interface ScaleSummary extends Totals {
  readonly values: Float64Array;
  /** Respondents per point (fractional with SSR answers). */
  readonly counts: Float64Array;
  /** Σ weight per point. */
  readonly weighted: Float64Array;
}

/** How a scale's statistics and tests are chosen. */
export interface ScaleKind {
  /** 'ordinal': Mann–Whitney pairwise; 'nps': NPS and its z-test; 'interval' (sliders): Welch t and Kruskal–Wallis. */
  test: 'ordinal' | 'nps' | 'interval';
  /** Report top-2-box / bottom-2-box. */
  topBox: boolean;
  labels?: readonly (string | undefined)[];
}

export function createScaleSummary(min: number, max: number): ScaleSummary {
  const k = max - min + 1;
  if (!(Number.isInteger(min) && Number.isInteger(max) && k >= 2 && k <= 1001)) throw new RangeError(`a scale needs integer bounds with 2 to 1,001 points, got ${min}…${max}`);
  return { ...newTotals(), values: Float64Array.from({ length: k }, (_, i) => min + i), counts: new Float64Array(k), weighted: new Float64Array(k) };
}

/** A scale answer checked against its scale: the index of the chosen point, or an SSR answer's normalized pmf. */
export type PreparedScaleAnswer = number | Float64Array;

/** null when the answer is off the scale (min … max), or its pmf does not fit it. */
export function prepareScaleAnswer(answer: Pick<ScaleAnswer, 'value' | 'distribution'>, min: number, max: number): PreparedScaleAnswer | null {
  const k = max - min + 1;
  if (answer.distribution !== undefined) {
    const pmf = answer.distribution;
    if (!Array.isArray(pmf) || pmf.length !== k) return null;
    let total = 0;
    for (const p of pmf) {
      if (!(typeof p === 'number' && p >= 0 && Number.isFinite(p))) return null;
      total += p;
    }
    if (!(total > 0)) return null;
    return Float64Array.from(pmf, (p) => p / total);
  }
  const i = answer.value - min;
  return Number.isInteger(i) && i >= 0 && i < k ? i : null;
}

export function addScaleAnswer(s: ScaleSummary, answer: PreparedScaleAnswer, weight: number): void {
  if (typeof answer === 'number') {
    s.counts[answer]! += 1;
    s.weighted[answer]! += weight;
  } else {
    for (let i = 0; i < answer.length; i++) {
      s.counts[i]! += answer[i]!;
      s.weighted[i]! += weight * answer[i]!;
    }
  }
  addToTotals(s, weight);
}

const STAT_MEAN = 0;
const STAT_MEDIAN = 1;
const STAT_NPS = 2;

export function scaleStatistics(s: ScaleSummary, kind: ScaleKind, ctx: StatsContext): ScaleStatistics {
  const k = s.values.length;
  const values = s.values;
  const shares = Float64Array.from(s.weighted, (w) => (s.sumW > 0 ? w / s.sumW : 0));
  const nEff = effectiveN(s);
  const has = s.n > 0 && s.sumW > 0;
  const mean = has ? distributionMean(values, shares) : NaN;
  const sd = has ? distributionSampleSd(values, shares, s.n) : NaN;
  const topBox = kind.topBox && k >= 4;
  const nps = kind.test === 'nps' && has ? npsFromDistribution(values, shares) : null;
  const distribution: DistributionEntry[] = Array.from(values, (value, i) => {
    const entry: DistributionEntry = { value, count: s.counts[i]!, share: shares[i]! };
    const label = kind.labels?.[i];
    if (label !== undefined) entry.label = label;
    return entry;
  });

  let boot: Float64Array[] | null = null;
  if (has && ctx.replicates > 0 && nEff >= 2) {
    const size = Math.round(nEff);
    boot = bootstrapDistribution(shares, size, ctx.replicates, createRng(ctx.seed), 3, (counts, n, out) => {
      if (n === 0) return;
      out[STAT_MEAN] = distributionMean(values, counts);
      out[STAT_MEDIAN] = distributionMedian(values, counts);
      if (nps) out[STAT_NPS] = npsFromDistribution(values, counts)?.score ?? NaN;
    });
  }
  const interval = (i: number): [number, number] | null => (boot ? percentileInterval(boot[i]!, ctx.level) : null);
  const out: ScaleStatistics = {
    ...sizeFields(s, ctx.weighted),
    distribution,
    mean: finite(mean),
    median: has ? finite(distributionMedian(values, shares)) : null,
    sd: finite(sd),
    ci: { mean: interval(STAT_MEAN), mean_t: tInterval(mean, sd, nEff, ctx.level), median: interval(STAT_MEDIAN) },
  };
  if (topBox) {
    out.top2box = has ? massBetween(shares, k - 2, k - 1) : null;
    out.bottom2box = has ? massBetween(shares, 0, 1) : null;
    out.ci.top2box = out.top2box === null ? null : wilsonInterval(out.top2box, nEff, ctx.level);
    out.ci.bottom2box = out.bottom2box === null ? null : wilsonInterval(out.bottom2box, nEff, ctx.level);
  }
  if (kind.test === 'nps') {
    const se = nps ? npsStandardError(nps, nEff) : NaN;
    out.nps = nps ? { ...nps, se: finite(se) } : null;
    out.ci.nps = interval(STAT_NPS);
    out.ci.nps_normal = nps && nEff >= 2 ? normalInterval(nps.score, se, ctx.level) : null;
  }
  return out;
}

/** The group's answers as counts for the rank and contingency tests: weighted shares × Kish's n_eff. */
export function testCounts(s: ScaleSummary): Float64Array {
  const nEff = effectiveN(s);
  return Float64Array.from(s.weighted, (w) => (s.sumW > 0 ? (w / s.sumW) * nEff : 0));
}

/** Detractor / passive / promoter counts of an NPS tally (for the omnibus chi-square). */
function npsCategories(counts: Float64Array, values: Float64Array): Float64Array {
  const out = new Float64Array(3);
  values.forEach((v, i) => (out[v >= 9 ? 2 : v >= 7 ? 1 : 0]! += counts[i]!));
  return out;
}

export function compareScaleGroups(groups: readonly GroupTally<ScaleSummary, ScaleStatistics>[], kind: ScaleKind, pairwise: boolean, metricPrefix = ''): RawTest[] {
  const tests: RawTest[] = [];
  const used = groups.filter((g) => g.summary.n > 0);
  const keys = used.map((g) => g.key);
  const counts = used.map((g) => testCounts(g.summary));
  if (used.length >= 2) {
    if (kind.test === 'interval') {
      const kw = kruskalWallisFromCounts(counts);
      if (kw) tests.push({ test: 'kruskal_wallis', metric: `${metricPrefix}scale`, groups: keys, statistic: kw.h, df: kw.df, p_value: kw.pValue, effect_size: { measure: 'epsilon_squared', value: kw.epsilonSquared } });
    } else {
      const table = kind.test === 'nps' ? counts.map((c) => npsCategories(c, used[0]!.summary.values)) : counts;
      const chi = chiSquareIndependence(table);
      if (chi) tests.push(chiSquareTest(`${metricPrefix}distribution`, keys, chi));
    }
  }
  if (!pairwise) return tests;
  for (const [a, b] of pairsOf(used, (g) => effectiveN(g.summary))) {
    const pair = [a.key, b.key];
    const nA = effectiveN(a.summary);
    const nB = effectiveN(b.summary);
    if (kind.test === 'ordinal') {
      const r = mannWhitneyFromCounts(testCounts(a.summary), testCounts(b.summary));
      if (r) tests.push({ test: 'mann_whitney_u', metric: `${metricPrefix}scale`, groups: pair, statistic: r.u, p_value: r.pValue, effect_size: { measure: 'rank_biserial', value: r.rankBiserial }, ...difference(a.stats.mean, b.stats.mean) });
    } else if (kind.test === 'nps') {
      if (!a.stats.nps || !b.stats.nps) continue;
      const r = npsDifferenceTest(a.stats.nps, nA, b.stats.nps, nB);
      if (r) tests.push({ test: 'nps_difference_z', metric: `${metricPrefix}nps`, groups: pair, statistic: r.z, p_value: r.pValue, effect_size: { measure: 'nps_points', value: r.difference }, difference: r.difference });
    } else {
      if (a.stats.mean === null || b.stats.mean === null || a.stats.sd === null || b.stats.sd === null) continue;
      const r = welchTTest({ mean: a.stats.mean, sd: a.stats.sd, n: nA }, { mean: b.stats.mean, sd: b.stats.sd, n: nB });
      if (r) tests.push({ test: 'welch_t', metric: `${metricPrefix}mean`, groups: pair, statistic: r.t, df: r.df, p_value: r.pValue, effect_size: Number.isFinite(r.cohensD) ? { measure: 'cohens_d', value: r.cohensD } : null, difference: r.difference });
    }
  }
  return tests;
}

function difference(a: number | null, b: number | null): { difference?: number } {
  return a !== null && b !== null ? { difference: a - b } : {};
}

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);
