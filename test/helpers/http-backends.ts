/**
 * The HTTP backends as the contract suite (test/providers/http-backends.contract.test.ts)
 * sees them: one "wire kit" per backend — its real HTTP mock upstream speaking the
 * vendor's wire protocol (mock-*-upstream.ts), how to build the provider, and how that
 * wire serves a neutral answer (text deltas, tool calls, usage, a finish reason, an
 * error). What differs between vendors and is still one behaviour (the env var a 401
 * names, how a recorded stream reads, which finish reasons exist) is data in the kit.
 *
 *   for (const kit of wireKits()) describe(kit.name, () => { before(kit.start); after(kit.close); … });
 */
import { readFileSync } from 'node:fs';
import { createAnthropicProvider } from '../../src/providers/anthropic/index.js';
import type { UpstreamStreaming } from '../../src/providers/http-backend/index.js';
import { createOpenAIChatProvider } from '../../src/providers/openai/chat/index.js';
import { createOpenAIResponsesProvider } from '../../src/providers/openai/responses/index.js';
import type { FinishReason, Provider, ProviderEvent } from '../../src/providers/types.js';
import { type MockAnthropicReply, type MockAnthropicUpstream, type MockAnthropicUsage, startMockAnthropicUpstream } from './mock-anthropic-upstream.js';
import { type MockChatUpstream, type MockReply, type MockUsage, startMockChatUpstream } from './mock-chat-upstream.js';
import { type MockResponsesReply, type MockResponsesUpstream, type MockResponsesUsage, startMockResponsesUpstream } from './mock-responses-upstream.js';
import type { RecordedRequest, SplitSpec } from './scripted-server.js';

export type UsageEvent = Extract<ProviderEvent, { type: 'usage' }>;

/** A tool call as the model makes it: its id, name and the argument fragments it streams. */
export interface NeutralCall {
  id: string;
  name: string;
  args: string[];
}

/** One streamed answer, in no vendor's words. */
export interface NeutralStream {
  /** Text deltas. */
  text?: string[];
  calls?: NeutralCall[];
  /** Token counts the upstream reports; `false`: it reports none (kits with `estimatesMissingUsage`). */
  usage?: { input: number; output: number } | false;
  /** Add what the wire carries that decoders must ignore (Responses' reasoning summaries, Anthropic's thinking blocks; Chat Completions has none). */
  reasoning?: string[];
  split?: SplitSpec;
  delayMs?: number;
  lineEnding?: '\n' | '\r\n';
  /** End with `data: [DONE]` even where the vendor's wire has none (a proxy's habit, which must not hurt). */
  trailingDone?: boolean;
  /** Keep the response open after the deltas (no finish), until the client goes away. */
  hang?: boolean;
}

/** One whole (non-streamed) answer: a JSON body where a stream was asked for, as some proxies send. */
export interface NeutralWhole {
  text?: string;
  calls?: Array<{ id: string; name: string; args: Record<string, unknown> }>;
  usage: { input: number; output: number };
}

export interface NeutralError {
  status: number;
  message?: string;
  retryAfter?: number;
  retryAfterMs?: number;
  /** The request parameter the upstream blames (sent where the wire has a field for it). */
  param?: string;
}

export interface WireKit {
  name: 'openai-chat' | 'openai-responses' | 'anthropic';
  apiKey: string;
  model: string;
  /** The environment variable a rejected key is named by. */
  keyEnvVar: string;
  /** Statuses that mean "the key is wrong". */
  authStatuses: number[];
  /** What a 404 message names besides the model. */
  notFoundNames: RegExp[];
  /** What the message of a 429, and of an error mid-stream, says (where the backend words it itself). */
  rateLimitedMessage?: RegExp;
  midStreamErrorMessage?: RegExp;
  /** The wire has an error `param` the provider passes on. */
  errorParam: boolean;
  /** The wire has a `retry-after-ms` header. */
  retryAfterMs: boolean;
  /** The wire can leave usage out, and the provider then estimates it. */
  estimatesMissingUsage: boolean;
  /** 'before-next': a call ends before the next starts; 'at-finish': all calls end at the finish. */
  callEnds: 'before-next' | 'at-finish';
  /** [vendor reason, what it maps to]. */
  finishReasons: Array<[string | null, FinishReason]>;
  /** The vendor's field the finish reasons come from (for test names). */
  finishField: string;
  /** A recorded stream of this vendor with two tool calls, and what it decodes to. */
  recorded: { text: string; firstText?: string; args: [string, string]; usage: UsageEvent };
  /** Detailed usage on the wire (cached / reasoning tokens) and what it maps to. */
  detailedUsage: { wire: unknown; event: UsageEvent };

