/**
 * A mock OpenAI Responses API server for tests: a real node:http server on
 * 127.0.0.1 (random port) that records every request and answers from a
 * scripted queue, speaking the Responses streaming wire format
 * (/work/shared/reference/responses-protocol.md §3).
 *
 *   const upstream = await startMockResponsesUpstream();
 *   upstream.enqueue({ type: 'stream', content: ['Hel', 'lo'] });
 *   const provider = createOpenAIResponsesProvider({ baseURL: upstream.url, model: 'gpt-4.1-mini' });
 *   …
 *   upstream.requests[0].body.input   // what the provider sent
 *   await upstream.close();
 *
 * Replies, one per request in FIFO order; when the queue is empty the fallback
 * answers (default: HTTP 500 server_error). A queue entry may be a handler.
 *
 * - `stream`: `event: <type>\ndata: {json}\n\n` frames, each with
 *   `sequence_number`: `response.created`, `response.in_progress`, then
 *   optionally a reasoning item (output_item.added, reasoning_summary_part /
 *   reasoning_summary_text events, output_item.done), a message item
 *   (output_item.added, content_part.added, output_text.delta…,
 *   output_text.done, content_part.done, output_item.done), function_call
 *   items (output_item.added with `arguments: ""`,
 *   function_call_arguments.delta…, function_call_arguments.done,
 *   output_item.done), then `response.completed` / `response.incomplete`
 *   (with `incomplete_details`) / `response.failed` (with `error`) carrying
 *   the full Response with usage. `hang` stops before the terminal event and
 *   keeps the response open; `errorEvent` sends `event: error` instead of the
 *   terminal event; `done` appends `data: [DONE]`; `split`/`delayMs` cut bytes.
 * - `sse`: raw frames (objects become `event: <obj.type>\ndata: {json}\n\n`)
 *   or verbatim `text` (recorded fixtures).
 * - `response`: a whole non-streaming Response JSON body.
 * - `json`, `error` (OpenAI error body `{error:{message,type,param,code}}`
 *   with optional retry-after headers), `hang`, `destroy`.
 *
 * Each recorded request exposes `closed` and `aborted` (closed before the
 * reply was complete).
 *
 * A `stream` reply to a request without `stream: true` is sent as one JSON
 * body, as the real API does: the terminal event's Response object (hang and error
 * endings stay streams).
 */
import type { ServerResponse } from 'node:http';
import { asList, sendJson, sleep, startScriptedServer, streamRequested, writeSse, type RecordedRequest, type SplitSpec } from './scripted-server.js';

export type { RecordedRequest };

export type { SplitSpec };

export interface MockResponsesUsage {
  input_tokens: number;
  output_tokens: number;
  input_tokens_details?: { cached_tokens: number };
  output_tokens_details?: { reasoning_tokens: number };
  total_tokens?: number;
}

export interface MockFunctionCall {
  /** Default: generated `call_…`. */
  callId?: string;
  name: string;
  /** Whole arguments or the fragments to stream. */
  arguments: string | string[];
}

export interface ResponsesStreamReply {
  type: 'stream';
  /** Text deltas of one message item (a string is one delta). */
  content?: string | string[];
  /** Reasoning summary deltas: adds a reasoning item first (which decoders must ignore). */
  reasoningSummary?: string | string[];
  functionCalls?: MockFunctionCall[];
  /** Default 'completed'. */
  status?: 'completed' | 'incomplete' | 'failed';
  /** For 'incomplete'. Default 'max_output_tokens'. */
  incompleteReason?: string;
  /** For 'failed'. Default {code:'server_error', message:'The server had an error…'}. */
  error?: { code: string; message: string };
  /** Default: deterministic counts; `false` sends `usage: null`. */
  usage?: MockResponsesUsage | false;
  model?: string;
  id?: string;
  hang?: boolean;
  /** Send `event: error` (after the items) instead of the terminal event. */
  errorEvent?: { code: string | null; message: string; param?: string | null };
  /** Append `data: [DONE]` (OpenAI does not). */
  done?: boolean;
  split?: SplitSpec;
  delayMs?: number;
  lineEnding?: '\n' | '\r\n';
  httpStatus?: number;
  headers?: Record<string, string>;
}

