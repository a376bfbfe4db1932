/**
 * Deterministic clustering of normalized vectors (./vector-set.ts): spherical k-means
 * (Dhillon & Modha 2001: cosine similarity to unit-length centroids) seeded by k-means++
 * (Arthur & Vassilvitskii 2007, D² sampling on the cosine distance 1 − cos) from a seeded
 * Rng, and the number of clusters chosen by the mean silhouette (Rousseeuw 1987, cosine
 * distance). The same seed and input give the same clusters.
 */
import type { Rng } from './random.js';
import type { VectorSet } from './vector-set.js';

export interface KMeansResult {
  /** Unit-length centroids. */
  centroids: Float64Array[];
  /** Cluster of each member of `members`. */
  assignment: Int32Array;
  iterations: number;
}

/**
 * Spherical k-means over the vectors `members` (indexes into `set`), at most `maxIterations`
 * assignment rounds (stops early when no assignment changes). An emptied cluster is
 * re-seeded with the member farthest from its centroid.
 */
export function sphericalKMeans(set: VectorSet, members: ArrayLike<number>, k: number, rng: Rng, maxIterations = 30): KMeansResult & { cohesion: number } {
  const m = members.length;
  const centroids = kMeansPlusPlus(set, members, Math.min(k, m), rng);
  const assignment = new Int32Array(m).fill(-1);
  let iterations = 0;
  for (; iterations < maxIterations; iterations++) {
    let changed = false;
    for (let i = 0; i < m; i++) {
      const c = nearest(set, members[i]!, centroids).index;
      if (c !== assignment[i]) {
        assignment[i] = c;
        changed = true;
      }
    }
    if (!changed && iterations > 0) break;
    recomputeCentroids(set, members, assignment, centroids);
  }
  let cohesion = 0;
  for (let i = 0; i < m; i++) cohesion += set.dot(members[i]!, centroids[assignment[i]!]!);
  return { centroids, assignment, iterations, cohesion };
}

/**
 * The best of `restarts` k-means++ runs by cohesion (the sum of members' cosine to their
 * centroid, the spherical k-means objective): one run can settle in a poor local optimum
 * (scikit-learn's KMeans restarts 10 times for the same reason).
 */
export function bestKMeans(set: VectorSet, members: ArrayLike<number>, k: number, rng: Rng, restarts: number): KMeansResult {
  let best = sphericalKMeans(set, members, k, rng);
  for (let r = 1; r < restarts; r++) {
    const next = sphericalKMeans(set, members, k, rng);
    if (next.cohesion > best.cohesion + 1e-12) best = next;
  }
  return best;
}

/** The centroid most similar to vector i, and that similarity. */
export function nearest(set: VectorSet, i: number, centroids: readonly Float64Array[]): { index: number; similarity: number } {
  let index = 0;
  let similarity = -Infinity;
  for (let c = 0; c < centroids.length; c++) {
    const s = set.dot(i, centroids[c]!);
    if (s > similarity) {
      similarity = s;
      index = c;
    }
  }
  return { index, similarity };
}

function kMeansPlusPlus(set: VectorSet, members: ArrayLike<number>, k: number, rng: Rng): Float64Array[] {
  const m = members.length;
  const centroids: Float64Array[] = [];
  const d2 = new Float64Array(m).fill(Infinity);
  let next = rng.nextInt(m);
  while (centroids.length < k) {
    const c = new Float64Array(set.dim);
    set.addTo(members[next]!, c, 1);
    normalizeInPlace(c);
    centroids.push(c);
    if (centroids.length === k) break;
    let total = 0;
    for (let i = 0; i < m; i++) {
      const d = Math.max(0, 1 - set.dot(members[i]!, c));
      if (d * d < d2[i]!) d2[i] = d * d;
      total += d2[i]!;
    }
    if (!(total > 0)) break; // every vector coincides with a centroid: fewer distinct clusters than k
    let u = rng.next() * total;
    next = m - 1;
    for (let i = 0; i < m; i++) {
      u -= d2[i]!;
      if (u < 0) {
        next = i;
        break;
      }
    }
  }
  return centroids;
}

