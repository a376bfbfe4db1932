/**
 * Focus groups past one machine, for real: one `cohort serve` with its
 * focus-group worker off and two `cohort worker` processes on one database
 * (PostgreSQL when reachable, else one SQLite file) and one Redis (a fresh
 * key prefix) share a live-key study. Each worker has its own mock upstream,
 * so the test sees which worker asked what: worker A answers 3 calls and
 * then hangs on its next ones; worker B's calls are held until A is
 * SIGKILLed mid-study, then answered. The study completes through B (A's
 * jobs come back by BullMQ's stalled-job check once their locks lapse):
 * every slot answered exactly once, no stored answer asked again, only the
 * calls in flight at the kill repeated, each answer debited once in the
 * credit ledger, nothing left held; progress reached the serving process's
 * event stream; no respondent lease is left in Redis.
 *
 * Then a cancel reaches every process working a study: `serve` (its worker
 * on) and one `cohort worker` each hold model calls of a study when it is
 * cancelled through the server; both abort them at once, no job asks
 * anything more, and the study pays for the answers it got. (`npm test`
 * builds dist/ first.)
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { freePort } from '../helpers/app.js';
import { createCohortCluster, until, within } from '../helpers/cohort-cluster.js';
import { answeringHandler, api, readEvents } from '../helpers/focus-groups.js';
import { startMockChatUpstream, type MockChatUpstream, type MockReply } from '../helpers/mock-chat-upstream.js';
import { withRedis } from '../helpers/redis.js';
import type { RecordedRequest } from '../helpers/scripted-server.js';

/** Which respondent (its system prompt) and question a model call was for. */
function slotOf(req: RecordedRequest): string {
  const messages = (req.body as { messages: { role: string; content: unknown }[] }).messages;
  const last = JSON.stringify(messages.at(-1)!.content);
  return `${String(messages[0]!.content).length}:${String(messages[0]!.content).slice(-400)}|${/Question (\d+) of/.exec(last)![1]}`;
}

