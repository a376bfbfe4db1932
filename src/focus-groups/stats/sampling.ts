/**
 * Exact binomial and multinomial variates from a seeded Rng. The bootstrap resamples a
 * question's distribution over its K answer values as one multinomial draw (K binomials)
 * instead of drawing n respondents, so a replicate costs O(K), not O(n) — this is
 * what keeps 10,000 respondents × 1,000 replicates cheap, and it is the same
 * distribution as resampling the respondents with replacement.
 */
import type { Rng } from './random.js';

// ln k! − [(k + ½) ln(k + 1) − (k + 1) + ½ ln 2π]: Stirling's error term, exact for k ≤ 9.
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);
const STIRLING_TAIL_SMALL: number[] = (() => {
  const out: number[] = [];
  let logFactorial = 0;
  for (let k = 0; k <= 9; k++) {
    if (k > 0) logFactorial += Math.log(k);
    out.push(logFactorial - ((k + 0.5) * Math.log(k + 1) - (k + 1) + HALF_LOG_2PI));
  }
  return out;
})();

function stirlingTail(k: number): number {
  if (k <= 9) return STIRLING_TAIL_SMALL[k]!;
  const kp1sq = (k + 1) * (k + 1);
  return (1 / 12 - (1 / 360 - 1 / 1260 / kp1sq) / kp1sq) / (k + 1);
}

/**
 * One Binomial(n, p) variate (n a non-negative integer). For n·min(p, 1−p) < 10, inversion
 * by sequential search (expected O(np) steps); above, Hörmann's BTRS ("The generation of
 * binomial random variates", J. Statist. Comput. Simul. 46, 1993: transformed rejection
 * with squeeze, O(1) expected time, exact). p > ½ is drawn as n − Binomial(n, 1 − p).
 */
export function sampleBinomial(n: number, p: number, rng: Rng): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - sampleBinomial(n, 1 - p, rng);
  return n * p < 10 ? binomialInversion(n, p, rng) : binomialBtrs(n, p, rng);
}

function binomialInversion(n: number, p: number, rng: Rng): number {
  const q = 1 - p;
  const s = p / q;
  const a = (n + 1) * s;
  const r0 = Math.exp(n * Math.log1p(-p));
  for (;;) {
    let r = r0;
    let u = rng.next();
    let x = 0;
    while (u > r) {
      u -= r;
      x++;
      if (x > n) break; // rounding left some mass past n: draw again
      r *= a / x - s;
    }
    if (x <= n) return x;
  }
}

function binomialBtrs(n: number, p: number, rng: Rng): number {
  const spq = Math.sqrt(n * p * (1 - p));
  const b = 1.15 + 2.53 * spq;
  const a = -0.0873 + 0.0248 * b + 0.01 * p;
  const c = n * p + 0.5;
  const vr = 0.92 - 4.2 / b;
  // Needed only past the quick acceptance (about 1 draw in 7): computed then.
  let r = NaN;
  let alpha = NaN;
  let m = NaN;
  let h = NaN;
  for (;;) {
    const u = rng.next() - 0.5;
    let v = rng.next();
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + c);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || k > n) continue;
    if (Number.isNaN(h)) {
      r = p / (1 - p);
      alpha = (2.83 + 5.1 / b) * spq;
      m = Math.floor((n + 1) * p);
      h = (m + 0.5) * Math.log((m + 1) / (r * (n - m + 1))) + stirlingTail(m) + stirlingTail(n - m);
    }
    v = Math.log((v * alpha) / (a / (us * us) + b));
    const bound = h + (n + 1) * Math.log((n - m + 1) / (n - k + 1)) + (k + 0.5) * Math.log((r * (n - k + 1)) / (k + 1)) - stirlingTail(k) - stirlingTail(n - k);
    if (v <= bound) return k;
  }
}

