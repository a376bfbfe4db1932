/**
 * The one translator from provider events to the Responses protocol. It keeps
 * the Response snapshot and returns, for each provider event, the SSE events a
 * streaming client must see (in the order and shape of
 * shared/reference/responses-protocol.md §3). The non-streaming path runs the
 * same translator and ignores the events.
 */
import type { ProviderEvent } from '../providers/types.js';
import type { ApiError } from '../errors/api-error.js';
import type { Analysis } from '../analysis/types.js';
import type { ServerToolCallRecord } from '../server-tools/types.js';
import { itemId } from '../util/ids.js';
import type { FunctionCallOutputItem, MessageOutputItem, OutputTextPart, ResponseObject, StreamEvent, StreamEventBody, Usage } from './types.js';

export interface TranslatorOptions {
  /** Seconds since the epoch, for completed_at. */
  now: () => number;
  /** Credits for the finished response (src/pricing.ts), given its usage and whether it called functions. */
  price: (usage: Omit<Usage, 'credits_used'>, calledFunctions: boolean) => number;
  /** Token estimates used when a provider ends without a usage event (e.g. on failure). */
  estimateInputTokens: () => number;
  estimateOutputTokens: (text: string) => number;
}


/**
 * What a run adds to a response besides the model's output: the calls of
 * server tools it ran (each time, every call so far), the analysis of the
 * finished answer. They change the response, not the stream: no SSE event
 * of their own; the next snapshot carries them.
 */
export type Annotation = { type: 'server-tool-calls'; calls: ServerToolCallRecord[] } | { type: 'analysis'; analysis: Analysis };

/** Everything that changes a response while it runs. */
export type RunEvent = ProviderEvent | Annotation;

/**
 * The owner of a live Response: it starts from a copy of the response it is
 * given (which stays as it was) and is the only code that changes it.
 */
export class ResponseTranslator {
  readonly response: ResponseObject;
  private seq = 0;
  private message: { index: number; item: MessageOutputItem; text: string } | undefined;
  private readonly calls = new Map<number, { index: number; item: FunctionCallOutputItem }>();
  private usage: { input: number; output: number; cached: number; reasoning: number } | undefined;
  private finishReason: string | undefined;
  private ended = false;

