/**
 * POST /v1/chat/completions through the official `openai` SDK's
 * chat.completions methods, against a real listening server (test key →
 * sandbox engine): plain and persona requests, streaming (raw iteration and
 * the stream() helper), include_usage, tools with a round trip, structured
 * outputs, max_tokens → finish_reason 'length', and errors.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI, { AuthenticationError, BadRequestError, NotFoundError, UnprocessableEntityError } from 'openai';
import type { ChatCompletionCreateParamsNonStreaming, ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { chatCompletionObject } from '../../src/chat-completions/schema.js';
import { validateAgainst } from '../../src/util/json-schema.js';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { PNG_1x1 } from '../helpers/images.js';

const MODEL = 'mavera-1';
const PERSONA = 'gen-z-digital-native';

let s: TestServer;
let client: OpenAI;
before(async () => {
  s = await startTestServer();
  client = new OpenAI({ apiKey: s.testKey, baseURL: s.baseURL, maxRetries: 0 });
});
after(() => s.close());

/** Adds fields the SDK's types do not know (persona_id, analysis_mode). */
function withExtras(body: ChatCompletionCreateParamsNonStreaming, extras: Record<string, unknown>): ChatCompletionCreateParamsNonStreaming {
  return { ...body, ...extras } as ChatCompletionCreateParamsNonStreaming;
}

const weatherTool: ChatCompletionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather for a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string', description: 'City name' }, unit: { type: 'string', enum: ['c', 'f'] } },
      required: ['city', 'unit'],
      additionalProperties: false,
    },
    strict: true,
  },
};

