/**
 * Choice-based conjoint: each task shows profiles (one level of every attribute) and the
 * respondent picks one, or none. Part-worths are estimated by a multinomial (conditional)
 * logit (McFadden 1974): P(j | task) = exp(x_jβ) / Σ_k exp(x_kβ), with effects coding
 * (an attribute of L levels has L − 1 parameters; its last level's part-worth is minus their
 * sum, so part-worths are zero-centred within each attribute) and, when any task was
 * answered "none", a "none" alternative with its own constant in every task.
 *
 * Fit: Newton–Raphson on the log-likelihood with a small ridge penalty (λ/2)‖β‖², λ = 0.01
 * by default — negligible against the information of hundreds of choices, but it keeps a
 * level that is always (or never) chosen finite — with step halving, at most 50 iterations
 * (default), stopping when no parameter moves by more than 1e−9. Identical choice sets are
 * aggregated first (a study usually shows the same profiles to everyone), so the cost is
 * linear in the answers and the fit's in the distinct sets.
 *
 * Standard errors are from the inverse information matrix (with the ridge); they treat the
 * tasks as independent, so with several tasks per respondent they are somewhat optimistic.
 * `identified` is false when the design cannot separate the parameters (the information
 * matrix without the ridge is singular — e.g. one fixed set of profiles with fewer
 * alternatives than parameters): part-worths are then the ridge's choice, not the data's.
 *
 * Attribute importance = the range of an attribute's part-worths / the sum of all ranges, in
 * percent (Orme, Getting Started with Conjoint Analysis, ch. 9). Counts: per level, the
 * share of the profiles showing it that were chosen.
 */
import { normalQuantile } from './distributions.js';
import { cholesky, choleskyInverse, choleskySolve } from './linear-algebra.js';

export interface ConjointAttribute {
  name: string;
  levels: readonly string[];
}

/** attribute name → level. */
export type ConjointProfile = Readonly<Record<string, string>>;

interface ChoiceSet {
  /** Level index per attribute, per profile. */
  profiles: Int32Array[];
  /** Weighted choices of each profile, then of "none". */
  counts: Float64Array;
}

export interface ConjointTally {
  readonly attributes: readonly ConjointAttribute[];
  readonly sets: Map<string, ChoiceSet>;
  n: number;
  tasks: number;
  skippedTasks: number;
  noneChosen: number;
  /** Weighted times each level was shown / chosen, per attribute. */
  readonly levelShown: Float64Array[];
  readonly levelChosen: Float64Array[];
}

export function createConjointTally(attributes: readonly ConjointAttribute[]): ConjointTally {
  return {
    attributes,
    sets: new Map(),
    n: 0,
    tasks: 0,
    skippedTasks: 0,
    noneChosen: 0,
    levelShown: attributes.map((a) => new Float64Array(a.levels.length)),
    levelChosen: attributes.map((a) => new Float64Array(a.levels.length)),
  };
}

/** Adds one task; `chosen` is the index of the chosen profile, or null for none. */
export function addConjointTask(tally: ConjointTally, shown: readonly ConjointProfile[], chosen: number | null, weight = 1): void {
  const profiles: Int32Array[] = [];
  for (const profile of shown) {
    const levels = new Int32Array(tally.attributes.length);
    for (let a = 0; a < tally.attributes.length; a++) {
      const attribute = tally.attributes[a]!;
      const level = profile[attribute.name];
      levels[a] = level === undefined ? -1 : attribute.levels.indexOf(level);
    }
    profiles.push(levels);
  }
  if (profiles.length < 2 || profiles.some((p) => p.some((l) => l < 0)) || (chosen !== null && !(Number.isInteger(chosen) && chosen >= 0 && chosen < profiles.length))) {
    tally.skippedTasks++;
    return;
  }
  const key = profiles.map((p) => p.join(',')).join('|');
  let set = tally.sets.get(key);
  if (!set) {
    set = { profiles, counts: new Float64Array(profiles.length + 1) };
    tally.sets.set(key, set);
  }
  set.counts[chosen ?? profiles.length]! += weight;
  tally.tasks++;
  if (chosen === null) tally.noneChosen += weight;
  profiles.forEach((p, j) => {
    for (let a = 0; a < p.length; a++) {
      tally.levelShown[a]![p[a]!]! += weight;
      if (j === chosen) tally.levelChosen[a]![p[a]!]! += weight;
    }
  });
}

