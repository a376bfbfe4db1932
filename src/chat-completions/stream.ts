/**
 * Streaming Chat Completions: the Responses events of one run, rendered as
 * `chat.completion.chunk` SSE frames the way OpenAI sends them — `data:
 * {json}\n\n` only (no `event:` lines), the same id/created/model and
 * `system_fingerprint: null` in every chunk, and `data: [DONE]` last:
 *
 *   {delta:{role:'assistant', content:'', refusal:null}}        response.created
 *   {delta:{content}}                                           output_text.delta
 *   {delta:{tool_calls:[{index, id, type, function:{name, arguments:''}}]}}
 *   {delta:{tool_calls:[{index, function:{arguments}}]}}        arguments.delta
 *   {delta:{}, finish_reason}                                   completed / incomplete
 *                                                               (+ top-level `analysis` when the response has one)
 *   {choices:[], usage}                                         with stream_options.include_usage
 *                                                               (every other chunk then has usage:null)
 *   data: {"error":{message,type,code,param}}                  failure mid-stream
 *   data: [DONE]
 *
 * Headers are sent once the run has produced output (or finished), so a run
 * that fails before its first token (upstream 429/503, a bad request the
 * upstream rejects) is an HTTP error with its status and retry-after, as with
 * OpenAI, instead of a 200 stream carrying an error frame.
 */
import { ApiError } from '../errors/api-error.js';
import { ERRORS, type ErrorCode } from '../errors/registry.js';
import type { CreateResponseRequest } from '../schemas/create-response.js';
import type { Caller, ExtraSampling, ResponsesService } from '../responses/service.js';
import { SSE_DONE, SseSink } from '../responses/sse.js';
import type { ResponseObject, StreamEvent } from '../responses/types.js';
import { MODEL_ID } from '../schemas/create-response.js';
import { chatCompletionId, chatParam, chatUsage, finishReasonOf, type ParamMap } from './convert.js';

export interface ChunkOptions {
  includeUsage: boolean;
  params: ParamMap;
}

const chunkFrame = (chunk: unknown): string => `data: ${JSON.stringify(chunk)}\n\n`;

/** Turns the run's Responses events into chat.completion.chunk frames. */
export class ChatChunkTranslator {
  private base: Record<string, unknown> | undefined;
  /** Function call index (0, 1, …) by Responses output_index. */
  private readonly toolIndex = new Map<number, number>();
  private ended = false;

  constructor(private readonly options: ChunkOptions) {}

  /** Whether the run reached a terminal event (completed, incomplete or failed). */
  get isEnded(): boolean {
    return this.ended;
  }

  private chunk(choices: unknown[], usage?: unknown): string {
    return chunkFrame({ ...this.base, choices, ...(this.options.includeUsage ? { usage: usage ?? null } : {}) });
  }

  private delta(delta: Record<string, unknown>, finish: string | null = null): string {
    return this.chunk([{ index: 0, delta, logprobs: null, finish_reason: finish }]);
  }

  push(event: StreamEvent): string[] {
    switch (event.type) {
      case 'response.created': {
        const r = event.response;
        this.base = {
          id: chatCompletionId(r.id),
          object: 'chat.completion.chunk',
          created: r.created_at,
          model: MODEL_ID,
          service_tier: r.service_tier,
          system_fingerprint: null,
        };
        return [this.delta({ role: 'assistant', content: '', refusal: null })];
      }
      case 'response.output_text.delta':
        return [this.delta({ content: event.delta })];
      case 'response.output_item.added': {
        const call = event.item;
        if (call.type !== 'function_call') return [];
        const index = this.toolIndex.size;
        this.toolIndex.set(event.output_index, index);
        return [this.delta({ tool_calls: [{ index, id: call.call_id, type: 'function', function: { name: call.name, arguments: '' } }] })];
      }
      case 'response.function_call_arguments.delta': {
        const index = this.toolIndex.get(event.output_index);
        if (index === undefined) return [];
        return [this.delta({ tool_calls: [{ index, function: { arguments: event.delta } }] })];
      }
      case 'response.completed':
      case 'response.incomplete': {
        this.ended = true;
        const r = event.response;
        const finish = { index: 0, delta: {}, logprobs: null, finish_reason: finishReasonOf(r) };
        // Cohort extension: with analysis_mode, the analysis rides on the finish chunk.
        const out = [r.analysis === undefined ? this.chunk([finish]) : chunkFrame({ ...this.base, choices: [finish], analysis: r.analysis, ...(this.options.includeUsage ? { usage: null } : {}) })];
        if (this.options.includeUsage) out.push(this.chunk([], chatUsage(r.usage)));
        return out;
      }
      case 'error': {
        const e = event.error;
        const param = e.param === null ? null : chatParam(e.param, this.options.params);
        return [chunkFrame({ error: { message: e.message, type: e.type, code: e.code, param } })];
      }
      case 'response.failed':
        this.ended = true;
        return [];
      default:
        return [];
    }
  }

