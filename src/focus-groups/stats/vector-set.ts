/**
 * L2-normalized vectors for clustering, sparse (TF-IDF) or dense (embeddings), behind one
 * interface so that k-means and the silhouette do not care which.
 */
import type { SparseVector } from './text/tfidf.js';

export interface VectorSet {
  readonly size: number;
  readonly dim: number;
  /** v_i · c for a dense c. */
  dot(i: number, c: Float64Array): number;
  /** c += s · v_i. */
  addTo(i: number, c: Float64Array, s: number): void;
  /** v_i · v_j. */
  pairDot(i: number, j: number): number;
}

/** Sparse rows (already normalized, e.g. from tfidf). */
export function sparseVectorSet(rows: readonly SparseVector[], dim: number): VectorSet {
  const scratch = new Float64Array(dim);
  let scattered = -1;
  return {
    size: rows.length,
    dim,
    dot(i, c) {
      const r = rows[i]!;
      let s = 0;
      for (let k = 0; k < r.indices.length; k++) s += r.values[k]! * c[r.indices[k]!]!;
      return s;
    },
    addTo(i, c, s) {
      const r = rows[i]!;
      for (let k = 0; k < r.indices.length; k++) c[r.indices[k]!]! += s * r.values[k]!;
    },
    pairDot(i, j) {
      // Scatter row i once and reuse it while i stays the same (the silhouette loops j inside i).
      if (scattered !== i) {
        if (scattered >= 0) for (const idx of rows[scattered]!.indices) scratch[idx] = 0;
        const r = rows[i]!;
        for (let k = 0; k < r.indices.length; k++) scratch[r.indices[k]!] = r.values[k]!;
        scattered = i;
      }
      const r = rows[j]!;
      let s = 0;
      for (let k = 0; k < r.indices.length; k++) s += r.values[k]! * scratch[r.indices[k]!]!;
      return s;
    },
  };
}

/** Dense rows, copied and L2-normalized (zero vectors stay zero). */
export function denseVectorSet(vectors: readonly ArrayLike<number>[]): VectorSet {
  const dim = vectors[0]?.length ?? 0;
  const rows = vectors.map((v) => {
    if (v.length !== dim) throw new RangeError(`embeddings have different dimensions: ${v.length} vs ${dim}`);
    const row = Float64Array.from(v);
    let norm = 0;
    for (const x of row) norm += x * x;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let k = 0; k < dim; k++) row[k]! /= norm;
    return row;
  });
  const dotRows = (a: Float64Array, b: Float64Array): number => {
    let s = 0;
    for (let k = 0; k < dim; k++) s += a[k]! * b[k]!;
    return s;
  };
  return {
    size: rows.length,
    dim,
    dot: (i, c) => dotRows(rows[i]!, c),
    addTo(i, c, s) {
      const r = rows[i]!;
      for (let k = 0; k < dim; k++) c[k]! += s * r[k]!;
    },
    pairDot: (i, j) => dotRows(rows[i]!, rows[j]!),
  };
}
