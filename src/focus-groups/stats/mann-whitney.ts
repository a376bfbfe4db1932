/**
 * Mann–Whitney U (Wilcoxon rank-sum) test on two groups' counts over the same ordered
 * categories (scale points) — ordinal answers are all ties, so the test works on the
 * grouped data directly in O(K): each category's midrank, U_a = R_a − n_a(n_a+1)/2, and the
 * normal approximation with the tie-corrected variance
 *   σ² = n_a n_b / 12 · [(N + 1) − Σ(t³ − t) / (N(N − 1))]
 * and a continuity correction of ½ (Hollander & Wolfe, Nonparametric Statistical Methods,
 * §4.1; as R's wilcox.test(correct = TRUE, exact = FALSE) and SciPy's mannwhitneyu).
 *
 * Effect size: the rank-biserial correlation r = 2U_a/(n_a n_b) − 1 (Kerby 2014), the
 * probability that a random answer of group a is higher than one of group b minus the
 * reverse; positive when a tends higher. Counts may be fractional (weighted: shares × Kish's
 * effective n; SSR: expected counts), an approximation the normal statistic tolerates.
 */
import { normalTwoSidedP } from './distributions.js';

export interface MannWhitneyResult {
  /** U of group a (pairs where a > b, ties counted ½). */
  u: number;
  z: number;
  pValue: number;
  rankBiserial: number;
}

export function mannWhitneyFromCounts(a: ArrayLike<number>, b: ArrayLike<number>): MannWhitneyResult | null {
  let nA = 0;
  let nB = 0;
  for (let k = 0; k < a.length; k++) {
    nA += a[k]!;
    nB += b[k]!;
  }
  const n = nA + nB;
  if (!(nA > 0 && nB > 0) || n < 2) return null;
  let below = 0;
  let rankSumA = 0;
  let ties = 0;
  for (let k = 0; k < a.length; k++) {
    const t = a[k]! + b[k]!;
    if (t <= 0) continue;
    rankSumA += a[k]! * (below + (t + 1) / 2);
    ties += t * t * t - t;
    below += t;
  }
  const u = rankSumA - (nA * (nA + 1)) / 2;
  const mu = (nA * nB) / 2;
  const sigma = Math.sqrt(((nA * nB) / 12) * (n + 1 - ties / (n * (n - 1))));
  const rankBiserial = (2 * u) / (nA * nB) - 1;
  if (!(sigma > 0)) return { u, z: 0, pValue: 1, rankBiserial };
  const z = Math.sign(u - mu) * Math.max(0, Math.abs(u - mu) - 0.5) / sigma;
  return { u, z, pValue: Math.min(1, normalTwoSidedP(z)), rankBiserial };
}
