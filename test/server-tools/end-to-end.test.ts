/**
 * Server tools through the real server: the sandbox (test keys) runs the
 * model ↔ tool loop offline; a live key runs it against a mock Chat
 * Completions upstream and the mock Tavily. Calls appear only in the
 * top-level `server_tool_calls` — never as function_call output items — the
 * final answer uses the result, and credits include the tool turn.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, streamText } from 'ai';
import OpenAI from 'openai';
import { createOpenAIChatProvider } from '../../src/providers/openai/chat/index.js';
import { createServerTools } from '../../src/server-tools/registry.js';
import { readSse, startTestServer, type TestServer } from '../helpers/app.js';
import { startMockChatUpstream, type MockChatUpstream } from '../helpers/mock-chat-upstream.js';
import { KEYS, startMockToolApis, type MockToolApis } from '../helpers/mock-tool-apis.js';

const MODEL = 'mavera-1';
const WEATHER = {
  type: 'function',
  name: 'get_weather',
  description: 'Get the current weather for a location',
  parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
};

let apis: MockToolApis;
let upstream: MockChatUpstream;
let s: TestServer;
/** A server whose live engine has no tool backends configured. */
let bare: TestServer;
before(async () => {
  apis = await startMockToolApis();
  upstream = await startMockChatUpstream();
  const live = createOpenAIChatProvider({ baseURL: upstream.url, model: 'gpt-test', apiKey: 'sk-upstream' });
  s = await startTestServer({ live, serverTools: createServerTools(apis.config()) });
  bare = await startTestServer({ live });
});
after(async () => {
  await s.close();
  await bare.close();
  await upstream.close();
  await apis.close();
});