/**
 * One Multinomial(n, probs) draw into `out` (same length as probs), by conditional
 * binomials: x_k ~ Binomial(n − Σ_{j<k} x_j, p_k / Σ_{j≥k} p_j). probs need not sum to 1
 * (they are normalized); negative entries count as 0.
 */
export function sampleMultinomial(n: number, probs: ArrayLike<number>, rng: Rng, out: Float64Array = new Float64Array(probs.length)): Float64Array {
  return sampleMultinomialFrom(n, conditionalProbabilities(probs), rng, out);
}

/**
 * The conditional probabilities of sampleMultinomial, p_k / Σ_{j≥k} p_j (1 for the last
 * category with mass, 0 past the mass): the same for every draw from one distribution, so a
 * bootstrap computes them once (sampleMultinomialFrom).
 */
export function conditionalProbabilities(probs: ArrayLike<number>): Float64Array {
  const k = probs.length;
  // Suffix sums avoid the cancellation of subtracting from a running total.
  const suffix = new Float64Array(k + 1);
  for (let i = k - 1; i >= 0; i--) suffix[i] = suffix[i + 1]! + Math.max(0, probs[i]!);
  const out = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const mass = suffix[i]!;
    const pi = Math.max(0, probs[i]!);
    out[i] = mass <= 0 ? 0 : i === k - 1 || pi >= mass ? 1 : pi / mass;
  }
  return out;
}

/** One Multinomial(n, ·) draw into `out` from conditionalProbabilities (a Binomial with p 0 or 1 draws no random number). */
export function sampleMultinomialFrom(n: number, conditional: Float64Array, rng: Rng, out: Float64Array): Float64Array {
  const k = conditional.length;
  let remaining = n;
  let i = 0;
  for (; i < k && remaining > 0; i++) {
    const x = sampleBinomial(remaining, conditional[i]!, rng);
    out[i] = x;
    remaining -= x;
  }
  for (; i < k; i++) out[i] = 0;
  return out;
}

/**
 * Walker's alias table (Vose's construction, "A linear algorithm for generating random
 * numbers with a given distribution", IEEE TSE 17, 1991): after O(K) set-up, each draw from a
 * K-point distribution costs one uniform and one comparison. A multinomial sample of size n
 * drawn as n such draws costs O(n) — cheaper than K conditional binomials when n is small
 * against K (a small segment group on a 101-point slider).
 */
export interface AliasTable {
  probability: Float64Array;
  alias: Int32Array;
}

export function createAliasTable(probs: ArrayLike<number>): AliasTable {
  const k = probs.length;
  let total = 0;
  for (let i = 0; i < k; i++) total += Math.max(0, probs[i]!);
  const scaled = Float64Array.from({ length: k }, (_, i) => (total > 0 ? (Math.max(0, probs[i]!) * k) / total : 1));
  const probability = new Float64Array(k);
  const alias = new Int32Array(k);
  const small: number[] = [];
  const large: number[] = [];
  for (let i = 0; i < k; i++) (scaled[i]! < 1 ? small : large).push(i);
  while (small.length > 0 && large.length > 0) {
    const s = small.pop()!;
    const l = large.pop()!;
    probability[s] = scaled[s]!;
    alias[s] = l;
    scaled[l] = scaled[l]! + scaled[s]! - 1;
    (scaled[l]! < 1 ? small : large).push(l);
  }
  for (const i of large) probability[i] = 1;
  for (const i of small) probability[i] = 1; // rounding leftovers
  return { probability, alias };
}

/** Counts of n draws from an alias table into `out` (a Multinomial(n, probs) sample). */
export function sampleMultinomialByAlias(n: number, table: AliasTable, rng: Rng, out: Float64Array): Float64Array {
  out.fill(0);
  const k = table.probability.length;
  for (let i = 0; i < n; i++) {
    const u = rng.next() * k;
    const cell = Math.floor(u);
    out[u - cell < table.probability[cell]! ? cell : table.alias[cell]!]!++;
  }
  return out;
}
