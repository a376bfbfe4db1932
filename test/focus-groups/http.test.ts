/**
 * /v1/focus-groups over real HTTP with test keys (the sandbox): create → 202
 * pending, the SSE progress stream to completion, the study's counts,
 * respondents with profiles, answers and reasoning, results and exports;
 * skip logic; the same seed reproducing a study exactly; dry runs; the
 * Idempotency-Key; validation errors naming their param; scopes and
 * workspaces; list paging; cancel and delete.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { api, GUIDE, readEvents } from '../helpers/focus-groups.js';

let s: TestServer;
let fg: ReturnType<typeof api>;

before(async () => {
  s = await startTestServer();
  fg = api(s.baseURL, s.testKey);
});
after(() => s.close());

const STUDY = {
  name: 'FreshBox concept test',
  personas: [
    { persona_id: 'millennial-suburban-parent', respondents: 6 },
    { persona_id: 'budget-conscious-single-parent', respondents: 4 },
  ],
  stimulus: { text: 'FreshBox: healthy meal kits delivered weekly, from $59 per month.' },
  questions: GUIDE,
  seed: 1234,
  metadata: { project: 'fb-01' },
};

/** Reads the study's events until it ends; returns the frames. */
async function finished(id: string) {
  const frames = await readEvents(await fg.get(`/focus-groups/${id}/events`));
  const last = frames.at(-1)!;
  assert.equal(last.data, '[DONE]');
  return frames;
}

async function run(body: Record<string, unknown>) {
  const created = await fg.json(fg.post('/focus-groups', body));
  assert.equal(created.status, 202, JSON.stringify(created.body));
  await finished(created.body.id);
  return (await fg.json(fg.get(`/focus-groups/${created.body.id}`))).body;
}

async function allRespondents(id: string) {
  const out: any[] = [];
  let after: string | null = null;
  for (;;) {
    const page: any = (await fg.json(fg.get(`/focus-groups/${id}/respondents?limit=4${after ? `&after=${after}` : ''}`))).body;
    out.push(...page.data);
    if (!page.has_more) return out;
    after = page.last_id;
  }
}

