/**
 * Seeded percentile bootstrap on a distribution.
 *
 * Resampling n respondents with replacement from answers over K distinct values is the same
 * as one Multinomial(n, observed shares) draw, so each replicate is drawn that way in O(K)
 * (./sampling.ts; or as n alias-table draws when n < 8K, which is then cheaper) and every statistic of the replicate (mean, median, sd, top-box, NPS…) is
 * computed from its counts. With raking weights, the draw is Multinomial(round(n_eff),
 * weighted shares): the weighted distribution is resampled at Kish's effective sample size,
 * which carries the design effect of unequal weights (an approximation to resampling
 * respondents with their weights, exact for equal weights). SSR answers, which spread each
 * respondent over the scale, are resampled from the pooled distribution as if each answer
 * were a draw from it.
 *
 * The interval is the percentile interval (Efron & Tibshirani, An Introduction to the
 * Bootstrap, 1993, §13.3): the α/2 and 1 − α/2 quantiles of the replicates (type 7
 * interpolation). Default B = 1,000 replicates (see STATS_DEFAULTS).
 */
import { quantileSorted } from './descriptive.js';
import type { Rng } from './random.js';
import { createAliasTable, sampleMultinomial, sampleMultinomialByAlias } from './sampling.js';

/** Computes a replicate's statistics from its counts (summing to `size`) into `out`. */
export type ReplicateStatistics = (counts: Float64Array, size: number, out: Float64Array) => void;

/**
 * `replicates` Multinomial(size, shares) draws; returns one Float64Array of replicates per
 * statistic (`statistics` writes `count` values per replicate; NaN values are allowed and
 * are ignored by percentileInterval).
 */
export function bootstrapDistribution(shares: ArrayLike<number>, size: number, replicates: number, rng: Rng, count: number, statistics: ReplicateStatistics): Float64Array[] {
  const out = Array.from({ length: count }, () => new Float64Array(replicates));
  const counts = new Float64Array(shares.length);
  const values = new Float64Array(count);
  const n = Math.max(0, Math.round(size));
  // n draws from an alias table when that is cheaper than K conditional binomials (same distribution).
  const alias = n < 8 * shares.length ? createAliasTable(shares) : null;
  for (let b = 0; b < replicates; b++) {
    if (alias) sampleMultinomialByAlias(n, alias, rng, counts);
    else sampleMultinomial(n, shares, rng, counts);
    values.fill(NaN);
    statistics(counts, n, values);
    for (let s = 0; s < count; s++) out[s]![b] = values[s]!;
  }
  return out;
}

/** The percentile interval of replicates at `level` (e.g. 0.95); null when no replicate is finite. Sorts a copy. */
export function percentileInterval(replicates: ArrayLike<number>, level: number): [number, number] | null {
  // A typed-array sort puts NaN last (and −∞/∞ at the ends): trim them off.
  const sorted = Float64Array.from(replicates).sort();
  let from = 0;
  let to = sorted.length;
  while (to > from && !Number.isFinite(sorted[to - 1]!)) to--;
  while (from < to && !Number.isFinite(sorted[from]!)) from++;
  if (to === from) return null;
  const finite = sorted.subarray(from, to);
  const alpha = 1 - level;
  return [quantileSorted(finite, alpha / 2), quantileSorted(finite, 1 - alpha / 2)];
}
