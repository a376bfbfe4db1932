/**
 * In-process wake-ups for a study's progress: the runner calls `notify(id)`
 * when it records an answer or ends a study; event streams of this process
 * subscribe so they read the new state at once. Streams also poll the
 * database (another process may run the study), so nothing depends on a
 * notification arriving.
 */
export interface ProgressHub {
  notify(studyId: string): void;
  subscribe(studyId: string, listener: () => void): () => void;
}

export function createProgressHub(): ProgressHub {
  const listeners = new Map<string, Set<() => void>>();
  return {
    notify(studyId) {
      for (const l of listeners.get(studyId) ?? []) l();
    },
    subscribe(studyId, listener) {
      let set = listeners.get(studyId);
      if (!set) listeners.set(studyId, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(studyId);
      };
    },
  };
}
