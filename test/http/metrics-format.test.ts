/** The Prometheus text format of src/metrics.ts: labels sorted by name, values escaped. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createMetrics } from '../../src/metrics.js';

describe('metrics format', () => {
  it('sorts labels by name, escapes backslashes, quotes and newlines, and counts one series per label set', () => {
    const m = createMetrics();
    m.upstreamErrors.inc({ engine: 'openai-chat', code: 'service_unavailable' });
    m.upstreamErrors.inc({ code: 'service_unavailable', engine: 'openai-chat' });
    m.upstreamErrors.inc({ engine: 'a\\b"c\nd', code: 'x' });
    m.latency.observe({}, 0.002);
    const text = m.render();
    assert.match(text, /^cohort_upstream_errors_total\{code="service_unavailable",engine="openai-chat"\} 2$/m);
    assert.match(text, /^cohort_upstream_errors_total\{code="x",engine="a\\\\b\\"c\\nd"\} 1$/m);
    assert.match(text, /^cohort_http_request_duration_seconds_bucket\{le="0\.005"\} 1$/m);
    assert.match(text, /^cohort_http_request_duration_seconds_count 1$/m);
  });
});
