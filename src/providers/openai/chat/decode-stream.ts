/**
 * Upstream `text/event-stream` body → Chat Completions chunks → ProviderEvents.
 *
 * Layers, each usable on its own:
 * - `SseDecoder`: a WHATWG-conformant SSE line parser over text that arrives
 *   in arbitrary pieces (LF, CR or CRLF line ends, even a CRLF split across
 *   pieces; multi-line `data:`; `:` comments; `event:`; a final event without
 *   its blank line is still delivered, since some servers omit it).
 * - `ChatEventMapper`: chat chunks (or a whole non-streaming completion) →
 *   ProviderEvents, keeping tool-call state.
 * - `decodeChatStream`: bytes → events, UTF-8 decoded in streaming mode so a
 *   multi-byte character split between network reads survives.
 *
 * Event order: text-delta / tool-call-start / tool-call-delta as they arrive;
 * tool-call-end for every call when the finish chunk arrives; then, when the
 * stream ends, one usage and one finish event.
 *
 * Usage: taken from the last chunk that carried `usage` (OpenAI sends it in a
 * final chunk with empty `choices` when `stream_options.include_usage` is set;
 * vLLM with continuous usage sends a running total in every chunk, so the last
 * one wins). A server that never reports usage (older Ollama and LM Studio, some
 * proxies drop `stream_options`) gets usage estimated with the o200k tokenizer:
 * input = tokens of every sent message's text, tool-call names and arguments,
 * plus the serialized tool definitions and OpenAI's per-message overhead (images
 * and files are not counted); output = tokens of the received text and
 * tool-call names and arguments. Estimates are approximate for non-OpenAI
 * tokenizers but keep metering and budgets working.
 */
import { randomBytes } from 'node:crypto';
import { SseDecoder, type SseEvent } from '../../../util/sse-decoder.js';
import { countTokens } from '../../../util/tokens.js';
import type { ProviderEvent } from '../../types.js';
import { parseJson } from '../../../util/parse-json.js';
import { chatChunkSchema, chatCompletionSchema, type ChatChunk, type ChatCompletion, type ChatUsage } from './chat-api.js';
import type { ChatRequestBody } from './convert-request.js';
import { mapFinishReason } from './map-finish-reason.js';
import { malformedUpstream, mapInBandError, type UpstreamContext } from './map-upstream-error.js';

/** Re-exported from src/util/sse-decoder.ts, where it lives. */
export { SseDecoder, type SseEvent };

// ---------------------------------------------------------------------------
// Chunks → ProviderEvents

export interface ChatDecodeOptions {
  /** Used for in-band error mapping (API key redaction). */
  upstream?: UpstreamContext;
  /** Input token estimate for when the upstream reports no usage. Defaults to 0. */
  estimateInputTokens?: () => number;
  /** Id for a tool call the server sent without one. Defaults to `call_<24 random hex>`. */
  generateCallId?: () => string;
}

interface CallState {
  outIndex: number;
  upstreamId: string | undefined;
  callId: string | undefined;
  name: string;
  started: boolean;
  ended: boolean;
  pendingArgs: string;
}

export function generateCallId(): string {
  return `call_${randomBytes(12).toString('hex')}`;
}

export class ChatEventMapper {
  private readonly calls: CallState[] = [];
  /** Upstream tool-call key (index, or id when a server omits index) → call state. */
  private readonly byKey = new Map<string, CallState>();
  private lastCall: CallState | undefined;
  private finishReason: string | null | undefined;
  private sawFinish = false;
  private usage: ChatUsage | undefined;
  private outputText = '';

  constructor(private readonly options: ChatDecodeOptions = {}) {}

  /** Whether a chunk carried a finish_reason. */
  get finished(): boolean {
    return this.sawFinish;
  }

  push(chunk: ChatChunk): ProviderEvent[] {
    const out: ProviderEvent[] = [];
    if (chunk.usage) this.usage = chunk.usage;
    const choices = chunk.choices ?? [];
    // n > 1 is never requested; should a server send several choices, follow the first.
    const choice = choices.find((c) => c.index == null || c.index === 0);
    if (!choice) return out;
    const delta = choice.delta;
    if (delta) {
      if (delta.content) {
        this.outputText += delta.content;
        out.push({ type: 'text-delta', delta: delta.content });
      }
      // No refusal event exists; a refusal reaches the client as the message text.
      if (delta.refusal) {
        this.outputText += delta.refusal;
        out.push({ type: 'text-delta', delta: delta.refusal });
      }
      for (const tc of delta.tool_calls ?? []) this.toolCallDelta(tc, out);
    }
    if (choice.finish_reason != null && choice.finish_reason !== '') {
      this.finishReason = choice.finish_reason;
      this.sawFinish = true;
      this.endCalls(out);
    }
    return out;
  }

  /** End of the response: closes open calls, then usage and finish. */
  end(): ProviderEvent[] {
    const out: ProviderEvent[] = [];
    this.endCalls(out);
    out.push(this.usageEvent());
    out.push({ type: 'finish', reason: mapFinishReason(this.finishReason, this.calls.length > 0) });
    return out;
  }

