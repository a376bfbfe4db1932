/**
 * Discussion mode on the job queue (BullMQ on Redis), for real: one
 * `cohort serve` with its focus-group worker off and `cohort worker`
 * processes on one database (PostgreSQL when reachable) and one Redis (a
 * fresh key prefix).
 *
 * - On the sandbox (a test key), two workers take the jobs of a study of three sessions:
 *   its transcripts and positions are exactly those the in-process runner
 *   gives the same study (the sandbox and the moderator are deterministic).
 * - With a live key against the mock upstream, a worker SIGKILLed with two
 *   sessions in flight: another worker resumes both from their stored turns
 *   (BullMQ's stalled-job check hands it the jobs once their locks lapse).
 *   The stored turns are kept as they were, no stored turn is asked again,
 *   only the calls in flight at the kill are repeated, every position is
 *   stored and debited once with the credits of its calls, nothing stays
 *   held, no lease is left in Redis.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { freePort, startTestServer } from '../helpers/app.js';
import { createCohortCluster, until, within } from '../helpers/cohort-cluster.js';
import { api, instanceOf, readEvents, requestedSchema } from '../helpers/focus-groups.js';
import { startMockChatUpstream, type MockChatUpstream, type MockReply } from '../helpers/mock-chat-upstream.js';
import { withRedis } from '../helpers/redis.js';
import type { RecordedRequest } from '../helpers/scripted-server.js';

const USAGE = { prompt_tokens: 1200, completion_tokens: 60, total_tokens: 1260 };

/** The user message of a discussion turn's call. */
const turnText = (req: RecordedRequest): string => {
  const messages = (req.body as { messages: { role: string; content: unknown }[] }).messages;
  const c = messages.at(-1)!.content;
  return typeof c === 'string' ? c : (c as { text?: string }[]).map((p) => p.text ?? '').join('');
};

/**
 * Which member (its system prompt), question and turn (answer or probe answer) a call was
 * for: a slot of the transcript.
 */
function slotOf(req: RecordedRequest): string {
  const system = String((req.body as { messages: { content: unknown }[] }).messages[0]!.content);
  const text = turnText(req);
  return `${system.length}:${system.slice(-300)}|${/\(question (\d+) of/.exec(text)![1]}|${text.includes('Answer the question again') ? 'probe' : 'first'}`;
}

/**
 * Answers as a strict model would, deterministically from the transcript: scale answers at
 * the bottom or the top of the scale by the parity of the answers so far (so neighbours
 * disagree and the moderator probes), whichever process asks.
 */
function answer(req: RecordedRequest): MockReply {
  const said = turnText(req).split('My answer:').length - 1;
  return { type: 'completion', content: JSON.stringify(instanceOf(requestedSchema(req), { at: said % 2 })), usage: USAGE };
}

async function finished(fg: ReturnType<typeof api>, id: string, ms: number) {
  const frames = await within(`study ${id} to end`, readEvents(await fg.get(`/focus-groups/${id}/events`)), ms);
  assert.equal(frames.at(-1)!.data, '[DONE]');
  return (await fg.json(fg.get(`/focus-groups/${id}`))).body;
}

async function transcripts(fg: ReturnType<typeof api>, id: string): Promise<any[]> {
  return (await fg.json(fg.get(`/focus-groups/${id}/transcripts?limit=20`))).body.data;
}

const QUESTIONS = [
  { type: 'nps', text: 'How likely are you to recommend CareFlow to a colleague?' },
  { type: 'yes_no', text: 'Would you pilot it on one ward?' },
  { type: 'rating', text: 'Rate its price.', min: 1, max: 5 },
];

