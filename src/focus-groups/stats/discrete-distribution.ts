/**
 * Statistics of a distribution over a question's answer values (scale points, options):
 * the shares p_k of values x_k. A question's answers are first tallied into such shares
 * (weighted, and fractional for SSR answers, which spread a respondent over the scale), so
 * mean, median, sd and top-box cost O(K) however many respondents there are, and the same
 * functions serve the bootstrap replicates.
 *
 * With n respondents, the sample sd is √(n/(n−1) · Σ p_k (x_k − x̄)²): for unweighted direct
 * answers exactly the usual n − 1 sd, for weights the normalized-weights definition of
 * ./descriptive.ts.
 */

/** Σ p_k x_k / Σ p_k (NaN when Σ p = 0). */
export function distributionMean(values: ArrayLike<number>, shares: ArrayLike<number>): number {
  let s = 0;
  let t = 0;
  for (let k = 0; k < values.length; k++) {
    s += shares[k]! * values[k]!;
    t += shares[k]!;
  }
  return t > 0 ? s / t : NaN;
}

/** Σ p_k (x_k − x̄)² / Σ p_k: the variance of the distribution itself (divisor n). */
export function distributionVariance(values: ArrayLike<number>, shares: ArrayLike<number>): number {
  const m = distributionMean(values, shares);
  if (Number.isNaN(m)) return NaN;
  let s = 0;
  let t = 0;
  for (let k = 0; k < values.length; k++) {
    s += shares[k]! * (values[k]! - m) ** 2;
    t += shares[k]!;
  }
  return s / t;
}

/** The sample sd of n respondents whose answers have this distribution: √(n/(n−1)·Var). NaN for n < 2. */
export function distributionSampleSd(values: ArrayLike<number>, shares: ArrayLike<number>, n: number): number {
  if (!(n >= 2)) return NaN;
  return Math.sqrt((n / (n - 1)) * distributionVariance(values, shares));
}

/**
 * Median of a distribution over ascending values: the smallest value whose cumulative share
 * reaches ½; exactly ½ (to 1e−9) gives the midpoint with the next value that has mass, as the
 * median of an even number of answers does.
 */
export function distributionMedian(values: ArrayLike<number>, shares: ArrayLike<number>): number {
  let total = 0;
  for (let k = 0; k < shares.length; k++) total += shares[k]!;
  if (!(total > 0)) return NaN;
  let cum = 0;
  for (let k = 0; k < values.length; k++) {
    if (shares[k]! <= 0) continue;
    cum += shares[k]! / total;
    if (Math.abs(cum - 0.5) <= 1e-9) {
      for (let j = k + 1; j < values.length; j++) if (shares[j]! > 0) return (values[k]! + values[j]!) / 2;
      return values[k]!;
    }
    if (cum > 0.5) return values[k]!;
  }
  return values[values.length - 1]!;
}

/** Share of the mass on indexes [from, to] (inclusive). */
export function massBetween(shares: ArrayLike<number>, from: number, to: number): number {
  let s = 0;
  let t = 0;
  for (let k = 0; k < shares.length; k++) {
    t += shares[k]!;
    if (k >= from && k <= to) s += shares[k]!;
  }
  return t > 0 ? s / t : NaN;
}

/** Shares normalized to sum to 1 (all zeros stay zeros). */
export function normalize(xs: ArrayLike<number>): Float64Array {
  let t = 0;
  for (let k = 0; k < xs.length; k++) t += xs[k]!;
  const out = new Float64Array(xs.length);
  if (t > 0) for (let k = 0; k < xs.length; k++) out[k] = xs[k]! / t;
  return out;
}