  private toolCallDelta(tc: NonNullable<NonNullable<NonNullable<ChatChunk['choices']>[number]['delta']>['tool_calls']>[number], out: ProviderEvent[]): void {
    const id = tc.id ?? undefined;
    let state: CallState | undefined;
    let key: string;
    if (tc.index != null) {
      key = `i${tc.index}`;
      state = this.byKey.get(key);
      // A new id and name at a known index is a new call (some servers give every
      // call index 0). Continuation fragments carry neither, or repeat the id.
      if (state && id !== undefined && state.upstreamId !== undefined && id !== state.upstreamId && state.name !== '' && tc.function?.name) {
        state = undefined;
      }
    } else if (id !== undefined) {
      key = `id:${id}`;
      state = this.byKey.get(key);
    } else {
      // Neither index nor id: a continuation of the latest call.
      state = this.lastCall;
      key = `n${this.calls.length}`;
    }
    if (!state) {
      state = {
        outIndex: this.calls.length,
        upstreamId: id,
        callId: id,
        name: '',
        started: false,
        ended: false,
        pendingArgs: '',
      };
      this.calls.push(state);
      this.byKey.set(key, state);
      if (id !== undefined) this.byKey.set(`id:${id}`, state);
    }
    this.lastCall = state;
    if (state.ended) return;

    const fn = tc.function;
    if (!state.started && fn?.name) state.name = fn.name;
    if (state.callId === undefined && id !== undefined) state.callId = id;
    let args = '';
    if (fn?.arguments != null) args = typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments);
    this.outputText += args;
    if (!state.started) {
      state.pendingArgs += args;
      if (state.name !== '') this.start(state, out);
    } else if (args !== '') {
      out.push({ type: 'tool-call-delta', index: state.outIndex, delta: args });
    }
  }

  private start(state: CallState, out: ProviderEvent[]): void {
    state.started = true;
    state.callId ??= (this.options.generateCallId ?? generateCallId)();
    this.outputText += state.name;
    out.push({ type: 'tool-call-start', index: state.outIndex, callId: state.callId, name: state.name });
    if (state.pendingArgs !== '') {
      out.push({ type: 'tool-call-delta', index: state.outIndex, delta: state.pendingArgs });
      state.pendingArgs = '';
    }
  }

  private endCalls(out: ProviderEvent[]): void {
    for (const state of this.calls) {
      if (state.ended) continue;
      // A call whose name never arrived still gets reported, so arguments are not lost silently.
      if (!state.started) this.start(state, out);
      state.ended = true;
      out.push({ type: 'tool-call-end', index: state.outIndex });
    }
  }

  private usageEvent(): Extract<ProviderEvent, { type: 'usage' }> {
    const u = this.usage;
    const input = u?.prompt_tokens ?? (this.options.estimateInputTokens ? this.options.estimateInputTokens() : 0);
    const output = u?.completion_tokens ?? countTokens(this.outputText);
    const ev: Extract<ProviderEvent, { type: 'usage' }> = { type: 'usage', inputTokens: input, outputTokens: output };
    const cached = u?.prompt_tokens_details?.cached_tokens;
    if (cached != null) ev.cachedTokens = cached;
    const reasoning = u?.completion_tokens_details?.reasoning_tokens;
    if (reasoning != null) ev.reasoningTokens = reasoning;
    return ev;
  }
}

// ---------------------------------------------------------------------------
// Bytes → events

const isOptString = (v: unknown): v is string | null | undefined => v === undefined || v === null || typeof v === 'string';
const isOptNumber = (v: unknown): v is number | null | undefined => v === undefined || v === null || typeof v === 'number';

/**
 * The chunk most of a stream is made of — one choice whose delta carries
 * text (no tool calls, no usage) — checked by hand, as `chatChunkSchema`
 * would accept it and with the same fields kept. Anything else (tool calls,
 * usage, several choices, a wrong type) returns undefined and goes through the
 * schema. Parsing every chunk with zod was a measurable share of the CPU a
 * request costs.
 */
export function plainTextChunk(value: unknown): ChatChunk | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const v = value as Record<string, unknown>;
  if (!isOptString(v.id) || !isOptString(v.model) || (v.usage !== undefined && v.usage !== null)) return undefined;
  const choices = v.choices;
  if (!Array.isArray(choices) || choices.length !== 1) return undefined;
  const c = choices[0] as Record<string, unknown> | null;
  if (typeof c !== 'object' || c === null || !isOptNumber(c.index) || !isOptString(c.finish_reason)) return undefined;
  const d = c.delta as Record<string, unknown> | null | undefined;
  if (d !== undefined && d !== null) {
    if (typeof d !== 'object' || Array.isArray(d)) return undefined;
    if (!isOptString(d.role) || !isOptString(d.content) || !isOptString(d.refusal)) return undefined;
    if (d.tool_calls !== undefined && d.tool_calls !== null) return undefined;
  }
  const choice: NonNullable<ChatChunk['choices']>[number] = {};
  if (c.index !== undefined) choice.index = c.index;
  if (c.finish_reason !== undefined) choice.finish_reason = c.finish_reason;
  if (d !== undefined) {
    if (d === null) choice.delta = null;
    else {
      const delta: NonNullable<typeof choice.delta> = {};
      if (d.role !== undefined) delta.role = d.role as string | null;
      if (d.content !== undefined) delta.content = d.content as string | null;
      if (d.refusal !== undefined) delta.refusal = d.refusal as string | null;
      if (d.tool_calls !== undefined) delta.tool_calls = null;
      choice.delta = delta;
    }
  }
  const out: ChatChunk = { choices: [choice] };
  if (v.id !== undefined) out.id = v.id;
  if (v.model !== undefined) out.model = v.model;
  if (v.usage !== undefined) out.usage = null;
  return out;
}

