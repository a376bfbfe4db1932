/**
 * The Responses wire protocol at the socket: exact SSE framing, event order,
 * sequence numbers, ids, terminal events — the checklist of
 * shared/reference/responses-protocol.md §8.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { responseObjectSchema } from '../../src/openapi/response-schemas.js';
import { readSse, startTestServer, type TestServer } from '../helpers/app.js';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

function post(body: unknown, key = s.testKey, path = '/v1/responses') {
  return fetch(`${s.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(body) });
}

type Ev = { type: string; sequence_number: number; [k: string]: any };

async function streamEvents(body: unknown): Promise<{ raw: string; events: Ev[]; res: Response }> {
  const res = await post({ ...(body as object), stream: true });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const { raw, events } = await readSse(res);
  const last = events.pop();
  assert.deepEqual(last, { event: null, data: '[DONE]' }, 'stream ends with data: [DONE]');
  const parsed = events.map((e) => {
    assert.ok(e.event, 'every frame has an event: line');
    const data = JSON.parse(e.data) as Ev;
    assert.equal(data.type, e.event, 'data.type repeats the event name');
    return data;
  });
  parsed.forEach((e, i) => assert.equal(e.sequence_number, i, 'sequence numbers count from 0'));
  return { raw, events: parsed, res };
}

describe('non-streaming', () => {
  it('returns a full Response with usage, output_text and headers', async () => {
    const res = await post({ model: 'mavera-1', input: 'What do you think about electric cars?', persona_id: 'gen-z-digital-native' });
    assert.equal(res.status, 200);
    assert.ok(res.headers.get('x-request-id'));
    assert.equal(res.headers.get('x-cohort-engine'), 'sandbox');
    const body = await res.json();
    responseObjectSchema.strict().parse(body);
    assert.equal(body.status, 'completed');
    assert.equal(body.persona_id, 'gen-z-digital-native');
    assert.match(body.id, /^resp_/);
    assert.equal(body.output[0].type, 'message');
    assert.match(body.output[0].id, /^msg_/);
    assert.equal(body.output_text, body.output[0].content[0].text);
    assert.ok(body.output_text.length > 0);
    assert.ok(body.usage.input_tokens > 0 && body.usage.output_tokens > 0);
    assert.equal(body.usage.total_tokens, body.usage.input_tokens + body.usage.output_tokens);
    assert.ok(body.usage.credits_used >= 1 && body.usage.credits_used <= 3);
  });

  it('is deterministic on the sandbox', async () => {
    const req = { model: 'mavera-1', input: 'Would you pay for a meal kit?', persona_id: 'gen-z-digital-native' };
    const a = await (await post(req)).json();
    const b = await (await post(req)).json();
    assert.equal(a.output_text, b.output_text);
    assert.notEqual(a.id, b.id);
  });
});

describe('streaming', () => {
  it('emits the canonical text sequence with exact framing', async () => {
    const { raw, events } = await streamEvents({ model: 'mavera-1', input: 'Describe your ideal weekend.', persona_id: 'gen-z-digital-native' });
    assert.ok(raw.startsWith('event: response.created\ndata: {'), 'first frame is response.created');
    for (const block of raw.split('\n\n').filter(Boolean)) {
      const lines = block.split('\n');
      if (lines[0] === 'data: [DONE]') continue;
      assert.equal(lines.length, 2, 'one event line and one data line per frame');
    }
    const types = events.map((e) => e.type);
    assert.deepEqual(types.slice(0, 4), ['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    assert.deepEqual(types.slice(-4), ['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);
    assert.ok(types.filter((t) => t === 'response.output_text.delta').length > 1, 'text arrives in several deltas');
    const created = events[0]!.response;
    assert.deepEqual(created.output, []);
    assert.equal(created.usage, null);
    assert.equal(created.status, 'in_progress');
    const added = events[2]!;
    assert.equal(added.output_index, 0);
    assert.deepEqual(added.item.content, []);
    assert.equal(added.item.status, 'in_progress');
    assert.deepEqual(events[3]!.part, { type: 'output_text', text: '', annotations: [], logprobs: [] });
    const deltas = events.filter((e) => e.type === 'response.output_text.delta');
    for (const d of deltas) assert.equal(d.item_id, added.item.id);
    const text = deltas.map((d) => d.delta).join('');
    const done = events.at(-1)!;
    assert.equal(done.response.status, 'completed');
    assert.equal(done.response.output[0].content[0].text, text);
    assert.equal(done.response.output_text, text);
    assert.ok(done.response.usage.output_tokens > 0);
    responseObjectSchema.strict().parse(done.response);
    for (const e of events) if (e.type !== 'error') assert.ok(!e.error, 'no truthy error key on non-error events');
  });

  it('streams function calls with arguments starting empty', async () => {
    const tools = [{ type: 'function', name: 'get_weather', description: 'Get the weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false } }];
    const { events } = await streamEvents({ model: 'mavera-1', input: 'What is the weather in Paris?', tools, tool_choice: 'required' });
    const added = events.find((e) => e.type === 'response.output_item.added')!;
    assert.equal(added.item.type, 'function_call');
    assert.equal(added.item.arguments, '');
    assert.match(added.item.id, /^fc_/);
    assert.ok(added.item.call_id);
    const args = events.filter((e) => e.type === 'response.function_call_arguments.delta').map((e) => e.delta).join('');
    const argsDone = events.find((e) => e.type === 'response.function_call_arguments.done')!;
    assert.equal(argsDone.arguments, args);
    const itemDone = events.find((e) => e.type === 'response.output_item.done')!;
    assert.equal(itemDone.item.status, 'completed');
    assert.equal(itemDone.item.id, added.item.id);
    assert.equal(itemDone.item.call_id, added.item.call_id);
    assert.equal(typeof JSON.parse(args).city, 'string');
    assert.equal(events.at(-1)!.type, 'response.completed');
  });

  it('ends with response.incomplete at max_output_tokens', async () => {
    const { events } = await streamEvents({ model: 'mavera-1', input: 'Tell me everything about your job.', persona_id: 'gen-z-digital-native', max_output_tokens: 5, verbosity: 'high' });
    const last = events.at(-1)!;
    assert.equal(last.type, 'response.incomplete');
    assert.equal(last.response.status, 'incomplete');
    assert.deepEqual(last.response.incomplete_details, { reason: 'max_output_tokens' });
    assert.ok(last.response.usage.output_tokens <= 5);
  });

  it('replays a stored response with GET ?stream=true&starting_after', async () => {
    const created = await (await post({ model: 'mavera-1', input: 'Hello there' })).json();
    const res = await fetch(`${s.url}/v1/responses/${created.id}?stream=true&starting_after=1`, { headers: { authorization: `Bearer ${s.testKey}` } });
    const { events } = await readSse(res);
    assert.equal(events.pop()!.data, '[DONE]');
    const parsed = events.map((e) => JSON.parse(e.data));
    assert.equal(parsed[0].sequence_number, 2);
    assert.equal(parsed.at(-1).type, 'response.completed');
    assert.equal(parsed.at(-1).response.output_text, created.output_text);
  });
});

describe('stored responses', () => {
  it('retrieves, pages input items and deletes', async () => {
    const input = Array.from({ length: 5 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `message ${i}` }));
    const created = await (await post({ model: 'mavera-1', input })).json();
    const auth = { authorization: `Bearer ${s.testKey}` };
    const got = await (await fetch(`${s.url}/v1/responses/${created.id}`, { headers: auth })).json();
    assert.deepEqual(got, created);
    const ids: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = await (await fetch(`${s.url}/v1/responses/${created.id}/input_items?limit=2&order=asc${after ? `&after=${after}` : ''}`, { headers: auth })).json();
      ids.push(...page.data.map((d: any) => d.id));
      assert.equal(page.first_id, page.data[0].id);
      if (!page.has_more) break;
      after = page.last_id;
    }
    assert.equal(ids.length, 5);
    assert.equal(new Set(ids).size, 5);
    const del = await fetch(`${s.url}/v1/responses/${created.id}`, { method: 'DELETE', headers: auth });
    assert.deepEqual(await del.json(), { id: created.id, object: 'response', deleted: true });
    assert.equal((await fetch(`${s.url}/v1/responses/${created.id}`, { headers: auth })).status, 404);
  });

  it('store:false is not retrievable', async () => {
    const created = await (await post({ model: 'mavera-1', input: 'hi', store: false })).json();
    assert.equal(created.store, false);
    const res = await fetch(`${s.url}/v1/responses/${created.id}`, { headers: { authorization: `Bearer ${s.testKey}` } });
    assert.equal(res.status, 404);
  });

  it('chains previous_response_id and resolves item_reference', async () => {
    const first = await (await post({ model: 'mavera-1', input: 'My name is Ada.' })).json();
    const second = await (await post({ model: 'mavera-1', input: 'What is my name?', previous_response_id: first.id })).json();
    assert.equal(second.previous_response_id, first.id);
    const third = await post({ model: 'mavera-1', input: [{ role: 'user', content: 'My name is Ada.' }, { type: 'item_reference', id: first.output[0].id }, { role: 'user', content: 'And again?' }] });
    assert.equal(third.status, 200);
    const items = await (await fetch(`${s.url}/v1/responses/${(await third.json()).id}/input_items?order=asc`, { headers: { authorization: `Bearer ${s.testKey}` } })).json();
    assert.equal(items.data[1].role, 'assistant');
    assert.equal(items.data[1].content[0].text, first.output_text);
    const bad = await post({ model: 'mavera-1', input: [{ type: 'item_reference', id: 'msg_nope' }] });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error.param, 'input[0].id');
  });

  it('runs background responses: queued, then pollable to completed', async () => {
    const created = await (await post({ model: 'mavera-1', input: 'Summarize your values.', background: true })).json();
    assert.equal(created.status, 'queued');
    assert.equal(created.background, true);
    let polled: any;
    for (let i = 0; i < 100; i++) {
      polled = await (await fetch(`${s.url}/v1/responses/${created.id}`, { headers: { authorization: `Bearer ${s.testKey}` } })).json();
      if (polled.status === 'completed') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(polled.status, 'completed');
    assert.ok(polled.output_text.length > 0);
    const cancel = await post({}, s.testKey, `/v1/responses/${created.id}/cancel`);
    assert.equal(cancel.status, 400, 'a completed response cannot be cancelled');
  });
});
