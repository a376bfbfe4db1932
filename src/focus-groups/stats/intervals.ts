/** Analytic confidence intervals beside the bootstrap's (see ./bootstrap.ts). */
import { normalQuantile, studentTQuantile } from './distributions.js';

/**
 * t-interval for a mean: x̄ ± t_{1−α/2, n−1} · s/√n. With weights, n is Kish's effective
 * sample size (df n_eff − 1, which may be fractional). null below n = 2 or without an sd.
 */
export function tInterval(mean: number, sd: number, n: number, level: number): [number, number] | null {
  if (!(n >= 2) || !Number.isFinite(sd) || !Number.isFinite(mean)) return null;
  const half = studentTQuantile(1 - (1 - level) / 2, n - 1) * (sd / Math.sqrt(n));
  return [mean - half, mean + half];
}

/** Normal-theory interval estimate ± z_{1−α/2} · se (null without a finite se). */
export function normalInterval(estimate: number, se: number, level: number): [number, number] | null {
  if (!Number.isFinite(estimate) || !Number.isFinite(se)) return null;
  const half = normalQuantile(1 - (1 - level) / 2) * se;
  return [estimate - half, estimate + half];
}

/**
 * Wilson score interval of a proportion (Wilson, "Probable inference, the law of succession,
 * and statistical inference", JASA 1927; recommended by Brown, Cai & DasGupta, Statistical
 * Science 2001): the p whose score test |p̂ − p| / √(p(1 − p)/n) ≤ z accepts,
 *   (p̂ + z²/2n ± z·√(p̂(1 − p̂)/n + z²/4n²)) / (1 + z²/n).
 * Unlike the percentile bootstrap (and the Wald interval) it does not collapse to a point at
 * 0 or n successes: 15 of 15 at 95% gives [0.796, 1]. With weights, n is Kish's effective
 * sample size and p̂ the weighted share (clamped to 0–1, which a sum of shares can pass by an
 * ulp). null for n ≤ 0 or a share that is not finite.
 */
export function wilsonInterval(share: number, n: number, level: number): [number, number] | null {
  if (!(n > 0) || !Number.isFinite(share)) return null;
  const p = Math.min(1, Math.max(0, share));
  const z = normalQuantile(1 - (1 - level) / 2);
  const a = (z * z) / n;
  const center = (p + a / 2) / (1 + a);
  const half = (z / (1 + a)) * Math.sqrt((p * (1 - p)) / n + a / (4 * n));
  // At p̂ = 0 (1) the lower (upper) bound is exactly 0 (1); the arithmetic can miss it by an ulp.
  return [p === 0 ? 0 : Math.max(0, center - half), p === 1 ? 1 : Math.min(1, center + half)];
}
