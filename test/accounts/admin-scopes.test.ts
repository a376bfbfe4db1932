/**
 * The two administrator levels (src/accounts/scopes.ts): a workspace `admin`
 * key manages its own workspace and nothing else; an `operator` key manages
 * every workspace and alone creates workspaces, sets plans and grants credits.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hasScope } from '../../src/accounts/scopes.js';
import { startTestServer, type TestServer } from '../helpers/app.js';

let s: TestServer;
let adminA: string;
let operator: string;
let keyB: { id: string; key: string };
before(async () => {
  s = await startTestServer();
  adminA = (await s.accounts.createKey({ workspace: 'team-a', mode: 'live', plan: 'pro', scopes: ['admin'] })).key;
  keyB = await s.accounts.createKey({ workspace: 'team-b', mode: 'test', plan: 'pro' });
  operator = (await s.accounts.createKey({ workspace: 'ops', mode: 'test', scopes: ['operator'] })).key;
});
after(() => s.close());

const call = async (key: string, method: string, path: string, body?: unknown) => {
  const res = await fetch(`${s.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as any };
};

describe('scopes', () => {
  it('admin grants every scope but operator; operator grants all', () => {
    assert.equal(hasScope(['admin'], 'responses'), true);
    assert.equal(hasScope(['admin'], 'admin'), true);
    assert.equal(hasScope(['admin'], 'operator'), false);
    assert.equal(hasScope(['operator'], 'admin'), true);
    assert.equal(hasScope(['operator'], 'usage:read'), true);
    assert.equal(hasScope(['responses'], 'admin'), false);
  });
});

describe('a workspace admin key', () => {
  it('manages its own workspace: view, keys, credits and usage', async () => {
    const own = await call(adminA, 'GET', '/v1/admin/workspaces/team-a');
    assert.equal(own.status, 200);
    assert.equal(own.body.name, 'team-a');
    const list = await call(adminA, 'GET', '/v1/admin/workspaces');
    assert.deepEqual(list.body.data.map((w: any) => w.name), ['team-a'], 'it lists only its own workspace');
    const created = await call(adminA, 'POST', '/v1/admin/workspaces/team-a/keys', { mode: 'test', scopes: ['responses'] });
    assert.equal(created.status, 201);
    assert.equal((await call(adminA, 'POST', `/v1/admin/keys/${created.body.id}/revoke`)).status, 200);
    assert.equal((await call(adminA, 'GET', '/v1/admin/workspaces/team-a/keys')).status, 200);
    assert.equal((await call(adminA, 'GET', '/v1/admin/workspaces/team-a/credits')).status, 200);
    assert.equal((await call(adminA, 'GET', '/v1/admin/workspaces/team-a/usage')).status, 200);
  });

  it('cannot touch another workspace, existing or not (403 before any lookup)', async () => {
    for (const [method, path, body] of [
      ['GET', '/v1/admin/workspaces/team-b'],
      ['GET', '/v1/admin/workspaces/team-b/keys'],
      ['POST', '/v1/admin/workspaces/team-b/keys', { mode: 'live' }],
      ['GET', '/v1/admin/workspaces/team-b/credits'],
      ['GET', '/v1/admin/workspaces/team-b/usage'],
      ['GET', '/v1/admin/workspaces/no-such-workspace'],
    ] as const) {
      const r = await call(adminA, method, path, body);
      assert.equal(r.status, 403, `${method} ${path}`);
      assert.equal(r.body.error.code, 'forbidden');
      assert.equal(r.body.error.param, 'name');
    }
    const revoke = await call(adminA, 'POST', `/v1/admin/keys/${keyB.id}/revoke`);
    assert.equal(revoke.status, 404, "another workspace's key is not found");
    assert.equal((await call(keyB.key, 'GET', '/v1/models')).status, 200, 'and still works');
    assert.equal((await s.accounts.listKeys('team-b')).length, 1, 'no key was created in team-b');
  });

  it('cannot do what only the operator does: create workspaces, set plans, grant credits, mint operator keys', async () => {
    const before = await s.accounts.findWorkspace('team-a');
    for (const [method, path, body] of [
      ['POST', '/v1/admin/workspaces', { name: 'sneaky', plan: 'business' }],
      ['POST', '/v1/admin/workspaces/team-a/plan', { plan: 'enterprise', rpm: 100000 }],
      ['POST', '/v1/admin/workspaces/team-a/credits', { amount: 1000000, reason: 'free money' }],
      ['POST', '/v1/admin/workspaces/team-a/keys', { mode: 'live', scopes: ['operator'] }],
    ] as const) {
      const r = await call(adminA, method, path, body);
      assert.equal(r.status, 403, `${method} ${path}`);
      assert.equal(r.body.error.code, 'forbidden');
      assert.match(r.body.error.message, /operator/);
    }
    assert.equal(await s.accounts.findWorkspace('sneaky'), undefined);
    assert.deepEqual(await s.accounts.findWorkspace('team-a'), before, 'plan and balance unchanged');
    assert.equal((await s.accounts.listKeys('team-a')).filter((k) => k.scopes.includes('operator')).length, 0);
  });

  it("cannot revoke an operator key, even in its own workspace", async () => {
    const opInA = await s.accounts.createKey({ workspace: 'team-a', mode: 'test', scopes: ['operator'] });
    const r = await call(adminA, 'POST', `/v1/admin/keys/${opInA.id}/revoke`);
    assert.equal(r.status, 403);
    assert.equal((await call(opInA.key, 'GET', '/v1/admin/workspaces/team-b')).status, 200, 'the operator key still works');
  });
});

describe('an operator key', () => {
  it('reaches every workspace and does the server-wide operations', async () => {
    const list = await call(operator, 'GET', '/v1/admin/workspaces');
    assert.deepEqual(list.body.data.map((w: any) => w.name).sort(), ['acme', 'ops', 'team-a', 'team-b']);
    assert.equal((await call(operator, 'GET', '/v1/admin/workspaces/team-b/usage')).status, 200);
    const grant = await call(operator, 'POST', '/v1/admin/workspaces/team-b/credits', { amount: 10, reason: 'pilot' });
    assert.equal(grant.status, 200);
    assert.equal(grant.body.balance, 5010);
    const plan = await call(operator, 'POST', '/v1/admin/workspaces/team-b/plan', { plan: 'business' });
    assert.equal(plan.body.plan, 'business');
    const minted = await call(operator, 'POST', '/v1/admin/workspaces/team-b/keys', { mode: 'test', scopes: ['operator'] });
    assert.equal(minted.status, 201);
    assert.deepEqual(minted.body.scopes, ['operator']);
    assert.equal((await call(operator, 'POST', `/v1/admin/keys/${minted.body.id}/revoke`)).status, 200);
    assert.equal((await call(operator, 'POST', '/v1/admin/workspaces', { name: 'newco' })).status, 201);
  });

  it('refuses a key that would be born expired', async () => {
    const past = await call(operator, 'POST', '/v1/admin/workspaces/team-b/keys', { mode: 'test', expires_at: Math.floor(Date.now() / 1000) - 60 });
    assert.equal(past.status, 422);
    assert.equal(past.body.error.param, 'expires_at');
    assert.equal((await s.accounts.listKeys('team-b')).some((k) => k.expires_at !== null), false, 'nothing was created');
    const future = await call(operator, 'POST', '/v1/admin/workspaces/team-b/keys', { mode: 'test', expires_at: Math.floor(Date.now() / 1000) + 3600 });
    assert.equal(future.status, 201);
  });
});
