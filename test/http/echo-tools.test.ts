/**
 * The Response echoes complete, normalized tools and text.format (issue
 * 17.1): a function tool always carries `description`, `parameters` and
 * `strict` (null when absent; `strict` resolved as README "Function tools"
 * says), a json_schema format `description` and `strict` — in the JSON body,
 * in response.created / in_progress / completed, in GET, through the openai
 * SDK — and the backends are sent what is echoed.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { createOpenAIChatProvider } from '../../src/providers/openai/chat/index.js';
import { createOpenAIResponsesProvider } from '../../src/providers/openai/responses/index.js';
import { responseObjectSchema } from '../../src/openapi/response-schemas.js';
import { readSse, startTestServer, type TestServer } from '../helpers/app.js';
import { startMockChatUpstream, type MockChatUpstream } from '../helpers/mock-chat-upstream.js';
import { startMockResponsesUpstream, type MockResponsesUpstream } from '../helpers/mock-responses-upstream.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

function post(body: object, key = s.testKey): Promise<Response> {
  return fetch(`${s.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ model: 'mavera-1', ...body }) });
}

const cityProps = { city: { type: 'string' } };

/** Sent → echoed. */
const TOOLS: Array<{ name: string; sent: Json; echoed: Json }> = [
  {
    name: 'no description, parameters or strict: a function without arguments, strict',
    sent: { type: 'function', name: 'ping' },
    echoed: { type: 'function', name: 'ping', description: null, parameters: null, strict: true },
  },
  {
    name: 'every property required, strict absent: strict, additionalProperties false filled in',
    sent: { type: 'function', name: 'get_weather', description: 'Weather for a city', parameters: { type: 'object', properties: cityProps, required: ['city'] } },
    echoed: {
      type: 'function',
      name: 'get_weather',
      description: 'Weather for a city',
      parameters: { type: 'object', properties: cityProps, required: ['city'], additionalProperties: false },
      strict: true,
    },
  },
  {
    name: 'an optional property, strict absent (or null): not strict, the schema as sent',
    sent: { type: 'function', name: 'search', description: null, parameters: { type: 'object', properties: { q: { type: 'string' }, limit: { type: 'integer' } }, required: ['q'] }, strict: null },
    echoed: { type: 'function', name: 'search', description: null, parameters: { type: 'object', properties: { q: { type: 'string' }, limit: { type: 'integer' } }, required: ['q'] }, strict: false },
  },
  {
    name: 'nested objects are normalized too',
    sent: {
      type: 'function',
      name: 'book',
      parameters: { type: 'object', properties: { who: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] }, tags: { type: 'array', items: { type: 'object', properties: {} } } }, required: ['who', 'tags'] },
    },
    echoed: {
      type: 'function',
      name: 'book',
      description: null,
      parameters: {
        type: 'object',
        properties: {
          who: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'], additionalProperties: false },
          tags: { type: 'array', items: { type: 'object', properties: {}, required: [], additionalProperties: false } },
        },
        required: ['who', 'tags'],
        additionalProperties: false,
      },
      strict: true,
    },
  },
  {
    name: 'a free-form object property: not strict',
    sent: { type: 'function', name: 'save', parameters: { type: 'object', properties: { data: { type: 'object' } }, required: ['data'] } },
    echoed: { type: 'function', name: 'save', description: null, parameters: { type: 'object', properties: { data: { type: 'object' } }, required: ['data'] }, strict: false },
  },
  {
    name: 'strict false is kept, the schema as sent',
    sent: { type: 'function', name: 'get_weather', parameters: { type: 'object', properties: cityProps, required: ['city'] }, strict: false },
    echoed: { type: 'function', name: 'get_weather', description: null, parameters: { type: 'object', properties: cityProps, required: ['city'] }, strict: false },
  },
];

const SCHEMA = { type: 'object', properties: { score: { type: 'integer' } }, required: ['score'] };

