/**
 * Credits add up to the last one: for any run, the sum of usage.credits_used
 * in responses = ledger debits = the usage report = the balance change —
 * with concurrent requests, abandoned streams and upstream failures. Test keys
 * never spend; a request the balance can't cover is refused before any model
 * call.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createOpenAIChatProvider } from '../../src/providers/openai/chat/index.js';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { startMockChatUpstream, type MockChatUpstream } from '../helpers/mock-chat-upstream.js';

let s: TestServer;
let upstream: MockChatUpstream;
before(async () => {
  upstream = await startMockChatUpstream();
  upstream.setFallback({ type: 'stream', content: ['Sure, ', 'here is ', 'my view.'] });
  s = await startTestServer({ live: createOpenAIChatProvider({ baseURL: upstream.url, model: 'm' }) });
});
after(async () => {
  await s.close();
  await upstream.close();
});

const post = (key: string, body: Record<string, unknown>, signal?: AbortSignal) =>
  fetch(`${s.url}/v1/responses`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'mavera-1', ...body }),
    ...(signal ? { signal } : {}),
  });
const getJson = async (key: string, path: string) => (await (await fetch(`${s.url}${path}`, { headers: { authorization: `Bearer ${key}` } })).json()) as any;

async function workspaceKey(name: string, plan: 'free' | 'pro' | 'business' = 'business') {
  return (await s.accounts.createKey({ workspace: name, mode: 'live', plan })).key;
}

/** Waits until the workspace has no credits held (every response settled). */
async function settled(key: string) {
  for (let i = 0; i < 200; i++) {
    const c = await getJson(key, '/v1/credits');
    if (c.held === 0) return c;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('credits still held');
}

function sumStreamCredits(text: string): number {
  const done = text.split('\n\n').find((b) => b.startsWith('event: response.completed') || b.startsWith('event: response.failed') || b.startsWith('event: response.incomplete'));
  return done ? JSON.parse(done.split('\n')[1]!.slice(6)).response.usage.credits_used : 0;
}

describe('credits', () => {
  it('agree across responses, ledger, usage report and balance under concurrent load', async () => {
    const key = await workspaceKey('agree');
    const start = await getJson(key, '/v1/credits');
    const results = await Promise.all(
      Array.from({ length: 24 }, async (_, i) => {
        const res = await post(key, { input: `question ${i}`, persona_id: 'hospital-cfo', stream: i % 2 === 0, ...(i % 3 === 0 ? { tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object', properties: {} } }] } : {}) });
        assert.equal(res.status, 200);
        return i % 2 === 0 ? sumStreamCredits(await res.text()) : ((await res.json()) as any).usage.credits_used;
      }),
    );
    const charged = results.reduce((a, b) => a + b, 0);
    assert.ok(charged >= 24);
    const end = await settled(key);
    assert.equal(start.balance - end.balance, charged, 'balance change = credits_used');
    const usage = await getJson(key, '/v1/usage?group_by=persona');
    assert.equal(usage.total_credits, charged, 'usage report = credits_used');
    assert.equal(usage.total_requests, 24);
    assert.equal(usage.data[0].persona, 'hospital-cfo');
    const ws = (await s.accounts.findWorkspace('agree'))!;
    const ledger = await s.credits.ledger(ws.id, { limit: 1000 });
    const debits = ledger.filter((l) => l.kind === 'debit');
    assert.equal(-debits.reduce((a, l) => a + l.amount, 0), charged, 'ledger debits = credits_used');
    assert.equal(new Set(debits.map((d) => d.response_id)).size, 24, 'one debit per response');
    assert.equal(end.month_spend, charged);
  });

  it('does not charge a response that fails upstream', async () => {
    const key = await workspaceKey('fails');
    const start = await getJson(key, '/v1/credits');
    upstream.enqueue({ type: 'error', status: 500, message: 'upstream broke' });
    const res = await post(key, { input: 'hi' });
    assert.equal(res.status, 503);
    upstream.enqueue({ type: 'sse', frames: [{ id: 'x', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'partial' } }] }, { error: { message: 'died', type: 'server_error' } }] });
    const streamed = await (await post(key, { input: 'hi', stream: true })).text();
    assert.equal(sumStreamCredits(streamed), 0, 'failed response reports credits_used 0');
    const end = await settled(key);
    assert.equal(end.balance, start.balance);
  });

  it('charges an abandoned stream for what was generated', async () => {
    const key = await workspaceKey('abandon');
    const start = await getJson(key, '/v1/credits');
    upstream.enqueue({ type: 'stream', content: ['one ', 'two ', 'three '], hang: true });
    const controller = new AbortController();
    const res = await post(key, { input: 'tell me', stream: true }, controller.signal);
    const reader = res.body!.getReader();
    let seen = '';
    const id = await (async () => {
      while (!seen.includes('output_text.delta')) seen += new TextDecoder().decode((await reader.read()).value);
      return /"id":"(resp_[0-9a-f]+)"/.exec(seen)![1]!;
    })();
    controller.abort();
    const end = await settled(key);
    const stored = await getJson(key, `/v1/responses/${id}`);
    assert.equal(stored.status, 'failed');
    assert.ok(stored.usage.credits_used >= 1);
    assert.equal(start.balance - end.balance, stored.usage.credits_used);
  });

  it('never charges test keys', async () => {
    const live = await workspaceKey('sandboxed');
    const test = (await s.accounts.createKey({ workspace: 'sandboxed', mode: 'test' })).key;
    const start = await getJson(live, '/v1/credits');
    for (let i = 0; i < 3; i++) {
      const body = (await (await post(test, { input: `q${i}` })).json()) as any;
      assert.ok(body.usage.credits_used >= 1, 'test keys still report what it would cost');
    }
    const end = await getJson(live, '/v1/credits');
    assert.equal(end.balance, start.balance);
    assert.equal((await getJson(live, '/v1/usage')).total_credits, 0);
  });

  it('refuses with 402 before any model call, and never goes below zero under concurrency', async () => {
    const key = await workspaceKey('poor', 'pro'); // 5,000 credits
    const ws = (await s.accounts.findWorkspace('poor'))!;
    await s.credits.change({ workspaceId: ws.id, kind: 'adjustment', amount: -4995, reason: 'test' }); // 5 left
    const calls = upstream.requests.length;
    const res = await post(key, { input: 'hi', tools: [{ type: 'function', name: 'f' }] });
    // max cost with function tools = 4 ≤ 5: allowed; then 5 - charged left.
    assert.equal(res.status, 200);
    const statuses = await Promise.all(Array.from({ length: 8 }, async () => (await post(key, { input: 'hi' })).status));
    assert.ok(statuses.includes(402), statuses.join(','));
    const end = await settled(key);
    assert.ok(end.balance >= 0);
    const r402 = await post(key, { input: 'hi', reasoning_effort: 'high' });
    const body = (await r402.json()) as any;
    if (r402.status === 402) {
      assert.equal(body.error.code, 'credits_exhausted');
      assert.equal(body.error.type, 'insufficient_quota');
    }
    const served = upstream.requests.length - calls;
    const ledger = await s.credits.ledger(ws.id, { limit: 100 });
    assert.equal(ledger.filter((l) => l.kind === 'debit').length, served, 'every model call was charged, none refused was called');
  });

  it('enforces the monthly budget with 402 budget_exceeded', async () => {
    const key = await workspaceKey('budgeted');
    const ws = (await s.accounts.findWorkspace('budgeted'))!;
    await s.credits.setBudget(ws.id, 3);
    assert.equal((await post(key, { input: 'hi' })).status, 200);
    const res = await post(key, { input: 'hi' });
    assert.equal(res.status, 402);
    assert.equal(((await res.json()) as any).error.code, 'budget_exceeded');
  });
});
