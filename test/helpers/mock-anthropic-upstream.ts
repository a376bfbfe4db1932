/**
 * A mock Anthropic Messages API for tests: a real node:http server on
 * 127.0.0.1 (random port) that records every request and answers from a
 * scripted queue, speaking the Messages streaming wire format.
 *
 *   const upstream = await startMockAnthropicUpstream();
 *   upstream.enqueue({ type: 'stream', content: ['Hel', 'lo'] });
 *   const provider = createAnthropicProvider({ baseURL: upstream.url, apiKey: 'k', model: 'claude-sonnet-4-5' });
 *   …
 *   upstream.requests[0].body.messages   // what the provider sent
 *   await upstream.close();
 *
 * Replies (`MockAnthropicReply`), one per request in FIFO order; when the queue
 * is empty the fallback answers (default: HTTP 500 `api_error`). A queue entry
 * may also be a handler `(req) => reply | Promise<reply>`.
 *
 * - `stream`: SSE exactly as Anthropic frames it — `event: <type>\ndata:
 *   {json}\n\n` for `message_start` (message with empty content and usage), a
 *   `ping` after the first block's start, then per content block
 *   `content_block_start` / `content_block_delta` / `content_block_stop`
 *   (thinking blocks with `thinking_delta` + `signature_delta`, text blocks
 *   with `text_delta`, tool_use blocks with `input: {}` then an empty and then
 *   the given `input_json_delta.partial_json` fragments), `message_delta`
 *   (stop_reason, cumulative usage) and `message_stop`. `hang` stops after the
 *   blocks and keeps the response open; `errorAfterBlocks` sends an in-stream
 *   `event: error` instead of the ending; `split`/`delayMs` cut the bytes.
 * - `sse`: raw frames (objects become `event: <obj.type>\ndata: {json}\n\n`,
 *   strings are written verbatim) or a verbatim `text` (recorded fixtures).
 * - `message`: a whole non-streaming Message JSON body (a proxy ignoring
 *   `stream: true`).
 * - `json`: any JSON body with any status.
 * - `error`: `{type:'error', error:{type, message}, request_id}` with the
 *   error type Anthropic uses for the status (400 invalid_request_error, 401
 *   authentication_error, 403 permission_error, 404 not_found_error, 413
 *   request_too_large, 429 rate_limit_error, 500 api_error, 529
 *   overloaded_error) and optional `retry-after`.
 * - `hang`: never answer until the client goes away. `destroy`: reset the connection.
 *
 * Each recorded request exposes `closed` and `aborted` (closed before the reply
 * was complete), to assert that a client abort reached upstream.
 *
 * A `stream` reply to a request without `stream: true` is sent as one JSON
 * body, as the real API does: the Message its events add up to (hang and error
 * endings stay streams).
 */
import type { ServerResponse } from 'node:http';
import { asList, sendJson, sleep, startScriptedServer, streamRequested, writeSse, type RecordedRequest, type SplitSpec } from './scripted-server.js';

export type { RecordedRequest };

export type { SplitSpec };

export interface MockAnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

export interface MockToolUse {
  /** Default: a generated `toolu_…` id. */
  id?: string;
  name: string;
  /** The input JSON as the `partial_json` fragments to stream (a string is one fragment). Default: `{}` sent as no fragments. */
  partialJson?: string | string[];
}

export interface MockContentBlock {
  kind: 'text' | 'thinking';
  /** Deltas; a string is one delta. */
  deltas: string | string[];
}

export interface AnthropicStreamReply {
  type: 'stream';
  /** Text deltas of one text block (a string is one delta). */
  content?: string | string[];
  /** Extra blocks before the text block (e.g. a thinking block, which decoders must ignore). */
  before?: MockContentBlock[];
  toolUses?: MockToolUse[];
  /** Default: 'tool_use' with toolUses, else 'end_turn'. */
  stopReason?: string | null;
  /** Default: deterministic counts. */
  usage?: MockAnthropicUsage;
  model?: string;
  id?: string;
  /** Send the ping event (default true). */
  ping?: boolean;
  /** Send message_stop (default true). */
  messageStop?: boolean;
  /** Keep the response open after the blocks; no message_delta or message_stop. */
  hang?: boolean;
  /** End with an in-stream error event of this type instead of message_delta/message_stop. */
  errorAfterBlocks?: { type: string; message: string };
  split?: SplitSpec;
  delayMs?: number;
  lineEnding?: '\n' | '\r\n';
  status?: number;
  headers?: Record<string, string>;
}