describe('a focus group on the sandbox', () => {
  let study: any;
  let frames: Awaited<ReturnType<typeof finished>>;

  before(async () => {
    const created = await fg.json(fg.post('/focus-groups', STUDY));
    assert.equal(created.status, 202);
    assert.equal(created.body.object, 'focus_group');
    assert.equal(created.body.status, 'pending');
    assert.equal(created.body.livemode, false);
    assert.deepEqual(created.body.progress, { respondents_total: 10, respondents_completed: 0, answers_total: 40, answers_completed: 0, answers_failed: 0, answers_skipped: 0, percent: 0 });
    assert.ok(created.body.estimate.credits > 0 && created.body.estimate.credits <= created.body.estimate.max_credits);
    assert.equal(created.body.estimate.max_credits, 40 * 3);
    assert.equal(created.body.credits_held, 0, 'test keys hold nothing');
    assert.deepEqual(created.body.questions.map((q: { id: string }) => q.id), ['q1', 'why_promote', 'plan', 'q4']);
    frames = await finished(created.body.id);
    study = (await fg.json(fg.get(`/focus-groups/${created.body.id}`))).body;
  });

  it('streams progress to completion, then the study, then [DONE]', () => {
    const progress = frames.filter((f) => f.event === 'focus_group.progress').map((f) => JSON.parse(f.data));
    assert.ok(progress.length >= 1);
    const ids = frames.filter((f) => f.event === 'focus_group.progress').map((f) => Number(f.id));
    assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'event ids grow');
    const terminal = frames.at(-2)!;
    assert.equal(terminal.event, 'focus_group.completed');
    assert.equal(JSON.parse(terminal.data).focus_group.status, 'completed');
  });

  it('counts every answer slot: answered, skipped by the condition, none failed', () => {
    assert.equal(study.status, 'completed');
    const p = study.progress;
    assert.equal(p.respondents_completed, 10);
    assert.equal(p.answers_completed + p.answers_skipped, 40);
    assert.equal(p.answers_failed, 0);
    assert.equal(p.percent, 100);
    assert.ok(study.started_at !== null && study.completed_at !== null);
    assert.ok(study.credits_used > 0);
    assert.deepEqual(study.metadata, { project: 'fb-01' });
  });

  it('returns each respondent with its sampled profile, answers and reasoning; skip logic follows the NPS', async () => {
    const respondents = await allRespondents(study.id);
    assert.equal(respondents.length, 10);
    assert.deepEqual(respondents.map((r) => r.index), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(new Set(respondents.map((r) => r.id)).size, 10);
    assert.equal(respondents.filter((r) => r.persona_id === 'millennial-suburban-parent').length, 6);
    assert.equal(new Set(respondents.map((r) => r.profile.name)).size > 1, true);
    let skipped = 0;
    for (const r of respondents) {
      assert.equal(r.status, 'completed');
      assert.equal(r.answers.length, 4);
      const [nps, why, plan, yes] = r.answers;
      assert.equal(nps.status, 'answered');
      assert.ok(Number.isInteger(nps.answer.value) && nps.answer.value >= 0 && nps.answer.value <= 10);
      assert.ok(nps.answer.reasoning.length > 0);
      assert.equal(why.status, nps.answer.value >= 9 ? 'answered' : 'skipped');
      if (why.status === 'skipped') {
        skipped += 1;
        assert.equal(why.answer, null);
        assert.equal(why.credits, 0);
      } else assert.equal(typeof why.answer.text, 'string');
      assert.equal(plan.answer.selected.length, 1);
      assert.equal(typeof yes.answer.value, 'boolean');
    }
    assert.equal(skipped, study.progress.answers_skipped);
    const used = respondents.flatMap((r) => r.answers).reduce((n: number, a: { credits: number }) => n + a.credits, 0);
    assert.equal(used, study.credits_used);
  });

  it('has spread: respondents do not all answer alike', async () => {
    const results = (await fg.json(fg.get(`/focus-groups/${study.id}/results`))).body;
    const nps = results.questions[0];
    assert.equal(nps.n, 10);
    const counts = (nps.distribution as { value: number; count: number }[]).map((e) => e.count);
    assert.deepEqual((nps.distribution as { value: number }[]).map((e) => e.value), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    assert.ok(counts.filter((n) => n > 0).length >= 3, JSON.stringify(nps.distribution));
    assert.equal(counts.reduce((a, b) => a + b, 0), 10);
    assert.equal(results.questions[1].n + results.questions[1].skipped, 10);
    assert.equal(typeof nps.mean, 'number');
  });

  it('exports the answers as CSV, one row each, and as JSON', async () => {
    const res = await fg.get(`/focus-groups/${study.id}/export?format=csv`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^text\/csv/);
    const lines = (await res.text()).trim().split('\r\n');
    assert.equal(lines[0], 'respondent_id,respondent_index,persona_id,question_id,type,status,answer,reasoning,credits');
    assert.equal(lines.length, 41);
    const json = (await fg.json(fg.get(`/focus-groups/${study.id}/export`))).body;
    assert.equal(json.focus_group.id, study.id);
    assert.equal(json.results.questions.length, 4);
    const bad = await fg.json(fg.get(`/focus-groups/${study.id}/export?format=pdf`));
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error.param, 'format');
  });

  it('reproduces exactly with the same seed (a new study, the same people and answers)', async () => {
    const again = await run(STUDY);
    const a = await allRespondents(study.id);
    const b = await allRespondents(again.id);
    const strip = (rs: any[]) => rs.map((r) => ({ persona: r.persona_id, profile: r.profile, answers: r.answers }));
    assert.deepEqual(strip(b), strip(a));
    const other = await run({ ...STUDY, seed: 99 });
    assert.notDeepEqual(strip(await allRespondents(other.id)), strip(a));
  });

  it('resumes the event stream after Last-Event-ID', async () => {
    const frames = await readEvents(await fg.get(`/focus-groups/${study.id}/events`, { 'last-event-id': '40' }));
    assert.deepEqual(frames.map((f) => f.event), ['focus_group.completed', null]);
  });
});