  start(): Promise<void>;
  close(): Promise<void>;
  /** The mock's base URL (what `provider()` points at). */
  readonly url: string;
  readonly requests: RecordedRequest[];
  waitForRequest(index?: number): Promise<RecordedRequest>;
  /** The base URL for a server at `origin` (OpenAI's end in /v1, Anthropic's does not). */
  baseURLAt(origin: string): string;
  provider(over?: { baseURL?: string; apiKey?: string; model?: string; streaming?: UpstreamStreaming }): Provider;
  /** The usage event a stream reporting these counts decodes to. */
  usageEvent(input: number, output: number): UsageEvent;

  serve(answer: NeutralStream): void;
  /** A stream ending with the vendor's finish value `raw` (see finishReasons). */
  serveFinish(raw: string | null): void;
  /** The recorded stream (`recorded.text`), cut every 97 bytes. */
  serveRecorded(): void;
  /** Text with `detailedUsage.wire`. */
  serveDetailedUsage(): void;
  serveWhole(answer: NeutralWhole): void;
  serveError(error: NeutralError): void;
  /** Text deltas, then the vendor's in-stream error object. */
  serveErrorMidStream(text: string[]): void;
  /** A stream cut before its finish. */
  serveTruncated(): void;
  /** A stream whose finish came but whose end marker ([DONE], message_stop) did not; undefined when the finish is the end. */
  serveFinishWithoutEnd?(): void;
  /** A frame whose JSON is cut off. */
  serveMalformed(): void;
  /** Answer nothing, not even headers, until the client goes away. */
  serveHang(): void;
}

/** `o` without its undefined properties (the mocks' reply types are exact about optional ones). */
function defined<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

const fixture = (dir: string, name: string): string => readFileSync(new URL(`../providers/__fixtures__/${dir}/${name}`, import.meta.url), 'utf8');

/** Fresh kits (their mocks start in `start()`), one per HTTP backend. */
export function wireKits(): WireKit[] {
  return [openAIChatKit(), openAIResponsesKit(), anthropicKit()];
}

