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

/** A task as item indexes. */
export interface PreparedMaxDiffTask {
  shown: Int32Array;
  best: number;
  worst: number;
}

/** The task as item indexes, or null when it names an unknown item, best or worst was not shown, or best = worst. */
export function prepareMaxDiffTask(shown: readonly string[], best: string, worst: string, index: ReadonlyMap<string, number>): PreparedMaxDiffTask | null {
  if (!Array.isArray(shown)) return null;
  // The distinct items in the order shown (a task shows a handful: a scan beats a Set).
  const idx = new Int32Array(shown.length);
  let count = 0;
  for (const s of shown) {
    const i = index.get(s);
    if (i === undefined) return null;
    if (!includes(idx, count, i)) idx[count++] = i;
  }
  const b = index.get(best);
  const w = index.get(worst);
  if (b === undefined || w === undefined || b === w || !includes(idx, count, b) || !includes(idx, count, w)) return null;
  return { shown: count === idx.length ? idx : idx.slice(0, count), best: b, worst: w };
}

function includes(xs: Int32Array, count: number, x: number): boolean {
  for (let j = 0; j < count; j++) if (xs[j] === x) return true;
  return false;
}

export function addMaxDiffTask(tally: MaxDiffTally, task: PreparedMaxDiffTask, weight = 1): void {
  for (const i of task.shown) {
    tally.shown[i]! += weight;
    tally.rawShown[i]! += 1;
  }
  tally.best[task.best]! += weight;
  tally.worst[task.worst]! += weight;
}

/** Prepares and adds a task by item names; an invalid one is counted in skippedTasks. */
export function addMaxDiffAnswer(tally: MaxDiffTally, shown: readonly string[], best: string, worst: string, weight = 1): void {
  const task = prepareMaxDiffTask(shown, best, worst, new Map(tally.items.map((item, i) => [item, i])));
  if (task) addMaxDiffTask(tally, task, weight);
  else tally.skippedTasks++;
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
