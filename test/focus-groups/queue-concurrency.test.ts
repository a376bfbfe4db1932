/**
 * The per-study concurrency bound (COHORT_FOCUS_GROUP_CONCURRENCY) across
 * worker processes, for real: `cohort serve` (its worker off) and two
 * `cohort worker` processes on one database (PostgreSQL when reachable) and
 * one Redis (a fresh key prefix), each worker with room for 3 respondents,
 * a study bounded to 2.
 *
 * - Both workers take the study's jobs, and the calls in flight at the mock
 *   upstreams (one per worker, one count) never exceed 2 — per process, the
 *   two workers would have had 6.
 * - A worker SIGKILLed while it holds the study's 2 slots: the other asks
 *   nothing while they are held (the bound holds across processes), then —
 *   the dead worker's slot leases lapse — takes over and completes the study,
 *   every answer stored and paid once.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { freePort } from '../helpers/app.js';
import { createCohortCluster, until, within } from '../helpers/cohort-cluster.js';
import { answeringHandler, api, readEvents } from '../helpers/focus-groups.js';
import { startMockChatUpstream, type MockChatUpstream, type MockReply } from '../helpers/mock-chat-upstream.js';
import { withRedis } from '../helpers/redis.js';
import type { RecordedRequest } from '../helpers/scripted-server.js';

const QUESTIONS = [
  { type: 'nps', text: 'How likely are you to recommend CareFlow?' },
  { type: 'yes_no', text: 'Would you pilot it on one ward?' },
];

async function finished(fg: ReturnType<typeof api>, id: string, ms: number) {
  const frames = await within(`study ${id} to end`, readEvents(await fg.get(`/focus-groups/${id}/events`)), ms);
  assert.equal(frames.at(-1)!.data, '[DONE]');
  return (await fg.json(fg.get(`/focus-groups/${id}`))).body;
}

withRedis('the per-study bound across workers (job queue)', () => {
  const cluster = createCohortCluster();
  let upstreamA: MockChatUpstream;
  let upstreamB: MockChatUpstream;
  let port = 0;
  let key = '';

  before(async () => {
    upstreamA = await startMockChatUpstream();
    upstreamB = await startMockChatUpstream();
    await cluster.open({
      // Room for 3 respondents per worker (one per job), 2 per study; a killed worker's jobs and slots lapse 2 s after its last renewal.
      COHORT_FOCUS_GROUP_SERVER_CONCURRENCY: '3',
      COHORT_FOCUS_GROUP_CONCURRENCY: '2',
      COHORT_FOCUS_GROUP_BATCH: '1',
      COHORT_FOCUS_GROUP_LOCK_MS: '2000',
    });
    key = await cluster.key('bound');
    port = await freePort();
    await cluster.start(['serve', '--port', String(port), '--host', '127.0.0.1', '--no-focus-group-worker'], { COHORT_UPSTREAM_URL: upstreamA.url }, 'listening on');
  });

  after(async () => {
    await cluster.close();
    await upstreamA?.close();
    await upstreamB?.close();
  });

  it('two workers share a study: never more than its 2 respondents in flight between them', async () => {
    const answer = answeringHandler();
    let inFlight = 0;
    let most = 0;
    // Each call is held 60 ms, counted across both upstreams.
    const counting = async (req: RecordedRequest): Promise<MockReply> => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, 60));
      inFlight -= 1;
      return answer(req) as MockReply;
    };
    upstreamA.requests.length = 0;
    upstreamB.requests.length = 0;
    upstreamA.setFallback(counting);
    upstreamB.setFallback(counting);
    // No worker dies here: leases of 30 s (the default), so a starved event loop on a loaded
    // machine cannot let one lapse and have its respondent asked again by the other worker.
    const a = await cluster.start(['worker'], { COHORT_UPSTREAM_URL: upstreamA.url, COHORT_FOCUS_GROUP_LOCK_MS: '30000' }, 'Cohort worker');
    const b = await cluster.start(['worker'], { COHORT_UPSTREAM_URL: upstreamB.url, COHORT_FOCUS_GROUP_LOCK_MS: '30000' }, 'Cohort worker');
    const fg = api(`http://127.0.0.1:${port}/v1`, key);
    const created = await fg.json(fg.post('/focus-groups', { name: 'Bounded', personas: [{ persona_id: 'hospital-cfo', respondents: 16 }], questions: QUESTIONS, seed: 21 }));
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const done = await finished(fg, created.body.id, 90_000);
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.deepEqual([done.progress.answers_completed, done.progress.respondents_completed], [32, 16]);
    assert.equal(upstreamA.requests.length + upstreamB.requests.length, 32, 'every answer asked once');
    assert.ok(upstreamA.requests.length > 0 && upstreamB.requests.length > 0, `both workers took the study's respondents (${upstreamA.requests.length} and ${upstreamB.requests.length} calls)`);
    assert.equal(most, 2, 'the study ran 2 respondents at once, never more');
    assert.deepEqual(await cluster.keys('cc:fg-study:*'), [], 'no study slot is left held');
    for (const w of [a, b]) w.child.kill('SIGTERM');
    for (const w of [a, b]) assert.equal(await within('a worker to stop', w.exited, 15_000), 0, w.output());
  });

  it("a worker SIGKILLed holding the study's slots: the other waits for their leases to lapse, then completes the study", async () => {
    const answer = answeringHandler();
    const heldByA: RecordedRequest[] = [];
    upstreamA.requests.length = 0;
    upstreamB.requests.length = 0;
    // A: every call hangs (until the kill drops it). B: answers.
    upstreamA.setFallback((req): MockReply => (heldByA.push(req), { type: 'hang' }));
    upstreamB.setFallback(answer);
    const a = await cluster.start(['worker'], { COHORT_UPSTREAM_URL: upstreamA.url }, 'Cohort worker');
    const fg = api(`http://127.0.0.1:${port}/v1`, key);
    const before = (await fg.json(fg.get('/credits'))).body;
    const created = await fg.json(fg.post('/focus-groups', { name: 'Held', personas: [{ persona_id: 'hospital-cfo', respondents: 6 }], questions: QUESTIONS, seed: 22 }));
    assert.equal(created.status, 202, JSON.stringify(created.body));
    await until("worker A holds the study's 2 slots", () => heldByA.length === 2, 30_000);
    const b = await cluster.start(['worker'], { COHORT_UPSTREAM_URL: upstreamB.url }, 'Cohort worker');
    // B has room for 3 and 4 respondents are waiting, but the study's 2 slots are A's.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(upstreamB.requests.length, 0, 'worker B asked nothing while A held both slots');
    assert.equal(heldByA.length, 2, 'A took no third respondent');

    a.child.kill('SIGKILL');
    await within('worker A to die', a.exited, 10_000);
    const done = await finished(fg, created.body.id, 60_000);
    assert.equal(done.status, 'completed', JSON.stringify(done));
    assert.deepEqual([done.progress.answers_completed, done.progress.respondents_completed], [12, 6]);
    assert.equal(upstreamB.requests.length, 12, 'B asked every answer once (A stored none)');
    const credits = (await fg.json(fg.get('/credits'))).body;
    assert.equal(before.balance - credits.balance, 12 * 2, 'each answer paid once');
    assert.equal(credits.held, before.held, 'nothing stays held');
    assert.deepEqual(await cluster.keys('cc:fg-study:*'), [], 'no study slot is left held');
    b.child.kill('SIGTERM');
    assert.equal(await within('worker B to stop', b.exited, 15_000), 0, b.output());
  });
});
