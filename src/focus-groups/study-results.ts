/**
 * The results of a study, computed as rarely as possible. While a study runs, every read
 * computes them (its answers change). Once it has ended its answers never change again, so
 * its document is computed once and stored (table focus_group_results), per variant — the
 * results format and the segment attributes — and any server reads it from there; a process
 * keeps the most recently read documents in memory too (./results-cache.ts), a computation
 * in flight shared by the requests that wait for it.
 *
 * When a study completes, the process that completed it computes the default variant
 * (persona segments) right away, in the background, so the first `GET …/results` does not
 * wait for the computation (10,000 × 20 answers: about a second).
 *
 * The format is the package version plus RESULTS_REVISION: a stored document of another
 * format is recomputed (and the old ones deleted) — bump RESULTS_REVISION when a change
 * alters the document between releases.
 */
import type { Logger } from '../logger.js';
import type { FocusGroupsStore } from '../storage/focus-groups-store.js';
import { packageVersion } from '../util/package-info.js';
import { createResultsCache, resultsCacheKey } from './results-cache.js';
import { computeResults, type ResultsDocument } from './results.js';
import { isTerminal, type StudyRecord } from './study.js';

/** Bumped when the results document changes without a new package version. */
export const RESULTS_REVISION = 1;
/** Stored variants per study at most (each segment_by combination is one). */
export const MAX_STORED_VARIANTS = 8;
/** The variant computed when a study completes. */
export const DEFAULT_SEGMENT_BY: readonly string[] = ['persona'];

export interface StudyResultsDeps {
  store: FocusGroupsStore;
  logger: Logger;
  /** The results format (default: package version + RESULTS_REVISION). */
  format?: string;
  /** Documents kept in memory (default 16). */
  cacheSize?: number;
}

export interface StudyResults {
  /** The results document of `study` segmented by `segmentBy` (persona first). */
  get(study: StudyRecord, segmentBy: readonly string[]): Promise<ResultsDocument>;
  /**
   * Computes and stores the default variant of a study that has just ended (its record as
   * finish returned it); errors are logged. A read arriving meanwhile waits for this one.
   */
  precompute(study: StudyRecord): Promise<void>;
  /** Forgets a deleted study's documents in this process (the store deletes its rows). */
  drop(studyId: string): void;
}

export function createStudyResults(deps: StudyResultsDeps): StudyResults {
  const format = deps.format ?? `${packageVersion()}+${RESULTS_REVISION}`;
  const cache = createResultsCache<ResultsDocument>(deps.cacheSize);

  async function storedOrComputed(study: StudyRecord, segmentBy: readonly string[]): Promise<ResultsDocument> {
    const key = segmentBy.join(',');
    const stored = await deps.store.storedResults(study.id, `${format}|${key}`);
    if (stored !== undefined) return JSON.parse(stored) as ResultsDocument;
    const doc = await computeResults(deps.store, study, { segmentBy });
    await deps.store.storeResults(study.id, { format, key }, JSON.stringify(doc), MAX_STORED_VARIANTS);
    return doc;
  }

  function get(study: StudyRecord, segmentBy: readonly string[]): Promise<ResultsDocument> {
    if (!isTerminal(study.status)) return computeResults(deps.store, study, { segmentBy });
    return cache.get(resultsCacheKey(study.id, segmentBy), () => storedOrComputed(study, segmentBy));
  }

  return {
    get,
    async precompute(study) {
      try {
        await get(study, DEFAULT_SEGMENT_BY);
      } catch (err) {
        deps.logger.warn('focus group results could not be precomputed; the first read computes them', { focus_group_id: study.id, error: err });
      }
    },
    drop: (studyId) => cache.drop(studyId),
  };
}
