/**
 * A server killed with SIGKILL mid-request: on restart the response in flight
 * is marked failed, its credit hold is released, nothing is charged twice and
 * nothing is lost. And SIGTERM lets an in-flight stream finish.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { after, describe, it } from 'node:test';
import { tempDir, freePort } from '../helpers/app.js';
import { BIN, type CohortProcess, killAll, startCohortServer } from '../helpers/cohort-process.js';
import { startMockChatUpstream } from '../helpers/mock-chat-upstream.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const children: CohortProcess[] = [];
after(() => killAll(children));

const serve = (dir: string, port: number, upstreamUrl: string) =>
  startCohortServer({ dataDir: dir, port, env: { ...process.env, COHORT_UPSTREAM_URL: upstreamUrl, COHORT_UPSTREAM_MODEL: 'm', COHORT_SHUTDOWN_GRACE_SECONDS: '5' }, into: children });

function liveKey(dir: string): string {
  const r = spawnSync(process.execPath, [BIN, 'keys', 'create', '--workspace', 'crash', '--create-workspace', '--plan', 'pro', '--json', '--data-dir', dir], { encoding: 'utf8' });
  return JSON.parse(r.stdout).key;
}

describe('process failures', () => {
  it('SIGKILL mid-request: failed on restart, hold released, not charged', async () => {
    const dir = tempDir('cohort-crash-');
    dirs.push(dir);
    const upstream = await startMockChatUpstream();
    const port = await freePort();
    try {
      const key = liveKey(dir);
      let server = await serve(dir, port, upstream.url);
      const auth = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
      const before = (await (await fetch(`${server.url}/v1/credits`, { headers: auth })).json()) as any;
      upstream.enqueue({ type: 'stream', content: ['thinking '], hang: true });
      const res = await fetch(`${server.url}/v1/responses`, { method: 'POST', headers: auth, body: JSON.stringify({ model: 'mavera-1', input: 'hi', stream: true }) });
      const reader = res.body!.getReader();
      let seen = '';
      while (!seen.includes('output_text.delta')) seen += new TextDecoder().decode((await reader.read()).value);
      const id = /"id":"(resp_[0-9a-f]+)"/.exec(seen)![1]!;
      const during = (await (await fetch(`${server.url}/v1/credits`, { headers: auth })).json()) as any;
      assert.ok(during.held > 0, 'credits are held while the response runs');
      server.child.kill('SIGKILL');
      await server.exited;
      await reader.cancel().catch(() => {});

      server = await serve(dir, port, upstream.url);
      const stored = (await (await fetch(`${server.url}/v1/responses/${id}`, { headers: auth })).json()) as any;
      assert.equal(stored.status, 'failed');
      assert.equal(stored.usage.credits_used, 0);
      const afterCrash = (await (await fetch(`${server.url}/v1/credits`, { headers: auth })).json()) as any;
      assert.equal(afterCrash.held, 0, 'the hold is released');
      assert.equal(afterCrash.balance, before.balance, 'nothing charged');

      // A normal request still works and is charged once.
      upstream.enqueue({ type: 'stream', content: ['fine'] });
      const ok = (await (await fetch(`${server.url}/v1/responses`, { method: 'POST', headers: auth, body: JSON.stringify({ model: 'mavera-1', input: 'hi' }) })).json()) as any;
      assert.equal(ok.status, 'completed');
      const end = (await (await fetch(`${server.url}/v1/credits`, { headers: auth })).json()) as any;
      assert.equal(before.balance - end.balance, ok.usage.credits_used);

      // SIGTERM: an in-flight stream finishes within the grace period.
      upstream.enqueue({ type: 'stream', content: ['a ', 'slow ', 'answer'], delayMs: 150 } as any);
      const slow = fetch(`${server.url}/v1/responses`, { method: 'POST', headers: auth, body: JSON.stringify({ model: 'mavera-1', input: 'hi', stream: true }) });
      await upstream.waitForRequest(upstream.requests.length);
      server.child.kill('SIGTERM');
      const text = await (await slow).text();
      assert.match(text, /event: response\.completed/);
      assert.ok(text.endsWith('data: [DONE]\n\n'));
      assert.equal(await server.exited, 0);
    } finally {
      await upstream.close();
    }
  });
});
