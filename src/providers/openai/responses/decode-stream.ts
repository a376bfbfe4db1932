/**
 * Upstream Responses `text/event-stream` body → ProviderEvents.
 *
 * Layers, like the chat backend (with the shared `SseDecoder` of src/util/sse-decoder.ts):
 * - `ResponsesEventMapper`: one parsed stream event → ProviderEvents.
 * - `decodeResponsesStream`: bytes → SSE events → mapper.
 * - `responseToEvents`: a whole non-streaming Response → the same events.
 *
 * Events read (by the payload's `type`, or the SSE event name without one):
 * - `response.output_text.delta` (and `response.refusal.delta`, since no
 *   refusal event exists downstream) → text-delta;
 * - `response.output_item.added` with a function_call item → tool-call-start
 *   (callId = item.call_id, name);
 * - `response.function_call_arguments.delta` → tool-call-delta;
 *   `…arguments.done` and `output_item.done` supply any arguments not yet
 *   streamed (servers that send no deltas); `output_item.done` of a
 *   function_call → tool-call-end;
 * - `response.completed` / `response.incomplete` → usage + finish. Output
 *   items the stream never announced (servers that only send the terminal
 *   event) are reported from `response.output`, and message text too when no
 *   text delta was streamed at all;
 * - `response.failed` and `error` → ApiError (see map-upstream-error.ts).
 * Everything else (created/in_progress, content_part, reasoning summaries,
 * annotations, hosted tools, …) is ignored.
 *
 * Usage comes from the terminal Response (input, output, cached and reasoning
 * tokens); without it, tokens are estimated with the o200k tokenizer. A body
 * that ends without a terminal event is an error.
 */
import { randomBytes } from 'node:crypto';
import { countTokens } from '../../../util/tokens.js';
import { SseDecoder, type SseEvent } from '../../../util/sse-decoder.js';
import type { ProviderEvent } from '../../types.js';
import type { ResponsesRequestBody } from './convert-request.js';
import { mapFinishReason } from './map-finish-reason.js';
import { malformedUpstream, mapErrorEvent, mapResponseFailure, type UpstreamContext } from './map-upstream-error.js';
import {
  argumentsDeltaEventSchema,
  argumentsDoneEventSchema,
  outputItemEventSchema,
  parseJson,
  responseObjectSchema,
  terminalEventSchema,
  textDeltaEventSchema,
  type OutputItem,
  type ResponseObject,
} from './responses-api.js';

export interface ResponsesDecodeOptions {
  /** For error mapping (API key redaction). */
  upstream?: UpstreamContext;
  /** Input token estimate for when the upstream reports no usage. Defaults to 0. */
  estimateInputTokens?: () => number;
  /** Id for a function call the server sent without call_id. Defaults to `call_<24 random hex>`. */
  generateCallId?: () => string;
}

interface CallState {
  outIndex: number;
  callId: string | undefined;
  name: string;
  /** Arguments reported so far (or buffered before the start). */
  args: string;
  started: boolean;
  ended: boolean;
}

const noContext: UpstreamContext = { url: '', model: '' };

function generateCallId(): string {
  return `call_${randomBytes(12).toString('hex')}`;
}

export class ResponsesEventMapper {
  private readonly calls: CallState[] = [];
  private readonly byOutputIndex = new Map<number, CallState>();
  private readonly byItemId = new Map<string, CallState>();
  private readonly byCallId = new Map<string, CallState>();
  private streamedText = false;
  private outputText = '';
  private terminal: ResponseObject | undefined;

  constructor(private readonly options: ResponsesDecodeOptions = {}) {}

  /** Whether a terminal event (`response.completed` / `response.incomplete`) arrived. */
  get finished(): boolean {
    return this.terminal !== undefined;
  }