export interface AnthropicSseReply {
  type: 'sse';
  frames?: Array<string | { type: string; [k: string]: unknown }>;
  text?: string;
  split?: SplitSpec;
  delayMs?: number;
  hang?: boolean;
  status?: number;
  headers?: Record<string, string>;
}

export interface AnthropicMessageReply {
  type: 'message';
  content?: string;
  toolUses?: Array<{ id?: string; name: string; input: Record<string, unknown> }>;
  stopReason?: string;
  usage?: MockAnthropicUsage;
  model?: string;
  headers?: Record<string, string>;
}

export interface AnthropicJsonReply {
  type: 'json';
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface AnthropicErrorReply {
  type: 'error';
  status: number;
  message?: string;
  /** Default: Anthropic's error type for the status. */
  errorType?: string;
  /** Seconds or an HTTP date, sent as `retry-after`. */
  retryAfter?: number | string;
  /** Replaces the Anthropic-style body (JSON value, or a string sent as text/plain). */
  body?: unknown;
  headers?: Record<string, string>;
}

export type MockAnthropicReply =
  | AnthropicStreamReply
  | AnthropicSseReply
  | AnthropicMessageReply
  | AnthropicJsonReply
  | AnthropicErrorReply
  | { type: 'hang' }
  | { type: 'destroy' };

export type MockAnthropicHandler = (req: RecordedRequest) => MockAnthropicReply | Promise<MockAnthropicReply>;


export interface MockAnthropicUpstream {
  /** Base URL without /v1, e.g. http://127.0.0.1:54321 (the provider appends /v1/messages). */
  url: string;
  requests: RecordedRequest[];
  enqueue(...replies: Array<MockAnthropicReply | MockAnthropicHandler>): void;
  setFallback(reply: MockAnthropicReply | MockAnthropicHandler): void;
  waitForRequest(index?: number): Promise<RecordedRequest>;
  close(): Promise<void>;
}

export async function startMockAnthropicUpstream(
  options: { fallback?: MockAnthropicReply | MockAnthropicHandler } = {},
): Promise<MockAnthropicUpstream> {
  const { origin, ...scripted } = await startScriptedServer<MockAnthropicReply>({
    fallback: options.fallback ?? { type: 'error', status: 500, message: 'mock upstream: no reply queued' },
    respond,
    handlerFailed: (res, message) => sendJson(res, 500, errorBody('api_error', message), undefined),
  });
  return { url: `${origin}`, ...scripted };
}

async function respond(reply: MockAnthropicReply, req: RecordedRequest, res: ServerResponse): Promise<void> {
  switch (reply.type) {
    case 'hang':
      return;
    case 'destroy':
      res.socket?.destroy();
      return;
    case 'json':
      sendJson(res, reply.status ?? 200, reply.body, reply.headers);
      return;
    case 'message':
      sendJson(res, 200, buildMessage(reply, req.body), reply.headers);
      return;
    case 'error': {
      const headers: Record<string, string> = { 'request-id': randomId('req_'), ...reply.headers };
      if (reply.retryAfter !== undefined) headers['retry-after'] = String(reply.retryAfter);
      if (typeof reply.body === 'string') {
        res.writeHead(reply.status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
        res.end(reply.body);
        return;
      }
      const type = reply.errorType ?? errorTypeFor(reply.status);
      sendJson(res, reply.status, reply.body ?? errorBody(type, reply.message ?? defaultMessage(type)), headers);
      return;
    }
    case 'stream': {
      if (!streamRequested(req.body) && !reply.hang && !reply.errorAfterBlocks) {
        // Asked for no stream, the real API sends the whole Message as the body.
        // (`delayMs` between frames becomes the time the whole answer takes.)
        const frames = buildAnthropicFrames(reply, req.body);
        if (reply.delayMs) await sleep(reply.delayMs * (frames.length - 1));
        sendJson(res, reply.status ?? 200, messageFromFrames(frames), { 'request-id': randomId('req_'), ...reply.headers });
        return;
      }
      const eol = reply.lineEnding ?? '\n';
      const frames = buildAnthropicFrames(reply, req.body).map((f) => (eol === '\n' ? f : f.replace(/\n/g, '\r\n')));
      await writeSse(res, frames, reply.split ?? 'frames', reply.delayMs ?? 0, reply.hang ?? false, reply.status, { 'request-id': randomId('req_'), ...reply.headers });
      return;
    }
    case 'sse': {
      const frames = reply.text !== undefined ? [reply.text] : (reply.frames ?? []).map((f) => (typeof f === 'string' ? f : frame(f)));
      await writeSse(res, frames, reply.split ?? (reply.text !== undefined ? 'whole' : 'frames'), reply.delayMs ?? 0, reply.hang ?? false, reply.status, { 'request-id': randomId('req_'), ...reply.headers });
      return;
    }
  }
}

export function errorTypeFor(status: number): string {
  switch (status) {
    case 400:
      return 'invalid_request_error';
    case 401:
      return 'authentication_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 529:
      return 'overloaded_error';
    default:
      return 'api_error';
  }
}

function defaultMessage(type: string): string {
  switch (type) {
    case 'overloaded_error':
      return 'Overloaded';
    case 'authentication_error':
      return 'invalid x-api-key';
    case 'api_error':
      return 'Internal server error';
    default:
      return `mock upstream ${type}`;
  }
}

function errorBody(type: string, message: string): Record<string, unknown> {
  return { type: 'error', error: { type, message }, request_id: randomId('req_') };
}




// ---------------------------------------------------------------------------
// Wire builders (exported so tests can feed the same bytes to the decoder)

let counter = 0;
function randomId(prefix: string): string {
  counter++;
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let s = '01';
  for (let i = 0; i < 22; i++) s += chars[Math.floor(Math.random() * chars.length)];
  return `${prefix}${s}${counter.toString(36)}`;
}

/** One SSE frame as Anthropic writes it: the event name repeats the payload's type. */
export function frame(payload: { type: string; [k: string]: unknown }): string {
  return `event: ${payload.type}\ndata: ${JSON.stringify(payload)}\n\n`;
}


/** The SSE frames Anthropic would send for a stream reply. */
export function buildAnthropicFrames(reply: Omit<AnthropicStreamReply, 'type'>, requestBody?: unknown): string[] {
  const model = reply.model ?? ((requestBody as { model?: unknown } | undefined)?.model as string | undefined) ?? 'claude-sonnet-4-5-20250929';
  const frames: string[] = [];
  let outputTokens = 0;
  const usage = reply.usage ?? { input_tokens: 25, output_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
  frames.push(
    frame({
      type: 'message_start',
      message: {
        model,
        id: reply.id ?? randomId('msg_'),
        type: 'message',
        role: 'assistant',
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: usage.input_tokens,
          cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
          cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
          cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
          output_tokens: 1,
          service_tier: 'standard',
        },
      },
    }),
  );
  let index = 0;
  let pinged = false;
  const ping = (): void => {
    if (!pinged && (reply.ping ?? true)) frames.push(frame({ type: 'ping' }));
    pinged = true;
  };
  for (const block of reply.before ?? []) {
    if (block.kind === 'thinking') {
      frames.push(frame({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } }));
      ping();
      for (const d of asList(block.deltas)) {
        frames.push(frame({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: d } }));
        outputTokens++;
      }
      frames.push(frame({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds' } }));
    } else {
      frames.push(frame({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } }));
      ping();
      for (const d of asList(block.deltas)) {
        frames.push(frame({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: d } }));
        outputTokens++;
      }
    }
    frames.push(frame({ type: 'content_block_stop', index }));
    index++;
  }
  const content = asList(reply.content);
  const tools = reply.toolUses ?? [];
  if (content.length > 0 || tools.length === 0) {
    frames.push(frame({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } }));
    ping();
    for (const d of content) {
      frames.push(frame({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: d } }));
      outputTokens++;
    }
    frames.push(frame({ type: 'content_block_stop', index }));
    index++;
  }
  for (const tool of tools) {
    frames.push(frame({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: tool.id ?? randomId('toolu_'), name: tool.name, input: {} } }));
    ping();
    frames.push(frame({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: '' } }));
    for (const fragment of asList(tool.partialJson)) {
      frames.push(frame({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: fragment } }));
      outputTokens++;
    }
    frames.push(frame({ type: 'content_block_stop', index }));
    index++;
  }
  if (reply.hang) return frames;
  if (reply.errorAfterBlocks) {
    frames.push(frame({ type: 'error', error: { type: reply.errorAfterBlocks.type, message: reply.errorAfterBlocks.message } }));
    return frames;
  }
  const stopReason = reply.stopReason !== undefined ? reply.stopReason : tools.length > 0 ? 'tool_use' : 'end_turn';
  frames.push(
    frame({
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: {
        input_tokens: usage.input_tokens,
        cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
        cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
        output_tokens: reply.usage ? usage.output_tokens : outputTokens,
      },
    }),
  );
  if (reply.messageStop ?? true) frames.push(frame({ type: 'message_stop' }));
  return frames;
}