describe('function tools', () => {
  for (const t of TOOLS) {
    it(t.name, async () => {
      const res = await post({ input: 'Tell me about your weekend.', tools: [t.sent], tool_choice: 'none' });
      assert.equal(res.status, 200);
      assert.deepEqual((await res.json()).tools, [t.echoed]);
    });
  }

  it('echoed the same in response.created, in_progress and completed, and in GET', async () => {
    const tools = TOOLS.map((t) => t.sent);
    const res = await post({ input: 'Tell me about your weekend.', tools, tool_choice: 'none', stream: true });
    const { events } = await readSse(res);
    const frames = events.filter((e) => e.event !== null).map((e) => JSON.parse(e.data) as Json);
    const lifecycle = frames.filter((f) => ['response.created', 'response.in_progress', 'response.completed'].includes(f.type));
    assert.equal(lifecycle.length, 3);
    for (const f of lifecycle) {
      assert.deepEqual(f.response.tools, TOOLS.map((t) => t.echoed), f.type);
      responseObjectSchema.strict().parse(f.response); // the documented (OpenAPI) Response shape
    }
    const id = lifecycle[0].response.id as string;
    const got = await (await fetch(`${s.url}/v1/responses/${id}`, { headers: { authorization: `Bearer ${s.testKey}` } })).json();
    assert.deepEqual(got.tools, TOOLS.map((t) => t.echoed));
  });

  it('server tools are echoed as sent', async () => {
    const res = await post({ input: 'Tell me about your weekend.', tools: [{ type: 'web_search', search_context_size: 'low' }, TOOLS[0]!.sent], tool_choice: 'none' });
    assert.deepEqual((await res.json()).tools, [{ type: 'web_search', search_context_size: 'low' }, TOOLS[0]!.echoed]);
  });

  it('strict true on a schema strict mode cannot take is a 400 naming the schema, in OpenAI\'s words', async () => {
    const res = await post({ input: 'hi', tools: [{ type: 'function', name: 'search', parameters: { type: 'object', properties: { q: { type: 'string' }, limit: { type: 'integer' } }, required: ['q'] }, strict: true }] });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), {
      error: {
        message:
          "Invalid schema for function 'search': In context=(), 'required' is required to be supplied and to be an array including every key in properties. Missing 'limit'. Set strict to false to use the schema as it is.",
        type: 'invalid_request_error',
        param: 'tools[0].parameters',
        code: 'invalid_request',
      },
    });
    const nested = await post({ input: 'hi', tools: [{ type: 'function', name: 'save', parameters: { type: 'object', properties: { data: { type: 'object', additionalProperties: true } }, required: ['data'] }, strict: true }] });
    assert.match((await nested.json()).error.message, /In context=\('properties', 'data'\), 'additionalProperties' is required to be supplied and to be false\./);
  });

  it('through the openai SDK: create, stream and retrieve return complete tools', async () => {
    const client = new OpenAI({ apiKey: s.testKey, baseURL: s.baseURL, maxRetries: 0 });
    const tools = [TOOLS[0]!.sent, TOOLS[1]!.sent];
    const echoed = [TOOLS[0]!.echoed, TOOLS[1]!.echoed];
    const created = await client.responses.create({ model: 'mavera-1', input: 'What is the weather in Paris?', tools, tool_choice: 'required' });
    assert.deepEqual(created.tools, echoed);
    const call = created.output.find((o) => o.type === 'function_call');
    assert.ok(call && call.type === 'function_call');
    assert.equal(call.name, 'get_weather');
    assert.deepEqual(Object.keys(JSON.parse(call.arguments) as object), ['city'], 'strict: exactly the required properties');
    const final = await client.responses.stream({ model: 'mavera-1', input: 'Tell me about your weekend.', tools, tool_choice: 'none' }).finalResponse();
    assert.deepEqual(final.tools, echoed);
    assert.deepEqual((await client.responses.retrieve(final.id)).tools, echoed);
  });
});

