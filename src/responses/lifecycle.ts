/**
 * The one lifecycle of an admitted job, whichever way it was asked for
 * (background, a foreground stream, a plain JSON request, a Chat Completions
 * adapter): the run is registered (GET, cancel and replay see it), its
 * readers attach before it starts, it runs, it is stored, and its concurrency
 * slot is freed once it is stored and its body delivered.
 */
import type { Logger } from '../logger.js';
import type { Job } from './admission.js';
import type { Persistence } from './persistence.js';
import { ResponseRun, type RunRegistry } from './run.js';
import { ResponseTranslator } from './translator.js';

export interface LaunchOptions {
  /** Keep every event for replay and start after this turn of the loop; no client holds the run. */
  background: boolean;
  /** Aborting it aborts the run (the client went away). */
  signal?: AbortSignal;
  /**
   * False when nothing reads the events before the end (a non-streaming
   * request): the backend may fetch the whole answer at once
   * (ProviderRequest.incremental).
   */
  incremental: boolean;
  /**
   * Subscribes the run's readers before it starts; returns what settles when
   * their body is delivered or its reader gone — the slot is held until then.
   */
  attach?: (run: ResponseRun) => Promise<void> | undefined;
}

export interface Launched {
  run: ResponseRun;
  /** Settles once the run is stored (or storing failed) and, without a body to deliver, its slot freed. */
  finished: Promise<void>;
  /** Why storing the finished response failed, once `finished` settled. */
  readonly persistError: unknown;
}

export function createLifecycle(deps: { runs: RunRegistry; persistence: Persistence; logger: Logger }) {
  const { runs, persistence } = deps;

  /** Frees the job's concurrency slot once `delivered` settles: a client that does not read keeps the slot it occupies. */
  async function releaseAfter(job: Job, delivered: Promise<void> | undefined): Promise<void> {
    if (delivered) await delivered;
    await job.release?.().catch((err: unknown) => deps.logger.warn('concurrency.release_failed', { err }));
  }

  return {
    launch(job: Job, options: LaunchOptions): Launched {
      const run = new ResponseRun(new ResponseTranslator(job.response, job.translator), options.background);
      const id = job.response.id;
      const { signal } = options;
      let resolveFinished!: () => void;
      const finished = new Promise<void>((r) => (resolveFinished = r));
      const outcome: { persistError?: unknown } = {};
      runs.add(id, { run, workspaceId: job.caller.workspaceId, persisted: finished });
      const delivered = options.attach?.(run);
      const onAbort = () => run.abort('client_disconnected');
      const request = options.incremental ? job.request : { ...job.request, incremental: false };
      const start = () => {
        if (signal?.aborted) run.abort('client_disconnected');
        signal?.addEventListener('abort', onAbort, { once: true });
        void run
          .execute(job.provider, request, job.hooks)
          .then(() => persistence.persist(job, run))
          .catch((err: unknown) => {
            outcome.persistError = err;
          })
          .finally(async () => {
            signal?.removeEventListener('abort', onAbort);
            runs.delete(id, run);
            // A JSON answer is sent after this: its slot is free before the client can ask again.
            if (!delivered) await releaseAfter(job, undefined);
            resolveFinished();
            if (delivered) void releaseAfter(job, delivered);
          });
      };
      // A background response is answered (queued) before its run starts.
      if (options.background) setImmediate(start);
      else start();
      return {
        run,
        finished,
        get persistError() {
          return outcome.persistError;
        },
      };
    },
  };
}

export type Lifecycle = ReturnType<typeof createLifecycle>;
