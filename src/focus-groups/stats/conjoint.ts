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
 * (default), stopping when no parameter moves by more than 1e−6 (convergence is quadratic, so
 * the estimates are then ~1e−12 from the optimum); a segment's fit starts from the pooled one. Identical choice sets are
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

/** A distinct choice set (the profiles shown, in order), registered once per question in its codec. */
interface ChoiceSetShape {
  /** Level index per attribute, per profile. */
  profiles: Int32Array[];
  /** Each profile's id in the codec's `profileIds`. */
  ids: Int32Array;
  /** Where its counts start in a tally's `counts` (one slot per profile, then "none"). */
  slot: number;
}

/**
 * Shared by the tallies of one question (overall and per segment group): level indexes and
 * profile ids, so that a task is encoded once and tallies can be merged.
 */
export interface ConjointCodec {
  readonly attributes: readonly ConjointAttribute[];
  /** Level → index, per attribute. */
  readonly levelIndex: Map<string, number>[];
  /** Distinct profiles (their level indexes joined) → id. */
  readonly profileIds: Map<string, number>;
  /** Distinct choice sets (their profile ids joined) → index into `sets`. */
  readonly setIds: Map<string, number>;
  readonly sets: ChoiceSetShape[];
  /** Count slots used by all sets so far. */
  slots: number;
}

export function createConjointCodec(attributes: readonly ConjointAttribute[]): ConjointCodec {
  return { attributes, levelIndex: attributes.map((a) => new Map(a.levels.map((l, i) => [l, i]))), profileIds: new Map(), setIds: new Map(), sets: [], slots: 0 };
}

/** A task as its choice set's index in the codec and the chosen profile. */
export interface EncodedTask {
  set: number;
  chosen: number | null;
}

/** null when a profile lacks an attribute or has an unknown level, there are fewer than 2 profiles, or `chosen` is out of range. */
export function encodeConjointTask(codec: ConjointCodec, shown: readonly ConjointProfile[], chosen: number | null): EncodedTask | null {
  if (!Array.isArray(shown) || shown.length < 2) return null;
  if (chosen !== null && !(Number.isInteger(chosen) && chosen >= 0 && chosen < shown.length)) return null;
  const profiles: Int32Array[] = [];
  const ids = new Int32Array(shown.length);
  for (let j = 0; j < shown.length; j++) {
    const profile = shown[j]!;
    const levels = new Int32Array(codec.attributes.length);
    for (let a = 0; a < codec.attributes.length; a++) {
      const level = profile?.[codec.attributes[a]!.name];
      const l = level === undefined ? undefined : codec.levelIndex[a]!.get(level);
      if (l === undefined) return null;
      levels[a] = l;
    }
    profiles.push(levels);
    const profileKey = levels.join(',');
    let id = codec.profileIds.get(profileKey);
    if (id === undefined) codec.profileIds.set(profileKey, (id = codec.profileIds.size));
    ids[j] = id;
  }
  const key = ids.join(',');
  let set = codec.setIds.get(key);
  if (set === undefined) {
    set = codec.sets.length;
    codec.setIds.set(key, set);
    codec.sets.push({ profiles, ids, slot: codec.slots });
    codec.slots += profiles.length + 1;
  }
  return { set, chosen };
}

export interface ConjointTally {
  readonly codec: ConjointCodec;
  readonly attributes: readonly ConjointAttribute[];
  /** Weighted choices per slot of the codec's choice sets (grown as sets appear). */
  counts: Float64Array;
  /** The sets this tally has counts for, and a flag per set index. */
  readonly touched: number[];
  seen: Uint8Array;
  n: number;
  tasks: number;
  skippedTasks: number;
  noneChosen: number;
  /** Weighted times each level was shown / chosen, per attribute. */
  readonly levelShown: Float64Array[];
  readonly levelChosen: Float64Array[];
}