function openAIChatKit(): WireKit {
  let upstream: MockChatUpstream;
  const apiKey = 'sk-test-SECRET-0123456789abcdef';
  const model = 'gpt-4o-mini';
  const enqueue = (reply: MockReply) => upstream.enqueue(reply);
  return {
    name: 'openai-chat',
    apiKey,
    model,
    keyEnvVar: 'COHORT_UPSTREAM_API_KEY',
    authStatuses: [401],
    notFoundNames: [/COHORT_UPSTREAM_MODEL/, /COHORT_UPSTREAM_URL/],
    errorParam: true,
    retryAfterMs: true,
    estimatesMissingUsage: true,
    callEnds: 'at-finish',
    finishField: 'finish_reason',
    finishReasons: [
      ['length', 'length'],
      ['content_filter', 'content_filter'],
      ['stop', 'stop'],
      [null, 'stop'],
      ['eos_token', 'stop'],
    ],
    recorded: {
      text: fixture('openai-chat', 'parallel-tool-calls.txt'),
      args: ['{"city": "Paris", "unit": "c"}', '{"timezone": "Europe/Paris"}'],
      usage: { type: 'usage', inputTokens: 96, outputTokens: 52, cachedTokens: 0, reasoningTokens: 0 },
    },
    detailedUsage: {
      wire: { prompt_tokens: 1000, completion_tokens: 250, prompt_tokens_details: { cached_tokens: 768 }, completion_tokens_details: { reasoning_tokens: 200 } },
      event: { type: 'usage', inputTokens: 1000, outputTokens: 250, cachedTokens: 768, reasoningTokens: 200 },
    },
    start: async () => {
      upstream = await startMockChatUpstream();
    },
    close: () => upstream.close(),
    get url() {
      return upstream.url;
    },
    get requests() {
      return upstream.requests;
    },
    waitForRequest: (i) => upstream.waitForRequest(i),
    baseURLAt: (origin) => `${origin}/v1`,
    provider: (over = {}) => createOpenAIChatProvider({ baseURL: upstream.url, apiKey, model, ...over }),
    usageEvent: (input, output) => ({ type: 'usage', inputTokens: input, outputTokens: output }),
    serve: (a) =>
      enqueue({
        type: 'stream',
        ...defined({
          content: a.text,
          toolCalls: a.calls?.map((c) => ({ id: c.id, name: c.name, arguments: c.args })),
          usage: a.usage === undefined ? undefined : a.usage === false ? false : { prompt_tokens: a.usage.input, completion_tokens: a.usage.output, total_tokens: a.usage.input + a.usage.output },
          split: a.split,
          delayMs: a.delayMs,
          lineEnding: a.lineEnding,
          hang: a.hang,
        }),
      }),
    serveFinish: (raw) => enqueue({ type: 'stream', content: 'x', finishReason: raw }),
    serveRecorded() {
      enqueue({ type: 'sse', text: this.recorded.text, split: { every: 97 }, delayMs: 1 });
    },
    serveDetailedUsage() {
      enqueue({ type: 'stream', content: 'x', usage: this.detailedUsage.wire as MockUsage });
    },
    serveWhole: (a) =>
      enqueue({
        type: 'completion',
        ...defined({
          content: a.text,
          toolCalls: a.calls?.map((c) => ({ id: c.id, name: c.name, arguments: JSON.stringify(c.args) })),
          usage: { prompt_tokens: a.usage.input, completion_tokens: a.usage.output },
        }),
      }),
    serveError: (e) =>
      enqueue({
        type: 'error',
        status: e.status,
        ...defined({ message: e.message, retryAfter: e.retryAfter, retryAfterMs: e.retryAfterMs, param: e.param }),
        ...(e.status === 429 ? { errorType: 'requests', code: 'rate_limit_exceeded' } : {}),
      }),
    serveErrorMidStream: (text) =>
      enqueue({
        type: 'sse',
        ...defined({
          frames: [
            ...text.map((t) => ({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: t }, finish_reason: null }] })),
            { error: { message: 'The server had an error while processing your request.', type: 'server_error' } },
          ],
        }),
      }),
    serveTruncated: () => enqueue({ type: 'sse', frames: [{ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: 'cut' }, finish_reason: null }] }] }),
    serveFinishWithoutEnd: () => enqueue({ type: 'stream', content: 'partial', done: false, usage: false }),
    serveMalformed: () => enqueue({ type: 'sse', frames: ['data: {"choices":[{"delta":{"content":"a"}\n\n'] }),
    serveHang: () => enqueue({ type: 'hang' }),
  };
}

