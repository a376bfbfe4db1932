/**
 * The storage contract: every store behaves the same on SQLite and on
 * PostgreSQL. One loop over the dialects (see test/helpers/databases.ts); add
 * a new store as one more forEachDatabase block.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { forEachDatabase } from '../helpers/databases.js';
import { createAccountsStore, DEFAULT_SCOPES, hashKey, keyMode } from '../../src/storage/accounts-store.js';
import { closeDatabase, dialectName, migrate, openDatabase, type OpenDbOptions } from '../../src/storage/db.js';
import { migrations } from '../../src/storage/migrations/index.js';
import type { ResponseObject } from '../../src/responses/types.js';
import { createResponsesStore, RESPONSE_PARTS, type ResponsePart, type StoredResponse } from '../../src/storage/responses-store.js';
import type { ResponsesTable } from '../../src/storage/schema.js';
import { StoredDataError } from '../../src/storage/stored-json.js';
import { sequentialIds, type Clock } from '../../src/util/ids.js';

function testClock(startSeconds = 1_700_000_000): Clock & { set(seconds: number): void } {
  let ms = startSeconds * 1000;
  return { now: () => ms, set: (s) => void (ms = s * 1000) };
}

/** A child process that migrates `options` when told to go; `done` is null on success, else its output. */
function startMigrator(options: OpenDbOptions): { ready: Promise<void>; go(): void; done: Promise<string | null> } {
  const script = fileURLToPath(new URL('./fixtures/open-database.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, JSON.stringify(options)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let signalReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (signalReady = resolve));
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    if (out.includes('ready')) signalReady();
  });
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<string | null>((resolve) => {
    child.on('close', (code) => {
      signalReady();
      resolve(code === 0 && out.includes('migrated') ? null : `exit ${code}: ${out}`);
    });
  });
  const timer = setTimeout(() => child.kill(), 50_000);
  void done.then(() => clearTimeout(timer));
  return { ready, go: () => child.stdin.end('go\n'), done };
}

/** The given keys of a record (stores may return more fields than a test checks). */
function pick(o: object | undefined, keys: string[]): Record<string, unknown> | undefined {
  if (o === undefined) return undefined;
  return Object.fromEntries(keys.map((k) => [k, (o as Record<string, unknown>)[k]]));
}

/** Past 2^31 seconds (year 2038) and past 2^32: bigint columns must hold and return them as numbers. */
const YEAR_2100 = 4_102_444_800;
const BIG = 2 ** 40 + 7;

