/**
 * Which request parameters the two creating endpoints know (issue 17.2, 17.3):
 * an unknown one is a 400 naming it (a typo such as `persona` for
 * `persona_id` used to be dropped without a word), every parameter of
 * openai-node's create() types is known, the few that would change the
 * answer are refused when set, and allowed_tools' `mode` defaults to auto.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chatCompletionRequest } from '../../src/chat-completions/schema.js';
import { createResponseRequest } from '../../src/schemas/create-response.js';
import { suggestKey } from '../../src/schemas/validate.js';
import { startTestServer, type TestServer } from '../helpers/app.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

async function post(pathname: string, body: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${s.url}${pathname}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${s.testKey}` }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

const responses = (body: object) => post('/v1/responses', { model: 'mavera-1', input: 'Would you buy an e-bike?', ...body });
const chat = (body: object) => post('/v1/chat/completions', { model: 'mavera-1', messages: [{ role: 'user', content: 'Would you buy an e-bike?' }], ...body });

const invalid = (message: string, param: string) => ({ error: { message, type: 'invalid_request_error', param, code: 'invalid_request' } });

/** The top-level keys of an exported interface of an openai-node declaration file. */
function interfaceKeys(file: string, name: string): string[] {
  const source = fs.readFileSync(file, 'utf8');
  const start = source.indexOf(`export interface ${name} `);
  assert.ok(start >= 0, `${name} in ${file}`);
  const keys: string[] = [];
  let depth = 0;
  for (let i = source.indexOf('{', start); i < source.length; i++) {
    const ch = source[i];
    if (ch === '{') depth++;
    else if (ch === '}' && --depth === 0) break;
    else if (depth === 1 && source[i - 1] === '\n') {
      const m = /^\s*([a-z_]+)\??:/.exec(source.slice(i, source.indexOf('\n', i)));
      if (m) keys.push(m[1]!);
    }
  }
  return keys;
}

const sdkDir = (pkg: string) => new URL(`../../node_modules/${pkg}/`, import.meta.url).pathname;

