/**
 * A server killed with SIGKILL mid-study, for real: `cohort serve` (dist/)
 * runs a live-key study against the mock upstream, which answers the first
 * calls and then holds the rest open; once those answers are checkpointed the
 * process is killed. On restart (same data folder and port, so the new
 * process knows its predecessor is dead) the study resumes from its stored
 * answers: every answer slot ends answered exactly once, no stored answer is
 * asked for again, only the calls in flight at the kill are repeated, each
 * answer is debited once, and the balance change is the sum of the answers'
 * costs with nothing left held. (`npm test` builds dist/ first.)
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { after, describe, it } from 'node:test';
import { openDatabase } from '../../src/storage/db.js';
import { cohortJson } from '../helpers/cli.js';
import { freePort, tempDir } from '../helpers/app.js';
import { type CohortProcess, killAll, startCohortServer } from '../helpers/cohort-process.js';
import { answeringHandler, api, readEvents } from '../helpers/focus-groups.js';
import { startMockChatUpstream, type MockReply } from '../helpers/mock-chat-upstream.js';
import type { RecordedRequest } from '../helpers/scripted-server.js';

const dirs: string[] = [];
const children: CohortProcess[] = [];
after(async () => {
  await killAll(children);
  dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
});

const serve = (dir: string, port: number, upstreamUrl: string) =>
  startCohortServer({
    dataDir: dir,
    port,
    env: { ...process.env, COHORT_UPSTREAM_URL: upstreamUrl, COHORT_UPSTREAM_MODEL: 'm', COHORT_LOG_LEVEL: 'warn', COHORT_DATABASE_URL: '', COHORT_REDIS_URL: '', COHORT_KEY_CACHE_MS: '0' },
    into: children,
  });

/** Which respondent (its system prompt) and question a model call was for. */
function slotOf(req: RecordedRequest): string {
  const messages = (req.body as { messages: { role: string; content: unknown }[] }).messages;
  const last = JSON.stringify(messages.at(-1)!.content);
  return `${String(messages[0]!.content).length}:${String(messages[0]!.content).slice(-400)}|${/Question (\d+) of/.exec(last)![1]}`;
}

describe('focus groups survive SIGKILL', () => {
  it('resume from the last stored answer: none lost, none asked or paid twice', async () => {
    const dir = tempDir('cohort-fg-resume-');
    dirs.push(dir);
    const answer = answeringHandler();
    const upstream = await startMockChatUpstream();
    const port = await freePort();
    try {
      const { key } = await cohortJson<{ key: string }>(['keys', 'create', '--workspace', 'resume', '--create-workspace', '--plan', 'pro', '--json', '--data-dir', dir], process.env);

      // The first 7 calls are answered; every later one is held open (the kill ends them).
      let answered = 0;
      const held: RecordedRequest[] = [];
      upstream.setFallback((req): MockReply => {
        if (answered < 7) {
          answered += 1;
          return answer(req) as MockReply;
        }
        held.push(req);
        return { type: 'hang' };
      });

      let server = await serve(dir, port, upstream.url);
      const fg = api(`${server.url}/v1`, key);
      const before = (await fg.json(fg.get('/credits'))).body;
      const study = (
        await fg.json(
          fg.post('/focus-groups', {
            name: 'Resume me',
            personas: [{ persona_id: 'hospital-cfo', respondents: 6 }],
            questions: [
              { type: 'nps', text: 'How likely are you to recommend CareFlow?' },
              { type: 'yes_no', text: 'Would you pilot it on one ward?' },
              { type: 'rating', text: 'Rate its price.', min: 1, max: 5 },
            ],
            seed: 11,
          }),
        )
      ).body;
      assert.equal(study.status, 'pending');
      // Wait (on the event stream) until the 7 answers are checkpointed, and (on the upstream) until the next calls are in flight.
      await readEvents(await fg.get(`/focus-groups/${study.id}/events`), (f) => f.event === 'focus_group.progress' && JSON.parse(f.data).answers_completed >= 7);
      await upstream.waitForRequest(12);
      const beforeKill = new Set(upstream.requests.slice(0, 7).map(slotOf));
      const inFlight = held.map(slotOf);
      assert.equal(beforeKill.size, 7);

      server.child.kill('SIGKILL');
      await server.exited;
      const requestsAtKill = upstream.requests.length;
      upstream.setFallback(answer);

      server = await serve(dir, port, upstream.url);
      const fg2 = api(`${server.url}/v1`, key);
      const frames = await readEvents(await fg2.get(`/focus-groups/${study.id}/events`));
      const done = JSON.parse(frames.at(-2)!.data).focus_group;
      assert.equal(done.status, 'completed');
      assert.deepEqual([done.progress.answers_completed, done.progress.answers_failed, done.progress.answers_skipped, done.progress.respondents_completed], [18, 0, 0, 6]);

      const asked = upstream.requests.slice(requestsAtKill).map(slotOf);
      assert.equal(asked.length, 18 - 7, 'after the restart, only the slots not stored are asked');
      for (const slot of asked) assert.ok(!beforeKill.has(slot), 'a stored answer is never asked for again');
      for (const slot of inFlight) assert.ok(asked.includes(slot), 'the calls in flight at the kill are asked again');

      const respondents = (await fg2.json(fg2.get(`/focus-groups/${study.id}/respondents?limit=100`))).body.data;
      assert.equal(respondents.length, 6);
      for (const r of respondents) assert.deepEqual(r.answers.map((a: { status: string }) => a.status), ['answered', 'answered', 'answered']);
      const cost = respondents.flatMap((r: { answers: { credits: number }[] }) => r.answers).reduce((n: number, a: { credits: number }) => n + a.credits, 0);
      assert.equal(cost, 18 * 2);
      assert.equal(done.credits_used, cost);
      const afterCredits = (await fg2.json(fg2.get('/credits'))).body;
      assert.equal(before.balance - afterCredits.balance, cost, 'balance change = sum of answer costs');
      assert.equal(afterCredits.held, 0, 'nothing stays held');

      const db = await openDatabase({ dataDir: dir });
      try {
        const debits = await db.selectFrom('credit_ledger').select(['response_id', 'amount']).where('operation', '=', 'focus_group').execute();
        assert.equal(debits.length, 18);
        assert.equal(new Set(debits.map((d) => d.response_id)).size, 18, 'each answer debited once');
        assert.equal(debits.reduce((n, d) => n - Number(d.amount), 0), cost);
      } finally {
        await db.destroy();
      }
      server.child.kill('SIGTERM');
      await server.exited;
    } finally {
      await upstream.close();
    }
  });
});
