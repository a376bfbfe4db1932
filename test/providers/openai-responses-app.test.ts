/**
 * Live keys through the OpenAI Responses upstream provider and the real app:
 * instructions forwarded, text answer, a function call, and an upstream
 * incomplete response surfacing as incomplete.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createOpenAIResponsesProvider } from '../../src/providers/openai/responses/index.js';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { startMockResponsesUpstream, type MockResponsesUpstream } from '../helpers/mock-responses-upstream.js';

let s: TestServer;
let upstream: MockResponsesUpstream;
before(async () => {
  upstream = await startMockResponsesUpstream();
  s = await startTestServer({ live: createOpenAIResponsesProvider({ baseURL: upstream.url, apiKey: 'sk-upstream', model: 'gpt-test' }) });
});
after(async () => {
  await s.close();
  await upstream.close();
});

const post = (body: unknown) =>
  fetch(`${s.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${s.liveKey}` }, body: JSON.stringify(body) });

describe('openai-responses provider through the app', () => {
  it('forwards the composed instructions and returns the answer', async () => {
    upstream.enqueue({ type: 'stream', content: ['Honestly, ', 'it depends.'] });
    const res = await post({ model: 'mavera-1', input: 'Would you buy this?', persona_id: 'gen-z-digital-native', instructions: 'Answer in one sentence.' });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('x-cohort-engine'), 'openai-responses');
    const body = await res.json();
    assert.equal(body.output_text, 'Honestly, it depends.');
    const sent = upstream.requests.at(-1)!.body;
    assert.match(sent.instructions, /Gen Z Digital Native/);
    assert.equal(sent.store, false);
    assert.deepEqual(sent.input, [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: 'Would you buy this?' }] }]);
  });

  it('a function call comes back as a function_call item', async () => {
    upstream.enqueue({ type: 'stream', functionCalls: [{ callId: 'call_9', name: 'get_price', arguments: ['{"sku":', '"A"}'] }] });
    const res = await post({ model: 'mavera-1', input: 'How much?', tools: [{ type: 'function', name: 'get_price', parameters: { type: 'object', properties: { sku: { type: 'string' } } } }] });
    const body = await res.json();
    assert.equal(body.output[0].type, 'function_call');
    assert.equal(body.output[0].call_id, 'call_9');
    assert.equal(body.output[0].arguments, '{"sku":"A"}');
  });

  it('an upstream max_output_tokens cut is an incomplete response', async () => {
    upstream.enqueue({ type: 'stream', content: 'Honestly, the', status: 'incomplete', incompleteReason: 'max_output_tokens' });
    const res = await post({ model: 'mavera-1', input: 'Go on', max_output_tokens: 16 });
    const body = await res.json();
    assert.equal(body.status, 'incomplete');
    assert.equal(body.incomplete_details.reason, 'max_output_tokens');
    assert.equal(upstream.requests.at(-1)!.body.max_output_tokens, 16);
  });
});