export function createConjointTally(attributes: readonly ConjointAttribute[], codec: ConjointCodec = createConjointCodec(attributes)): ConjointTally {
  return {
    codec,
    attributes,
    counts: new Float64Array(64),
    touched: [],
    seen: new Uint8Array(16),
    n: 0,
    tasks: 0,
    skippedTasks: 0,
    noneChosen: 0,
    levelShown: attributes.map((a) => new Float64Array(a.levels.length)),
    levelChosen: attributes.map((a) => new Float64Array(a.levels.length)),
  };
}

/** Adds one task by names; `chosen` is the index of the chosen profile, or null for none. An invalid task is counted in skippedTasks. */
export function addConjointTask(tally: ConjointTally, shown: readonly ConjointProfile[], chosen: number | null, weight = 1): void {
  const task = encodeConjointTask(tally.codec, shown, chosen);
  if (task) addEncodedTask(tally, task, weight);
  else tally.skippedTasks++;
}

/** Makes room for the codec's sets so far and marks `set` as counted in this tally. */
function touch(tally: ConjointTally, set: number): void {
  const codec = tally.codec;
  if (tally.counts.length < codec.slots) {
    const grown = new Float64Array(Math.max(codec.slots, tally.counts.length * 2));
    grown.set(tally.counts);
    tally.counts = grown;
  }
  if (tally.seen.length <= set) {
    const grown = new Uint8Array(Math.max(set + 1, tally.seen.length * 2));
    grown.set(tally.seen);
    tally.seen = grown;
  }
  if (!tally.seen[set]) {
    tally.seen[set] = 1;
    tally.touched.push(set);
  }
}

/** Calls `fn` with each choice set counted in the tally: its profiles, their ids and its counts (profiles, then none). */
export function forEachChoiceSet(tally: ConjointTally, fn: (profiles: Int32Array[], ids: Int32Array, counts: Float64Array) => void): void {
  for (const s of tally.touched) {
    const shape = tally.codec.sets[s]!;
    fn(shape.profiles, shape.ids, tally.counts.subarray(shape.slot, shape.slot + shape.profiles.length + 1));
  }
}

export function addEncodedTask(tally: ConjointTally, task: EncodedTask, weight = 1): void {
  touch(tally, task.set);
  const shape = tally.codec.sets[task.set]!;
  const chosen = task.chosen;
  tally.counts[shape.slot + (chosen ?? shape.profiles.length)]! += weight;
  tally.tasks++;
  if (chosen === null) tally.noneChosen += weight;
  for (let j = 0; j < shape.profiles.length; j++) {
    const p = shape.profiles[j]!;
    for (let a = 0; a < p.length; a++) {
      tally.levelShown[a]![p[a]!]! += weight;
      if (j === chosen) tally.levelChosen[a]![p[a]!]! += weight;
    }
  }
}

/** Adds another tally of the same codec (e.g. to pool segment groups). */
export function mergeConjointTally(target: ConjointTally, source: ConjointTally): void {
  if (target.codec !== source.codec) throw new Error('conjoint tallies of different codecs cannot be merged');
  for (const s of source.touched) {
    touch(target, s);
    const shape = source.codec.sets[s]!;
    for (let j = 0; j <= shape.profiles.length; j++) target.counts[shape.slot + j]! += source.counts[shape.slot + j]!;
  }
  source.levelShown.forEach((shown, a) => shown.forEach((x, l) => (target.levelShown[a]![l]! += x)));
  source.levelChosen.forEach((chosen, a) => chosen.forEach((x, l) => (target.levelChosen[a]![l]! += x)));
  target.tasks += source.tasks;
  target.skippedTasks += source.skippedTasks;
  target.noneChosen += source.noneChosen;
}

export interface ConjointFitOptions {
  /** Starting part-worths, e.g. the pooled model's when fitting a segment (fewer Newton steps). */
  start?: { attributes: readonly { levels: readonly { part_worth: number }[] }[]; none: { utility: number } | null };
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
  const model = buildDesign(tally, attrs, offsets, p, hasNone, noneIndex);

