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