/**
 * Decodes an upstream SSE body into ProviderEvents. Throws ApiError
 * (service_unavailable / invalid_request) for in-band `error` payloads,
 * malformed chunks, and a body that ends before both a finish_reason and
 * `[DONE]` (a cut connection must not pass for a complete answer).
 */
export async function* decodeChatStream(body: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>, options: ChatDecodeOptions = {}): AsyncGenerator<ProviderEvent, void, undefined> {
  const utf8 = new TextDecoder('utf-8');
  const sse = new SseDecoder();
  const mapper = new ChatEventMapper(options);
  let done = false;

  const handle = (ev: SseEvent): ProviderEvent[] => {
    const data = ev.data.trim();
    if (data === '') return [];
    if (data === '[DONE]') {
      done = true;
      return [];
    }
    const parsed = parseJson(data);
    if (!parsed.ok) {
      if (ev.event === 'error') throw mapInBandError({ error: data }, options.upstream ?? noContext);
      throw malformedUpstream('invalid JSON in the event stream');
    }
    if (ev.event === 'error' || hasErrorField(parsed.value)) throw mapInBandError(parsed.value, options.upstream ?? noContext);
    const plain = plainTextChunk(parsed.value);
    if (plain) return mapper.push(plain);
    const chunk = chatChunkSchema.safeParse(parsed.value);
    if (!chunk.success) throw malformedUpstream('unexpected chunk in the event stream');
    return mapper.push(chunk.data);
  };

  outer: for await (const piece of body) {
    const text = typeof piece === 'string' ? piece : utf8.decode(piece, { stream: true });
    for (const ev of sse.push(text)) {
      yield* handle(ev);
      if (done) break outer;
    }
  }
  if (!done) {
    const tail = utf8.decode();
    const events = tail === '' ? sse.end() : [...sse.push(tail), ...sse.end()];
    for (const ev of events) {
      yield* handle(ev);
      if (done) break;
    }
  }
  if (!done && !mapper.finished) throw malformedUpstream('the event stream ended before the response was complete');
  yield* mapper.end();
}

/** A non-streaming `chat.completion` body as the same ProviderEvents a stream would give. */
export function completionToEvents(value: unknown, options: ChatDecodeOptions = {}): ProviderEvent[] {
  if (hasErrorField(value)) throw mapInBandError(value, options.upstream ?? noContext);
  const parsed = chatCompletionSchema.safeParse(value);
  if (!parsed.success) throw malformedUpstream('unexpected JSON body');
  return eventsFromCompletion(parsed.data, options);
}

function eventsFromCompletion(completion: ChatCompletion, options: ChatDecodeOptions): ProviderEvent[] {
  const mapper = new ChatEventMapper(options);
  const choice = completion.choices.find((c) => c.index == null || c.index === 0);
  const msg = choice?.message;
  const chunk: ChatChunk = {
    choices: [
      {
        index: 0,
        delta: {
          content: msg?.content,
          refusal: msg?.refusal,
          tool_calls: msg?.tool_calls?.map((tc, index) => ({ index, id: tc.id, type: tc.type, function: tc.function })),
        },
        finish_reason: choice?.finish_reason ?? 'stop',
      },
    ],
    usage: completion.usage,
  };
  return [...mapper.push(chunk), ...mapper.end()];
}

const noContext: UpstreamContext = { url: '', model: '' };

function hasErrorField(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'error' in value && (value as { error: unknown }).error != null;
}

// ---------------------------------------------------------------------------
// Usage estimate

/** Approximate prompt tokens of a chat request (see the module comment). */
export function estimateInputTokens(body: Pick<ChatRequestBody, 'messages' | 'tools'>): number {
  let total = 3; // reply priming
  for (const m of body.messages) {
    total += 3; // per-message overhead
    if (typeof m.content === 'string') total += countTokens(m.content);
    else if (Array.isArray(m.content)) {
      for (const p of m.content) if (p.type === 'text') total += countTokens(p.text);
    }
    if (m.role === 'assistant') {
      for (const tc of m.tool_calls ?? []) total += countTokens(tc.function.name) + countTokens(tc.function.arguments);
    }
  }
  if (body.tools && body.tools.length > 0) total += countTokens(JSON.stringify(body.tools));
  return total;
}