  const beta = new Float64Array(p);
  if (options.start && options.start.attributes.length === attrs.length) {
    attrs.forEach((a, ai) => {
      for (let l = 0; l < a.levels.length - 1; l++) beta[offsets[ai]! + l] = options.start!.attributes[ai]?.levels[l]?.part_worth ?? 0;
    });
    if (hasNone && options.start.none) beta[noneIndex] = options.start.none.utility;
  }
  let iterations = 0;
  let converged = p === 0;
  let current = evaluate(model, beta, ridge);
  let ll = current.ll;
  const next = new Float64Array(p);
  while (!converged && iterations < maxIterations) {
    iterations++;
    const { gradient, info } = current;
    const l = cholesky(info, p);
    if (!l) break;
    const delta = choleskySolve(l, p, gradient);
    let step = 1;
    for (let k = 0; k < p; k++) next[k] = beta[k]! + delta[k]!;
    current = evaluate(model, next, ridge);
    while (current.ll < ll - 1e-12 * Math.max(1, Math.abs(ll)) && step > 1e-6) {
      step /= 2;
      for (let k = 0; k < p; k++) next[k] = beta[k]! + step * delta[k]!;
      current = evaluate(model, next, ridge);
    }
    const nextLl = current.ll;
    let moved = 0;
    for (let k = 0; k < p; k++) moved = Math.max(moved, Math.abs(next[k]! - beta[k]!));
    beta.set(next);
    ll = nextLl;
    if (moved < 1e-6) converged = true;
  }