function openAIResponsesKit(): WireKit {
  let upstream: MockResponsesUpstream;
  const apiKey = 'sk-test-SECRET-0123456789abcdef';
  const model = 'gpt-4.1-mini';
  const enqueue = (reply: MockResponsesReply) => upstream.enqueue(reply);
  return {
    name: 'openai-responses',
    apiKey,
    model,
    keyEnvVar: 'COHORT_UPSTREAM_API_KEY',
    authStatuses: [401],
    notFoundNames: [/COHORT_UPSTREAM_MODEL/, /COHORT_UPSTREAM_URL/],
    errorParam: true,
    retryAfterMs: true,
    estimatesMissingUsage: true,
    callEnds: 'before-next',
    finishField: 'incomplete_details.reason',
    finishReasons: [
      ['max_output_tokens', 'length'],
      ['content_filter', 'content_filter'],
    ],
    recorded: {
      text: fixture('openai-responses', 'function-calls-stream.txt'),
      args: ['{"city":"Paris","unit":"c"}', '{"timezone":"Europe/Paris"}'],
      usage: { type: 'usage', inputTokens: 96, outputTokens: 52, cachedTokens: 0, reasoningTokens: 0 },
    },
    detailedUsage: {
      wire: { input_tokens: 42, output_tokens: 30, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 27 } },
      event: { type: 'usage', inputTokens: 42, outputTokens: 30, cachedTokens: 0, reasoningTokens: 27 },
    },
    start: async () => {
      upstream = await startMockResponsesUpstream();
    },
    close: () => upstream.close(),
    get url() {
      return upstream.url;
    },
    get requests() {
      return upstream.requests;
    },
    waitForRequest: (i) => upstream.waitForRequest(i),
    baseURLAt: (origin) => `${origin}/v1`,
    provider: (over = {}) => createOpenAIResponsesProvider({ baseURL: upstream.url, apiKey, model, ...over }),
    usageEvent: (input, output) => ({ type: 'usage', inputTokens: input, outputTokens: output }),
    serve: (a) =>
      enqueue({
        type: 'stream',
        ...defined({
          content: a.text ?? [],
          reasoningSummary: a.reasoning,
          functionCalls: a.calls?.map((c) => ({ callId: c.id, name: c.name, arguments: c.args })),
          usage: a.usage === undefined ? undefined : a.usage === false ? false : { input_tokens: a.usage.input, output_tokens: a.usage.output },
          split: a.split,
          delayMs: a.delayMs,
          lineEnding: a.lineEnding,
          done: a.trailingDone,
          hang: a.hang,
        }),
      }),
    serveFinish: (raw) => enqueue({ type: 'stream', content: 'cut', status: 'incomplete', ...defined({ incompleteReason: raw ?? undefined }) }),
    serveRecorded() {
      enqueue({ type: 'sse', text: this.recorded.text, split: { every: 97 }, delayMs: 1 });
    },
    serveDetailedUsage() {
      enqueue({ type: 'stream', content: 'x', usage: this.detailedUsage.wire as MockResponsesUsage });
    },
    serveWhole: (a) =>
      enqueue({
        type: 'response',
        ...defined({
          content: a.text,
          functionCalls: a.calls?.map((c) => ({ callId: c.id, name: c.name, arguments: JSON.stringify(c.args) })),
          usage: { input_tokens: a.usage.input, output_tokens: a.usage.output },
        }),
      }),
    serveError: (e) =>
      enqueue({
        type: 'error',
        status: e.status,
        ...defined({ message: e.message, retryAfter: e.retryAfter, retryAfterMs: e.retryAfterMs, param: e.param }),
        ...(e.status === 429 ? { errorType: 'requests', code: 'rate_limit_exceeded' } : {}),
      }),
    serveErrorMidStream: (text) => enqueue({ type: 'stream', content: text, errorEvent: { code: 'server_error', message: 'The server had an error' } }),
    serveTruncated: () => enqueue({ type: 'sse', text: fixture('openai-responses', 'text-stream.txt').split('event: response.completed')[0]! }),
    serveMalformed: () => enqueue({ type: 'sse', frames: ['event: response.output_text.delta\ndata: {"type":"response.output_text.delta","delta":\n\n'] }),
    serveHang: () => enqueue({ type: 'hang' }),
  };
}

