/**
 * The accounts commands as a user runs them: workspaces, plans, credits and usage,
 * through `main(argv, io)` in this process (test/helpers/cli.ts; a child per call
 * took 48 s for this file on a loaded machine).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, describe, it } from 'node:test';
import { tempDir } from '../helpers/app.js';
import { runCohort } from '../helpers/cli.js';

const dir = tempDir('cohort-cli-acct-');
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const cohort = (...args: string[]) => runCohort([...args, '--data-dir', dir]);

describe('cohort workspaces / credits / usage', () => {
  it('creates a workspace, sets its plan and custom limits', async () => {
    const created = (await cohort('workspaces', 'create', 'acme', '--plan', 'pro', '--json'));
    assert.equal(created.code, 0, created.err);
    const ws = JSON.parse(created.out);
    assert.equal(ws.name, 'acme');
    assert.equal(ws.plan, 'pro');
    assert.equal(ws.balance, 5000);
    assert.equal((await cohort('workspaces', 'create', 'acme')).code, 1, 'duplicate name');
    assert.equal((await cohort('workspaces', 'create', 'x', '--plan', 'gold')).code, 2);
    assert.equal((await cohort('workspaces', 'set-plan', 'acme', 'pro', '--rpm', '5')).code, 2, 'custom limits are enterprise-only');
    const set = (await cohort('workspaces', 'set-plan', 'acme', 'enterprise', '--rpm', '500', '--rpd', '90000', '--budget', '1000', '--json'));
    assert.equal(set.code, 0, set.err);
    const after = JSON.parse(set.out);
    assert.deepEqual([after.plan, after.rpm_limit, after.rpd_limit, after.monthly_budget], ['enterprise', 500, 90000, 1000]);
    assert.equal((await cohort('workspaces', 'set-plan', 'nobody', 'pro')).code, 1);
    const list = JSON.parse((await cohort('workspaces', 'list', '--json')).out);
    assert.deepEqual(list.map((w: any) => w.name), ['acme']);
    assert.match((await cohort('workspaces', 'show', 'acme')).out, /balance 5000/);
  });

  it('grants and adjusts credits with reasons, in the ledger', async () => {
    assert.equal((await cohort('credits', 'grant', '--workspace', 'acme', '--amount', '250', '--reason', 'pilot')).code, 0);
    assert.equal((await cohort('credits', 'adjust', '--workspace', 'acme', '--amount', '-50', '--reason', 'correction')).code, 0);
    assert.equal((await cohort('credits', 'grant', '--workspace', 'acme', '--amount', '-5')).code, 2, 'grants are positive');
    assert.equal((await cohort('credits', 'adjust', '--workspace', 'acme', '--amount', '-5')).code, 2, 'adjust needs a reason');
    assert.equal((await cohort('credits', 'adjust', '--workspace', 'acme', '--amount', '-999999', '--reason', 'x')).code, 1, 'cannot go below zero');
    assert.equal((await cohort('credits', 'grant', '--workspace', 'nobody', '--amount', '5')).code, 1);
    const shown = JSON.parse((await cohort('credits', 'show', '--workspace', 'acme', '--json')).out);
    assert.equal(shown.balance, 5200);
    assert.deepEqual(
      shown.ledger.map((l: any) => [l.kind, l.amount, l.reason]),
      [
        ['adjustment', -50, 'correction'],
        ['grant', 250, 'pilot'],
        ['grant', 5000, 'initial pro plan credits'],
      ],
    );
  });

  it('reports usage (empty before any response)', async () => {
    const r = (await cohort('usage', '--workspace', 'acme', '--by', 'persona', '--json'));
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(JSON.parse(r.out), { workspace: 'acme', group_by: 'persona', data: [] });
    assert.equal((await cohort('usage', '--workspace', 'acme', '--by', 'month')).code, 2);
    assert.equal((await cohort('usage')).code, 2);
    assert.match((await cohort('usage', '--help')).out, /Usage/);
  });
});
