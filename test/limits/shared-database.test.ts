/**
 * Several servers on one database without Redis each enforce the whole plan
 * (limits live in each process): the one that starts second says so in its
 * banner and log at start, the first logs it on its next heartbeat. Real
 * `cohort serve` processes on one SQLite file. (dist/ is built by `npm test`.)
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, describe, it } from 'node:test';
import { until } from '../helpers/wait.js';
import { cohortJson } from '../helpers/cli.js';
import { tempDir } from '../helpers/app.js';
import { type CohortProcess, killAll, startCohortServer } from '../helpers/cohort-process.js';

describe('servers sharing a database without Redis', () => {
  const dir = tempDir('cohort-shared-');
  const env = { ...process.env, COHORT_REDIS_URL: '', COHORT_DATABASE_URL: '', COHORT_UPSTREAM_URL: '', COHORT_MODEL_PATH: '', COHORT_LOG_LEVEL: 'warn', COHORT_HEARTBEAT_MS: '1000', COHORT_SHUTDOWN_GRACE_SECONDS: '0' };

  const children: CohortProcess[] = [];
  const serve = () => startCohortServer({ dataDir: dir, env, into: children });

  after(async () => {
    await killAll(children);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the second server warns at start (banner and log); the first logs it at its next heartbeat', async () => {
    // Migrate and create the first workspace before two servers start on the file.
    await cohortJson(['keys', 'create', '--workspace', 'w', '--create-workspace', '--test', '--json', '--data-dir', dir], env);
    const first = await serve();
    assert.doesNotMatch(first.output(), /without Redis/, 'alone on its database: no warning');
    const second = await serve();
    // The banner (stdout) and the JSON log (stderr) come down two pipes: wait for both.
    await until('the second server’s log line', () => second.output().includes('"limits.not_shared"'), 10_000);
    const banner = second.output();
    assert.match(banner, new RegExp(`Warning: another Cohort server uses this database without Redis \\([^)]*:${first.port}:[^)]*\\): each enforces the request and concurrency limits on its own`));
    assert.match(banner, /Set COHORT_REDIS_URL on every server/);
    const log = banner.split('\n').find((l) => l.includes('"limits.not_shared"'));
    assert.ok(log, banner);
    assert.equal(JSON.parse(log).level, 'warn');
    assert.match(JSON.parse(log).servers[0], new RegExp(`:${first.port}:`));
    await until('the first server’s log line', () => first.output().includes('"limits.not_shared"'), 30_000);
    assert.match(first.output(), new RegExp(`"limits.not_shared".*:${second.port}:`));
  });
});