function anthropicKit(): WireKit {
  let upstream: MockAnthropicUpstream;
  const apiKey = 'sk-ant-api03-SECRET-0123456789abcdef';
  const model = 'claude-sonnet-4-5';
  const enqueue = (reply: MockAnthropicReply) => upstream.enqueue(reply);
  return {
    name: 'anthropic',
    apiKey,
    model,
    keyEnvVar: 'ANTHROPIC_API_KEY',
    authStatuses: [401, 403],
    notFoundNames: [],
    rateLimitedMessage: /rate limiting/,
    midStreamErrorMessage: /overloaded/,
    errorParam: false,
    retryAfterMs: false,
    estimatesMissingUsage: false,
    callEnds: 'before-next',
    finishField: 'stop_reason',
    finishReasons: [
      ['end_turn', 'stop'],
      ['stop_sequence', 'stop'],
      ['max_tokens', 'length'],
      ['refusal', 'content_filter'],
      ['pause_turn', 'stop'],
    ],
    recorded: {
      text: fixture('anthropic', 'tool-use-stream.txt'),
      firstText: "I'll check the weather and the time in Paris.",
      args: ['{"city": "Paris", "unit": "c"}', '{"timezone": "Europe/Paris"}'],
      usage: { type: 'usage', inputTokens: 187 + 1536, outputTokens: 112, cachedTokens: 1536 },
    },
    detailedUsage: {
      wire: { input_tokens: 187, output_tokens: 112, cache_read_input_tokens: 1536 },
      event: { type: 'usage', inputTokens: 187 + 1536, outputTokens: 112, cachedTokens: 1536 },
    },
    start: async () => {
      upstream = await startMockAnthropicUpstream();
    },
    close: () => upstream.close(),
    get url() {
      return upstream.url;
    },
    get requests() {
      return upstream.requests;
    },
    waitForRequest: (i) => upstream.waitForRequest(i),
    baseURLAt: (origin) => origin,
    provider: (over = {}) => createAnthropicProvider({ baseURL: upstream.url, apiKey, model, ...over }),
    // Anthropic streams always report cache reads (0 when none).
    usageEvent: (input, output) => ({ type: 'usage', inputTokens: input, outputTokens: output, cachedTokens: 0 }),
    serve: (a) => {
      if (a.usage === false) throw new Error('the Anthropic wire always reports usage');
      enqueue({
        type: 'stream',
        ...defined({
          before: a.reasoning ? [{ kind: 'thinking', deltas: a.reasoning }] : undefined,
          content: a.text,
          toolUses: a.calls?.map((c) => ({ id: c.id, name: c.name, partialJson: c.args })),
          usage: a.usage === undefined ? undefined : { input_tokens: a.usage.input, output_tokens: a.usage.output },
          split: a.split,
          delayMs: a.delayMs,
          lineEnding: a.lineEnding,
          hang: a.hang,
        }),
      });
    },
    serveFinish: (raw) => enqueue({ type: 'stream', content: 'x', stopReason: raw }),
    serveRecorded() {
      enqueue({ type: 'sse', text: this.recorded.text, split: { every: 97 }, delayMs: 1 });
    },
    serveDetailedUsage() {
      enqueue({ type: 'stream', content: 'x', usage: this.detailedUsage.wire as MockAnthropicUsage });
    },
    serveWhole: (a) =>
      enqueue({
        type: 'message',
        ...defined({
          content: a.text,
          toolUses: a.calls?.map((c) => ({ id: c.id, name: c.name, input: c.args })),
          usage: { input_tokens: a.usage.input, output_tokens: a.usage.output },
        }),
      }),
    serveError: (e) => enqueue({ type: 'error', status: e.status, ...defined({ message: e.message, retryAfter: e.retryAfter }) }),
    serveErrorMidStream: (text) => enqueue({ type: 'stream', content: text, errorAfterBlocks: { type: 'overloaded_error', message: 'Overloaded' } }),
    serveTruncated: () => enqueue({ type: 'sse', text: fixture('anthropic', 'text-stream.txt').split('event: message_delta')[0]! }),
    serveFinishWithoutEnd: () => enqueue({ type: 'stream', content: 'fine', messageStop: false }),
    serveMalformed: () => enqueue({ type: 'sse', frames: ['event: content_block_delta\ndata: {"type":"content_block_delta","index":0,\n\n'] }),
    serveHang: () => enqueue({ type: 'hang' }),
  };
}
