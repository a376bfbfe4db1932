/**
 * Discussion mode over real HTTP. On the sandbox: sessions of `session_size`, transcripts
 * in order (per question the moderator's question, each member's answer, then — exactly
 * when the answers diverge by the documented rule — one probe and each member's answer
 * again), every position stored as the member's answer and valid for its question type,
 * results as for a survey, and the same seed reproducing the transcripts; parameter errors.
 * Against the mock upstream with a live key: each member sees the transcript so far, a
 * divergent question is probed, every model call is debited once (with its member's
 * position), and a session stopped mid-way resumes from its stored turns on another server
 * without asking or paying for anything twice.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { reportTranscripts, transcriptsSection } from '../../src/focus-groups/report/html-transcripts.js';
import type { TranscriptView } from '../../src/focus-groups/discussion/transcripts.js';
import { createOpenAIChatProvider } from '../../src/providers/openai/chat/index.js';
import { openDatabase } from '../../src/storage/db.js';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { api, instanceOf, parseCsv, readEvents, requestedSchema } from '../helpers/focus-groups.js';
import { startMockChatUpstream, type MockChatUpstream, type MockReply } from '../helpers/mock-chat-upstream.js';
import type { RecordedRequest } from '../helpers/scripted-server.js';

const OPTIONS = ['2 meals', '4 meals', '6 meals'];
const QUESTIONS = [
  { type: 'nps', text: 'How likely are you to recommend FreshBox to a friend?' },
  { type: 'yes_no', text: 'Would you subscribe at $59 per month?' },
  { type: 'multiple_choice', text: 'Which plan would you pick?', options: OPTIONS },
  { type: 'open_ended', text: 'What would make it better?' },
];
const STUDY = {
  name: 'FreshBox discussion',
  mode: 'discussion',
  session_size: 5,
  personas: [
    { persona_id: 'millennial-suburban-parent', respondents: 5 },
    { persona_id: 'budget-conscious-single-parent', respondents: 5 },
  ],
  stimulus: { text: 'FreshBox: healthy meal kits delivered weekly, from $59 per month.' },
  questions: QUESTIONS,
  seed: 2024,
};

async function finished(client: ReturnType<typeof api>, id: string) {
  const frames = await readEvents(await client.get(`/focus-groups/${id}/events`));
  assert.equal(frames.at(-1)!.data, '[DONE]');
  return (await client.json(client.get(`/focus-groups/${id}`))).body;
}

async function transcripts(client: ReturnType<typeof api>, id: string, limit = 1) {
  const out: any[] = [];
  let after: string | null = null;
  for (;;) {
    const page: any = (await client.json(client.get(`/focus-groups/${id}/transcripts?limit=${limit}${after ? `&after=${after}` : ''}`))).body;
    out.push(...page.data);
    if (!page.has_more) return out;
    after = page.last_id;
  }
}

async function respondents(client: ReturnType<typeof api>, id: string) {
  return (await client.json(client.get(`/focus-groups/${id}/respondents?limit=100`))).body.data as any[];
}

/** The documented divergence rule, computed independently: scale spread ≥ half the range, differing choices; never for open_ended. */
function divergent(type: string, answers: any[]): boolean {
  if (answers.length < 2) return false;
  if (type === 'nps') return Math.max(...answers.map((a) => a.value)) - Math.min(...answers.map((a) => a.value)) >= 5;
  if (type === 'yes_no') return new Set(answers.map((a) => a.value)).size > 1;
  if (type === 'multiple_choice') return new Set(answers.map((a) => a.selected.join('|'))).size > 1;
  return false;
}