export interface ResponsesSseReply {
  type: 'sse';
  frames?: Array<string | { type: string; [k: string]: unknown }>;
  text?: string;
  split?: SplitSpec;
  delayMs?: number;
  hang?: boolean;
  status?: number;
  headers?: Record<string, string>;
}

export interface ResponsesObjectReply {
  type: 'response';
  content?: string;
  functionCalls?: Array<{ callId?: string; name: string; arguments: string }>;
  status?: 'completed' | 'incomplete';
  incompleteReason?: string;
  usage?: MockResponsesUsage | false;
  model?: string;
  headers?: Record<string, string>;
}

export interface ResponsesJsonReply {
  type: 'json';
  status?: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface ResponsesErrorReply {
  type: 'error';
  status: number;
  message?: string;
  errorType?: string;
  code?: string | null;
  param?: string | null;
  retryAfter?: number | string;
  retryAfterMs?: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type MockResponsesReply =
  | ResponsesStreamReply
  | ResponsesSseReply
  | ResponsesObjectReply
  | ResponsesJsonReply
  | ResponsesErrorReply
  | { type: 'hang' }
  | { type: 'destroy' };

export type MockResponsesHandler = (req: RecordedRequest) => MockResponsesReply | Promise<MockResponsesReply>;


export interface MockResponsesUpstream {
  /** Base URL ending in /v1, e.g. http://127.0.0.1:54321/v1. */
  url: string;
  requests: RecordedRequest[];
  enqueue(...replies: Array<MockResponsesReply | MockResponsesHandler>): void;
  setFallback(reply: MockResponsesReply | MockResponsesHandler): void;
  waitForRequest(index?: number): Promise<RecordedRequest>;
  close(): Promise<void>;
}

export async function startMockResponsesUpstream(
  options: { fallback?: MockResponsesReply | MockResponsesHandler } = {},
): Promise<MockResponsesUpstream> {
  const { origin, ...scripted } = await startScriptedServer<MockResponsesReply>({
    fallback: options.fallback ?? { type: 'error', status: 500, message: 'mock upstream: no reply queued', errorType: 'server_error' },
    respond,
    handlerFailed: (res, message) => sendJson(res, 500, { error: { message, type: 'server_error', param: null, code: null } }, undefined),
  });
  return { url: `${origin}/v1`, ...scripted };
}

async function respond(reply: MockResponsesReply, req: RecordedRequest, res: ServerResponse): Promise<void> {
  switch (reply.type) {
    case 'hang':
      return;
    case 'destroy':
      res.socket?.destroy();
      return;
    case 'json':
      sendJson(res, reply.status ?? 200, reply.body, reply.headers);
      return;
    case 'response':
      sendJson(res, 200, buildResponseObject(reply, req.body), reply.headers);
      return;
    case 'error': {
      const headers: Record<string, string> = { 'x-request-id': `req_${randomHex(16)}`, ...reply.headers };
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
          type: reply.errorType ?? (reply.status >= 500 ? 'server_error' : 'invalid_request_error'),
          param: reply.param ?? null,
          code: reply.code ?? null,
        },
      };
      sendJson(res, reply.status, body, headers);
      return;
    }
    case 'stream': {
      if (!streamRequested(req.body) && !reply.hang && !reply.errorEvent && reply.status !== 'failed') {
        // Asked for no stream, a real server sends the terminal event's Response object as the body.
        // (`delayMs` between frames becomes the time the whole answer takes.)
        const frames = buildResponsesFrames(reply, req.body);
        if (reply.delayMs) await sleep(reply.delayMs * (frames.length - 1));
        sendJson(res, reply.httpStatus ?? 200, responseFromFrames(frames), reply.headers);
        return;
      }
      const eol = reply.lineEnding ?? '\n';
      const frames = buildResponsesFrames(reply, req.body).map((f) => (eol === '\n' ? f : f.replace(/\n/g, '\r\n')));
      await writeSse(res, frames, reply.split ?? 'frames', reply.delayMs ?? 0, reply.hang ?? false, reply.httpStatus, reply.headers);
      return;
    }
    case 'sse': {
      const frames = reply.text !== undefined ? [reply.text] : (reply.frames ?? []).map((f) => (typeof f === 'string' ? f : frame(f)));
      await writeSse(res, frames, reply.split ?? (reply.text !== undefined ? 'whole' : 'frames'), reply.delayMs ?? 0, reply.hang ?? false, reply.status, reply.headers);
      return;
    }
  }
}




