/**
 * How far a study's answer distribution is from a real survey's (a question's `reference`):
 *
 * - Normalized Wasserstein-1 (earth mover's) distance on the ordinal positions 1…K:
 *   W₁ = Σ_{k<K} |F_P(k) − F_Q(k)| (the L1 distance between the CDFs, unit spacing), divided
 *   by the scale range K − 1 so it lies in [0, 1]. `representativeness` = 1 − W₁/(K − 1) is
 *   OpinionQA's score (Santurkar et al., "Whose Opinions Do Language Models Reflect?",
 *   ICML 2023, §3). Only for ordered answers.
 * - Jensen–Shannon divergence in bits (base-2 logarithms), in [0, 1]:
 *   JSD = ½ KL(P‖M) + ½ KL(Q‖M), M = (P + Q)/2. This is the divergence, not its square
 *   root (SciPy's `jensenshannon` returns the root, the JS distance).
 * - sd ratio: the sd of the study's distribution over the sd of the reference's (both as
 *   distributions, divisor n), over the answer values; below 1 the synthetic answers are
 *   more compressed than the people's (the failure SSR elicitation addresses).
 */
import { distributionVariance, normalize } from './discrete-distribution.js';

export interface ReferenceComparison {
  /** Normalized W₁ in [0, 1]; null for unordered answers. */
  wasserstein: number | null;
  /** 1 − wasserstein; null for unordered answers. */
  representativeness: number | null;
  /** Bits, [0, 1]. */
  jensen_shannon: number;
  /** sd(study) / sd(reference); null for unordered answers or a reference without spread. */
  sd_ratio: number | null;
}

/** W₁ between two distributions over K ordered positions with unit spacing (not normalized). */
export function wassersteinOrdinal(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const a = normalize(p);
  const b = normalize(q);
  let fa = 0;
  let fb = 0;
  let w = 0;
  for (let k = 0; k < a.length - 1; k++) {
    fa += a[k]!;
    fb += b[k]!;
    w += Math.abs(fa - fb);
  }
  return w;
}

/** W₁ / (K − 1), in [0, 1]. */
export function normalizedWasserstein(p: ArrayLike<number>, q: ArrayLike<number>): number {
  return p.length < 2 ? 0 : wassersteinOrdinal(p, q) / (p.length - 1);
}

/** Jensen–Shannon divergence in bits (0 · log 0 = 0). */
export function jensenShannonDivergence(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const a = normalize(p);
  const b = normalize(q);
  let d = 0;
  for (let k = 0; k < a.length; k++) {
    const m = (a[k]! + b[k]!) / 2;
    if (a[k]! > 0) d += 0.5 * a[k]! * Math.log2(a[k]! / m);
    if (b[k]! > 0) d += 0.5 * b[k]! * Math.log2(b[k]! / m);
  }
  return Math.min(1, Math.max(0, d));
}

/** sd of P over sd of Q on the same values; null when Q has no spread. */
export function sdRatio(values: ArrayLike<number>, p: ArrayLike<number>, q: ArrayLike<number>): number | null {
  const sq = Math.sqrt(distributionVariance(values, q));
  if (!(sq > 0)) return null;
  return Math.sqrt(distributionVariance(values, p)) / sq;
}

/**
 * The comparison of a study distribution with a reference over the same K answer values.
 * `ordered` false (multiple choice) reports only the Jensen–Shannon divergence.
 */
export function compareToReference(values: ArrayLike<number>, study: ArrayLike<number>, reference: ArrayLike<number>, ordered: boolean): ReferenceComparison {
  if (study.length !== reference.length) throw new RangeError(`reference has ${reference.length} values, the question ${study.length}`);
  if (!ordered) return { wasserstein: null, representativeness: null, jensen_shannon: jensenShannonDivergence(study, reference), sd_ratio: null };
  const w = normalizedWasserstein(study, reference);
  return { wasserstein: w, representativeness: 1 - w, jensen_shannon: jensenShannonDivergence(study, reference), sd_ratio: sdRatio(values, study, reference) };
}
