/**
 * When the model's answer breaks what the request requires (issue 17.4,
 * 17.16, 17.7), through the real app and mock upstreams that speak the real
 * wire formats:
 *
 * - a forced tool_choice the upstream ignored is asked for once more with a
 *   stronger instruction, then fails clearly (502 model_output_invalid);
 * - a structured answer that fails its schema is a 502
 *   model_output_invalid, never a 500; one cut at the token limit is an
 *   incomplete response;
 * - every extra model call (the retry, repairs, the analysis pass) comes
 *   out of one budget per request: the analysis pass is capped by the
 *   request's max_output_tokens and skipped below the minimum.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Logger } from '../../src/logger.js';
import { EXTRA_CALLS, ExtraCallBudget } from '../../src/providers/extra-calls.js';
import { createOpenAIChatProvider } from '../../src/providers/openai/chat/index.js';
import { createOpenAIResponsesProvider } from '../../src/providers/openai/responses/index.js';
import { createRouterProvider } from '../../src/providers/router.js';
import { enforceToolChoice, retryInstruction } from '../../src/providers/tool-choice.js';
import type { Provider } from '../../src/providers/types.js';
import { readSse, startTestServer, type TestServer } from '../helpers/app.js';
import { startMockChatUpstream, type MockChatUpstream } from '../helpers/mock-chat-upstream.js';
import { startMockResponsesUpstream, type MockResponsesUpstream } from '../helpers/mock-responses-upstream.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

const warnings: { msg: string; fields: Record<string, unknown> }[] = [];
const logger: Logger = {
  debug() {},
  info() {},
  warn(msg, fields = {}) {
    warnings.push({ msg, fields });
  },
  error() {},
};

let chatUp: MockChatUpstream;
let respUp: MockResponsesUpstream;
let viaChat: TestServer;
let viaResponses: TestServer;
let viaPromptOnly: TestServer;
before(async () => {
  chatUp = await startMockChatUpstream();
  respUp = await startMockResponsesUpstream();
  viaChat = await startTestServer({ live: createOpenAIChatProvider({ baseURL: chatUp.url, apiKey: 'sk-up', model: 'gpt-test' }), logger });
  viaResponses = await startTestServer({ live: createOpenAIResponsesProvider({ baseURL: respUp.url, apiKey: 'sk-up', model: 'gpt-test' }), logger });
  // A backend without JSON Schema support: the router asks for text and repairs.
  const chat = createOpenAIChatProvider({ baseURL: chatUp.url, apiKey: 'sk-up', model: 'gpt-test' });
  viaPromptOnly = await startTestServer({ live: createRouterProvider({ backends: [{ name: 'plain', provider: chat, jsonSchema: false }], routes: { default: ['plain'] }, logger }), logger });
});
after(async () => {
  await Promise.all([viaChat.close(), viaResponses.close(), viaPromptOnly.close()]);
  await Promise.all([chatUp.close(), respUp.close()]);
});
beforeEach(() => {
  chatUp.requests.length = 0;
  respUp.requests.length = 0;
  warnings.length = 0;
});

function post(server: TestServer, body: object): Promise<Response> {
  return fetch(`${server.url}/v1/responses`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${server.liveKey}` },
    body: JSON.stringify({ model: 'mavera-1', input: 'What is the weather in Paris?', ...body }),
  });
}

async function frames(res: Response): Promise<Json[]> {
  assert.equal(res.status, 200);
  const { events } = await readSse(res);
  return events.filter((e) => e.event !== null).map((e) => JSON.parse(e.data) as Json);
}

const weather = { type: 'function', name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };
const time = { type: 'function', name: 'get_time', description: 'Time in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } };
const usage = (p: number, c: number) => ({ prompt_tokens: p, completion_tokens: c, total_tokens: p + c });

describe('forced tool_choice', () => {
  it('required, ignored by the upstream: asked once more with a stronger instruction; the call comes back, usage of both', async () => {
    chatUp.enqueue(
      { type: 'stream', content: 'It is sunny in Paris.', usage: usage(30, 6) },
      { type: 'stream', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }], usage: usage(50, 9) },
    );
    const res = await post(viaChat, { tools: [weather], tool_choice: 'required', instructions: 'Be brief.' });
    const body = await res.json();
    assert.equal(res.status, 200, JSON.stringify(body));
    assert.deepEqual(
      body.output.map((o: Json) => [o.type, o.name, o.arguments]),
      [['function_call', 'get_weather', '{"city":"Paris"}']],
      'only the call: the ignored text never reaches the response',
    );
    assert.equal(body.output_text, '');
    assert.deepEqual([body.usage.input_tokens, body.usage.output_tokens], [80, 15]);
    assert.equal(chatUp.requests.length, 2);
    const [first, second] = chatUp.requests.map((r) => r.body);
    assert.equal(first.tool_choice, 'required');
    assert.equal(second.tool_choice, 'required');
    assert.equal(first.messages[0].content, 'Be brief.');
    assert.equal(second.messages[0].content, `Be brief.\n\n${retryInstruction({ mode: 'required' })}`);
    assert.deepEqual(warnings.map((w) => w.msg), ['backend.tool_choice_retry']);
  });

  it('required, ignored twice: 502 model_output_invalid naming tool_choice, no client retry', async () => {
    chatUp.enqueue({ type: 'stream', content: 'Sunny.' }, { type: 'stream', content: 'Still sunny.' });
    const res = await post(viaChat, { tools: [weather], tool_choice: 'required' });
    assert.equal(res.status, 502);
    assert.equal(res.headers.get('x-should-retry'), 'false');
    assert.deepEqual(await res.json(), {
      error: {
        message: 'The model answered without calling a function, as tool_choice requires, also after one more attempt with a stronger instruction.',
        type: 'model_error',
        param: 'tool_choice',
        code: 'model_output_invalid',
      },
    });
    assert.equal(chatUp.requests.length, 2);
  });

  it('streaming: nothing of an ignored answer is sent; the stream fails with the error event, then response.failed', async () => {
    chatUp.enqueue({ type: 'stream', content: ['Sun', 'ny.'] }, { type: 'stream', content: 'Sunny!' });
    const events = await frames(await post(viaChat, { tools: [weather], tool_choice: 'required', stream: true }));
    assert.deepEqual(
      events.map((e) => e.type),
      ['response.created', 'response.in_progress', 'error', 'response.failed'],
    );
    assert.equal(events[2].code, 'model_output_invalid');
    assert.equal(events[3].response.error.code, 'model_output_invalid');
  });

  it('a named function: a call of another function counts as ignored; the retry calls the named one', async () => {
    chatUp.enqueue(
      { type: 'stream', toolCalls: [{ id: 'call_1', name: 'get_time', arguments: '{"city":"Paris"}' }] },
      { type: 'stream', toolCalls: [{ id: 'call_2', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
    );
    const body = await (await post(viaChat, { tools: [weather, time], tool_choice: { type: 'function', name: 'get_weather' } })).json();
    assert.deepEqual(body.output.map((o: Json) => [o.name, o.call_id]), [['get_weather', 'call_2']]);
    assert.equal(chatUp.requests.length, 2);
    assert.match(chatUp.requests[1]!.body.messages[0].content, /You must call the function 'get_weather' now/);
  });

  it('allowed_tools with mode required: a call outside the allowed set is retried', async () => {
    chatUp.enqueue(
      { type: 'stream', toolCalls: [{ id: 'call_1', name: 'get_time', arguments: '{"city":"Paris"}' }] },
      { type: 'stream', toolCalls: [{ id: 'call_2', name: 'get_weather', arguments: '{"city":"Paris"}' }] },
    );
    const body = await (await post(viaChat, { tools: [weather, time], tool_choice: { type: 'allowed_tools', mode: 'required', tools: [{ type: 'function', name: 'get_weather' }] } })).json();
    assert.deepEqual(body.output.map((o: Json) => o.name), ['get_weather']);
  });

  it('OpenAI Responses upstream: the same enforcement', async () => {
    respUp.enqueue({ type: 'stream', content: 'Sunny.' }, { type: 'stream', functionCalls: [{ callId: 'call_r', name: 'get_weather', arguments: '{"city":"Paris"}' }] });
    const body = await (await post(viaResponses, { tools: [weather], tool_choice: 'required' })).json();
    assert.equal(body.status, 'completed');
    assert.deepEqual(body.output.map((o: Json) => o.call_id), ['call_r']);
    assert.equal(respUp.requests.length, 2);
    assert.match(respUp.requests[1]!.body.instructions, /You must call a function now/);
  });

  it('a server tool call satisfies required: the turns after it may answer (sandbox, test key)', async () => {
    const res = await fetch(`${viaChat.url}/v1/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${viaChat.testKey}` },
      body: JSON.stringify({
        model: 'mavera-1',
        input: 'Search the web for reviews of the Vanmoof S5 e-bike',
        tools: [{ type: 'web_search' }, { type: 'function', name: 'save_note', description: 'Save a note for later', parameters: { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] } }],
        tool_choice: 'required',
      }),
    });
    const body = await res.json();
    assert.deepEqual(body.server_tool_calls.map((c: Json) => c.tool), ['tavily_search']);
    assert.deepEqual(body.output.map((o: Json) => o.type), ['message'], 'answered after the search, not forced into another call');
  });

  it('the wrapper keeps every member of the engine but stream (engineFor, preflight, capabilities), and is made once per engine', () => {
    const engine: Provider = {
      name: 'x',
      capabilities: { jsonSchema: false },
      engineFor: () => 'y',
      preflight: () => {
        throw new Error('refused');
      },
      async *stream() {},
    };
    const wrapped = enforceToolChoice(engine);
    assert.deepEqual(Object.keys(wrapped).sort(), Object.keys(engine).sort());
    assert.equal(wrapped.engineFor!({} as never), 'y');
    assert.throws(() => wrapped.preflight!({} as never), /refused/);
    assert.equal(enforceToolChoice(engine), wrapped);
  });

  it('text cut at the token limit is passed on as incomplete, not retried; auto and none are never enforced', async () => {
    chatUp.enqueue({ type: 'stream', content: 'Let me think', finishReason: 'length' });
    const cut = await (await post(viaChat, { tools: [weather], tool_choice: 'required', max_output_tokens: 3 })).json();
    assert.equal(cut.status, 'incomplete');
    assert.equal(chatUp.requests.length, 1);
    chatUp.enqueue({ type: 'stream', content: 'Sunny.' });
    const auto = await (await post(viaChat, { tools: [weather], tool_choice: 'auto' })).json();
    assert.equal(auto.output_text, 'Sunny.');
    assert.equal(chatUp.requests.length, 2);
  });
});

describe('structured output the model gets wrong', () => {
  const format = { type: 'json_schema', name: 'rating', schema: { type: 'object', properties: { score: { type: 'integer', minimum: 0, maximum: 9 } }, required: ['score'], additionalProperties: false }, strict: true };

  it('a backend with native structured outputs answering out of schema: 502 model_output_invalid, not 500', async () => {
    chatUp.enqueue({ type: 'stream', content: '{"score":12}' });
    const res = await post(viaChat, { text: { format } });
    assert.equal(res.status, 502);
    assert.equal(res.headers.get('x-should-retry'), 'false');
    assert.deepEqual(await res.json(), {
      error: { message: "The model's output does not match the JSON schema 'rating': /score must be <= 9", type: 'model_error', param: 'text.format.schema', code: 'model_output_invalid' },
    });
  });

  it('the same on /v1/chat/completions, with the chat parameter named', async () => {
    chatUp.enqueue({ type: 'stream', content: 'not json' });
    const res = await fetch(`${viaChat.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${viaChat.liveKey}` },
      body: JSON.stringify({ model: 'mavera-1', messages: [{ role: 'user', content: 'Rate it' }], response_format: { type: 'json_object' } }),
    });
    assert.equal(res.status, 502);
    const body = await res.json();
    assert.equal(body.error.code, 'model_output_invalid');
    assert.equal(body.error.param, 'response_format');
  });

  it('streaming: the error event carries model_output_invalid', async () => {
    chatUp.enqueue({ type: 'stream', content: '{"score":12}' });
    const events = await frames(await post(viaChat, { text: { format }, stream: true }));
    const error = events.find((e) => e.type === 'error');
    assert.equal(error.code, 'model_output_invalid');
    assert.equal(events.at(-1).type, 'response.failed');
  });

  it('JSON cut at the token limit: an incomplete response, not a failure (nor a repair)', async () => {
    chatUp.enqueue({ type: 'stream', content: '{"sco', finishReason: 'length' });
    const body = await (await post(viaChat, { text: { format }, max_output_tokens: 2 })).json();
    assert.equal(body.status, 'incomplete');
    assert.equal(body.incomplete_details.reason, 'max_output_tokens');
    chatUp.enqueue({ type: 'stream', content: '{"sco', finishReason: 'length' });
    const viaRouter = await (await post(viaPromptOnly, { text: { format }, max_output_tokens: 2 })).json();
    assert.equal(viaRouter.status, 'incomplete');
    assert.equal(chatUp.requests.length, 2, 'no repair of a cut answer');
  });
});

describe('the budget of extra model calls', () => {
  const VALID_ANALYSIS = JSON.stringify({
    confidence: 5,
    emotion: { emotional_valence: 5, arousal: 5, dominance: 5 },
    biases: [],
    key_insights: ['It depends on the weather.', 'Paris was named.'],
  });

  it('the budget itself: 3 calls of any kind; repairs get the answer\'s limit, analysis at most 1,024 and at least 256', () => {
    const b = new ExtraCallBudget(undefined);
    assert.deepEqual(b.take('analysis'), { maxOutputTokens: EXTRA_CALLS.analysisMaxTokens });
    assert.deepEqual(b.take('json_repair'), { maxOutputTokens: undefined });
    assert.deepEqual(b.take('tool_choice_retry'), { maxOutputTokens: undefined });
    assert.equal(b.take('analysis_repair'), false, 'the fourth extra call is refused');
    const small = new ExtraCallBudget(300);
    assert.deepEqual(small.take('analysis'), { maxOutputTokens: 300 });
    assert.deepEqual(small.take('json_repair'), { maxOutputTokens: 300 });
    const tiny = new ExtraCallBudget(20);
    assert.equal(tiny.take('analysis'), false);
    assert.deepEqual(tiny.take('tool_choice_retry'), { maxOutputTokens: 20 }, 'a retry is as long as the answer may be');
    assert.equal(tiny.callsLeft, 2);
  });

  it('max_output_tokens 20 with analysis_mode: no analysis call (too few tokens); the lexicon analysis and a budget warning', async () => {
    chatUp.enqueue({ type: 'stream', content: 'Probably sunny.' });
    const body = await (await post(viaChat, { analysis_mode: true, max_output_tokens: 20 })).json();
    assert.equal(body.status, 'completed');
    assert.ok(body.analysis, 'an analysis all the same');
    assert.equal(chatUp.requests.length, 1, 'only the answer was generated');
    assert.deepEqual(
      warnings.map((w) => [w.msg, w.fields.reason, w.fields.max_output_tokens]),
      [['analysis.live_fallback', 'budget', 20]],
    );
  });

  it('the analysis call is capped by the request: max_output_tokens 300 → 300, none → 1,024', async () => {
    chatUp.enqueue({ type: 'stream', content: 'Probably sunny.' }, { type: 'stream', content: VALID_ANALYSIS });
    await post(viaChat, { analysis_mode: true, max_output_tokens: 300 });
    chatUp.enqueue({ type: 'stream', content: 'Probably sunny.' }, { type: 'stream', content: VALID_ANALYSIS });
    await post(viaChat, { analysis_mode: true });
    assert.deepEqual(
      chatUp.requests.map((r) => r.body.max_tokens),
      [300, 300, undefined, EXTRA_CALLS.analysisMaxTokens],
    );
  });

  it('all kinds share the bound: a tool_choice retry, a JSON repair and the analysis pass leave no call for a repair of the analysis', async () => {
    const format = { type: 'json_schema', name: 'rating', schema: { type: 'object', properties: { score: { type: 'integer' } }, required: ['score'], additionalProperties: false }, strict: true };
    chatUp.enqueue(
      { type: 'stream', content: '{"score": 7}' }, // valid JSON, but no call: tool_choice_retry (1)
      { type: 'stream', content: 'Score: high' }, // the retry, not JSON: json_repair (2)
      { type: 'stream', content: '{"score": 7}', toolCalls: [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] }, // the repair: JSON and the call
      { type: 'stream', content: 'I rate it well' }, // the analysis pass (3), not JSON: its repair would be a fourth extra call
    );
    const body = await (await post(viaPromptOnly, { tools: [weather], tool_choice: 'required', text: { format }, analysis_mode: true })).json();
    assert.equal(body.status, 'completed', JSON.stringify(body.error));
    assert.deepEqual(body.output.map((o: Json) => o.type), ['message', 'function_call']);
    assert.ok(body.analysis, 'the lexicon analysis');
    assert.equal(chatUp.requests.length, 4, 'the answer and three extra calls, no more');
    assert.deepEqual(
      warnings.map((w) => [w.msg, w.fields.reason]),
      [
        ['backend.tool_choice_retry', undefined],
        ['backend.json_repair', undefined],
        ['analysis.live_fallback', 'engine_error'],
      ],
    );
    assert.match(String((warnings[2]!.fields.err as Error).message), /no extra model call left for a repair/);
  });
});
