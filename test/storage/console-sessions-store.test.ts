/**
 * Console sessions (src/storage/console-sessions-store.ts) on SQLite and
 * PostgreSQL: the token is stored only as its hash, a session resolves to its
 * key's workspace, plan and scopes, expires, is capped per key, and ends at
 * sign-out.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { beforeEach, it } from 'node:test';
import { createAccountsStore } from '../../src/storage/accounts-store.js';
import { createConsoleSessionsStore, MAX_SESSIONS_PER_KEY, SESSION_TTL_SECONDS } from '../../src/storage/console-sessions-store.js';
import { randomIds } from '../../src/util/ids.js';
import { forEachDatabase } from '../helpers/databases.js';

forEachDatabase('console sessions store', (t) => {
  let nowMs = 1_800_000_000_000;
  const clock = { now: () => nowMs };
  beforeEach(async () => {
    nowMs = 1_800_000_000_000;
    await t.db.deleteFrom('console_sessions').execute();
  });

  it('stores only the hash of the token and resolves it to the key, workspace, plan and scopes', async () => {
    const accounts = createAccountsStore(t.db, randomIds, clock);
    const key = await accounts.createKey({ workspace: `ws-${Math.random()}`, plan: 'pro', mode: 'test', name: 'console', scopes: ['responses', 'usage:read'] });
    const sessions = createConsoleSessionsStore(t.db, clock);
    const { token, expiresAt } = await sessions.create({ keyId: key.id, workspaceId: key.workspace_id });
    assert.match(token, /^cs_[A-Za-z0-9_-]{43}$/);
    assert.equal(expiresAt, 1_800_000_000 + SESSION_TTL_SECONDS);
    const rows = await t.db.selectFrom('console_sessions').selectAll().execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.token_hash, createHash('sha256').update(token).digest('hex'));
    assert.ok(!JSON.stringify(rows).includes(token.slice(3)), 'the token itself is not stored');
    const found = await sessions.find(token);
    assert.ok(found);
    assert.equal(found.key_id, key.id);
    assert.equal(found.workspace_id, key.workspace_id);
    assert.equal(found.plan, 'pro');
    assert.equal(found.mode, 'test');
    assert.deepEqual(found.scopes, ['responses', 'usage:read']);
    assert.equal(found.prefix, key.prefix);
    assert.equal(found.key_revoked_at, null);
    assert.equal(await sessions.find(`${token.slice(0, -1)}x`), undefined);
  });

  it('reports the key revoked, never expires after the key, and ends at sign-out', async () => {
    const accounts = createAccountsStore(t.db, randomIds, clock);
    const key = await accounts.createKey({ workspace: `ws-${Math.random()}`, mode: 'live', expiresAt: 1_800_000_000 + 60 });
    const sessions = createConsoleSessionsStore(t.db, clock);
    const { token, expiresAt } = await sessions.create({ keyId: key.id, workspaceId: key.workspace_id, keyExpiresAt: key.expires_at });
    assert.equal(expiresAt, 1_800_000_060, 'capped at the key expiry');
    await accounts.revokeKey(key.id);
    assert.equal((await sessions.find(token))?.key_revoked_at, 1_800_000_000);
    assert.equal(await sessions.delete(token), true);
    assert.equal(await sessions.find(token), undefined);
    assert.equal(await sessions.delete(token), false);
  });

  it('removes expired sessions and keeps at most MAX_SESSIONS_PER_KEY per key, the newest', async () => {
    const accounts = createAccountsStore(t.db, randomIds, clock);
    const key = await accounts.createKey({ workspace: `ws-${Math.random()}`, mode: 'test' });
    const other = await accounts.createKey({ workspace: `ws-${Math.random()}`, mode: 'test' });
    const sessions = createConsoleSessionsStore(t.db, clock, { ttlSeconds: 100 });
    const old = await sessions.create({ keyId: other.id, workspaceId: other.workspace_id });
    const tokens: string[] = [];
    for (let i = 0; i < MAX_SESSIONS_PER_KEY + 3; i++) {
      nowMs += 1000;
      tokens.push((await sessions.create({ keyId: key.id, workspaceId: key.workspace_id })).token);
    }
    assert.equal(await sessions.countForKey(key.id), MAX_SESSIONS_PER_KEY);
    assert.equal(await sessions.find(tokens[0]!), undefined, 'the oldest went first');
    assert.equal(await sessions.find(tokens[2]!), undefined);
    assert.ok(await sessions.find(tokens[3]!));
    assert.ok(await sessions.find(tokens.at(-1)!));
    // The other key's session, 23 s old, is still there; past its 100 s it is purged by the next sign-in.
    assert.ok(await sessions.find(old.token));
    nowMs += 100_000;
    await sessions.create({ keyId: key.id, workspaceId: key.workspace_id });
    assert.equal(await sessions.find(old.token), undefined);
    assert.equal(await sessions.countForKey(key.id), 1);
    assert.equal((await t.db.selectFrom('console_sessions').select('token_hash').execute()).length, 1);
  });
});