describe('chat.completions.create', () => {
  it('answers a plain request with a chat.completion', async () => {
    const { data: c, response } = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Say hello.' }] }).withResponse();
    assert.equal(response.headers.get('x-cohort-engine'), 'sandbox');
    assert.match(c.id, /^chatcmpl_[0-9a-f]{24}$/);
    assert.equal(c.object, 'chat.completion');
    assert.equal(c.model, MODEL);
    assert.equal(typeof c.created, 'number');
    assert.equal(c.choices.length, 1);
    const choice = c.choices[0]!;
    assert.equal(choice.index, 0);
    assert.equal(choice.finish_reason, 'stop');
    assert.equal(choice.message.role, 'assistant');
    assert.ok(choice.message.content && choice.message.content.length > 0);
    assert.equal(choice.message.refusal, null);
    assert.equal(choice.message.tool_calls, undefined);
    assert.equal(choice.logprobs, null);
    const u = c.usage!;
    assert.ok(u.prompt_tokens > 0 && u.completion_tokens > 0);
    assert.equal(u.total_tokens, u.prompt_tokens + u.completion_tokens);
    assert.equal(u.prompt_tokens_details?.cached_tokens, 0);
    assert.equal(u.completion_tokens_details?.reasoning_tokens, 0);
    assert.ok((u as unknown as { credits_used: number }).credits_used >= 1);
    assert.equal((c as unknown as { persona_id: unknown }).persona_id, null);
    assert.ok(chatCompletionObject.safeParse(c).success, 'matches the documented shape');
  });

  it('with persona_id (extra field): the persona shapes the answer and is echoed', async () => {
    const body = withExtras({ model: MODEL, messages: [{ role: 'user', content: 'Would you pay for a meal-kit subscription?' }] }, { persona_id: PERSONA });
    const [withPersona, without] = await Promise.all([
      client.chat.completions.create(body),
      client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Would you pay for a meal-kit subscription?' }] }),
    ]);
    assert.equal((withPersona as unknown as { persona_id: string }).persona_id, PERSONA);
    assert.notEqual(withPersona.choices[0]!.message.content, without.choices[0]!.message.content);
    assert.ok(withPersona.usage!.prompt_tokens > without.usage!.prompt_tokens, 'the persona prompt counts as input');
  });

  it('system and developer messages become instructions; the other sampling and bookkeeping params do not fail', async () => {
    const c = await client.chat.completions.create({
      model: MODEL,
      messages: [
        { role: 'system', content: 'You are concise.' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in English.' }] },
        { role: 'user', content: [{ type: 'text', text: 'What is a good breakfast?' }] },
      ],
      temperature: 0.5,
      top_p: 0.9,
      presence_penalty: 0.1,
      frequency_penalty: 0.1,
      n: 1,
      stop: ['\n\n'],
      seed: 42,
      user: 'u-1',
      store: true,
      logprobs: false,
      metadata: { k: 'v' },
      reasoning_effort: 'low',
      verbosity: 'low',
      parallel_tool_calls: true,
    });
    assert.equal(c.choices[0]!.finish_reason, 'stop');
    assert.ok(c.choices[0]!.message.content);
  });

  it('stop: the answer ends before the first stop sequence, streaming or not', async () => {
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Describe your ideal weekend in detail.' }];
    const full = (await client.chat.completions.create({ model: MODEL, messages })).choices[0]!.message.content!;
    const words = full.split(/\s+/).filter((w) => w.length >= 4);
    const stopWord = words[Math.floor(words.length / 2)]!;
    const expected = full.slice(0, full.indexOf(stopWord));
    assert.ok(expected.length > 0 && expected.length < full.length);

    const c = await client.chat.completions.create({ model: MODEL, messages, stop: [stopWord, 'zzz-never'] });
    assert.equal(c.choices[0]!.message.content, expected);
    assert.equal(c.choices[0]!.finish_reason, 'stop');
    assert.ok(c.usage!.completion_tokens > 0);

    let streamed = '';
    const finishes: string[] = [];
    for await (const chunk of await client.chat.completions.create({ model: MODEL, messages, stop: stopWord, stream: true })) {
      streamed += chunk.choices[0]?.delta.content ?? '';
      if (chunk.choices[0]?.finish_reason) finishes.push(chunk.choices[0].finish_reason);
    }
    assert.equal(streamed, expected);
    assert.deepEqual(finishes, ['stop']);

    // A sequence that never occurs changes nothing.
    assert.equal((await client.chat.completions.create({ model: MODEL, messages, stop: 'zzz-never' })).choices[0]!.message.content, full);
  });

  it('stop with a JSON response_format: the cut text is returned as asked, not a failed response', async () => {
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Describe a typical customer.' }];
    const full = (await client.chat.completions.create({ model: MODEL, messages, response_format: { type: 'json_object' } })).choices[0]!.message.content!;
    assert.ok(full.includes(','), full);
    const c = await client.chat.completions.create({ model: MODEL, messages, response_format: { type: 'json_object' }, stop: [','] });
    assert.equal(c.choices[0]!.message.content, full.slice(0, full.indexOf(',')));
    assert.equal(c.choices[0]!.finish_reason, 'stop');
  });

  it('seed: the same seed gives the same answer, other seeds other answers (sandbox)', async () => {
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'What do you think of electric cars?' }];
    const answer = async (seed: number) => (await client.chat.completions.create({ model: MODEL, messages, seed })).choices[0]!.message.content;
    const a = await answer(1);
    assert.equal(await answer(1), a);
    const others = await Promise.all([2, 3, 4].map(answer));
    assert.ok(others.some((o) => o !== a), 'another seed changes the answer');
  });

  it('max_tokens small → finish_reason length', async () => {
    const c = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Tell me a long story about the sea.' }], max_tokens: 3 });
    assert.equal(c.choices[0]!.finish_reason, 'length');
    assert.equal(c.usage!.completion_tokens, 3);
    const c2 = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Tell me a long story about the sea.' }], max_completion_tokens: 4 });
    assert.equal(c2.choices[0]!.finish_reason, 'length');
    assert.equal(c2.usage!.completion_tokens, 4);
  });

  it('image_url parts are accepted', async () => {
    const c = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What is in this picture?' }, { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_1x1.toString('base64')}`, detail: 'low' } }] }],
    });
    assert.equal(c.choices[0]!.finish_reason, 'stop');
    assert.ok(c.usage!.prompt_tokens > 0);
  });
});