function recomputeCentroids(set: VectorSet, members: ArrayLike<number>, assignment: Int32Array, centroids: Float64Array[]): void {
  const sizes = new Int32Array(centroids.length);
  for (const c of centroids) c.fill(0);
  for (let i = 0; i < members.length; i++) {
    set.addTo(members[i]!, centroids[assignment[i]!]!, 1);
    sizes[assignment[i]!]!++;
  }
  for (let c = 0; c < centroids.length; c++) {
    if (sizes[c]! > 0) {
      normalizeInPlace(centroids[c]!);
      continue;
    }
    // Empty cluster: move it to the member least similar to its own centroid.
    let worst = 0;
    let worstSim = Infinity;
    for (let i = 0; i < members.length; i++) {
      const s = set.dot(members[i]!, centroids[assignment[i]!]!);
      if (s < worstSim) {
        worstSim = s;
        worst = i;
      }
    }
    set.addTo(members[worst]!, centroids[c]!, 1);
    normalizeInPlace(centroids[c]!);
  }
}

function normalizeInPlace(c: Float64Array): void {
  let norm = 0;
  for (const x of c) norm += x * x;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let k = 0; k < c.length; k++) c[k]! /= norm;
}

/**
 * Mean silhouette of a clustering of the vectors `members`, from their pairwise cosine
 * distances (`distances`, row-major m × m). s(i) = (b − a)/max(a, b), 0 for a member alone
 * in its cluster.
 */
export function meanSilhouette(distances: Float64Array, m: number, assignment: Int32Array, k: number): number {
  if (k < 2) return 0;
  const sums = new Float64Array(k);
  const sizes = new Int32Array(k);
  for (let i = 0; i < m; i++) sizes[assignment[i]!]!++;
  let total = 0;
  for (let i = 0; i < m; i++) {
    const own = assignment[i]!;
    if (sizes[own]! <= 1) continue;
    sums.fill(0);
    for (let j = 0; j < m; j++) if (j !== i) sums[assignment[j]!]! += distances[i * m + j]!;
    const a = sums[own]! / (sizes[own]! - 1);
    let b = Infinity;
    for (let c = 0; c < k; c++) if (c !== own && sizes[c]! > 0) b = Math.min(b, sums[c]! / sizes[c]!);
    if (!Number.isFinite(b)) continue;
    const denominator = Math.max(a, b);
    total += denominator > 0 ? (b - a) / denominator : 0;
  }
  return total / m;
}

/** Pairwise cosine distances 1 − cos among `members`, row-major. */
export function pairwiseDistances(set: VectorSet, members: ArrayLike<number>): Float64Array {
  const m = members.length;
  const d = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let j = i + 1; j < m; j++) {
      const v = Math.max(0, 1 - set.pairDot(members[i]!, members[j]!));
      d[i * m + j] = v;
      d[j * m + i] = v;
    }
  }
  return d;
}

/**
 * k in [2, kMax] with the highest mean silhouette of a k-means clustering of `members`
 * (ties: the smaller k; the best of `restarts` runs per k), and the silhouettes tried.
 */
export function chooseK(set: VectorSet, members: ArrayLike<number>, kMax: number, rng: Rng, restarts = 3): { k: number; silhouettes: Record<number, number> } {
  const m = members.length;
  const distances = pairwiseDistances(set, members);
  let best = 2;
  let bestScore = -Infinity;
  const silhouettes: Record<number, number> = {};
  for (let k = 2; k <= kMax; k++) {
    const { assignment, centroids } = bestKMeans(set, members, k, rng, restarts);
    const score = meanSilhouette(distances, m, assignment, centroids.length);
    silhouettes[k] = score;
    if (score > bestScore + 1e-12) {
      bestScore = score;
      best = k;
    }
  }
  return { k: best, silhouettes };
}