describe('creating', () => {
  it('dry_run returns the estimate and stores nothing', async () => {
    const before = (await fg.json(fg.get('/focus-groups?limit=100'))).body.data.length;
    const r = await fg.json(fg.post('/focus-groups', { ...STUDY, dry_run: true }));
    assert.equal(r.status, 200);
    assert.equal(r.body.object, 'focus_group.estimate');
    assert.equal(r.body.answers, 40);
    assert.equal(r.body.max_credits, 120);
    assert.ok(r.body.credits >= 40 && r.body.credits <= 120);
    assert.equal((await fg.json(fg.get('/focus-groups?limit=100'))).body.data.length, before);
  });

  it('splits shares by largest remainder', async () => {
    const r = await fg.json(fg.post('/focus-groups', { ...STUDY, personas: [{ persona_id: 'hospital-cfo', share: 2 }, { persona_id: 'gen-z-digital-native', share: 1 }], respondents: 10, dry_run: true }));
    assert.equal(r.body.respondents, 10);
    const created = await fg.json(fg.post('/focus-groups', { ...STUDY, personas: [{ persona_id: 'hospital-cfo', share: 2 }, { persona_id: 'gen-z-digital-native', share: 1 }], respondents: 10, questions: [GUIDE[0]] }));
    assert.deepEqual(created.body.personas, [
      { persona_id: 'hospital-cfo', respondents: 7, share: 2 },
      { persona_id: 'gen-z-digital-native', respondents: 3, share: 1 },
    ]);
    await finished(created.body.id);
  });

  it('Idempotency-Key: a retry returns the same study; another body with the key is a 422', async () => {
    const body = { ...STUDY, questions: [GUIDE[0]], name: 'idempotent' };
    const key = { 'idempotency-key': `key-${Date.now()}` };
    const [a, b] = await Promise.all([fg.json(fg.post('/focus-groups', body, key)), fg.json(fg.post('/focus-groups', body, key))]);
    assert.equal(a.body.id, b.body.id, 'two concurrent creates with one key make one study');
    assert.deepEqual([a.status, b.status].sort(), [200, 202]);
    const again = await fg.json(fg.post('/focus-groups', body, key));
    assert.equal(again.status, 200);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.equal(again.body.id, a.body.id);
    const other = await fg.json(fg.post('/focus-groups', { ...body, name: 'changed' }, key));
    assert.equal(other.status, 422);
    assert.equal(other.body.error.param, 'Idempotency-Key');
    const list = (await fg.json(fg.get('/focus-groups?limit=100'))).body.data.filter((x: { name: string }) => x.name === 'idempotent');
    assert.equal(list.length, 1);
    await finished(a.body.id);
  });

  const invalid: Array<[string, Record<string, unknown>, number, string]> = [
    ['no name', { ...STUDY, name: undefined }, 400, 'name'],
    ['no questions', { ...STUDY, questions: [] }, 422, 'questions'],
    ['51 questions', { ...STUDY, questions: Array.from({ length: 51 }, () => GUIDE[0]) }, 422, 'questions'],
    ['an unknown type', { ...STUDY, questions: [GUIDE[0], { type: 'essay', text: 'x' }] }, 422, 'questions[1].type'],
    ['one option', { ...STUDY, questions: [GUIDE[0], GUIDE[0], { type: 'multiple_choice', text: 'x', options: ['a'] }] }, 422, 'questions[2].options'],
    ['a likert of 6', { ...STUDY, questions: [{ type: 'likert', text: 'x', scale: 6 }] }, 422, 'questions[0].scale'],
    ['labels that do not fit', { ...STUDY, questions: [{ type: 'likert', text: 'x', labels: ['a', 'b'] }] }, 422, 'questions[0].labels'],
    ['a condition on a later question', { ...STUDY, questions: [{ type: 'yes_no', text: 'x', when: { question_id: 'q2', equals: true } }, GUIDE[0]] }, 422, 'questions[0].when.question_id'],
    ['a condition of the wrong kind', { ...STUDY, questions: [GUIDE[0], { type: 'yes_no', text: 'x', when: { question_id: 'q1', equals: 'yes' } }] }, 422, 'questions[1].when.equals'],
    ['a condition on an open answer', { ...STUDY, questions: [{ type: 'open_ended', text: 'x' }, { type: 'yes_no', text: 'y', when: { question_id: 'q1', equals: 'a' } }] }, 422, 'questions[1].when.question_id'],
    ['duplicate question ids', { ...STUDY, questions: [{ ...GUIDE[0], id: 'a' }, { ...GUIDE[0], id: 'a' }] }, 422, 'questions[1].id'],
    ['too many respondents', { ...STUDY, personas: [{ persona_id: 'hospital-cfo', respondents: 10_001 }] }, 422, 'personas[0].respondents'],
    ['shares without a total', { ...STUDY, personas: [{ persona_id: 'hospital-cfo', share: 1 }] }, 400, 'respondents'],
    ['shares and counts mixed', { ...STUDY, personas: [{ persona_id: 'hospital-cfo', share: 1 }, { persona_id: 'gen-z-digital-native', respondents: 3 }], respondents: 5 }, 422, 'personas[0].share'],
    ['a persona twice', { ...STUDY, personas: [{ persona_id: 'hospital-cfo', respondents: 1 }, { persona_id: 'hospital-cfo', respondents: 1 }] }, 422, 'personas[1].persona_id'],
    ['21 personas', { ...STUDY, personas: Array.from({ length: 21 }, (_, i) => ({ persona_id: `p${i}`, respondents: 1 })) }, 422, 'personas'],
    ['an unknown persona', { ...STUDY, personas: [{ persona_id: 'hospital-cfo', respondents: 1 }, { persona_id: 'nobody', respondents: 1 }] }, 404, 'personas[1].persona_id'],
    ['discussion with too small a session', { ...STUDY, mode: 'discussion', session_size: 2 }, 422, 'session_size'],
    ['ssr elicitation of a slider', { ...STUDY, questions: [{ type: 'slider', text: 'x', elicitation: 'ssr' }] }, 422, 'questions[0].elicitation'],
    ['a conjoint level that is not a level', { ...STUDY, questions: [{ type: 'conjoint', text: 'x', attributes: [{ name: 'Price', levels: ['$1', '$2'] }], profiles: [{ levels: { Price: '$1' } }, { levels: { Price: '$9' } }] }] }, 422, 'questions[0].profiles[1].levels.Price'],
    ['a reference of the wrong size', { ...STUDY, questions: [{ type: 'likert', text: 'x', reference: [0.2, 0.8] }] }, 422, 'questions[0].reference'],
    ['a reference on an open question', { ...STUDY, questions: [{ type: 'open_ended', text: 'x', reference: [0.2, 0.8] }] }, 422, 'questions[0].reference'],
    ['a temperature of 3', { ...STUDY, temperature: 3 }, 422, 'temperature'],
    ['an image that is not a URL', { ...STUDY, stimulus: { images: ['ftp://x/y.png'] } }, 422, 'stimulus.images[0]'],
    ['a private image URL', { ...STUDY, stimulus: { images: ['http://127.0.0.1:9/cat.png'] } }, 422, 'stimulus.images[0]'],
    ['bytes that are not an image', { ...STUDY, stimulus: { images: [`data:image/png;base64,${Buffer.from('hello').toString('base64')}`] } }, 422, 'stimulus.images[0]'],
  ];
  it('says what is valid: the question types (and the one meant), the points of a likert', async () => {
    const type = await fg.json(fg.post('/focus-groups', { ...STUDY, questions: [{ type: 'multiple-choice', text: 'x', options: ['a', 'b'] }] }));
    assert.equal(type.status, 422);
    assert.equal(type.body.error.param, 'questions[0].type');
    assert.match(type.body.error.message, /^Invalid value for 'questions\[0\]\.type': 'multiple-choice' is not supported; it must be one of 'nps', 'likert', 'multiple_choice', .*'maxdiff'\. Did you mean 'multiple_choice'\?$/);
    const scale = await fg.json(fg.post('/focus-groups', { ...STUDY, questions: [{ type: 'likert', text: 'x', scale: 11 }] }));
    assert.equal(scale.body.error.param, 'questions[0].scale');
    assert.equal(scale.body.error.message, "Invalid value for 'questions[0].scale': 11 is not supported; it must be 5 or 7.");
  });

  for (const [what, body, status, param] of invalid) {
    it(`refuses ${what}: ${status} naming '${param}'`, async () => {
      const before = (await fg.json(fg.get('/focus-groups?limit=100'))).body.data.length;
      const r = await fg.json(fg.post('/focus-groups', body));
      assert.equal(r.status, status, JSON.stringify(r.body));
      assert.equal(r.body.error.param, param, r.body.error.message);
      assert.equal((await fg.json(fg.get('/focus-groups?limit=100'))).body.data.length, before, 'nothing stored');
    });
  }

  it('refuses an invalid Idempotency-Key', async () => {
    const r = await fg.json(fg.post('/focus-groups', STUDY, { 'idempotency-key': 'x'.repeat(256) }));
    assert.equal(r.status, 422);
    assert.equal(r.body.error.param, 'Idempotency-Key');
  });

  it('takes a stimulus image as a checked data: URL and shows it without its bytes', async () => {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
    const created = await fg.json(fg.post('/focus-groups', { ...STUDY, questions: [GUIDE[0]], stimulus: { text: 'Look.', images: [`data:image/png;base64,${png}`] } }));
    assert.equal(created.status, 202, JSON.stringify(created.body));
    assert.deepEqual(created.body.stimulus.images, ['data:image/png;base64,… (70 bytes)']);
    assert.equal(created.body.estimate.max_credits, 10 * 5, 'image input prices every answer at 3–5');
    await finished(created.body.id);
  });
});

