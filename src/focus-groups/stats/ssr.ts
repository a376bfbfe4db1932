/**
 * Semantic-similarity rating (SSR): a respondent answers a scale question in words, and the
 * answer's embedding is mapped to a probability distribution over the scale points by its
 * similarity to one anchor statement per point. Method of Maier et al., "LLMs Reproduce
 * Human Purchase Intent via Semantic Similarity Elicitation of Likert Ratings" (2025,
 * arXiv:2510.08338), as in the authors' reference implementation (PyMC Labs,
 * semantic-similarity-rating, compute.response_embeddings_to_pmf and scale_pmf):
 *
 *   γ_r = (1 + cos(answer, anchor_r)) / 2          similarity mapped to [0, 1]
 *   p(r) = [γ_r − γ_min + ε·δ_{r,ℓ}] / [Σ_r γ_r − K·γ_min + ε]
 *
 * where ℓ is the (first) least similar anchor — subtracting the minimum gives the least
 * similar point zero mass, and ε > 0 gives it a little back (the paper's default is ε = 0).
 * With several anchor sets (differently worded anchors), the pmfs are averaged, as the
 * paper does over its six reference sets. An optional temperature T then reshapes the pmf:
 * p ∝ p^(1/T) (T = 1 leaves it, T → 0 puts all mass on the most likely point, T > 1 flattens).
 * When all similarities are equal and ε = 0 the answer says nothing: the pmf is uniform.
 */

export interface SsrOptions {
  /** Mass given back to the least similar point (default 0, the paper's). */
  epsilon?: number;
  /** p ∝ p^(1/T), applied after averaging the anchor sets (default 1). 0: all mass on the mode. */
  temperature?: number;
}

/** cos(a, b); 0 when either vector is zero. */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`embedding dimensions differ: ${a.length} vs ${b.length}`);
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

/**
 * The SSR pmf of one answer embedding over the K scale points. `anchorSets`: one or more sets
 * of K anchor embeddings, in scale order (lowest point first).
 */
export function ssrDistribution(answer: ArrayLike<number>, anchorSets: readonly (readonly ArrayLike<number>[])[], options: SsrOptions = {}): Float64Array {
  const epsilon = options.epsilon ?? 0;
  const temperature = options.temperature ?? 1;
  if (anchorSets.length === 0) throw new RangeError('SSR needs at least one anchor set');
  const k = anchorSets[0]!.length;
  if (k < 2) throw new RangeError('SSR needs at least two anchors');
  if (!(epsilon >= 0) || !(temperature >= 0)) throw new RangeError('SSR epsilon and temperature must be ≥ 0');
  const pmf = new Float64Array(k);
  for (const anchors of anchorSets) {
    if (anchors.length !== k) throw new RangeError(`every anchor set needs ${k} anchors, one has ${anchors.length}`);
    const gamma = anchors.map((anchor) => (1 + cosineSimilarity(answer, anchor)) / 2);
    let least = 0;
    for (let r = 1; r < k; r++) if (gamma[r]! < gamma[least]!) least = r;
    const min = gamma[least]!;
    const denominator = gamma.reduce((s, g) => s + g, 0) - k * min + epsilon;
    for (let r = 0; r < k; r++) {
      pmf[r]! += denominator > 0 ? (gamma[r]! - min + (r === least ? epsilon : 0)) / denominator : 1 / k;
    }
  }
  for (let r = 0; r < k; r++) pmf[r]! /= anchorSets.length;
  return temperature === 1 ? pmf : scalePmf(pmf, temperature);
}

/** p ∝ p^(1/T); T = 0 puts all mass on the first most likely point (a uniform pmf stays uniform). */
export function scalePmf(pmf: ArrayLike<number>, temperature: number): Float64Array {
  const k = pmf.length;
  const out = new Float64Array(k);
  if (temperature === 0) {
    let best = 0;
    let allEqual = true;
    for (let r = 1; r < k; r++) {
      if (pmf[r]! > pmf[best]!) best = r;
      if (pmf[r] !== pmf[0]) allEqual = false;
    }
    if (allEqual) return Float64Array.from(pmf);
    out[best] = 1;
    return out;
  }
  let total = 0;
  for (let r = 0; r < k; r++) {
    out[r] = pmf[r]! > 0 ? pmf[r]! ** (1 / temperature) : 0;
    total += out[r]!;
  }
  for (let r = 0; r < k; r++) out[r]! /= total;
  return out;
}

/** Σ p_r x_r: the answer's expected scale value (the paper's mean purchase intent per answer). */
export function expectedValue(values: ArrayLike<number>, pmf: ArrayLike<number>): number {
  let s = 0;
  let t = 0;
  for (let r = 0; r < values.length; r++) {
    s += values[r]! * pmf[r]!;
    t += pmf[r]!;
  }
  return t > 0 ? s / t : NaN;
}
