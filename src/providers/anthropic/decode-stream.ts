/**
 * Anthropic Messages `text/event-stream` body → ProviderEvents.
 *
 * Layers, like the chat backend (with the shared `SseDecoder` of src/util/sse-decoder.ts):
 * - `AnthropicEventMapper`: one parsed stream event at a time → ProviderEvents,
 *   keeping content-block state.
 * - `decodeAnthropicStream`: bytes → SSE events → mapper, UTF-8 decoded in
 *   streaming mode.
 * - `messageToEvents`: a whole non-streaming message → the same events.
 *
 * Events: `message_start` (usage so far), `content_block_start` (`text`, or
 * `tool_use` with id and name → tool-call-start), `content_block_delta`
 * (`text_delta` → text-delta, `input_json_delta.partial_json` →
 * tool-call-delta), `content_block_stop` (→ tool-call-end), `message_delta`
 * (stop_reason, cumulative usage), `message_stop`, `ping`, `error` (→ ApiError).
 * Other block types (thinking, redacted_thinking, server tools) and delta types
 * (thinking, signature, citations) are ignored, as are unknown event types.
 *
 * The tool that emulates a JSON output format (see convert-request.ts) is not
 * reported as a function call: its `partial_json` fragments are text deltas
 * (buffered and unwrapped from `{value: …}` when the schema had to be
 * wrapped). Only its first call counts; further calls are ignored.
 *
 * A tool_use block whose input arrives without any `partial_json` reports its
 * `content_block_start` input (usually `{}`) as the arguments.
 *
 * Usage: Anthropic's `input_tokens` excludes cached tokens, so inputTokens is
 * input + cache_creation_input + cache_read_input tokens and cachedTokens is
 * cache_read_input_tokens (OpenAI semantics: cached ⊂ input). Counts in
 * `message_delta` are cumulative and override those of `message_start`. When
 * no usage arrives at all (a proxy dropped it), tokens are estimated with the
 * o200k tokenizer, as in the chat backend.
 *
 * A body that ends before `message_stop` and without a `message_delta`
 * stop_reason is an error: a cut connection must not pass for an answer.
 */
import { countTokens } from '../../util/tokens.js';
import { SseDecoder, type SseEvent } from '../../util/sse-decoder.js';
import type { ProviderEvent } from '../types.js';
import {
  anthropicMessageSchema,
  contentBlockDeltaSchema,
  contentBlockStartSchema,
  contentBlockStopSchema,
  messageDeltaSchema,
  messageStartSchema,
  parseJson,
  type AnthropicUsage,
} from './anthropic-api.js';
import type { AnthropicRequestBody, JsonOutputTool } from './convert-request.js';
import { mapFinishReason } from './map-finish-reason.js';
import { malformedUpstream, mapStreamError, type AnthropicUpstreamContext } from './map-upstream-error.js';

export interface AnthropicDecodeOptions {
  /** For error mapping (API key redaction). */
  upstream?: AnthropicUpstreamContext;
  /** The tool standing in for a JSON output format, when the request had one. */
  jsonTool?: JsonOutputTool;
  /** Input token estimate for when the upstream reports no usage. Defaults to 0. */
  estimateInputTokens?: () => number;
}

type BlockState =
  | { kind: 'text' }
  | { kind: 'tool'; outIndex: number; args: string; input: unknown; ended: boolean }
  | { kind: 'json'; buffer: string; emitted: boolean; input: unknown; ended: boolean }
  | { kind: 'ignored' };

const noContext: AnthropicUpstreamContext = { url: '', model: '' };

export class AnthropicEventMapper {
  private readonly blocks = new Map<number, BlockState>();
  private toolCount = 0;
  private jsonToolUsed = false;
  private usage: AnthropicUsage = {};
  private sawUsage = false;
  private stopReason: string | null | undefined;
  private sawStopReason = false;
  private stopped = false;
  private outputText = '';

  constructor(private readonly options: AnthropicDecodeOptions = {}) {}

  /** Whether the message ended (`message_stop`, or a `message_delta` with a stop_reason). */
  get finished(): boolean {
    return this.stopped || this.sawStopReason;
  }

  /** Whether `message_stop` arrived. */
  get complete(): boolean {
    return this.stopped;
  }

  /** One parsed stream event (the JSON of a `data:` line). Throws ApiError for `error` events. */
  push(value: unknown): ProviderEvent[] {
    const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
    const out: ProviderEvent[] = [];
    switch (type) {
      case 'message_start': {
        const ev = parse(messageStartSchema, value);
        if (ev.message?.usage) this.mergeUsage(ev.message.usage);
        break;
      }
      case 'content_block_start': {
        const ev = parse(contentBlockStartSchema, value);
        this.blockStart(ev.index, ev.content_block, out);
        break;
      }
      case 'content_block_delta': {
        const ev = parse(contentBlockDeltaSchema, value);
        this.blockDelta(ev.index, ev.delta, out);
        break;
      }
      case 'content_block_stop': {
        const ev = parse(contentBlockStopSchema, value);
        const block = this.blocks.get(ev.index);
        if (block) this.closeBlock(block, out);
        break;
      }
      case 'message_delta': {
        const ev = parse(messageDeltaSchema, value);
        if (ev.usage) this.mergeUsage(ev.usage);
        if (ev.delta?.stop_reason != null) {
          this.stopReason = ev.delta.stop_reason;
          this.sawStopReason = true;
        }
        break;
      }
      case 'message_stop':
        this.stopped = true;
        break;
      case 'error':
        throw mapStreamError(value, this.options.upstream ?? noContext);
      default:
        // ping and event types this backend does not use.
        break;
    }
    return out;
  }

