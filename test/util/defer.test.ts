/** deferGathered: a microtask while the loop has idle time, the end of the loop's turn while it is saturated. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { deferGathered, loopSaturated } from '../../src/util/defer.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it('runs gathered work in a microtask while the loop is idle, at the end of the turn while it is saturated', async () => {
  deferGathered(() => {}); // starts sampling
  await sleep(250);
  assert.equal(loopSaturated(), false);
  let ran = false;
  deferGathered(() => (ran = true));
  assert.equal(ran, false, 'not synchronously');
  await Promise.resolve();
  assert.equal(ran, true, 'in a microtask');

  // Keep the loop busy (50 ms slices, the sampler runs between them).
  const end = Date.now() + 500;
  while (Date.now() < end) {
    const slice = Date.now() + 50;
    while (Date.now() < slice);
    await new Promise((r) => setImmediate(r));
  }
  assert.equal(loopSaturated(), true);
  let later = false;
  deferGathered(() => (later = true));
  await Promise.resolve();
  await Promise.resolve();
  assert.equal(later, false, 'not in a microtask');
  await new Promise((r) => setImmediate(r));
  assert.equal(later, true, 'at the end of the turn');

  await sleep(300);
  assert.equal(loopSaturated(), false, 'idle again');
});