export interface ConjointFitOptions {
  ridge?: number;
  maxIterations?: number;
  /** Confidence level of the part-worth intervals (default 0.95). */
  level?: number;
}

export interface ConjointLevelEstimate {
  level: string;
  part_worth: number;
  se: number | null;
  ci: [number, number] | null;
  /** Counts: chosen / shown among the profiles showing this level (null if never shown). */
  choice_share: number | null;
}

export interface ConjointAttributeEstimate {
  attribute: string;
  /** Percent of the sum of part-worth ranges. */
  importance: number;
  levels: ConjointLevelEstimate[];
}

export interface ConjointEstimate {
  attributes: ConjointAttributeEstimate[];
  /** Utility of choosing none (relative to the average profile), when tasks allowed it. */
  none: { utility: number; se: number | null; share: number } | null;
  tasks: number;
  log_likelihood: number;
  null_log_likelihood: number;
  /** 1 − LL/LL₀. */
  mcfadden_r2: number;
  iterations: number;
  converged: boolean;
  identified: boolean;
}

export function fitConjoint(tally: ConjointTally, options: ConjointFitOptions = {}): ConjointEstimate {
  const ridge = options.ridge ?? 0.01;
  const maxIterations = options.maxIterations ?? 50;
  const z = normalQuantile(1 - (1 - (options.level ?? 0.95)) / 2);
  const attrs = tally.attributes;
  const offsets: number[] = [];
  let p = 0;
  for (const a of attrs) {
    offsets.push(p);
    p += Math.max(0, a.levels.length - 1);
  }
  const hasNone = tally.noneChosen > 0;
  const noneIndex = p;
  if (hasNone) p++;

  // Design matrices per choice set: rows are the profiles (and "none"), effects-coded.
  const sets = [...tally.sets.values()].map((set) => {
    const alternatives = set.profiles.length + (hasNone ? 1 : 0);
    const x = new Float64Array(alternatives * p);
    set.profiles.forEach((levels, j) => {
      attrs.forEach((a, ai) => {
        const last = a.levels.length - 1;
        if (last < 1) return;
        const l = levels[ai]!;
        if (l < last) x[j * p + offsets[ai]! + l] = 1;
        else for (let k = 0; k < last; k++) x[j * p + offsets[ai]! + k] = -1;
      });
    });
    if (hasNone) x[set.profiles.length * p + noneIndex] = 1;
    const counts = hasNone ? set.counts : set.counts.subarray(0, set.profiles.length);
    let total = 0;
    for (const c of counts) total += c;
    return { x, alternatives, counts, total };
  });

  const utilities = new Float64Array(64);
  const probabilities = (set: (typeof sets)[number], beta: Float64Array): Float64Array => {
    const u = set.alternatives <= utilities.length ? utilities.subarray(0, set.alternatives) : new Float64Array(set.alternatives);
    let max = -Infinity;
    for (let j = 0; j < set.alternatives; j++) {
      let s = 0;
      for (let k = 0; k < p; k++) s += set.x[j * p + k]! * beta[k]!;
      u[j] = s;
      if (s > max) max = s;
    }
    let sum = 0;
    for (let j = 0; j < set.alternatives; j++) sum += (u[j] = Math.exp(u[j]! - max));
    for (let j = 0; j < set.alternatives; j++) u[j]! /= sum;
    return u;
  };
  const logLikelihood = (beta: Float64Array, penalty: number): number => {
    let ll = 0;
    for (const set of sets) {
      const pr = probabilities(set, beta);
      for (let j = 0; j < set.alternatives; j++) if (set.counts[j]! > 0) ll += set.counts[j]! * Math.log(pr[j]!);
    }
    let b2 = 0;
    for (const b of beta) b2 += b * b;
    return ll - (penalty / 2) * b2;
  };
  const information = (beta: Float64Array, penalty: number): { gradient: Float64Array; info: Float64Array } => {
    const gradient = new Float64Array(p);
    const info = new Float64Array(p * p);
    const mean = new Float64Array(p);
    for (const set of sets) {
      if (!(set.total > 0)) continue;
      const pr = probabilities(set, beta);
      mean.fill(0);
      for (let j = 0; j < set.alternatives; j++) for (let k = 0; k < p; k++) mean[k]! += pr[j]! * set.x[j * p + k]!;
      for (let j = 0; j < set.alternatives; j++) {
        const c = set.counts[j]!;
        const w = set.total * pr[j]!;
        for (let k = 0; k < p; k++) {
          const dk = set.x[j * p + k]! - mean[k]!;
          if (c > 0) gradient[k]! += c * dk;
          if (dk === 0) continue;
          for (let l = 0; l <= k; l++) info[k * p + l]! += w * dk * (set.x[j * p + l]! - mean[l]!);
        }
      }
    }
    for (let k = 0; k < p; k++) {
      gradient[k]! -= penalty * beta[k]!;
      info[k * p + k]! += penalty;
      for (let l = 0; l < k; l++) info[l * p + k] = info[k * p + l]!;
    }
    return { gradient, info };
  };

  const beta = new Float64Array(p);
  let iterations = 0;
  let converged = p === 0;
  let ll = logLikelihood(beta, ridge);
  while (!converged && iterations < maxIterations) {
    iterations++;
    const { gradient, info } = information(beta, ridge);
    const l = cholesky(info, p);
    if (!l) break;
    const delta = choleskySolve(l, p, gradient);
    let step = 1;
    let next = beta.map((b, k) => b + delta[k]!);
    let nextLl = logLikelihood(next, ridge);
    while (nextLl < ll - 1e-12 && step > 1e-6) {
      step /= 2;
      next = beta.map((b, k) => b + step * delta[k]!);
      nextLl = logLikelihood(next, ridge);
    }
    let moved = 0;
    for (let k = 0; k < p; k++) moved = Math.max(moved, Math.abs(next[k]! - beta[k]!));
    beta.set(next);
    ll = nextLl;
    if (moved < 1e-9) converged = true;
  }

  const { info } = information(beta, ridge);
  const factor = p > 0 ? cholesky(info, p) : null;
  const covariance = factor ? choleskyInverse(factor, p) : null;
  const identified = p === 0 || cholesky(information(beta, 0).info, p, 1e-9) !== null;
  const unpenalizedLl = logLikelihood(beta, 0);
  let nullLl = 0;
  for (const set of sets) nullLl -= set.total * Math.log(set.alternatives);

  const attributes: ConjointAttributeEstimate[] = attrs.map((a, ai) => {
    const last = a.levels.length - 1;
    const o = offsets[ai]!;
    const levels = a.levels.map((level, li): ConjointLevelEstimate => {
      let partWorth = 0;
      let variance: number | null = null;
      if (last >= 1) {
        if (li < last) {
          partWorth = beta[o + li]!;
          if (covariance) variance = covariance[(o + li) * p + o + li]!;
        } else {
          for (let k = 0; k < last; k++) partWorth -= beta[o + k]!;
          if (covariance) {
            variance = 0;
            for (let k = 0; k < last; k++) for (let m = 0; m < last; m++) variance += covariance[(o + k) * p + o + m]!;
          }
        }
      }
      const se = variance !== null && variance >= 0 ? Math.sqrt(variance) : null;
      const shown = tally.levelShown[ai]![li]!;
      return { level, part_worth: partWorth, se, ci: se !== null ? [partWorth - z * se, partWorth + z * se] : null, choice_share: shown > 0 ? tally.levelChosen[ai]![li]! / shown : null };
    });
    return { attribute: a.name, importance: 0, levels };
  });
  const ranges = attributes.map((a) => (a.levels.length ? Math.max(...a.levels.map((l) => l.part_worth)) - Math.min(...a.levels.map((l) => l.part_worth)) : 0));
  const totalRange = ranges.reduce((s, r) => s + r, 0);
  attributes.forEach((a, i) => (a.importance = totalRange > 0 ? (100 * ranges[i]!) / totalRange : 0));
  let totalTasks = 0;
  for (const set of sets) totalTasks += set.total;
  return {
    attributes,
    none: hasNone
      ? { utility: beta[noneIndex]!, se: covariance ? Math.sqrt(covariance[noneIndex * p + noneIndex]!) : null, share: totalTasks > 0 ? tally.noneChosen / totalTasks : 0 }
      : null,
    tasks: tally.tasks,
    log_likelihood: unpenalizedLl,
    null_log_likelihood: nullLl,
    mcfadden_r2: nullLl < 0 ? 1 - unpenalizedLl / nullLl : 0,
    iterations,
    converged,
    identified,
  };
}
