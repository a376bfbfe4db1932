/**
 * Live keys through the Anthropic provider and the real app: the answer, a
 * json_schema answer emulated with a forced tool (validated by the app like
 * any structured output), a function call, and a streamed reply.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createAnthropicProvider } from '../../src/providers/anthropic/index.js';
import { readSse, startTestServer, type TestServer } from '../helpers/app.js';
import { startMockAnthropicUpstream, type MockAnthropicUpstream } from '../helpers/mock-anthropic-upstream.js';

let s: TestServer;
let upstream: MockAnthropicUpstream;
before(async () => {
  upstream = await startMockAnthropicUpstream();
  s = await startTestServer({ live: createAnthropicProvider({ baseURL: upstream.url, apiKey: 'sk-ant-upstream', model: 'claude-test' }) });
});
after(async () => {
  await s.close();
  await upstream.close();
});

const post = (body: unknown) =>
  fetch(`${s.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${s.liveKey}` }, body: JSON.stringify(body) });

describe('anthropic provider through the app', () => {
  it('answers with the persona prompt as system and usage mapped', async () => {
    upstream.enqueue({ type: 'stream', content: ['Honestly, ', 'it depends.'], usage: { input_tokens: 300, output_tokens: 6, cache_read_input_tokens: 1000 } });
    const res = await post({ model: 'mavera-1', input: 'Would you buy this?', persona_id: 'gen-z-digital-native', instructions: 'Answer in one sentence.' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-cohort-engine'), 'anthropic');
    const body = await res.json();
    assert.equal(body.output_text, 'Honestly, it depends.');
    assert.equal(body.usage.input_tokens, 1300);
    assert.equal(body.usage.input_tokens_details.cached_tokens, 1000);
    const sent = upstream.requests.at(-1)!.body;
    assert.match(sent.system, /Gen Z Digital Native/);
    assert.ok(sent.system.trimEnd().endsWith('Answer in one sentence.'));
    assert.deepEqual(sent.messages, [{ role: 'user', content: [{ type: 'text', text: 'Would you buy this?' }] }]);
  });

  it('json_schema output comes back as validated output_text', async () => {
    upstream.enqueue({ type: 'stream', toolUses: [{ name: 'verdict', partialJson: ['{"would_buy": ', 'false}'] }] });
    const res = await post({
      model: 'mavera-1',
      input: 'Would you buy this?',
      text: { format: { type: 'json_schema', name: 'verdict', strict: true, schema: { type: 'object', properties: { would_buy: { type: 'boolean' } }, required: ['would_buy'], additionalProperties: false } } },
    });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.status, 'completed');
    assert.deepEqual(JSON.parse(body.output_text), { would_buy: false });
    assert.equal(body.output.length, 1);
    assert.equal(body.output[0].type, 'message');
  });

  it('a tool_use becomes a function_call output item; streaming works', async () => {
    upstream.enqueue({ type: 'stream', toolUses: [{ id: 'toolu_01', name: 'get_price', partialJson: ['{"sku":', '"A"}'] }] });
    const res = await post({
      model: 'mavera-1',
      input: 'How much?',
      stream: true,
      tools: [{ type: 'function', name: 'get_price', parameters: { type: 'object', properties: { sku: { type: 'string' } } } }],
    });
    const { events } = await readSse(res);
    const completed = events.find((e) => e.event === 'response.completed');
    assert.ok(completed, 'response.completed');
    const item = JSON.parse(completed.data).response.output[0];
    assert.equal(item.type, 'function_call');
    assert.equal(item.call_id, 'toolu_01');
    assert.equal(item.arguments, '{"sku":"A"}');
  });
});
