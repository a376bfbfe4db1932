/**
 * Client conformance: the official `openai` SDK (v7 and v6, side by side)
 * against a real listening Cohort server. Every call goes through the SDK's
 * own request building, SSE parsing, stream accumulation, pagination and
 * error mapping — what a user's code would actually hit.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import OpenAI7, {
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  UnprocessableEntityError,
  APIError,
} from 'openai';
import OpenAI6 from 'openai6';
import * as OpenAI6Errors from 'openai6';
import { zodResponsesFunction as zodResponsesFunction7, zodTextFormat as zodTextFormat7 } from 'openai/helpers/zod';
import { zodResponsesFunction as zodResponsesFunction6, zodTextFormat as zodTextFormat6 } from 'openai6/helpers/zod';
import type { ResponseCreateParamsNonStreaming, ResponseInputItem, ResponseFunctionToolCall } from 'openai/resources/responses/responses';
import { z } from 'zod';
import { createOpenAIChatProvider } from '../../src/providers/openai/chat/index.js';
import { startTestServer, type TestServer } from '../helpers/app.js';
import { buildStreamFrames, startMockChatUpstream, type MockChatUpstream } from '../helpers/mock-chat-upstream.js';

const MODEL = 'mavera-1';
const PERSONA = 'gen-z-digital-native';

/** Words of the persona's profile, one of which a persona-voiced answer must use. */
function personaTerms(id: string): string[] {
  const file = path.join(import.meta.dirname, '../../personas', `${id}.json`);
  const p = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    profile: { psychographics: { values: string[] }; pains: string[]; objections: string[]; communication: { phrases: string[] } };
  };
  return [...p.profile.psychographics.values, ...p.profile.pains, ...p.profile.objections, ...p.profile.communication.phrases].map((t) =>
    t.toLowerCase().replace(/[.?!]+$/, ''),
  );
}

const weatherTool = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Get the current weather for a city',
  parameters: {
    type: 'object',
    properties: { city: { type: 'string', description: 'City name' }, unit: { type: 'string', enum: ['c', 'f'] } },
    required: ['city', 'unit'],
    additionalProperties: false,
  },
  strict: true,
};

/** A tool output with a marker that the follow-up answer must quote. */
const TOOL_OUTPUT = JSON.stringify({ forecast: 'sunny with code MARMALADE-42' });

/** Sends fields the SDK's types do not know (persona_id) or a deliberately invalid body. */
function raw(body: Record<string, unknown>): ResponseCreateParamsNonStreaming {
  return body as unknown as ResponseCreateParamsNonStreaming;
}

async function rejects<T extends Error>(p: Promise<unknown>, cls: new (...args: never[]) => T): Promise<T> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof cls, `expected ${cls.name}, got ${(err as Error)?.constructor?.name}: ${String(err)}`);
    return err;
  }
  assert.fail(`expected ${cls.name} to be thrown`);
}

let s: TestServer;
let liveServer: TestServer;
let upstream: MockChatUpstream;

before(async () => {
  s = await startTestServer();
  // A second server whose live keys go to a mock upstream that never answers:
  // background responses on it stay in flight until cancelled.
  upstream = await startMockChatUpstream({ fallback: { type: 'hang' } });
  liveServer = await startTestServer({ live: createOpenAIChatProvider({ baseURL: upstream.url, model: 'x' }) });
});

after(async () => {
  await s.close();
  await liveServer.close();
  await upstream.close();
});

// v6 is typed as v7 here: the suite exercises the v6 runtime through the same code.
const clients = [
  ['v7', OpenAI7, zodTextFormat7, zodResponsesFunction7, { BadRequestError, AuthenticationError, NotFoundError, UnprocessableEntityError, InternalServerError, APIError }],
  [
    'v6',
    OpenAI6 as unknown as typeof OpenAI7,
    zodTextFormat6 as unknown as typeof zodTextFormat7,
    zodResponsesFunction6 as unknown as typeof zodResponsesFunction7,
    OpenAI6Errors as unknown as {
      BadRequestError: typeof BadRequestError;
      AuthenticationError: typeof AuthenticationError;
      NotFoundError: typeof NotFoundError;
      UnprocessableEntityError: typeof UnprocessableEntityError;
      InternalServerError: typeof InternalServerError;
      APIError: typeof APIError;
    },
  ],
] as const;