  /** The frames after the run's last event: an error if it ended without a terminal event (cancelled), then [DONE]. */
  end(): string[] {
    if (this.ended) return [SSE_DONE];
    this.ended = true;
    return [chunkFrame({ error: { message: 'The response was cancelled before it finished.', type: 'invalid_request_error', code: 'cancelled', param: null } }), SSE_DONE];
  }
}

/** Events after which the stream is committed to a 200 (output has begun, or the run ended without failing). */
const COMMITS = new Set(['response.output_item.added', 'response.completed', 'response.incomplete']);

/**
 * Starts the run and resolves with the SSE body once it has output; throws
 * (an ApiError naming chat parameters) when the request is rejected or the run
 * fails before any output. Cancelling the body, or `signal` (the client
 * request), aborts the run. A run silent for the keep-alive interval before
 * its first output (server tools, a JSON answer collected whole) commits the
 * stream then, so keep-alive comments reach the client: a later failure is
 * an error chunk instead of an HTTP status.
 */
export async function openChatStream(
  service: ResponsesService,
  caller: Caller,
  request: CreateResponseRequest,
  options: ChunkOptions & { signal: AbortSignal; sampling?: ExtraSampling },
): Promise<{ body: ReadableStream<Uint8Array>; engine: string }> {
  const translator = new ChatChunkTranslator(options);
  const abort = new AbortController();
  const onClientAbort = () => abort.abort(new Error('client_disconnected'));
  if (options.signal.aborted) onClientAbort();
  options.signal.addEventListener('abort', onClientAbort, { once: true });

  let unthrottle: () => void = () => {};
  const gone = () => {
    unthrottle();
    options.signal.removeEventListener('abort', onClientAbort);
    abort.abort(new Error('client_disconnected'));
  };
  // Frames wait in the sink until the body is handed out (or dropped if the run fails first).
  const sink = new SseSink({ ...service.streamLimits, onCancel: gone, onStall: gone });
  let state: 'pending' | 'open' | 'failed' = 'pending';
  let settle!: (s: 'open' | 'failed') => void;
  const ready = new Promise<'open' | 'failed'>((resolve) => (settle = resolve));
  const commit = (s: 'open' | 'failed') => {
    if (state !== 'pending') return;
    state = s;
    clearTimeout(silence);
    settle(s);
  };
  const silence = service.streamLimits.keepAliveMs > 0 ? setTimeout(() => commit('open'), service.streamLimits.keepAliveMs) : undefined;
  silence?.unref();

  const listener = (event: StreamEvent | null) => {
    if (state === 'failed') return;
    if (event === null) {
      for (const f of translator.end()) sink.write(f);
      unthrottle();
      sink.close();
      options.signal.removeEventListener('abort', onClientAbort);
      commit('open');
      return;
    }
    if (state === 'pending' && event.type === 'error') return commit('failed');
    for (const f of translator.push(event)) sink.write(f);
    if (COMMITS.has(event.type)) commit('open');
  };

  let opened: Awaited<ReturnType<ResponsesService['open']>>;
  try {
    opened = await service.open(caller, request, listener, abort.signal, options.sampling, sink.settled);
  } catch (err) {
    clearTimeout(silence);
    sink.abandon();
    options.signal.removeEventListener('abort', onClientAbort);
    throw err;
  }
  unthrottle = opened.run.throttle(() => sink.ready());

  if ((await ready) === 'failed') {
    sink.abandon();
    unthrottle();
    options.signal.removeEventListener('abort', onClientAbort);
    await opened.run.done;
    throw opened.run.failure ?? failureFromResponse(opened.run.response);
  }
  return { body: sink.body, engine: opened.engine };
}

function failureFromResponse(r: ResponseObject): ApiError {
  const code = (r.error?.code ?? 'internal_error') as ErrorCode;
  return new ApiError(code in ERRORS ? code : 'internal_error', r.error?.message ?? 'The response failed.');
}
