/**
 * The limits a --workers primary keeps for its workers (src/limits/ipc.ts),
 * over in-memory channels shaped like node:cluster's (the real processes are
 * in test/cli/workers.test.ts): one limit for every worker, and the slots of
 * a worker that dies come back — also one granted while it was dying.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { createIpcLimits, createLimitsHost } from '../../src/limits/ipc.js';

/** A worker's process and the primary's view of it, joined like cluster IPC (messages arrive asynchronously). */
function pair() {
  const toWorker = new EventEmitter();
  const toPrimary = new EventEmitter();
  const channel = {
    send: (m: unknown) => void setImmediate(() => toPrimary.emit('message', structuredClone(m))),
    on: (event: 'message' | 'disconnect', listener: (...args: any[]) => void) => toWorker.on(event, listener),
  };
  const worker = {
    send: (m: unknown) => void setImmediate(() => toWorker.emit('message', structuredClone(m))),
    on: (event: 'message', listener: (m: unknown) => void) => toPrimary.on(event, listener),
  };
  return { channel, worker, toPrimary, die: () => toWorker.emit('disconnect') };
}

describe('limits kept by the primary', () => {
  it('one concurrency limit for every worker; a release frees one slot', async () => {
    const host = createLimitsHost();
    const a = pair();
    const b = pair();
    host.attach(a.worker);
    host.attach(b.worker);
    const la = createIpcLimits(a.channel).concurrency;
    const lb = createIpcLimits(b.channel).concurrency;
    const got = await Promise.all([la.acquire('w', 3), lb.acquire('w', 3), la.acquire('w', 3), lb.acquire('w', 3)]);
    assert.equal(got.filter(Boolean).length, 3);
    await got.find(Boolean)!();
    assert.ok(await lb.acquire('w', 3), 'the released slot is free');
  });

  it('a worker that exits gives back its slots', async () => {
    const host = createLimitsHost();
    const a = pair();
    const b = pair();
    const detachA = host.attach(a.worker);
    host.attach(b.worker);
    const la = createIpcLimits(a.channel).concurrency;
    const lb = createIpcLimits(b.channel).concurrency;
    assert.ok(await la.acquire('w', 2));
    assert.ok(await la.acquire('w', 2));
    assert.equal(await lb.acquire('w', 2), null);
    a.die();
    detachA();
    assert.ok(await lb.acquire('w', 2));
    assert.ok(await lb.acquire('w', 2));
  });

  it('a slot granted after its worker exited (the question was in flight) is given back at once', async () => {
    const host = createLimitsHost();
    const a = pair();
    const b = pair();
    const detachA = host.attach(a.worker);
    host.attach(b.worker);
    // The worker's question reaches the primary, then the worker exits before the answer is computed.
    a.toPrimary.emit('message', { cohort: 'limits', id: 1, op: 'acquire', key: 'w', limit: 1 });
    detachA();
    await new Promise((r) => setImmediate(r));
    const lb = createIpcLimits(b.channel).concurrency;
    assert.ok(await lb.acquire('w', 1), 'the only slot is free');
  });
});
