/**
 * A mock OpenAI-compatible Chat Completions server for tests and benchmarks: a
 * real node:http server on 127.0.0.1 (random port) that records every request
 * and answers from a scripted queue.
 *
 *   const upstream = await startMockChatUpstream();
 *   upstream.enqueue({ type: 'stream', content: ['Hel', 'lo'] });
 *   const provider = createOpenAIChatProvider({ baseURL: upstream.url, model: 'gpt-4o-mini' });
 *   …
 *   upstream.requests[0].body.messages   // what the provider sent
 *   await upstream.close();
 *
 * Replies (`MockReply`), consumed one per request in FIFO order; when the
 * queue is empty the fallback answers (default: HTTP 500 "no reply queued";
 * set one with `setFallback`, e.g. for a benchmark). A queue entry may also be
 * a handler `(req) => MockReply | Promise<MockReply>`.
 *
 * - `stream`:  for a request with `stream: true`, SSE exactly as OpenAI frames it (`data: {json}\n\n`, chunks with
 *   `object:"chat.completion.chunk"`, `usage:null` in every chunk when usage
 *   was requested): a role chunk first, content deltas, tool-call deltas (index,
 *   id, type, function name with empty arguments, then argument fragments), a
 *   finish chunk, a usage chunk with empty `choices` when the request had
 *   `stream_options.include_usage`, then `data: [DONE]`. `hang: true` stops
 *   after the deltas (no finish/usage/[DONE]) and keeps the response open until
 *   the client disconnects; `split`/`delayMs` cut the bytes at awkward places.
 *   For a request without `stream: true`, the same answer as one
 *   `chat.completion` JSON body, as a real server sends it (except `hang` and
 *   a null finish reason, which stay streams).
 * - `sse`:     raw frames or text you supply (recorded fixtures, malformed data).
 * - `completion`: a non-streaming `chat.completion` JSON body (a server that
 *   ignores `stream: true`).
 * - `json`:    any JSON body with any status.
 * - `error`:   an OpenAI-style error body `{error:{message,type,param,code}}`
 *   with optional `retry-after` / `retry-after-ms` headers.
 * - `hang`:    never answer (not even headers) until the client goes away.
 * - `destroy`: reset the connection without answering.
 *
 * Each recorded request exposes `closed` (resolves when the server sees the
 * connection/response close) and `aborted` (true when that happened before the
 * reply was complete): the way to assert that a client abort reached upstream.
 */
import type { ServerResponse } from 'node:http';
import { asList, sendJson, sleep, startScriptedServer, streamRequested, writeSse, type RecordedRequest, type SplitSpec } from './scripted-server.js';

export type { RecordedRequest, SplitSpec };
export { splitBytes } from './scripted-server.js';

export interface MockUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number; audio_tokens?: number };
  completion_tokens_details?: { reasoning_tokens?: number; audio_tokens?: number; accepted_prediction_tokens?: number; rejected_prediction_tokens?: number };
}

export interface MockToolCall {
  /** Omit for a generated `call_…` id; `null` to send no id at all (some servers do that). */
  id?: string | null;
  name: string;
  /** The arguments JSON, whole or as the fragments to stream. */
  arguments: string | string[];
}


export interface StreamReply {
  type: 'stream';
  /** Text deltas (a string is one delta). */
  content?: string | string[];
  toolCalls?: MockToolCall[];
  /** Default: 'tool_calls' when toolCalls are given, else 'stop'. `null` sends a finish chunk with a null reason. */
  finishReason?: string | null;
  /** Usage for the final chunk (sent only when the request asked for it); `false` never sends usage. Default: deterministic counts. */
  usage?: MockUsage | false;
  model?: string;
  id?: string;
  /** Send `data: [DONE]` (default true). */
  done?: boolean;
  /** Keep the response open after the deltas; no finish, usage or [DONE]. */
  hang?: boolean;
  split?: SplitSpec;
  /** Pause before each write after the first (default 0). */
  delayMs?: number;
  /** '\n' (default, like OpenAI) or '\r\n' line endings. */
  lineEnding?: '\n' | '\r\n';
  status?: number;
  headers?: Record<string, string>;
}

export interface SseReply {
  type: 'sse';
  /** Objects become `data: {json}\n\n` frames; strings are written verbatim (include your own `\n\n`). */
  frames?: Array<string | object>;
  /** Verbatim body text (e.g. a recorded fixture); used instead of `frames`. */
  text?: string;
  split?: SplitSpec;
  delayMs?: number;
  hang?: boolean;
  status?: number;
  headers?: Record<string, string>;
}

export interface CompletionReply {
  type: 'completion';
  content?: string | null;
  toolCalls?: Array<{ id?: string; name: string; arguments: string }>;
  finishReason?: string;
  /** `false` omits usage. */
  usage?: MockUsage | false;
  model?: string;
  headers?: Record<string, string>;
}

