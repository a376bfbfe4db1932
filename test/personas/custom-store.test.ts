/**
 * The custom persona store on every database: create (with and without a
 * charge, atomically), versions, soft delete, workspace isolation, listing
 * in byte order with filters and search (LIKE wildcards taken literally),
 * and concurrent updates from two connections getting distinct versions.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createAccountsStore } from '../../src/storage/accounts-store.js';
import { createCreditsStore } from '../../src/storage/credits-store.js';
import { createCustomPersonasStore, type NewCustomPersona } from '../../src/storage/custom-personas-store.js';
import { StoredDataError } from '../../src/storage/stored-json.js';
import { randomIds, systemClock } from '../../src/util/ids.js';
import { forEachDatabase } from '../helpers/databases.js';
import { personas } from '../helpers/app.js';

const template = personas.find((p) => p.id === 'b2b-saas-buyer')!;

function input(workspaceId: string, over: Partial<NewCustomPersona> = {}): NewCustomPersona {
  return {
    workspaceId,
    name: 'Ops leader',
    category: 'Professional',
    description: 'Runs operations at a mid-market company.',
    is_expert: false,
    type: 'B2B',
    profile: structuredClone(template.profile),
    guided: { buying_stage: 'SOLUTION_AWARE', decision_role: 'ECONOMIC_BUYER' },
    pipeline_type: 'advanced',
    cloned_from: null,
    credits_charged: 300,
    created_by_key: 'key_1',
    ...over,
  };
}

forEachDatabase('custom personas store', (t) => {
  it('creates version 1 and reads it back; other workspaces see nothing', async () => {
    const accounts = createAccountsStore(t.db, randomIds, systemClock);
    const store = createCustomPersonasStore(t.db, randomIds, systemClock);
    const { workspace: a } = await accounts.createWorkspace('cp-a', 'pro');
    const { workspace: b } = await accounts.createWorkspace('cp-b', 'pro');
    const { persona, charge } = await store.create(input(a.id));
    assert.equal(charge, null);
    assert.match(persona.id, /^cp_[0-9a-f]{24}$/);
    assert.equal(persona.version, 1);
    const got = await store.get(a.id, persona.id);
    assert.deepEqual(got, persona);
    assert.equal(got!.profile.demographics.age_range, template.profile.demographics.age_range);
    assert.deepEqual(got!.guided, { buying_stage: 'SOLUTION_AWARE', decision_role: 'ECONOMIC_BUYER' });
    assert.equal(await store.get(b.id, persona.id), undefined);
    assert.equal((await store.list(b.id, { limit: 10 })).data.length, 0);
    assert.deepEqual(await store.versions(a.id, persona.id), [{ version: 1, created_at: persona.created_at }]);
  });

  it('charges and creates in one transaction, or neither (402 leaves nothing)', async () => {
    const accounts = createAccountsStore(t.db, randomIds, systemClock);
    const credits = createCreditsStore(t.db, randomIds, systemClock);
    const store = createCustomPersonasStore(t.db, randomIds, systemClock);
    const { workspace: rich } = await accounts.createWorkspace('cp-rich', 'pro'); // 5000
    const { workspace: poor } = await accounts.createWorkspace('cp-poor', 'free'); // 100
    const charge = { amount: 300, operation: 'persona_create', keyId: 'key_1', reason: 'test' };
    const { persona, charge: c } = await store.create(input(rich.id), { charge });
    assert.equal(c!.balanceAfter, 4700);
    const ledger = await credits.ledger(rich.id, { limit: 5 });
    assert.deepEqual([ledger[0]!.kind, ledger[0]!.amount, ledger[0]!.operation, ledger[0]!.persona_id, ledger[0]!.key_id, ledger[0]!.response_id], ['debit', -300, 'persona_create', persona.id, 'key_1', null]);
    assert.equal((await credits.summary(rich.id)).month_spend, 300);

    await assert.rejects(store.create(input(poor.id), { charge }), { code: 'credits_exhausted', status: 402 });
    assert.equal((await store.list(poor.id, { limit: 10 })).data.length, 0);
    assert.equal((await credits.summary(poor.id)).balance, 100);
    assert.deepEqual((await credits.ledger(poor.id, { limit: 5 })).map((l) => l.kind), ['grant']);

    await credits.setBudget(rich.id, 500);
    await assert.rejects(store.create(input(rich.id), { charge }), { code: 'budget_exceeded', status: 402 });
    assert.equal((await store.list(rich.id, { limit: 10 })).data.length, 1);
  });

  it('the credits store charges non-response operations with the same checks', async () => {
    const accounts = createAccountsStore(t.db, randomIds, systemClock);
    const credits = createCreditsStore(t.db, randomIds, systemClock);
    const { workspace } = await accounts.createWorkspace('cp-charge', 'free');
    const other = createCreditsStore(await t.open(), randomIds, systemClock);
    const attempts = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => (i % 2 ? credits : other).charge({ workspaceId: workspace.id, amount: 30, operation: 'persona_clone', keyId: null, personaId: null, reason: null })));
    assert.equal(attempts.filter((a) => a.status === 'fulfilled').length, 3, '3 × 30 ≤ 100 < 4 × 30');
    assert.equal((await credits.summary(workspace.id)).balance, 10);
    let wrote = false;
    await assert.rejects(
      credits.charge({ workspaceId: workspace.id, amount: 20, operation: 'x', keyId: null, personaId: null, reason: null }, async () => {
        wrote = true;
      }),
      { code: 'credits_exhausted' },
    );
    assert.equal(wrote, false, 'nothing paid for is written when the debit fails');
  });

  it('updates write new versions; earlier versions stay readable; no-op updates write none', async () => {
    const accounts = createAccountsStore(t.db, randomIds, systemClock);
    const store = createCustomPersonasStore(t.db, randomIds, systemClock);
    const { workspace } = await accounts.createWorkspace('cp-versions', 'pro');
    const { persona } = await store.create(input(workspace.id));
    const r = await store.update(workspace.id, persona.id, (cur) => ({ ...cur, name: 'Ops leader v2', profile: { ...cur.profile, goals: ['ship faster'] } }));
    assert.equal(r!.changed, true);
    assert.equal(r!.persona.version, 2);
    assert.equal((await store.get(workspace.id, persona.id))!.name, 'Ops leader v2');
    const v1 = await store.get(workspace.id, persona.id, { version: 1 });
    assert.equal(v1!.name, 'Ops leader');
    assert.equal(v1!.version, 1);
    assert.deepEqual(v1!.profile.goals, template.profile.goals);
    assert.equal(await store.get(workspace.id, persona.id, { version: 3 }), undefined);
    const same = await store.update(workspace.id, persona.id, () => null);
    assert.deepEqual([same!.changed, same!.persona.version], [false, 2]);
    assert.equal(await store.update(workspace.id, 'cp_nope', (c) => c), undefined);
  });

  it('concurrent updates from two connections each get their own version', async () => {
    const accounts = createAccountsStore(t.db, randomIds, systemClock);
    const store = createCustomPersonasStore(t.db, randomIds, systemClock);
    // PostgreSQL: a second pool racing for real. SQLite: one process cannot race two connections (busy_timeout waits
    // synchronously, blocking the event loop the lock holder needs), so both stores share the connection there;
    // across processes the write-first lock in update() serializes them.
    const other = t.kind === 'postgres' ? createCustomPersonasStore(await t.open(), randomIds, systemClock) : store;
    const { workspace } = await accounts.createWorkspace('cp-race', 'pro');
    const { persona } = await store.create(input(workspace.id));
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        (i % 2 ? store : other).update(workspace.id, persona.id, (cur) => ({ ...cur, profile: { ...cur.profile, goals: [...cur.profile.goals, `goal ${i}`] } })),
      ),
    );
    assert.deepEqual(results.map((r) => r!.persona.version).sort((a, b) => a - b), [2, 3, 4, 5, 6, 7, 8, 9]);
    const final = await store.get(workspace.id, persona.id);
    assert.equal(final!.version, 9);
    for (let i = 0; i < 8; i++) assert.ok(final!.profile.goals.includes(`goal ${i}`), `no lost update (goal ${i})`);
    assert.equal((await store.versions(workspace.id, persona.id)).length, 9);
  });

  it('soft-deletes: gone from get and list, still resolvable with includeDeleted; no updates after', async () => {
    const accounts = createAccountsStore(t.db, randomIds, systemClock);
    const store = createCustomPersonasStore(t.db, randomIds, systemClock);
    const { workspace } = await accounts.createWorkspace('cp-delete', 'pro');
    const { workspace: other } = await accounts.createWorkspace('cp-delete-other', 'pro');
    const { persona } = await store.create(input(workspace.id));
    assert.equal(await store.softDelete(other.id, persona.id), false);
    assert.equal(await store.softDelete(workspace.id, persona.id), true);
    assert.equal(await store.softDelete(workspace.id, persona.id), false);
    assert.equal(await store.get(workspace.id, persona.id), undefined);
    assert.equal((await store.list(workspace.id, { limit: 10 })).data.length, 0);
    const kept = await store.get(workspace.id, persona.id, { includeDeleted: true });
    assert.ok(kept && kept.deleted_at !== null);
    assert.equal(await store.update(workspace.id, persona.id, (c) => c), undefined);
  });

  it('lists in byte order with cursor, category, expert and search filters', async () => {
    const accounts = createAccountsStore(t.db, randomIds, systemClock);
    const store = createCustomPersonasStore(t.db, randomIds, systemClock);
    const { workspace } = await accounts.createWorkspace('cp-list', 'pro');
    const names = ['Alpha 100% buyer', 'Beta_tester', 'Gamma analyst', 'Delta expert', 'Epsilon'];
    for (const [i, name] of names.entries()) {
      await store.create(input(workspace.id, { name, category: i === 3 ? 'Expert' : 'Professional', is_expert: i === 3 }));
    }
    const all = await store.list(workspace.id, { limit: 100 });
    const ids = all.data.map((p) => p.id);
    assert.deepEqual(ids, [...ids].sort());
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await store.list(workspace.id, { limit: 2, ...(after ? { after } : {}) });
      seen.push(...page.data.map((p) => p.id));
      if (!page.has_more) break;
      after = page.data[page.data.length - 1]!.id;
    }
    assert.deepEqual(seen, ids);
    // A cursor that is a built-in id (merged listings) compares byte-wise too.
    assert.deepEqual((await store.list(workspace.id, { limit: 100, after: 'cl' })).data.map((p) => p.id), ids);
    assert.deepEqual((await store.list(workspace.id, { limit: 100, after: 'cq' })).data, []);
    assert.deepEqual((await store.list(workspace.id, { limit: 100, category: 'Expert' })).data.map((p) => p.name), ['Delta expert']);
    assert.deepEqual((await store.list(workspace.id, { limit: 100, expert: true })).data.map((p) => p.name), ['Delta expert']);
    assert.deepEqual((await store.list(workspace.id, { limit: 100, search: 'GAMMA analyst' })).data.map((p) => p.name), ['Gamma analyst']);
    assert.deepEqual((await store.list(workspace.id, { limit: 100, search: '100%' })).data.map((p) => p.name), ['Alpha 100% buyer']);
    assert.deepEqual((await store.list(workspace.id, { limit: 100, search: 'gamma_analyst' })).data.map((p) => p.name), [], '_ is not a wildcard');
    assert.deepEqual((await store.list(workspace.id, { limit: 100, search: 'mid-market' })).data.length, 5, 'search reads descriptions');
  });

  it('missing names the ids with no live persona, in any workspace', async () => {
    const accounts = createAccountsStore(t.db, randomIds, systemClock);
    const store = createCustomPersonasStore(t.db, randomIds, systemClock);
    const { workspace } = await accounts.createWorkspace('cp-missing', 'pro');
    const { persona: live } = await store.create(input(workspace.id));
    const { persona: gone } = await store.create(input(workspace.id));
    await store.softDelete(workspace.id, gone.id);
    assert.deepEqual(await store.missing([gone.id, live.id, 'cp_000000000000000000000000']), [gone.id, 'cp_000000000000000000000000']);
    assert.deepEqual(await store.missing([live.id]), []);
    assert.deepEqual(await store.missing([]), []);
  });

  it('a corrupt stored profile or guided column is a StoredDataError naming the row and the column', async () => {
    const accounts = createAccountsStore(t.db, randomIds, systemClock);
    const store = createCustomPersonasStore(t.db, randomIds, systemClock);
    const { workspace } = await accounts.createWorkspace('cp-corrupt', 'pro');
    const corrupt = async (set: { profile?: string; guided?: string }, column: string, problem: RegExp) => {
      const { persona: v1 } = await store.create(input(workspace.id));
      const persona = (await store.update(workspace.id, v1.id, (cur) => ({ ...cur, name: 'Ops leader v2' })))!.persona;
      await t.db.updateTable('custom_personas').set(set).where('id', '=', persona.id).execute();
      const named = (table: string, rowId: string) => (err: unknown) => {
        assert.ok(err instanceof StoredDataError, String(err));
        assert.deepEqual([err.table, err.rowId, err.column], [table, rowId, column]);
        assert.match(err.message, problem);
        return true;
      };
      await assert.rejects(store.get(workspace.id, persona.id), named('custom_personas', persona.id));
      await assert.rejects(store.list(workspace.id, { limit: 100 }), StoredDataError);
      // The current row intact again, the stored version corrupt.
      await t.db.updateTable('custom_personas').set({ profile: JSON.stringify(persona.profile), guided: JSON.stringify(persona.guided) }).where('id', '=', persona.id).execute();
      assert.deepEqual(await store.get(workspace.id, persona.id), persona);
      assert.equal((await store.get(workspace.id, persona.id, { version: 1 }))?.name, 'Ops leader');
      await t.db.updateTable('custom_persona_versions').set(set).where('persona_id', '=', persona.id).where('version', '=', 1).execute();
      await assert.rejects(store.get(workspace.id, persona.id, { version: 1 }), named('custom_persona_versions', `${persona.id}@1`));
      await t.db.deleteFrom('custom_persona_versions').where('persona_id', '=', persona.id).execute();
      await t.db.deleteFrom('custom_personas').where('id', '=', persona.id).execute();
    };
    await corrupt({ profile: '{"demographics":' }, 'profile', /is not valid JSON/);
    await corrupt({ profile: '[]' }, 'profile', /is not a JSON object/);
    const { communication: _c, ...withoutCommunication } = template.profile;
    await corrupt({ profile: JSON.stringify(withoutCommunication) }, 'profile', /has no communication object/);
    await corrupt({ profile: JSON.stringify({ ...template.profile, goals: 'grow' }) }, 'profile', /has no goals array/);
    await corrupt({ guided: 'null' }, 'guided', /is not a JSON object/);
  });
});
