/**
 * Kruskal–Wallis H test on g groups' counts over the same ordered categories (the
 * several-group extension of Mann–Whitney; Kruskal & Wallis 1952). Grouped data, midranks,
 * ties corrected:
 *   H = [12 / (N(N+1)) · Σ R_i²/n_i − 3(N+1)] / [1 − Σ(t³ − t)/(N³ − N)],  H ~ χ²(g − 1).
 * Effect size ε² = H / (N − 1) (Tomczak & Tomczak 2014), from 0 to 1.
 */
import { chiSquareSf } from './distributions.js';

export interface KruskalWallisResult {
  h: number;
  df: number;
  pValue: number;
  epsilonSquared: number;
}

/** `groups[i][k]`: group i's count in category k (categories in ascending order). */
export function kruskalWallisFromCounts(groups: readonly ArrayLike<number>[]): KruskalWallisResult | null {
  const used = groups.filter((g) => sum(g) > 0);
  if (used.length < 2) return null;
  const k = used[0]!.length;
  const totals = new Float64Array(k);
  for (const g of used) for (let c = 0; c < k; c++) totals[c]! += g[c]!;
  const n = sum(totals);
  const midranks = new Float64Array(k);
  let below = 0;
  let ties = 0;
  for (let c = 0; c < k; c++) {
    const t = totals[c]!;
    midranks[c] = below + (t + 1) / 2;
    ties += t * t * t - t;
    below += t;
  }
  let s = 0;
  for (const g of used) {
    let r = 0;
    for (let c = 0; c < k; c++) r += g[c]! * midranks[c]!;
    s += (r * r) / sum(g);
  }
  const correction = 1 - ties / (n * n * n - n);
  if (!(correction > 0)) return null; // every answer in one category: no ranking information
  const h = ((12 / (n * (n + 1))) * s - 3 * (n + 1)) / correction;
  const df = used.length - 1;
  return { h, df, pValue: chiSquareSf(h, df), epsilonSquared: n > 1 ? h / (n - 1) : NaN };
}

function sum(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i]!;
  return s;
}
