/**
 * Respondent leases on a real Redis (a fresh key prefix): all or none, one
 * holder at a time, renewed while held, lost when another takes the key,
 * released only by their holder.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, it } from 'node:test';
import { Redis } from 'ioredis';
import { createRespondentLeases } from '../../src/focus-groups/queue/respondent-leases.js';
import { REDIS_URL, withRedis } from '../helpers/redis.js';

const PREFIX = `cohort-test:${Date.now().toString(36)}:${randomBytes(4).toString('hex')}:`;

const until = async (what: string, check: () => boolean | Promise<boolean>, ms: number): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

withRedis('respondent leases', () => {
  let redis: Redis;
  before(() => {
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
  });
  after(async () => {
    const keys = await redis.keys(`${PREFIX}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it('are taken all or none, by one holder at a time, and released by it only', async () => {
    const a = createRespondentLeases(redis, { prefix: PREFIX, leaseMs: 5000, owner: 'inst_a' });
    const b = createRespondentLeases(redis, { prefix: PREFIX, leaseMs: 5000, owner: 'inst_b' });
    const la = await a.acquire('fg_1', [0, 1]);
    assert.ok(la);
    assert.ok(la.held(0) && la.held(1));
    assert.equal(await b.acquire('fg_1', [1, 2]), null, 'one of them is held: none taken');
    assert.equal(await redis.exists(`${PREFIX}fg-lease:fg_1:2`), 0, 'the free one was not taken either');
    const other = await b.acquire('fg_2', [1]);
    assert.ok(other, 'another study’s respondent 1 is another lease');
    await la.release();
    assert.ok(!la.held(0), 'released leases are not held');
    const lb = await b.acquire('fg_1', [1, 2]);
    assert.ok(lb, 'free once released');
    await la.release(); // a second release deletes nothing of b's
    assert.match((await redis.get(`${PREFIX}fg-lease:fg_1:1`)) ?? '', /^inst_b:/);
    await lb.release();
    await other.release();
    assert.deepEqual(await redis.keys(`${PREFIX}fg-lease:*`), []);
  });

  it('are renewed while held, and lost when another takes one', async () => {
    const leases = createRespondentLeases(redis, { prefix: PREFIX, leaseMs: 300, owner: 'inst_a' });
    const lease = await leases.acquire('fg_3', [4, 5]);
    assert.ok(lease);
    // Three lease lengths later it is still there: renewed every 100 ms.
    const start = Date.now();
    await until('three lease lengths', () => Date.now() - start > 900, 2000);
    assert.ok(lease.held(4) && lease.held(5));
    assert.ok((await redis.pttl(`${PREFIX}fg-lease:fg_3:4`)) > 0);
    // Another holder took respondent 5 (its lease had lapsed, say): lost at the next renewal.
    await redis.set(`${PREFIX}fg-lease:fg_3:5`, 'inst_b:x', 'PX', 5000);
    await until('respondent 5 lost', () => !lease.held(5), 1000);
    assert.ok(lease.held(4), 'respondent 4 is still held');
    await lease.release();
    assert.equal(await redis.get(`${PREFIX}fg-lease:fg_3:5`), 'inst_b:x', 'release leaves the other holder’s lease');
    assert.equal(await redis.exists(`${PREFIX}fg-lease:fg_3:4`), 0);
  });
});