describe('access, listing, cancel and delete', () => {
  it('needs the focus_groups scope, and keeps workspaces apart', async () => {
    const narrow = await s.accounts.createKey({ workspace: 'acme', mode: 'test', scopes: ['responses'] });
    const r = await fg.json(api(s.baseURL, narrow.key).post('/focus-groups', STUDY));
    assert.equal(r.status, 403);
    const other = await s.accounts.createKey({ workspace: 'other-ws', mode: 'test' });
    const mine = (await fg.json(fg.get('/focus-groups?limit=1'))).body.data[0];
    const seen = await fg.json(api(s.baseURL, other.key).get(`/focus-groups/${mine.id}`));
    assert.equal(seen.status, 404);
    assert.equal(seen.body.error.param, 'focus_group_id');
    assert.equal((await fg.json(api(s.baseURL, other.key).get('/focus-groups'))).body.data.length, 0);
  });

  it('lists newest first with limit and after', async () => {
    const all = (await fg.json(fg.get('/focus-groups?limit=100'))).body;
    assert.equal(all.object, 'list');
    assert.ok(all.data.length >= 4);
    const first = (await fg.json(fg.get('/focus-groups?limit=2'))).body;
    assert.deepEqual(first.data.map((x: { id: string }) => x.id), all.data.slice(0, 2).map((x: { id: string }) => x.id));
    assert.equal(first.has_more, true);
    assert.equal(first.first_id, all.data[0].id);
    assert.equal(first.last_id, all.data[1].id);
    const second = (await fg.json(fg.get(`/focus-groups?limit=2&after=${first.last_id}`))).body;
    assert.deepEqual(second.data.map((x: { id: string }) => x.id), all.data.slice(2, 4).map((x: { id: string }) => x.id));
    const bad = await fg.json(fg.get('/focus-groups?limit=0'));
    assert.equal(bad.body.error.param, 'limit');
  });

  it('cancels (idempotent), keeps what was answered, and refuses to cancel a finished study', async () => {
    // Big enough that it is still running when the cancel arrives: the events say so.
    const created = await fg.json(fg.post('/focus-groups', { ...STUDY, personas: [{ persona_id: 'hospital-cfo', respondents: 3000 }], questions: [GUIDE[0]] }));
    await readEvents(await fg.get(`/focus-groups/${created.body.id}/events`), (f) => f.event === 'focus_group.progress' && JSON.parse(f.data).answers_completed > 0);
    const cancelled = await fg.json(fg.post(`/focus-groups/${created.body.id}/cancel`));
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.status, 'cancelled');
    const frames = await readEvents(await fg.get(`/focus-groups/${created.body.id}/events`));
    assert.equal(frames.at(-2)!.event, 'focus_group.cancelled');
    const after = (await fg.json(fg.get(`/focus-groups/${created.body.id}`))).body;
    assert.equal(after.status, 'cancelled');
    assert.ok(after.progress.answers_completed > 0 && after.progress.answers_completed < 3000);
    const answers = (await fg.get(`/focus-groups/${created.body.id}/export?format=csv`).then((r) => r.text())).trim().split('\r\n').length - 1;
    assert.equal(answers, after.progress.answers_completed, 'the counters are what is stored');
    assert.equal((await fg.json(fg.post(`/focus-groups/${created.body.id}/cancel`))).body.status, 'cancelled');
    const done = (await fg.json(fg.get('/focus-groups?limit=100'))).body.data.find((x: { status: string }) => x.status === 'completed');
    const refused = await fg.json(fg.post(`/focus-groups/${done.id}/cancel`));
    assert.equal(refused.status, 400);
  });

  it('deletes a study with its respondents', async () => {
    const study = await run({ ...STUDY, questions: [GUIDE[0]], name: 'to delete' });
    const del = await fg.json(fg.delete(`/focus-groups/${study.id}`));
    assert.deepEqual(del.body, { id: study.id, object: 'focus_group.deleted', deleted: true });
    assert.equal((await fg.get(`/focus-groups/${study.id}`)).status, 404);
    assert.equal((await fg.get(`/focus-groups/${study.id}/respondents`)).status, 404);
    assert.equal((await fg.delete(`/focus-groups/${study.id}`)).status, 404);
  });

  it('pages respondents and refuses a cursor of another study', async () => {
    const study = (await fg.json(fg.get('/focus-groups?limit=100'))).body.data.find((x: { status: string; respondents: number }) => x.status === 'completed' && x.respondents === 10);
    const bad = await fg.json(fg.get(`/focus-groups/${study.id}/respondents?after=fgr_000000000000000000000000`));
    assert.equal(bad.status, 422);
    assert.equal(bad.body.error.param, 'after');
  });
});
