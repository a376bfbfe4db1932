/**
 * Themes of open-ended answers: answers are clustered, and each cluster is reported with
 * label terms, count, share and representative quotes.
 *
 * - Vectors: the answers' embeddings when every answer has one (same dimension), else
 *   lexical TF-IDF vectors (./text/). Answers without a vector (nothing left after stop
 *   words, or a zero embedding) are `unthemed`.
 * - Clustering: spherical k-means++ (./kmeans.ts) from the seed. k is chosen by the highest
 *   mean silhouette over k = 2 … min(maxThemes (8), ⌊√(m/2)⌋) for m answers with vectors,
 *   computed on a seeded sample of at most 400 answers (300 for embeddings); with fewer
 *   than 6 answers or k_max < 2 there is one theme. The final k-means runs on a seeded
 *   sample of at most 2,000 answers (best of 5 k-means++ runs, 3 per k while choosing k),
 *   then every answer joins its nearest centroid and the
 *   centroids are recomputed over all members — so the cost stays linear in the answers.
 * - Labels: the terms with the largest weight in the cluster's mean TF-IDF vector (shown in
 *   their most frequent spelling), also for embedding clusters.
 * - Quotes: the members most similar to the centroid, distinct texts, at most 280
 *   characters each.
 * - Sentiment: the weighted mean of a caller's scorer over the members (the service passes
 *   the analysis lexicon's), when given.
 */
import { bestKMeans, chooseK, nearest } from './kmeans.js';
import { createRng, type Rng } from './random.js';
import { tfidf } from './text/tfidf.js';
import { surfaceForm, tokenize } from './text/tokenize.js';
import { denseVectorSet, sparseVectorSet, type VectorSet } from './vector-set.js';

export interface ThemeDocument {
  text: string;
  embedding?: ArrayLike<number>;
  weight?: number;
  respondentId?: string;
}

export interface ThemeOptions {
  seed: number;
  /** Upper bound on k (default 8). */
  maxThemes?: number;
  /** Quotes per theme (default 3). */
  quotes?: number;
  /** Label terms per theme (default 5). */
  terms?: number;
  sentiment?: (text: string) => number;
}

export interface ThemeQuote {
  text: string;
  respondent_id?: string;
}

export interface Theme {
  id: string;
  /** The top three terms, comma-separated. */
  label: string;
  terms: string[];
  count: number;
  /** Weighted share of all answers (unthemed included). */
  share: number;
  quotes: ThemeQuote[];
  /** Mean sentiment of the members, when a scorer was given. */
  sentiment?: number | null;
}

export interface ThemesResult {
  method: 'embeddings' | 'lexical';
  themes: Theme[];
  unthemed: { count: number; share: number };
  /** Mean silhouette of the chosen clustering (on the selection sample); null with one theme. */
  silhouette: number | null;
  /** Each answer's index into `themes`, −1 when unthemed. */
  assignment: Int32Array;
}

const QUOTE_CHARS = 280;
/** k-means++ runs per fit, the best kept (3 per k while choosing k). */
const RESTARTS = 5;

export function extractThemes(documents: readonly ThemeDocument[], options: ThemeOptions): ThemesResult {
  const n = documents.length;
  const rng = createRng(options.seed);
  const surface = new Map<string, Map<string, number>>();
  const tokens = documents.map((d) => tokenize(d.text, surface));
  const lexical = tfidf(tokens);
  const dim = documents[0]?.embedding?.length ?? 0;
  const useEmbeddings = n > 0 && dim > 0 && documents.every((d) => d.embedding !== undefined && d.embedding.length === dim);
  const set: VectorSet = useEmbeddings ? denseVectorSet(documents.map((d) => d.embedding!)) : sparseVectorSet(lexical.rows, lexical.terms.length);
  const eligible = useEmbeddings
    ? Int32Array.from(documents.map((d, i) => (Array.prototype.some.call(d.embedding, (x: number) => x !== 0) ? i : -1)).filter((i) => i >= 0))
    : Int32Array.from(lexical.rows.map((r, i) => (r.indices.length > 0 ? i : -1)).filter((i) => i >= 0));
  const m = eligible.length;
  const weights = documents.map((d) => (d.weight !== undefined && d.weight >= 0 ? d.weight : 1));
  const totalWeight = weights.reduce((s, w) => s + w, 0);
  const assignment = new Int32Array(n).fill(-1);
  const method = useEmbeddings ? 'embeddings' : 'lexical';
  if (m === 0) return { method, themes: [], unthemed: { count: n, share: n > 0 ? 1 : 0 }, silhouette: null, assignment };

  const kMax = Math.min(options.maxThemes ?? 8, Math.floor(Math.sqrt(m / 2)));
  let k = 1;
  let silhouette: number | null = null;
  if (m >= 6 && kMax >= 2) {
    const selection = sample(eligible, useEmbeddings ? 300 : 400, rng);
    const chosen = chooseK(set, selection, kMax, rng);
    k = chosen.k;
    silhouette = chosen.silhouettes[k] ?? null;
  }
  const fitMembers = sample(eligible, 2000, rng);
  const { centroids } = bestKMeans(set, fitMembers, k, rng, RESTARTS);
  const clusterOf = new Int32Array(m);
  for (let i = 0; i < m; i++) clusterOf[i] = nearest(set, eligible[i]!, centroids).index;
  // Final centroids over all members.
  const finalCentroids = centroids.map(() => new Float64Array(set.dim));
  for (let i = 0; i < m; i++) set.addTo(eligible[i]!, finalCentroids[clusterOf[i]!]!, 1);
  for (const c of finalCentroids) {
    let norm = 0;
    for (const x of c) norm += x * x;
    norm = Math.sqrt(norm);
    if (norm > 0) for (let j = 0; j < c.length; j++) c[j]! /= norm;
  }

  const clusters = finalCentroids.map((centroid, c) => {
    const members: number[] = [];
    for (let i = 0; i < m; i++) if (clusterOf[i] === c) members.push(eligible[i]!);
    return { centroid, members, weight: members.reduce((s, i) => s + weights[i]!, 0) };
  });
  const ordered = clusters.filter((c) => c.members.length > 0).sort((a, b) => b.weight - a.weight || b.members.length - a.members.length || a.members[0]! - b.members[0]!);
  const termCount = options.terms ?? 5;
  const quoteCount = options.quotes ?? 3;
  const themes = ordered.map((cluster, t): Theme => {
    for (const i of cluster.members) assignment[i] = t;
    const terms = topTerms(cluster.members, lexical, termCount).map((term) => surfaceForm(term, surface));
    const theme: Theme = {
      id: `theme_${t + 1}`,
      label: terms.slice(0, 3).join(', '),
      terms,
      count: cluster.members.length,
      share: totalWeight > 0 ? cluster.weight / totalWeight : 0,
      quotes: quotes(set, cluster.members, cluster.centroid, documents, quoteCount),
    };
    if (options.sentiment) {
      let s = 0;
      let w = 0;
      for (const i of cluster.members) {
        const v = options.sentiment(documents[i]!.text);
        if (Number.isFinite(v)) {
          s += weights[i]! * v;
          w += weights[i]!;
        }
      }
      theme.sentiment = w > 0 ? s / w : null;
    }
    return theme;
  });
  let unthemedWeight = 0;
  let unthemed = 0;
  for (let i = 0; i < n; i++) {
    if (assignment[i] === -1) {
      unthemed++;
      unthemedWeight += weights[i]!;
    }
  }
  return { method, themes, unthemed: { count: unthemed, share: totalWeight > 0 ? unthemedWeight / totalWeight : 0 }, silhouette, assignment };
}

