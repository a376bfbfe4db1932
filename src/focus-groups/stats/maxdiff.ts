/**
 * MaxDiff (best–worst scaling, Louviere, Flynn & Marley 2015): each task shows a subset of
 * the items and the respondent picks the best and the worst. Counting analysis (Finn &
 * Louviere 1992; Sawtooth's "counts"): per item, score = (times best − times worst) / times
 * shown, from −1 (always worst) to +1 (always best), with best and worst shares of its
 * appearances. Counts are weighted by the respondent's weight. Tasks naming an item that
 * was not shown (or best = worst) are skipped and counted.
 */

export interface MaxDiffTally {
  readonly items: readonly string[];
  n: number;
  /** Weighted appearances, best and worst picks per item. */
  readonly shown: Float64Array;
  readonly best: Float64Array;
  readonly worst: Float64Array;
  /** Unweighted appearances. */
  readonly rawShown: Float64Array;
  skippedTasks: number;
}

export function createMaxDiffTally(items: readonly string[]): MaxDiffTally {
  const k = items.length;
  return { items, n: 0, shown: new Float64Array(k), best: new Float64Array(k), worst: new Float64Array(k), rawShown: new Float64Array(k), skippedTasks: 0 };
}

export function addMaxDiffTask(tally: MaxDiffTally, shown: readonly string[], best: string, worst: string, weight = 1): void {
  const idx = [...new Set(shown)].map((s) => tally.items.indexOf(s));
  const b = tally.items.indexOf(best);
  const w = tally.items.indexOf(worst);
  if (idx.some((i) => i < 0) || !idx.includes(b) || !idx.includes(w) || b === w) {
    tally.skippedTasks++;
    return;
  }
  for (const i of idx) {
    tally.shown[i]! += weight;
    tally.rawShown[i]! += 1;
  }
  tally.best[b]! += weight;
  tally.worst[w]! += weight;
}

export interface MaxDiffItemStats {
  item: string;
  /** Unweighted appearances. */
  shown: number;
  /** (best − worst) / shown, −1 … 1; null if never shown. */
  score: number | null;
  best_share: number | null;
  worst_share: number | null;
}

export function maxDiffScores(tally: MaxDiffTally): MaxDiffItemStats[] {
  return tally.items.map((item, i) => {
    const a = tally.shown[i]!;
    return {
      item,
      shown: tally.rawShown[i]!,
      score: a > 0 ? (tally.best[i]! - tally.worst[i]!) / a : null,
      best_share: a > 0 ? tally.best[i]! / a : null,
      worst_share: a > 0 ? tally.worst[i]! / a : null,
    };
  });
}
