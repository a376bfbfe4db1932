/**
 * The credits store on every database: holds never overdraw under
 * concurrency (two connections racing on PostgreSQL), settle is atomic and
 * never double-debits, grants/adjustments keep the ledger and the balance in
 * step, holds of dead owners are released.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { createAccountsStore } from '../../src/storage/accounts-store.js';
import type { ResponseObject } from '../../src/responses/types.js';
import { createCreditsStore } from '../../src/storage/credits-store.js';
import { createResponsesStore, type StoredResponse } from '../../src/storage/responses-store.js';
import { unitOfWorkOf } from '../../src/storage/unit-of-work.js';
import { randomIds, systemClock } from '../../src/util/ids.js';
import { forEachDatabase } from '../helpers/databases.js';

/** A finished response of `workspaceId` to store with what it cost. */
function storedResponse(id: string, workspaceId: string): StoredResponse {
  return {
    id,
    workspaceId,
    keyId: 'key_1',
    status: 'completed',
    background: false,
    personaId: 'hospital-cfo',
    engine: 'sandbox',
    createdAt: 1,
    updatedAt: 1,
    body: { id, object: 'response', status: 'completed', output: [] } as unknown as ResponseObject,
    context: [],
    inputItems: [],
    events: null,
    owner: null,
  };
}

