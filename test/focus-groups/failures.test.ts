/**
 * Respondents that fail, with a live key against the mock upstream (the real
 * OpenAI wire protocol over HTTP), on both runners: in process, and on the
 * job queue (BullMQ on the test Redis, a fresh key prefix, worked in this
 * process).
 *
 * - The upstream answers 500 to every call of one respondent: each of its
 *   questions is tried `retries + 1` times, then recorded as failed (free);
 *   the others answer; the study completes; the bill is the answers stored.
 * - The database refuses one respondent's second answer (a trigger, as a
 *   constraint would): the respondent's run throws, is run 3 times (in
 *   process; on the queue, its job's 3 attempts), then its missing answers are
 *   recorded as failed and the study completes. The answer it stored before
 *   is kept and paid once; the refused calls, never stored, are never paid.
 * - The same in a discussion: the session is the unit, so its members not yet
 *   positioned are given up on together; the other session runs as usual.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { Redis } from 'ioredis';
import { createOpenAIChatProvider } from '../../src/providers/openai/chat/index.js';
import { openDatabase } from '../../src/storage/db.js';
import { startTestServer, type TestServer, type TestServerOptions } from '../helpers/app.js';
import { testBullQueue, type TestBullQueue } from '../helpers/bull-queue.js';
import { within } from '../helpers/cohort-cluster.js';
import { answeringHandler, api, readEvents } from '../helpers/focus-groups.js';
import { startMockChatUpstream, type MockChatUpstream, type MockReply } from '../helpers/mock-chat-upstream.js';
import { REDIS_URL, withRedis } from '../helpers/redis.js';
import type { RecordedRequest } from '../helpers/scripted-server.js';

const answer = answeringHandler(); // 1,260 tokens: 2 credits an answer
const RETRIES = 3;
const STUDY = {
  name: 'Failures',
  personas: [{ persona_id: 'hospital-cfo', respondents: 4 }],
  questions: [
    { type: 'nps', text: 'How likely are you to recommend CareFlow?' },
    { type: 'yes_no', text: 'Would you pilot it on one ward?' },
    { type: 'rating', text: 'Rate its price.', min: 1, max: 5 },
  ],
  seed: 8,
};
const systemOf = (req: RecordedRequest) => String((req.body as { messages: { content: unknown }[] }).messages[0]!.content);

interface Runner {
  name: string;
  start(options: TestServerOptions): Promise<{ server: TestServer; close(): Promise<void> }>;
}

const PREFIX = `cohort-test:${Date.now().toString(36)}:${randomBytes(4).toString('hex')}:`;

const RUNNERS: Runner[] = [
  {
    name: 'in process',
    async start(options) {
      const server = await startTestServer(options);
      return { server, close: () => server.close() };
    },
  },
  {
    name: 'on the job queue',
    async start(options) {
      const db = await openDatabase({ dataDir: ':memory:' });
      const q: TestBullQueue = testBullQueue(db, { prefix: PREFIX, instanceId: 'queue', settings: { concurrency: 3 } });
      const server = await startTestServer({ ...options, db, instanceId: 'queue', focusGroupQueue: q.factory, focusGroupProgress: q.signals.progress });
      return {
        server,
        async close() {
          await server.close();
          await q.close();
          await db.destroy();
        },
      };
    },
  },
];

async function finished(fg: ReturnType<typeof api>, id: string) {
  const frames = await within(`study ${id} to end`, readEvents(await fg.get(`/focus-groups/${id}/events`)), 60_000);
  assert.equal(frames.at(-1)!.data, '[DONE]');
  return (await fg.json(fg.get(`/focus-groups/${id}`))).body;
}

function suite(runner: Runner): void {
  let upstream: MockChatUpstream;
  let ctx: { server: TestServer; close(): Promise<void> };
  let fg: ReturnType<typeof api>;
  before(async () => {
    upstream = await startMockChatUpstream({ fallback: answer });
    ctx = await runner.start({
      live: createOpenAIChatProvider({ baseURL: upstream.url, model: 'gpt-test', apiKey: 'sk-up' }),
      focusGroupRunner: { perStudy: 3, retries: RETRIES, retryBaseMs: 1, retryMaxMs: 5 },
    });
    fg = api(ctx.server.baseURL, ctx.server.liveKey);
  });
  after(async () => {
    await ctx?.close();
    await upstream?.close();
  });

  /** The money of a study: what the balance lost, what stays held, the ledger's debits. */
  async function money(before: { balance: number }) {
    const credits = (await fg.json(fg.get('/credits'))).body;
    const ws = (await ctx.server.accounts.findKeyBySecret(ctx.server.liveKey))!.workspace_id;
    const ledger = (await ctx.server.credits.ledger(ws, { limit: 100 })).filter((l) => l.operation === 'focus_group');
    return { paid: before.balance - credits.balance, held: credits.held, debits: ledger.map((l) => Number(l.amount)) };
  }

  it(`${runner.name}: the upstream answers 500 to every call of one respondent — its answers are recorded failed after the retries, the study completes, credits exact`, async () => {
    upstream.requests.length = 0;
    let poisoned: string | undefined;
    upstream.setFallback((req): MockReply => {
      poisoned ??= systemOf(req);
      return systemOf(req) === poisoned ? { type: 'error', status: 500, message: 'The server had an error while processing your request.', errorType: 'server_error' } : (answer(req) as MockReply);
    });
    const before = (await fg.json(fg.get('/credits'))).body;
    const created = await fg.json(fg.post('/focus-groups', STUDY));
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const study = await finished(fg, created.body.id);
    assert.equal(study.status, 'completed', JSON.stringify(study));
    assert.deepEqual([study.progress.answers_completed, study.progress.answers_failed, study.progress.respondents_completed], [9, 3, 4]);
    assert.equal(upstream.requests.filter((r) => systemOf(r) === poisoned).length, 3 * (RETRIES + 1), 'each of its questions tried retries + 1 times');

    const people = (await fg.json(fg.get(`/focus-groups/${created.body.id}/respondents`))).body.data as any[];
    const failing = people.filter((p) => p.answers.some((a: any) => a.status !== 'answered'));
    assert.equal(failing.length, 1, 'one respondent failed');
    for (const a of failing[0].answers) {
      assert.equal(a.status, 'failed');
      assert.equal(a.credits, 0);
      assert.equal(a.answer, null);
      assert.match(a.error, /500|server/i);
    }
    assert.equal(study.credits_used, 9 * 2);
    const m = await money(before);
    assert.equal(m.paid, 9 * 2, 'the balance paid for the 9 answers, not the failed ones');
    assert.equal(m.held, before.held, 'nothing stays held');
    assert.equal(m.debits.length, 9);
  });

  it(`${runner.name}: the database refuses a respondent's answer — its run is tried 3 times, then its missing answers are recorded failed, the study completes, credits exact`, async () => {
    upstream.requests.length = 0;
    upstream.setFallback(answer);
    const db = ctx.server.db;
    // Respondent 1's answer to the second question cannot be stored (as a constraint would refuse it).
    await sql`CREATE TRIGGER refuse_answer BEFORE INSERT ON focus_group_answers WHEN NEW.respondent_idx = 1 AND NEW.question_idx = 1 AND NEW.status = 'answered' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`.execute(
      db,
    );
    try {
      const before = (await fg.json(fg.get('/credits'))).body;
      const ledgerBefore = (await money(before)).debits.length;
      const created = await fg.json(fg.post('/focus-groups', STUDY));
      assert.equal(created.status, 202, JSON.stringify(created.body));
      const study = await finished(fg, created.body.id);
      assert.equal(study.status, 'completed', JSON.stringify(study));
      assert.deepEqual([study.progress.answers_completed, study.progress.answers_failed, study.progress.respondents_completed], [10, 2, 4]);

      const people = (await fg.json(fg.get(`/focus-groups/${created.body.id}/respondents`))).body.data as any[];
      const one = people[1];
      assert.deepEqual(
        one.answers.map((a: any) => a.status),
        ['answered', 'failed', 'failed'],
      );
      for (const a of one.answers.slice(1)) {
        assert.equal(a.credits, 0);
        assert.match(a.error, /could not be run \(3 attempts/);
      }
      // Its first answer was asked once (stored on the first run, kept by the others); the refused one on each of the 3 runs.
      const system = upstream.requests.map(systemOf);
      const its = upstream.requests.filter((r) => systemOf(r) === system.find((x) => x.includes(one.profile.name)));
      assert.equal(its.length, 1 + 3);
      assert.equal(upstream.requests.length, 3 * 3 + 4);

      assert.equal(study.credits_used, 10 * 2);
      const m = await money(before);
      assert.equal(m.paid, 10 * 2, 'the 10 stored answers paid, once each; the refused calls never');
      assert.equal(m.held, before.held, 'nothing stays held');
      assert.equal(m.debits.length - ledgerBefore, 10);
    } finally {
      await sql`DROP TRIGGER refuse_answer`.execute(db);
    }
  });

  it(`${runner.name}: a discussion session whose member's position the database refuses is given up on whole after 3 runs; the other session and the positions stored stay`, async () => {
    upstream.requests.length = 0;
    upstream.setFallback(answer);
    const db = ctx.server.db;
    await sql`CREATE TRIGGER refuse_position BEFORE INSERT ON focus_group_answers WHEN NEW.respondent_idx = 1 AND NEW.status = 'answered' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END`.execute(
      db,
    );
    try {
      const before = (await fg.json(fg.get('/credits'))).body;
      const created = await fg.json(
        fg.post('/focus-groups', { ...STUDY, mode: 'discussion', session_size: 4, personas: [{ persona_id: 'hospital-cfo', respondents: 8 }], questions: [STUDY.questions[1]] }),
      );
      assert.equal(created.status, 202, JSON.stringify(created.body));
      const study = await finished(fg, created.body.id);
      assert.equal(study.status, 'completed', JSON.stringify(study));
      // Session 0: member 0's position stored before member 1's was refused; members 1–3 given up. Session 1: all four.
      assert.deepEqual([study.progress.answers_completed, study.progress.answers_failed, study.progress.respondents_completed], [5, 3, 8]);
      const people = (await fg.json(fg.get(`/focus-groups/${created.body.id}/respondents`))).body.data as any[];
      assert.deepEqual(
        people.map((p) => p.answers[0].status),
        ['answered', 'failed', 'failed', 'failed', 'answered', 'answered', 'answered', 'answered'],
      );
      for (const p of people.slice(1, 4)) assert.match(p.answers[0].error, /could not be run \(3 attempts/);
      // Each session's four answers were asked once: the runs after the first replay the stored turns.
      assert.equal(upstream.requests.length, 8);
      assert.equal(study.credits_used, 5 * 2);
      const m = await money(before);
      assert.equal(m.paid, 5 * 2, 'the 5 positions stored paid once each');
      assert.equal(m.held, before.held, 'nothing stays held');
    } finally {
      await sql`DROP TRIGGER refuse_position`.execute(db);
    }
  });
}

describe('respondent failures, in process', () => suite(RUNNERS[0]!));
withRedis('respondent failures, on the job queue', () => {
  suite(RUNNERS[1]!);
  after(async () => {
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    const keys = await redis.keys(`${PREFIX}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });
});