/** Splits a transcript into per-question blocks, checking the order of turns. */
function blocks(t: any, members: string[]) {
  const out: Array<{ question_id: string; answers: any[]; probe: any | null; again: any[] }> = [];
  let k = 0;
  t.turns.forEach((turn: any, i: number) => assert.equal(turn.seq, i, 'seq runs 0, 1, 2, …'));
  while (k < t.turns.length) {
    const q = t.turns[k++];
    assert.equal(q.kind, 'question');
    assert.equal(q.speaker, 'moderator');
    const block = { question_id: q.question_id, answers: [] as any[], probe: null as any, again: [] as any[] };
    while (k < t.turns.length && t.turns[k].kind === 'answer') block.answers.push(t.turns[k++]);
    if (k < t.turns.length && t.turns[k].kind === 'probe') block.probe = t.turns[k++];
    while (k < t.turns.length && t.turns[k].kind === 'probe_answer') block.again.push(t.turns[k++]);
    assert.deepEqual(block.answers.map((a) => a.speaker), members, 'members answer in turn, in seat order');
    if (block.probe) assert.deepEqual(block.again.map((a) => a.speaker), members, 'after a probe, everyone answers again in order');
    for (const turn of [...block.answers, ...block.again]) assert.equal(turn.question_id, q.question_id);
    out.push(block);
  }
  return out;
}