  /** One parsed stream event. Throws ApiError for `error` / `response.failed`. */
  push(value: unknown, eventName?: string): ProviderEvent[] {
    const t = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
    const type = typeof t === 'string' ? t : eventName;
    const out: ProviderEvent[] = [];
    switch (type) {
      case 'response.output_text.delta':
      case 'response.refusal.delta': {
        const ev = parse(textDeltaEventSchema, value);
        if (ev.delta !== '') {
          this.streamedText = true;
          this.text(ev.delta, out);
        }
        break;
      }
      case 'response.output_item.added': {
        const ev = parse(outputItemEventSchema, value);
        if (ev.item.type === 'function_call') {
          const state = this.callFor(ev.output_index, ev.item.id);
          this.describe(state, ev.item);
          this.start(state, out);
          this.catchUp(state, argumentsText(ev.item.arguments), out);
        }
        break;
      }
      case 'response.function_call_arguments.delta': {
        const ev = parse(argumentsDeltaEventSchema, value);
        const state = this.callFor(ev.output_index, ev.item_id);
        if (state.ended || ev.delta === '') break;
        state.args += ev.delta;
        this.outputText += ev.delta;
        if (state.started) out.push({ type: 'tool-call-delta', index: state.outIndex, delta: ev.delta });
        break;
      }
      case 'response.function_call_arguments.done': {
        const ev = parse(argumentsDoneEventSchema, value);
        const state = this.callFor(ev.output_index, ev.item_id);
        if (ev.name && state.name === '') state.name = ev.name;
        this.start(state, out);
        this.catchUp(state, ev.arguments ?? '', out);
        break;
      }
      case 'response.output_item.done': {
        const ev = parse(outputItemEventSchema, value);
        if (ev.item.type === 'function_call') {
          const state = this.callFor(ev.output_index, ev.item.id);
          this.describe(state, ev.item);
          this.start(state, out);
          this.catchUp(state, argumentsText(ev.item.arguments), out);
          this.endCall(state, out);
        }
        break;
      }
      case 'response.completed':
      case 'response.incomplete': {
        const ev = parse(terminalEventSchema, value);
        this.finishWith(ev.response, type === 'response.incomplete' ? 'incomplete' : 'completed', out);
        break;
      }
      case 'response.failed': {
        const ev = terminalEventSchema.safeParse(value);
        throw mapResponseFailure(ev.success ? ev.data.response.error : undefined, this.options.upstream ?? noContext);
      }
      case 'error':
        throw mapErrorEvent(value, this.options.upstream ?? noContext);
      default:
        break;
    }
    return out;
  }

  /**
   * A terminal Response (from a terminal event or a non-streaming body):
   * reports output the stream did not, then remembers usage and status.
   */
  finishWith(response: ResponseObject, fallbackStatus: 'completed' | 'incomplete', out: ProviderEvent[]): void {
    for (const item of response.output ?? []) {
      if (item.type === 'message' && !this.streamedText) {
        const text = (item.content ?? []).map((p) => (p.type === 'output_text' ? (p.text ?? '') : p.type === 'refusal' ? (p.refusal ?? '') : '')).join('');
        this.text(text, out);
      } else if (item.type === 'function_call') {
        const known = (item.call_id && this.byCallId.get(item.call_id)) || (item.id && this.byItemId.get(item.id)) || undefined;
        const state = known ?? this.callFor(undefined, undefined);
        if (!known) this.describe(state, item);
        this.start(state, out);
        this.catchUp(state, argumentsText(item.arguments), out);
        this.endCall(state, out);
      }
    }
    this.terminal = { ...response, status: response.status ?? fallbackStatus };
  }

  /** End of the response: closes open calls, then usage and finish. */
  end(): ProviderEvent[] {
    const events: ProviderEvent[] = [];
    for (const call of this.calls) {
      this.start(call, events);
      this.endCall(call, events);
    }
    events.push(this.usageEvent());
    const r = this.terminal;
    events.push({ type: 'finish', reason: mapFinishReason(r?.status, r?.incomplete_details?.reason, this.calls.length > 0) });
    return events;
  }

  private endCall(state: CallState, out: ProviderEvent[]): void {
    if (state.ended) return;
    state.ended = true;
    out.push({ type: 'tool-call-end', index: state.outIndex });
  }

  private callFor(outputIndex: number | null | undefined, itemId: string | null | undefined): CallState {
    let state = (outputIndex != null ? this.byOutputIndex.get(outputIndex) : undefined) ?? (itemId ? this.byItemId.get(itemId) : undefined);
    if (!state) {
      state = { outIndex: this.calls.length, callId: undefined, name: '', args: '', started: false, ended: false };
      this.calls.push(state);
    }
    if (outputIndex != null && !this.byOutputIndex.has(outputIndex)) this.byOutputIndex.set(outputIndex, state);
    if (itemId && !this.byItemId.has(itemId)) this.byItemId.set(itemId, state);
    return state;
  }

  private describe(state: CallState, item: OutputItem): void {
    if (!state.started) {
      if (item.call_id) state.callId = item.call_id;
      if (item.name) state.name = item.name;
    }
    if (item.id && !this.byItemId.has(item.id)) this.byItemId.set(item.id, state);
    if (item.call_id && !this.byCallId.has(item.call_id)) this.byCallId.set(item.call_id, state);
  }

  private start(state: CallState, out: ProviderEvent[]): void {
    if (state.started) return;
    state.started = true;
    state.callId ??= (this.options.generateCallId ?? generateCallId)();
    this.byCallId.set(state.callId, state);
    this.outputText += state.name;
    out.push({ type: 'tool-call-start', index: state.outIndex, callId: state.callId, name: state.name });
    if (state.args !== '') out.push({ type: 'tool-call-delta', index: state.outIndex, delta: state.args });
  }

  /** Reports the part of the full arguments not streamed yet (nothing when they disagree). */
  private catchUp(state: CallState, full: string, out: ProviderEvent[]): void {
    if (state.ended || full === '' || !full.startsWith(state.args) || full.length === state.args.length) return;
    const rest = full.slice(state.args.length);
    state.args = full;
    this.outputText += rest;
    out.push({ type: 'tool-call-delta', index: state.outIndex, delta: rest });
  }