withRedis('focus groups on the job queue (BullMQ)', () => {
  const cluster = createCohortCluster();
  const start = cluster.start;
  const PREFIX = cluster.prefix;
  let redis: typeof cluster.redis;
  let upstreamA: MockChatUpstream;
  let upstreamB: MockChatUpstream;

  before(async () => {
    upstreamA = await startMockChatUpstream();
    upstreamB = await startMockChatUpstream();
    await cluster.open({
      // Three respondents in flight per worker, one per job; a killed worker's jobs move on 2 s after its last renewal.
      COHORT_FOCUS_GROUP_SERVER_CONCURRENCY: '3',
      COHORT_FOCUS_GROUP_BATCH: '1',
      COHORT_FOCUS_GROUP_LOCK_MS: '2000',
    });
    redis = cluster.redis;
  });

  after(async () => {
    await cluster.close();
    await upstreamA?.close();
    await upstreamB?.close();
  });

  it('two workers share a study; one SIGKILLed mid-study; it completes with every answer asked, stored and debited once', async () => {
    const answer = answeringHandler();
    // Worker A: 3 answers, then every call hangs (until the kill drops them).
    const answeredByA: RecordedRequest[] = [];
    const heldByA: RecordedRequest[] = [];
    upstreamA.setFallback((req): MockReply => {
      if (answeredByA.length < 3) {
        answeredByA.push(req);
        return answer(req) as MockReply;
      }
      heldByA.push(req);
      return { type: 'hang' };
    });
    // Worker B: its calls wait for A's kill (so A surely gets work), then are answered.
    let openB!: () => void;
    const bOpen = new Promise<void>((r) => (openB = r));
    upstreamB.setFallback(async (req): Promise<MockReply> => {
      await bOpen;
      return answer(req) as MockReply;
    });

    const key = await cluster.key('queue');

    const port = await freePort();
    const server = await start(['serve', '--port', String(port), '--host', '127.0.0.1', '--no-focus-group-worker'], { COHORT_UPSTREAM_URL: upstreamA.url }, 'listening on');
    const a = await start(['worker'], { COHORT_UPSTREAM_URL: upstreamA.url }, 'Cohort worker');
    const b = await start(['worker'], { COHORT_UPSTREAM_URL: upstreamB.url }, 'Cohort worker');

    const fg = api(`http://127.0.0.1:${port}/v1`, key);
    const before = (await fg.json(fg.get('/credits'))).body;
    const created = await fg.json(
      fg.post('/focus-groups', {
        name: 'Two workers',
        personas: [{ persona_id: 'hospital-cfo', respondents: 12 }],
        questions: [
          { type: 'nps', text: 'How likely are you to recommend CareFlow?' },
          { type: 'yes_no', text: 'Would you pilot it on one ward?' },
          { type: 'rating', text: 'Rate its price.', min: 1, max: 5 },
        ],
        seed: 5,
      }),
    );
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const study = created.body;
    // The serving process's event stream, read from the start to the end (bounded below).
    const events = fetch(`http://127.0.0.1:${port}/v1/focus-groups/${study.id}/events`, { headers: { authorization: `Bearer ${key}` }, signal: AbortSignal.timeout(45_000) }).then((res) => readEvents(res));

    // A answered 3 and its 3 respondents in flight are held; B has its 3 in flight too.
    await until('worker A busy: 3 answered, 3 calls held', () => answeredByA.length === 3 && heldByA.length === 3, 20_000);
    await until('worker B busy: 3 calls in flight', () => upstreamB.requests.length === 3, 20_000);
    assert.equal(upstreamB.requests.length, 3, 'each worker takes at most its 3 respondents');
    const storedByA = new Set(answeredByA.map(slotOf));
    const inFlightAtKill = heldByA.map(slotOf);
    assert.equal(storedByA.size, 3);

    a.child.kill('SIGKILL');
    await within('worker A to die', a.exited, 10_000);
    openB();

    const frames = await within('the study to complete', events, 45_000);
    const end = frames.at(-2)!;
    assert.equal(end.event, 'focus_group.completed', JSON.stringify(frames.slice(-3)));
    const done = JSON.parse(end.data).focus_group;
    assert.deepEqual([done.progress.answers_completed, done.progress.answers_failed, done.progress.answers_skipped, done.progress.respondents_completed], [36, 0, 0, 12]);
    const progress = frames.filter((f) => f.event === 'focus_group.progress').map((f) => Number(f.id));
    assert.ok(progress.length >= 3, `progress reached the server's stream as it happened: ${progress.join(',')}`);
    assert.deepEqual(progress, [...progress].sort((x, y) => x - y), 'progress only grows');

    // Asked exactly once: B asked every slot A did not store, A's stored answers never again, and A's held calls again.
    const askedByB = upstreamB.requests.map(slotOf);
    assert.equal(askedByB.length, 36 - 3, 'only the slots not stored by A are asked of B');
    assert.equal(new Set(askedByB).size, askedByB.length, 'no slot asked twice');
    for (const slot of askedByB) assert.ok(!storedByA.has(slot), 'a stored answer is never asked again');
    for (const slot of inFlightAtKill) assert.ok(askedByB.includes(slot), 'the calls in flight at the kill are asked again');

    const respondents = (await fg.json(fg.get(`/focus-groups/${study.id}/respondents?limit=100`))).body.data;
    assert.equal(respondents.length, 12);
    for (const r of respondents) assert.deepEqual(r.answers.map((x: { status: string }) => x.status), ['answered', 'answered', 'answered']);
    const cost = respondents.flatMap((r: { answers: { credits: number }[] }) => r.answers).reduce((n: number, x: { credits: number }) => n + x.credits, 0);
    assert.equal(cost, 36 * 2);
    assert.equal(done.credits_used, cost);
    const afterCredits = (await fg.json(fg.get('/credits'))).body;
    assert.equal(before.balance - afterCredits.balance, cost, 'balance change = sum of answer costs');
    assert.equal(afterCredits.held, 0, 'nothing stays held');

    const db = await cluster.db();
    try {
      const answers = await db.selectFrom('focus_group_answers').select(['respondent_idx', 'question_idx']).where('study_id', '=', study.id).execute();
      assert.equal(answers.length, 36);
      assert.equal(new Set(answers.map((x) => `${x.respondent_idx}:${x.question_idx}`)).size, 36, 'every slot stored once');
      const debits = await db.selectFrom('credit_ledger').select(['response_id', 'amount']).where('operation', '=', 'focus_group').execute();
      assert.equal(debits.length, 36);
      assert.equal(new Set(debits.map((d) => d.response_id)).size, 36, 'each answer debited once');
      assert.equal(debits.reduce((n, d) => n - Number(d.amount), 0), cost);
    } finally {
      await db.destroy();
    }
    assert.deepEqual(await redis.keys(`${PREFIX}fg-lease:*`), [], 'no respondent lease is left');

    b.child.kill('SIGTERM');
    assert.equal(await within('worker B to stop', b.exited, 15_000), 0, b.output());
    server.child.kill('SIGTERM');
    assert.equal(await within('the server to stop', server.exited, 15_000), 0, server.output());
  });

  it('a cancel stops the study on every process working it: calls in flight aborted, nothing more asked, the answers got paid for', async () => {
    const answer = answeringHandler();
    // Each process's upstream answers 2 calls, then holds the rest.
    const script = (upstream: MockChatUpstream) => {
      let answered = 0;
      upstream.setFallback((req): MockReply => (answered++ < 2 ? (answer(req) as MockReply) : { type: 'hang' }));
    };
    const served = await startMockChatUpstream();
    const worked = await startMockChatUpstream();
    try {
      script(served);
      script(worked);
      const key = await cluster.key('cancel');
      const port = await freePort();
      const server = await start(['serve', '--port', String(port), '--host', '127.0.0.1'], { COHORT_UPSTREAM_URL: served.url }, 'listening on');
      const worker = await start(['worker'], { COHORT_UPSTREAM_URL: worked.url }, 'Cohort worker');
      const fg = api(`http://127.0.0.1:${port}/v1`, key);
      const before = (await fg.json(fg.get('/credits'))).body;
      const study = (
        await fg.json(fg.post('/focus-groups', { name: 'Cancel me', personas: [{ persona_id: 'hospital-cfo', respondents: 12 }], questions: [{ type: 'nps', text: 'Recommend CareFlow?' }, { type: 'yes_no', text: 'Pilot it?' }], seed: 9 }))
      ).body;
      // Both processes answered 2 and hold 3 calls each (3 respondents in flight per process).
      const held = (u: MockChatUpstream) => u.requests.slice(2);
      await until('both processes busy', () => served.requests.length === 5 && worked.requests.length === 5, 20_000);
      await until('the 4 answers stored', async () => (await fg.json(fg.get(`/focus-groups/${study.id}`))).body.progress.answers_completed === 4, 10_000);

      const cancelled = await fg.json(fg.post(`/focus-groups/${study.id}/cancel`));
      assert.equal(cancelled.status, 200);
      assert.equal(cancelled.body.status, 'cancelled');
      const inFlight = [...held(served), ...held(worked)];
      await within(
        'every call in flight aborted',
        Promise.all(inFlight.map((r) => r.closed)),
        5000,
      );
      assert.ok(inFlight.every((r) => r.aborted), 'the calls were aborted, not answered');
      // The study's other jobs find it ended: the queue drains without asking anything.
      const bull = `${PREFIX}bull:focus-groups:`;
      await until('the queue drained', async () => (await redis.llen(`${bull}wait`)) + (await redis.llen(`${bull}active`)) + (await redis.zcard(`${bull}delayed`)) === 0, 15_000);
      assert.deepEqual([served.requests.length, worked.requests.length], [5, 5], 'nothing more was asked');

      const after = (await fg.json(fg.get(`/focus-groups/${study.id}`))).body;
      assert.equal(after.status, 'cancelled');
      assert.equal(after.progress.answers_completed, 4);
      assert.equal(after.credits_used, 4 * 2);
      const credits = (await fg.json(fg.get('/credits'))).body;
      assert.equal(before.balance - credits.balance, 4 * 2, 'the study paid for the 4 answers it got');
      assert.equal(credits.held, 0, 'the rest of its hold was released');

      worker.child.kill('SIGTERM');
      assert.equal(await within('the worker to stop', worker.exited, 15_000), 0, worker.output());
      server.child.kill('SIGTERM');
      assert.equal(await within('the server to stop', server.exited, 15_000), 0, server.output());
    } finally {
      await served.close();
      await worked.close();
    }
  });
});
