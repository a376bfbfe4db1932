/** /metrics, /ready, /health and the structured access log (no keys or prompts at info level). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/logger.js';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { parseExposition, sampleValue } from '../helpers/metrics.js';

const lines: string[] = [];
let s: TestServer;
before(async () => {
  s = await startTestServer({ logger: createLogger({ level: 'info', write: (l) => lines.push(l) }) });
});
after(() => s.close());

describe('operability', () => {
  it('exposes Prometheus metrics by route, engine and status', async () => {
    const secret = 'my confidential product launch plan';
    const res = await fetch(`${s.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${s.testKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'mavera-1', input: secret, persona_id: 'hospital-cfo' }),
    });
    assert.equal(res.status, 200);
    await fetch(`${s.url}/v1/responses`, { method: 'POST', headers: { authorization: 'Bearer mvra_test_wrong' } });
    const text = await (await fetch(`${s.url}/metrics`)).text();
    assert.match(text, /# TYPE cohort_http_requests_total counter/);
    const samples = parseExposition(text);
    assert.equal(sampleValue(samples, 'cohort_http_requests_total', { method: 'POST', route: '/v1/responses', status: '200' }), 1);
    assert.equal(sampleValue(samples, 'cohort_http_requests_total', { method: 'POST', route: '/v1/*', status: '401' }), 1, 'auth failures are counted before routing');
    assert.equal(sampleValue(samples, 'cohort_http_request_duration_seconds_bucket', { route: '/v1/responses', le: '+Inf' }), 1);
    assert.equal(sampleValue(samples, 'cohort_responses_total', { engine: 'sandbox', status: 'completed' }), 1);
    assert.ok(sampleValue(samples, 'cohort_tokens_total', { direction: 'output', engine: 'sandbox' })! >= 1);
    assert.match(text, /^# TYPE nodejs_eventloop_lag_seconds gauge$/m, 'with the process metrics');
    const log = lines.join('\n');
    assert.ok(log.includes('"msg":"http.request"'));
    assert.ok(!log.includes(secret), 'no prompt text in info logs');
    assert.ok(!log.includes(s.testKey) && !log.includes('mvra_test_wrong'), 'no keys in logs');
    for (const l of lines) JSON.parse(l);
  });

  it('answers /health and /ready', async () => {
    assert.deepEqual(await (await fetch(`${s.url}/health`)).json(), { status: 'ok' });
    assert.deepEqual(await (await fetch(`${s.url}/ready`)).json(), { status: 'ready' });
  });
});