/** Up to `size` members drawn without replacement (a seeded partial Fisher–Yates), in ascending order. */
function sample(members: Int32Array, size: number, rng: Rng): Int32Array {
  if (members.length <= size) return members;
  const pool = Int32Array.from(members);
  for (let i = 0; i < size; i++) {
    const j = i + rng.nextInt(pool.length - i);
    const t = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = t;
  }
  return pool.slice(0, size).sort();
}

function topTerms(members: readonly number[], lexical: ReturnType<typeof tfidf>, count: number): string[] {
  // Summed per vocabulary index (a dense array: the vocabulary is bounded), in the members' order.
  const weights = new Float64Array(lexical.terms.length);
  const used: number[] = [];
  for (const i of members) {
    const row = lexical.rows[i]!;
    for (let k = 0; k < row.indices.length; k++) {
      const t = row.indices[k]!;
      if (weights[t] === 0) used.push(t);
      weights[t]! += row.values[k]!;
    }
  }
  return used
    .sort((a, b) => weights[b]! - weights[a]! || a - b)
    .slice(0, count)
    .map((i) => lexical.terms[i]!);
}

function quotes(set: VectorSet, members: readonly number[], centroid: Float64Array, documents: readonly ThemeDocument[], count: number): ThemeQuote[] {
  // Members by similarity to the centroid (ties: lower index first), taken from a heap until `count` distinct texts.
  const similarity = new Float64Array(members.length);
  members.forEach((i, k) => (similarity[k] = set.dot(i, centroid)));
  const before = (a: number, b: number): boolean => similarity[a]! > similarity[b]! || (similarity[a] === similarity[b] && members[a]! < members[b]!);
  const heap = new MaxHeap(members.length, before);
  const seen = new Set<string>();
  const out: ThemeQuote[] = [];
  while (heap.size > 0 && out.length < count) {
    const i = members[heap.pop()]!;
    const doc = documents[i]!;
    const key = doc.text.trim().toLowerCase().replace(/\s+/g, ' ');
    if (seen.has(key)) continue;
    seen.add(key);
    const text = doc.text.trim();
    const quote: ThemeQuote = { text: text.length > QUOTE_CHARS ? `${text.slice(0, QUOTE_CHARS - 1).trimEnd()}…` : text };
    if (doc.respondentId !== undefined) quote.respondent_id = doc.respondentId;
    out.push(quote);
  }
  return out;
}

/** A binary heap of the positions 0 … n − 1, the first by `before` on top (heapified in O(n)). */
class MaxHeap {
  private readonly items: Int32Array;
  size: number;
  constructor(
    n: number,
    private readonly before: (a: number, b: number) => boolean,
  ) {
    this.items = Int32Array.from({ length: n }, (_, i) => i);
    this.size = n;
    for (let i = (n >> 1) - 1; i >= 0; i--) this.down(i);
  }
  pop(): number {
    const top = this.items[0]!;
    this.size--;
    this.items[0] = this.items[this.size]!;
    this.down(0);
    return top;
  }
  private down(i: number): void {
    const { items, before } = this;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= this.size) return;
      const r = l + 1;
      const c = r < this.size && before(items[r]!, items[l]!) ? r : l;
      if (!before(items[c]!, items[i]!)) return;
      const t = items[i]!;
      items[i] = items[c]!;
      items[c] = t;
      i = c;
    }
  }
}