describe('streaming', () => {
  it('stream: true iterates chunks that add up to the non-streaming answer', async () => {
    const messages: ChatCompletionMessageParam[] = [{ role: 'user', content: 'Describe your ideal weekend.' }];
    const stream = await client.chat.completions.create({ model: MODEL, messages, stream: true });
    let text = '';
    const ids = new Set<string>();
    const finishes: Array<string | null> = [];
    let first = true;
    let n = 0;
    for await (const chunk of stream) {
      n++;
      assert.equal(chunk.object, 'chat.completion.chunk');
      assert.equal(chunk.model, MODEL);
      assert.equal(chunk.usage, undefined, 'usage is omitted without include_usage');
      ids.add(chunk.id);
      const choice = chunk.choices[0]!;
      if (first) assert.deepEqual(choice.delta, { role: 'assistant', content: '', refusal: null });
      first = false;
      text += choice.delta.content ?? '';
      finishes.push(choice.finish_reason);
    }
    assert.ok(n > 3);
    assert.equal(ids.size, 1, 'one id for every chunk');
    assert.deepEqual(finishes.filter((f) => f !== null), ['stop']);
    assert.equal(finishes.at(-1), 'stop');
    const whole = await client.chat.completions.create({ model: MODEL, messages });
    assert.equal(text, whole.choices[0]!.message.content, 'deterministic sandbox: same text both ways');
  });

  it('stream_options.include_usage: a last chunk with empty choices and usage', async () => {
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'Hi!' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const last = chunks.at(-1)!;
    assert.deepEqual(last.choices, []);
    assert.ok(last.usage && last.usage.prompt_tokens > 0 && last.usage.completion_tokens > 0);
    assert.equal(last.usage.total_tokens, last.usage.prompt_tokens + last.usage.completion_tokens);
    assert.ok((last.usage as unknown as { credits_used: number }).credits_used >= 1);
    for (const c of chunks.slice(0, -1)) assert.equal(c.usage, null, 'other chunks carry usage: null, as OpenAI sends them');
  });

  it('chat.completions.stream() helper: events and finalChatCompletion()', async () => {
    const stream = client.chat.completions.stream(
      withExtras({ model: MODEL, messages: [{ role: 'user', content: 'What do you think about smart watches?' }] }, { persona_id: PERSONA }) as never,
    ) as ReturnType<typeof client.chat.completions.stream>;
    let deltas = '';
    stream.on('content.delta', ({ delta }) => (deltas += delta));
    const final = await stream.finalChatCompletion();
    assert.match(final.id, /^chatcmpl_/);
    assert.equal(final.choices[0]!.finish_reason, 'stop');
    assert.equal(final.choices[0]!.message.content, deltas);
    assert.ok(deltas.length > 0);
  });

  it('streamed tool calls assemble into the final message', async () => {
    const stream = client.chat.completions.stream({
      model: MODEL,
      messages: [{ role: 'user', content: 'What is the weather in Lisbon?' }],
      tools: [weatherTool],
      tool_choice: 'required',
      stream_options: { include_usage: true },
    });
    const final = await stream.finalChatCompletion();
    const choice = final.choices[0]!;
    assert.equal(choice.finish_reason, 'tool_calls');
    const call = choice.message.tool_calls![0]!;
    assert.equal(call.type, 'function');
    assert.ok(call.type === 'function' && call.function.name === 'get_weather');
    const args = JSON.parse(call.type === 'function' ? call.function.arguments : '{}');
    assert.ok(validateAgainst(weatherTool.function.parameters!, args).valid, JSON.stringify(args));
    assert.ok(final.usage && final.usage.completion_tokens > 0);
  });
});

