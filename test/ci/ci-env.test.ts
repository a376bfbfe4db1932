/**
 * CI must never pass by skipping: `.ci/run` exports CI=1 before it runs the
 * tests, and with CI set the helpers turn an unreachable PostgreSQL or Redis
 * into a failing test instead of a skip (helpers/ci.ts, databases.ts, redis.ts).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

const FIXTURE = path.resolve('test/ci/fixtures/needs-services.ts');

/** Runs the fixture with PostgreSQL and Redis pointed at a closed port. */
function runWithoutServices(ci: string) {
  // Without NODE_TEST_CONTEXT: the child is a test run of its own, not a subtest of this one.
  const { NODE_TEST_CONTEXT: _, ...parent } = process.env;
  const env = { ...parent, CI: ci, COHORT_TEST_DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test', COHORT_TEST_REDIS_URL: 'redis://127.0.0.1:1' };
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=tap', FIXTURE], { encoding: 'utf8', env });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

describe('CI', () => {
  it('.ci/run exports CI=1 before anything runs the tests', () => {
    const lines = fs.readFileSync('.ci/run', 'utf8').split('\n');
    const exported = lines.findIndex((l) => /^export CI=1$/.test(l.trim()));
    const firstTest = lines.findIndex((l) => /\b(npm test|test-on-node\.sh)\b/.test(l) && !l.trim().startsWith('#'));
    assert.ok(exported >= 0, 'export CI=1 is in .ci/run');
    assert.ok(firstTest > exported, 'it comes before the tests run');
  });

  it('with CI set, an unreachable PostgreSQL and Redis fail the run', () => {
    const r = runWithoutServices('1');
    assert.notEqual(r.status, 0, r.out);
    assert.match(r.out, /not ok .*needs a reachable PostgreSQL in CI/);
    assert.match(r.out, /not ok .*needs a reachable Redis in CI/);
    assert.match(r.out, /CI is set, so the PostgreSQL tests must run/);
    assert.match(r.out, /# pass 1\b/, 'the SQLite block still runs');
  });

  it('without CI they are skipped with the reason, and the run passes', () => {
    const r = runWithoutServices('');
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /^ok \d+ - database \[postgres\] # SKIP PostgreSQL not reachable/m, r.out);
    assert.match(r.out, /^ok \d+ - redis # SKIP Redis not reachable/m, r.out);
    assert.match(r.out, /# fail 0\b/);
  });
});