  constructor(
    response: ResponseObject,
    private readonly options: TranslatorOptions,
  ) {
    this.response = { ...response, output: [...response.output] };
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** All output text so far. */
  get outputText(): string {
    return this.response.output_text;
  }

  /**
   * Set when no event outlives its emission: nobody reads them (a
   * non-streaming request), or every reader serializes each event as it is
   * emitted (a foreground stream). The snapshots events carry are then not
   * copied; copying the Response for the lifecycle events is measurable per
   * request. Background runs keep their events for replay, so they copy.
   */
  quiet = false;

  private snapshot<T>(value: T): T {
    return this.quiet ? value : structuredClone(value);
  }

  private ev(e: StreamEventBody): StreamEvent {
    return { ...e, sequence_number: this.seq++ };
  }

  /** response.created then response.in_progress, with the snapshot at this moment. */
  start(): StreamEvent[] {
    this.response.status = 'in_progress';
    const snapshot = this.snapshot(this.response);
    return [this.ev({ type: 'response.created', response: snapshot }), this.ev({ type: 'response.in_progress', response: snapshot })];
  }

  push(event: RunEvent): StreamEvent[] {
    switch (event.type) {
      case 'server-tool-calls':
        this.response.server_tool_calls = event.calls;
        return [];
      case 'analysis':
        this.response.analysis = event.analysis;
        return [];
      case 'text-delta':
        return this.textDelta(event.delta);
      case 'tool-call-start': {
        const out = this.closeMessage('completed');
        const index = this.response.output.length;
        const item: FunctionCallOutputItem = {
          type: 'function_call',
          id: itemId('fc', this.response.id, index),
          call_id: event.callId,
          name: event.name,
          arguments: '',
          status: 'in_progress',
        };
        this.response.output.push(item);
        this.calls.set(event.index, { index, item });
        out.push(this.ev({ type: 'response.output_item.added', output_index: index, item: { ...item } }));
        return out;
      }
      case 'tool-call-delta': {
        const call = this.calls.get(event.index);
        if (!call || event.delta === '') return [];
        call.item.arguments += event.delta;
        return [this.ev({ type: 'response.function_call_arguments.delta', item_id: call.item.id, output_index: call.index, delta: event.delta })];
      }
      case 'tool-call-end': {
        const call = this.calls.get(event.index);
        if (call?.item.status !== 'in_progress') return [];
        return this.closeCall(call, 'completed');
      }
      case 'usage':
        this.usage = { input: event.inputTokens, output: event.outputTokens, cached: event.cachedTokens ?? 0, reasoning: event.reasoningTokens ?? 0 };
        return [];
      case 'finish':
        this.finishReason = event.reason;
        return [];
      case 'engine':
        return []; // Which backend served is the run's business (run.ts), not the protocol's.
    }
  }

  private textDelta(delta: string): StreamEvent[] {
    if (delta === '') return [];
    const out: StreamEvent[] = [];
    if (!this.message) {
      const index = this.response.output.length;
      const item: MessageOutputItem = { type: 'message', id: itemId('msg', this.response.id, index), status: 'in_progress', role: 'assistant', content: [] };
      this.response.output.push(item);
      this.message = { index, item, text: '' };
      out.push(this.ev({ type: 'response.output_item.added', output_index: index, item: { ...item, content: [] } }));
      item.content.push({ type: 'output_text', text: '', annotations: [], logprobs: [] });
      out.push(
        this.ev({
          type: 'response.content_part.added',
          item_id: item.id,
          output_index: index,
          content_index: 0,
          part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
        }),
      );
    }
    const m = this.message;
    m.text += delta;
    m.item.content[0]!.text = m.text;
    this.response.output_text += delta;
    out.push(this.ev({ type: 'response.output_text.delta', item_id: m.item.id, output_index: m.index, content_index: 0, delta, logprobs: [] }));
    return out;
  }

  private closeMessage(status: 'completed' | 'incomplete'): StreamEvent[] {
    const m = this.message;
    if (m?.item.status !== 'in_progress') return [];
    m.item.status = status;
    // Text after this (after a tool call) opens a new message item.
    this.message = undefined;
    const part: OutputTextPart = { type: 'output_text', text: m.text, annotations: [], logprobs: [] };
    return [
      this.ev({ type: 'response.output_text.done', item_id: m.item.id, output_index: m.index, content_index: 0, text: m.text, logprobs: [] }),
      this.ev({ type: 'response.content_part.done', item_id: m.item.id, output_index: m.index, content_index: 0, part }),
      this.ev({ type: 'response.output_item.done', output_index: m.index, item: this.snapshot(m.item) }),
    ];
  }

  private closeCall(call: { index: number; item: FunctionCallOutputItem }, status: 'completed' | 'incomplete'): StreamEvent[] {
    call.item.status = status;
    return [
      this.ev({
        type: 'response.function_call_arguments.done',
        item_id: call.item.id,
        output_index: call.index,
        name: call.item.name,
        arguments: call.item.arguments,
      }),
      this.ev({ type: 'response.output_item.done', output_index: call.index, item: { ...call.item } }),
    ];
  }

  private closeAll(status: 'completed' | 'incomplete'): StreamEvent[] {
    const out = this.closeMessage(status);
    for (const call of this.calls.values()) if (call.item.status === 'in_progress') out.push(...this.closeCall(call, status));
    return out;
  }

  /** `charge: false` (upstream and server failures) reports usage with credits_used 0. */
  private finalizeUsage(charge = true): void {
    const argText = [...this.calls.values()].map((c) => c.item.arguments).join('');
    const u = this.usage ?? {
      input: this.options.estimateInputTokens(),
      output: this.options.estimateOutputTokens(this.response.output_text + argText),
      cached: 0,
      reasoning: 0,
    };
    const usage = {
      input_tokens: u.input,
      input_tokens_details: { cached_tokens: u.cached },
      output_tokens: u.output,
      output_tokens_details: { reasoning_tokens: u.reasoning },
      total_tokens: u.input + u.output,
    };
    this.response.usage = { ...usage, credits_used: charge ? this.options.price(usage, this.calls.size > 0) : 0 };
  }

  /** Ends the response as completed, or incomplete when the provider stopped at a limit. */
  complete(): StreamEvent[] {
    if (this.ended) return [];
    this.ended = true;
    const limited = this.finishReason === 'length' || this.finishReason === 'content_filter';
    const out = this.closeAll(limited ? 'incomplete' : 'completed');
    this.finalizeUsage();
    this.response.completed_at = this.options.now();
    if (limited) {
      this.response.status = 'incomplete';
      this.response.incomplete_details = { reason: this.finishReason === 'length' ? 'max_output_tokens' : 'content_filter' };
      out.push(this.ev({ type: 'response.incomplete', response: this.snapshot(this.response) }));
    } else {
      this.response.status = 'completed';
      out.push(this.ev({ type: 'response.completed', response: this.snapshot(this.response) }));
    }
    return out;
  }

  /**
   * Ends the response as failed: the combined `error` event, then
   * response.failed. `charge` says whether what was generated is billed (a
   * client that walked away) or not (the backend or the server failed).
   */
  fail(error: ApiError, options: { charge: boolean } = { charge: false }): StreamEvent[] {
    if (this.ended) return [];
    this.ended = true;
    const out = this.closeAll('incomplete');
    this.finalizeUsage(options.charge);
    this.response.status = 'failed';
    this.response.error = { code: error.code, message: error.message, type: error.type };
    const body = { type: error.type, code: error.code, message: error.message, param: error.param };
    out.push(this.ev({ type: 'error', code: error.code, message: error.message, param: error.param, error: body }));
    out.push(this.ev({ type: 'response.failed', response: this.snapshot(this.response) }));
    return out;
  }

  /** Ends the response as cancelled (background cancel). No terminal event exists for it. */
  cancel(): StreamEvent[] {
    if (this.ended) return [];
    this.ended = true;
    const out = this.closeAll('incomplete');
    this.finalizeUsage();
    this.response.status = 'cancelled';
    return out;
  }
}
