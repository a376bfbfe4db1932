/**
 * The focus-group job queue (BullMQ on the test Redis, a fresh key prefix)
 * driven from test servers in this process, sharing one database: the
 * faults the child-process tests (queue.test.ts, queue-discussion.test.ts)
 * cannot stage precisely.
 *
 * - A discussion session whose first member was marked completed before a
 *   crash (its other members not) is still enqueued on resubmission, and the
 *   study completes.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, it } from 'node:test';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { QUEUE_NAME } from '../../src/focus-groups/queue/bullmq-queue.js';
import { sampleProfile } from '../../src/focus-groups/sample.js';
import { openDatabase, type Db } from '../../src/storage/db.js';
import { createFocusGroupsStore } from '../../src/storage/focus-groups-store.js';
import { systemClock } from '../../src/util/ids.js';
import { personas, startTestServer } from '../helpers/app.js';
import { testBullQueue } from '../helpers/bull-queue.js';
import { within } from '../helpers/cohort-cluster.js';
import { api, readEvents } from '../helpers/focus-groups.js';
import { REDIS_URL, withRedis } from '../helpers/redis.js';

const PREFIX = `cohort-test:${Date.now().toString(36)}:${randomBytes(4).toString('hex')}:`;

async function finished(fg: ReturnType<typeof api>, id: string, ms = 30_000) {
  const frames = await within(`study ${id} to end`, readEvents(await fg.get(`/focus-groups/${id}/events`)), ms);
  assert.equal(frames.at(-1)!.data, '[DONE]');
  return (await fg.json(fg.get(`/focus-groups/${id}`))).body;
}

withRedis('focus-group queue faults', () => {
  let redis: Redis;
  let bull: Redis;
  let jobs: Queue;
  let db: Db;
  before(async () => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    bull = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    jobs = new Queue(QUEUE_NAME, { connection: bull, prefix: `${PREFIX}bull` });
    db = await openDatabase({ dataDir: ':memory:' });
  });
  after(async () => {
    await jobs.close();
    await bull.quit();
    const keys = await redis.keys(`${PREFIX}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
    await db.destroy();
  });

  it('a discussion session whose first member was completed before a crash is enqueued again, and the study completes', async () => {
    const qa = testBullQueue(db, { prefix: PREFIX, instanceId: 'one', settings: { worker: false } });
    const a = await startTestServer({ db, instanceId: 'one', focusGroupQueue: qa.factory, focusGroupProgress: qa.signals.progress });
    let id = '';
    try {
      const fg = api(a.baseURL, a.testKey);
      const created = await fg.json(
        fg.post('/focus-groups', {
          name: 'Sessions',
          mode: 'discussion',
          session_size: 4,
          personas: [{ persona_id: 'hospital-cfo', respondents: 8 }],
          questions: [{ type: 'yes_no', text: 'Pilot it?' }],
          seed: 3,
        }),
      );
      assert.equal(created.status, 202, JSON.stringify(created.body));
      id = created.body.id as string;
      await qa.queue.flushed();
      const ids = async () => (await jobs.getJobs(['wait', 'delayed', 'prioritized', 'active'])).map((j) => j.id).sort();
      assert.deepEqual(await ids(), [`${id}-0`, `${id}-4`], 'one job per session, at its first member');

      // The crash: session 0's first member completed, the others not; the queue lost the jobs.
      await jobs.obliterate({ force: true });
      const store = createFocusGroupsStore(db, systemClock);
      const persona = personas.find((p) => p.id === 'hospital-cfo')!;
      await store.startRespondent(id, 0, persona.id, sampleProfile(persona, 3, 0));
      await store.completeRespondent(id, 0);
    } finally {
      await a.close();
      await qa.close();
    }

    const qb = testBullQueue(db, { prefix: PREFIX, instanceId: 'two' });
    const b = await startTestServer({ db, instanceId: 'two', focusGroupQueue: qb.factory, focusGroupProgress: qb.signals.progress });
    try {
      assert.deepEqual(await b.app.focusGroups!.recover(['one']), [id]);
      const done = await finished(api(b.baseURL, a.testKey), id);
      assert.equal(done.status, 'completed');
      assert.deepEqual([done.progress.respondents_completed, done.progress.answers_completed], [8, 8]);
    } finally {
      await b.close();
      await qb.close();
    }
  });
});
