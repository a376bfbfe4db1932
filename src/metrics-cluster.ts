/**
 * /metrics for a `cohort serve --workers N` server. Connections go to any
 * worker, so a scrape answered from one worker's counters shows a fraction
 * of the traffic, different at each scrape. Instead the worker that receives
 * the scrape asks its primary, which asks every worker for its snapshot over
 * the cluster's IPC channel and sums them (prom-client's aggregator:
 * src/metrics.ts) — the worker that asked included. A worker that does not
 * answer within `timeoutMs` is left out of that scrape; `cohort_workers`
 * says how many were summed. A restarted worker starts its counters at 0,
 * which Prometheus sees as a counter reset.
 *
 * prom-client's own AggregatorRegistry.clusterMetrics() is not used: it runs
 * in the primary (which serves no HTTP here), answers from the global
 * registry, and fails the whole scrape when one worker does not answer.
 */
import type { IpcChannel } from './limits/ipc.js';
import { renderAggregated, type MetricsSnapshot } from './metrics.js';

type Message =
  | { cohort: 'metrics'; op: 'scrape'; id: number }
  | { cohort: 'metrics'; op: 'scraped'; id: number; text?: string; error?: string }
  | { cohort: 'metrics'; op: 'collect'; id: number }
  | { cohort: 'metrics'; op: 'collected'; id: number; snapshot: MetricsSnapshot };

const isMessage = (m: unknown): m is Message => typeof m === 'object' && m !== null && (m as { cohort?: unknown }).cohort === 'metrics';

/**
 * The worker side: answers the primary's requests for this process's
 * snapshot, and returns `scrape()` for /metrics (AppDeps.scrapeMetrics).
 */
export function createWorkerMetrics(channel: IpcChannel, snapshot: () => Promise<MetricsSnapshot>): { scrape(): Promise<string> } {
  let next = 1;
  let gone = false;
  const pending = new Map<number, { resolve(text: string): void; reject(err: Error): void }>();
  channel.on('message', (m) => {
    if (!isMessage(m)) return;
    if (m.op === 'collect') {
      snapshot().then(
        (s) => channel.send({ cohort: 'metrics', op: 'collected', id: m.id, snapshot: s } satisfies Message),
        () => channel.send({ cohort: 'metrics', op: 'collected', id: m.id, snapshot: [] } satisfies Message),
      );
    } else if (m.op === 'scraped') {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.text !== undefined) p?.resolve(m.text);
      else p?.reject(new Error(m.error ?? 'no metrics'));
    }
  });
  channel.on('disconnect', () => {
    gone = true;
    for (const p of pending.values()) p.reject(new Error('the primary process is gone'));
    pending.clear();
  });
  return {
    scrape() {
      if (gone) return Promise.reject(new Error('the primary process is gone'));
      const id = next++;
      return new Promise<string>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        channel.send({ cohort: 'metrics', op: 'scrape', id } satisfies Message);
      });
    },
  };
}

interface WorkerHandle {
  send(message: unknown): unknown;
  on(event: 'message', listener: (message: unknown) => void): unknown;
}

export const DEFAULT_COLLECT_TIMEOUT_MS = 2000;

/** The primary side: `attach` each worker as it is forked; call the returned `detach` when it exits. */
export function createMetricsHost(options: { timeoutMs?: number } = {}): { attach(worker: WorkerHandle): () => void } {
  const timeoutMs = options.timeoutMs ?? DEFAULT_COLLECT_TIMEOUT_MS;
  const workers = new Set<WorkerHandle>();
  let nextCollect = 1;
  /** Collections in progress: the snapshots so far, and who has yet to answer. */
  const collecting = new Map<number, { snapshots: MetricsSnapshot[]; waiting: Set<WorkerHandle>; done(): void }>();

  function collect(): Promise<MetricsSnapshot[]> {
    const id = nextCollect++;
    return new Promise((resolve) => {
      const snapshots: MetricsSnapshot[] = [];
      const waiting = new Set(workers);
      const done = (): void => {
        clearTimeout(timer);
        collecting.delete(id);
        resolve(snapshots);
      };
      const timer = setTimeout(done, timeoutMs);
      collecting.set(id, { snapshots, waiting, done });
      for (const w of waiting) w.send({ cohort: 'metrics', op: 'collect', id } satisfies Message);
      if (waiting.size === 0) done();
    });
  }

  return {
    attach(worker) {
      workers.add(worker);
      worker.on('message', (m) => {
        if (!isMessage(m)) return;
        if (m.op === 'collected') {
          const c = collecting.get(m.id);
          if (!c?.waiting.delete(worker)) return;
          c.snapshots.push(m.snapshot);
          if (c.waiting.size === 0) c.done();
        } else if (m.op === 'scrape') {
          collect()
            .then(async (snapshots) => `${await renderAggregated(snapshots)}\n${workersGauge(snapshots.length)}`)
            .then(
              (text) => worker.send({ cohort: 'metrics', op: 'scraped', id: m.id, text } satisfies Message),
              (err: unknown) => worker.send({ cohort: 'metrics', op: 'scraped', id: m.id, error: err instanceof Error ? err.message : String(err) } satisfies Message),
            );
        }
      });
      return () => {
        workers.delete(worker);
        // A collection waiting for this worker completes without it.
        for (const c of collecting.values()) if (c.waiting.delete(worker) && c.waiting.size === 0) c.done();
      };
    },
  };
}

function workersGauge(n: number): string {
  return `# HELP cohort_workers Worker processes whose metrics this scrape sums.\n# TYPE cohort_workers gauge\ncohort_workers ${n}\n`;
}
