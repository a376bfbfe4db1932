/**
 * LangChain's ChatOpenAI in its default mode (Chat Completions, no
 * useResponsesApi) against /v1/chat/completions: invoke, stream, tools with a
 * ToolMessage round trip, and structured output. A recording fetch checks
 * which endpoint LangChain actually called.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ChatOpenAI } from '@langchain/openai';
import { type AIMessageChunk, HumanMessage, SystemMessage, ToolMessage, type UsageMetadata } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { z } from 'zod';
import { startTestServer, type TestServer } from '../helpers/app.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let s: TestServer;
let requests: Array<{ url: string; body: Json }> = [];
before(async () => {
  s = await startTestServer();
});
after(() => s.close());
beforeEach(() => {
  requests = [];
});

const recordingFetch: typeof fetch = async (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  requests.push({ url, body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined });
  return fetch(input, init);
};

function chat(extra: { persona?: string } = {}) {
  return new ChatOpenAI({
    model: 'mavera-1',
    apiKey: s.testKey,
    maxRetries: 0,
    configuration: { baseURL: s.baseURL, fetch: recordingFetch },
    ...(extra.persona ? { modelKwargs: { persona_id: extra.persona } } : {}),
  });
}

const getWeather = tool(async ({ city }: { city: string }) => JSON.stringify({ forecast: `sunny with code MARMALADE-42 in ${city}` }), {
  name: 'get_weather',
  description: 'Get the current weather for a city',
  schema: z.object({ city: z.string().describe('City name') }),
});

describe('langchain: ChatOpenAI (default Chat Completions mode)', () => {
  it('stop sequences (as ReAct-style agents use them) end the answer, invoke and stream', async () => {
    const question = [new HumanMessage('Describe your ideal weekend in detail.')];
    const full = (await chat().invoke(question)).text;
    const word = full.split(/\s+/).filter((w) => w.length >= 4)[3]!;
    const expected = full.slice(0, full.indexOf(word));
    assert.ok(expected.length > 0 && expected.length < full.length);
    requests = [];
    const cut = await chat().invoke(question, { stop: [word] });
    assert.deepEqual(requests[0]!.body.stop, [word], 'LangChain sends the stop sequences');
    assert.equal(cut.text, expected);
    assert.equal(cut.response_metadata.finish_reason, 'stop');
    let streamed = '';
    for await (const chunk of await chat().stream(question, { stop: [word] })) streamed += chunk.text;
    assert.equal(streamed, expected);
  });

  it('invoke, with persona_id via modelKwargs', async () => {
    const msg = await chat({ persona: 'gen-z-digital-native' }).invoke([new SystemMessage('Be candid.'), new HumanMessage('Would you pay for a meal-kit subscription?')]);
    assert.equal(requests.length, 1);
    assert.match(requests[0]!.url, /\/v1\/chat\/completions$/, 'the Chat Completions endpoint is used');
    assert.equal(requests[0]!.body.persona_id, 'gen-z-digital-native');
    assert.ok(msg.text.length > 0);
    assert.match(msg.id ?? '', /^chatcmpl_/);
    assert.equal(msg.response_metadata.finish_reason, 'stop');
    const usage = msg.usage_metadata as UsageMetadata | undefined;
    assert.ok(usage && usage.input_tokens > 0 && usage.output_tokens > 0);
    assert.equal(usage.total_tokens, usage.input_tokens + usage.output_tokens);
  });

  it('stream: chunks concatenate to the invoke answer, with usage', async () => {
    const model = chat();
    let acc: AIMessageChunk | undefined;
    let n = 0;
    for await (const chunk of await model.stream('Describe your ideal weekend.')) {
      n++;
      acc = acc ? acc.concat(chunk) : chunk;
    }
    assert.ok(acc && n > 2);
    assert.equal(requests[0]!.body.stream, true);
    assert.match(requests[0]!.url, /\/v1\/chat\/completions$/);
    const usage = acc.usage_metadata as UsageMetadata | undefined;
    assert.ok(usage && usage.input_tokens > 0 && usage.output_tokens > 0, 'streamed usage (stream_options.include_usage) arrives');
    const invoked = await chat().invoke('Describe your ideal weekend.');
    assert.equal(acc.text, invoked.text, 'deterministic sandbox: same text both ways');
  });

  it('bindTools with tool_choice "any" → tool_calls, then a ToolMessage round trip', async () => {
    const question = new HumanMessage('Tell me about Paris in spring.');
    const msg = await chat().bindTools([getWeather], { tool_choice: 'any' }).invoke([question]);
    assert.equal(requests[0]!.body.tool_choice, 'required');
    assert.equal(msg.tool_calls?.length, 1);
    const call = msg.tool_calls![0]!;
    assert.equal(call.name, 'get_weather');
    assert.equal(typeof call.args.city, 'string');
    const result = await getWeather.invoke(call);
    assert.ok(result instanceof ToolMessage);
    const answer = await chat().bindTools([getWeather]).invoke([question, msg, result]);
    assert.equal(answer.tool_calls?.length ?? 0, 0);
    assert.match(answer.text, /MARMALADE-42/);
    const sent = requests[1]!.body.messages as Json[];
    assert.ok(sent.some((m) => m.role === 'tool' && m.tool_call_id === call.id));
  });

  it('bindTools while streaming: tool call chunks assemble', async () => {
    let acc: AIMessageChunk | undefined;
    for await (const chunk of await chat().bindTools([getWeather], { tool_choice: 'get_weather' }).stream('Tell me about Lisbon.')) acc = acc ? acc.concat(chunk) : chunk;
    assert.ok(acc);
    assert.equal(acc.tool_calls?.length, 1);
    assert.equal(acc.tool_calls![0]!.name, 'get_weather');
    assert.equal(typeof acc.tool_calls![0]!.args.city, 'string');
  });

  it('withStructuredOutput (json_schema response_format)', async () => {
    const schema = z.object({ verdict: z.enum(['buy', 'skip']), reason: z.string() });
    const out = await chat().withStructuredOutput(schema, { method: 'jsonSchema' }).invoke('Would you buy a smart water bottle?');
    assert.equal(requests[0]!.body.response_format.type, 'json_schema');
    assert.deepEqual(schema.parse(out), out);
  });
});