for (const [label, OpenAI, zodTextFormat, zodResponsesFunction, E] of clients) {
  describe(`openai ${label}`, () => {
    const client = () => new OpenAI({ baseURL: s.baseURL, apiKey: s.testKey, maxRetries: 0 });

    it('responses.create: plain', async () => {
      const r = await client().responses.create({ model: MODEL, input: 'What do you think about electric cars?' });
      assert.equal(r.object, 'response');
      assert.match(r.id, /^resp_/);
      assert.equal(r.status, 'completed');
      assert.equal(r.model, MODEL);
      assert.ok(r.output_text.length > 0);
      const msg = r.output[0];
      assert.equal(msg?.type, 'message');
      assert.equal(msg.type === 'message' && msg.content[0]?.type === 'output_text' ? msg.content[0].text : undefined, r.output_text);
      assert.ok(r.usage && r.usage.input_tokens > 0 && r.usage.output_tokens > 0);
      assert.equal(r.usage.total_tokens, r.usage.input_tokens + r.usage.output_tokens);
      assert.ok((r as { _request_id?: string | null })._request_id, 'x-request-id surfaces as _request_id');
    });

    it('responses.create: persona_id as an extra body field', async () => {
      const input = 'Would you pay for a meal-kit subscription?';
      const r = await client().responses.create(raw({ model: MODEL, input, persona_id: PERSONA }));
      assert.equal((r as unknown as { persona_id?: string }).persona_id, PERSONA, 'the SDK sent persona_id and the server echoed it');
      const text = r.output_text.toLowerCase();
      const terms = personaTerms(PERSONA);
      assert.ok(
        terms.some((t) => text.includes(t)),
        `answer speaks with the persona's profile: ${r.output_text}`,
      );
      const neutral = await client().responses.create({ model: MODEL, input });
      assert.notEqual(neutral.output_text, r.output_text, 'the persona changes the answer');
    });

    it('responses.stream(): deltas and finalResponse()', async () => {
      const stream = client().responses.stream(raw({ model: MODEL, input: 'Describe your ideal weekend.', persona_id: PERSONA }) as never);
      const deltas: string[] = [];
      stream.on('response.output_text.delta', (e) => deltas.push(e.delta));
      const final = await stream.finalResponse();
      assert.ok(deltas.length > 1, 'several deltas');
      assert.equal(final.status, 'completed');
      assert.equal(final.output_text, deltas.join(''));
      assert.ok(final.usage && final.usage.output_tokens > 0);
      // The same request, not streamed, gives the same text (deterministic sandbox).
      const same = await client().responses.create(raw({ model: MODEL, input: 'Describe your ideal weekend.', persona_id: PERSONA }));
      assert.equal(same.output_text, final.output_text);
    });

    it('responses.create({stream:true}): async iteration', async () => {
      const stream = await client().responses.create({ model: MODEL, input: 'What is your favourite snack?', stream: true });
      const types: string[] = [];
      const seqs: number[] = [];
      let text = '';
      let completed: OpenAI7.Responses.Response | undefined;
      for await (const ev of stream) {
        types.push(ev.type);
        seqs.push(ev.sequence_number);
        if (ev.type === 'response.output_text.delta') text += ev.delta;
        if (ev.type === 'response.completed') completed = ev.response;
      }
      assert.equal(types[0], 'response.created');
      assert.equal(types.at(-1), 'response.completed');
      assert.deepEqual(
        seqs,
        seqs.map((_, i) => i),
      );
      assert.ok(completed);
      assert.equal(completed.status, 'completed');
      const msg = completed.output[0];
      assert.ok(msg?.type === 'message' && msg.content[0]?.type === 'output_text');
      assert.equal(msg.content[0].text, text);
      assert.ok(completed.usage && completed.usage.output_tokens > 0);
    });

    it('responses.stream(): a function call passes the SDK stream checks', async () => {
      const stream = client().responses.stream({ model: MODEL, input: 'What is the weather in Paris?', tools: [weatherTool], tool_choice: 'required' });
      let argsDelta = '';
      let argsDone: string | undefined;
      stream.on('response.function_call_arguments.delta', (e) => (argsDelta += e.delta));
      stream.on('response.function_call_arguments.done', (e) => (argsDone = e.arguments));
      const final = await stream.finalResponse();
      const call = final.output[0];
      assert.ok(call?.type === 'function_call');
      assert.equal(call.name, 'get_weather');
      assert.equal(call.status, 'completed');
      assert.equal(argsDone, call.arguments);
      assert.equal(argsDelta, call.arguments, 'arguments start empty and accumulate to the final JSON');
      assert.equal(typeof (JSON.parse(call.arguments) as { city: unknown }).city, 'string');
    });

    it('responses.stream(): json_schema text is valid JSON (the SDK parses it)', async () => {
      const schema = {
        type: 'object',
        properties: { verdict: { type: 'string', enum: ['buy', 'skip'] }, score: { type: 'integer', minimum: 1, maximum: 10 } },
        required: ['verdict', 'score'],
        additionalProperties: false,
      };
      const stream = client().responses.stream({
        model: MODEL,
        input: 'Would you buy a smart water bottle?',
        text: { format: { type: 'json_schema', name: 'verdict', schema, strict: true } },
      });
      const final = await stream.finalResponse();
      const out = JSON.parse(final.output_text) as { verdict: string; score: number };
      assert.ok(out.verdict === 'buy' || out.verdict === 'skip');
      assert.ok(Number.isInteger(out.score) && out.score >= 1 && out.score <= 10);
      assert.deepEqual(Object.keys(out).sort(), ['score', 'verdict']);
    });

    it('responses.stream({response_id}): replays a stored response', async () => {
      const c = client();
      const created = await c.responses.create({ model: MODEL, input: 'Hello there, how are you?' });
      const replay = c.responses.stream({ response_id: created.id });
      const deltas: string[] = [];
      replay.on('response.output_text.delta', (e) => deltas.push(e.delta));
      const final = await replay.finalResponse();
      assert.equal(final.id, created.id);
      assert.equal(final.output_text, created.output_text);
      assert.equal(deltas.join(''), created.output_text);
    });

    it('background + stream: events arrive live and the response is retrievable', async () => {
      const c = client();
      const stream = await c.responses.create({ model: MODEL, input: 'Summarize your week.', background: true, stream: true });
      let id: string | undefined;
      let last: string | undefined;
      let text = '';
      for await (const ev of stream) {
        if (ev.type === 'response.created') {
          id = ev.response.id;
          assert.equal(ev.response.background, true);
        }
        if (ev.type === 'response.output_text.delta') text += ev.delta;
        last = ev.type;
      }
      assert.ok(id);
      assert.equal(last, 'response.completed');
      let got = await c.responses.retrieve(id);
      for (let i = 0; i < 100 && got.status !== 'completed'; i++) {
        await new Promise((res) => setTimeout(res, 10));
        got = await c.responses.retrieve(id);
      }
      assert.equal(got.status, 'completed');
      assert.equal(got.output_text, text);
    });

    it('responses.parse with zodTextFormat', async () => {
      const Profile = z.object({
        name: z.string(),
        age: z.number().int(),
        hobbies: z.array(z.string()),
        mood: z.enum(['happy', 'sad', 'neutral']),
      });
      const r = await client().responses.parse({
        model: MODEL,
        input: 'Introduce yourself.',
        text: { format: zodTextFormat(Profile, 'profile') },
      });
      assert.equal(r.status, 'completed');
      assert.ok(r.output_parsed, 'output_parsed is set');
      assert.deepEqual(Profile.parse(r.output_parsed), r.output_parsed);
      assert.deepEqual(JSON.parse(r.output_text), r.output_parsed);
    });

    it('responses.parse with a zodResponsesFunction tool: parsed_arguments', async () => {
      const Args = z.object({ city: z.string(), days: z.number().int(), unit: z.enum(['c', 'f']) });
      const r = await client().responses.parse({
        model: MODEL,
        input: 'Give me the forecast for Oslo.',
        tools: [zodResponsesFunction({ name: 'get_forecast', description: 'Forecast for a city', parameters: Args })],
        tool_choice: { type: 'function', name: 'get_forecast' },
      });
      const call = r.output[0];
      assert.ok(call?.type === 'function_call', `a function call, got ${call?.type}`);
      assert.equal(call.name, 'get_forecast');
      const args = Args.parse(JSON.parse(call.arguments));
      // openai@6.30 nests the whole item inside parsed_arguments (a client bug
      // fixed in v7); only v7's parsed value is checked.
      if (label === 'v7') assert.deepEqual(call.parsed_arguments, args);
    });

    describe('function tool round trip', () => {
      async function firstTurn() {
        const r = await client().responses.create({
          model: MODEL,
          input: 'What is the weather in Paris?',
          tools: [weatherTool],
          tool_choice: 'required',
        });
        assert.equal(r.status, 'completed');
        const call = r.output.find((o): o is ResponseFunctionToolCall => o.type === 'function_call');
        assert.ok(call, 'a function_call item');
        assert.equal(call.name, 'get_weather');
        assert.ok(call.call_id);
        const args = JSON.parse(call.arguments) as { city: unknown; unit: unknown };
        assert.equal(typeof args.city, 'string');
        assert.ok(args.unit === 'c' || args.unit === 'f', 'arguments validate against the schema');
        assert.equal(r.output_text, '', 'no text alongside a required call');
        return { r, call };
      }

      it('with previous_response_id', async () => {
        const { r, call } = await firstTurn();
        const r2 = await client().responses.create({
          model: MODEL,
          previous_response_id: r.id,
          input: [{ type: 'function_call_output', call_id: call.call_id, output: TOOL_OUTPUT }],
          tools: [weatherTool],
        });
        assert.equal(r2.status, 'completed');
        assert.equal(r2.previous_response_id, r.id);
        assert.equal(r2.output[0]?.type, 'message', 'answers instead of calling again');
        assert.match(r2.output_text, /MARMALADE-42/, 'the answer uses the tool output');
      });

      it('with full history (function_call item echoed back)', async () => {
        const { call } = await firstTurn();
        const input: ResponseInputItem[] = [
          { role: 'user', content: 'What is the weather in Paris?' },
          call, // exactly as the SDK returned it (id, status, …)
          { type: 'function_call_output', call_id: call.call_id, output: TOOL_OUTPUT },
        ];
        const r2 = await client().responses.create({ model: MODEL, input, tools: [weatherTool], store: false });
        assert.equal(r2.status, 'completed');
        assert.equal(r2.output[0]?.type, 'message');
        assert.match(r2.output_text, /MARMALADE-42/);
      });
    });

    it('retrieve, inputItems.list auto-paging, delete', async () => {
      const c = client();
      const input = Array.from({ length: 5 }, (_, i) => ({ role: i % 2 ? ('assistant' as const) : ('user' as const), content: `message ${i}` }));
      const created = await c.responses.create({ model: MODEL, input });
      const got = await c.responses.retrieve(created.id);
      assert.equal(got.id, created.id);
      assert.equal(got.status, 'completed');
      assert.equal(got.output_text, created.output_text);

      const texts: string[] = [];
      const ids: string[] = [];
      for await (const item of c.responses.inputItems.list(created.id, { limit: 2 })) {
        assert.ok(item.type === 'message');
        ids.push(item.id);
        const part = item.content[0];
        texts.push(part && 'text' in part ? part.text : '');
      }
      assert.equal(ids.length, 5, 'auto-paging walks all pages');
      assert.equal(new Set(ids).size, 5);
      assert.deepEqual(texts, ['message 4', 'message 3', 'message 2', 'message 1', 'message 0'], 'default order is desc');

      const asc: string[] = [];
      for await (const item of c.responses.inputItems.list(created.id, { limit: 2, order: 'asc' })) asc.push(item.id);
      assert.deepEqual(asc, [...ids].reverse());

      await c.responses.delete(created.id);
      const err = await rejects(c.responses.retrieve(created.id), E.NotFoundError);
      assert.equal(err.status, 404);
    });

    it('background: queued, then polled to completed', async () => {
      const c = client();
      const r = await c.responses.create({ model: MODEL, input: 'Summarize your values.', background: true });
      assert.equal(r.background, true);
      assert.ok(r.status === 'queued' || r.status === 'in_progress', `status ${r.status}`);
      let polled = r;
      for (let i = 0; i < 200 && polled.status !== 'completed'; i++) {
        await new Promise((res) => setTimeout(res, 10));
        polled = await c.responses.retrieve(r.id);
      }
      assert.equal(polled.status, 'completed');
      assert.ok(polled.output_text.length > 0);
      assert.ok(polled.usage && polled.usage.output_tokens > 0);
    });

    it('cancel a background response (idempotent)', async () => {
      const c = new OpenAI({ baseURL: liveServer.baseURL, apiKey: liveServer.liveKey, maxRetries: 0 });
      const n = upstream.requests.length;
      const r = await c.responses.create({ model: MODEL, input: 'Write a long essay.', background: true });
      assert.ok(r.status === 'queued' || r.status === 'in_progress', `status ${r.status}`);
      const upstreamReq = await upstream.waitForRequest(n); // the run is in flight (upstream never answers)
      const cancelled = await c.responses.cancel(r.id);
      assert.equal(cancelled.id, r.id);
      assert.equal(cancelled.status, 'cancelled');
      const again = await c.responses.cancel(r.id);
      assert.equal(again.status, 'cancelled');
      const got = await c.responses.retrieve(r.id);
      assert.equal(got.status, 'cancelled');
      await upstreamReq.closed;
      assert.equal(upstreamReq.aborted, true, 'cancelling aborts the upstream request');
    });

    it('mid-stream failure: partial deltas, then an APIError carrying the server code', async () => {
      const c = new OpenAI({ baseURL: liveServer.baseURL, apiKey: liveServer.liveKey, maxRetries: 0 });
      const frames = buildStreamFrames({ content: ['Hello ', 'wor'], hang: true }, { stream_options: { include_usage: true } });
      upstream.enqueue({ type: 'sse', frames: [...frames, 'data: {broken json\n\n'] });
      const stream = c.responses.stream({ model: MODEL, input: 'hi' });
      const deltas: string[] = [];
      stream.on('response.output_text.delta', (e) => deltas.push(e.delta));
      const err = await rejects(stream.finalResponse(), E.APIError);
      assert.deepEqual(deltas, ['Hello ', 'wor']);
      assert.equal(err.code, 'service_unavailable');
      assert.equal(err.type, 'server_error');
      assert.ok(err.requestID);
    });

    describe('errors map to the SDK classes', () => {
      it('400 BadRequestError: missing input', async () => {
        const err = await rejects(client().responses.create(raw({ model: MODEL })), E.BadRequestError);
        assert.equal(err.status, 400);
        assert.equal(err.code, 'invalid_request');
        assert.equal(err.param, 'input');
        assert.equal(err.type, 'invalid_request_error');
        assert.ok(err.requestID, 'x-request-id as requestID');
      });

      it('400 BadRequestError: unknown previous_response_id', async () => {
        const err = await rejects(
          client().responses.create({ model: MODEL, input: 'hi', previous_response_id: 'resp_doesnotexist' }),
          E.BadRequestError,
        );
        assert.equal(err.status, 400);
        assert.equal(err.code, 'previous_response_not_found');
        assert.equal(err.param, 'previous_response_id');
        assert.match(err.message, /resp_doesnotexist/);
        assert.ok(err.requestID);
      });

      it('401 AuthenticationError: bad key', async () => {
        const bad = new OpenAI({ baseURL: s.baseURL, apiKey: 'mvra_test_not_a_real_key', maxRetries: 0 });
        const err = await rejects(bad.responses.create({ model: MODEL, input: 'hi' }), E.AuthenticationError);
        assert.equal(err.status, 401);
        assert.equal(err.code, 'unauthorized');
        assert.ok(err.requestID);
      });

      it('404 NotFoundError: unknown persona', async () => {
        const err = await rejects(client().responses.create(raw({ model: MODEL, input: 'hi', persona_id: 'no-such-persona' })), E.NotFoundError);
        assert.equal(err.status, 404);
        assert.equal(err.code, 'persona_not_found');
        assert.equal(err.param, 'persona_id');
        assert.ok(err.requestID);
      });

      it('404 NotFoundError: unknown response id', async () => {
        const c = client();
        for (const call of [() => c.responses.retrieve('resp_nope'), () => c.responses.delete('resp_nope'), () => c.responses.cancel('resp_nope')]) {
          const err = await rejects(call(), E.NotFoundError);
          assert.equal(err.status, 404);
          assert.equal(err.code, 'not_found');
          assert.ok(err.requestID);
        }
      });

      it('422 UnprocessableEntityError: temperature 3', async () => {
        const err = await rejects(client().responses.create({ model: MODEL, input: 'hi', temperature: 3 }), E.UnprocessableEntityError);
        assert.equal(err.status, 422);
        assert.equal(err.code, 'validation_error');
        assert.equal(err.param, 'temperature');
        assert.ok(err.requestID);
      });

      it('503 InternalServerError: live key without a live backend', async () => {
        const live = new OpenAI({ baseURL: s.baseURL, apiKey: s.liveKey, maxRetries: 0 });
        const err = await rejects(live.responses.create({ model: MODEL, input: 'hi' }), E.InternalServerError);
        assert.equal(err.status, 503);
        assert.equal(err.code, 'service_unavailable');
        assert.equal(err.type, 'server_error');
        assert.ok(err.requestID);
        // The streaming entry point reports the same error before any event.
        const err2 = await rejects(live.responses.create({ model: MODEL, input: 'hi', stream: true }), E.InternalServerError);
        assert.equal(err2.status, 503);
      });

      it('every error is an APIError of this SDK', async () => {
        const err = await rejects(client().responses.create(raw({ model: 'gpt-4o', input: 'hi' })), E.APIError);
        assert.ok(err.status === 400 || err.status === 422, `status ${err.status}`);
        assert.equal(err.param, 'model');
      });
    });
  });
}