describe('tools', () => {
  it('tool_choice required → tool_calls with valid JSON args; the tool message round trip → an answer', async () => {
    const question: ChatCompletionMessageParam = { role: 'user', content: 'Should I bring an umbrella in Paris today?' };
    const first = await client.chat.completions.create({ model: MODEL, messages: [question], tools: [weatherTool], tool_choice: 'required' });
    const choice = first.choices[0]!;
    assert.equal(choice.finish_reason, 'tool_calls');
    assert.equal(choice.message.content, null, 'content is null when the message only calls tools');
    assert.equal(choice.message.tool_calls?.length, 1);
    const call = choice.message.tool_calls![0]!;
    assert.ok(call.type === 'function');
    assert.match(call.id, /^call_/);
    assert.equal(call.function.name, 'get_weather');
    const args = JSON.parse(call.function.arguments) as { city: string; unit: string };
    assert.ok(validateAgainst(weatherTool.function.parameters!, args).valid);

    const second = await client.chat.completions.create({
      model: MODEL,
      messages: [question, choice.message, { role: 'tool', tool_call_id: call.id, content: JSON.stringify({ forecast: 'rain, code MARMALADE-42' }) }],
      tools: [weatherTool],
    });
    const answer = second.choices[0]!;
    assert.equal(answer.finish_reason, 'stop');
    assert.equal(answer.message.tool_calls, undefined);
    assert.match(answer.message.content ?? '', /MARMALADE-42/, 'the answer uses the tool output');
  });

  it('a named tool_choice forces that function', async () => {
    const other: ChatCompletionTool = { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: { zone: { type: 'string' } }, required: ['zone'] } } };
    const c = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'Hello there.' }],
      tools: [weatherTool, other],
      tool_choice: { type: 'function', function: { name: 'get_time' } },
    });
    const call = c.choices[0]!.message.tool_calls![0]!;
    assert.ok(call.type === 'function' && call.function.name === 'get_time');
  });

  it('tool_choice none answers in text', async () => {
    const c = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'get_weather for Paris please' }], tools: [weatherTool], tool_choice: 'none' });
    assert.equal(c.choices[0]!.finish_reason, 'stop');
    assert.equal(c.choices[0]!.message.tool_calls, undefined);
  });
});

describe('response_format', () => {
  const schema = {
    type: 'object',
    properties: { verdict: { type: 'string', enum: ['buy', 'skip'] }, reasons: { type: 'array', items: { type: 'string' } }, score: { type: 'integer', minimum: 1, maximum: 10 } },
    required: ['verdict', 'reasons', 'score'],
    additionalProperties: false,
  };

  it('json_schema: the content parses and validates', async () => {
    const c = await client.chat.completions.create(
      withExtras(
        {
          model: MODEL,
          messages: [{ role: 'user', content: 'Would you buy a smart water bottle?' }],
          response_format: { type: 'json_schema', json_schema: { name: 'verdict', schema, strict: true } },
        },
        { persona_id: PERSONA },
      ),
    );
    const value = JSON.parse(c.choices[0]!.message.content!);
    assert.ok(validateAgainst(schema, value).valid, JSON.stringify(value));
  });

  it('json_schema through chat.completions.parse()', async () => {
    const c = await client.chat.completions.parse({
      model: MODEL,
      messages: [{ role: 'user', content: 'Rate this coffee maker.' }],
      response_format: { type: 'json_schema', json_schema: { name: 'verdict', schema, strict: true } },
    });
    assert.ok(validateAgainst(schema, c.choices[0]!.message.parsed).valid);
  });

  it('json_object: the content is a JSON object', async () => {
    const c = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'system', content: 'Reply in JSON.' }, { role: 'user', content: 'Your favourite snack?' }],
      response_format: { type: 'json_object' },
    });
    const value = JSON.parse(c.choices[0]!.message.content!);
    assert.equal(typeof value, 'object');
    assert.ok(value !== null && !Array.isArray(value));
  });
});