describe('unknown parameters', () => {
  it('/v1/responses: a top-level typo is a 400 naming it, with the likely name', async () => {
    const r = await responses({ persona: 'gen-z-digital-native' });
    assert.equal(r.status, 400);
    assert.deepEqual(r.body, invalid("Unknown parameter: 'persona'. Did you mean 'persona_id'?", 'persona'));
  });

  it('/v1/responses: the unknown key wins over the missing field it was meant to be', async () => {
    const r = await post('/v1/responses', { model: 'mavera-1', inptu: 'hello' });
    assert.deepEqual(r.body, invalid("Unknown parameter: 'inptu'. Did you mean 'input'?", 'inptu'));
    const far = await responses({ colour: 'blue' });
    assert.deepEqual(far.body, invalid("Unknown parameter: 'colour'.", 'colour'), 'no suggestion when nothing is close');
  });

  it('/v1/responses: unknown keys inside a function tool, tool_choice, text and text.format', async () => {
    const tool = { type: 'function', name: 'get_price', parameters: { type: 'object', properties: {} } };
    const cases: Array<[object, string]> = [
      [{ tools: [tool, { type: 'function', name: 'f', paramters: { type: 'object' } }] }, 'tools[1].paramters'],
      [{ tools: [tool], tool_choice: { type: 'function', name: 'get_price', strict: true } }, 'tool_choice.strict'],
      [{ tools: [tool], tool_choice: { type: 'allowed_tools', tools: [{ type: 'function', name: 'get_price', description: 'x' }] } }, 'tool_choice.tools[0].description'],
      [{ text: { fromat: { type: 'json_object' } } }, 'text.fromat'],
      [{ text: { format: { type: 'json_schema', name: 'x', schema: { type: 'object' }, strcit: false } } }, 'text.format.strcit'],
    ];
    for (const [body, param] of cases) {
      const r = await responses(body);
      assert.equal(r.status, 400, param);
      assert.deepEqual(r.body, invalid(`Unknown parameter: '${param}'.`, param));
    }
  });

  it('/v1/responses: input items, content parts, reasoning and server tools stay loose', async () => {
    const r = await responses({
      input: [
        { role: 'user', content: [{ type: 'input_text', text: 'Hi', annotations: [] }] },
        { type: 'message', role: 'assistant', id: 'msg_x', status: 'completed', content: [{ type: 'output_text', text: 'Hello', annotations: [], logprobs: [] }] },
        { role: 'user', content: 'Would you buy an e-bike?' },
      ],
      reasoning: { effort: 'low', summary: 'auto', generate_summary: 'auto', context: 'auto' },
      tools: [{ type: 'web_search', search_context_size: 'low' }],
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
  });

  it('/v1/chat/completions: a top-level typo is a 400 in OpenAI\'s chat wording, naming it', async () => {
    const r = await chat({ persona: 'gen-z-digital-native' });
    assert.equal(r.status, 400);
    assert.deepEqual(r.body, invalid("Unrecognized request argument supplied: persona. Did you mean 'persona_id'?", 'persona'));
  });

  it('/v1/chat/completions: unknown keys inside a tool function and response_format', async () => {
    const r = await chat({ tools: [{ type: 'function', function: { name: 'f', paramters: {} } }] });
    assert.deepEqual(r.body, invalid("Unknown parameter: 'tools[0].function.paramters'.", 'tools[0].function.paramters'));
    const f = await chat({ response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' }, stirct: true } } });
    assert.deepEqual(f.body, invalid("Unknown parameter: 'response_format.json_schema.stirct'.", 'response_format.json_schema.stirct'));
  });

  it('suggests a name only when it is close', () => {
    assert.equal(suggestKey('persona', ['model', 'persona_id']), 'persona_id');
    assert.equal(suggestKey('temprature', ['temperature', 'top_p']), 'temperature');
    assert.equal(suggestKey('max_tokens', ['max_output_tokens', 'max_tool_calls']), undefined);
    assert.equal(suggestKey('xy', ['xyz']), undefined, 'too short to guess');
  });
});

describe('known parameters', () => {
  it("every parameter of openai-node's responses.create() and chat.completions.create() is known (v7 and v6)", () => {
    const responsesKnown = new Set(Object.keys(createResponseRequest.shape));
    const chatKnown = new Set(Object.keys(chatCompletionRequest.shape));
    for (const pkg of ['openai', 'openai6']) {
      const dir = sdkDir(pkg);
      const r = interfaceKeys(path.join(dir, 'resources/responses/responses.d.ts'), 'ResponseCreateParamsBase');
      const c = interfaceKeys(path.join(dir, 'resources/chat/completions/completions.d.ts'), 'ChatCompletionCreateParamsBase');
      assert.ok(r.length > 20 && c.length > 30, 'the declarations were read');
      assert.deepEqual(r.filter((k) => !responsesKnown.has(k)), [], `${pkg} Responses parameters`);
      assert.deepEqual(c.filter((k) => !chatKnown.has(k)), [], `${pkg} Chat Completions parameters`);
    }
  });

  it('known parameters Cohort does not use are accepted', async () => {
    const r = await responses({
      store: true,
      include: ['message.output_text.logprobs'],
      parallel_tool_calls: false,
      truncation: 'auto',
      user: 'u1',
      service_tier: 'auto',
      prompt_cache_key: 'k',
      prompt_cache_retention: '24h',
      safety_identifier: 's',
      stream_options: { include_obfuscation: false },
      top_logprobs: 2,
      reasoning: { effort: 'low' },
      background: false,
      max_tool_calls: 3,
      context_management: [{ type: 'compaction' }],
      metadata: { a: 'b' },
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const c = await chat({
      store: false,
      stream_options: { include_usage: true, include_obfuscation: false },
      logprobs: false,
      top_logprobs: 0,
      modalities: ['text'],
      prediction: { type: 'content', content: 'x' },
      n: 1,
      logit_bias: { '1': 0 },
      service_tier: 'default',
      user: 'u1',
      verbosity: 'low',
      reasoning_effort: 'low',
      seed: 3,
      prompt_cache_key: 'k',
    });
    assert.equal(c.status, 200, JSON.stringify(c.body));
  });

  it('known parameters that would change the answer are refused when set, naming them', async () => {
    const cases: Array<[Promise<{ status: number; body: Json }>, string, RegExp]> = [
      [responses({ conversation: 'conv_123' }), 'conversation', /previous_response_id/],
      [responses({ prompt: { id: 'pmpt_1' } }), 'prompt', /instructions/],
      [chat({ functions: [{ name: 'f', parameters: {} }] }), 'functions', /tools/],
      [chat({ function_call: 'auto' }), 'function_call', /tool_choice/],
      [chat({ modalities: ['text', 'audio'] }), 'modalities', /audio/],
      [chat({ audio: { voice: 'alloy', format: 'mp3' } }), 'audio', /audio/],
      [chat({ web_search_options: {} }), 'web_search_options', /web search/],
    ];
    for (const [pending, param, message] of cases) {
      const r = await pending;
      assert.equal(r.status, 422, param);
      assert.equal(r.body.error.code, 'validation_error');
      assert.equal(r.body.error.param, param);
      assert.match(r.body.error.message, message);
    }
  });
});

describe('tool_choice allowed_tools', () => {
  const tools = [
    { type: 'function', name: 'get_weather', description: 'Get the weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
    { type: 'function', name: 'get_price', description: 'Get the price of a product', parameters: { type: 'object', properties: { sku: { type: 'string' } }, required: ['sku'] } },
  ];

  it('mode is optional (default auto) and echoed', async () => {
    const r = await responses({ input: 'What is the weather in Paris?', tools, tool_choice: { type: 'allowed_tools', tools: [{ type: 'function', name: 'get_weather' }] } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.tool_choice, { type: 'allowed_tools', mode: 'auto', tools: [{ type: 'function', name: 'get_weather' }] });
    assert.equal(r.body.output[0].type, 'function_call');
    assert.equal(r.body.output[0].name, 'get_weather');
  });

  it('auto lets the model answer in text; required makes it call an allowed tool', async () => {
    const choice = (mode?: string) => ({ type: 'allowed_tools', ...(mode ? { mode } : {}), tools: [{ type: 'function', name: 'get_price' }] });
    const auto = await responses({ input: 'Tell me about your weekend.', tools, tool_choice: choice() });
    assert.equal(auto.body.output[0].type, 'message');
    const required = await responses({ input: 'Tell me about your weekend.', tools, tool_choice: choice('required') });
    assert.equal(required.body.output[0].type, 'function_call');
    assert.equal(required.body.output[0].name, 'get_price');
  });

  it('/v1/chat/completions: allowed_tools without mode', async () => {
    const r = await chat({
      messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
      tools: tools.map(({ name, description, parameters }) => ({ type: 'function', function: { name, description, parameters } })),
      tool_choice: { type: 'allowed_tools', allowed_tools: { tools: [{ type: 'function', function: { name: 'get_weather' } }] } },
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.choices[0].message.tool_calls[0].function.name, 'get_weather');
  });
});