export interface JsonReply {
  type: 'json';
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface ErrorReply {
  type: 'error';
  status: number;
  message?: string;
  errorType?: string;
  code?: string | null;
  param?: string | null;
  /** Seconds, or an HTTP date string, sent as `retry-after`. */
  retryAfter?: number | string;
  /** Sent as `retry-after-ms`. */
  retryAfterMs?: number;
  /** Replaces the OpenAI-style body (any JSON value, or a string sent verbatim as text/plain). */
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * OpenAI's `POST /v1/embeddings` reply: `{object: "list", data: [{object: "embedding",
 * index, embedding}], model, usage: {prompt_tokens, total_tokens}}`. Without `vectors`,
 * each input text gets `mockEmbedding(text)`; `order: 'reversed'` sends the data items
 * last index first (servers may). `usage: false` sends none.
 */
export interface EmbeddingsReply {
  type: 'embeddings';
  vectors?: number[][];
  usage?: { prompt_tokens: number; total_tokens: number } | false;
  order?: 'reversed';
  model?: string;
}

/** Ollama's `POST /api/embed` reply: `{model, embeddings, total_duration, load_duration, prompt_eval_count}`. */
export interface OllamaEmbedReply {
  type: 'ollama-embed';
  vectors?: number[][];
  promptEvalCount?: number;
}

export type MockReply =
  | EmbeddingsReply
  | OllamaEmbedReply
  | StreamReply
  | SseReply
  | CompletionReply
  | JsonReply
  | ErrorReply
  | { type: 'hang' }
  | { type: 'destroy' };

export type MockHandler = (req: RecordedRequest) => MockReply | Promise<MockReply>;


export interface MockChatUpstream {
  /** Base URL ending in /v1, e.g. http://127.0.0.1:54321/v1. */
  url: string;
  /** Every request received, in arrival order. */
  requests: RecordedRequest[];
  /** Queue replies (or handlers), one per future request. */
  enqueue(...replies: Array<MockReply | MockHandler>): void;
  /** What answers when the queue is empty. */
  setFallback(reply: MockReply | MockHandler): void;
  /** Resolves with requests[index] once it has arrived (default: the next one). */
  waitForRequest(index?: number): Promise<RecordedRequest>;
  /** Stops the server, dropping open connections (hanging streams included). */
  close(): Promise<void>;
}

export interface MockChatUpstreamOptions {
  fallback?: MockReply | MockHandler;
}


export async function startMockChatUpstream(options: MockChatUpstreamOptions = {}): Promise<MockChatUpstream> {
  const { origin, ...scripted } = await startScriptedServer<MockReply>({
    fallback: options.fallback ?? { type: 'error', status: 500, message: 'mock upstream: no reply queued', errorType: 'server_error' },
    respond,
    handlerFailed: (res, message) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message, type: 'server_error' } }));
    },
  });
  return { url: `${origin}/v1`, ...scripted };
}

// ---------------------------------------------------------------------------
// Replies

async function respond(reply: MockReply, req: RecordedRequest, res: ServerResponse): Promise<void> {
  switch (reply.type) {
    case 'hang':
      return; // never answer; the client's abort (or close()) ends it
    case 'destroy':
      res.socket?.destroy();
      return;
    case 'json':
      sendJson(res, reply.status ?? 200, reply.body, reply.headers);
      return;
    case 'embeddings': {
      const input = embeddingInputs(req.body);
      const vectors = reply.vectors ?? input.map(mockEmbedding);
      const data = vectors.map((embedding, index) => ({ object: 'embedding', index, embedding }));
      if (reply.order === 'reversed') data.reverse();
      const tokens = input.reduce((n, t) => n + mockTokens(t), 0);
      const body: Record<string, unknown> = { object: 'list', data, model: reply.model ?? (req.body as { model?: string } | undefined)?.model ?? 'text-embedding-3-small' };
      if (reply.usage !== false) body.usage = reply.usage ?? { prompt_tokens: tokens, total_tokens: tokens };
      sendJson(res, 200, body, undefined);
      return;
    }
    case 'ollama-embed': {
      const input = embeddingInputs(req.body);
      sendJson(res, 200, {
        model: (req.body as { model?: string } | undefined)?.model ?? 'nomic-embed-text',
        embeddings: reply.vectors ?? input.map(mockEmbedding),
        total_duration: 14_143_917,
        load_duration: 1_019_500,
        prompt_eval_count: reply.promptEvalCount ?? input.reduce((n, t) => n + mockTokens(t), 0),
      }, undefined);
      return;
    }
    case 'completion':
      sendJson(res, 200, buildCompletion(reply, req.body), reply.headers);
      return;
    case 'error': {
      const headers: Record<string, string> = { ...reply.headers };
      if (reply.retryAfter !== undefined) headers['retry-after'] = String(reply.retryAfter);
      if (reply.retryAfterMs !== undefined) headers['retry-after-ms'] = String(reply.retryAfterMs);
      if (typeof reply.body === 'string') {
        res.writeHead(reply.status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
        res.end(reply.body);
        return;
      }
      const body = reply.body ?? {
        error: {
          message: reply.message ?? `mock upstream error ${reply.status}`,
          type: reply.errorType ?? defaultErrorType(reply.status),
          param: reply.param ?? null,
          code: reply.code ?? null,
        },
      };
      sendJson(res, reply.status, body, headers);
      return;
    }
    case 'stream': {
      if (!streamRequested(req.body) && !reply.hang && reply.finishReason !== null) {
        // Asked for no stream, a real server sends the same answer as one chat.completion body.
        // (`delayMs` between frames becomes the time the whole answer takes.)
        const frames = buildStreamFrames(reply, { ...req.body, stream_options: { include_usage: reply.usage !== false } });
        if (reply.delayMs) await sleep(reply.delayMs * (frames.length - 1));
        sendJson(res, reply.status ?? 200, completionFromFrames(frames), reply.headers);
        return;
      }
      const lineEnding = reply.lineEnding ?? '\n';
      const frames = buildStreamFrames(reply, req.body).map((f) => (lineEnding === '\n' ? f : f.replace(/\n/g, '\r\n')));
      await writeSse(res, frames, reply.split ?? 'frames', reply.delayMs ?? 0, reply.hang ?? false, reply.status, reply.headers);
      return;
    }
    case 'sse': {
      const frames = reply.text !== undefined ? [reply.text] : (reply.frames ?? []).map((f) => (typeof f === 'string' ? f : `data: ${JSON.stringify(f)}\n\n`));
      await writeSse(res, frames, reply.split ?? (reply.text !== undefined ? 'whole' : 'frames'), reply.delayMs ?? 0, reply.hang ?? false, reply.status, reply.headers);
      return;
    }
  }
}

function embeddingInputs(body: unknown): string[] {
  const input = (body as { input?: unknown } | undefined)?.input;
  return Array.isArray(input) ? input.map(String) : typeof input === 'string' ? [input] : [];
}

/** Whitespace-separated words: the mock's token count of an embedding input. */
export const mockTokens = (text: string): number => text.split(/\s+/).filter(Boolean).length;

/**
 * A deterministic 8-dimensional embedding: counts of letters in eight buckets, with the
 * words "not"/"never"/"no" pulling the last dimension down and "recommend"/"agree"/"love"
 * up, so an answer's similarity to anchors depends on its words.
 */
export function mockEmbedding(text: string): number[] {
  const v = new Array<number>(8).fill(0);
  const lower = text.toLowerCase();
  for (const ch of lower) if (ch >= 'a' && ch <= 'z') v[(ch.charCodeAt(0) - 97) % 7]! += 1;
  for (const w of lower.match(/[a-z']+/g) ?? []) {
    if (/^(not|never|no|don't|wouldn't)$/.test(w)) v[7]! -= 5;
    if (/^(recommend|agree|love|good|definitely)$/.test(w)) v[7]! += 5;
  }
  return v;
}

function defaultErrorType(status: number): string {
  if (status === 401) return 'invalid_request_error';
  if (status === 429) return 'requests';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}





// ---------------------------------------------------------------------------
// Wire builders (exported so tests can feed the same bytes to the decoder directly)

let counter = 0;
function randomId(prefix: string): string {
  counter++;
  return `${prefix}${Date.now().toString(36)}${counter.toString(36).padStart(4, '0')}${Math.random().toString(36).slice(2, 10)}`;
}

/** The `chat.completion` body equal to a stream's frames (content, tool calls, finish reason, usage), as a client accumulates them. */
export function completionFromFrames(frames: string[]): Record<string, unknown> {
  let model: string | undefined;
  let content: string | null = null;
  let finish: string | undefined;
  let usage: MockUsage | undefined;
  const calls: Array<{ id?: string; name: string; arguments: string }> = [];
  for (const f of frames) {
    const data = f.replace(/^data: /, '').trim();
    if (data === '[DONE]') continue;
    const chunk = JSON.parse(data) as { model?: string; usage?: MockUsage | null; choices: Array<{ delta: Record<string, unknown>; finish_reason: string | null }> };
    model ??= chunk.model;
    if (chunk.usage) usage = chunk.usage;
    for (const c of chunk.choices) {
      if (typeof c.delta.content === 'string') content = (content ?? '') + c.delta.content;
      for (const tc of (c.delta.tool_calls as Array<{ index: number; id?: string; function?: { name?: string; arguments?: string } }> | undefined) ?? []) {
        const call = (calls[tc.index] ??= { name: '', arguments: '' });
        if (tc.id) call.id = tc.id;
        if (tc.function?.name) call.name = tc.function.name;
        if (tc.function?.arguments) call.arguments += tc.function.arguments;
      }
      if (c.finish_reason !== null && c.finish_reason !== undefined) finish = c.finish_reason;
    }
  }
  return buildCompletion({ content, toolCalls: calls, usage: usage ?? false, ...(finish !== undefined ? { finishReason: finish } : {}), ...(model !== undefined ? { model } : {}) });
}

function wantsUsage(requestBody: unknown): boolean {
  const b = requestBody as { stream_options?: { include_usage?: unknown } } | undefined;
  return b?.stream_options?.include_usage === true;
}


function defaultUsage(promptTokens: number, completionTokens: number): MockUsage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

/**
 * The SSE frames (each `data: …\n\n`) OpenAI would send for a StreamReply.
 * `requestBody` decides the model echo and whether usage is included.
 */
export function buildStreamFrames(reply: Omit<StreamReply, 'type'>, requestBody?: unknown): string[] {
  const includeUsage = wantsUsage(requestBody) && reply.usage !== false;
  const id = reply.id ?? randomId('chatcmpl-');
  const created = Math.floor(Date.now() / 1000);
  const model = reply.model ?? ((requestBody as { model?: unknown } | undefined)?.model as string | undefined) ?? 'gpt-4o-mini';
  const base = { id, object: 'chat.completion.chunk', created, model, service_tier: 'default', system_fingerprint: 'fp_mock0001' };
  const chunk = (choices: unknown[], usage?: unknown): string =>
    `data: ${JSON.stringify({ ...base, choices, ...(includeUsage ? { usage: usage ?? null } : {}) })}\n\n`;
  const choice = (delta: Record<string, unknown>, finish: string | null = null) => ({ index: 0, delta, logprobs: null, finish_reason: finish });

  const content = asList(reply.content);
  const calls = reply.toolCalls ?? [];
  const frames: string[] = [];
  let completionTokens = 0;

  const header = (tc: MockToolCall, index: number): Record<string, unknown> => {
    const call: Record<string, unknown> = { index };
    if (tc.id !== null) call.id = tc.id ?? randomId('call_');
    call.type = 'function';
    call.function = { name: tc.name, arguments: '' };
    return call;
  };

  if (content.length > 0 || calls.length === 0) {
    frames.push(chunk([choice({ role: 'assistant', content: '', refusal: null })]));
    for (const piece of content) {
      frames.push(chunk([choice({ content: piece })]));
      completionTokens++;
    }
  }
  calls.forEach((tc, index) => {
    if (index === 0 && content.length === 0) {
      frames.push(chunk([choice({ role: 'assistant', content: null, tool_calls: [header(tc, index)], refusal: null })]));
    } else {
      frames.push(chunk([choice({ tool_calls: [header(tc, index)] })]));
    }
    for (const frag of asList(tc.arguments)) {
      frames.push(chunk([choice({ tool_calls: [{ index, function: { arguments: frag } }] })]));
      completionTokens++;
    }
  });
  if (reply.hang) return frames;

  const finish = reply.finishReason !== undefined ? reply.finishReason : calls.length > 0 ? 'tool_calls' : 'stop';
  frames.push(chunk([choice({}, finish)]));
  if (includeUsage) {
    const usage = reply.usage || defaultUsage(10, completionTokens);
    frames.push(chunk([], usage));
  }
  if (reply.done ?? true) frames.push('data: [DONE]\n\n');
  return frames;
}

/** A non-streaming `chat.completion` body. */
export function buildCompletion(reply: Omit<CompletionReply, 'type'>, requestBody?: unknown): Record<string, unknown> {
  const model = reply.model ?? ((requestBody as { model?: unknown } | undefined)?.model as string | undefined) ?? 'gpt-4o-mini';
  const toolCalls = (reply.toolCalls ?? []).map((tc) => ({
    id: tc.id ?? randomId('call_'),
    type: 'function',
    function: { name: tc.name, arguments: tc.arguments },
  }));
  const message: Record<string, unknown> = { role: 'assistant', content: reply.content ?? null, refusal: null, annotations: [] };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  const body: Record<string, unknown> = {
    id: randomId('chatcmpl-'),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: reply.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop') }],
    service_tier: 'default',
    system_fingerprint: 'fp_mock0001',
  };
  if (reply.usage !== false) body.usage = reply.usage ?? defaultUsage(10, 5);
  return body;
}