const post = (server: TestServer, key: string, body: unknown) =>
  fetch(`${server.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(body) });

describe('sandbox (test keys)', () => {
  it('"search the web for …" runs tavily_search on the server: one completed call, no function_call item, the answer uses it', async () => {
    const res = await post(s, s.testKey, { model: MODEL, input: 'Search the web for the best trail running shoes', tools: [{ type: 'tavily_search' }] });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.status, 'completed');
    assert.deepEqual(body.output.map((o: { type: string }) => o.type), ['message']);
    assert.equal(body.server_tool_calls.length, 1);
    const [c] = body.server_tool_calls;
    assert.equal(c.tool, 'tavily_search');
    assert.equal(c.status, 'completed');
    assert.match(c.id, /^stc_/);
    assert.equal(typeof c.arguments.query, 'string');
    assert.match(c.arguments.query, /trail running shoes/);
    assert.ok(c.urls.every((u: string) => u.startsWith('https://example.com/search/')));
    assert.match(body.output_text, /\[simulated\] Web search for "[^"]*trail running shoes" found 3 results/);
    assert.ok(body.usage.credits_used >= 1 + 2, `credits_used ${body.usage.credits_used} includes the tool turn`);
    assert.equal(apis.requests.length, 0, 'test keys never reach a backend');
  });

  it('web_search is an alias of tavily_search', async () => {
    const res = await post(s, s.testKey, { model: MODEL, input: 'search the web for the latest news about electric ferries', tools: [{ type: 'web_search' }] });
    const body = await res.json();
    assert.equal(res.status, 200);
    assert.deepEqual(body.server_tool_calls.map((c: { tool: string }) => c.tool), ['tavily_search']);
    assert.match(body.output_text, /Web search for/);
  });

  it('image_generation runs generateImage and returns the placeholder image inline', async () => {
    const res = await post(s, s.testKey, { model: MODEL, input: 'Generate an image of a lighthouse at dusk', tools: [{ type: 'image_generation' }] });
    const body = await res.json();
    assert.equal(res.status, 200);
    const [c] = body.server_tool_calls;
    assert.equal(c.tool, 'generateImage');
    assert.equal(Buffer.from(c.b64_json, 'base64').subarray(1, 4).toString(), 'PNG');
    assert.deepEqual(body.output.map((o: { type: string }) => o.type), ['message']);
  });

  it('a message that asks for no tool makes no call', async () => {
    const res = await post(s, s.testKey, { model: MODEL, input: 'What do you think of meal kits?', tools: [{ type: 'tavily_search' }] });
    const body = await res.json();
    assert.deepEqual(body.server_tool_calls, []);
    assert.ok(body.usage.credits_used <= 3);
  });

  it('streaming: text deltas flow; the calls are in response.completed, never in an output item', async () => {
    const res = await post(s, s.testKey, { model: MODEL, input: 'Search the web for kayak rentals in Oslo', tools: [{ type: 'tavily_search' }], stream: true });
    assert.equal(res.status, 200);
    const { events } = await readSse(res);
    const frames = events.filter((e) => e.data !== '[DONE]').map((e) => ({ event: e.event, data: JSON.parse(e.data) }));
    const deltas = frames.filter((f) => f.event === 'response.output_text.delta');
    assert.ok(deltas.length > 1);
    assert.match(deltas.map((d) => d.data.delta).join(''), /Web search for/);
    for (const f of frames.filter((f) => f.event === 'response.output_item.added' || f.event === 'response.output_item.done')) {
      assert.equal(f.data.item.type, 'message');
    }
    const completed = frames.find((f) => f.event === 'response.completed')!;
    assert.equal(completed.data.response.server_tool_calls.length, 1);
    assert.equal(completed.data.response.server_tool_calls[0].status, 'completed');
    assert.ok(completed.data.response.usage.credits_used >= 3);
  });

  it('function tools next to server tools: a function call still goes back to the client', async () => {
    const res = await post(s, s.testKey, { model: MODEL, input: 'What is the weather in Paris?', tools: [WEATHER, { type: 'tavily_search' }] });
    const body = await res.json();
    assert.equal(res.status, 200);
    const calls = body.output.filter((o: { type: string }) => o.type === 'function_call');
    assert.equal(calls.length, 1);
    assert.equal(calls[0].name, 'get_weather');
    assert.deepEqual(body.server_tool_calls, []);
  });

  it('openai-node accepts the response (no unknown output item types)', async () => {
    const client = new OpenAI({ apiKey: s.testKey, baseURL: s.baseURL });
    const response = await client.responses.create({ model: MODEL, input: 'Search the web for community gardens in Leeds', tools: [{ type: 'web_search' }] });
    assert.equal(response.status, 'completed');
    assert.deepEqual(response.output.map((o) => o.type), ['message']);
    assert.match(response.output_text, /Web search for/);
    const extra = response as unknown as { server_tool_calls: Array<{ tool: string; status: string }> };
    assert.deepEqual(extra.server_tool_calls.map((c) => [c.tool, c.status]), [['tavily_search', 'completed']]);
    const stream = client.responses.stream({ model: MODEL, input: 'Search the web for community gardens in Leeds', tools: [{ type: 'web_search' }] });
    const final = await stream.finalResponse();
    assert.equal((final as unknown as typeof extra).server_tool_calls.length, 1);
  });

  it("the AI SDK's openai.tools.webSearch() runs as tavily_search; text and finish reason arrive", async () => {
    const bodies: unknown[] = [];
    const openai = createOpenAI({
      apiKey: s.testKey,
      baseURL: s.baseURL,
      fetch: async (url, init) => {
        bodies.push(JSON.parse(String(init?.body)));
        return fetch(url, init);
      },
    });
    const r = await generateText({ model: openai.responses(MODEL), prompt: 'Search the web for community gardens in Leeds', tools: { web_search: openai.tools.webSearch({ searchContextSize: 'high' }) } });
    assert.match(r.text, /Web search for "community gardens in Leeds"/);
    assert.equal(r.finishReason, 'stop');
    assert.deepEqual((bodies[0] as { tools: unknown[] }).tools, [{ type: 'web_search', search_context_size: 'high' }]);
    const st = streamText({ model: openai.responses(MODEL), prompt: 'Search the web for community gardens in Leeds', tools: { web_search: openai.tools.webSearch({}) } });
    let text = '';
    for await (const d of st.textStream) text += d;
    assert.match(text, /Web search for/);
    assert.equal(await st.finishReason, 'stop');
  });
});

describe('live keys', () => {
  it('runs the loop against the upstream and Tavily: the second upstream request carries the tool result', async () => {
    const before = upstream.requests.length;
    apis.requests.length = 0;
    upstream.enqueue(
      { type: 'stream', toolCalls: [{ id: 'call_srv1', name: 'tavily_search', arguments: ['{"query":', '"cohort persona api"}'] }] },
      { type: 'stream', content: ['According to Wikipedia, ', 'it is an example.'] },
    );
    const res = await post(s, s.liveKey, { model: MODEL, input: 'Look up the Cohort persona API', tools: [{ type: 'tavily_search', max_results: 2 }] });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.output_text, 'According to Wikipedia, it is an example.');
    assert.deepEqual(body.output.map((o: { type: string }) => o.type), ['message']);
    assert.equal(body.server_tool_calls.length, 1);
    assert.equal(body.server_tool_calls[0].status, 'completed');
    assert.deepEqual(body.server_tool_calls[0].arguments, { query: 'cohort persona api' });
    assert.ok(body.usage.credits_used >= 3);

    const [search] = apis.to('/search');
    assert.equal(search!.headers.authorization, `Bearer ${KEYS.tavily}`);
    assert.deepEqual(search!.body, { query: 'cohort persona api', max_results: 2, search_depth: 'basic', include_answer: true });

    const sent = upstream.requests.slice(before);
    assert.equal(sent.length, 2);
    const first = sent[0]!.body as { tools: Array<{ type: string; function: { name: string } }> };
    assert.deepEqual(first.tools.map((t) => t.function.name), ['tavily_search']);
    const messages = (sent[1]!.body as { messages: Array<Record<string, unknown>> }).messages;
    const assistant = messages.find((m) => m.role === 'assistant') as { tool_calls: Array<{ id: string; function: { name: string; arguments: string } }> };
    assert.equal(assistant.tool_calls[0]!.id, 'call_srv1');
    assert.equal(assistant.tool_calls[0]!.function.name, 'tavily_search');
    const tool = messages.find((m) => m.role === 'tool') as { tool_call_id: string; content: string };
    assert.equal(tool.tool_call_id, 'call_srv1');
    assert.match(tool.content, /^Web search for "cohort persona api" found 2 results; the top one is "cohort persona api — Wikipedia"/);
  });

  it('an unconfigured tool is a 400 naming tools[i] and the setting; the upstream is never called', async () => {
    const before = upstream.requests.length;
    const res = await post(bare, bare.liveKey, { model: MODEL, input: 'Search the web for x', tools: [WEATHER, { type: 'tavily_search' }] });
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.equal(body.error.param, 'tools[1]');
    assert.equal(body.error.code, 'invalid_request');
    assert.match(body.error.message, /tavily_search is not configured on this server: set TAVILY_API_KEY\./);
    assert.equal(upstream.requests.length, before);
  });

  it('an invalid setting is a 422 naming it, before the upstream is called', async () => {
    const before = upstream.requests.length;
    const res = await post(s, s.liveKey, { model: MODEL, input: 'x', tools: [{ type: 'tavily_search', max_results: 99 }] });
    assert.equal(res.status, 422);
    assert.equal((await res.json()).error.param, 'tools[0].max_results');
    assert.equal(upstream.requests.length, before);
  });
});
