/**
 * Issue 16 item 4: a schema's `$id` is visible to the request that sent it
 * and nothing else. Two workspaces over real HTTP, test keys (sandbox) and
 * live keys (an OpenAI-compatible upstream speaking its wire protocol): A's
 * `$id` never blocks B's, and B's `$ref` to A's `$id` resolves to nothing
 * (a 422 naming the `$ref`, without a word of A's schema).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createOpenAIChatProvider } from '../../src/providers/openai/chat/index.js';
import { startMockChatUpstream, type MockChatUpstream } from '../helpers/mock-chat-upstream.js';
import { startTestServer, type TestServer } from '../helpers/app.js';

const SHARED_ID = 'https://acme.example/schemas/pricing.json';
/** Workspace A's private schema: its field names, bounds and constants must never reach B. */
const schemaA = {
  $id: SHARED_ID,
  type: 'object',
  properties: { acme_floor_margin: { type: 'number', minimum: 0.42 }, acme_codename: { const: 'BLUEJAY' } },
  required: ['acme_floor_margin', 'acme_codename'],
  additionalProperties: false,
};
/** Workspace B's own schema under the same `$id`. */
const schemaB = { $id: SHARED_ID, type: 'object', properties: { beta_note: { type: 'string' } }, required: ['beta_note'], additionalProperties: false };
const refToA = { type: 'object', properties: { x: { $ref: SHARED_ID } }, required: ['x'] };
const A_SECRETS = ['acme_floor_margin', 'BLUEJAY', '0.42'];

let s: TestServer;
let upstream: MockChatUpstream;
let betaTest: string;
let betaLive: string;

before(async () => {
  upstream = await startMockChatUpstream();
  s = await startTestServer({ live: createOpenAIChatProvider({ baseURL: upstream.url, model: 'mock' }) });
  betaTest = (await s.accounts.createKey({ workspace: 'beta', mode: 'test', plan: 'business' })).key;
  betaLive = (await s.accounts.createKey({ workspace: 'beta', mode: 'live', plan: 'business' })).key;
});
after(async () => {
  await s.close();
  await upstream.close();
});

async function post(key: string, body: Record<string, unknown>): Promise<{ status: number; text: string; json: any }> {
  const res = await fetch(`${s.url}/v1/responses`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'mavera-1', input: 'What would you pay for it?', ...body }),
  });
  const text = await res.text();
  return { status: res.status, text, json: JSON.parse(text) };
}

const format = (schema: object) => ({ text: { format: { type: 'json_schema', name: 'pricing', schema } } });

describe("a schema's $id is its request's alone", () => {
  it('test keys: A and B both use the same $id, each with its own schema', async () => {
    const a = await post(s.testKey, format(schemaA));
    assert.equal(a.status, 200, a.text);
    assert.deepEqual(Object.keys(JSON.parse(a.json.output_text)).sort(), ['acme_codename', 'acme_floor_margin']);
    const b = await post(betaTest, format(schemaB));
    assert.equal(b.status, 200, b.text);
    assert.deepEqual(Object.keys(JSON.parse(b.json.output_text)), ['beta_note']);
    // and A again, after B: still A's schema
    const again = await post(s.testKey, format(schemaA));
    assert.equal(again.status, 200, again.text);
    assert.equal(JSON.parse(again.json.output_text).acme_codename, 'BLUEJAY');
  });

  it("test keys: B's $ref to A's $id resolves to nothing, in a format or a tool", async () => {
    await post(s.testKey, format(schemaA));
    const viaFormat = await post(betaTest, format(refToA));
    assert.equal(viaFormat.status, 422, viaFormat.text);
    assert.equal(viaFormat.json.error.code, 'validation_error');
    assert.equal(viaFormat.json.error.param, 'text.format.schema.properties.x.$ref');
    const viaTool = await post(betaTest, { tools: [{ type: 'function', name: 'quote', parameters: refToA }], tool_choice: 'required' });
    assert.equal(viaTool.status, 422, viaTool.text);
    assert.equal(viaTool.json.error.param, 'tools[0].parameters.properties.x.$ref');
    for (const secret of A_SECRETS) assert.ok(!viaFormat.text.includes(secret) && !viaTool.text.includes(secret), secret);
  });

  it('live keys: the same, and nothing is sent upstream for the refused request', async () => {
    upstream.enqueue({ type: 'stream', content: '{"acme_floor_margin":0.5,"acme_codename":"BLUEJAY"}' });
    const a = await post(s.liveKey, format(schemaA));
    assert.equal(a.status, 200, a.text);
    upstream.enqueue({ type: 'stream', content: '{"beta_note":"fine"}' });
    const b = await post(betaLive, format(schemaB));
    assert.equal(b.status, 200, b.text);
    assert.equal(b.json.status, 'completed');
    const sent = upstream.requests.length;
    const ref = await post(betaLive, format(refToA));
    assert.equal(ref.status, 422, ref.text);
    assert.equal(ref.json.error.param, 'text.format.schema.properties.x.$ref');
    for (const secret of A_SECRETS) assert.ok(!ref.text.includes(secret), secret);
    assert.equal(upstream.requests.length, sent, 'refused before any upstream call');
  });
});