/** A non-streaming Message body. */
/** The Message a stream's events add up to (blocks, stop reason, final usage): what a non-streaming request gets. */
export function messageFromFrames(frames: string[]): Record<string, unknown> {
  let message: Record<string, unknown> = {};
  const blocks: Array<Record<string, unknown>> = [];
  const json: string[] = [];
  for (const f of frames) {
    const data = /^data: (.*)$/m.exec(f)?.[1];
    if (!data) continue;
    const e = JSON.parse(data) as { type: string; index: number; message?: Record<string, unknown>; content_block?: Record<string, unknown>; delta?: Record<string, unknown>; usage?: Record<string, unknown> };
    if (e.type === 'message_start') message = { ...e.message! };
    else if (e.type === 'content_block_start') {
      blocks[e.index] = { ...e.content_block! };
      json[e.index] = '';
    } else if (e.type === 'content_block_delta') {
      const b = blocks[e.index]!;
      const d = e.delta!;
      if (d.type === 'text_delta') b.text = String(b.text ?? '') + String(d.text);
      else if (d.type === 'thinking_delta') b.thinking = String(b.thinking ?? '') + String(d.thinking);
      else if (d.type === 'signature_delta') b.signature = d.signature;
      else if (d.type === 'input_json_delta') json[e.index] += String(d.partial_json);
    } else if (e.type === 'content_block_stop') {
      const b = blocks[e.index]!;
      if (b.type === 'tool_use') b.input = json[e.index] ? JSON.parse(json[e.index]!) : {};
    } else if (e.type === 'message_delta') {
      message = { ...message, ...e.delta, usage: { ...(message.usage as object), ...e.usage } };
    }
  }
  return { ...message, content: blocks };
}

export function buildMessage(reply: Omit<AnthropicMessageReply, 'type'>, requestBody?: unknown): Record<string, unknown> {
  const model = reply.model ?? ((requestBody as { model?: unknown } | undefined)?.model as string | undefined) ?? 'claude-sonnet-4-5-20250929';
  const content: unknown[] = [];
  if (reply.content !== undefined) content.push({ type: 'text', text: reply.content });
  for (const t of reply.toolUses ?? []) content.push({ type: 'tool_use', id: t.id ?? randomId('toolu_'), name: t.name, input: t.input });
  return {
    id: randomId('msg_'),
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: reply.stopReason ?? ((reply.toolUses ?? []).length > 0 ? 'tool_use' : 'end_turn'),
    stop_sequence: null,
    usage: reply.usage ?? { input_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 5, service_tier: 'standard' },
  };
}
