/**
 * Study work past one machine: with COHORT_REDIS_URL, a study's respondents
 * become jobs on a BullMQ queue in Redis, consumed by every `cohort worker`
 * process and by `serve` (unless COHORT_FOCUS_GROUP_WORKER=0 /
 * --no-focus-group-worker), so any number of processes share one study.
 *
 * - submit (create, or recovery of a study whose coordinator died): one job
 *   per `batch` respondents not yet completed, id `<study>-<first index>`, so
 *   submitting again adds only what is missing (a discussion: one job per
 *   `batch` indexes holding the first member of a session not completed). The study keeps the
 *   submitting process as owner: if it dies before its jobs are in Redis,
 *   the next heartbeat of any process takes the study and submits again.
 * - a job: takes its respondents' leases (respondent-leases.ts; another
 *   holds one → the job waits and tries again), runs them through the
 *   runner's `work` (the same code as the in-process runner: resume from the
 *   stored answers, each answer checkpointed and charged once in one
 *   transaction), each respondent holding one of its study's slots across
 *   every process (study-slots.ts: COHORT_FOCUS_GROUP_CONCURRENCY per study;
 *   none free → the job is tried again shortly), releases the leases. A worker killed mid-job stops renewing
 *   its lock: BullMQ's stalled-job check puts the job back for another
 *   worker, which resumes its respondents from their last stored answer.
 *   A graceful stop (SIGTERM) aborts the model calls in flight and puts its
 *   jobs back at once. A job failing `attempts` times (a fault, not a failed
 *   answer: those are recorded inside) has its respondents' missing answers
 *   recorded as failed, and the study goes on; when even that cannot be
 *   written (the database is away), the study fails.
 * - cancel/delete: the study ends in the database, then `stop` reaches every
 *   process over Redis (redis-signals.ts) and each aborts its calls for it;
 *   its remaining jobs find it ended and do nothing.
 * - progress: answers are counted in the database (what event streams read),
 *   and each is announced over Redis so the serving process's streams wake.
 */