withRedis('discussion mode on the job queue (BullMQ)', () => {
  const cluster = createCohortCluster();
  let upstreamA: MockChatUpstream;
  let upstreamB: MockChatUpstream;

  before(async () => {
    upstreamA = await startMockChatUpstream();
    upstreamB = await startMockChatUpstream();
    await cluster.open({
      // Three jobs in flight per worker, one respondent per job (a session runs from the job of its first member); a killed worker's jobs move on 2 s after its last renewal.
      COHORT_FOCUS_GROUP_SERVER_CONCURRENCY: '3',
      COHORT_FOCUS_GROUP_BATCH: '1',
      COHORT_FOCUS_GROUP_LOCK_MS: '2000',
    });
  });

  after(async () => {
    await cluster.close();
    await upstreamA?.close();
    await upstreamB?.close();
  });

  it('two workers run a discussion study: the same transcripts and positions as the in-process runner', async () => {
    const study = {
      name: 'Queue discussion',
      mode: 'discussion',
      session_size: 4,
      personas: [
        { persona_id: 'millennial-suburban-parent', respondents: 6 },
        { persona_id: 'budget-conscious-single-parent', respondents: 6 },
      ],
      stimulus: { text: 'FreshBox: healthy meal kits delivered weekly, from $59 per month.' },
      questions: [
        { type: 'nps', text: 'How likely are you to recommend FreshBox to a friend?' },
        { type: 'multiple_choice', text: 'Which plan would you pick?', options: ['2 meals', '4 meals', '6 meals'] },
        { id: 'why', type: 'open_ended', text: 'Why would you not recommend it?', when: { question_id: 'q1', lte: 6 } },
        { type: 'yes_no', text: 'Would you subscribe at $59 per month?' },
      ],
      seed: 77,
    };
    const port = await freePort();
    const server = await cluster.start(['serve', '--port', String(port), '--host', '127.0.0.1', '--no-focus-group-worker'], {}, 'listening on');
    const workers = [await cluster.start(['worker'], {}, 'Cohort worker'), await cluster.start(['worker'], {}, 'Cohort worker')];
    const fg = api(`http://127.0.0.1:${port}/v1`, await cluster.key('acme', 'test'));
    const created = await fg.json(fg.post('/focus-groups', study));
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const done = await finished(fg, created.body.id, 60_000);
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.deepEqual([done.progress.respondents_completed, done.progress.answers_completed + done.progress.answers_skipped, done.progress.answers_failed], [12, 48, 0]);

    // The same study in this process (in-process runner, the sandbox).
    const local = await startTestServer();
    try {
      const lfg = api(local.baseURL, local.testKey);
      const mine = await lfg.json(lfg.post('/focus-groups', study));
      assert.equal((await finished(lfg, mine.body.id, 60_000)).status, 'completed');
      const strip = (ts: any[]) =>
        ts.map((t) => ({
          status: t.status,
          names: t.members.map((m: any) => m.name),
          turns: t.turns.map(({ seq, question_id, kind, name, text, answer }: any) => ({ seq, question_id, kind, name, text, answer })),
        }));
      const queued = await transcripts(fg, created.body.id);
      assert.equal(queued.length, 3, 'twelve respondents in sessions of four');
      assert.ok(
        queued.some((t) => t.turns.some((x: any) => x.kind === 'probe')),
        'some question was probed',
      );
      assert.deepEqual(strip(queued), strip(await transcripts(lfg, mine.body.id)), 'the same transcripts, turn for turn');
      const positions = async (c: ReturnType<typeof api>, id: string) =>
        (await c.json(c.get(`/focus-groups/${id}/respondents?limit=100`))).body.data.map((r: any) => r.answers.map((a: any) => [a.status, a.answer]));
      assert.deepEqual(await positions(fg, created.body.id), await positions(lfg, mine.body.id), 'the same positions');
    } finally {
      await local.close();
    }
    assert.deepEqual(await cluster.keys('fg-lease:*'), [], 'no respondent lease is left');
    for (const w of workers) w.child.kill('SIGTERM');
    server.child.kill('SIGTERM');
    for (const p of [...workers, server]) assert.equal(await within('a process to stop', p.exited, 15_000), 0, p.output());
  });

  it('a worker SIGKILLed mid-session: another resumes the sessions from their stored turns, nothing asked or paid twice', async () => {
    // Worker A answers 7 calls, then every call hangs (until the kill drops it); B answers everything.
    const answeredByA: RecordedRequest[] = [];
    const heldByA: RecordedRequest[] = [];
    upstreamA.setFallback((req): MockReply => {
      if (answeredByA.length < 7) {
        answeredByA.push(req);
        return answer(req);
      }
      heldByA.push(req);
      return { type: 'hang' };
    });
    upstreamB.setFallback(answer);

    const key = await cluster.key('kill');
    const port = await freePort();
    const server = await cluster.start(['serve', '--port', String(port), '--host', '127.0.0.1', '--no-focus-group-worker'], { COHORT_UPSTREAM_URL: upstreamB.url }, 'listening on');
    const a = await cluster.start(['worker'], { COHORT_UPSTREAM_URL: upstreamA.url }, 'Cohort worker');
    const fg = api(`http://127.0.0.1:${port}/v1`, key);
    const before = (await fg.json(fg.get('/credits'))).body;
    const created = await fg.json(
      fg.post('/focus-groups', { name: 'Kill a session', mode: 'discussion', session_size: 4, personas: [{ persona_id: 'hospital-cfo', respondents: 8 }], questions: QUESTIONS, seed: 11 }),
    );
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const id = created.body.id as string;

    // A runs both sessions: 7 calls answered (their turns stored), one call of each session held.
    await until('worker A mid-session in both sessions', () => answeredByA.length === 7 && heldByA.length === 2, 30_000);
    const said = (ts: any[]) => ts.flatMap((t) => t.turns.filter((x: any) => x.kind === 'answer' || x.kind === 'probe_answer'));
    await until('the 7 answered turns stored', async () => said(await transcripts(fg, id)).length === 7, 10_000);
    const partial = await transcripts(fg, id);
    assert.deepEqual(
      partial.map((t) => t.status),
      ['in_progress', 'in_progress'],
    );
    const storedByA = new Set(answeredByA.map(slotOf));
    assert.equal(storedByA.size, 7);
    const inFlight = heldByA.map(slotOf);

    a.child.kill('SIGKILL');
    await within('worker A to die', a.exited, 10_000);
    const b = await cluster.start(['worker'], { COHORT_UPSTREAM_URL: upstreamB.url }, 'Cohort worker');

    const done = await finished(fg, id, 60_000);
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.deepEqual([done.progress.answers_completed, done.progress.answers_failed, done.progress.respondents_completed], [24, 0, 8]);

    const final = await transcripts(fg, id);
    final.forEach((t, k) => {
      assert.equal(t.status, 'completed');
      assert.deepEqual(t.turns.slice(0, partial[k].turns.length), partial[k].turns, `session ${k}: the stored turns are kept as they were`);
      // Per question: the moderator, 4 answers, and — answers at both ends of the scale — a probe and 4 answers again (not for yes/no).
      assert.deepEqual(
        t.turns.map((x: any) => x.kind),
        [
          'question',
          ...Array(4).fill('answer'),
          'probe',
          ...Array(4).fill('probe_answer'),
          'question',
          ...Array(4).fill('answer'),
          'question',
          ...Array(4).fill('answer'),
          'probe',
          ...Array(4).fill('probe_answer'),
        ],
      );
    });
    const calls = said(final).length;
    assert.equal(calls, 2 * 20);

    // Asked exactly once: B asked every turn A did not store, A's stored turns never again, A's held calls again.
    const askedByB = upstreamB.requests.map(slotOf);
    assert.equal(askedByB.length, calls - 7, 'only the turns not stored by A are asked of B');
    assert.equal(new Set(askedByB).size, askedByB.length, 'no turn asked twice');
    for (const slot of askedByB) assert.ok(!storedByA.has(slot), 'a stored turn is never asked again');
    for (const slot of inFlight) assert.ok(askedByB.includes(slot), 'the calls in flight at the kill are asked again');

    // Money: every call paid once (2 credits: 1,260 tokens), with its member's position.
    assert.equal(done.credits_used, calls * 2);
    const credits = (await fg.json(fg.get('/credits'))).body;
    assert.equal(before.balance - credits.balance, calls * 2, 'balance change = every call once');
    assert.equal(credits.held, 0, 'nothing stays held');
    const db = await cluster.db();
    const answers = await db.selectFrom('focus_group_answers').select(['respondent_idx', 'question_idx', 'credits']).where('study_id', '=', id).execute();
    assert.equal(answers.length, 24);
    assert.equal(new Set(answers.map((x) => `${x.respondent_idx}:${x.question_idx}`)).size, 24, 'every position stored once');
    const debits = await db.selectFrom('credit_ledger').select(['response_id', 'amount']).where('operation', '=', 'focus_group').execute();
    assert.equal(debits.length, 24, 'one debit per position');
    assert.equal(new Set(debits.map((d) => d.response_id)).size, 24);
    assert.equal(
      debits.reduce((n, d) => n - Number(d.amount), 0),
      calls * 2,
    );
    assert.deepEqual(await cluster.keys('fg-lease:*'), [], 'no respondent lease is left');

    b.child.kill('SIGTERM');
    assert.equal(await within('worker B to stop', b.exited, 15_000), 0, b.output());
    server.child.kill('SIGTERM');
    assert.equal(await within('the server to stop', server.exited, 15_000), 0, server.output());
  });
});