  private text(delta: string, out: ProviderEvent[]): void {
    if (delta === '') return;
    this.outputText += delta;
    out.push({ type: 'text-delta', delta });
  }

  private usageEvent(): Extract<ProviderEvent, { type: 'usage' }> {
    const u = this.terminal?.usage;
    const input = u?.input_tokens ?? (this.options.estimateInputTokens ? this.options.estimateInputTokens() : 0);
    const output = u?.output_tokens ?? countTokens(this.outputText);
    const ev: Extract<ProviderEvent, { type: 'usage' }> = { type: 'usage', inputTokens: input, outputTokens: output };
    const cached = u?.input_tokens_details?.cached_tokens;
    if (cached != null) ev.cachedTokens = cached;
    const reasoning = u?.output_tokens_details?.reasoning_tokens;
    if (reasoning != null) ev.reasoningTokens = reasoning;
    return ev;
  }
}

function argumentsText(args: OutputItem['arguments']): string {
  if (args == null) return '';
  return typeof args === 'string' ? args : JSON.stringify(args);
}

function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw malformedUpstream('unexpected event in the event stream');
  return r.data;
}

// ---------------------------------------------------------------------------
// Bytes → events

/**
 * Decodes an upstream Responses SSE body into ProviderEvents. Throws ApiError
 * for `error` / `response.failed` events, malformed data and a body that ends
 * without `response.completed` / `response.incomplete`.
 */
export async function* decodeResponsesStream(
  body: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  options: ResponsesDecodeOptions = {},
): AsyncGenerator<ProviderEvent, void, undefined> {
  const utf8 = new TextDecoder('utf-8');
  const sse = new SseDecoder();
  const mapper = new ResponsesEventMapper(options);

  const handle = (ev: SseEvent): ProviderEvent[] => {
    const data = ev.data.trim();
    if (data === '' || data === '[DONE]') return [];
    const parsed = parseJson(data);
    if (!parsed.ok) {
      if (ev.event === 'error') throw mapErrorEvent({ message: data }, options.upstream ?? noContext);
      throw malformedUpstream('invalid JSON in the event stream');
    }
    return mapper.push(parsed.value, ev.event === 'message' ? undefined : ev.event);
  };

  outer: for await (const piece of body) {
    const text = typeof piece === 'string' ? piece : utf8.decode(piece, { stream: true });
    for (const ev of sse.push(text)) {
      yield* handle(ev);
      if (mapper.finished) break outer;
    }
  }
  if (!mapper.finished) {
    const tail = utf8.decode();
    const events = tail === '' ? sse.end() : [...sse.push(tail), ...sse.end()];
    for (const ev of events) {
      yield* handle(ev);
      if (mapper.finished) break;
    }
  }
  if (!mapper.finished) throw malformedUpstream('the event stream ended before the response was complete');
  yield* mapper.end();
}

/** A non-streaming Response body (a server that ignored `stream: true`) as the same events. */
export function responseToEvents(value: unknown, options: ResponsesDecodeOptions = {}): ProviderEvent[] {
  const parsed = responseObjectSchema.safeParse(value);
  const looksLikeResponse = parsed.success && (parsed.data.object === 'response' || Array.isArray(parsed.data.output));
  if (!looksLikeResponse) {
    if (typeof value === 'object' && value !== null && (value as { error?: unknown }).error != null) {
      throw mapErrorEvent(value, options.upstream ?? noContext);
    }
    throw malformedUpstream('unexpected JSON body');
  }
  const response = parsed.data;
  if (response.status === 'failed' || (response.error != null && response.status !== 'completed' && response.status !== 'incomplete')) {
    throw mapResponseFailure(response.error, options.upstream ?? noContext);
  }
  const mapper = new ResponsesEventMapper(options);
  const out: ProviderEvent[] = [];
  mapper.finishWith(response, 'completed', out);
  return [...out, ...mapper.end()];
}

// ---------------------------------------------------------------------------
// Usage estimate

/** Approximate input tokens of a Responses request (text, calls, outputs, tool definitions; images and files not counted). */
export function estimateInputTokens(body: Pick<ResponsesRequestBody, 'instructions' | 'input' | 'tools'>): number {
  let total = body.instructions ? countTokens(body.instructions) + 3 : 0;
  for (const item of body.input) {
    total += 3;
    switch (item.type) {
      case 'message':
        for (const p of item.content) if ('text' in p) total += countTokens(p.text);
        break;
      case 'function_call':
        total += countTokens(item.name) + countTokens(item.arguments);
        break;
      case 'function_call_output':
        total += countTokens(item.output);
        break;
    }
  }
  if (body.tools && body.tools.length > 0) total += countTokens(JSON.stringify(body.tools));
  return total;
}
