/**
 * The metrics of src/metrics.ts in the Prometheus text format: values
 * escaped, one series per label set whatever the order of the labels, the
 * process's default metrics (event-loop lag, GC, heap) alongside, and
 * several processes' snapshots summed series by series.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMetrics, renderAggregated } from '../../src/metrics.js';
import { parseExposition, sampleValue } from '../helpers/metrics.js';

describe('metrics format', () => {
  it('escapes backslashes, quotes and newlines, and counts one series per label set', async () => {
    const m = createMetrics();
    m.upstreamErrors.inc({ engine: 'openai-chat', code: 'service_unavailable' });
    m.upstreamErrors.inc({ code: 'service_unavailable', engine: 'openai-chat' });
    m.upstreamErrors.inc({ engine: 'a\\b"c\nd', code: 'x' });
    m.latency.observe({ route: '/v1/responses' }, 0.002);
    const text = await m.render();
    assert.match(text, /cohort_upstream_errors_total\{[^}]*engine="a\\\\b\\"c\\nd"[^}]*\} 1$/m);
    const samples = parseExposition(text);
    assert.equal(sampleValue(samples, 'cohort_upstream_errors_total', { code: 'service_unavailable', engine: 'openai-chat' }), 2);
    assert.equal(sampleValue(samples, 'cohort_upstream_errors_total', { code: 'x', engine: 'a\\b"c\nd' }), 1);
    assert.equal(sampleValue(samples, 'cohort_http_request_duration_seconds_bucket', { route: '/v1/responses', le: '0.001' }), 0);
    assert.equal(sampleValue(samples, 'cohort_http_request_duration_seconds_bucket', { route: '/v1/responses', le: '0.005' }), 1);
    assert.equal(sampleValue(samples, 'cohort_http_request_duration_seconds_count', { route: '/v1/responses' }), 1);
  });

  it('carries the process metrics: event-loop lag, GC pauses, heap, memory, CPU', async () => {
    const text = await createMetrics().render();
    for (const name of ['nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_gc_duration_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_heap_space_size_used_bytes', 'process_resident_memory_bytes', 'process_cpu_seconds_total']) {
      assert.match(text, new RegExp(`^# TYPE ${name} `, 'm'), name);
    }
    const heap = sampleValue(parseExposition(text), 'nodejs_heap_size_used_bytes');
    assert.ok(heap !== undefined && heap > 1_000_000, `heap used ${heap}`);
  });

  it('sums several processes’ snapshots series by series, and averages the event-loop lag', async () => {
    const a = createMetrics();
    const b = createMetrics();
    for (let i = 0; i < 3; i++) a.requests.inc({ route: '/v1/responses', method: 'POST', status: '200' });
    for (let i = 0; i < 4; i++) b.requests.inc({ status: '200', method: 'POST', route: '/v1/responses' });
    b.requests.inc({ route: '/v1/responses', method: 'POST', status: '429' });
    a.latency.observe({ route: '/v1/responses' }, 0.003);
    b.latency.observe({ route: '/v1/responses' }, 2);
    const snapshots = [await a.snapshot(), await b.snapshot()];
    const samples = parseExposition(await renderAggregated(snapshots));
    assert.equal(sampleValue(samples, 'cohort_http_requests_total', { route: '/v1/responses', method: 'POST', status: '200' }), 7);
    assert.equal(sampleValue(samples, 'cohort_http_requests_total', { route: '/v1/responses', method: 'POST', status: '429' }), 1);
    assert.equal(sampleValue(samples, 'cohort_http_request_duration_seconds_bucket', { route: '/v1/responses', le: '0.005' }), 1);
    assert.equal(sampleValue(samples, 'cohort_http_request_duration_seconds_bucket', { route: '/v1/responses', le: '+Inf' }), 2);
    assert.equal(sampleValue(samples, 'cohort_http_request_duration_seconds_sum', { route: '/v1/responses' }), 2.003);
    // The two snapshots come from one process here, so the lag's average is that process's lag.
    const lags = snapshots.map((s) => s.find((m) => m.name === 'nodejs_eventloop_lag_seconds')!.values[0]!.value);
    assert.equal(sampleValue(samples, 'nodejs_eventloop_lag_seconds'), (lags[0]! + lags[1]!) / 2);
  });
});
