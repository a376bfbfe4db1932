/**
 * Group commit on every database: on SQLite the operations of one event-loop
 * turn share a transaction (on PostgreSQL each has its own), yet each keeps its
 * own all-or-nothing outcome, and none is reported done before its commit.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { sql } from 'kysely';
import { createAccountsStore } from '../../src/storage/accounts-store.js';
import { createCreditsStore } from '../../src/storage/credits-store.js';
import { groupCommitOf } from '../../src/storage/group-commit.js';
import { sqliteHandleOf } from '../../src/storage/db.js';
import { directStats, directWithin, prepared } from '../../src/storage/prepared.js';
import { randomIds, systemClock } from '../../src/util/ids.js';
import { forEachDatabase } from '../helpers/databases.js';

forEachDatabase('group commit', (t) => {
  it('holds of one turn share a transaction; when one does not fit it fails alone and the others commit', async () => {
    const accounts = createAccountsStore(t.db, randomIds, systemClock);
    const credits = createCreditsStore(t.db, randomIds, systemClock);
    const { workspace } = await accounts.createWorkspace('batched', 'free'); // 100 credits
    const stats = groupCommitOf(t.db).stats;
    const before = { ...stats };
    const fit = await Promise.all(Array.from({ length: 10 }, (_, i) => credits.hold({ workspaceId: workspace.id, responseId: `resp_b${i}`, amount: 9, owner: 'inst_a' })));
    assert.equal(fit.length, 10);
    assert.equal(stats.operations - before.operations, 10);
    // SQLite: one transaction for the turn. PostgreSQL: one each (the pool runs them side by side).
    assert.equal(stats.transactions - before.transactions, t.kind === 'sqlite' ? 1 : 10);
    // 10 credits left: two holds of 5 fit, the third of this turn does not.
    const attempts = await Promise.allSettled(Array.from({ length: 3 }, (_, i) => credits.hold({ workspaceId: workspace.id, responseId: `resp_c${i}`, amount: 5, owner: 'inst_a' })));
    // Which one is refused: the last on SQLite (in order); any one on PostgreSQL (its pool runs them side by side).
    assert.deepEqual(attempts.map((a) => a.status).sort(), ['fulfilled', 'fulfilled', 'rejected']);
    if (t.kind === 'sqlite') assert.equal(attempts[2]!.status, 'rejected');
    const refused = attempts.find((a): a is PromiseRejectedResult => a.status === 'rejected')!;
    assert.equal((refused.reason as { code: string }).code, 'credits_exhausted');
    const s = await credits.summary(workspace.id);
    assert.equal(s.held, 100);
    const holds = await t.db.selectFrom('credit_holds').select('response_id').where('workspace_id', '=', workspace.id).execute();
    assert.equal(holds.length, 12, 'the refused hold left no row');
  });

  it('an operation that fails after writing leaves nothing behind; the others of its batch commit', async () => {
    const accounts = createAccountsStore(t.db, randomIds, systemClock);
    const { workspace } = await accounts.createWorkspace('savepoints', 'free');
    const g = groupCommitOf(t.db);
    const write = (label: string, fail: boolean) =>
      g.run(async (trx) => {
        await trx.updateTable('workspaces').set({ plan: label }).where('id', '=', workspace.id).execute();
        await trx
          .insertInto('credit_holds')
          .values({ id: `hold_${label}`, workspace_id: workspace.id, response_id: `resp_${label}`, amount: 1, owner: 'x', created_at: 0 })
          .execute();
        if (fail) throw new Error(`${label} failed`);
        return label;
      });
    const results = await Promise.allSettled([write('a', false), write('b', true), write('c', false)]);
    assert.deepEqual(
      results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message)),
      ['a', 'b failed', 'c'],
    );
    const rows = await t.db.selectFrom('credit_holds').select('id').where('workspace_id', '=', workspace.id).orderBy('id').execute();
    assert.deepEqual(rows.map((r) => r.id), ['hold_a', 'hold_c']);
    const ws = await t.db.selectFrom('workspaces').select('plan').where('id', '=', workspace.id).executeTakeFirstOrThrow();
    assert.notEqual(ws.plan, 'b', 'the failed operation left nothing'); // 'c' on SQLite (in order); a or c on PostgreSQL's pool
  });

  it('a prepared statement is the builder\'s SQL, compiled once, run with each call\'s values (a name used twice binds twice)', async () => {
    const accounts = createAccountsStore(t.db, randomIds, systemClock);
    const a = await accounts.createWorkspace('prep_a', 'free');
    const b = await accounts.createWorkspace('prep_b', 'pro');
    const find = prepared<'name' | 'plan', { id: string }>((db, p) =>
      db.selectFrom('workspaces').select('id').where((eb) => eb.or([eb('name', '=', p('name')), eb('plan', '=', p('plan'))])).where('name', 'like', sql<string>`${p('name')} || ''`),
    );
    assert.equal(find.sql, undefined);
    assert.deepEqual((await find(t.db, { name: 'prep_a', plan: 'none' })).rows, [{ id: a.workspace.id }]);
    const text = find.sql as string | undefined;
    assert.ok(text && !text.includes('prep_a'), text);
    assert.deepEqual((await find(t.db, { name: 'prep_b', plan: 'none' })).rows, [{ id: b.workspace.id }]);
    assert.equal(find.sql, text, 'compiled once');
  });

  it('on SQLite, a prepared statement inside a transaction runs on the connection directly, with the results Kysely gives', async () => {
    const handle = sqliteHandleOf(t.db);
    assert.equal(handle === undefined, t.kind === 'postgres', 'a handle exactly on SQLite');
    const accounts = createAccountsStore(t.db, randomIds, systemClock);
    const { workspace } = await accounts.createWorkspace('direct_a', 'free');
    const statements = () => ({
      bump: prepared<'id' | 'n'>((db, p) => db.updateTable('workspaces').set({ balance: sql`balance + ${p('n')}` }).where('id', '=', p('id')), handle),
      read: prepared<'id', { balance: number }>((db, p) => db.selectFrom('workspaces').select('balance').where('id', '=', p('id')), handle),
    });
    const viaKysely = statements();
    const direct = statements();
    let prepares = 0;
    if (handle) {
      const original = handle.prepare.bind(handle);
      handle.prepare = ((text: string) => {
        prepares++;
        return original(text);
      }) as typeof handle.prepare;
    }
    try {
      // Outside a transaction: through Kysely (its driver prepares through its own statement cache).
      const k1 = await viaKysely.bump(t.db, { id: workspace.id, n: 5 });
      const k2 = await viaKysely.read(t.db, { id: workspace.id });
      const afterKysely = prepares;
      const runs0 = directStats.runs;
      // A transaction not declared live: through Kysely too.
      await t.db.transaction().execute(async (trx) => direct.read(trx, { id: workspace.id }));
      assert.equal(directStats.runs, runs0);
      const d = await t.db.transaction().execute((trx) =>
        directWithin(trx, async () => [await direct.bump(trx, { id: workspace.id, n: 5 }), await direct.read(trx, { id: workspace.id }), await direct.bump(trx, { id: 'nope', n: 1 })] as const),
      );
      assert.equal(directStats.runs - runs0, t.kind === 'sqlite' ? 3 : 0, 'a live transaction runs them on the connection (SQLite)');
      // Kysely has both texts cached already: new prepares are the direct path's own, once each.
      assert.equal(prepares - afterKysely, t.kind === 'sqlite' ? 2 : 0, 'prepared once each on the handle');
      assert.equal(k1.numAffectedRows, 1n);
      assert.equal(d[0].numAffectedRows, 1n);
      assert.equal(d[2].numAffectedRows, 0n);
      assert.deepEqual(d[0].rows, k1.rows);
      assert.equal(d[1].rows[0]!.balance, k2.rows[0]!.balance + 5);
      // What ran directly is part of the transaction: a failure rolls it back.
      await assert.rejects(
        t.db.transaction().execute((trx) =>
          directWithin(trx, async () => {
            await direct.bump(trx, { id: workspace.id, n: 1000 });
            throw new Error('boom');
          }),
        ),
        /boom/,
      );
      assert.equal((await viaKysely.read(t.db, { id: workspace.id })).rows[0]!.balance, k2.rows[0]!.balance + 5, 'rolled back');
      // A transaction used after its commit is refused (by Kysely), never run in autocommit.
      let stale: Parameters<typeof direct.read>[0] | undefined;
      await t.db.transaction().execute(async (trx) => {
        stale = trx;
      });
      await assert.rejects(direct.bump(stale!, { id: workspace.id, n: 1 }));
      // The credit store's hot statements take the direct path on SQLite.
      const credits = createCreditsStore(t.db, randomIds, systemClock);
      const runs1 = directStats.runs;
      await credits.hold({ workspaceId: workspace.id, responseId: 'resp_direct', amount: 1, owner: 'inst_a' });
      assert.equal(directStats.runs - runs1, t.kind === 'sqlite' ? 2 : 0, 'hold: the conditional update and the hold row');
    } finally {
      if (handle) delete (handle as { prepare?: unknown }).prepare;
    }
  });
});
