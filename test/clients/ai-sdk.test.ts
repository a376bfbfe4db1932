/**
 * Client conformance: the Vercel AI SDK (`ai` 7 + `@ai-sdk/openai` 4, Responses
 * model, and its Chat Completions model) against a real listening Cohort server. The AI SDK validates every
 * body and stream chunk with zod and silently drops chunks that fail their
 * schema, so these tests assert that text, tool calls, usage and finish
 * reasons really arrive.
 *
 * persona_id is not an AI SDK option: a fetch wrapper injects it into the JSON
 * body (and records every request and response body for the assertions).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { createOpenAI } from '@ai-sdk/openai';
import { APICallError, Output, generateText, stepCountIs, streamText, tool } from 'ai';
import { z } from 'zod';
import { createOpenAIChatProvider } from '../../src/providers/openai/chat/index.js';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { buildStreamFrames, startMockChatUpstream } from '../helpers/mock-chat-upstream.js';

const MODEL = 'mavera-1';
const PERSONA = 'gen-z-digital-native';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = any;

interface Exchange {
  url: string;
  request: Json;
  status: number;
  /** Parsed JSON for JSON replies; the raw SSE text for streams. */
  response: Json;
}

let s: TestServer;
let exchanges: Exchange[] = [];
let injectPersona: string | undefined;

before(async () => {
  s = await startTestServer();
});
after(() => s.close());
beforeEach(() => {
  exchanges = [];
  injectPersona = undefined;
});

const recordingFetch: typeof fetch = async (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  let request: Json;
  let body = init?.body;
  if (typeof body === 'string') {
    request = JSON.parse(body);
    if (injectPersona !== undefined) request.persona_id = injectPersona;
    body = JSON.stringify(request);
  }
  const res = await fetch(input, { ...init, body: body ?? null });
  const ex: Exchange = { url, request, status: res.status, response: undefined };
  exchanges.push(ex);
  const copy = res.clone();
  ex.response = (res.headers.get('content-type') ?? '').includes('json') ? await copy.json() : await copy.text();
  return res;
};

function provider(apiKey = s.testKey) {
  return createOpenAI({ baseURL: s.baseURL, apiKey, fetch: recordingFetch });
}

