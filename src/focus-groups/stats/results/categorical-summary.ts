/**
 * Tally and statistics of answers falling in one of K unordered categories (yes/no, a
 * single-choice option, an open-ended answer's theme): counts, weighted shares, a Wilson score
 * interval per share (../intervals.ts; on Kish's effective n when weighted), and the
 * chi-square test of independence across groups.
 */
import { chiSquareIndependence } from '../chi-square-test.js';
import { wilsonInterval } from '../intervals.js';
import type { DistributionEntry } from './result-types.js';
import { addToTotals, chiSquareTest, effectiveN, newTotals, type GroupTally, type RawTest, type StatsContext, type Totals } from './segments.js';

export interface CategoricalSummary extends Totals {
  readonly counts: Float64Array;
  readonly weighted: Float64Array;
}

export function createCategoricalSummary(k: number): CategoricalSummary {
  return { ...newTotals(), counts: new Float64Array(k), weighted: new Float64Array(k) };
}

export function addCategory(s: CategoricalSummary, category: number, weight: number): void {
  s.counts[category]! += 1;
  s.weighted[category]! += weight;
  addToTotals(s, weight);
}

export function categoryShares(s: CategoricalSummary): Float64Array {
  return Float64Array.from(s.weighted, (w) => (s.sumW > 0 ? w / s.sumW : 0));
}

/**
 * Distribution entries, with a Wilson score interval per share when `withIntervals` (null
 * without answers). A share's interval does not depend on the bootstrap replicates.
 */
export function categoricalDistribution(s: CategoricalSummary, categories: readonly { value: string; label?: string }[], ctx: Pick<StatsContext, 'level'>, withIntervals: boolean): DistributionEntry[] {
  const shares = categoryShares(s);
  const nEff = effectiveN(s);
  return categories.map((c, i) => {
    const entry: DistributionEntry = { value: c.value, count: s.counts[i]!, share: shares[i]! };
    if (c.label !== undefined) entry.label = c.label;
    if (withIntervals) entry.ci = s.n > 0 ? wilsonInterval(shares[i]!, nEff, ctx.level) : null;
    return entry;
  });
}

/** Counts for the tests: weighted shares × Kish's n_eff. */
export function categoricalTestCounts(s: CategoricalSummary): Float64Array {
  const nEff = effectiveN(s);
  return Float64Array.from(s.weighted, (w) => (s.sumW > 0 ? (w / s.sumW) * nEff : 0));
}

/** Chi-square test of independence of the groups' category distributions. */
export function compareCategoricalGroups<G>(groups: readonly GroupTally<CategoricalSummary, G>[], metric: string): RawTest[] {
  const used = groups.filter((g) => g.summary.n > 0);
  if (used.length < 2) return [];
  const chi = chiSquareIndependence(used.map((g) => categoricalTestCounts(g.summary)));
  return chi ? [chiSquareTest(metric, used.map((g) => g.key), chi)] : [];
}