forEachDatabase('credits store', (t) => {
  it('holds never overdraw, even from two connections at once', async () => {
    const accounts = createAccountsStore(t.db, randomIds, systemClock);
    const { workspace } = await accounts.createWorkspace('race', 'free'); // 100 credits
    const credits = createCreditsStore(t.db, randomIds, systemClock);
    // PostgreSQL: a second pool races the first. SQLite: one connection per process (two in one
    // thread would block each other's busy handler); other processes are covered by the Redis suite.
    const other = t.kind === 'postgres' ? createCreditsStore(await t.open(), randomIds, systemClock) : credits;
    const attempts = await Promise.allSettled(
      Array.from({ length: 40 }, (_, i) => (i % 2 ? credits : other).hold({ workspaceId: workspace.id, responseId: `resp_${i}`, amount: 7, owner: 'inst_a' })),
    );
    const held = attempts.filter((a) => a.status === 'fulfilled').length;
    assert.equal(held, 14, '14 × 7 = 98 ≤ 100 < 105');
    for (const a of attempts) if (a.status === 'rejected') assert.equal((a.reason as { code: string }).code, 'credits_exhausted');
    const s = await credits.summary(workspace.id);
    assert.equal(s.held, 98);
    assert.equal(s.available, 2);
  });

  it('settles once: debit, release, ledger row with the balance after', async () => {
    const accounts = createAccountsStore(t.db, randomIds, systemClock);
    const credits = createCreditsStore(t.db, randomIds, systemClock);
    const { workspace } = await accounts.createWorkspace('settle', 'pro');
    const hold = await credits.hold({ workspaceId: workspace.id, responseId: 'resp_settle', amount: 5, owner: 'inst_a' });
    await credits.settle({ hold, credits: 3, operation: 'responses', keyId: 'key_1', personaId: 'hospital-cfo', inputTokens: 10, outputTokens: 20 });
    await assert.rejects(credits.settle({ hold, credits: 3, operation: 'responses', keyId: 'key_1', personaId: null, inputTokens: 0, outputTokens: 0 }));
    const s = await credits.summary(workspace.id);
    assert.deepEqual([s.balance, s.held, s.month_spend], [4997, 0, 3]);
    const ledger = await credits.ledger(workspace.id, { limit: 10 });
    assert.deepEqual(
      ledger.map((l) => [l.kind, l.amount, l.balance_after, l.response_id]),
      [
        ['debit', -3, 4997, 'resp_settle'],
        ['grant', 5000, 5000, null],
      ],
    );
    const usage = await credits.usage(workspace.id, { from: 0, to: 2 ** 40, groupBy: 'persona' });
    assert.deepEqual(usage, [{ persona: 'hospital-cfo', mode: 'live', credits: 3, requests: 1, input_tokens: 10, output_tokens: 20 }]);
  });

  it('counts test-key requests apart, at zero cost, with their response in the same transaction', async () => {
    const accounts = createAccountsStore(t.db, randomIds, systemClock);
    const credits = createCreditsStore(t.db, randomIds, systemClock);
    const { workspace } = await accounts.createWorkspace('sandbox-usage', 'pro');
    const hold = await credits.hold({ workspaceId: workspace.id, responseId: 'resp_live1', amount: 5, owner: 'inst_a' });
    await credits.settle({ hold, credits: 2, operation: 'responses', keyId: 'key_live', personaId: 'hospital-cfo', inputTokens: 4, outputTokens: 6 });
    const response = storedResponse('resp_test1', workspace.id);
    await unitOfWorkOf(t.db)(async (trx) => {
      await credits.recordTest({ workspaceId: workspace.id, operation: 'responses', responseId: 'resp_test1', keyId: 'key_test', personaId: 'hospital-cfo', inputTokens: 10, outputTokens: 20 }, trx);
      await createResponsesStore(t.db).insert(response, trx);
    });
    await credits.recordTest({ workspaceId: workspace.id, operation: 'responses', responseId: 'resp_test2', keyId: 'key_test', personaId: null, inputTokens: 1, outputTokens: 2 });
    const stored = await t.db.selectFrom('responses').select('id').where('id', '=', 'resp_test1').executeTakeFirst();
    assert.equal(stored?.id, 'resp_test1');
    const usage = await credits.usage(workspace.id, { from: 0, to: 2 ** 40, groupBy: 'persona' });
    assert.deepEqual(usage, [
      { persona: null, mode: 'test', credits: 0, requests: 1, input_tokens: 1, output_tokens: 2 },
      { persona: 'hospital-cfo', mode: 'live', credits: 2, requests: 1, input_tokens: 4, output_tokens: 6 },
      { persona: 'hospital-cfo', mode: 'test', credits: 0, requests: 1, input_tokens: 10, output_tokens: 20 },
    ]);
    const s = await credits.summary(workspace.id);
    assert.equal(s.balance, 4998, 'test traffic leaves the balance alone');
    assert.deepEqual((await credits.ledger(workspace.id, { limit: 10 })).map((l) => l.kind), ['debit', 'grant'], 'and the ledger');
  });

  it('grants and adjusts, refusing to go below what is held', async () => {
    const accounts = createAccountsStore(t.db, randomIds, systemClock);
    const credits = createCreditsStore(t.db, randomIds, systemClock);
    const { workspace } = await accounts.createWorkspace('adjust', 'free');
    await credits.hold({ workspaceId: workspace.id, responseId: 'resp_a', amount: 60, owner: 'inst_dead' });
    await assert.rejects(credits.change({ workspaceId: workspace.id, kind: 'adjustment', amount: -50, reason: 'x' }), { code: 'validation_error' });
    const s = await credits.change({ workspaceId: workspace.id, kind: 'grant', amount: 25, reason: 'bonus' });
    assert.equal(s.balance, 125);
    assert.equal(await credits.releaseHoldsOf(['inst_dead']), 1);
    assert.equal((await credits.summary(workspace.id)).held, 0);
  });

  it('enforces the monthly budget', async () => {
    const accounts = createAccountsStore(t.db, randomIds, systemClock);
    const credits = createCreditsStore(t.db, randomIds, systemClock);
    const { workspace } = await accounts.createWorkspace('budget', 'pro');
    await credits.setBudget(workspace.id, 10);
    const h = await credits.hold({ workspaceId: workspace.id, responseId: 'r1', amount: 8, owner: 'i' });
    await assert.rejects(credits.hold({ workspaceId: workspace.id, responseId: 'r2', amount: 3, owner: 'i' }), { code: 'budget_exceeded' });
    await credits.settle({ hold: h, credits: 8, operation: 'responses', keyId: 'k', personaId: null, inputTokens: 1, outputTokens: 1 });
    await credits.hold({ workspaceId: workspace.id, responseId: 'r3', amount: 2, owner: 'i' });
    await assert.rejects(credits.hold({ workspaceId: workspace.id, responseId: 'r4', amount: 1, owner: 'i' }), { code: 'budget_exceeded' });
  });

  it('a hold and the response it is for commit together: a refused hold stores no response', async () => {
    const accounts = createAccountsStore(t.db, randomIds, systemClock);
    const credits = createCreditsStore(t.db, randomIds, systemClock);
    const responses = createResponsesStore(t.db);
    const unitOfWork = unitOfWorkOf(t.db);
    const { workspace } = await accounts.createWorkspace('hold-and-row', 'free'); // 100 credits
    const admit = (id: string, amount: number) =>
      unitOfWork(async (trx) => {
        const hold = await credits.hold({ workspaceId: workspace.id, responseId: id, amount, owner: 'inst_a' }, trx);
        await responses.insert({ ...storedResponse(id, workspace.id), status: 'in_progress', owner: 'inst_a' }, trx);
        return hold;
      });
    // Two at once (one group-committed batch on SQLite, two racing transactions on PostgreSQL): one fits.
    const ids = ['resp_race_a', 'resp_race_b'];
    const outcomes = await Promise.allSettled(ids.map((id) => admit(id, 60)));
    assert.deepEqual(outcomes.map((o) => o.status).sort(), ['fulfilled', 'rejected']);
    for (const [i, o] of outcomes.entries()) {
      const stored = await responses.get(workspace.id, ids[i]!, []);
      if (o.status === 'fulfilled') assert.equal(stored?.status, 'in_progress');
      else {
        assert.equal((o.reason as { code: string }).code, 'credits_exhausted');
        assert.equal(stored, undefined, 'the refused hold left no response');
      }
    }
    assert.equal((await credits.summary(workspace.id)).held, 60);
  });

  it('a settlement and its response commit together: when storing the response fails, nothing is debited', async () => {
    const accounts = createAccountsStore(t.db, randomIds, systemClock);
    const credits = createCreditsStore(t.db, randomIds, systemClock);
    const responses = createResponsesStore(t.db);
    const unitOfWork = unitOfWorkOf(t.db);
    const { workspace } = await accounts.createWorkspace('settle-and-row', 'pro');
    const hold = await credits.hold({ workspaceId: workspace.id, responseId: 'resp_dup', amount: 5, owner: 'inst_a' });
    const existing = storedResponse('resp_dup', workspace.id);
    await responses.insert(existing);
    const settlement = { hold, credits: 3, operation: 'responses', keyId: 'key_1', personaId: null, inputTokens: 1, outputTokens: 2 };
    // The settlement runs, then the insert fails on the existing id: the unit of work rolls back as a whole.
    await assert.rejects(
      unitOfWork(async (trx) => {
        await credits.settle(settlement, trx);
        await responses.insert({ ...existing, status: 'failed' }, trx);
      }),
    );
    const s = await credits.summary(workspace.id);
    assert.deepEqual([s.balance, s.held, s.month_spend], [5000, 5, 0]);
    assert.deepEqual((await credits.ledger(workspace.id, { limit: 10 })).map((l) => l.kind), ['grant']);
    assert.equal((await responses.get(workspace.id, 'resp_dup', []))?.status, 'completed');
    // The hold is still there to settle, with its response.
    await unitOfWork(async (trx) => {
      await credits.settle(settlement, trx);
      await responses.upsert({ ...existing, updatedAt: 2 }, trx);
    });
    assert.deepEqual([(await credits.summary(workspace.id)).balance, (await responses.get(workspace.id, 'resp_dup', []))?.updatedAt], [4997, 2]);
  });
});