describe('text.format json_schema', () => {
  it('description and strict are echoed (null and false when absent)', async () => {
    const res = await post({ input: 'Rate e-bikes from 0 to 9.', text: { format: { type: 'json_schema', name: 'rating', schema: SCHEMA } } });
    const body = await res.json();
    assert.deepEqual(body.text.format, { type: 'json_schema', name: 'rating', description: null, schema: SCHEMA, strict: false });
  });

  it('strict true: the schema is echoed normalized; other formats as sent', async () => {
    const res = await post({ input: 'Rate e-bikes from 0 to 9.', text: { format: { type: 'json_schema', name: 'rating', description: 'A rating', schema: SCHEMA, strict: true } } });
    const body = await res.json();
    assert.deepEqual(body.text.format, { type: 'json_schema', name: 'rating', description: 'A rating', schema: { ...SCHEMA, additionalProperties: false }, strict: true });
    assert.deepEqual((await (await post({ input: 'hi', text: { format: { type: 'json_object' } } })).json()).text.format, { type: 'json_object' });
    assert.deepEqual((await (await post({ input: 'hi' })).json()).text.format, { type: 'text' });
  });

  it('strict true on a schema with an optional property is a 400', async () => {
    const res = await post({ input: 'hi', text: { format: { type: 'json_schema', name: 'rating', schema: { type: 'object', properties: { a: { type: 'string' } } }, strict: true } } });
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.equal(body.error.param, 'text.format.schema');
    assert.match(body.error.message, /^Invalid schema for response_format 'rating': In context=\(\), 'required' is required/);
  });
});

describe('the backends are sent what is echoed', () => {
  let responsesUp: MockResponsesUpstream;
  let chatUp: MockChatUpstream;
  let viaResponses: TestServer;
  let viaChat: TestServer;
  before(async () => {
    responsesUp = await startMockResponsesUpstream();
    chatUp = await startMockChatUpstream();
    viaResponses = await startTestServer({ live: createOpenAIResponsesProvider({ baseURL: responsesUp.url, apiKey: 'sk-up', model: 'gpt-test' }) });
    viaChat = await startTestServer({ live: createOpenAIChatProvider({ baseURL: chatUp.url, apiKey: 'sk-up', model: 'gpt-test' }) });
  });
  after(async () => {
    await viaResponses.close();
    await viaChat.close();
    await responsesUp.close();
    await chatUp.close();
  });

  const call = (server: TestServer, body: object) =>
    fetch(`${server.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${server.liveKey}` }, body: JSON.stringify({ model: 'mavera-1', input: 'hi', ...body }) });

  it('OpenAI Responses upstream: strict and parameters of each tool, and the format', async () => {
    responsesUp.enqueue({ type: 'stream', content: '{"score":3}' });
    const tools = TOOLS.slice(1).map((t) => t.sent);
    const res = await call(viaResponses, { tools, text: { format: { type: 'json_schema', name: 'rating', schema: SCHEMA, strict: true } } });
    const body = await res.json();
    assert.equal(body.status, 'completed', JSON.stringify(body.error));
    const sent = responsesUp.requests.at(-1)!.body;
    assert.deepEqual(
      sent.tools.map((t: Json) => ({ name: t.name, parameters: t.parameters, strict: t.strict })),
      body.tools.map((t: Json) => ({ name: t.name, parameters: t.parameters, strict: t.strict })),
    );
    assert.deepEqual({ schema: sent.text.format.schema, strict: sent.text.format.strict }, { schema: body.text.format.schema, strict: body.text.format.strict });
  });

  it('OpenAI-compatible Chat Completions upstream: the same', async () => {
    chatUp.enqueue({ type: 'stream', content: 'Fine.' });
    const tools = TOOLS.slice(1).map((t) => t.sent);
    const body = await (await call(viaChat, { tools })).json();
    const sent = chatUp.requests.at(-1)!.body;
    assert.deepEqual(
      sent.tools.map((t: Json) => ({ name: t.function.name, parameters: t.function.parameters, strict: t.function.strict })),
      body.tools.map((t: Json) => ({ name: t.name, parameters: t.parameters, strict: t.strict })),
    );
  });

  it('a tool without parameters: the backends get an empty object schema, strict', async () => {
    responsesUp.enqueue({ type: 'stream', content: 'Pong.' });
    await call(viaResponses, { tools: [TOOLS[0]!.sent] });
    const sent = responsesUp.requests.at(-1)!.body.tools[0];
    assert.deepEqual({ parameters: sent.parameters, strict: sent.strict }, { parameters: { type: 'object', properties: {}, required: [], additionalProperties: false }, strict: true });
  });
});
