/**
 * Welch's unequal-variances t-test (Welch 1947) from group summaries, with Cohen's d.
 *
 *   t = (x̄_a − x̄_b) / √(s_a²/n_a + s_b²/n_b)
 *   ν = (s_a²/n_a + s_b²/n_b)² / [ (s_a²/n_a)²/(n_a−1) + (s_b²/n_b)²/(n_b−1) ]   (Welch–Satterthwaite)
 *
 * Cohen's d uses the pooled sd √[((n_a−1)s_a² + (n_b−1)s_b²)/(n_a+n_b−2)] (Cohen 1988, §2.5;
 * Welch's test itself does not pool). With weights, pass Kish's effective n per group.
 */
import { studentTQuantile, studentTTwoSidedP } from './distributions.js';

export interface GroupSummary {
  mean: number;
  /** Sample sd (n − 1). */
  sd: number;
  n: number;
}

export interface WelchResult {
  t: number;
  df: number;
  pValue: number;
  /** x̄_a − x̄_b and its Welch confidence interval. */
  difference: number;
  ci: [number, number];
  cohensD: number;
}

export function welchTTest(a: GroupSummary, b: GroupSummary, level = 0.95): WelchResult | null {
  if (!(a.n >= 2 && b.n >= 2) || !Number.isFinite(a.sd) || !Number.isFinite(b.sd)) return null;
  const va = (a.sd * a.sd) / a.n;
  const vb = (b.sd * b.sd) / b.n;
  const se = Math.sqrt(va + vb);
  if (!(se > 0)) return null;
  const difference = a.mean - b.mean;
  const t = difference / se;
  const df = (va + vb) ** 2 / ((va * va) / (a.n - 1) + (vb * vb) / (b.n - 1));
  const half = studentTQuantile(1 - (1 - level) / 2, df) * se;
  const pooled = Math.sqrt(((a.n - 1) * a.sd * a.sd + (b.n - 1) * b.sd * b.sd) / (a.n + b.n - 2));
  return { t, df, pValue: studentTTwoSidedP(t, df), difference, ci: [difference - half, difference + half], cohensD: pooled > 0 ? difference / pooled : NaN };
}
