/**
 * /metrics under `cohort serve --workers 2`, for real: connections reach
 * either worker, and every scrape — whichever worker answers it — sums both
 * workers' metrics (src/metrics-cluster.ts), with the process metrics
 * (event-loop lag, GC, heap) alongside. Before, each scrape showed the one
 * worker that answered it: about half the requests. (dist/ is built by `npm test`.)
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { cohortJson } from '../helpers/cli.js';
import { tempDir } from '../helpers/app.js';
import { type CohortServer, startCohortServer } from '../helpers/cohort-process.js';
import { parseExposition, sampleValue } from '../helpers/metrics.js';

describe('cohort serve --workers 2: /metrics', () => {
  const dir = tempDir('cohort-workers-metrics-');
  const env = { ...process.env, COHORT_LOG_LEVEL: 'warn', COHORT_SHUTDOWN_GRACE_SECONDS: '1', COHORT_DATABASE_URL: '', COHORT_REDIS_URL: '', COHORT_UPSTREAM_URL: '', COHORT_MODEL_PATH: '' };
  let child: ChildProcess;
  let exited: Promise<number | null>;
  let url = '';
  let server: CohortServer;

  before(async () => {
    server = await startCohortServer({ dataDir: dir, env, args: ['--workers', '2'], ms: 60_000 });
    ({ child, exited, url } = server);
  });

  after(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  // A new connection each: the primary hands connections to the workers in turn.
  const get = (p: string) => fetch(`${url}${p}`, { headers: { connection: 'close' } });

  it('after 20 requests spread over both workers, every scrape says 20', async () => {
    const { key } = await cohortJson<{ key: string }>(['keys', 'create', '--workspace', 'm', '--create-workspace', '--plan', 'pro', '--test', '--json', '--data-dir', dir], env);
    const served = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const res = await fetch(`${url}/v1/responses`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', connection: 'close' },
        body: JSON.stringify({ model: 'mavera-1', input: `question ${i}` }),
      });
      assert.equal(res.status, 200);
      await res.arrayBuffer();
      served.add(res.headers.get('x-request-id')!.slice(0, 10)); // req_<process prefix>…
    }
    assert.equal(served.size, 2, 'both workers served requests');
    for (let scrape = 0; scrape < 6; scrape++) {
      const res = await get('/metrics');
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type')!, /^text\/plain; version=0\.0\.4/);
      const text = await res.text();
      const samples = parseExposition(text);
      assert.equal(sampleValue(samples, 'cohort_http_requests_total', { route: '/v1/responses', method: 'POST', status: '200' }), 20, `scrape ${scrape}`);
      assert.equal(sampleValue(samples, 'cohort_responses_total', { engine: 'sandbox', status: 'completed' }), 20, `scrape ${scrape}`);
      assert.equal(sampleValue(samples, 'cohort_http_request_duration_seconds_count', { route: '/v1/responses' }), 20);
      assert.equal(sampleValue(samples, 'cohort_workers'), 2);
      // The process metrics of both workers: heap summed, event-loop lag averaged.
      assert.ok(sampleValue(samples, 'nodejs_heap_size_used_bytes')! > 2_000_000);
      assert.ok(sampleValue(samples, 'nodejs_eventloop_lag_seconds')! >= 0);
      assert.match(text, /^# TYPE nodejs_gc_duration_seconds histogram$/m);
    }
  });

  it('SIGTERM still stops the server cleanly', async () => {
    child.kill('SIGTERM');
    assert.equal(await exited, 0, server.output());
  });
});
