/**
 * The computed results of studies that have ended (completed, cancelled, failed): their
 * answers never change again (an answer arriving after a study stopped is refused), so a
 * results document computed once stays right. Least recently used first out, at most
 * `capacity` documents; a computation in flight is shared by the requests asking for it.
 * Per process; a deleted study is dropped.
 */
export interface ResultsCache<T> {
  /** The cached value of `key`, or `compute()`'s (cached when it resolves). */
  get(key: string, compute: () => Promise<T>): Promise<T>;
  /** Drops every entry of a study (keys start with `${studyId}|`). */
  drop(studyId: string): void;
  readonly size: number;
}

export function createResultsCache<T>(capacity = 16): ResultsCache<T> {
  const entries = new Map<string, Promise<T>>();
  return {
    get(key, compute) {
      const hit = entries.get(key);
      if (hit) {
        entries.delete(key);
        entries.set(key, hit);
        return hit;
      }
      const pending = compute();
      entries.set(key, pending);
      pending.catch(() => {
        if (entries.get(key) === pending) entries.delete(key);
      });
      while (entries.size > capacity) entries.delete(entries.keys().next().value!);
      return pending;
    },
    drop(studyId) {
      for (const key of [...entries.keys()]) if (key.startsWith(`${studyId}|`)) entries.delete(key);
    },
    get size() {
      return entries.size;
    },
  };
}

export const resultsCacheKey = (studyId: string, segmentBy: readonly string[], replicates?: number) => `${studyId}|${segmentBy.join(',')}|${replicates ?? ''}`;