/** A get_weather tool whose answer carries a code the model's reply must repeat; records each call. */
function weatherTools(calls: Array<{ city: string }>) {
  return {
    get_weather: tool({
      description: 'Get the current weather for a city',
      inputSchema: z.object({ city: z.string() }),
      execute: async ({ city }) => {
        calls.push({ city });
        return { forecast: `sunny with code MARMALADE-42 in ${city}` };
      },
    }),
  };
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

describe('ai-sdk: @ai-sdk/openai responses model', () => {
  it('generateText with persona_id injected by fetch', async () => {
    injectPersona = PERSONA;
    const result = await generateText({ model: provider().responses(MODEL), prompt: 'Would you pay for a meal-kit subscription?', maxRetries: 0 });
    assert.equal(exchanges.length, 1);
    const ex = exchanges[0]!;
    assert.match(ex.url, /\/v1\/responses$/);
    assert.equal(ex.request.model, MODEL);
    assert.equal(ex.request.persona_id, PERSONA);
    assert.equal(ex.status, 200);
    assert.equal(ex.response.persona_id, PERSONA);
    assert.equal(result.text, ex.response.output_text, 'the SDK read the output_text part');
    assert.ok(result.text.length > 0);
    const lower = result.text.toLowerCase();
    assert.ok(
      personaTerms(PERSONA).some((t) => lower.includes(t)),
      `persona voice: ${result.text}`,
    );
    assert.equal(result.finishReason, 'stop');
    assert.equal(result.usage.inputTokens, ex.response.usage.input_tokens);
    assert.equal(result.usage.outputTokens, ex.response.usage.output_tokens);
    assert.ok((result.usage.inputTokens ?? 0) > 0 && (result.usage.outputTokens ?? 0) > 0);
    assert.equal(result.response.id, ex.response.id);
    assert.equal(result.response.modelId, MODEL);
  });

  it('generateText hitting maxOutputTokens finishes with length', async () => {
    const result = await generateText({
      model: provider().responses(MODEL),
      prompt: 'Tell me everything about your job.',
      maxOutputTokens: 5,
      maxRetries: 0,
    });
    assert.equal(exchanges[0]!.request.max_output_tokens, 5);
    assert.equal(exchanges[0]!.response.status, 'incomplete');
    assert.equal(result.finishReason, 'length');
    assert.ok((result.usage.outputTokens ?? 0) > 0 && (result.usage.outputTokens ?? 0) <= 5);
    assert.ok(result.text.length > 0);
  });

  it('streamText with a tool: calls it, then answers with its result', async () => {
    const calls: Array<{ city: string }> = [];
    const result = streamText({
      model: provider().responses(MODEL),
      prompt: 'Use the get_weather tool to check the weather in Paris.',
      tools: weatherTools(calls),
      stopWhen: stepCountIs(3),
      maxRetries: 0,
      onError: () => {}, // errors are asserted from the error parts below
    });
    const partTypes: string[] = [];
    let streamed = '';
    for await (const part of result.fullStream) {
      partTypes.push(part.type);
      if (part.type === 'text-delta') streamed += part.text;
      if (part.type === 'error') assert.fail(`stream error: ${String(part.error)}`);
    }
    const steps = await result.steps;
    assert.equal(calls.length, 1, 'the tool executed once');
    assert.equal(typeof calls[0]!.city, 'string');
    assert.equal(steps.length, 2);
    assert.equal(steps[0]!.finishReason, 'tool-calls');
    assert.equal(steps[0]!.toolCalls.length, 1);
    assert.equal(steps[0]!.toolCalls[0]!.toolName, 'get_weather');
    assert.equal(steps[1]!.finishReason, 'stop');
    assert.equal(await result.finishReason, 'stop');
    const text = await result.text;
    assert.equal(streamed, text);
    assert.match(text, /MARMALADE-42/, 'the answer uses the tool result');
    assert.ok(partTypes.includes('tool-call') && partTypes.includes('tool-result'));

    // Both requests were streams; the second one sent the call and its output back.
    assert.equal(exchanges.length, 2);
    assert.equal(exchanges[0]!.request.stream, true);
    const second = exchanges[1]!.request.input as Json[];
    const fc = second.find((i) => i.type === 'function_call' || i.type === 'item_reference');
    assert.ok(fc, 'the function call is sent back');
    const out = second.find((i) => i.type === 'function_call_output');
    assert.ok(out, 'the function call output is sent');
    assert.equal(out.call_id, steps[0]!.toolCalls[0]!.toolCallId);

    for (const step of steps) {
      assert.ok((step.usage.inputTokens ?? 0) > 0, 'input tokens per step');
      assert.ok((step.usage.outputTokens ?? 0) > 0, 'output tokens per step');
    }
    const total = await result.totalUsage;
    assert.equal(total.outputTokens, (steps[0]!.usage.outputTokens ?? 0) + (steps[1]!.usage.outputTokens ?? 0));
  });

  it('streamText without tools: text, usage and finish reason arrive', async () => {
    const result = streamText({ model: provider().responses(MODEL), prompt: 'Describe your ideal weekend.', maxRetries: 0 });
    let text = '';
    for await (const delta of result.textStream) text += delta;
    assert.ok(text.length > 0);
    assert.equal(await result.finishReason, 'stop');
    const usage = await result.usage;
    assert.ok((usage.inputTokens ?? 0) > 0 && (usage.outputTokens ?? 0) > 0);
    // Same text as the non-streamed call with the same prompt (deterministic sandbox).
    const again = await generateText({ model: provider().responses(MODEL), prompt: 'Describe your ideal weekend.', maxRetries: 0 });
    assert.equal(again.text, text);
  });

  it('structured output: generateText with Output.object', async () => {
    const schema = z.object({
      name: z.string(),
      age: z.number().int(),
      tags: z.array(z.string()),
      plan: z.enum(['free', 'pro', 'team']),
    });
    const result = await generateText({
      model: provider().responses(MODEL),
      prompt: 'Describe a typical customer.',
      output: Output.object({ schema }),
      maxRetries: 0,
    });
    const req = exchanges[0]!.request;
    assert.equal(req.text.format.type, 'json_schema');
    assert.deepEqual(schema.parse(result.output), result.output);
    assert.equal(result.finishReason, 'stop');
    assert.ok((result.usage.outputTokens ?? 0) > 0);
  });

  it('multi-turn with the default store sends item_reference and succeeds', async () => {
    const model = provider().responses(MODEL);
    const first = await generateText({ model, prompt: 'My name is Ada. What do you think of cycling to work?', maxRetries: 0 });
    const firstId = exchanges[0]!.response.output[0].id as string;
    assert.match(firstId, /^msg_/);
    const second = await generateText({
      model,
      messages: [
        { role: 'user', content: 'My name is Ada. What do you think of cycling to work?' },
        ...first.responseMessages,
        { role: 'user', content: 'And what about taking the train?' },
      ],
      maxRetries: 0,
    });
    assert.equal(exchanges.length, 2);
    const input = exchanges[1]!.request.input as Json[];
    const ref = input.find((i) => i.type === 'item_reference');
    assert.ok(ref, `an item_reference was sent: ${JSON.stringify(input)}`);
    assert.equal(ref.id, firstId);
    assert.equal(exchanges[1]!.status, 200);
    assert.ok(second.text.length > 0);
    assert.notEqual(second.text, first.text);
    assert.equal(second.finishReason, 'stop');

    // The server resolved the reference into the stored assistant message.
    const items = await fetch(`${s.baseURL}/responses/${exchanges[1]!.response.id}/input_items?order=asc`, {
      headers: { authorization: `Bearer ${s.testKey}` },
    }).then((r) => r.json() as Promise<Json>);
    const assistant = items.data.find((i: Json) => i.role === 'assistant');
    assert.ok(assistant, 'the referenced assistant message is part of the stored input');
    assert.equal(assistant.content[0].text, first.text);
  });

  it('a mid-stream failure reaches the AI SDK as an error part (not silently dropped)', async () => {
    const upstream = await startMockChatUpstream();
    const live = await startTestServer({ live: createOpenAIChatProvider({ baseURL: upstream.url, model: 'x' }) });
    try {
      const frames = buildStreamFrames({ content: ['Hello ', 'wor'], hang: true }, { stream_options: { include_usage: true } });
      upstream.enqueue({ type: 'sse', frames: [...frames, 'data: {broken json\n\n'] });
      const p = createOpenAI({ baseURL: live.baseURL, apiKey: live.liveKey });
      const result = streamText({ model: p.responses(MODEL), prompt: 'hi', maxRetries: 0, onError: () => {} });
      let text = '';
      const errors: unknown[] = [];
      for await (const part of result.fullStream) {
        if (part.type === 'text-delta') text += part.text;
        if (part.type === 'error') errors.push(part.error);
      }
      assert.equal(text, 'Hello wor', 'partial text arrived');
      assert.equal(errors.length, 1, 'one error part');
      assert.match(JSON.stringify(errors[0]) + String((errors[0] as Error)?.message), /malformed|service_unavailable/);
      assert.equal(await result.finishReason, 'error');
    } finally {
      await live.close();
      await upstream.close();
    }
  });

  it('errors surface as APICallError with the server status and body', async () => {
    injectPersona = 'no-such-persona';
    await assert.rejects(
      generateText({ model: provider().responses(MODEL), prompt: 'hi', maxRetries: 0 }),
      (err: unknown) => {
        assert.ok(APICallError.isInstance(err), `APICallError, got ${String(err)}`);
        assert.equal(err.statusCode, 404);
        assert.equal(err.isRetryable, false);
        assert.match(err.responseBody ?? '', /persona_not_found/);
        return true;
      },
    );
  });
});

/**
 * The same SDK's Chat Completions model (`openai.chat(…)`), as used with
 * OpenAI-compatible providers: it speaks /v1/chat/completions, and its zod
 * schemas for chat.completion bodies and chunks drop what does not match.
 */
describe('ai-sdk: @ai-sdk/openai chat model (/v1/chat/completions)', () => {
  it('generateText with persona_id: text, usage, finish reason and id arrive', async () => {
    injectPersona = PERSONA;
    const result = await generateText({ model: provider().chat(MODEL), prompt: 'Would you pay for a meal-kit subscription?', maxRetries: 0 });
    const ex = exchanges[0]!;
    assert.match(ex.url, /\/v1\/chat\/completions$/);
    assert.equal(ex.status, 200);
    assert.equal(result.text, ex.response.choices[0].message.content);
    assert.ok(result.text.length > 0);
    assert.equal(result.finishReason, 'stop');
    assert.equal(result.usage.inputTokens, ex.response.usage.prompt_tokens);
    assert.equal(result.usage.outputTokens, ex.response.usage.completion_tokens);
    assert.match(result.response.id, /^chatcmpl_/);
  });

  it('streamText with a tool: calls it, then answers with its result', async () => {
    const calls: Array<{ city: string }> = [];
    const result = streamText({
      model: provider().chat(MODEL),
      prompt: 'Use the get_weather tool to check the weather in Paris.',
      tools: weatherTools(calls),
      stopWhen: stepCountIs(3),
      maxRetries: 0,
      onError: () => {},
    });
    for await (const part of result.fullStream) if (part.type === 'error') assert.fail(`stream error: ${String(part.error)}`);
    const steps = await result.steps;
    assert.equal(calls.length, 1);
    assert.equal(steps.length, 2);
    assert.equal(steps[0]!.finishReason, 'tool-calls');
    assert.equal(steps[1]!.finishReason, 'stop');
    assert.match(await result.text, /MARMALADE-42/);
    assert.ok((steps[1]!.usage.outputTokens ?? 0) > 0, 'usage arrives in the stream (include_usage)');
    assert.equal(exchanges[0]!.request.stream, true);
    const messages = exchanges[1]!.request.messages as Json[];
    assert.ok(messages.some((m) => m.role === 'tool'), 'the tool result is sent back as a tool message');
  });

  it('structured output with Output.object (response_format json_schema)', async () => {
    const schema = z.object({ name: z.string(), age: z.number().int(), plan: z.enum(['free', 'pro', 'team']) });
    const result = await generateText({ model: provider().chat(MODEL), prompt: 'Describe a typical customer.', output: Output.object({ schema }), maxRetries: 0 });
    assert.equal(exchanges[0]!.request.response_format.type, 'json_schema');
    assert.deepEqual(schema.parse(result.output), result.output);
  });

  it('stopSequences and seed are sent and applied', async () => {
    const prompt = 'Describe your ideal weekend in detail.';
    const seeded = (await generateText({ model: provider().chat(MODEL), prompt, seed: 5, maxRetries: 0 })).text;
    const word = seeded.split(/\s+/).filter((w) => w.length >= 4)[2]!;
    exchanges = [];
    const cut = await generateText({ model: provider().chat(MODEL), prompt, stopSequences: [word], seed: 5, maxRetries: 0 });
    assert.deepEqual(exchanges[0]!.request.stop, [word]);
    assert.equal(exchanges[0]!.request.seed, 5);
    assert.equal(cut.text, seeded.slice(0, seeded.indexOf(word)));
    assert.ok(cut.text.length > 0);
    assert.equal(cut.finishReason, 'stop');
  });
});
