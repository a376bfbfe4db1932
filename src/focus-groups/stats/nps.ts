/**
 * Net Promoter Score (Reichheld, "The One Number You Need to Grow", HBR 2003): on the 0–10
 * likelihood-to-recommend scale, promoters answer 9–10, passives 7–8, detractors 0–6, and
 * NPS = 100 · (share of promoters − share of detractors), from −100 to 100.
 *
 * Its standard error treats (promoters, passives, detractors) as one multinomial sample:
 * Var(p̂_P − p̂_D) = [p_P(1−p_P) + p_D(1−p_D) + 2 p_P p_D] / n = [p_P + p_D − (p_P − p_D)²] / n,
 * since Cov(p̂_P, p̂_D) = −p_P p_D / n. With weights, n is Kish's effective n.
 */
import { normalTwoSidedP } from './distributions.js';

export interface NpsBreakdown {
  /** −100 … 100. */
  score: number;
  /** Shares (0–1) of the answers. */
  promoters: number;
  passives: number;
  detractors: number;
}

/** The NPS of a distribution over the 0–10 values (shares need not sum to 1). */
export function npsFromDistribution(values: ArrayLike<number>, shares: ArrayLike<number>): NpsBreakdown | null {
  let total = 0;
  let promoters = 0;
  let detractors = 0;
  for (let k = 0; k < values.length; k++) {
    const s = shares[k]!;
    total += s;
    if (values[k]! >= 9) promoters += s;
    else if (values[k]! <= 6) detractors += s;
  }
  if (!(total > 0)) return null;
  promoters /= total;
  detractors /= total;
  return { score: 100 * (promoters - detractors), promoters, passives: Math.max(0, 1 - promoters - detractors), detractors };
}

/** Standard error of the NPS in points (the multinomial variance above); NaN for n < 1. */
export function npsStandardError(nps: NpsBreakdown, n: number): number {
  if (!(n >= 1)) return NaN;
  const d = nps.promoters - nps.detractors;
  return 100 * Math.sqrt(Math.max(0, nps.promoters + nps.detractors - d * d) / n);
}

/**
 * z-test of the difference of two independent groups' NPS: z = (NPS_a − NPS_b) /
 * √(se_a² + se_b²), two-sided normal p. null when both standard errors are 0.
 */
export function npsDifferenceTest(a: NpsBreakdown, nA: number, b: NpsBreakdown, nB: number): { z: number; pValue: number; difference: number } | null {
  const se = Math.sqrt(npsStandardError(a, nA) ** 2 + npsStandardError(b, nB) ** 2);
  if (!(se > 0)) return null;
  const difference = a.score - b.score;
  const z = difference / se;
  return { z, pValue: normalTwoSidedP(z), difference };
}
