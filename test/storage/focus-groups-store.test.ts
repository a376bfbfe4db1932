/**
 * The focus-groups store on every database: creation with the plan's
 * concurrency limit and the credit hold in one transaction (429 / 402 leave
 * nothing), the idempotency key's uniqueness, newest-first paging, claiming
 * abandoned studies, the answer checkpoint (recorded / duplicate / stopped,
 * each debit exactly once out of the hold), finishing (the rest of the hold
 * released once), respondent pages and the streamed answer reader.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { Migrator } from 'kysely';
import { ApiError } from '../../src/errors/api-error.js';
import type { StudyRecord } from '../../src/focus-groups/study.js';
import { createAccountsStore } from '../../src/storage/accounts-store.js';
import { createCreditsStore } from '../../src/storage/credits-store.js';
import { createFocusGroupsStore, type AnswerToRecord } from '../../src/storage/focus-groups-store.js';
import { migrate, openDatabase } from '../../src/storage/db.js';
import { migrations } from '../../src/storage/migrations/index.js';
import { randomIds, systemClock } from '../../src/util/ids.js';
import { forEachDatabase } from '../helpers/databases.js';

let n = 0;
function study(workspaceId: string, over: Partial<StudyRecord> = {}): StudyRecord {
  n += 1;
  return {
    id: `fg_${String(n).padStart(12, '0')}`,
    workspaceId,
    keyId: 'key_1',
    keyMode: 'live',
    name: `Study ${n}`,
    status: 'pending',
    mode: 'survey',
    definition: { name: `Study ${n}`, mode: 'survey', personas: [{ persona_id: 'gen-z-consumer', respondents: 2 }], questions: [{ id: 'q1', type: 'nps', text: 'Recommend?' }], seed: 7 },
    metadata: { team: 'x' },
    respondentsTotal: 2,
    questionsTotal: 1,
    respondentsDone: 0,
    answersDone: 0,
    answersFailed: 0,
    answersSkipped: 0,
    creditsEstimated: 2,
    creditsMax: 6,
    creditsUsed: 0,
    holdId: null,
    owner: 'inst_a',
    idempotencyKey: null,
    requestHash: null,
    error: null,
    createdAt: 1000 + n,
    startedAt: null,
    completedAt: null,
    updatedAt: 1000 + n,
    ...over,
  };
}

function answer(s: StudyRecord, respondent: number, question: number, over: Partial<AnswerToRecord> = {}): AnswerToRecord {
  return {
    study_id: s.id,
    respondent_index: respondent,
    question_index: question,
    question_id: `q${question + 1}`,
    type: 'nps',
    status: 'answered',
    value: { value: 8, reasoning: 'Good value.' },
    reasoning: 'Good value.',
    credits: 2,
    input_tokens: 900,
    output_tokens: 40,
    attempts: 1,
    error: null,
    created_at: 2000,
    raw: '{"reasoning":"Good value.","score":8}',
    ...over,
  };
}

forEachDatabase('focus groups store', (t) => {
  const setup = async (name: string, credits = 100) => {
    const accounts = createAccountsStore(t.db, randomIds, systemClock);
    const credit = createCreditsStore(t.db, randomIds, systemClock);
    const store = createFocusGroupsStore(t.db, systemClock);
    const { workspace } = await accounts.createWorkspace(name, 'pro');
    const grant = credits - Number(workspace.balance);
    if (grant !== 0) await credit.change({ workspaceId: workspace.id, kind: grant > 0 ? 'grant' : 'adjustment', amount: grant, reason: null });
    return { store, credit, ws: workspace.id };
  };

  it('creates a study with its hold, reads it back parsed, and isolates workspaces', async () => {
    const { store, credit, ws } = await setup('fg-create');
    const s = study(ws, { holdId: 'hold_fg1' });
    await store.create({ study: s, images: ['data:image/png;base64,AAAA'], concurrencyLimit: 5, hold: { id: 'hold_fg1', amount: 6 } });
    const got = await store.get(ws, s.id);
    assert.deepEqual(got, s);
    assert.deepEqual(got!.definition.questions[0], { id: 'q1', type: 'nps', text: 'Recommend?' });
    assert.deepEqual(await store.images(s.id), ['data:image/png;base64,AAAA']);
    assert.equal(await store.get('ws_other', s.id), undefined);
    const c = await credit.summary(ws);
    assert.deepEqual([c.balance, c.held], [100, 6]);
  });

  it('refuses beyond the concurrency limit (429) and beyond the balance (402), writing nothing', async () => {
    const { store, credit, ws } = await setup('fg-limits', 10);
    await store.create({ study: study(ws), images: null, concurrencyLimit: 1, hold: null });
    const second = study(ws);
    await assert.rejects(store.create({ study: second, images: null, concurrencyLimit: 1, hold: null }), (e: unknown) => e instanceof ApiError && e.status === 429 && e.headers['retry-after'] === '30');
    assert.equal(await store.get(ws, second.id), undefined);
    const big = study(ws);
    await assert.rejects(store.create({ study: big, images: null, concurrencyLimit: 5, hold: { id: 'hold_big', amount: 11 } }), (e: unknown) => e instanceof ApiError && e.code === 'credits_exhausted');
    assert.equal(await store.get(ws, big.id), undefined);
    assert.equal((await credit.summary(ws)).held, 0);
    // A finished study no longer counts.
    const first = (await store.list(ws, { limit: 10 })).data[0]!;
    await store.finish(first.id, 'completed');
    await store.create({ study: study(ws), images: null, concurrencyLimit: 1, hold: null });
  });

  it('keeps idempotency keys unique per workspace', async () => {
    const { store, ws } = await setup('fg-idem');
    const a = study(ws, { idempotencyKey: 'k1', requestHash: 'h' });
    await store.create({ study: a, images: null, concurrencyLimit: null, hold: null });
    await assert.rejects(store.create({ study: study(ws, { idempotencyKey: 'k1' }), images: null, concurrencyLimit: null, hold: null }));
    assert.equal((await store.byIdempotencyKey(ws, 'k1'))!.id, a.id);
    assert.equal(await store.byIdempotencyKey(ws, 'k2'), undefined);
  });

  it('lists newest first, paged with after', async () => {
    const { store, ws } = await setup('fg-list');
    const made: string[] = [];
    for (let i = 0; i < 5; i++) {
      const s = study(ws);
      made.push(s.id);
      await store.create({ study: s, images: null, concurrencyLimit: null, hold: null });
    }
    const p1 = await store.list(ws, { limit: 2 });
    assert.deepEqual(p1.data.map((s) => s.id), [made[4], made[3]]);
    assert.equal(p1.has_more, true);
    const p2 = await store.list(ws, { limit: 2, after: made[3]! });
    assert.deepEqual(p2.data.map((s) => s.id), [made[2], made[1]]);
    const p3 = await store.list(ws, { limit: 2, after: made[1]! });
    assert.deepEqual(p3.data.map((s) => s.id), [made[0]]);
    assert.equal(p3.has_more, false);
    await assert.rejects(store.list(ws, { limit: 2, after: 'fg_nope' }), (e: unknown) => e instanceof ApiError && e.param === 'after');
  });

  it('claims only what nobody alive runs', async () => {
    const { store, ws } = await setup('fg-claim');
    const mine = study(ws, { owner: 'inst_dead' });
    const alive = study(ws, { owner: 'inst_alive' });
    const orphan = study(ws, { owner: null });
    for (const s of [mine, alive, orphan]) await store.create({ study: s, images: null, concurrencyLimit: null, hold: null });
    const taken = await store.claimAbandoned('inst_new', ['inst_dead']);
    assert.deepEqual(taken.sort(), [mine.id, orphan.id].sort());
    assert.equal(await store.claim(alive.id, 'inst_new'), false);
    assert.equal(await store.claim(alive.id, 'inst_new', ['inst_alive']), true);
    assert.equal((await store.getById(alive.id))!.owner, 'inst_new');
  });

  it('checkpoints answers: each debited once out of the hold; duplicates and stopped studies change nothing', async () => {
    const { store, credit, ws } = await setup('fg-answers');
    const s = study(ws, { holdId: 'hold_ans', creditsMax: 6, respondentsTotal: 2 });
    await store.create({ study: s, images: null, concurrencyLimit: null, hold: { id: 'hold_ans', amount: 6 } });
    assert.equal(await store.markProcessing(s.id, 'inst_a'), true);
    const charge = (r: number) => ({ holdId: 'hold_ans', workspaceId: ws, keyId: 'key_1', personaId: 'gen-z-consumer', ledgerKey: `fga_${s.id}_${r}_0` });
    assert.equal(await store.recordAnswer(answer(s, 0, 0), charge(0)), 'recorded');
    assert.equal(await store.recordAnswer(answer(s, 0, 0, { value: { value: 3 } }), charge(0)), 'duplicate');
    let c = await credit.summary(ws);
    assert.deepEqual([c.balance, c.held], [98, 4]);
    const stored = await store.answersOf(s.id, 0);
    assert.equal(stored.length, 1);
    assert.deepEqual(stored[0]!.value, { value: 8, reasoning: 'Good value.' }, 'the first answer stays');
    assert.equal(stored[0]!.raw, '{"reasoning":"Good value.","score":8}');
    // Concurrent answers of different respondents share SQLite transactions; each is exact.
    const outcomes = await Promise.all([
      store.recordAnswer(answer(s, 1, 0, { credits: 3 }), charge(1)),
      store.recordAnswer(answer(s, 1, 0, { credits: 3 }), charge(1)),
    ]);
    assert.deepEqual(outcomes.sort(), ['duplicate', 'recorded']);
    c = await credit.summary(ws);
    assert.deepEqual([c.balance, c.held], [95, 1]);
    const ledger = await credit.ledger(ws, { limit: 10 });
    assert.deepEqual(ledger.filter((l) => l.kind === 'debit').map((l) => l.amount).sort((a, b) => a - b), [-3, -2]);
    const got = await store.getById(s.id);
    assert.deepEqual([got!.answersDone, got!.creditsUsed], [2, 5]);
    // Cancelled: the rest of the hold is released once; later answers are refused.
    const ended = await store.finish(s.id, 'cancelled');
    assert.equal(ended!.status, 'cancelled');
    assert.equal(await store.finish(s.id, 'completed'), undefined);
    assert.equal(await store.recordAnswer(answer(s, 2, 0), charge(2)), 'stopped');
    c = await credit.summary(ws);
    assert.deepEqual([c.balance, c.held], [95, 0]);
    assert.equal((await store.answersOf(s.id, 2)).length, 0);
  });

  it('counts skipped and failed answers free, completes a respondent once, pages respondents and streams answers', async () => {
    const { store, ws } = await setup('fg-pages');
    const s = study(ws, { keyMode: 'test', respondentsTotal: 5, questionsTotal: 2 });
    await store.create({ study: s, images: null, concurrencyLimit: null, hold: null });
    await store.markProcessing(s.id, 'inst_a');
    const profile = {
      name: 'Ana Silva',
      age: 30,
      age_band: '25-34',
      gender: 'female' as const,
      region: 'X',
      country: 'BR',
      income: { band: 'Z', amount: null, currency: null, period: null, basis: null },
      household: 'H',
      attributes: {},
      traits: { big_five: { openness: 60, conscientiousness: 50, extraversion: 50, agreeableness: 50, neuroticism: 50 }, price_sensitivity: 0.5, brand_loyalty: 0.5, tech_adoption: 0.5, risk_tolerance: 0.5 },
    };
    for (let r = 0; r < 5; r++) {
      const rec = await store.startRespondent(s.id, r, r < 3 ? 'gen-z-consumer' : 'hospital-cfo', { ...profile, age: 30 + r });
      assert.equal(rec.profile.age, 30 + r);
      await store.recordAnswer(answer(s, r, 0, { credits: 1 }), null);
      await store.recordAnswer(answer(s, r, 1, { status: r === 4 ? 'failed' : 'skipped', value: null, reasoning: null, credits: 0, error: r === 4 ? 'invalid' : null }), null);
      await store.completeRespondent(s.id, r);
      await store.completeRespondent(s.id, r);
    }
    const again = await store.startRespondent(s.id, 0, 'gen-z-consumer', { ...profile, age: 99 });
    assert.equal(again.profile.age, 30, 'a stored profile is kept');
    const got = (await store.getById(s.id))!;
    assert.deepEqual([got.respondentsDone, got.answersDone, got.answersSkipped, got.answersFailed, got.creditsUsed], [5, 5, 4, 1, 5]);
    assert.deepEqual([...(await store.completedRespondents(s.id))].sort(), [0, 1, 2, 3, 4]);
    const p1 = await store.listRespondents(s.id, { limit: 2 });
    assert.deepEqual(p1.data.map((r) => r.index), [0, 1]);
    assert.equal(p1.has_more, true);
    assert.deepEqual(p1.data[1]!.answers.map((a) => a.status), ['answered', 'skipped']);
    // The reasoning is stored once (its column), and every answer handed out has it back in its value.
    assert.deepEqual(p1.data[1]!.answers[0]!.value, { value: 8, reasoning: 'Good value.' });
    assert.equal(p1.data[1]!.answers[0]!.reasoning, 'Good value.');
    const stored = await t.db.selectFrom('focus_group_answers').select(['value', 'reasoning']).where('study_id', '=', s.id).where('respondent_idx', '=', 1).where('question_idx', '=', 0).executeTakeFirstOrThrow();
    assert.deepEqual([JSON.parse(stored.value!), stored.reasoning], [{ value: 8 }, 'Good value.']);
    const p3 = await store.listRespondents(s.id, { limit: 2, afterIndex: 3 });
    assert.deepEqual(p3.data.map((r) => r.index), [4]);
    assert.equal(p3.has_more, false);
    const streamed = [];
    for await (const a of store.answers(s.id, 3)) streamed.push([a.respondent_index, a.question_index, a.persona_id]);
    assert.equal(streamed.length, 10);
    assert.deepEqual(streamed[7], [3, 1, 'hospital-cfo']);
    for await (const a of store.answers(s.id)) if (a.status === 'answered') assert.deepEqual(a.value, { value: 8, reasoning: 'Good value.' });
    // What the results read: status and value by respondent, in pages of respondents, for a range of questions.
    const values = [];
    for await (const a of store.answerValues(s.id, { fromQuestion: 0, toQuestion: 2, respondents: 5, respondentsPerPage: 2 })) values.push(a);
    assert.deepEqual(
      values.map((a) => [a.respondent_index, a.question_index, a.status]),
      [0, 1, 2, 3, 4].flatMap((r) => [[r, 0, 'answered'], [r, 1, r === 4 ? 'failed' : 'skipped']]),
    );
    // The results read the value without its reasoning (they have no use for it).
    assert.deepEqual(values[0]!.value, { value: 8 });
    assert.equal(values[1]!.value, null);
    const second = [];
    for await (const a of store.answerValues(s.id, { fromQuestion: 1, toQuestion: 2, respondents: 5 })) second.push([a.respondent_index, a.question_index]);
    assert.deepEqual(second, [0, 1, 2, 3, 4].map((r) => [r, 1]));
    // Completing a respondent packed its slots onto its row; without them (an earlier version's
    // respondents) the answer rows are read instead: the same slots either way, in the same order.
    const packed = await t.db.selectFrom('focus_group_respondents').select(['idx', 'answers']).where('study_id', '=', s.id).orderBy('idx').execute();
    assert.deepEqual(JSON.parse(packed[4]!.answers!), [[0, 'answered', { value: 8 }], [1, 'failed', null]]);
    await t.db.updateTable('focus_group_respondents').set({ answers: null }).where('study_id', '=', s.id).where('idx', 'in', [1, 3]).execute();
    const mixed = [];
    for await (const a of store.answerValues(s.id, { fromQuestion: 0, toQuestion: 2, respondents: 5, respondentsPerPage: 2 })) mixed.push(a);
    assert.deepEqual(mixed, values);
    const secondMixed = [];
    for await (const a of store.answerValues(s.id, { fromQuestion: 1, toQuestion: 2, respondents: 5 })) secondMixed.push([a.respondent_index, a.question_index]);
    assert.deepEqual(secondMixed, second);
    assert.equal(await store.packAnswers(s.id, 0, 5), 2, 'the two without packed slots');
    assert.deepEqual(
      (await t.db.selectFrom('focus_group_respondents').select(['idx', 'answers']).where('study_id', '=', s.id).orderBy('idx').execute()).map((r) => JSON.parse(r.answers!)),
      packed.map((r) => JSON.parse(r.answers!)),
    );
    const profiles = [];
    for await (const p of store.respondentProfiles(s.id, 2)) profiles.push([p.index, p.persona_id, p.profile.age]);
    assert.deepEqual(profiles, [[0, 'gen-z-consumer', 30], [1, 'gen-z-consumer', 31], [2, 'gen-z-consumer', 32], [3, 'hospital-cfo', 33], [4, 'hospital-cfo', 34]]);
    assert.equal(await store.delete(ws, s.id), false, 'an active study is not deleted');
    assert.equal(await store.storeResults(s.id, { format: 'f1', key: 'persona' }, '{}', 8), false, 'no results stored for an active study');
    await store.finish(s.id, 'completed');
    // Results documents: per variant, once; another format replaces the old ones; at most `max` per study.
    assert.equal(await store.storeResults(s.id, { format: 'f1', key: 'persona' }, '{"a":1}', 2), true);
    assert.equal(await store.storeResults(s.id, { format: 'f1', key: 'persona' }, '{"a":2}', 2), false, 'stored once');
    assert.equal(await store.storedResults(s.id, 'f1|persona'), '{"a":1}');
    assert.equal(await store.storeResults(s.id, { format: 'f1', key: 'persona,gender' }, '{"b":1}', 2), true);
    assert.equal(await store.storeResults(s.id, { format: 'f1', key: 'persona,region' }, '{"c":1}', 2), false, 'at most 2 variants');
    assert.equal(await store.storeResults(s.id, { format: 'f1.1', key: 'persona' }, '{"d":1}', 2), true);
    assert.equal(await store.storedResults(s.id, 'f1|persona'), undefined, 'documents of another format are deleted');
    assert.equal(await store.storedResults(s.id, 'f1|persona,gender'), undefined);
    assert.equal(await store.storedResults(s.id, 'f1.1|persona'), '{"d":1}');
    assert.equal(await store.delete(ws, s.id), true);
    assert.equal(await store.storedResults(s.id, 'f1.1|persona'), undefined, 'deleted with the study');
    assert.equal(await store.getById(s.id), undefined);
    assert.equal((await store.answersOf(s.id, 0)).length, 0);
  });

  it('migration 0009 takes the reasoning out of stored values where it equals the column, and down puts it back', async () => {
    const db = t.track(await openDatabase(await t.fresh()));
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    const down = await migrator.migrateTo('0008_focus_group_turns');
    assert.equal(down.error, undefined);
    const row = (respondent: number, value: string | null, reasoning: string | null) => ({
      study_id: 'fg_old', respondent_idx: respondent, question_idx: 0, question_id: 'q1', type: 'nps', status: value === null ? 'skipped' : 'answered',
      value, reasoning, raw: null, credits: 0, input_tokens: 0, output_tokens: 0, attempts: 1, error: null, created_at: 1,
    });
    const before = [
      row(0, '{"value":8,"reasoning":"Fair price \\u2014 \\"good\\"."}', 'Fair price \u2014 "good".'),
      row(1, '{"value":3,"reasoning":"Other text."}', 'Not the same.'),
      row(2, '{"value":5}', ''),
      row(3, null, null),
      row(4, '{"value":6,"reasoning":""}', ''),
    ];
    await db.insertInto('focus_group_answers').values(before).execute();
    await migrate(db);
    const values = async () => (await db.selectFrom('focus_group_answers').select(['respondent_idx', 'value', 'reasoning']).where('study_id', '=', 'fg_old').orderBy('respondent_idx').execute()).map((r) => [r.value === null ? null : JSON.parse(r.value), r.reasoning]);
    assert.deepEqual(await values(), [
      [{ value: 8 }, 'Fair price \u2014 "good".'],
      [{ value: 3, reasoning: 'Other text.' }, 'Not the same.'],
      [{ value: 5 }, ''],
      [null, null],
      [{ value: 6, reasoning: '' }, ''],
    ]);
    assert.equal((await migrator.migrateTo('0008_focus_group_turns')).error, undefined);
    assert.deepEqual(await values(), [
      [{ value: 8, reasoning: 'Fair price \u2014 "good".' }, 'Fair price \u2014 "good".'],
      [{ value: 3, reasoning: 'Other text.' }, 'Not the same.'],
      [{ value: 5 }, ''],
      [null, null],
      [{ value: 6, reasoning: '' }, ''],
    ]);
    await migrate(db);
  });
});
