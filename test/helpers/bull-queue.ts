/**
 * The focus-group job queue (BullMQ on the test Redis) inside the test
 * process, wired as bootstrap.ts wires it, for startTestServer's
 * `focusGroupQueue`: several test servers on one database and one key prefix
 * are several workers sharing studies, without child processes.
 *
 *   const q = testBullQueue(db, { prefix, instanceId: 'one' });
 *   const s = await startTestServer({ db, instanceId: 'one', focusGroupQueue: q.factory });
 *   …
 *   await s.close(); await q.close();
 */
import { Redis } from 'ioredis';
import type { StudyRunner } from '../../src/focus-groups/runner.js';
import { createBullStudyQueue, type BullStudyQueue, type QueueSettings } from '../../src/focus-groups/queue/bullmq-queue.js';
import { createRespondentLeases } from '../../src/focus-groups/queue/respondent-leases.js';
import { createStudySignals, type StudySignals } from '../../src/focus-groups/queue/redis-signals.js';
import { createStudySlots } from '../../src/focus-groups/queue/study-slots.js';
import { silentLogger } from '../../src/logger.js';
import type { Db } from '../../src/storage/db.js';
import { createFocusGroupsStore } from '../../src/storage/focus-groups-store.js';
import { systemClock } from '../../src/util/ids.js';
import { REDIS_URL } from './redis.js';

export interface TestBullQueue {
  /** For startTestServer({ focusGroupQueue }). */
  factory: (runner: StudyRunner) => BullStudyQueue;
  /** The queue, once the factory made it. */
  readonly queue: BullStudyQueue;
  readonly signals: StudySignals;
  /** Closes the Redis connections (after the server closed the queue). */
  close(): Promise<void>;
}

export function testBullQueue(db: Db, options: { prefix: string; instanceId: string; settings?: Partial<QueueSettings> }): TestBullQueue {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const signals = createStudySignals(redis, { prefix: options.prefix, logger: silentLogger });
  const lockMs = options.settings?.lockMs ?? 2000;
  let queue: BullStudyQueue | undefined;
  return {
    factory(runner) {
      queue = createBullStudyQueue({
        connection,
        prefix: options.prefix,
        runner,
        store: createFocusGroupsStore(db, systemClock),
        signals,
        leases: createRespondentLeases(redis, { prefix: options.prefix, leaseMs: lockMs, owner: options.instanceId }),
        slots: createStudySlots(redis, { prefix: options.prefix, leaseMs: lockMs, owner: options.instanceId }),
        logger: silentLogger,
        instanceId: options.instanceId,
        settings: { worker: true, batch: 1, lockMs, concurrency: 4, ...options.settings },
      });
      return queue;
    },
    get queue() {
      if (!queue) throw new Error('the queue is made by startTestServer');
      return queue;
    },
    signals,
    async close() {
      await signals.close();
      for (const r of [connection, redis]) {
        if (r.status === 'ready') await r.quit().catch(() => {});
        r.disconnect();
      }
    },
  };
}
