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
import type { Rng } from './random.js';
import { conditionalProbabilities, createAliasTable, sampleMultinomialByAlias, sampleMultinomialFrom } from './sampling.js';

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
  const conditional = alias ? null : conditionalProbabilities(shares);
  for (let b = 0; b < replicates; b++) {
    if (alias) sampleMultinomialByAlias(n, alias, rng, counts);
    else sampleMultinomialFrom(n, conditional!, rng, counts);
    values.fill(NaN);
    statistics(counts, n, values);
    for (let s = 0; s < count; s++) out[s]![b] = values[s]!;
  }
  return out;
}

/**
 * The percentile interval of replicates at `level` (e.g. 0.95); null when no replicate is
 * finite. Reads the four order statistics the two type-7 quantiles need by selection
 * (quickselect on a copy of the finite replicates), not by sorting: the same values in O(B).
 */
export function percentileInterval(replicates: ArrayLike<number>, level: number): [number, number] | null {
  const xs = new Float64Array(replicates.length);
  let m = 0;
  for (let i = 0; i < replicates.length; i++) {
    const x = replicates[i]!;
    if (Number.isFinite(x)) xs[m++] = x;
  }
  if (m === 0) return null;
  const alpha = 1 - level;
  return [selectedQuantile(xs, m, alpha / 2), selectedQuantile(xs, m, 1 - alpha / 2)];
}

/** quantileSorted (type 7) of xs[0, m) without sorting it: selects the two order statistics it interpolates. */
function selectedQuantile(xs: Float64Array, m: number, q: number): number {
  const h = (m - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const hi = Math.min(m - 1, lo + 1);
  const a = select(xs, m, lo);
  // After selecting lo, everything past it is ≥ it: the next order statistic is their minimum.
  let b = a;
  if (hi > lo) {
    b = Infinity;
    for (let i = lo + 1; i < m; i++) if (xs[i]! < b) b = xs[i]!;
  }
  return a + (h - lo) * (b - a);
}

/** The k-th smallest of xs[0, m) (Hoare's selection with a median-of-three pivot); partitions xs around it. */
function select(xs: Float64Array, m: number, k: number): number {
  let left = 0;
  let right = m - 1;
  while (right > left) {
    const mid = (left + right) >> 1;
    // Median of three to the middle, as the pivot.
    if (xs[mid]! < xs[left]!) swap(xs, mid, left);
    if (xs[right]! < xs[left]!) swap(xs, right, left);
    if (xs[right]! < xs[mid]!) swap(xs, right, mid);
    const pivot = xs[mid]!;
    let i = left;
    let j = right;
    while (i <= j) {
      while (xs[i]! < pivot) i++;
      while (xs[j]! > pivot) j--;
      if (i <= j) {
        swap(xs, i, j);
        i++;
        j--;
      }
    }
    if (k <= j) right = j;
    else if (k >= i) left = i;
    else return xs[k]!;
  }
  return xs[k]!;
}

function swap(xs: Float64Array, i: number, j: number): void {
  const t = xs[i]!;
  xs[i] = xs[j]!;
  xs[j] = t;
}
