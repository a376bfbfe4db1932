/**
 * Raking: weights that make the sample's marginal shares (e.g. age band, region) equal
 * target shares, by iterative proportional fitting (Deming & Stephan, "On a least squares
 * adjustment of a sampled frequency table when the expected marginal totals are known",
 * Ann. Math. Statist. 11, 1940). Each sweep multiplies, dimension by dimension, every
 * respondent's weight by target share / current weighted share of its category. The fixed
 * point keeps the sample's interactions (every cross-product ratio of the weighted cross
 * table equals the unweighted one's — Bishop, Fienberg & Holland, Discrete Multivariate
 * Analysis, 1975, §3.5) and is the weighting closest to the base weights in
 * Kullback–Leibler divergence.
 *
 * Stops when every weighted marginal share is within `tolerance` (default 1e−6) of its
 * target, or after `maxIterations` sweeps (default 100) with `converged: false`. Optional
 * trimming clamps each positive weight to [min, max] × the mean weight after every sweep
 * and rakes again (as anesrake's cap; default off); trimming can make exact targets
 * unreachable, which `converged` and `max_deviation` then show. Weights are returned with
 * mean 1 (they sum to n).
 */
import { kishEffectiveN } from './descriptive.js';

/** dimension → category → target share (each dimension's shares sum to 1). */
export type RakingTargets = Readonly<Record<string, Readonly<Record<string, number>>>>;

export interface RakingOptions {
  /** Prior weights (design weights), default 1 each. */
  baseWeights?: ArrayLike<number>;
  tolerance?: number;
  maxIterations?: number;
  /** Bounds on weight / mean weight, e.g. {min: 0.2, max: 5}. */
  trim?: { min?: number; max?: number };
}

export interface RakingResult {
  /** One weight per respondent, mean 1. */
  weights: Float64Array;
  iterations: number;
  converged: boolean;
  /** Largest |weighted share − target| over all categories at the end. */
  maxDeviation: number;
  /** Kish's effective sample size of the weights. */
  effectiveN: number;
  /** n / n_eff (Kish's design effect of weighting). */
  designEffect: number;
}

export type RakingErrorCode = 'invalid_targets' | 'missing_category' | 'unknown_category' | 'empty_target_category';

/**
 * Raking cannot proceed. `dimension` and `category` name the target at fault so that the
 * service can name its `param` (e.g. `targets.region.West`).
 */
export class RakingError extends Error {
  readonly code: RakingErrorCode;
  readonly dimension: string;
  readonly category: string | undefined;
  constructor(code: RakingErrorCode, dimension: string, category: string | undefined, message: string) {
    super(message);
    this.name = 'RakingError';
    this.code = code;
    this.dimension = dimension;
    this.category = category;
  }
}

/** `respondents[i][dimension]`: respondent i's category in each target dimension. */
export function rake(respondents: readonly Readonly<Record<string, string | undefined>>[], targets: RakingTargets, options: RakingOptions = {}): RakingResult {
  const n = respondents.length;
  const tolerance = options.tolerance ?? 1e-6;
  const maxIterations = options.maxIterations ?? 100;
  const dims = Object.keys(targets).map((dimension) => prepareDimension(dimension, targets[dimension]!, respondents));
  const weights = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const w = options.baseWeights ? options.baseWeights[i]! : 1;
    if (!(w >= 0 && Number.isFinite(w))) throw new RangeError(`base weight ${i} must be a finite number ≥ 0`);
    weights[i] = w;
  }
  for (const d of dims) {
    const totals = categoryTotals(d, weights);
    d.shares.forEach((share, c) => {
      if (share > 0 && !(totals[c]! > 0)) {
        throw new RakingError('empty_target_category', d.name, d.categories[c]!, `target category '${d.categories[c]}' of '${d.name}' has a share of ${share} but no respondents to weight`);
      }
    });
  }
  let iterations = 0;
  let deviation = maxDeviation(dims, weights);
  while (deviation > tolerance && iterations < maxIterations) {
    iterations++;
    for (const d of dims) {
      const totals = categoryTotals(d, weights);
      let total = 0;
      for (const t of totals) total += t;
      const factors = totals.map((t, c) => (t > 0 ? (d.shares[c]! * total) / t : 0));
      for (let i = 0; i < n; i++) weights[i]! *= factors[d.index[i]!]!;
    }
    if (options.trim) trimWeights(weights, options.trim);
    deviation = maxDeviation(dims, weights);
  }
  let sum = 0;
  for (const w of weights) sum += w;
  if (sum > 0) for (let i = 0; i < n; i++) weights[i] = (weights[i]! * n) / sum;
  const effectiveN = kishEffectiveN(weights);
  return { weights, iterations, converged: deviation <= tolerance, maxDeviation: deviation, effectiveN, designEffect: effectiveN > 0 ? n / effectiveN : NaN };
}

