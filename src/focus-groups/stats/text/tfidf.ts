/**
 * TF-IDF document vectors for theme extraction: sublinear term frequency 1 + ln(tf), smoothed
 * idf ln((1 + N)/(1 + df)) + 1 (scikit-learn's TfidfVectorizer defaults with
 * sublinear_tf), L2-normalized. The vocabulary keeps terms found in at least `minDf`
 * documents (default 2 from 20 documents up, else 1), at most `maxTerms` of them (default
 * 5,000, by document frequency, ties alphabetical), which bounds memory whatever the answers.
 */

export interface SparseVector {
  indices: Int32Array;
  values: Float64Array;
}

export interface TfidfMatrix {
  terms: string[];
  idf: Float64Array;
  /** One L2-normalized row per document; empty when no vocabulary term occurs. */
  rows: SparseVector[];
}

export function tfidf(documents: readonly (readonly string[])[], options: { minDf?: number; maxTerms?: number } = {}): TfidfMatrix {
  const n = documents.length;
  const minDf = options.minDf ?? (n >= 20 ? 2 : 1);
  const maxTerms = options.maxTerms ?? 5000;
  const df = new Map<string, number>();
  for (const doc of documents) for (const term of new Set(doc)) df.set(term, (df.get(term) ?? 0) + 1);
  const terms = [...df.entries()]
    .filter(([, d]) => d >= minDf)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, maxTerms)
    .map(([t]) => t);
  const index = new Map(terms.map((t, i) => [t, i]));
  const idf = Float64Array.from(terms, (t) => Math.log((1 + n) / (1 + df.get(t)!)) + 1);
  const rows = documents.map((doc): SparseVector => {
    // The document's vocabulary indexes, sorted: equal runs are its term frequencies.
    const found = new Int32Array(doc.length);
    let count = 0;
    for (const term of doc) {
      const i = index.get(term);
      if (i !== undefined) found[count++] = i;
    }
    const sorted = found.subarray(0, count).sort();
    let distinct = 0;
    for (let k = 0; k < count; k++) if (k === 0 || sorted[k] !== sorted[k - 1]) distinct++;
    const indices = new Int32Array(distinct);
    const values = new Float64Array(distinct);
    for (let k = 0, d = -1; k < count; k++) {
      if (k === 0 || sorted[k] !== sorted[k - 1]) indices[++d] = sorted[k]!;
      values[d]! += 1;
    }
    for (let k = 0; k < distinct; k++) values[k] = (1 + Math.log(values[k]!)) * idf[indices[k]!]!;
    let norm = 0;
    for (const v of values) norm += v * v;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let k = 0; k < values.length; k++) values[k]! /= norm;
    return { indices, values };
  });
  return { terms, idf, rows };
}