  /** End of the message: closes open blocks, then usage and finish. */
  end(): ProviderEvent[] {
    const out: ProviderEvent[] = [];
    for (const block of this.blocks.values()) this.closeBlock(block, out);
    out.push(this.usageEvent());
    out.push({ type: 'finish', reason: mapFinishReason(this.stopReason, this.toolCount > 0) });
    return out;
  }

  private blockStart(index: number, block: { type: string; text?: string | null | undefined; id?: string | null | undefined; name?: string | null | undefined; input?: unknown }, out: ProviderEvent[]): void {
    if (this.blocks.has(index)) return; // a repeated start is ignored
    switch (block.type) {
      case 'text':
        this.blocks.set(index, { kind: 'text' });
        if (block.text) this.text(block.text, out);
        return;
      case 'tool_use': {
        const name = block.name ?? '';
        const jsonTool = this.options.jsonTool;
        if (jsonTool && name === jsonTool.name) {
          if (this.jsonToolUsed) {
            this.blocks.set(index, { kind: 'ignored' });
          } else {
            this.jsonToolUsed = true;
            this.blocks.set(index, { kind: 'json', buffer: '', emitted: false, input: block.input, ended: false });
          }
          return;
        }
        const outIndex = this.toolCount++;
        const callId = block.id ?? `toolu_cohort_${outIndex}`;
        this.outputText += name;
        this.blocks.set(index, { kind: 'tool', outIndex, args: '', input: block.input, ended: false });
        out.push({ type: 'tool-call-start', index: outIndex, callId, name });
        return;
      }
      default:
        this.blocks.set(index, { kind: 'ignored' });
    }
  }

  private blockDelta(index: number, delta: { type: string; text?: string | null | undefined; partial_json?: string | null | undefined }, out: ProviderEvent[]): void {
    const block = this.blocks.get(index);
    if (!block) {
      // A delta without its start (a lenient proxy): infer the block from the delta.
      if (delta.type === 'text_delta') {
        this.blocks.set(index, { kind: 'text' });
        this.blockDelta(index, delta, out);
      }
      return;
    }
    if (delta.type === 'text_delta' && block.kind === 'text') {
      if (delta.text) this.text(delta.text, out);
      return;
    }
    if (delta.type !== 'input_json_delta' || !delta.partial_json) return;
    const fragment = delta.partial_json;
    if (block.kind === 'tool' && !block.ended) {
      block.args += fragment;
      this.outputText += fragment;
      out.push({ type: 'tool-call-delta', index: block.outIndex, delta: fragment });
    } else if (block.kind === 'json' && !block.ended) {
      block.buffer += fragment;
      if (!this.options.jsonTool?.wrapped) {
        block.emitted = true;
        this.text(fragment, out);
      }
    }
  }

  private closeBlock(block: BlockState, out: ProviderEvent[]): void {
    if (block.kind === 'tool') {
      if (block.ended) return;
      block.ended = true;
      if (block.args === '') {
        const args = JSON.stringify(isRecord(block.input) ? block.input : {});
        this.outputText += args;
        out.push({ type: 'tool-call-delta', index: block.outIndex, delta: args });
      }
      out.push({ type: 'tool-call-end', index: block.outIndex });
    } else if (block.kind === 'json') {
      if (block.ended) return;
      block.ended = true;
      if (this.options.jsonTool?.wrapped) {
        this.text(unwrap(block.buffer, block.input), out);
      } else if (!block.emitted) {
        this.text(JSON.stringify(isRecord(block.input) ? block.input : {}), out);
      }
    }
  }

  private text(delta: string, out: ProviderEvent[]): void {
    if (delta === '') return;
    this.outputText += delta;
    out.push({ type: 'text-delta', delta });
  }

  private mergeUsage(u: AnthropicUsage): void {
    this.sawUsage = true;
    for (const key of ['input_tokens', 'output_tokens', 'cache_creation_input_tokens', 'cache_read_input_tokens'] as const) {
      const v = u[key];
      if (v != null) this.usage[key] = v;
    }
  }

  private usageEvent(): Extract<ProviderEvent, { type: 'usage' }> {
    const u = this.usage;
    const estimate = (): number => (this.options.estimateInputTokens ? this.options.estimateInputTokens() : 0);
    const base = this.sawUsage && u.input_tokens != null ? u.input_tokens : estimate();
    const input = base + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0);
    const output = u.output_tokens ?? countTokens(this.outputText);
    const ev: Extract<ProviderEvent, { type: 'usage' }> = { type: 'usage', inputTokens: input, outputTokens: output };
    if (u.cache_read_input_tokens != null) ev.cachedTokens = u.cache_read_input_tokens;
    return ev;
  }
}