// ---------------------------------------------------------------------------
// Wire builders (exported so tests can feed the same bytes to the decoder)

function randomHex(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(Math.random() * 16).toString(16);
  return s;
}

/** One SSE frame as OpenAI writes it: the event name repeats the payload's type. */
export function frame(payload: { type: string; [k: string]: unknown }): string {
  return `event: ${payload.type}\ndata: ${JSON.stringify(payload)}\n\n`;
}


function echo(requestBody: unknown): Record<string, unknown> {
  const b = (requestBody ?? {}) as Record<string, unknown>;
  return {
    instructions: b.instructions ?? null,
    max_output_tokens: b.max_output_tokens ?? null,
    parallel_tool_calls: b.parallel_tool_calls ?? true,
    reasoning: { effort: (b.reasoning as { effort?: unknown } | undefined)?.effort ?? null, summary: null },
    store: b.store ?? true,
    temperature: b.temperature ?? 1,
    text: b.text ?? { format: { type: 'text' } },
    tool_choice: b.tool_choice ?? 'auto',
    tools: b.tools ?? [],
    top_p: b.top_p ?? 1,
  };
}

/** The SSE frames an OpenAI Responses server would send for a stream reply. */
export function buildResponsesFrames(reply: Omit<ResponsesStreamReply, 'type'>, requestBody?: unknown): string[] {
  const model = reply.model ?? ((requestBody as { model?: unknown } | undefined)?.model as string | undefined) ?? 'gpt-4.1-mini-2025-04-14';
  const id = reply.id ?? `resp_${randomHex(48)}`;
  const created = Math.floor(Date.now() / 1000);
  let seq = 0;
  const frames: string[] = [];
  const emit = (payload: Record<string, unknown> & { type: string }): void => {
    const { type, ...rest } = payload;
    frames.push(frame({ type, sequence_number: seq++, ...rest }));
  };
  const base = {
    id,
    object: 'response',
    created_at: created,
    background: false,
    error: null,
    incomplete_details: null,
    model,
    output: [] as unknown[],
    previous_response_id: null,
    service_tier: 'auto',
    truncation: 'disabled',
    usage: null as unknown,
    user: null,
    metadata: {},
    ...echo(requestBody),
  };
  emit({ type: 'response.created', response: { ...base, status: 'in_progress' } });
  emit({ type: 'response.in_progress', response: { ...base, status: 'in_progress' } });

  const output: unknown[] = [];
  let outputTokens = 0;
  const summary = asList(reply.reasoningSummary);
  if (summary.length > 0) {
    const index = output.length;
    const itemId = `rs_${randomHex(48)}`;
    emit({ type: 'response.output_item.added', output_index: index, item: { id: itemId, type: 'reasoning', summary: [] } });
    emit({ type: 'response.reasoning_summary_part.added', item_id: itemId, output_index: index, summary_index: 0, part: { type: 'summary_text', text: '' } });
    for (const d of summary) emit({ type: 'response.reasoning_summary_text.delta', item_id: itemId, output_index: index, summary_index: 0, delta: d, obfuscation: 'x1' });
    const text = summary.join('');
    emit({ type: 'response.reasoning_summary_text.done', item_id: itemId, output_index: index, summary_index: 0, text });
    emit({ type: 'response.reasoning_summary_part.done', item_id: itemId, output_index: index, summary_index: 0, part: { type: 'summary_text', text } });
    const item = { id: itemId, type: 'reasoning', summary: [{ type: 'summary_text', text }] };
    emit({ type: 'response.output_item.done', output_index: index, item });
    output.push(item);
  }
  const content = asList(reply.content);
  const calls = reply.functionCalls ?? [];
  if (content.length > 0 || calls.length === 0) {
    const index = output.length;
    const itemId = `msg_${randomHex(48)}`;
    emit({ type: 'response.output_item.added', output_index: index, item: { id: itemId, type: 'message', status: 'in_progress', content: [], role: 'assistant' } });
    emit({ type: 'response.content_part.added', item_id: itemId, output_index: index, content_index: 0, part: { type: 'output_text', annotations: [], logprobs: [], text: '' } });
    for (const d of content) {
      emit({ type: 'response.output_text.delta', item_id: itemId, output_index: index, content_index: 0, delta: d, logprobs: [], obfuscation: 'aB3' });
      outputTokens++;
    }
    const text = content.join('');
    if (!reply.hang) {
      emit({ type: 'response.output_text.done', item_id: itemId, output_index: index, content_index: 0, text, logprobs: [] });
      const part = { type: 'output_text', annotations: [], logprobs: [], text };
      emit({ type: 'response.content_part.done', item_id: itemId, output_index: index, content_index: 0, part });
      const item = { id: itemId, type: 'message', status: reply.status === 'incomplete' ? 'incomplete' : 'completed', content: [part], role: 'assistant' };
      emit({ type: 'response.output_item.done', output_index: index, item });
      output.push(item);
    }
  }
  for (const call of calls) {
    const index = output.length;
    const itemId = `fc_${randomHex(48)}`;
    const callId = call.callId ?? `call_${randomHex(24)}`;
    emit({ type: 'response.output_item.added', output_index: index, item: { id: itemId, type: 'function_call', status: 'in_progress', arguments: '', call_id: callId, name: call.name } });
    for (const d of asList(call.arguments)) {
      emit({ type: 'response.function_call_arguments.delta', item_id: itemId, output_index: index, delta: d, obfuscation: 'Qz' });
      outputTokens++;
    }
    const args = asList(call.arguments).join('');
    emit({ type: 'response.function_call_arguments.done', item_id: itemId, output_index: index, name: call.name, arguments: args });
    const item = { id: itemId, type: 'function_call', status: 'completed', arguments: args, call_id: callId, name: call.name };
    emit({ type: 'response.output_item.done', output_index: index, item });
    output.push(item);
  }
  if (reply.hang) return frames;
  if (reply.errorEvent) {
    emit({ type: 'error', code: reply.errorEvent.code, message: reply.errorEvent.message, param: reply.errorEvent.param ?? null });
    return frames;
  }

  const usage = reply.usage === false ? null : (reply.usage ?? defaultUsage(12, outputTokens));
  const status = reply.status ?? 'completed';
  const final = { ...base, status, output, usage } as Record<string, unknown>;
  if (status === 'incomplete') final.incomplete_details = { reason: reply.incompleteReason ?? 'max_output_tokens' };
  if (status === 'failed') final.error = reply.error ?? { code: 'server_error', message: 'The server had an error while processing your request. Sorry about that!' };
  emit({ type: `response.${status}`, response: final });
  if (reply.done) frames.push('data: [DONE]\n\n');
  return frames;
}

