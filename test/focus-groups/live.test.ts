/**
 * Focus groups with live keys, against the mock Chat Completions upstream
 * over real HTTP: every answer a strict json_schema call in one growing
 * conversation per respondent; money exact (hold at creation, each answer
 * debited once, the rest released: balance change = sum of answer costs);
 * failed answers recorded and free; transient upstream errors retried; 402
 * when the balance cannot cover the hold; the plan's concurrency (429) and
 * cancel (pays for what it got, aborts the call in flight).
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createOpenAIChatProvider } from '../../src/providers/openai/chat/index.js';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { api, answeringHandler, GUIDE, readEvents } from '../helpers/focus-groups.js';
import { startMockChatUpstream, type MockChatUpstream, type MockReply } from '../helpers/mock-chat-upstream.js';
import type { RecordedRequest } from '../helpers/scripted-server.js';

let s: TestServer;
let upstream: MockChatUpstream;
let fg: ReturnType<typeof api>;

/** 1,200 + 60 tokens: the second size tier, 2 credits an answer. */
const answer = answeringHandler();
const text = (req: RecordedRequest) => JSON.stringify(req.body);

before(async () => {
  upstream = await startMockChatUpstream({ fallback: answer });
  s = await startTestServer({
    live: createOpenAIChatProvider({ baseURL: upstream.url, model: 'gpt-test', apiKey: 'sk-up' }),
    focusGroupRunner: { perStudy: 3, retryBaseMs: 1, retryMaxMs: 5 },
  });
  fg = api(s.baseURL, s.liveKey);
});
after(async () => {
  await s.close();
  await upstream.close();
});
beforeEach(() => {
  upstream.setFallback(answer);
  upstream.requests.length = 0;
});

async function workspaceOf(key: string): Promise<string> {
  return (await s.accounts.findKeyBySecret(key))!.workspace_id;
}
const credits = async (key: string) => (await fg.json(api(s.baseURL, key).get('/credits'))).body as { balance: number; held: number };
const finished = async (client: ReturnType<typeof api>, id: string) => {
  const frames = await readEvents(await client.get(`/focus-groups/${id}/events`));
  return JSON.parse(frames.at(-2)!.data).focus_group;
};

const STUDY = {
  name: 'Live concept test',
  personas: [
    { persona_id: 'hospital-cfo', respondents: 3 },
    { persona_id: 'registered-nurse', respondents: 2 },
  ],
  stimulus: { text: 'CareFlow: scheduling software for hospital wards, $12 per bed per month.' },
  questions: GUIDE,
  seed: 7,
};