import { DelayedError, Queue, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../../logger.js';
import type { FocusGroupsStore } from '../../storage/focus-groups-store.js';
import { DEFAULT_SESSION_SIZE, openSessionStarts } from '../discussion/sessions.js';
import type { StudyQueue, StudyRunner } from '../runner.js';
import { isTerminal } from '../study.js';
import type { RespondentLeases } from './respondent-leases.js';
import type { StudySlots } from './study-slots.js';
import type { StudySignals } from './redis-signals.js';

export const QUEUE_NAME = 'focus-groups';

export interface RespondentJob {
  study: string;
  /** Respondents from (inclusive) to (exclusive). */
  from: number;
  to: number;
}

export interface QueueSettings {
  /** Consume jobs in this process (`cohort worker` always; serve unless told not to). */
  worker: boolean;
  /** Respondents per job. */
  batch: number;
  /** How long a job's lock (and its respondents' leases) lasts without renewal: a killed worker's jobs move on after about this. */
  lockMs: number;
  /** Respondents in flight in this process. */
  concurrency: number;
  /** Tries of a job that throws before its respondents are given up on. */
  attempts?: number;
  /** How long a job whose study has no slot free waits before it is tried again (default lockMs / 8, within 100–1,000 ms; ±50% jitter). */
  busyDelayMs?: number;
}

export interface BullStudyQueueDeps {
  /** A connection for BullMQ (maxRetriesPerRequest null; it duplicates it for the worker's blocking reads). */
  connection: Redis;
  /** The Redis key prefix (COHORT_REDIS_PREFIX): BullMQ's keys are `<prefix>bull:focus-groups:…`. */
  prefix: string;
  runner: StudyRunner;
  store: FocusGroupsStore;
  signals: StudySignals;
  leases: RespondentLeases;
  /** The studies' slots across processes (COHORT_FOCUS_GROUP_CONCURRENCY per study). */
  slots: StudySlots;
  logger: Logger;
  /** This process (the owner of the studies it submits; the BullMQ worker's name). */
  instanceId: string;
  settings: QueueSettings;
}

export interface BullStudyQueue extends StudyQueue {
  /** Resolves once what submit started is in Redis (tests, shutdown). */
  flushed(): Promise<void>;
}

const ADD_CHUNK = 500;
/** How long closing waits for BullMQ (its jobs put back, its connections quit). */
const CLOSE_MS = 5000;

export function createBullStudyQueue(deps: BullStudyQueueDeps): BullStudyQueue {
  const { settings, logger } = deps;
  const batch = Math.max(1, settings.batch);
  const attempts = settings.attempts ?? 3;
  const busyDelayMs = settings.busyDelayMs ?? Math.min(1000, Math.max(100, Math.round(settings.lockMs / 8)));
  const prefix = `${deps.prefix}bull`;
  const queue = new Queue<RespondentJob>(QUEUE_NAME, {
    connection: deps.connection,
    prefix,
    defaultJobOptions: { attempts, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: true, removeOnFail: { count: 1000 } },
  });
  let queueErrorLogged = false;
  queue.on('error', (err) => {
    if (!queueErrorLogged) logger.error('focus_groups.queue_error', { err });
    queueErrorLogged = true;
  });
  const submitting = new Set<Promise<void>>();
  let closed = false;

  async function enqueue(id: string): Promise<void> {
    const study = await deps.store.getById(id);
    if (!study || isTerminal(study.status)) return;
    const completed = await deps.store.completedRespondents(id);
    // A discussion's work is its sessions, each run by the job holding its first index: that
    // job is open while any member is not completed (even if the first one is).
    const starts = study.mode === 'discussion' ? openSessionStarts(study.respondentsTotal, study.definition.session_size ?? DEFAULT_SESSION_SIZE, completed) : null;
    const isOpen = (i: number) => (starts ? starts.has(i) : !completed.has(i));
    const jobs: Array<{ name: string; data: RespondentJob; opts: { jobId: string } }> = [];
    for (let from = 0; from < study.respondentsTotal; from += batch) {
      const to = Math.min(study.respondentsTotal, from + batch);
      let open = false;
      for (let i = from; i < to && !open; i++) open = isOpen(i);
      if (open) jobs.push({ name: 'respondents', data: { study: id, from, to }, opts: { jobId: `${id}-${from}` } });
    }
    for (let i = 0; i < jobs.length; i += ADD_CHUNK) await queue.addBulk(jobs.slice(i, i + ADD_CHUNK));
    logger.debug('focus_group.enqueued', { study_id: id, jobs: jobs.length });
  }

  async function run(job: Job<RespondentJob>, token?: string): Promise<string> {
    const { study, from, to } = job.data;
    const indexes = Array.from({ length: to - from }, (_, k) => from + k);
    const again = async (ms: number): Promise<never> => {
      await job.moveToDelayed(Date.now() + ms, token);
      throw new DelayedError();
    };
    const lease = await deps.leases.acquire(study, indexes);
    // Another process works one of these respondents (its job stalled and came back, say): later.
    if (!lease) return again(Math.ceil(settings.lockMs / 2));
    let outcome;
    try {
      outcome = await deps.runner.work(study, indexes, { held: lease.held, slot: () => deps.slots.acquire(study, deps.runner.settings.perStudy) });
    } finally {
      await lease.release();
    }
    if (outcome === 'shutdown') return again(0);
    if (outcome === 'lost') return again(Math.ceil(settings.lockMs / 2));
    // The study's slots are taken by other workers: shortly (jittered, so waiting jobs do not wake together).
    if (outcome === 'busy') return again(Math.ceil(busyDelayMs * (0.5 + Math.random())));
    return outcome;
  }

  let worker: Worker<RespondentJob> | undefined;
  if (settings.worker) {
    worker = new Worker<RespondentJob>(QUEUE_NAME, run, {
      connection: deps.connection,
      prefix,
      name: deps.instanceId,
      concurrency: Math.max(1, Math.floor(settings.concurrency / batch)),
      lockDuration: settings.lockMs,
      stalledInterval: settings.lockMs,
      maxStalledCount: 3,
    });
    let workerErrorLogged = false;
    worker.on('error', (err) => {
      if (!workerErrorLogged) logger.error('focus_groups.worker_error', { err });
      workerErrorLogged = true;
    });
    worker.on('ready', () => (workerErrorLogged = false));
    worker.on('failed', (job, err) => {
      if (!job || err instanceof DelayedError) return;
      const final = err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
      logger.error('focus_group.job_failed', { study_id: job.data.study, from: job.data.from, attempt: job.attemptsMade, final, err });
      if (!final) return;
      // Respondents that cannot be run would keep their study open forever: their missing
      // answers are recorded as failed and the study goes on; if even that cannot be
      // written (the database is away, say), the study fails.
      const { study, from, to } = job.data;
      const indexes = Array.from({ length: to - from }, (_, k) => from + k);
      void deps.runner
        .giveUp(study, indexes, `internal_error: the respondent could not be run (${job.attemptsMade} attempts failed on the server).`)
        .catch(async (cause: unknown) => {
          logger.error('focus_group.give_up_failed', { study_id: study, from, err: cause });
          const ended = await deps.store.finish(study, 'failed', { code: 'internal_error', message: 'The study failed on the server.' });
          if (!ended) return;
          deps.signals.stop(study);
          deps.signals.progress.notify(study);
        })
        .catch((e: unknown) => logger.error('focus_group.fail_failed', { study_id: study, err: e }));
    });
  }
  deps.signals.onStop((id) => deps.runner.stop(id));

  return {
    submit(id) {
      if (closed) return;
      const p: Promise<void> = enqueue(id)
        .catch(async (err: unknown) => {
          logger.error('focus_group.enqueue_failed', { study_id: id, err });
          // Let go: the next heartbeat of any process takes the study and submits it again.
          await deps.store.release(id, deps.instanceId).catch(() => undefined);
        })
        .finally(() => submitting.delete(p));
      submitting.add(p);
    },

    stop(id) {
      deps.signals.stop(id);
    },

    async flushed() {
      await Promise.all([...submitting]);
    },

    async close() {
      closed = true;
      await Promise.all([...submitting]);
      // Abort the respondents in flight: their jobs go back to the queue for another worker.
      await deps.runner.close();
      // BullMQ waits for Redis to close: bounded (not at all while Redis is away), so a server
      // still stops (the locks of jobs it could not put back lapse, and another worker takes them).
      const wait = deps.connection.status === 'ready' ? CLOSE_MS : 0;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const stopped = await Promise.race([
        Promise.all([worker?.close(), queue.close()]).then(
          () => true,
          () => true,
        ),
        new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), wait))),
      ]);
      clearTimeout(timer);
      if (!stopped && wait > 0) logger.warn('focus_groups.queue_close_timeout', { ms: wait });
      await deps.signals.close();
    },
  };
}
