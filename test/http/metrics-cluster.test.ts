/**
 * The primary's side of /metrics under --workers (src/metrics-cluster.ts),
 * over in-memory channels shaped like node:cluster's (the real processes are
 * in test/cli/workers-metrics.test.ts): a scrape sums every worker's
 * snapshot; a worker that does not answer is left out after the timeout and
 * one that exits is not waited for; cohort_workers says how many were summed.
 */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { createMetrics } from '../../src/metrics.js';
import { createMetricsHost, createWorkerMetrics } from '../../src/metrics-cluster.js';
import { parseExposition, sampleValue } from '../helpers/metrics.js';

/** One worker joined to the host; `mute` stops it answering. */
function join(host: ReturnType<typeof createMetricsHost>, requests: number) {
  const toWorker = new EventEmitter();
  const toPrimary = new EventEmitter();
  let muted = false;
  const channel = {
    send: (m: unknown) => void setImmediate(() => toPrimary.emit('message', structuredClone(m))),
    on: (event: 'message' | 'disconnect', listener: (...args: any[]) => void) => toWorker.on(event, listener),
  };
  const detach = host.attach({
    send: (m: unknown) => void setImmediate(() => !muted && toWorker.emit('message', structuredClone(m))),
    on: (event: 'message', listener: (m: unknown) => void) => toPrimary.on(event, listener),
  });
  const metrics = createMetrics();
  for (let i = 0; i < requests; i++) metrics.requests.inc({ route: '/v1/responses', method: 'POST', status: '200' });
  const { scrape } = createWorkerMetrics(channel, () => metrics.snapshot());
  return { scrape, detach, mute: () => (muted = true) };
}

const total = (text: string) => sampleValue(parseExposition(text), 'cohort_http_requests_total', { route: '/v1/responses', method: 'POST', status: '200' });
const workers = (text: string) => sampleValue(parseExposition(text), 'cohort_workers');

describe('metrics of several workers', () => {
  it('a scrape on any worker sums them all', async () => {
    const host = createMetricsHost();
    const a = join(host, 3);
    const b = join(host, 4);
    for (const w of [a, b]) {
      const text = await w.scrape();
      assert.equal(total(text), 7);
      assert.equal(workers(text), 2);
    }
  });

  it('a worker that does not answer is left out after the timeout; one that exits is not waited for', async () => {
    const host = createMetricsHost({ timeoutMs: 100 });
    const a = join(host, 3);
    const b = join(host, 4);
    const c = join(host, 5);
    b.mute();
    let text = await a.scrape();
    assert.equal(total(text), 8);
    assert.equal(workers(text), 2);
    // c exits while a scrape waits for it: the scrape ends without it, before the timeout.
    const host2 = createMetricsHost({ timeoutMs: 60_000 });
    const d = join(host2, 1);
    const e = join(host2, 2);
    e.mute();
    const pending = d.scrape();
    setImmediate(() => e.detach());
    text = await pending;
    assert.equal(total(text), 1);
    assert.equal(workers(text), 1);
    c.detach();
  });
});