describe('errors', () => {
  const user: ChatCompletionMessageParam[] = [{ role: 'user', content: 'hi' }];

  async function rejects<E extends Error>(p: Promise<unknown>, type: new (...a: never[]) => E, check: (e: E & { status?: number; code?: string | null; param?: string | null }) => void) {
    await assert.rejects(p, (e: unknown) => {
      assert.ok(e instanceof type, `expected ${type.name}, got ${String(e)}`);
      check(e as E & { status?: number; code?: string | null; param?: string | null });
      return true;
    });
  }

  it('422 validation_error naming the param', async () => {
    await rejects(client.chat.completions.create({ model: MODEL, messages: user, temperature: 5 }), UnprocessableEntityError, (e) => {
      assert.equal(e.status, 422);
      assert.equal(e.code, 'validation_error');
      assert.equal(e.param, 'temperature');
    });
    await rejects(client.chat.completions.create({ model: MODEL, messages: user, n: 2 }), UnprocessableEntityError, (e) => assert.equal(e.param, 'n'));
    await rejects(client.chat.completions.create({ model: MODEL, messages: user, logprobs: true }), UnprocessableEntityError, (e) => assert.equal(e.param, 'logprobs'));
    await rejects(client.chat.completions.create({ model: MODEL, messages: user, stop: '' }), UnprocessableEntityError, (e) => assert.equal(e.param, 'stop'));
    await rejects(client.chat.completions.create({ model: MODEL, messages: user, stop: ['a', 'b', 'c', 'd', 'e'] }), UnprocessableEntityError, (e) => assert.equal(e.param, 'stop'));
    await rejects(client.chat.completions.create({ model: MODEL, messages: user, stop: ['x'.repeat(257)] }), UnprocessableEntityError, (e) => assert.match(e.param ?? '', /^stop/));
    await rejects(client.chat.completions.create({ model: 'gpt-4o', messages: user }), UnprocessableEntityError, (e) => {
      assert.equal(e.param, 'model');
      assert.match(e.message, /'gpt-4o' is not supported; it must be 'mavera-1'\./);
    });
    await rejects(client.chat.completions.create({ model: MODEL, messages: user, max_tokens: 0 }), UnprocessableEntityError, (e) => assert.equal(e.param, 'max_tokens'));
    await rejects(client.chat.completions.create({ model: MODEL, messages: user, tools: [weatherTool], tool_choice: { type: 'function', function: { name: 'nope' } } }), UnprocessableEntityError, (e) =>
      assert.equal(e.param, 'tool_choice.function.name'),
    );
    await rejects(
      client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://x/y.png' } }] }] }),
      UnprocessableEntityError,
      (e) => assert.equal(e.param, 'messages[0].content[0].image_url.url'),
    );
    await rejects(
      client.chat.completions.create({ model: MODEL, messages: user, response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'nonsense' } } } }),
      UnprocessableEntityError,
      (e) => assert.equal(e.param, 'response_format.json_schema.schema'),
    );
    await rejects(
      client.chat.completions.create({ model: MODEL, messages: user, tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'nonsense' } } }] }),
      UnprocessableEntityError,
      (e) => assert.equal(e.param, 'tools[0].function.parameters'),
    );
  });

  it('400 invalid_request for missing messages', async () => {
    await rejects(client.chat.completions.create({ model: MODEL } as never), BadRequestError, (e) => {
      assert.equal(e.status, 400);
      assert.equal(e.code, 'invalid_request');
      assert.equal(e.param, 'messages');
    });
  });

  it('404 persona_not_found, streaming or not', async () => {
    await rejects(client.chat.completions.create(withExtras({ model: MODEL, messages: user }, { persona_id: 'no-such-persona' })), NotFoundError, (e) => {
      assert.equal(e.code, 'persona_not_found');
      assert.equal(e.param, 'persona_id');
    });
    await rejects(
      client.chat.completions.create({ ...withExtras({ model: MODEL, messages: user }, { persona_id: 'no-such-persona' }), stream: true } as never),
      NotFoundError,
      (e) => assert.equal(e.code, 'persona_not_found'),
    );
  });

  it('401 with a bad key', async () => {
    const bad = new OpenAI({ apiKey: 'mvra_test_wrong', baseURL: s.baseURL, maxRetries: 0 });
    await rejects(bad.chat.completions.create({ model: MODEL, messages: user }), AuthenticationError, (e) => assert.equal(e.status, 401));
  });
});
