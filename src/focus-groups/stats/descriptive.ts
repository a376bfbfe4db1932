/**
 * Descriptive statistics of raw values, plain and weighted.
 *
 * Weights are raking weights (probability-style, not frequencies). The weighted variance
 * normalizes the weights to sum to n (the number of observations) and divides by n − 1:
 *   s²_w = n/(n−1) · Σ wᵢ(xᵢ − x̄_w)² / Σ wᵢ
 * — Hmisc's wtd.var(normwt = TRUE), SPSS's convention for normalized weights — so equal
 * weights give exactly the sample variance. Precision (standard errors, tests) uses Kish's
 * effective sample size n_eff = (Σw)² / Σw², which is n for equal weights and shrinks as
 * weights spread (design effect n / n_eff).
 */

/** Arithmetic mean (NaN when empty). */
export function mean(xs: ArrayLike<number>): number {
  if (xs.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s / xs.length;
}

/** Sample variance with the n − 1 divisor (NaN below 2 values); two passes for accuracy. */
export function variance(xs: ArrayLike<number>): number {
  const n = xs.length;
  if (n < 2) return NaN;
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < n; i++) s += (xs[i]! - m) ** 2;
  return s / (n - 1);
}

/** Sample standard deviation (n − 1). */
export function sd(xs: ArrayLike<number>): number {
  return Math.sqrt(variance(xs));
}

/** Median: the middle value, or the mean of the two middle values (NaN when empty). */
export function median(xs: ArrayLike<number>): number {
  if (xs.length === 0) return NaN;
  const s = Float64Array.from(xs as ArrayLike<number>).sort();
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Quantile of ascending-sorted values by linear interpolation between order statistics
 * (Hyndman & Fan type 7, R's default): h = (n − 1)q.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return NaN;
  const h = (n - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Σw·x / Σw (NaN when the weights sum to 0). */
export function weightedMean(xs: ArrayLike<number>, ws: ArrayLike<number>): number {
  let sw = 0;
  let s = 0;
  for (let i = 0; i < xs.length; i++) {
    sw += ws[i]!;
    s += ws[i]! * xs[i]!;
  }
  return sw > 0 ? s / sw : NaN;
}

/** Weighted variance, weights normalized to sum to n, divisor n − 1 (see the module comment). */
export function weightedVariance(xs: ArrayLike<number>, ws: ArrayLike<number>): number {
  const n = xs.length;
  if (n < 2) return NaN;
  const m = weightedMean(xs, ws);
  let sw = 0;
  let s = 0;
  for (let i = 0; i < n; i++) {
    sw += ws[i]!;
    s += ws[i]! * (xs[i]! - m) ** 2;
  }
  return sw > 0 ? ((n / (n - 1)) * s) / sw : NaN;
}

export function weightedSd(xs: ArrayLike<number>, ws: ArrayLike<number>): number {
  return Math.sqrt(weightedVariance(xs, ws));
}

/**
 * Weighted median: the smallest value whose cumulative weight share reaches ½; when it
 * reaches exactly ½ the midpoint with the next value (so equal weights give the ordinary median).
 */
export function weightedMedian(xs: ArrayLike<number>, ws: ArrayLike<number>): number {
  const idx = Array.from({ length: xs.length }, (_, i) => i).filter((i) => ws[i]! > 0);
  if (idx.length === 0) return NaN;
  idx.sort((a, b) => xs[a]! - xs[b]!);
  let total = 0;
  for (const i of idx) total += ws[i]!;
  let cum = 0;
  for (let j = 0; j < idx.length; j++) {
    cum += ws[idx[j]!]!;
    const share = cum / total;
    if (Math.abs(share - 0.5) <= 1e-12 && j + 1 < idx.length) return (xs[idx[j]!]! + xs[idx[j + 1]!]!) / 2;
    if (share > 0.5) return xs[idx[j]!]!;
  }
  return xs[idx[idx.length - 1]!]!;
}

/** Kish's effective sample size (Σw)² / Σw². */
export function kishEffectiveN(ws: ArrayLike<number>): number {
  let s = 0;
  let s2 = 0;
  for (let i = 0; i < ws.length; i++) {
    s += ws[i]!;
    s2 += ws[i]! * ws[i]!;
  }
  return s2 > 0 ? (s * s) / s2 : 0;
}
