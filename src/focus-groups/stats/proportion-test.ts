/**
 * Two-proportion z-test (pooled variance, no continuity correction) with Cohen's h:
 *   p̄ = (x_a + x_b)/(n_a + n_b),  z = (p_a − p_b) / √(p̄(1 − p̄)(1/n_a + 1/n_b)),
 *   h = 2·asin√p_a − 2·asin√p_b  (Cohen 1988, §6.2).
 * z² equals Pearson's X² of the 2 × 2 table (Agresti, Categorical Data Analysis, §3.1), so
 * this is the chi-square test for two groups with a sign. Counts may be fractional
 * (weighted: share × Kish's effective n).
 */
import { normalTwoSidedP } from './distributions.js';

export interface TwoProportionResult {
  z: number;
  pValue: number;
  /** p_a − p_b. */
  difference: number;
  cohensH: number;
}

export function twoProportionZTest(successesA: number, nA: number, successesB: number, nB: number): TwoProportionResult | null {
  if (!(nA > 0 && nB > 0)) return null;
  const pa = successesA / nA;
  const pb = successesB / nB;
  const pooled = (successesA + successesB) / (nA + nB);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / nA + 1 / nB));
  const difference = pa - pb;
  const cohensH = 2 * Math.asin(Math.sqrt(clamp01(pa))) - 2 * Math.asin(Math.sqrt(clamp01(pb)));
  if (!(se > 0)) return { z: 0, pValue: 1, difference, cohensH };
  const z = difference / se;
  return { z, pValue: normalTwoSidedP(z), difference, cohensH };
}

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));
