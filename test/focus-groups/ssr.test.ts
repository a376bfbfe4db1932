/**
 * SSR elicitation (`elicitation: "ssr"`) over real HTTP: on the sandbox (its deterministic
 * embedding), answers in words mapped to distributions over the scale that sum to 1, whose
 * expected value is the answer's value, with spread across respondents and the same study
 * for the same seed; the estimate prices the embeddings call; param errors name
 * `questions[i].elicitation`; a live backend without embeddings is a 422; and against the
 * mock upstream, one Chat Completions call and one /v1/embeddings call per SSR answer
 * (the answer's words and the anchors), each answer debited once with both calls' price.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createOpenAIChatProvider } from '../../src/providers/openai/chat/index.js';
import { createOpenAIEmbeddings } from '../../src/providers/openai/embeddings/index.js';
import { anchorsOf } from '../../src/focus-groups/ssr-anchors.js';
import { DEFAULT_PRICING, creditsFor, embeddingCredits } from '../../src/pricing.js';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { answeringHandler, api, readEvents, withEmbeddings } from '../helpers/focus-groups.js';
import { mockTokens, startMockChatUpstream, type MockChatUpstream } from '../helpers/mock-chat-upstream.js';

const QUESTIONS = [
  { type: 'nps', text: 'How likely are you to recommend FreshBox to a friend?', elicitation: 'ssr' },
  { type: 'likert', text: 'FreshBox is good value for money.', elicitation: 'ssr' },
  { type: 'rating', text: 'How would you rate the recipes?', min: 1, max: 5, elicitation: 'ssr' },
  { type: 'semantic_differential', text: 'FreshBox feels…', left: 'cheap', right: 'premium', scale: 5, elicitation: 'ssr' },
  { type: 'nps', text: 'And the delivery service?' },
];
const STUDY = {
  name: 'SSR test',
  personas: [
    { persona_id: 'millennial-suburban-parent', respondents: 8 },
    { persona_id: 'budget-conscious-single-parent', respondents: 8 },
  ],
  stimulus: { text: 'FreshBox: healthy meal kits delivered weekly, from $59 per month.' },
  questions: QUESTIONS,
  seed: 77,
};

async function finished(client: ReturnType<typeof api>, id: string) {
  const frames = await readEvents(await client.get(`/focus-groups/${id}/events`));
  assert.equal(frames.at(-1)!.data, '[DONE]');
  return (await client.json(client.get(`/focus-groups/${id}`))).body;
}

async function answersOf(client: ReturnType<typeof api>, id: string) {
  const out: any[] = [];
  let after: string | null = null;
  for (;;) {
    const page: any = (await client.json(client.get(`/focus-groups/${id}/respondents?limit=100${after ? `&after=${after}` : ''}`))).body;
    out.push(...page.data);
    if (!page.has_more) return out.map((r) => r.answers);
    after = page.last_id;
  }
}

const sd = (xs: number[]) => {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
};

describe('ssr on the sandbox', () => {
  let s: TestServer;
  let fg: ReturnType<typeof api>;
  before(async () => {
    s = await startTestServer();
    fg = api(s.baseURL, s.testKey);
  });
  after(() => s.close());

  it('maps answers in words to distributions over each scale, with spread, reproducibly', async () => {
    const created = await fg.json(fg.post('/focus-groups', STUDY));
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const study = await finished(fg, created.body.id);
    assert.equal(study.status, 'completed');
    assert.equal(study.progress.answers_failed, 0);
    const answers = await answersOf(fg, created.body.id);
    assert.equal(answers.length, 16);
    const points = [11, 5, 5, 5];
    const mins = [0, 1, 1, 1];
    for (let qi = 0; qi < 4; qi++) {
      const values: number[] = [];
      for (const a of answers.map((list: any[]) => list[qi])) {
        assert.equal(a.status, 'answered');
        const v = a.answer;
        assert.equal(v.distribution.length, points[qi]);
        assert.ok(v.distribution.every((p: number) => p >= 0));
        assert.ok(Math.abs(v.distribution.reduce((x: number, y: number) => x + y, 0) - 1) < 1e-4);
        const expected = v.distribution.reduce((acc: number, p: number, i: number) => acc + p * (mins[qi]! + i), 0);
        assert.ok(Math.abs(v.value - expected) < 1e-3, `value ${v.value} is the expected value ${expected}`);
        assert.equal(typeof v.text, 'string');
        assert.ok(v.text.length > 0 && !/^\d+$/.test(v.text));
        // The answer and the embeddings call: a standard answer's 1–3 plus 1–3.
        assert.ok(a.credits >= 2, `ssr answer credits ${a.credits}`);
        values.push(v.value);
      }
      if (qi < 3) assert.ok(sd(values) > 0.15, `question ${qi}: expected values spread (sd ${sd(values).toFixed(3)})`);
    }
    // The direct question alongside stays a point.
    for (const list of answers) assert.ok(Number.isInteger(list[4].answer.value) && list[4].answer.distribution === undefined);

    const again = await fg.json(fg.post('/focus-groups', STUDY));
    await finished(fg, again.body.id);
    const strip = (xs: any[][]) => xs.map((list) => list.map(({ answer, reasoning, credits }: any) => ({ answer, reasoning, credits })));
    assert.deepEqual(strip(await answersOf(fg, again.body.id)), strip(answers), 'same seed, same study');

    const results = (await fg.json(fg.get(`/focus-groups/${created.body.id}/results`))).body;
    const q1 = results.questions[0];
    assert.equal(q1.n, 16);
  });

  it('prices the embeddings call in the estimate', async () => {
    const direct = { ...STUDY, questions: QUESTIONS.map(({ elicitation: _e, ...q }) => q), dry_run: true };
    const [a, b] = await Promise.all([fg.json(fg.post('/focus-groups', { ...STUDY, dry_run: true })), fg.json(fg.post('/focus-groups', direct))]);
    assert.equal(a.status, 200);
    // Four SSR questions × 16 respondents: each adds an embeddings call of under 1,000 tokens (1 credit)…
    assert.equal(a.body.credits - b.body.credits, 16 * 4 * embeddingCredits(100));
    // …and at most its top tier (3) to the hold.
    assert.equal(a.body.max_credits - b.body.max_credits, 16 * 4 * embeddingCredits(Number.MAX_SAFE_INTEGER));
  });

  it('refuses ssr where it cannot apply, naming questions[i].elicitation', async () => {
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ type: 'slider', text: 'How much?', elicitation: 'ssr' }, /applies to nps, likert, rating, semantic_differential/],
      [{ type: 'open_ended', text: 'Why?', elicitation: 'ssr' }, /applies to/],
      [{ type: 'rating', text: 'Rate it', min: 0, max: 100, elicitation: 'ssr' }, /at most 11 points.*101/],
    ];
    for (const [q, message] of cases) {
      const r = await fg.json(fg.post('/focus-groups', { ...STUDY, questions: [{ type: 'yes_no', text: 'Ok?' }, q] }));
      assert.equal(r.status, 422, JSON.stringify(r.body));
      assert.equal(r.body.error.param, 'questions[1].elicitation');
      assert.match(r.body.error.message, message);
    }
  });
});

describe('ssr with a live key', () => {
  let upstream: MockChatUpstream;
  before(async () => {
    upstream = await startMockChatUpstream();
  });
  after(() => upstream.close());

  it('is a 422 naming the question when the backend has no embeddings, before anything is held', async () => {
    const s = await startTestServer({ live: createOpenAIChatProvider({ baseURL: upstream.url, model: 'gpt-test' }) });
    try {
      const fg = api(s.baseURL, s.liveKey);
      const r = await fg.json(fg.post('/focus-groups', { ...STUDY, questions: [QUESTIONS[4], QUESTIONS[1]] }));
      assert.equal(r.status, 422);
      assert.equal(r.body.error.param, 'questions[1].elicitation');
      assert.match(r.body.error.message, /no embedding model.*embeddings: \{model/);
      assert.equal((await fg.json(fg.get('/focus-groups'))).body.data.length, 0);
      assert.equal(upstream.requests.length, 0);
    } finally {
      await s.close();
    }
  });

  it('makes one chat call and one /embeddings call per ssr answer, and debits each answer once with both', async () => {
    upstream.requests.length = 0;
    upstream.setFallback(withEmbeddings(answeringHandler()));
    const live = { ...createOpenAIChatProvider({ baseURL: upstream.url, model: 'gpt-test' }), embeddings: createOpenAIEmbeddings({ baseURL: upstream.url, model: 'text-embedding-3-small' }) };
    const s = await startTestServer({ live, focusGroupRunner: { perStudy: 2 } });
    try {
      const fg = api(s.baseURL, s.liveKey);
      const credits = async () => (await fg.json(fg.get('/credits'))).body as { balance: number; held: number };
      const before = await credits();
      const body = { ...STUDY, personas: [{ persona_id: 'hospital-cfo', respondents: 3 }], questions: [QUESTIONS[0], { type: 'yes_no', text: 'Would you subscribe?' }] };
      const created = await fg.json(fg.post('/focus-groups', body));
      assert.equal(created.status, 202, JSON.stringify(created.body));
      // The hold: per respondent, a direct answer's top price (3) and an SSR answer's (3 + 3).
      assert.equal(created.body.estimate.max_credits, 3 * (3 + 6));
      const study = await finished(fg, created.body.id);
      assert.equal(study.status, 'completed');
      const embeds = upstream.requests.filter((r) => r.path === '/v1/embeddings');
      const chats = upstream.requests.filter((r) => r.path === '/v1/chat/completions');
      assert.equal(embeds.length, 3, 'one embeddings call per SSR answer');
      assert.equal(chats.length, 6);
      const anchors = anchorsOf({ id: 'q1', type: 'nps', text: 'x' } as never);
      for (const e of embeds) {
        assert.deepEqual(e.body, { model: 'text-embedding-3-small', input: ['Fine by me.', ...anchors], encoding_format: 'float' });
      }
      // Each SSR answer: the chat call (1,200 + 60 tokens: 2) + the embeddings call (its tokens under 1,000: 1).
      const embedTokens = ['Fine by me.', ...anchors].reduce((n, t) => n + mockTokens(t), 0);
      const ssrPrice = creditsFor({ totalTokens: 1260, imageInput: false, calledFunctions: false, analysis: false, serverToolTurns: 0 }, DEFAULT_PRICING) + embeddingCredits(embedTokens);
      assert.equal(ssrPrice, 3);
      assert.equal(study.credits_used, 3 * ssrPrice + 3 * 2);
      const after = await credits();
      assert.equal(before.balance - after.balance, study.credits_used, 'balance change = the answers debited');
      assert.equal(after.held, before.held);
      const ws = (await s.accounts.findKeyBySecret(s.liveKey))!.workspace_id;
      const ledger = (await s.credits.ledger(ws, { limit: 100 })).filter((l) => l.operation === 'focus_group');
      assert.equal(ledger.length, 6, 'one debit per answer');
      const answers = await answersOf(fg, created.body.id);
      for (const list of answers) {
        assert.equal(list[0].credits, ssrPrice);
        assert.equal(list[0].answer.text, 'Fine by me.');
        assert.equal(list[0].answer.distribution.length, 11);
      }
    } finally {
      await s.close();
    }
  });
});