  const factor = p > 0 ? cholesky(current.info, p) : null;
  const covariance = factor ? choleskyInverse(factor, p) : null;
  // Without the ridge: the data's own information, and the likelihood reported.
  const unpenalized = evaluate(model, beta, 0);
  const identified = p === 0 || cholesky(unpenalized.info, p, 1e-9) !== null;
  const unpenalizedLl = unpenalized.ll;
  let nullLl = 0;
  let totalTasks = 0;
  for (let s = 0; s < model.sets; s++) {
    nullLl -= model.totals[s]! * Math.log(model.setStart[s + 1]! - model.setStart[s]!);
    totalTasks += model.totals[s]!;
  }

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

/**
 * The choice data in flat arrays: the distinct alternatives (profiles, and "none") as rows of
 * the effects-coded design matrix, and each choice set as a run of row ids with its counts.
 * Utilities are computed once per distinct row per pass, so a pass costs O(rows · p + set entries).
 */
interface Design {
  p: number;
  /** Distinct rows × p, row-major. */
  x: Float64Array;
  rows: number;
  sets: number;
  /** Set s has entries setStart[s] … setStart[s + 1] − 1. */
  setStart: Int32Array;
  /** Row id and weighted choice count of each entry. */
  entryRow: Int32Array;
  entryCount: Float64Array;
  /** Weighted choices per set. */
  totals: Float64Array;
}

function buildDesign(tally: ConjointTally, attrs: readonly ConjointAttribute[], offsets: readonly number[], p: number, hasNone: boolean, noneIndex: number): Design {
  const rowIds = new Map<number, number>();
  const rows: Float64Array[] = [];
  const rowOf = (key: number, make: () => Float64Array): number => {
    let id = rowIds.get(key);
    if (id === undefined) {
      id = rows.length;
      rowIds.set(key, id);
      rows.push(make());
    }
    return id;
  };
  const setStart: number[] = [0];
  const entryRow: number[] = [];
  const entryCount: number[] = [];
  const totals: number[] = [];
  forEachChoiceSet(tally, (profiles, ids, counts) => {
    let total = 0;
    profiles.forEach((levels, j) => {
      entryRow.push(
        rowOf(ids[j]!, () => {
          const x = new Float64Array(p);
          attrs.forEach((a, ai) => {
            const last = a.levels.length - 1;
            if (last < 1) return;
            const l = levels[ai]!;
            if (l < last) x[offsets[ai]! + l] = 1;
            else for (let k = 0; k < last; k++) x[offsets[ai]! + k] = -1;
          });
          return x;
        }),
      );
      entryCount.push(counts[j]!);
      total += counts[j]!;
    });
    if (hasNone) {
      entryRow.push(
        rowOf(-1, () => {
          const x = new Float64Array(p);
          x[noneIndex] = 1;
          return x;
        }),
      );
      entryCount.push(counts[profiles.length]!);
      total += counts[profiles.length]!;
    }
    setStart.push(entryRow.length);
    totals.push(total);
  });
  const x = new Float64Array(rows.length * p);
  rows.forEach((r, i) => x.set(r, i * p));
  return {
    p,
    x,
    rows: rows.length,
    sets: totals.length,
    setStart: Int32Array.from(setStart),
    entryRow: Int32Array.from(entryRow),
    entryCount: Float64Array.from(entryCount),
    totals: Float64Array.from(totals),
  };
}

function rowUtilities(d: Design, beta: Float64Array): Float64Array {
  const u = new Float64Array(d.rows);
  for (let r = 0; r < d.rows; r++) {
    let s = 0;
    for (let k = 0; k < d.p; k++) s += d.x[r * d.p + k]! * beta[k]!;
    u[r] = s;
  }
  return u;
}

/**
 * One pass over the choice sets: the penalized log-likelihood, its gradient and the
 * information matrix Σ_sets C_s [Σ_j p_j x_j x_jᵀ − x̄_s x̄_sᵀ] + λI (the first term
 * accumulated per distinct row and expanded once at the end).
 */
function evaluate(d: Design, beta: Float64Array, penalty: number): { ll: number; gradient: Float64Array; info: Float64Array } {
  const p = d.p;
  const u = rowUtilities(d, beta);
  const gradient = new Float64Array(p);
  const info = new Float64Array(p * p);
  const rowWeight = new Float64Array(d.rows);
  const rowObserved = new Float64Array(d.rows);
  const mean = new Float64Array(p);
  const prob = new Float64Array(64);
  let ll = 0;
  for (let s = 0; s < d.sets; s++) {
    const total = d.totals[s]!;
    if (!(total > 0)) continue;
    const from = d.setStart[s]!;
    const to = d.setStart[s + 1]!;
    const pr = to - from <= prob.length ? prob : new Float64Array(to - from);
    let max = -Infinity;
    for (let e = from; e < to; e++) max = Math.max(max, u[d.entryRow[e]!]!);
    let sum = 0;
    for (let e = from; e < to; e++) sum += pr[e - from] = Math.exp(u[d.entryRow[e]!]! - max);
    const logSum = max + Math.log(sum);
    mean.fill(0);
    for (let e = from; e < to; e++) {
      const q = (pr[e - from]! /= sum);
      const r = d.entryRow[e]!;
      const c = d.entryCount[e]!;
      if (c > 0) ll += c * (u[r]! - logSum);
      rowWeight[r]! += total * q;
      rowObserved[r]! += c;
      for (let k = 0; k < p; k++) mean[k]! += q * d.x[r * p + k]!;
    }
    for (let k = 0; k < p; k++) {
      const mk = mean[k]!;
      if (mk === 0) continue;
      gradient[k]! -= total * mk;
      for (let l = 0; l <= k; l++) info[k * p + l]! -= total * mk * mean[l]!;
    }
  }
  for (let r = 0; r < d.rows; r++) {
    const w = rowWeight[r]!;
    const o = rowObserved[r]!;
    for (let k = 0; k < p; k++) {
      const xk = d.x[r * p + k]!;
      if (xk === 0) continue;
      gradient[k]! += o * xk;
      for (let l = 0; l <= k; l++) info[k * p + l]! += w * xk * d.x[r * p + l]!;
    }
  }
  let b2 = 0;
  for (let k = 0; k < p; k++) {
    b2 += beta[k]! * beta[k]!;
    gradient[k]! -= penalty * beta[k]!;
    info[k * p + k]! += penalty;
    for (let l = 0; l < k; l++) info[l * p + k] = info[k * p + l]!;
  }
  return { ll: ll - (penalty / 2) * b2, gradient, info };
}
