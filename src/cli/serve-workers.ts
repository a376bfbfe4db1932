/**
 * `cohort serve --workers N`: N server processes on one port (node:cluster;
 * the primary accepts connections and hands them to the workers in turn —
 * worker-handoffs.ts for one handed to a worker as it dies), so one machine's
 * cores all serve requests. One Node process runs JavaScript on one core.
 *
 * The primary does what must happen once — migrations, the first start's
 * workspace and test key — then forks the workers and keeps the request
 * limits for all of them (src/limits/ipc.ts) unless Redis does, and sums
 * their metrics for /metrics (src/metrics-cluster.ts). Each worker
 * is a full server on the shared database: group-committed credits
 * (SQLite's write lock or PostgreSQL's row locks keep the balance exact
 * across processes), its own instance record for crash recovery (a worker
 * that dies is restarted under the same index, and the new one recovers what
 * its predecessor left in flight). SIGTERM/SIGINT to the primary drains every
 * worker, each with the shutdown grace period.
 */
import cluster, { type Worker } from 'node:cluster';
import { createRuntime } from '../bootstrap.js';
import type { Config } from '../config.js';
import { createIpcLimits, createLimitsHost, type IpcChannel } from '../limits/ipc.js';
import { createMetrics } from '../metrics.js';
import { createMetricsHost, createWorkerMetrics } from '../metrics-cluster.js';
import { listen } from '../server.js';
import { createAccountsStore } from '../storage/accounts-store.js';
import { closeDatabase, openDatabase } from '../storage/db.js';
import { randomIds, systemClock } from '../util/ids.js';
import type { Io } from './args.js';
import { ensureFirstKey, printBanner } from './banner.js';
import { guardHandoffs } from './worker-handoffs.js';

/** Set in a worker's environment: which worker it is (0…N-1). */
export const WORKER_ENV = 'COHORT_WORKER_INDEX';

/** How long a crashed worker waits before it is started again. */
const RESTART_MS = 1000;

interface Listening {
  cohort: 'listening';
  url: string;
  liveEngine: string;
  liveReason?: string;
  notices?: string[];
}

type Shutdown = (fn: () => Promise<void>) => void;

/** The primary: migrates, creates the first workspace, forks, restarts, drains. Resolves 1 if the workers cannot start. */
export async function servePrimary(config: Config, io: Io, onShutdown: Shutdown): Promise<number> {
  const db = await openDatabase({ dataDir: config.dataDir, ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}) });
  try {
    await ensureFirstKey(createAccountsStore(db, randomIds, systemClock, { keyCacheMs: 0 }), io, config);
  } finally {
    await closeDatabase(db);
  }

  const host = config.redisUrl ? undefined : createLimitsHost();
  const metricsHost = createMetricsHost();
  const workers = new Map<number, Worker>();
  const listening = new Map<number, Listening>();
  let started = false;
  let stopping = false;
  let finish!: (code: number) => void;
  const finished = new Promise<number>((resolve) => (finish = resolve));
  let allExited!: () => void;
  const exited = new Promise<void>((resolve) => (allExited = resolve));

  const stopAll = (): void => {
    if (stopping) return;
    stopping = true;
    for (const w of workers.values()) if (w.isConnected()) w.send({ cohort: 'shutdown' });
    if (workers.size === 0) return allExited();
    // A worker that has not stopped well past its grace period (stuck starting, a hung
    // close) is killed: the primary's own stop is bounded.
    setTimeout(() => {
      for (const w of workers.values()) w.process.kill('SIGKILL');
    }, (config.shutdownGraceSeconds + STOP_SLACK_S) * 1000).unref();
  };

  const fork = (index: number): void => {
    const worker = cluster.fork({ [WORKER_ENV]: String(index) });
    workers.set(index, worker);
    // A connection handed to this worker as it dies goes to another worker, not nowhere.
    guardHandoffs(
      worker,
      () => [...listening.keys()].some((i) => i !== index && workers.get(i)?.isConnected() === true),
      (handedOn, closed) =>
        io.err(`cohort: worker ${index} died before taking ${handedOn + closed} new connection(s): ${handedOn ? 'handed to another worker' : 'closed, no other worker listens'}\n`),
    );
    // Sending to a worker that has just died can fail (EPIPE) before its exit is seen: an
    // 'error' without a listener would end the primary and every other worker with it.
    worker.on('error', (err: Error) => io.err(`cohort: worker ${index}: ${err.message}\n`));
    const detach = host?.attach(worker);
    const detachMetrics = metricsHost.attach(worker);
    worker.on('message', (m: unknown) => {
      if (typeof m !== 'object' || m === null || (m as { cohort?: unknown }).cohort !== 'listening') return;
      // A worker still starting when the stop was sent could not hear it (its process had
      // no listener yet): it is told again now that it listens.
      if (stopping) return void worker.send({ cohort: 'shutdown' });
      listening.set(index, m as Listening);
      if (!started && listening.size === config.workers) {
        started = true;
        const first = listening.get(0) ?? (m as Listening);
        printBanner(io, { url: first.url, host: config.host, dataDir: config.dataDir, workers: config.workers, liveEngine: first.liveEngine, liveReason: first.liveReason }, [
          `Request limits: ${config.redisUrl ? 'in Redis' : 'kept by this primary process for all workers'}.`,
          ...(first.notices ?? []),
        ]);
      }
    });
    worker.on('exit', (code, signal) => {
      detach?.();
      detachMetrics();
      workers.delete(index);
      listening.delete(index);
      if (stopping) {
        if (workers.size === 0) allExited();
        return;
      }
      if (!started) {
        // A worker that cannot start (port taken, bad config) would fail again: give up.
        io.err(`cohort: worker ${index} failed to start (${signal ?? `exit code ${code}`})\n`);
        stopAll();
        void exited.then(() => finish(1));
        return;
      }
      io.err(`cohort: worker ${index} exited (${signal ?? `exit code ${code}`}); starting it again in ${RESTART_MS} ms\n`);
      setTimeout(() => {
        if (!stopping) fork(index);
      }, RESTART_MS).unref();
    });
  };

  for (let i = 0; i < config.workers; i++) fork(i);
  onShutdown(async () => {
    stopAll();
    await exited;
  });
  return finished;
}

