/**
 * Several servers on one database without Redis each enforce the whole plan
 * (limits live in each process): the one that starts second says so in its
 * banner and log at start, the first logs it on its next heartbeat. Real
 * `cohort serve` processes on one SQLite file. (dist/ is built by `npm test`.)
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { until } from '../helpers/wait.js';
import { cohortJson } from '../helpers/cli.js';
import { freePort, tempDir } from '../helpers/app.js';

const BIN = path.resolve('bin/cohort.js');


describe('servers sharing a database without Redis', () => {
  const dir = tempDir('cohort-shared-');
  const children: Array<{ child: ChildProcess; exited: Promise<unknown> }> = [];
  const env = { ...process.env, COHORT_REDIS_URL: '', COHORT_DATABASE_URL: '', COHORT_UPSTREAM_URL: '', COHORT_MODEL_PATH: '', COHORT_LOG_LEVEL: 'warn', COHORT_HEARTBEAT_MS: '1000', COHORT_SHUTDOWN_GRACE_SECONDS: '0' };

  async function serve(): Promise<{ port: number; out: () => string; child: ChildProcess }> {
    const port = await freePort();
    const child = spawn(process.execPath, [BIN, 'serve', '--port', String(port), '--host', '127.0.0.1', '--data-dir', dir], { env });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
    children.push({ child, exited: new Promise((r) => child.on('exit', r)) });
    await until('the banner', () => out.includes('listening on') || child.exitCode !== null, 30_000);
    assert.ok(out.includes('listening on'), out);
    return { port, out: () => out, child };
  }

  after(async () => {
    for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
    await Promise.all(children.map((c) => c.exited));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the second server warns at start (banner and log); the first logs it at its next heartbeat', async () => {
    // Migrate and create the first workspace before two servers start on the file.
    await cohortJson(['keys', 'create', '--workspace', 'w', '--create-workspace', '--test', '--json', '--data-dir', dir], env);
    const first = await serve();
    assert.doesNotMatch(first.out(), /without Redis/, 'alone on its database: no warning');
    const second = await serve();
    // The banner (stdout) and the JSON log (stderr) come down two pipes: wait for both.
    await until('the second server’s log line', () => second.out().includes('"limits.not_shared"'), 10_000);
    const banner = second.out();
    assert.match(banner, new RegExp(`Warning: another Cohort server uses this database without Redis \\([^)]*:${first.port}:[^)]*\\): each enforces the request and concurrency limits on its own`));
    assert.match(banner, /Set COHORT_REDIS_URL on every server/);
    const log = banner.split('\n').find((l) => l.includes('"limits.not_shared"'));
    assert.ok(log, banner);
    assert.equal(JSON.parse(log).level, 'warn');
    assert.match(JSON.parse(log).servers[0], new RegExp(`:${first.port}:`));
    await until('the first server’s log line', () => first.out().includes('"limits.not_shared"'), 30_000);
    assert.match(first.out(), new RegExp(`"limits.not_shared".*:${second.port}:`));
  });
});