describe('a live focus group', () => {
  it('asks each question under a strict schema, in one growing conversation per respondent, and charges each answer once', async () => {
    const before = await credits(s.liveKey);
    const created = await fg.json(fg.post('/focus-groups', STUDY));
    assert.equal(created.status, 202);
    assert.equal(created.body.livemode, true);
    assert.equal(created.body.estimate.max_credits, 5 * 4 * 3);
    assert.equal(created.body.credits_held, created.body.estimate.max_credits, 'the most it can cost is held first');
    const study = await finished(fg, created.body.id);
    assert.equal(study.status, 'completed');
    // The mock answers the middle of every scale: NPS 5, so the promoters' follow-up is skipped.
    assert.deepEqual([study.progress.answers_completed, study.progress.answers_skipped, study.progress.answers_failed], [15, 5, 0]);
    assert.equal(study.credits_used, 15 * 2);
    assert.equal(study.credits_held, 0);
    const after = await credits(s.liveKey);
    assert.equal(before.balance - after.balance, 30, 'balance change = sum of answer costs');
    assert.equal(after.held, before.held, 'the rest of the hold is released');
    const ledger = (await s.credits.ledger(await workspaceOf(s.liveKey), { limit: 100 })).filter((l) => l.operation === 'focus_group');
    assert.equal(ledger.length, 15);
    assert.equal(new Set(ledger.map((l) => l.response_id)).size, 15, 'one debit per answer');
    assert.equal(ledger.reduce((n, l) => n - l.amount, 0), 30);

    assert.equal(upstream.requests.length, 15, 'one model call per answered question');
    const bySystem = new Map<string, RecordedRequest[]>();
    for (const r of upstream.requests) {
      const body = r.body as { messages: { role: string; content: unknown }[]; response_format: { type: string; json_schema: { name: string; strict: boolean } } };
      assert.equal(body.response_format.type, 'json_schema');
      assert.equal(body.response_format.json_schema.strict, true);
      const system = String(body.messages[0]!.content);
      bySystem.set(system, [...(bySystem.get(system) ?? []), r]);
    }
    assert.equal(bySystem.size, 5, 'each respondent has its own system prompt (its sampled profile)');
    for (const [system, requests] of bySystem) {
      assert.match(system, /CareFlow: scheduling software/);
      const counts = requests.map((r) => (r.body as { messages: unknown[] }).messages.length).sort((a, b) => a - b);
      // system + the earlier questions with their answers + this question (q2 was skipped).
      assert.deepEqual(counts, [2, 4, 6]);
      const last = requests.find((r) => (r.body as { messages: unknown[] }).messages.length === 6)!;
      const messages = (last.body as { messages: { role: string; content: string }[] }).messages;
      assert.deepEqual(messages.map((m) => m.role), ['system', 'user', 'assistant', 'user', 'assistant', 'user']);
      assert.match(messages[5]!.content, /^Question 4 of 4\./);
      assert.equal(JSON.parse(messages[2]!.content).reasoning, 'Because it fits my budget.', 'earlier answers are in the conversation');
    }
  });

  it('records a reply still invalid after the repair as a failed answer, free, and completes the study', async () => {
    upstream.setFallback((req): MockReply => (text(req).includes('Would you subscribe') ? { type: 'completion', content: 'Yes, probably.', usage: { prompt_tokens: 900, completion_tokens: 5, total_tokens: 905 } } : answer(req) as MockReply));
    const before = await credits(s.liveKey);
    const created = await fg.json(fg.post('/focus-groups', { ...STUDY, personas: [{ persona_id: 'hospital-cfo', respondents: 2 }] }));
    const study = await finished(fg, created.body.id);
    assert.equal(study.status, 'completed');
    assert.deepEqual([study.progress.answers_completed, study.progress.answers_failed, study.progress.answers_skipped], [4, 2, 2]);
    assert.equal(before.balance - (await credits(s.liveKey)).balance, 4 * 2, 'failed answers are free');
    const respondents = (await fg.json(fg.get(`/focus-groups/${created.body.id}/respondents`))).body.data;
    const failed = respondents[0].answers[3];
    assert.equal(failed.status, 'failed');
    assert.equal(failed.answer, null);
    assert.equal(failed.credits, 0);
    assert.match(failed.error, /not valid JSON/);
    assert.equal(upstream.requests.filter((r) => text(r).includes('Would you subscribe')).length, 4, 'one repair each');
  });

  it('retries transient upstream errors', async () => {
    upstream.enqueue({ type: 'error', status: 503, message: 'overloaded' }, { type: 'error', status: 429, message: 'slow down' });
    const created = await fg.json(fg.post('/focus-groups', { ...STUDY, personas: [{ persona_id: 'hospital-cfo', respondents: 1 }], questions: [GUIDE[0]] }));
    const study = await finished(fg, created.body.id);
    assert.deepEqual([study.progress.answers_completed, study.progress.answers_failed], [1, 0]);
    assert.equal(upstream.requests.length, 3);
  });

  it('refuses a study the balance cannot cover: 402, nothing stored or held', async () => {
    const poor = await s.accounts.createKey({ workspace: 'poor-ws', mode: 'live', plan: 'free' });
    const client = api(s.baseURL, poor.key);
    const before = await credits(poor.key);
    const r = await client.json(client.post('/focus-groups', { ...STUDY, personas: [{ persona_id: 'hospital-cfo', respondents: 50 }] }));
    assert.equal(r.status, 402);
    assert.equal(r.body.error.code, 'credits_exhausted');
    assert.match(r.body.error.message, /up to 600 credits/);
    assert.deepEqual(await credits(poor.key), before);
    assert.equal((await client.json(client.get('/focus-groups'))).body.data.length, 0);
    assert.equal(upstream.requests.length, 0);
    const estimate = await client.json(client.post('/focus-groups', { ...STUDY, personas: [{ persona_id: 'hospital-cfo', respondents: 50 }], dry_run: true }));
    assert.equal(estimate.status, 200, 'an estimate is free and never refused for money');
  });

  it("applies the plan's focus-group concurrency (429 with retry-after); cancel pays for what it got and aborts the call in flight", async () => {
    const key = (await s.accounts.createKey({ workspace: 'busy-ws', mode: 'live', plan: 'free' })).key;
    await s.credits.change({ workspaceId: await workspaceOf(key), kind: 'grant', amount: 1000, reason: 'test' });
    const client = api(s.baseURL, key);
    let hung!: (r: RecordedRequest) => void;
    const hanging = new Promise<RecordedRequest>((resolve) => (hung = resolve));
    upstream.setFallback((req): MockReply => {
      if (text(req).includes('Question 3 of 4')) {
        hung(req);
        return { type: 'hang' };
      }
      return answer(req) as MockReply;
    });
    const before = await credits(key);
    const questions = [GUIDE[0], { type: 'yes_no', text: 'Do you use scheduling software?' }, { type: 'rating', text: 'Rate CareFlow.', min: 1, max: 5 }, { type: 'open_ended', text: 'Why?' }];
    const a = await client.json(client.post('/focus-groups', { ...STUDY, personas: [{ persona_id: 'hospital-cfo', respondents: 1 }], questions }));
    assert.equal(a.status, 202);
    const inFlight = await hanging;
    const second = await client.json(client.post('/focus-groups', STUDY));
    assert.equal(second.status, 429);
    assert.equal(second.body.error.code, 'rate_limit_exceeded');
    assert.equal(second.headers.get('retry-after'), '30');
    assert.ok(second.headers.get('x-ratelimit-limit'), 'with the rate-limit headers');
    assert.equal((await credits(key)).held, a.body.estimate.max_credits - 2 * 2, 'only the first study holds: its hold less the two answers already paid');

    const cancelled = await client.json(client.post(`/focus-groups/${a.body.id}/cancel`));
    assert.equal(cancelled.body.status, 'cancelled');
    await inFlight.closed;
    assert.equal(inFlight.aborted, true, 'the model call in flight is aborted');
    assert.deepEqual([cancelled.body.progress.answers_completed, cancelled.body.credits_used, cancelled.body.credits_held], [2, 4, 0]);
    const afterCancel = await credits(key);
    assert.equal(before.balance - afterCancel.balance, 4, 'it pays for the two answers it got');
    assert.equal(afterCancel.held, 0, 'the rest is released');

    upstream.setFallback(answer);
    const third = await client.json(client.post('/focus-groups', { ...STUDY, personas: [{ persona_id: 'hospital-cfo', respondents: 1 }], questions: [GUIDE[0]] }));
    assert.equal(third.status, 202, 'a slot is free again');
    await finished(client, third.body.id);
  });
});