/** Seconds past the shutdown grace period after which the primary kills a worker that has not stopped. */
const STOP_SLACK_S = 10;

/** A worker: a full server on the shared port, its limits asked of the primary (or Redis). */
export async function serveWorker(config: Config, index: number, io: Io): Promise<number> {
  const channel = process as unknown as IpcChannel & { send(message: unknown): boolean };
  // The primary says when to stop (it received the signal); a terminal's Ctrl-C reaches
  // every process of the group, so the worker waits for the primary's word rather than
  // acting on its own signal. A primary that is gone (killed) stops its workers too. The
  // word may come while this worker is still starting (restarted just before a SIGTERM):
  // it is kept and acted on once the server listens, not lost.
  let stop: (() => void) | undefined;
  let stopAsked = false;
  const askStop = (): void => {
    stopAsked = true;
    stop?.();
  };
  process.on('message', (m: unknown) => {
    if (typeof m === 'object' && m !== null && (m as { cohort?: unknown }).cohort === 'shutdown') askStop();
  });
  process.on('disconnect', askStop);
  process.on('SIGINT', () => {});
  process.on('SIGTERM', askStop);
  try {
    const limits = config.redisUrl ? undefined : createIpcLimits(channel);
    // /metrics sums every worker's metrics, whichever worker the scrape reaches.
    const metrics = createMetrics();
    const scrape = createWorkerMetrics(channel, () => metrics.snapshot()).scrape;
    const runtime = await createRuntime(config, { worker: index, metrics: { metrics, scrape }, ...(limits ? { limits } : {}) });
    const server = await listen(runtime, { port: config.port, host: config.host });
    // biome-ignore lint/correctness/noUnusedVariables: read by `??=`, which starts the shutdown once
    let stopping: Promise<void> | undefined;
    stop = (): void => {
      stopping ??= server.shutdown(config.shutdownGraceSeconds).then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    if (stopAsked) {
      stop();
      return await new Promise<number>(() => {});
    }
    const message: Listening = { cohort: 'listening', url: server.url, liveEngine: runtime.liveEngine, ...(runtime.liveReason ? { liveReason: runtime.liveReason } : {}), ...(runtime.notices?.length ? { notices: runtime.notices } : {}) };
    channel.send(message);
    return await new Promise<number>(() => {});
  } catch (err) {
    io.err(`cohort: worker ${index}: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
