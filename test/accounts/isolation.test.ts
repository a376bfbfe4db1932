/**
 * One workspace never sees another's responses, credits or usage — every
 * endpoint that takes an id or reports numbers, tried from the other side.
 * And the admin API: only admin- or operator-scoped keys; the same operations as the CLI.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/app.js';

let s: TestServer;
let a: string;
let b: string;
before(async () => {
  s = await startTestServer();
  a = (await s.accounts.createKey({ workspace: 'team-a', mode: 'test', plan: 'pro' })).key;
  b = (await s.accounts.createKey({ workspace: 'team-b', mode: 'test', plan: 'pro' })).key;
});
after(() => s.close());

const call = async (key: string, method: string, path: string, body?: unknown) => {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text };
};

describe('workspace isolation', () => {
  it("hides every response endpoint's data from other workspaces", async () => {
    const created = (await call(a, 'POST', '/v1/responses', { model: 'mavera-1', input: 'secret plans' })).body;
    const bg = (await call(a, 'POST', '/v1/responses', { model: 'mavera-1', input: 'secret', background: true })).body;
    for (const [method, path] of [
      ['GET', `/v1/responses/${created.id}`],
      ['GET', `/v1/responses/${created.id}?stream=true`],
      ['GET', `/v1/responses/${created.id}/input_items`],
      ['DELETE', `/v1/responses/${created.id}`],
      ['POST', `/v1/responses/${bg.id}/cancel`],
      ['GET', `/v1/responses/${bg.id}`],
    ] as const) {
      const r = await call(b, method, path);
      assert.equal(r.status, 404, `${method} ${path}`);
    }
    const prev = await call(b, 'POST', '/v1/responses', { model: 'mavera-1', input: 'x', previous_response_id: created.id });
    assert.equal(prev.status, 400);
    assert.equal(prev.body.error.code, 'previous_response_not_found');
    const ref = await call(b, 'POST', '/v1/responses', { model: 'mavera-1', input: [{ type: 'item_reference', id: created.output[0].id }] });
    assert.equal(ref.status, 400);
    assert.equal((await call(a, 'GET', `/v1/responses/${created.id}`)).status, 200, 'still there for its owner');
  });

  it('reports credits and usage per workspace', async () => {
    const live = (await s.accounts.createKey({ workspace: 'team-a', mode: 'live' })).key;
    const credits = await call(b, 'GET', '/v1/credits');
    assert.equal(credits.body.balance, 5000);
    const usage = await call(b, 'GET', '/v1/usage');
    assert.equal(usage.body.total_credits, 0);
    assert.ok(live);
  });
});

describe('admin API', () => {
  it('is refused without the admin scope', async () => {
    const r = await call(a, 'GET', '/v1/admin/workspaces');
    assert.equal(r.status, 403);
    assert.equal(r.body.error.code, 'forbidden');
  });

  it('manages workspaces, plans, keys, credits and usage', async () => {
    // Server-wide operations (other workspaces, plans, credit grants) take an operator key (src/accounts/scopes.ts).
    const admin = (await s.accounts.createKey({ workspace: 'ops', mode: 'test', scopes: ['operator'] })).key;
    const ws = await call(admin, 'POST', '/v1/admin/workspaces', { name: 'newco', plan: 'pro' });
    assert.equal(ws.status, 201);
    assert.equal(ws.body.balance, 5000);
    assert.equal((await call(admin, 'POST', '/v1/admin/workspaces', { name: 'newco' })).status, 400);
    const plan = await call(admin, 'POST', '/v1/admin/workspaces/newco/plan', { plan: 'enterprise', rpm: 1000, rpd: 20000, monthly_budget: 900 });
    assert.equal(plan.status, 200);
    assert.equal(plan.body.rpm_limit, 1000);
    assert.equal(plan.body.monthly_budget, 900);
    const bad = await call(admin, 'POST', '/v1/admin/workspaces/newco/plan', { plan: 'pro', rpm: 5 });
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error.param, 'rpm');
    const key = await call(admin, 'POST', '/v1/admin/workspaces/newco/keys', { mode: 'live', scopes: ['responses'] });
    assert.equal(key.status, 201);
    assert.match(key.body.key, /^mvra_live_/);
    const keys = await call(admin, 'GET', '/v1/admin/workspaces/newco/keys');
    assert.ok(!JSON.stringify(keys.body).includes(key.body.key), 'listing never shows the secret');
    const grant = await call(admin, 'POST', '/v1/admin/workspaces/newco/credits', { amount: 250, reason: 'pilot' });
    assert.equal(grant.body.balance, 5250);
    const adjust = await call(admin, 'POST', '/v1/admin/workspaces/newco/credits', { amount: -100, kind: 'adjustment', reason: 'correction' });
    assert.equal(adjust.body.balance, 5150);
    const tooMuch = await call(admin, 'POST', '/v1/admin/workspaces/newco/credits', { amount: -10_000, kind: 'adjustment' });
    assert.equal(tooMuch.status, 422);
    const shown = await call(admin, 'GET', '/v1/admin/workspaces/newco/credits');
    assert.deepEqual(
      shown.body.ledger.map((l: any) => [l.kind, l.amount, l.reason]),
      [
        ['adjustment', -100, 'correction'],
        ['grant', 250, 'pilot'],
        ['grant', 5000, 'initial pro plan credits'],
      ],
    );
    const revoked = await call(admin, 'POST', `/v1/admin/keys/${key.body.id}/revoke`);
    assert.equal(revoked.status, 200);
    const useRevoked = await call(key.body.key, 'GET', '/v1/models');
    assert.equal(useRevoked.status, 401);
    assert.match(useRevoked.body.error.message, /revoked/);
    assert.equal((await call(admin, 'GET', '/v1/admin/workspaces/newco/usage?group_by=key')).status, 200);
    assert.equal((await call(admin, 'GET', '/v1/admin/workspaces/nope')).status, 404);
  });

  it('expired keys are refused', async () => {
    const k = await s.accounts.createKey({ workspace: 'team-a', mode: 'test', expiresAt: Math.floor(Date.now() / 1000) - 1 });
    const r = await call(k.key, 'GET', '/v1/models');
    assert.equal(r.status, 401);
    assert.match(r.body.error.message, /expired/);
  });
});
