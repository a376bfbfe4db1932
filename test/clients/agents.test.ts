/**
 * Client conformance: the OpenAI Agents SDK (`@openai/agents`) on the Responses
 * API against a real listening Cohort server: a streamed run with a function
 * tool (and the same run on Chat Completions with OpenAIChatCompletionsModel). Agents needs a terminal `response.completed` carrying the full output,
 * throws on failed/incomplete, and echoes full output items back as input.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { Agent, OpenAIChatCompletionsModel, run, setDefaultOpenAIClient, setOpenAIAPI, setTracingDisabled, tool } from '@openai/agents';
import OpenAI from 'openai';
import { z } from 'zod';
import { startTestServer, type TestServer } from '../helpers/app.js';

const MODEL = 'mavera-1';
const PERSONA = 'gen-z-digital-native';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

let s: TestServer;
let requests: Array<{ url: string; body: Json }> = [];

const recordingFetch: typeof fetch = async (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  requests.push({ url, body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined });
  return fetch(input, init);
};

before(async () => {
  s = await startTestServer();
  setDefaultOpenAIClient(new OpenAI({ baseURL: s.baseURL, apiKey: s.testKey, maxRetries: 0, fetch: recordingFetch }));
  setOpenAIAPI('responses');
  setTracingDisabled(true);
});
after(() => s.close());
beforeEach(() => {
  requests = [];
});

function weatherAgent(calls: Array<{ city: string; unit: string }>, providerData?: Record<string, unknown>) {
  const getWeather = tool({
    name: 'get_weather',
    description: 'Get the current weather for a city',
    parameters: z.object({ city: z.string(), unit: z.enum(['c', 'f']) }),
    execute: async ({ city, unit }) => {
      calls.push({ city, unit });
      return JSON.stringify({ forecast: `sunny with code MARMALADE-42 in ${city}` });
    },
  });
  return new Agent({
    name: 'Weather agent',
    instructions: 'You answer questions about the weather. Use the get_weather tool.',
    model: MODEL,
    tools: [getWeather],
    ...(providerData ? { modelSettings: { providerData } } : {}),
  });
}

describe('agents: @openai/agents streamed run with a function tool', () => {
  it('calls the tool, then answers with its result', async () => {
    const calls: Array<{ city: string; unit: string }> = [];
    const result = await run(weatherAgent(calls), 'Use get_weather to tell me the weather in Paris.', { stream: true });
    const eventTypes = new Set<string>();
    let textFromStream = '';
    for await (const ev of result) {
      eventTypes.add(ev.type);
      if (ev.type === 'raw_model_stream_event' && ev.data.type === 'output_text_delta') textFromStream += ev.data.delta;
    }
    await result.completed;
    assert.equal(result.error, null, `run error: ${String(result.error)}`);

    assert.equal(calls.length, 1, 'the tool executed once');
    assert.equal(typeof calls[0]!.city, 'string');
    assert.ok(calls[0]!.unit === 'c' || calls[0]!.unit === 'f');

    const final = result.finalOutput;
    assert.equal(typeof final, 'string');
    assert.ok(final && final.length > 0, 'non-empty final output');
    assert.match(final, /MARMALADE-42/, 'the answer uses the tool output');
    assert.ok(textFromStream.endsWith(final), 'the final answer was streamed as text deltas');
    assert.ok(eventTypes.has('raw_model_stream_event') && eventTypes.has('run_item_stream_event'));

    const kinds = result.newItems.map((i) => i.type);
    assert.deepEqual(kinds, ['tool_call_item', 'tool_call_output_item', 'message_output_item']);

    // Two model calls, both streamed; usage from response.completed is counted.
    assert.equal(requests.length, 2);
    assert.ok(requests.every((r) => /\/v1\/responses$/.test(r.url) && r.body.stream === true));
    assert.equal(result.rawResponses.length, 2);
    for (const r of result.rawResponses) assert.ok(r.usage.inputTokens > 0 && r.usage.outputTokens > 0, 'usage per model call');
    assert.ok(result.state.usage.totalTokens > 0);

    // The second request echoed the function call item and its output back.
    const input = requests[1]!.body.input as Json[];
    const fc = input.find((i) => i.type === 'function_call');
    const out = input.find((i) => i.type === 'function_call_output');
    assert.ok(fc && out, 'full history sent back');
    assert.equal(out.call_id, fc.call_id);
  });

  it('passes persona_id through modelSettings.providerData', async () => {
    const calls: Array<{ city: string; unit: string }> = [];
    const result = await run(weatherAgent(calls, { persona_id: PERSONA }), 'Use get_weather for Berlin, then tell me if you would go for a run.', {
      stream: true,
    });
    for await (const _ of result) {
      // drain
    }
    await result.completed;
    assert.equal(result.error, null);
    assert.equal(calls.length, 1);
    assert.ok(requests.every((r) => r.body.persona_id === PERSONA));
    assert.ok(typeof result.finalOutput === 'string' && result.finalOutput.length > 0);
    const stored = await fetch(`${s.baseURL}/responses/${result.lastResponseId}`, { headers: { authorization: `Bearer ${s.testKey}` } }).then(
      (r) => r.json() as Promise<Json>,
    );
    assert.equal(stored.persona_id, PERSONA);
    assert.equal(stored.output_text, result.finalOutput);
  });

  it('same streamed run with a plain JSON-Schema tool (no $schema key) and previousResponseId chaining', async () => {
    const calls: string[] = [];
    const getWeather = tool({
      name: 'get_weather',
      description: 'Get the current weather for a city',
      parameters: {
        type: 'object',
        properties: { city: { type: 'string' } },
        required: ['city'],
        additionalProperties: false,
      },
      strict: true,
      execute: async (input) => {
        const { city } = input as { city: string };
        calls.push(city);
        return JSON.stringify({ forecast: `sunny with code MARMALADE-42 in ${city}` });
      },
    });
    const agent = new Agent({ name: 'Weather agent', instructions: 'Use the get_weather tool.', model: MODEL, tools: [getWeather] });
    const first = await run(agent, 'Use get_weather to tell me the weather in Madrid.', { stream: true });
    for await (const _ of first) {
      // drain
    }
    await first.completed;
    assert.equal(first.error, null);
    assert.equal(calls.length, 1);
    assert.match(String(first.finalOutput), /MARMALADE-42/);
    assert.ok(first.lastResponseId);

    // A follow-up turn that chains on the server-stored conversation.
    const second = await run(agent, 'Thanks! Would you go for a walk then?', { stream: true, previousResponseId: first.lastResponseId });
    for await (const _ of second) {
      // drain
    }
    await second.completed;
    assert.equal(second.error, null);
    const last = requests.at(-1)!.body;
    assert.equal(last.previous_response_id, first.lastResponseId);
    assert.ok(typeof second.finalOutput === 'string' && second.finalOutput.length > 0);
  });

  it('non-streamed run works too', async () => {
    const calls: Array<{ city: string; unit: string }> = [];
    const result = await run(weatherAgent(calls), 'Use get_weather to tell me the weather in Rome.');
    assert.equal(calls.length, 1);
    assert.match(String(result.finalOutput), /MARMALADE-42/);
  });
});

/** The same SDK on Chat Completions (`OpenAIChatCompletionsModel`), as used with OpenAI-compatible servers. */
describe('agents: OpenAIChatCompletionsModel (/v1/chat/completions)', () => {
  function chatAgent(calls: Array<{ city: string; unit: string }>) {
    const agent = weatherAgent(calls, { persona_id: PERSONA });
    const client = new OpenAI({ baseURL: s.baseURL, apiKey: s.testKey, maxRetries: 0, fetch: recordingFetch });
    return agent.clone({ model: new OpenAIChatCompletionsModel(client, MODEL) });
  }

  for (const stream of [true, false]) {
    it(`${stream ? 'streamed' : 'non-streamed'} run: calls the tool, then answers with its result`, async () => {
      const calls: Array<{ city: string; unit: string }> = [];
      let final: unknown;
      if (stream) {
        const result = await run(chatAgent(calls), 'Use get_weather to tell me the weather in Paris.', { stream: true });
        let streamed = '';
        for await (const ev of result) if (ev.type === 'raw_model_stream_event' && ev.data.type === 'output_text_delta') streamed += ev.data.delta;
        await result.completed;
        assert.equal(result.error, null, `run error: ${String(result.error)}`);
        final = result.finalOutput;
        assert.ok(typeof final === 'string' && streamed.endsWith(final), 'the answer was streamed');
        assert.deepEqual(result.newItems.map((i) => i.type), ['tool_call_item', 'tool_call_output_item', 'message_output_item']);
      } else {
        const result = await run(chatAgent(calls), 'Use get_weather to tell me the weather in Paris.');
        final = result.finalOutput;
      }
      assert.equal(calls.length, 1, 'the tool executed once');
      assert.match(String(final), /MARMALADE-42/, 'the answer uses the tool output');
      assert.equal(requests.length, 2);
      assert.ok(requests.every((r) => /\/v1\/chat\/completions$/.test(r.url) && r.body.persona_id === PERSONA));
      const messages = requests[1]!.body.messages as Json[];
      assert.ok(messages.some((m) => m.role === 'tool'), 'the tool output went back as a tool message');
    });
  }
});
