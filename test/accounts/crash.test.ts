/**
 * A server killed with SIGKILL mid-request: on restart the response in flight
 * is marked failed, its credit hold is released, nothing is charged twice and
 * nothing is lost. And SIGTERM lets an in-flight stream finish.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { tempDir, freePort } from '../helpers/app.js';
import { startMockChatUpstream } from '../helpers/mock-chat-upstream.js';

const BIN = path.resolve('bin/cohort.js');
const dirs: string[] = [];
after(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

async function serve(dir: string, port: number, upstreamUrl: string): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--host', '127.0.0.1', '--data-dir', dir], {
    env: { ...process.env, COHORT_UPSTREAM_URL: upstreamUrl, COHORT_UPSTREAM_MODEL: 'm', COHORT_SHUTDOWN_GRACE_SECONDS: '5' },
  });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  for (let i = 0; i < 200 && !out.includes('listening on'); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(out.includes('listening on'), out);
  return { child, url: `http://127.0.0.1:${port}`, exited };
}

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