function parse<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } }, value: unknown): T {
  const r = schema.safeParse(value);
  if (!r.success) throw malformedUpstream('unexpected event in the event stream');
  return r.data;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The JSON of `value` inside a wrapped format-tool input; the raw text when it cannot be parsed. */
function unwrap(buffer: string, startInput: unknown): string {
  let input: unknown = startInput;
  if (buffer !== '') {
    const parsed = parseJson(buffer);
    if (!parsed.ok) return buffer;
    input = parsed.value;
  }
  if (isRecord(input) && 'value' in input) return JSON.stringify(input.value);
  return JSON.stringify(input ?? {});
}

// ---------------------------------------------------------------------------
// Bytes → events

/**
 * Decodes an Anthropic SSE body into ProviderEvents. Throws ApiError for
 * `error` events, malformed data and a body cut before the message ended.
 */
export async function* decodeAnthropicStream(
  body: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  options: AnthropicDecodeOptions = {},
): AsyncGenerator<ProviderEvent, void, undefined> {
  const utf8 = new TextDecoder('utf-8');
  const sse = new SseDecoder();
  const mapper = new AnthropicEventMapper(options);

  const handle = (ev: SseEvent): ProviderEvent[] => {
    const data = ev.data.trim();
    if (data === '' || data === '[DONE]') return [];
    const parsed = parseJson(data);
    if (!parsed.ok) {
      if (ev.event === 'error') throw mapStreamError({ error: { message: data } }, options.upstream ?? noContext);
      throw malformedUpstream('invalid JSON in the event stream');
    }
    let value = parsed.value;
    // The SSE event name and the payload's `type` agree on Anthropic; trust the name when the payload lacks a type.
    if (isRecord(value) && typeof value.type !== 'string' && ev.event !== 'message') value = { ...value, type: ev.event };
    return mapper.push(value);
  };

  outer: for await (const piece of body) {
    const text = typeof piece === 'string' ? piece : utf8.decode(piece, { stream: true });
    for (const ev of sse.push(text)) {
      yield* handle(ev);
      if (mapper.complete) break outer;
    }
  }
  if (!mapper.complete) {
    const tail = utf8.decode();
    const events = tail === '' ? sse.end() : [...sse.push(tail), ...sse.end()];
    for (const ev of events) {
      yield* handle(ev);
      if (mapper.complete) break;
    }
  }
  if (!mapper.finished) throw malformedUpstream('the event stream ended before the response was complete');
  yield* mapper.end();
}

/** A non-streaming message body as the same ProviderEvents a stream would give. */
export function messageToEvents(value: unknown, options: AnthropicDecodeOptions = {}): ProviderEvent[] {
  if (isRecord(value) && value.type === 'error') throw mapStreamError(value, options.upstream ?? noContext);
  const parsed = anthropicMessageSchema.safeParse(value);
  if (!parsed.success) throw malformedUpstream('unexpected JSON body');
  const message = parsed.data;
  const mapper = new AnthropicEventMapper(options);
  const out: ProviderEvent[] = [];
  out.push(...mapper.push({ type: 'message_start', message: { usage: message.usage ?? null } }));
  message.content.forEach((block, index) => {
    if (block.type === 'text') {
      out.push(...mapper.push({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } }));
      out.push(...mapper.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: block.text ?? '' } }));
    } else if (block.type === 'tool_use') {
      out.push(...mapper.push({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } }));
      const json = JSON.stringify(isRecord(block.input) ? block.input : {});
      out.push(...mapper.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: json } }));
    } else {
      out.push(...mapper.push({ type: 'content_block_start', index, content_block: { type: block.type } }));
    }
    out.push(...mapper.push({ type: 'content_block_stop', index }));
  });
  out.push(...mapper.push({ type: 'message_delta', delta: { stop_reason: message.stop_reason ?? 'end_turn' }, usage: null }));
  out.push(...mapper.push({ type: 'message_stop' }));
  return [...out, ...mapper.end()];
}

// ---------------------------------------------------------------------------
// Usage estimate

/** Approximate input tokens of a Messages request (text, tool calls and tool definitions; images and documents not counted). */
export function estimateInputTokens(body: Pick<AnthropicRequestBody, 'system' | 'messages' | 'tools'>): number {
  let total = body.system ? countTokens(body.system) : 0;
  for (const m of body.messages) {
    total += 3;
    for (const b of m.content) {
      if (b.type === 'text') total += countTokens(b.text);
      else if (b.type === 'tool_use') total += countTokens(b.name) + countTokens(JSON.stringify(b.input));
      else if (b.type === 'tool_result' && b.content !== undefined) total += countTokens(b.content);
    }
  }
  if (body.tools && body.tools.length > 0) total += countTokens(JSON.stringify(body.tools));
  return total;
}
