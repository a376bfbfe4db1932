/**
 * Client conformance: LangChain's ChatOpenAI on the Responses API
 * (`useResponsesApi: true`) against a real listening Cohort server.
 * A recording fetch (passed to the underlying openai client) checks what
 * LangChain actually sent.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ChatOpenAI } from '@langchain/openai';
import { type AIMessageChunk, HumanMessage, ToolMessage, type UsageMetadata } from '@langchain/core/messages';
import { tool } from '@langchain/core/tools';
import { z } from 'zod';
import { startTestServer, type TestServer } from '../helpers/app.js';

const MODEL = 'mavera-1';
const PERSONA = 'gen-z-digital-native';

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
    model: MODEL,
    apiKey: s.testKey,
    useResponsesApi: true,
    maxRetries: 0,
    configuration: { baseURL: s.baseURL, fetch: recordingFetch },
    ...(extra.persona ? { modelKwargs: { persona_id: extra.persona } } : {}),
  });
}

function personaTerms(id: string): string[] {
  const file = path.join(import.meta.dirname, '../../personas', `${id}.json`);
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    profile: { psychographics: { values: string[] }; pains: string[]; objections: string[]; communication: { phrases: string[] } };
  };
  return [...p.profile.psychographics.values, ...p.profile.pains, ...p.profile.objections, ...p.profile.communication.phrases].map((t) =>
    t.toLowerCase().replace(/[.?!]+$/, ''),
  );
}

const getWeather = tool(async ({ city }: { city: string }) => JSON.stringify({ forecast: `sunny with code MARMALADE-42 in ${city}` }), {
  name: 'get_weather',
  description: 'Get the current weather for a city',
  schema: z.object({ city: z.string().describe('City name') }),
});

describe('langchain: ChatOpenAI with useResponsesApi', () => {
  it('invoke with persona_id via modelKwargs', async () => {
    const msg = await chat({ persona: PERSONA }).invoke('Would you pay for a meal-kit subscription?');
    assert.equal(requests.length, 1);
    assert.match(requests[0]!.url, /\/v1\/responses$/, 'the Responses endpoint is used');
    assert.equal(requests[0]!.body.persona_id, PERSONA, 'modelKwargs reach the body');
    assert.ok(msg.text.length > 0);
    const lower = msg.text.toLowerCase();
    assert.ok(
      personaTerms(PERSONA).some((t) => lower.includes(t)),
      `persona voice: ${msg.text}`,
    );
    assert.match(msg.id ?? '', /^(resp|msg)_/);
    const usage = msg.usage_metadata as UsageMetadata | undefined;
    assert.ok(usage && usage.input_tokens > 0 && usage.output_tokens > 0, 'usage_metadata arrives');
    assert.equal(usage.total_tokens, usage.input_tokens + usage.output_tokens);
  });

  it('stream: chunks concatenate to the invoke answer', async () => {
    const model = chat({ persona: PERSONA });
    const input = 'Describe your ideal weekend.';
    let acc: AIMessageChunk | undefined;
    let n = 0;
    for await (const chunk of await model.stream(input)) {
      n++;
      acc = acc ? acc.concat(chunk) : chunk;
    }
    assert.ok(acc);
    assert.ok(n > 1, 'several chunks');
    assert.equal(requests[0]!.body.stream, true);
    const streamed = acc.text;
    assert.ok(streamed.length > 0);
    const usage = acc.usage_metadata as UsageMetadata | undefined;
    assert.ok(usage && usage.input_tokens > 0 && usage.output_tokens > 0, 'streamed usage_metadata arrives');
    const invoked = await model.invoke(input);
    assert.equal(streamed, invoked.text, 'streaming and invoke agree (deterministic sandbox)');
  });

  // LangChain 1.6 drops a string tool_choice ('required'/'any') on the Responses
  // API (formatToOpenAIToolChoice returns a string, which responses.js discards),
  // so the call is forced with a named function instead.
  it('bindTools with a forced tool_choice → tool_calls, then a ToolMessage round trip', async () => {
    const model = chat().bindTools([getWeather], { tool_choice: 'get_weather' });
    const question = new HumanMessage('Tell me about Paris in spring.');
    const msg = await model.invoke([question]);
    assert.deepEqual(requests[0]!.body.tool_choice, { type: 'function', name: 'get_weather' });
    assert.equal(msg.tool_calls?.length, 1);
    const call = msg.tool_calls![0]!;
    assert.equal(call.name, 'get_weather');
    assert.equal(typeof call.args.city, 'string');
    assert.ok(call.id);

    const result = await getWeather.invoke(call);
    assert.ok(result instanceof ToolMessage);
    const answer = await chat().bindTools([getWeather]).invoke([question, msg, result]);
    assert.equal(answer.tool_calls?.length ?? 0, 0, 'answers instead of calling again');
    assert.match(answer.text, /MARMALADE-42/, 'the answer uses the tool output');
    const sent = requests[1]!.body.input as Json[];
    assert.ok(sent.some((i) => i.type === 'function_call_output' && i.call_id === call.id));
  });

  it('bindTools while streaming: tool call chunks assemble', async () => {
    const model = chat().bindTools([getWeather], { tool_choice: 'get_weather' });
    let acc: AIMessageChunk | undefined;
    for await (const chunk of await model.stream('Tell me about Lisbon.')) acc = acc ? acc.concat(chunk) : chunk;
    assert.ok(acc);
    assert.equal(acc.tool_calls?.length, 1);
    assert.equal(acc.tool_calls![0]!.name, 'get_weather');
    assert.equal(typeof acc.tool_calls![0]!.args.city, 'string');
  });

  it('withStructuredOutput(zod schema), jsonSchema method', async () => {
    const schema = z.object({
      name: z.string(),
      age: z.number().int(),
      hobbies: z.array(z.string()),
      mood: z.enum(['happy', 'sad', 'neutral']),
    });
    const structured = chat().withStructuredOutput(schema, { method: 'jsonSchema' });
    const out = await structured.invoke('Introduce yourself.');
    assert.equal(requests[0]!.body.text.format.type, 'json_schema');
    assert.deepEqual(schema.parse(out), out);
  });

  it('withStructuredOutput(zod schema), default method', async () => {
    const schema = z.object({ verdict: z.enum(['buy', 'skip']), reason: z.string() });
    const out = await chat({ persona: PERSONA }).withStructuredOutput(schema).invoke('Would you buy a smart water bottle?');
    assert.deepEqual(schema.parse(out), out);
  });
});