// Focused reproduction of the bug behind the zod-helper failures above: every
// zod-based client helper (openai zodTextFormat / zodResponsesFunction, the AI
// SDK, @openai/agents) emits `"$schema": "http://json-schema.org/draft-07/schema#"`.
describe('JSON Schemas that declare a $schema', () => {
  const post = (body: unknown) =>
    fetch(`${s.baseURL}/responses`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${s.testKey}` },
      body: JSON.stringify(body),
    });
  const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };

  for (const $schema of ['http://json-schema.org/draft-07/schema#', 'https://json-schema.org/draft/2020-12/schema']) {
    it(`accepts ${$schema} in text.format.schema and tools[].parameters`, async () => {
      const fmt = await post({ model: MODEL, input: 'hi', text: { format: { type: 'json_schema', name: 'out', schema: { $schema, ...schema }, strict: true } } });
      assert.equal(fmt.status, 200, JSON.stringify(await fmt.clone().json()));
      assert.equal(typeof (JSON.parse(((await fmt.json()) as { output_text: string }).output_text) as { city: unknown }).city, 'string');
      const tools = await post({
        model: MODEL,
        input: 'hi',
        tools: [{ type: 'function', name: 'get_weather', parameters: { $schema, ...schema }, strict: true }],
        tool_choice: 'required',
      });
      assert.equal(tools.status, 200, JSON.stringify(await tools.clone().json()));
    });
  }
});