/** The Response object of a stream's terminal event (`response.completed` / `.incomplete`): what a non-streaming request gets. */
export function responseFromFrames(frames: string[]): Record<string, unknown> {
  for (const f of [...frames].reverse()) {
    const data = /^data: (.*)$/m.exec(f)?.[1];
    if (!data || data === '[DONE]') continue;
    const event = JSON.parse(data) as { type: string; response?: Record<string, unknown> };
    if (event.response && /^response\.(completed|incomplete)$/.test(event.type)) return event.response;
  }
  throw new Error('mock responses upstream: the stream has no terminal event');
}

function defaultUsage(input: number, output: number): MockResponsesUsage {
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: input + output,
  };
}

/** A non-streaming Response body. */
export function buildResponseObject(reply: Omit<ResponsesObjectReply, 'type'>, requestBody?: unknown): Record<string, unknown> {
  const model = reply.model ?? ((requestBody as { model?: unknown } | undefined)?.model as string | undefined) ?? 'gpt-4.1-mini-2025-04-14';
  const output: unknown[] = [];
  if (reply.content !== undefined) {
    output.push({
      id: `msg_${randomHex(48)}`,
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', annotations: [], logprobs: [], text: reply.content }],
    });
  }
  for (const c of reply.functionCalls ?? []) {
    output.push({ id: `fc_${randomHex(48)}`, type: 'function_call', status: 'completed', arguments: c.arguments, call_id: c.callId ?? `call_${randomHex(24)}`, name: c.name });
  }
  const status = reply.status ?? 'completed';
  return {
    id: `resp_${randomHex(48)}`,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status,
    error: null,
    incomplete_details: status === 'incomplete' ? { reason: reply.incompleteReason ?? 'max_output_tokens' } : null,
    model,
    output,
    usage: reply.usage === false ? null : (reply.usage ?? defaultUsage(10, 5)),
    ...echo(requestBody),
  };
}
