/**
 * The per-study concurrency bound across processes: on the job queue, every
 * worker that takes a study's job asks Redis for one of the study's
 * `COHORT_FOCUS_GROUP_CONCURRENCY` slots before it runs a respondent (or a
 * discussion session), so the bound holds for the study however many workers
 * share it — not per process, as each process's own semaphore would give.
 *
 * A slot is a lease of limits/redis.ts's counting semaphore (`<prefix>cc:
 * fg-study:<study>`, a sorted set of leases scored by their expiry in Redis's
 * own clock): held by this process's instance id, renewed every third of
 * `leaseMs` while the respondent runs, released when it ends. A worker that
 * dies — even SIGKILL — stops renewing: its slots lapse after `leaseMs` (the
 * job lock's duration, when BullMQ hands its jobs on too), or at once when a
 * heartbeat finds it dead (`releaseOwners` frees every lease of a dead
 * instance). A job that finds no slot free is delayed briefly and tried again
 * (queue/bullmq-queue.ts), so a worker does not sit on a job it cannot run
 * while other studies' jobs wait.
 */
import type { Redis } from 'ioredis';
import { createRedisConcurrencyLimiter } from '../../limits/redis.js';

export interface StudySlots {
  /** One of the study's `limit` slots (its release), or null when all are taken. Throws when Redis cannot be reached. */
  acquire(studyId: string, limit: number): Promise<(() => Promise<void>) | null>;
}

export function createStudySlots(redis: Redis, options: { prefix: string; leaseMs: number; owner: string; onError?: (err: unknown) => void }): StudySlots {
  const limiter = createRedisConcurrencyLimiter(redis, { prefix: options.prefix, leaseMs: options.leaseMs, owner: options.owner, ...(options.onError ? { onError: options.onError } : {}) });
  return {
    acquire: (studyId, limit) => limiter.acquire(`fg-study:${studyId}`, limit),
  };
}