interface Dimension {
  name: string;
  categories: string[];
  shares: number[];
  /** Each respondent's category index. */
  index: Int32Array;
}

function prepareDimension(name: string, target: Readonly<Record<string, number>>, respondents: readonly Readonly<Record<string, string | undefined>>[]): Dimension {
  const categories = Object.keys(target);
  if (categories.length === 0) throw new RakingError('invalid_targets', name, undefined, `targets for '${name}' list no category`);
  let total = 0;
  for (const c of categories) {
    const s = target[c]!;
    if (!(Number.isFinite(s) && s >= 0)) throw new RakingError('invalid_targets', name, c, `target share of '${c}' in '${name}' must be a number ≥ 0`);
    total += s;
  }
  if (Math.abs(total - 1) > 1e-6) throw new RakingError('invalid_targets', name, undefined, `target shares of '${name}' sum to ${total}, not 1`);
  const position = new Map(categories.map((c, i) => [c, i]));
  const index = new Int32Array(respondents.length);
  respondents.forEach((r, i) => {
    const value = r[name];
    if (value === undefined) throw new RakingError('missing_category', name, undefined, `respondent ${i} has no '${name}'`);
    const at = position.get(value);
    if (at === undefined) throw new RakingError('unknown_category', name, value, `respondents have '${name}' = '${value}', which the targets do not list (give it a share, 0 to exclude them)`);
    index[i] = at;
  });
  return { name, categories, shares: categories.map((c) => target[c]! / total), index };
}

function categoryTotals(d: Dimension, weights: Float64Array): number[] {
  const totals = d.categories.map(() => 0);
  for (let i = 0; i < weights.length; i++) totals[d.index[i]!]! += weights[i]!;
  return totals;
}

function maxDeviation(dims: readonly Dimension[], weights: Float64Array): number {
  let worst = 0;
  for (const d of dims) {
    const totals = categoryTotals(d, weights);
    const total = totals.reduce((s, t) => s + t, 0);
    if (!(total > 0)) return Infinity;
    totals.forEach((t, c) => (worst = Math.max(worst, Math.abs(t / total - d.shares[c]!))));
  }
  return worst;
}

function trimWeights(weights: Float64Array, trim: { min?: number; max?: number }): void {
  // Clamping moves the mean, so clamp again against the new mean until the bounds hold.
  for (let round = 0; round < 100; round++) {
    let sum = 0;
    let positive = 0;
    for (const w of weights) {
      if (w > 0) {
        sum += w;
        positive++;
      }
    }
    if (positive === 0) return;
    const meanWeight = sum / positive;
    const lo = (trim.min ?? 0) * meanWeight;
    const hi = (trim.max ?? Infinity) * meanWeight;
    let changed = false;
    for (let i = 0; i < weights.length; i++) {
      const w = weights[i]!;
      if (w > 0 && (w < lo * (1 - 1e-12) || w > hi * (1 + 1e-12))) {
        weights[i] = Math.min(hi, Math.max(lo, w));
        changed = true;
      }
    }
    if (!changed) return;
  }
}