describe('discussion on the sandbox', () => {
  let s: TestServer;
  let fg: ReturnType<typeof api>;
  before(async () => {
    s = await startTestServer();
    fg = api(s.baseURL, s.testKey);
  });
  after(() => s.close());

  it('runs moderated sessions with ordered transcripts, probes exactly where answers diverge, and stores valid positions', async () => {
    const created = await fg.json(fg.post('/focus-groups', STUDY));
    assert.equal(created.status, 202, JSON.stringify(created.body));
    assert.equal(created.body.mode, 'discussion');
    const study = await finished(fg, created.body.id);
    assert.equal(study.status, 'completed');
    assert.deepEqual([study.progress.answers_completed, study.progress.answers_failed, study.progress.respondents_completed], [40, 0, 10]);

    const ts = await transcripts(fg, created.body.id);
    assert.equal(ts.length, 2, 'ten respondents in sessions of five');
    const people = await respondents(fg, created.body.id);
    let probes = 0;
    for (const t of ts) {
      assert.equal(t.status, 'completed');
      assert.equal(t.members.length, 5);
      const members = t.members.map((m: any) => m.respondent_id);
      const bs = blocks(t, members);
      assert.deepEqual(bs.map((b) => b.question_id), ['q1', 'q2', 'q3', 'q4']);
      bs.forEach((b, qi) => {
        const type = QUESTIONS[qi]!.type;
        assert.equal(b.probe !== null, divergent(type, b.answers.map((a) => a.answer)), `${type}: probed iff the answers diverge`);
        if (b.probe) {
          probes += 1;
          // The probe names two members who disagree.
          const named = t.members.filter((m: any) => b.probe.text.includes(m.name));
          assert.ok(named.length >= 2, b.probe.text);
        }
        // Each member's position is its last answer, stored as its answer to the question.
        for (const m of members) {
          const last = (b.probe ? b.again : b.answers).find((a: any) => a.speaker === m);
          const stored = people.find((p) => p.id === m).answers[qi];
          assert.equal(stored.status, 'answered');
          assert.deepEqual(stored.answer, last.answer);
        }
      });
    }
    assert.ok(probes > 0, 'some question diverged');
    // Positions valid for their question types.
    for (const p of people) {
      const [nps, yn, mc, open] = p.answers.map((a: any) => a.answer);
      assert.ok(Number.isInteger(nps.value) && nps.value >= 0 && nps.value <= 10);
      assert.equal(typeof yn.value, 'boolean');
      assert.equal(mc.selected.length, 1);
      assert.ok(OPTIONS.includes(mc.selected[0]));
      assert.ok(typeof open.text === 'string' && open.text.length > 0);
      for (const a of p.answers) assert.ok(typeof a.answer.reasoning === 'string' && a.answer.reasoning.length > 0);
    }
    const results = (await fg.json(fg.get(`/focus-groups/${created.body.id}/results`))).body;
    assert.deepEqual(results.questions.map((q: any) => q.n), [10, 10, 10, 10]);

    const again = await fg.json(fg.post('/focus-groups', STUDY));
    await finished(fg, again.body.id);
    const strip = (xs: any[]) => xs.map((t) => t.turns.map(({ kind, name, text, answer }: any) => ({ kind, name, text, answer })));
    assert.deepEqual(strip(await transcripts(fg, again.body.id, 5)), strip(ts), 'same seed, same transcripts');
  });

  it('exports the transcripts: every session in the JSON export, one CSV row per turn with part=transcripts, each session in a <details> of the HTML report', async () => {
    const created = await fg.json(fg.post('/focus-groups', { ...STUDY, personas: [{ persona_id: 'hospital-cfo', respondents: 13 }], session_size: 4 }));
    await finished(fg, created.body.id);
    const id = created.body.id as string;
    const ts = await transcripts(fg, id);
    assert.equal(ts.length, 4, '13 respondents in sessions of 4, 3, 3 and 3');

    const res = await fg.get(`/focus-groups/${id}/export?format=json`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type')!, /^application\/json/);
    assert.match(res.headers.get('content-disposition')!, /attachment; filename=".+\.json"/);
    const json = (await res.json()) as any;
    assert.equal(json.focus_group.id, id);
    assert.deepEqual(json.results, (await fg.json(fg.get(`/focus-groups/${id}/results`))).body);
    assert.deepEqual(json.transcripts, ts, 'the transcripts, as GET …/transcripts gives them');

    const csv = await fg.get(`/focus-groups/${id}/export?format=csv&part=transcripts`);
    assert.equal(csv.status, 200);
    assert.match(csv.headers.get('content-type')!, /^text\/csv/);
    const [header, ...rows] = parseCsv(await csv.text());
    assert.deepEqual(header, ['session', 'seq', 'question_id', 'kind', 'speaker_id', 'speaker_name', 'text', 'answer']);
    const turns = ts.flatMap((t) => t.turns.map((turn: any) => ({ session: t.session, ...turn })));
    assert.equal(rows.length, turns.length, 'one row per turn');
    rows.forEach((row, k) => {
      const t = turns[k]!;
      assert.deepEqual(row.slice(0, 7), [String(t.session), String(t.seq), t.question_id, t.kind, t.speaker, t.name, t.text]);
      if (t.answer) {
        const { reasoning: _r, ...rest } = t.answer;
        assert.deepEqual(JSON.parse(row[7]!), rest, 'the structured answer, without its reasoning');
      } else assert.equal(row[7], '');
    });
    // The answers CSV is unchanged (the default part).
    const answers = parseCsv(await (await fg.get(`/focus-groups/${id}/export?format=csv&part=answers`)).text());
    assert.equal(answers.length, 1 + 13 * QUESTIONS.length);

    const html = await (await fg.get(`/focus-groups/${id}/export?format=html`)).text();
    assert.doesNotMatch(html, /<script/i);
    assert.equal((html.match(/<details class="session"/g) ?? []).length, 4, 'a collapsible section per session');
    assert.match(html, /<h2 id="transcripts">Discussion transcripts<\/h2>/);
    const asHtml = (x: string) => x.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
    for (const t of turns) assert.ok(html.includes(`<p>${asHtml(t.text)}</p>`), `turn ${t.session}:${t.seq} shown`);
    for (const t of ts) for (const m of t.members) assert.ok(html.includes(asHtml(m.name)));
    assert.doesNotMatch(html, /more are in the JSON export/, 'every session fits the report');
  });

  it('refuses export parts that do not apply, naming part', async () => {
    const discussion = await fg.json(fg.post('/focus-groups', { ...STUDY, dry_run: false }));
    const survey = await fg.json(fg.post('/focus-groups', { ...STUDY, mode: undefined, session_size: undefined }));
    const cases: Array<[string, string, number]> = [
      [discussion.body.id, 'format=json&part=transcripts', 400],
      [discussion.body.id, 'format=html&part=answers', 400],
      [discussion.body.id, 'format=csv&part=turns', 422],
      [survey.body.id, 'format=csv&part=transcripts', 400],
    ];
    for (const [id, query, status] of cases) {
      const r = await fg.json(fg.get(`/focus-groups/${id}/export?${query}`));
      assert.equal(r.status, status, `${query}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.param, 'part');
    }
    // A survey's JSON export has no transcripts.
    await finished(fg, survey.body.id);
    assert.equal((await fg.json(fg.get(`/focus-groups/${survey.body.id}/export`))).body.transcripts, undefined);
  });

  it('refuses bad discussion parameters, naming them', async () => {
    const cases: Array<[Record<string, unknown>, string, number]> = [
      [{ ...STUDY, session_size: 3 }, 'session_size', 422],
      [{ ...STUDY, session_size: 13 }, 'session_size', 422],
      [{ ...STUDY, mode: 'survey' }, 'session_size', 422],
      [{ ...STUDY, personas: [{ persona_id: 'hospital-cfo', respondents: 3 }] }, 'personas', 422],
      [{ ...STUDY, personas: [{ persona_id: 'hospital-cfo', share: 1 }], respondents: 2 }, 'respondents', 422],
    ];
    for (const [body, param, status] of cases) {
      const r = await fg.json(fg.post('/focus-groups', body));
      assert.equal(r.status, status, JSON.stringify(r.body));
      assert.equal(r.body.error.param, param);
    }
    const survey = await fg.json(fg.post('/focus-groups', { ...STUDY, mode: undefined, session_size: undefined, dry_run: false }));
    assert.equal(survey.status, 202);
    const t = await fg.json(fg.get(`/focus-groups/${survey.body.id}/transcripts`));
    assert.equal(t.status, 400);
    assert.equal(t.body.error.param, 'focus_group_id');
    const discussion = await fg.json(fg.post('/focus-groups', { ...STUDY, dry_run: true }));
    const plain = await fg.json(fg.post('/focus-groups', { ...STUDY, mode: undefined, session_size: undefined, dry_run: true }));
    assert.equal(discussion.body.max_credits, 2 * plain.body.max_credits, 'a position may take two calls');
    const bad = await fg.json(fg.get(`/focus-groups/${survey.body.id}/transcripts?limit=50`));
    assert.equal(bad.status, 422);
  });
});

/** NPS answers alternating 0 and 10 by call: every question diverges. */
function alternating(calls: { n: number }): (req: RecordedRequest) => MockReply {
  return (req) => ({ type: 'completion', content: JSON.stringify(instanceOf(requestedSchema(req), { at: calls.n++ % 2 })), usage: { prompt_tokens: 1200, completion_tokens: 60, total_tokens: 1260 } });
}

const textOf = (req: RecordedRequest): string => (req.body.messages as Array<{ role: string; content: unknown }>).filter((m) => m.role === 'user').map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content))).join('\n');

describe('discussion with a live key', () => {
  let upstream: MockChatUpstream;
  before(async () => {
    upstream = await startMockChatUpstream();
  });
  after(() => upstream.close());

  const LIVE = { ...STUDY, session_size: 4, personas: [{ persona_id: 'hospital-cfo', respondents: 4 }], questions: [{ type: 'nps', text: 'Would you recommend CareFlow?' }] };

  it('shows each member the transcript so far, probes a divergent question, and debits each call once with its position', async () => {
    upstream.requests.length = 0;
    upstream.setFallback(alternating({ n: 0 }));
    const s = await startTestServer({ live: createOpenAIChatProvider({ baseURL: upstream.url, model: 'gpt-test' }) });
    try {
      const fg = api(s.baseURL, s.liveKey);
      const before = (await fg.json(fg.get('/credits'))).body;
      const created = await fg.json(fg.post('/focus-groups', LIVE));
      assert.equal(created.status, 202, JSON.stringify(created.body));
      assert.equal(created.body.estimate.max_credits, 4 * 3 * 2);
      const study = await finished(fg, created.body.id);
      assert.equal(study.status, 'completed');
      assert.equal(upstream.requests.length, 8, 'four answers, a probe, four answers again');
      const [t] = await transcripts(fg, created.body.id);
      const names = t.members.map((m: any) => m.name);
      // The third member's first turn sees the first two members' answers and not the fourth's.
      const third = textOf(upstream.requests[2]!);
      assert.ok(third.includes(`${names[0]}:`) && third.includes(`${names[1]}:`) && !third.includes(`${names[3]}:`), third);
      assert.ok(textOf(upstream.requests[0]!).includes('Moderator'));
      // After the probe, every turn sees it.
      assert.ok(textOf(upstream.requests[4]!).includes("I'm hearing quite different views"));
      assert.deepEqual(t.turns.map((x: any) => x.kind), ['question', 'answer', 'answer', 'answer', 'answer', 'probe', 'probe_answer', 'probe_answer', 'probe_answer', 'probe_answer']);
      // Each call costs 2 (1,260 tokens); each position pays for its two calls.
      assert.equal(study.credits_used, 8 * 2);
      const after = (await fg.json(fg.get('/credits'))).body;
      assert.equal(before.balance - after.balance, 16);
      assert.equal(after.held, before.held);
      const ws = (await s.accounts.findKeyBySecret(s.liveKey))!.workspace_id;
      const ledger = (await s.credits.ledger(ws, { limit: 100 })).filter((l) => l.operation === 'focus_group');
      assert.equal(ledger.length, 4);
      assert.deepEqual(ledger.map((l) => Number(l.amount)), [-4, -4, -4, -4], 'one debit per position: its answer and its probe answer');
      assert.ok(ledger.every((l) => Number(l.input_tokens) === 2400 && Number(l.output_tokens) === 120));
    } finally {
      await s.close();
    }
  });

  it("shows a model's markup in the HTML report's transcripts as text", async () => {
    const PAYLOAD = '<img src=x onerror=alert(1)></p></details><script>alert(2)</script>';
    upstream.setFallback((req) => ({ type: 'completion', content: JSON.stringify(instanceOf(requestedSchema(req), { reasoning: `I say ${PAYLOAD} & "so"` })), usage: { prompt_tokens: 100, completion_tokens: 20, total_tokens: 120 } }));
    const s = await startTestServer({ live: createOpenAIChatProvider({ baseURL: upstream.url, model: 'gpt-test' }) });
    try {
      const fg = api(s.baseURL, s.liveKey);
      const created = await fg.json(fg.post('/focus-groups', { ...LIVE, questions: [{ type: 'open_ended', text: `Why? ${PAYLOAD}` }] }));
      assert.equal(created.status, 202, JSON.stringify(created.body));
      await finished(fg, created.body.id);
      const html = await (await fg.get(`/focus-groups/${created.body.id}/export?format=html`)).text();
      assert.doesNotMatch(html, /<img|<script/i);
      assert.equal((html.match(/<\/details>/g) ?? []).length, 1, 'the one session closes once: no text closed it');
      assert.ok(html.includes('I say &lt;img src=x onerror=alert(1)&gt;&lt;/p&gt;&lt;/details&gt;&lt;script&gt;alert(2)&lt;/script&gt; &amp; &quot;so&quot;'), 'the answer shown as text');
      assert.ok(html.includes('Question 1 of 1: Why? &lt;img'), "the moderator's line, escaped");
    } finally {
      await s.close();
    }
  });

  it('resumes a session from its stored turns on another server: nothing asked or paid twice', async () => {
    upstream.requests.length = 0;
    const calls = { n: 0 };
    const answer = alternating(calls);
    // The first six calls are answered; the seventh hangs until its server shuts down.
    upstream.setFallback((req) => (upstream.requests.indexOf(req) < 6 ? answer(req) : { type: 'hang' }));
    const db = await openDatabase({ dataDir: ':memory:' });
    const first = await startTestServer({ db, live: createOpenAIChatProvider({ baseURL: upstream.url, model: 'gpt-test' }), instanceId: 'one' });
    const fg1 = api(first.baseURL, first.liveKey);
    const before = (await fg1.json(fg1.get('/credits'))).body;
    const created = await fg1.json(fg1.post('/focus-groups', LIVE));
    assert.equal(created.status, 202);
    await upstream.waitForRequest(6);
    const partial = await transcripts(fg1, created.body.id);
    assert.equal(partial[0].turns.length, 8, 'question, four answers, probe, two answers again stored');
    await first.close();
    upstream.setFallback(answer);
    const second = await startTestServer({ db, live: createOpenAIChatProvider({ baseURL: upstream.url, model: 'gpt-test' }), instanceId: 'two' });
    try {
      const fg2 = api(second.baseURL, first.liveKey);
      assert.deepEqual(await second.app.focusGroups!.recover([]), [created.body.id]);
      const study = await finished(fg2, created.body.id);
      assert.equal(study.status, 'completed');
      // 6 answered + 1 cut off by the shutdown + 2 after the resume (the cut one asked again).
      assert.equal(upstream.requests.length, 9);
      const [t] = await transcripts(fg2, created.body.id);
      assert.deepEqual(t.turns.slice(0, 8), partial[0].turns, 'the stored turns are kept as they were');
      assert.equal(t.turns.length, 10);
      assert.equal(study.credits_used, 8 * 2, 'the cut-off call was never recorded, so never paid');
      const after = (await fg2.json(fg2.get('/credits'))).body;
      assert.equal(before.balance - after.balance, 16);
      assert.equal(after.held, before.held);
    } finally {
      await second.close();
      await db.destroy();
    }
  });
});

describe("the HTML report's transcript budget", () => {
  it('takes whole sessions in order while their turns fit, stops reading there, and says how many it left out', async () => {
    const session = (k: number, turns: number): TranscriptView => ({
      id: `fgt_${k}`,
      object: 'focus_group.transcript',
      session: k,
      status: 'completed',
      members: [{ respondent_id: `fgr_${k}`, name: `Member ${k}` }],
      turns: Array.from({ length: turns }, (_, seq) => ({ seq, question_id: 'q1', kind: seq === 0 ? 'question' : 'answer', speaker: seq === 0 ? 'moderator' : `fgr_${k}`, name: seq === 0 ? 'Moderator' : `Member ${k}`, text: `turn ${k}.${seq}` })),
    });
    let read = 0;
    let closed = false;
    async function* sessions() {
      try {
        for (const [k, n] of [4, 5, 2, 9, 1].entries()) {
          read += 1;
          yield session(k, n);
        }
      } finally {
        closed = true;
      }
    }
    const r = await reportTranscripts(sessions(), 5, 11);
    assert.deepEqual(r.sessions.map((t) => t.session), [0, 1, 2], '4 + 5 + 2 = 11 turns fit; the fourth session (9) does not, nor any after it');
    assert.deepEqual([read, closed], [4, true], 'reading stopped at the session that did not fit');
    const html = transcriptsSection(r, ['q1']);
    assert.match(html, /This report shows the first 3 sessions \(up to 11 turns in all\); 2 more are in the JSON export and in the CSV export with part=transcripts\./);
    assert.equal((html.match(/<details class="session"/g) ?? []).length, 3);
    assert.ok(html.includes('<p>turn 2.1</p>') && !html.includes('turn 3.0'));
  });
});
