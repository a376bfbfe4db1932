/**
 * The console's sign-in over real HTTP: an API key (Authorization header)
 * exchanged for an HttpOnly, SameSite=Strict session cookie stored hashed; the
 * cookie accepted by the public API in place of the key, with the key's
 * workspace and scopes; state-changing calls refused without the CSRF token or
 * from another origin, leaving nothing behind; sessions ending at sign-out, at
 * expiry and when the key is revoked; the key never in a log line.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createLogger } from '../../src/logger.js';
import { SESSION_TTL_SECONDS } from '../../src/storage/console-sessions-store.js';
import { startTestServer, type TestServer } from '../helpers/app.js';

let nowMs = Date.now();
const lines: string[] = [];
let s: TestServer;

before(async () => {
  s = await startTestServer({ clock: { now: () => nowMs }, logger: createLogger({ level: 'debug', write: (l) => lines.push(l) }) });
});
after(() => s.close());

interface SignIn {
  cookie: string;
  token: string;
  csrf: string;
  setCookie: string;
  body: Record<string, unknown>;
}

async function signIn(key: string): Promise<SignIn> {
  const res = await fetch(`${s.url}/v1/session`, { method: 'POST', headers: { authorization: `Bearer ${key}` } });
  assert.equal(res.status, 201, await res.clone().text());
  const setCookie = res.headers.get('set-cookie') ?? '';
  const token = /cohort_session=([^;]+)/.exec(setCookie)?.[1] ?? '';
  const body = (await res.json()) as Record<string, unknown>;
  return { cookie: `cohort_session=${token}`, token, csrf: String(body.csrf_token), setCookie, body };
}

const json = (cookie: string, extra: Record<string, string> = {}) => ({ cookie, 'content-type': 'application/json', ...extra });

describe('console sessions over HTTP', () => {
  it('exchanges a key for an HttpOnly SameSite=Strict cookie, stored only as its hash; GET /v1/session says who is signed in', async () => {
    const si = await signIn(s.testKey);
    assert.match(si.setCookie, /HttpOnly/);
    assert.match(si.setCookie, /SameSite=Strict/);
    assert.match(si.setCookie, /Path=\//);
    assert.match(si.setCookie, new RegExp(`Max-Age=${SESSION_TTL_SECONDS}`));
    assert.doesNotMatch(si.setCookie, /Secure/, 'plain http: not Secure (the cookie would be dropped)');
    assert.match(si.token, /^cs_[A-Za-z0-9_-]{43}$/);
    assert.equal(JSON.stringify(si.body).includes(s.testKey), false, 'the key is not echoed');
    assert.equal((si.body.workspace as { name: string }).name, 'acme');
    assert.equal((si.body.key as { mode: string }).mode, 'test');
    const rows = await s.db.selectFrom('console_sessions').selectAll().execute();
    const row = rows.find((r) => r.token_hash === createHash('sha256').update(si.token).digest('hex'));
    assert.ok(row, 'stored by hash');
    assert.equal(JSON.stringify(rows).includes(si.token), false);
    const me = await fetch(`${s.url}/v1/session`, { headers: { cookie: si.cookie } });
    assert.equal(me.status, 200);
    assert.equal(me.headers.get('cache-control'), 'no-store');
    const body = (await me.json()) as { csrf_token: string; key: { prefix: string } };
    assert.equal(body.csrf_token, si.csrf);
    assert.ok(s.testKey.startsWith(body.key.prefix.replace('…', '')));
  });

  it('marks the cookie Secure when the request came over HTTPS (X-Forwarded-Proto)', async () => {
    const res = await fetch(`${s.url}/v1/session`, { method: 'POST', headers: { authorization: `Bearer ${s.testKey}`, 'x-forwarded-proto': 'https' } });
    assert.equal(res.status, 201);
    assert.match(res.headers.get('set-cookie') ?? '', /; Secure/);
  });

  it('needs a key: no key, a wrong key, or a session trying to open another are refused', async () => {
    const none = await fetch(`${s.url}/v1/session`, { method: 'POST' });
    assert.equal(none.status, 401);
    const wrong = await fetch(`${s.url}/v1/session`, { method: 'POST', headers: { authorization: 'Bearer mvra_test_nope' } });
    assert.equal(wrong.status, 401);
    const si = await signIn(s.testKey);
    const again = await fetch(`${s.url}/v1/session`, { method: 'POST', headers: { cookie: si.cookie, 'x-cohort-csrf': si.csrf } });
    assert.equal(again.status, 400);
    assert.equal(((await again.json()) as { error: { param: string } }).error.param, 'authorization');
    const noSession = await fetch(`${s.url}/v1/session`, { headers: { authorization: `Bearer ${s.testKey}` } });
    assert.equal(noSession.status, 401);
  });

  it('the cookie stands in for the key on the public API: reads, and a streamed response with the CSRF token, billed to the key', async () => {
    const si = await signIn(s.testKey);
    assert.equal((await fetch(`${s.url}/v1/personas?limit=1`, { headers: { cookie: si.cookie } })).status, 200);
    assert.equal((await fetch(`${s.url}/v1/credits`, { headers: { cookie: si.cookie } })).status, 200);
    const res = await fetch(`${s.url}/v1/responses`, {
      method: 'POST',
      headers: json(si.cookie, { 'x-cohort-csrf': si.csrf, origin: s.url, 'sec-fetch-site': 'same-origin' }),
      body: JSON.stringify({ model: 'mavera-1', input: 'Would you try a meal kit?', persona_id: 'gen-z-digital-native', analysis_mode: true, stream: true }),
    });
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.match(text, /event: response.completed/);
    const id = /"id":"(resp_[^"]+)"/.exec(text)?.[1];
    assert.ok(id);
    const stored = await s.db.selectFrom('responses').select(['key_id', 'workspace_id']).where('id', '=', id).executeTakeFirstOrThrow();
    const key = await s.accounts.findKeyBySecret(s.testKey);
    assert.equal(stored.key_id, key?.id);
  });

  it('refuses a state-changing call without the CSRF token, with a wrong one, or from another site — and creates nothing', async () => {
    const si = await signIn(s.testKey);
    const before = (await s.db.selectFrom('responses').select('id').execute()).length;
    const body = JSON.stringify({ model: 'mavera-1', input: 'hi' });
    const cases: Record<string, string>[] = [
      {},
      { 'x-cohort-csrf': 'x'.repeat(43) },
      { 'x-cohort-csrf': si.csrf, origin: 'http://evil.example' },
      { 'x-cohort-csrf': si.csrf, origin: 'null' },
      { 'x-cohort-csrf': si.csrf, 'sec-fetch-site': 'cross-site' },
      { 'x-cohort-csrf': si.csrf, 'sec-fetch-site': 'same-site' },
    ];
    for (const extra of cases) {
      const res = await fetch(`${s.url}/v1/responses`, { method: 'POST', headers: json(si.cookie, extra), body });
      assert.equal(res.status, 403, JSON.stringify(extra));
      const err = ((await res.json()) as { error: { code: string; param: string | null } }).error;
      assert.equal(err.code, 'forbidden');
      if (!extra['x-cohort-csrf'] || extra['x-cohort-csrf'] !== si.csrf) assert.equal(err.param, 'x-cohort-csrf');
    }
    const del = await fetch(`${s.url}/v1/session`, { method: 'DELETE', headers: { cookie: si.cookie } });
    assert.equal(del.status, 403, 'sign-out needs the token too');
    assert.equal((await s.db.selectFrom('responses').select('id').execute()).length, before);
  });

  it('has the key scopes, no more: a personas:read key cannot read usage or administer, through the cookie either', async () => {
    const k = await s.accounts.createKey({ workspace: 'acme', mode: 'test', scopes: ['personas:read'] });
    const si = await signIn(k.key);
    assert.equal((await fetch(`${s.url}/v1/personas?limit=1`, { headers: { cookie: si.cookie } })).status, 200);
    assert.equal((await fetch(`${s.url}/v1/usage`, { headers: { cookie: si.cookie } })).status, 403);
    assert.equal((await fetch(`${s.url}/v1/admin/workspaces/acme/keys`, { headers: { cookie: si.cookie } })).status, 403);
    const res = await fetch(`${s.url}/v1/responses`, { method: 'POST', headers: json(si.cookie, { 'x-cohort-csrf': si.csrf }), body: JSON.stringify({ model: 'mavera-1', input: 'hi' }) });
    assert.equal(res.status, 403);
  });

  it('a Bearer key wins over a cookie sent with it', async () => {
    const limited = await s.accounts.createKey({ workspace: 'acme', mode: 'test', scopes: ['personas:read'] });
    const si = await signIn(limited.key);
    const res = await fetch(`${s.url}/v1/usage`, { headers: { cookie: si.cookie, authorization: `Bearer ${s.testKey}` } });
    assert.equal(res.status, 200);
  });

  it('ends at sign-out: the cookie is cleared and refused afterwards', async () => {
    const si = await signIn(s.testKey);
    const res = await fetch(`${s.url}/v1/session`, { method: 'DELETE', headers: { cookie: si.cookie, 'x-cohort-csrf': si.csrf, origin: s.url } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('set-cookie') ?? '', /cohort_session=;.*Max-Age=0/);
    const after = await fetch(`${s.url}/v1/credits`, { headers: { cookie: si.cookie } });
    assert.equal(after.status, 401);
    assert.match(((await after.json()) as { error: { message: string } }).error.message, /session has ended/);
  });

  it('ends when its key is revoked, and when it expires', async () => {
    const k = await s.accounts.createKey({ workspace: 'acme', mode: 'test' });
    const revoked = await signIn(k.key);
    await s.accounts.revokeKey(k.id);
    const r1 = await fetch(`${s.url}/v1/credits`, { headers: { cookie: revoked.cookie } });
    assert.equal(r1.status, 401);
    assert.match(((await r1.json()) as { error: { message: string } }).error.message, /revoked/);
    const si = await signIn(s.testKey);
    assert.equal((await fetch(`${s.url}/v1/credits`, { headers: { cookie: si.cookie } })).status, 200);
    nowMs += SESSION_TTL_SECONDS * 1000;
    assert.equal((await fetch(`${s.url}/v1/credits`, { headers: { cookie: si.cookie } })).status, 401);
    nowMs = Date.now();
  });

  it('a malformed or unknown cookie is a 401, not an anonymous request', async () => {
    for (const cookie of ['cohort_session=abc', `cohort_session=cs_${'A'.repeat(43)}`]) {
      const res = await fetch(`${s.url}/v1/personas`, { headers: { cookie } });
      assert.equal(res.status, 401);
    }
  });

  it('never writes the key or the session token to the log', async () => {
    const si = await signIn(s.liveKey);
    await fetch(`${s.url}/v1/credits`, { headers: { cookie: si.cookie } });
    await new Promise((r) => setImmediate(r));
    assert.ok(lines.length > 0, 'the access log was captured');
    const all = lines.join('\n');
    assert.equal(all.includes(s.liveKey), false);
    assert.equal(all.includes(s.testKey), false);
    assert.equal(all.includes(si.token), false);
    assert.equal(all.includes(si.csrf), false);
  });
});
