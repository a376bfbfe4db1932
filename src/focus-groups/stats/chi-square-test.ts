/**
 * Pearson's chi-square test of independence on an r × c table, with Cramér's V.
 *
 *   X² = Σ (O − E)²/E,  E_ij = R_i C_j / N,  df = (r' − 1)(c' − 1),  V = √(X² / (N · min(r'−1, c'−1)))
 *
 * Rows or columns whose total is 0 are dropped first (r', c' count the rest); no Yates
 * continuity correction (R's chisq.test applies one to 2 × 2 tables by default; this does
 * not). The approximation needs enough expected counts — Cochran's rule: none below 1 and
 * at most 20% below 5 — reported as `cochranOk` so a reader can discount a sparse table.
 * Cells may hold fractional (weighted) counts.
 */
import { chiSquareSf } from './distributions.js';

export interface ChiSquareResult {
  statistic: number;
  df: number;
  pValue: number;
  cramersV: number;
  minExpected: number;
  /** Share of cells with an expected count below 5. */
  sparseCellShare: number;
  cochranOk: boolean;
}

/** `table[i][j]`: the count of row i (a group) in column j (an answer category). */
export function chiSquareIndependence(table: readonly ArrayLike<number>[]): ChiSquareResult | null {
  if (table.length === 0) return null;
  const cols = table[0]!.length;
  const rowTotals = table.map((row) => {
    let s = 0;
    for (let j = 0; j < cols; j++) s += row[j]!;
    return s;
  });
  const colTotals = new Float64Array(cols);
  for (const row of table) for (let j = 0; j < cols; j++) colTotals[j]! += row[j]!;
  const rows = table.map((_, i) => i).filter((i) => rowTotals[i]! > 0);
  const usedCols = Array.from({ length: cols }, (_, j) => j).filter((j) => colTotals[j]! > 0);
  if (rows.length < 2 || usedCols.length < 2) return null;
  let n = 0;
  for (const i of rows) n += rowTotals[i]!;
  let statistic = 0;
  let minExpected = Infinity;
  let sparse = 0;
  for (const i of rows) {
    for (const j of usedCols) {
      const e = (rowTotals[i]! * colTotals[j]!) / n;
      const d = table[i]![j]! - e;
      statistic += (d * d) / e;
      if (e < minExpected) minExpected = e;
      if (e < 5) sparse++;
    }
  }
  const df = (rows.length - 1) * (usedCols.length - 1);
  const sparseCellShare = sparse / (rows.length * usedCols.length);
  return {
    statistic,
    df,
    pValue: chiSquareSf(statistic, df),
    cramersV: Math.sqrt(statistic / (n * Math.min(rows.length - 1, usedCols.length - 1))),
    minExpected,
    sparseCellShare,
    cochranOk: minExpected >= 1 && sparseCellShare <= 0.2,
  };
}
