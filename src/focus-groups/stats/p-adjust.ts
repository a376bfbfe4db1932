/**
 * Corrections for multiple comparisons, as adjusted p-values (R's p.adjust):
 * - Holm (1979), step-down: controls the family-wise error rate under any dependence
 *   between the tests. The results report this one (`p_adjusted`): pairwise comparisons of
 *   segments share groups, so their tests are dependent, and Holm needs no assumption
 *   about how.
 * - Benjamini–Hochberg (1995), step-up: controls the false discovery rate (valid under
 *   independence or positive dependence); more powerful, offered for callers that want it.
 * NaN p-values are left out of the family and stay NaN.
 */

export function holmAdjust(pValues: readonly number[]): number[] {
  const idx = pValues.map((_, i) => i).filter((i) => Number.isFinite(pValues[i]!));
  idx.sort((a, b) => pValues[a]! - pValues[b]! || a - b);
  const m = idx.length;
  const out = pValues.map(() => NaN);
  let running = 0;
  idx.forEach((i, rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * pValues[i]!));
    out[i] = running;
  });
  return out;
}

export function benjaminiHochbergAdjust(pValues: readonly number[]): number[] {
  const idx = pValues.map((_, i) => i).filter((i) => Number.isFinite(pValues[i]!));
  idx.sort((a, b) => pValues[a]! - pValues[b]! || a - b);
  const m = idx.length;
  const out = pValues.map(() => NaN);
  let running = 1;
  for (let rank = m - 1; rank >= 0; rank--) {
    const i = idx[rank]!;
    running = Math.min(running, (m / (rank + 1)) * pValues[i]!);
    out[i] = Math.min(1, running);
  }
  return out;
}