forEachDatabase('migrations', (t) => {
  it('reports its dialect', async () => {
    assert.equal(dialectName(t.db), t.kind);
    await t.db.transaction().execute(async (trx) => assert.equal(dialectName(trx), t.kind));
  });

  it('applied every migration once, and migrating again is a no-op', async () => {
    const names = async () => (await sql<{ name: string }>`select name from kysely_migration order by name`.execute(t.db)).rows.map((r) => r.name);
    assert.deepEqual(await names(), Object.keys(migrations).sort());
    await migrate(t.db);
    const again = await t.open();
    await closeDatabase(again);
    assert.deepEqual(await names(), Object.keys(migrations).sort());
  });

  it('creates every table of the schema', async () => {
    const tables = (await t.db.introspection.getTables()).map((x) => x.name);
    for (const table of ['workspaces', 'api_keys', 'responses']) assert.ok(tables.includes(table), `${table} missing: ${tables.join(', ')}`);
  });

  it('count(*) and bigint columns come back as JS numbers', async () => {
    const r = await t.db.selectFrom('workspaces').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
    assert.equal(typeof r.n, 'number');
    const s = await sql<{ n: unknown; s: unknown }>`select cast(${BIG} as bigint) as n, sum(cast(${BIG} as bigint)) as s`.execute(t.db);
    assert.deepEqual(s.rows[0], { n: BIG, s: BIG });
  });

  it('migrators starting at once in separate processes each succeed, and migrate once', { timeout: 60_000 }, async () => {
    const options = await t.fresh();
    const children = Array.from({ length: 4 }, () => startMigrator(options));
    await Promise.all(children.map((c) => c.ready));
    for (const c of children) c.go();
    const failures = (await Promise.all(children.map((c) => c.done))).filter((r) => r !== null);
    assert.deepEqual(failures, []);
    const db = t.track(await openDatabase(options));
    const rows = (await sql<{ name: string }>`select name from kysely_migration`.execute(db)).rows;
    assert.deepEqual(rows.map((r) => r.name).sort(), Object.keys(migrations).sort());
  });

  it('migrators starting at once in one process (separate pools) each succeed', { skip: t.kind === 'sqlite' && 'SQLite: one process opens its file once' }, async () => {
    const options = await t.fresh();
    const dbs = await Promise.all(Array.from({ length: 4 }, () => t.open(options)));
    const rows = (await sql<{ name: string }>`select name from kysely_migration`.execute(dbs[0]!)).rows;
    assert.equal(rows.length, Object.keys(migrations).length);
  });

  it('postgres: type parsing is scoped to the pool, not global', { skip: t.kind !== 'postgres' && 'postgres only' }, async () => {
    assert.equal(pg.types.getTypeParser(20, 'text')('42'), '42');
    const r = await sql<{ n: unknown }>`select cast(42 as bigint) as n`.execute(t.db);
    assert.equal(r.rows[0]?.n, 42);
  });

  it('postgres: a bigint beyond 2^53 fails the query instead of losing precision', { skip: t.kind !== 'postgres' && 'postgres only' }, async () => {
    await assert.rejects(sql`select cast('9007199254740993' as bigint) as n`.execute(t.db), /does not fit in a JS number/);
    // the connection is still usable afterwards
    assert.equal((await sql<{ n: number }>`select cast(1 as bigint) as n`.execute(t.db)).rows[0]?.n, 1);
  });

  it('postgres: migrates into the schema on the search_path, not into another schema that has Kysely tables', { skip: t.kind !== 'postgres' && 'postgres only' }, async () => {
    const options = await t.fresh();
    const url = options.databaseUrl!;
    const inSchema = (schema: string) => `${url}${url.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const admin = t.track(await t.open({ ...options, databaseUrl: url }));
    await sql`create schema tenant_a`.execute(admin);
    await sql`create schema tenant_b`.execute(admin);
    const a = t.track(await t.open({ ...options, databaseUrl: inSchema('tenant_a') }));
    const b = t.track(await t.open({ ...options, databaseUrl: inSchema('tenant_b') }));
    await createAccountsStore(a, sequentialIds(), testClock()).ensureWorkspace('only-in-a', 'free');
    assert.equal(await createAccountsStore(b, sequentialIds(), testClock()).findWorkspace('only-in-a'), undefined);
    const tables = await sql<{ table_schema: string; n: number }>`
      select table_schema, count(*) as n from information_schema.tables
      where table_name in ('workspaces', 'kysely_migration') group by table_schema order by table_schema`.execute(admin);
    assert.deepEqual(tables.rows, [
      { table_schema: 'public', n: 2 },
      { table_schema: 'tenant_a', n: 2 },
      { table_schema: 'tenant_b', n: 2 },
    ]);
  });

  it('closeDatabase ends the connections', async () => {
    const sessions = async () => {
      const database = new URL(t.options.databaseUrl!).pathname.slice(1);
      const r = await sql<{ n: number }>`select count(*) as n from pg_stat_activity where datname = ${database} and application_name = 'cohort'`.execute(t.db);
      return r.rows[0]!.n;
    };
    const before = t.kind === 'postgres' ? await sessions() : 0;
    const db = await openDatabase(t.options);
    await sql`select 1`.execute(db);
    await closeDatabase(db);
    await assert.rejects(sql`select 1`.execute(db));
    if (t.kind === 'postgres') {
      // the server sees the pool's sessions end (backends exit asynchronously)
      let n = -1;
      for (let i = 0; i < 100 && n !== before; i++) {
        n = await sessions();
        if (n !== before) await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(n, before);
    }
  });
});

forEachDatabase('accounts store', (t) => {
  const clock = testClock();
  const ids = sequentialIds();
  const accounts = () => createAccountsStore(t.db, ids, clock);

  it('ensureWorkspace creates a workspace once; findWorkspace finds it by name', async () => {
    const store = accounts();
    const before = await store.countWorkspaces();
    assert.equal(await store.findWorkspace('acme'), undefined);
    clock.set(1_700_000_100);
    const ws = await store.ensureWorkspace('acme', 'pro');
    assert.equal(ws.name, 'acme');
    assert.equal(ws.plan, 'pro');
    assert.equal(ws.created_at, 1_700_000_100);
    assert.equal(typeof ws.created_at, 'number');
    const again = await store.ensureWorkspace('acme', 'free');
    assert.equal(again.id, ws.id);
    assert.equal(again.plan, 'pro', 'an existing workspace keeps its plan');
    assert.deepEqual(await store.findWorkspace('acme'), again);
    assert.equal(await store.countWorkspaces(), before + 1);
    assert.equal(typeof (await store.countWorkspaces()), 'number');
  });

  it('key records are cached: changes through the same store apply at once, another store sees them after keyCacheMs', async () => {
    const mine = createAccountsStore(t.db, ids, clock, { keyCacheMs: 150 });
    const other = createAccountsStore(t.db, ids, clock, { keyCacheMs: 150 }); // another process
    const k = await mine.createKey({ workspace: 'cached', mode: 'live' });
    assert.equal((await other.findKeyBySecret(k.key))?.revoked_at, null);
    assert.equal((await mine.findKeyBySecret(k.key))?.plan, 'free');
    assert.ok(await mine.revokeKey(k.id));
    assert.ok((await mine.findKeyBySecret(k.key))?.revoked_at, 'the store that revoked sees it at once');
    assert.equal((await other.findKeyBySecret(k.key))?.revoked_at, null, 'another store still has its cached record');
    await new Promise((r) => setTimeout(r, 200));
    assert.ok((await other.findKeyBySecret(k.key))?.revoked_at, 'and reads it again after keyCacheMs');
    await mine.setPlan('cached', 'pro');
    assert.equal((await mine.findKeyBySecret(k.key))?.plan, 'pro');
    const uncached = createAccountsStore(t.db, ids, clock, { keyCacheMs: 0 });
    const k2 = await mine.createKey({ workspace: 'cached', mode: 'test' });
    assert.equal((await uncached.findKeyBySecret(k2.key))?.revoked_at, null);
    await mine.revokeKey(k2.id);
    assert.ok((await uncached.findKeyBySecret(k2.key))?.revoked_at, 'keyCacheMs 0 reads every time');
  });

  it('ensureWorkspace racing itself creates one workspace', async () => {
    // on PostgreSQL the pool runs these on separate connections at once
    const store = accounts();
    const before = await store.countWorkspaces();
    const made = await Promise.all(Array.from({ length: 6 }, () => store.ensureWorkspace('racy', 'free')));
    assert.equal(new Set(made.map((w) => w.id)).size, 1);
    assert.equal(await store.countWorkspaces(), before + 1);
  });

  it('workspace names are case-sensitive and exact', async () => {
    const store = accounts();
    await store.ensureWorkspace('Case', 'free');
    assert.equal(await store.findWorkspace('case'), undefined);
    assert.equal(await store.findWorkspace('Case '), undefined);
    assert.equal((await store.findWorkspace('Case'))?.name, 'Case');
  });

  it('createKey returns the secret once and stores only its hash', async () => {
    const store = accounts();
    clock.set(1_700_001_000);
    const created = await store.createKey({ workspace: 'keys-ws', plan: 'business', mode: 'live', name: 'ci' });
    assert.match(created.key, /^mvra_live_[0-9A-Za-z]{32}$/);
    assert.equal(keyMode(created.key), 'live');
    assert.equal(created.prefix, `${created.key.slice(0, 14)}…`);
    assert.equal(created.workspace, 'keys-ws');
    assert.equal(created.plan, 'business');
    assert.equal(created.mode, 'live');
    assert.equal(created.name, 'ci');
    assert.deepEqual(created.scopes, DEFAULT_SCOPES);
    assert.equal(created.created_at, 1_700_001_000);
    assert.equal(created.expires_at, null);
    assert.equal(created.revoked_at, null);
    assert.equal(created.last_used_at, null);
    const row = await t.db.selectFrom('api_keys').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    assert.equal(row.key_hash, hashKey(created.key));
    assert.ok(!Object.values(row).includes(created.key), 'the secret is not stored');
    const ws = await store.findWorkspace('keys-ws');
    assert.equal(ws?.plan, 'business');
    assert.equal(row.workspace_id, ws?.id);
  });

  it('findKeyBySecret returns the key with its workspace and plan, with numbers for times', async () => {
    const store = accounts();
    clock.set(1_700_002_000);
    const created = await store.createKey({ workspace: 'find-ws', plan: 'pro', mode: 'test', scopes: ['responses'], expiresAt: YEAR_2100 });
    const { key: _key, ...info } = created;
    const found = await store.findKeyBySecret(created.key);
    assert.deepEqual(pick(found, Object.keys(info)), info);
    assert.equal(found?.expires_at, YEAR_2100);
    assert.equal(typeof found?.created_at, 'number');
    assert.deepEqual(found?.scopes, ['responses']);
    assert.equal(await store.findKeyBySecret(`${created.key}x`), undefined);
    assert.equal(await store.findKeyBySecret(''), undefined);
  });

  it('findKeyBySecret returns expired and revoked keys (the caller decides)', async () => {
    const store = accounts();
    clock.set(1_700_003_000);
    const expired = await store.createKey({ workspace: 'old-ws', mode: 'live', expiresAt: 1_600_000_000 });
    assert.equal((await store.findKeyBySecret(expired.key))?.expires_at, 1_600_000_000);
    const revoked = await store.createKey({ workspace: 'old-ws', mode: 'live' });
    clock.set(1_700_003_500);
    assert.equal(await store.revokeKey(revoked.id), true);
    const found = await store.findKeyBySecret(revoked.key);
    assert.equal(found?.revoked_at, 1_700_003_500);
    assert.equal(found?.id, revoked.id);
  });

  it('revokeKey is idempotent, keeps the first revocation time, and is false for unknown ids', async () => {
    const store = accounts();
    clock.set(1_700_004_000);
    const k = await store.createKey({ workspace: 'revoke-ws', mode: 'live' });
    const other = await store.createKey({ workspace: 'revoke-ws', mode: 'live' });
    clock.set(1_700_004_100);
    assert.equal(await store.revokeKey(k.id), true);
    clock.set(1_700_004_200);
    assert.equal(await store.revokeKey(k.id), true);
    const listed = await store.listKeys('revoke-ws');
    assert.equal(listed.find((x) => x.id === k.id)?.revoked_at, 1_700_004_100);
    assert.equal(listed.find((x) => x.id === other.id)?.revoked_at, null, 'other keys are untouched');
    assert.equal(await store.revokeKey('key_does_not_exist'), false);
  });

  it('listKeys orders by creation time then id, filters by workspace, and includes revoked and expired keys', async () => {
    const store = accounts();
    clock.set(1_700_006_000);
    const late = await store.createKey({ workspace: 'list-a', mode: 'live', name: 'late' });
    clock.set(1_700_005_000);
    const early = await store.createKey({ workspace: 'list-a', mode: 'test', name: 'early', expiresAt: 1_600_000_000 });
    const early2 = await store.createKey({ workspace: 'list-a', mode: 'live', name: 'early2' });
    const elsewhere = await store.createKey({ workspace: 'list-b', mode: 'live' });
    await store.revokeKey(early2.id);
    const a = await store.listKeys('list-a');
    assert.deepEqual(
      a.map((k) => k.name),
      ['early', 'early2', 'late'],
    );
    assert.ok(a.every((k) => k.workspace === 'list-a'));
    assert.equal(a[0]?.expires_at, 1_600_000_000);
    assert.equal(typeof a[1]?.revoked_at, 'number');
    const { key: _k, plan: _p, ...lateInfo } = late;
    assert.deepEqual(pick(a[2], Object.keys(lateInfo)), lateInfo);
    assert.deepEqual(
      (await store.listKeys('list-b')).map((k) => k.id),
      [elsewhere.id],
    );
    const all = (await store.listKeys()).map((k) => k.id);
    for (const id of [late.id, early.id, early2.id, elsewhere.id]) assert.ok(all.includes(id));
    const created = (await store.listKeys()).map((k) => k.created_at);
    assert.deepEqual(created, [...created].sort((x, y) => x - y));
    assert.deepEqual(await store.listKeys('no-such-workspace'), []);
  });

  it('keys store times far past 2038', async () => {
    const store = accounts();
    clock.set(YEAR_2100);
    const k = await store.createKey({ workspace: 'future', mode: 'live', expiresAt: BIG });
    const found = await store.findKeyBySecret(k.key);
    assert.equal(found?.created_at, YEAR_2100);
    assert.equal(found?.expires_at, BIG);
  });
});

forEachDatabase('responses store', (t) => {
  const responses = () => createResponsesStore(t.db);
  let n = 0;
  const body = (id: string, fields: Partial<ResponseObject> = {}): ResponseObject => ({ id, object: 'response', status: 'completed', output: [], ...fields }) as ResponseObject;
  const record = (overrides: Partial<StoredResponse> = {}): StoredResponse => {
    const id = `resp_${(++n).toString(16).padStart(24, '0')}`;
    return {
      id,
      workspaceId: 'ws_a',
      keyId: 'key_1',
      status: 'completed',
      background: false,
      personaId: 'maya-chen',
      engine: 'sandbox',
      createdAt: 1_700_000_000,
      updatedAt: 1_700_000_001,
      body: body(id, { status: overrides.status ?? 'completed' }),
      context: [{ type: 'message', role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      inputItems: [{ id: 'msg_1', type: 'message', role: 'user', content: [{ type: 'input_text', text: 'hi' }] }],
      events: null,
      owner: null,
      ...overrides,
    };
  };
  /** Writes a row as it is, past the store (a corrupt one, say). */
  const rawRow = async (id: string, columns: Partial<ResponsesTable>) => {
    const r = record({ id });
    await t.db
      .insertInto('responses')
      .values({ id, workspace_id: r.workspaceId, key_id: null, status: 'completed', background: 0, persona_id: null, engine: 'sandbox', created_at: 1, updated_at: 1, body: JSON.stringify(r.body), context: '[]', input_items: '[]', request: null, events: null, owner: null, ...columns })
      .execute();
  };

  it('insert then get returns every field as written', async () => {
    const r = record({ background: true, status: 'queued', events: ['event: a\ndata: {}\n\n'], personaId: null, keyId: null, owner: 'inst_1', createdAt: YEAR_2100, updatedAt: BIG });
    await responses().insert(r);
    assert.deepEqual(await responses().get('ws_a', r.id), r);
  });

  it('insert of an existing id fails', async () => {
    const r = record();
    await responses().insert(r);
    await assert.rejects(responses().insert({ ...r, status: 'failed' }));
    assert.equal((await responses().get('ws_a', r.id))?.status, 'completed');
  });

  it('text round-trips exactly: unicode, escaped NUL, large bodies', async () => {
    const text = `emoji 😀, accents é, CJK 漢字, quote ' " \\ and NUL \u0000 and a lone surrogate \ud800 ${'x'.repeat(1_000_000)}`;
    const r = record();
    r.body = body(r.id, { output_text: text });
    await responses().insert(r);
    const got = await responses().get('ws_a', r.id);
    assert.equal(got?.body.output_text, text);
    assert.deepEqual(got?.body, r.body);
  });

  it('upsert inserts a new response and replaces every field of an existing one', async () => {
    const r = record({ status: 'in_progress', background: true, events: ['a'], owner: 'inst_1' });
    await responses().upsert(r);
    assert.deepEqual(await responses().get('ws_a', r.id), r);
    const replaced: StoredResponse = { ...record({ status: 'completed' }), id: r.id, workspaceId: 'ws_a', keyId: null, personaId: null, events: null, owner: null, updatedAt: 1_700_000_999 };
    await responses().upsert(replaced);
    assert.deepEqual(await responses().get('ws_a', r.id), replaced);
  });

  it('get reads only the parts asked for', async () => {
    const r = record({ background: true, events: ['a', 'b'] });
    await responses().insert(r);
    const { body: _b, context: _c, inputItems: _i, events: _e, ...meta } = r;
    assert.deepEqual(await responses().get('ws_a', r.id, []), meta);
    assert.deepEqual(await responses().get('ws_a', r.id, ['body']), { ...meta, body: r.body });
    assert.deepEqual(await responses().get('ws_a', r.id, ['inputItems', 'events']), { ...meta, inputItems: r.inputItems, events: r.events });
  });

  it('writes in a transaction commit and roll back with it', async () => {
    const kept = record();
    const dropped = record();
    await t.db.transaction().execute((trx) => responses().insert(kept, trx));
    await assert.rejects(
      t.db.transaction().execute(async (trx) => {
        await responses().insert(dropped, trx);
        await responses().upsert({ ...kept, status: 'failed' }, trx);
        throw new Error('the unit of work fails');
      }),
      /the unit of work fails/,
    );
    assert.deepEqual(await responses().get('ws_a', kept.id), kept);
    assert.equal(await responses().get('ws_a', dropped.id), undefined);
  });

  it('a corrupt row is a StoredDataError naming the row and the column, only for the parts asked for', async () => {
    const cases: Array<[Partial<ResponsesTable>, ResponsePart, string, RegExp]> = [
      [{ body: '{"id":"resp_x","object":"response"' }, 'body', 'body', /is not valid JSON/],
      [{ body: '[]' }, 'body', 'body', /is not a JSON object/],
      [{ body: '{"id":"resp_x","object":"response","status":"done","output":[]}' }, 'body', 'body', /has no valid status/],
      [{ body: '{"id":"resp_x","object":"response","status":"completed"}' }, 'body', 'body', /has no output array/],
      [{ context: '{"type":"message"}' }, 'context', 'context', /is not an array/],
      [{ context: '[{"type":"message"},7]' }, 'context', 'context', /\[1\] is not a conversation item/],
      [{ input_items: '[{"type":"message"}]' }, 'inputItems', 'input_items', /\[0\] is not an input item with an id/],
      [{ events: '["a",{"b":1}]' }, 'events', 'events', /\[1\] is not an SSE frame/],
      [{ events: '' }, 'events', 'events', /is not valid JSON/],
    ];
    for (const [columns, part, column, problem] of cases) {
      const id = `resp_corrupt_${++n}`;
      await rawRow(id, columns);
      await assert.rejects(responses().get('ws_a', id), (err: unknown) => {
        assert.ok(err instanceof StoredDataError, String(err));
        assert.deepEqual([err.table, err.rowId, err.column], ['responses', id, column]);
        assert.match(err.message, new RegExp(`^responses row '${id}': column ${column} `));
        assert.match(err.message, problem);
        return true;
      });
      await assert.rejects(responses().get('ws_a', id, [part]), StoredDataError);
      const others = RESPONSE_PARTS.filter((p) => p !== part);
      assert.equal((await responses().get('ws_a', id, others))?.id, id, 'the other parts read fine');
    }
    await rawRow('resp_corrupt_status', { status: 'finished' });
    await assert.rejects(responses().get('ws_a', 'resp_corrupt_status', []), { name: 'StoredDataError', column: 'status' });
  });

  it('a response of workspace A is invisible to workspace B', async () => {
    const r = record({ workspaceId: 'ws_iso_a' });
    await responses().insert(r);
    assert.equal(await responses().get('ws_iso_b', r.id), undefined);
    assert.equal(await responses().delete('ws_iso_b', r.id), false);
    assert.deepEqual(await responses().get('ws_iso_a', r.id), r, 'B cannot delete it');
  });

  it('delete removes the workspace’s response once', async () => {
    const r = record();
    await responses().insert(r);
    assert.equal(await responses().delete('ws_a', r.id), true);
    assert.equal(await responses().get('ws_a', r.id), undefined);
    assert.equal(await responses().delete('ws_a', r.id), false);
    assert.equal(await responses().delete('ws_a', 'resp_missing'), false);
  });

  it('failInterrupted fails the queued and in-progress responses of dead (or unrecorded) owners, in every workspace', async () => {
    await t.db.deleteFrom('responses').where('id', 'like', 'resp_corrupt%').execute(); // the corrupt rows above
    await responses().failInterrupted(['inst_dead', 'inst_1'], 1); // earlier tests' leftovers
    const usage = { input_tokens: 3, input_tokens_details: { cached_tokens: 0 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 8, credits_used: 2 };
    const queued = record({ status: 'queued', background: true, workspaceId: 'ws_x', owner: 'inst_dead' });
    const running = record({ status: 'in_progress', workspaceId: 'ws_y', owner: null });
    running.body = body('r', { status: 'in_progress', output: [{ type: 'message' }] as ResponseObject['output'], metadata: { a: '1' }, usage });
    const alive = record({ status: 'in_progress', owner: 'inst_alive' });
    const done = record({ status: 'completed', owner: 'inst_dead' });
    const cancelled = record({ status: 'cancelled', owner: null });
    for (const r of [queued, running, alive, done, cancelled]) await responses().insert(r);
    assert.equal(await responses().failInterrupted(['inst_dead', 'inst_gone'], 1_800_000_000), 2);
    for (const r of [queued, running]) {
      const got = await responses().get(r.workspaceId, r.id);
      assert.equal(got?.status, 'failed');
      assert.equal(got?.updatedAt, 1_800_000_000);
      assert.equal(got?.owner, null);
      const b = got!.body as unknown as Record<string, unknown>;
      assert.equal(b.status, 'failed');
      assert.deepEqual(pick(b.error as object, ['code', 'type']), { code: 'internal_error', type: 'server_error' });
      assert.match((b.error as { message: string }).message, /in progress/);
      const original = r.body as unknown as Record<string, unknown>;
      assert.deepEqual(pick(b, Object.keys(original).filter((k) => k !== 'status')), pick(original, Object.keys(original).filter((k) => k !== 'status')), 'the rest of the body is kept');
      assert.equal((b.usage as { credits_used: number }).credits_used, r === running ? 2 : 0);
    }
    for (const r of [alive, done, cancelled]) assert.deepEqual(await responses().get(r.workspaceId, r.id), r);
    assert.equal(await responses().failInterrupted(['inst_dead'], 1_800_000_001), 0);
    assert.equal(await responses().failInterrupted([], 1_800_000_002), 0, 'no owners: only unrecorded ones, none left');
    await responses().insert(record({ status: 'queued', owner: null }));
    assert.equal(await responses().failInterrupted([], 1_800_000_003), 1);
    await rawRow('resp_corrupt_interrupted', { status: 'in_progress', body: 'not json' });
    await assert.rejects(responses().failInterrupted([], 1_800_000_004), { name: 'StoredDataError', rowId: 'resp_corrupt_interrupted', column: 'body' });
    await t.db.deleteFrom('responses').where('id', '=', 'resp_corrupt_interrupted').execute();
  });
});
