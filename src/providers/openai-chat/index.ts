/**
 * The OpenAI-compatible Chat Completions provider: one engine for OpenAI,
 * Ollama, vLLM, llama.cpp server, LM Studio and any other server that speaks
 * POST {baseURL}/chat/completions.
 *
 * Always streams from the upstream (`stream: true` with usage); a server that
 * ignores that and answers `application/json` is handled too and yields the
 * same events. The request's signal aborts the upstream request (a client
 * disconnect closes the upstream connection), and so does a consumer that
 * stops iterating early.
 *
 * Errors are thrown as ApiError (see map-upstream-error.ts). An abort caused by
 * `req.signal` is rethrown as the signal's reason (normally a DOMException
 * named AbortError), not turned into an ApiError.
 */
import type { Provider, ProviderEvent, ProviderRequest } from '../types.js';
import { abortReason, parseJson, readChunks, readText } from '../../util/upstream-http.js';
import { convertRequest } from './convert-request.js';
import { completionToEvents, decodeChatStream, estimateInputTokens, type ChatDecodeOptions } from './decode-stream.js';
import {
  malformedUpstream,
  mapConnectionError,
  mapReadError,
  mapUpstreamHttpError,
  type UpstreamContext,
} from './map-upstream-error.js';

export interface OpenAIChatProviderOptions {
  /** Base URL ending in /v1 (a trailing slash is fine), e.g. http://localhost:11434/v1. */
  baseURL: string;
  /** Sent as `Authorization: Bearer …` when set and non-empty. */
  apiKey?: string;
  model: string;
  fetch?: typeof fetch;
  /** Extra request headers (e.g. OpenAI-Organization, HTTP-Referer). */
  headers?: Record<string, string>;
}

const ERROR_BODY_LIMIT = 64 * 1024;

export function createOpenAIChatProvider(options: OpenAIChatProviderOptions): Provider {
  const url = `${options.baseURL.replace(/\/+$/, '')}/chat/completions`;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const ctx: UpstreamContext = { url, model: options.model };
  if (options.apiKey) ctx.apiKey = options.apiKey;

  async function* stream(req: ProviderRequest): AsyncGenerator<ProviderEvent, void, undefined> {
    const body = convertRequest(req, { model: options.model, baseURL: options.baseURL });
    const headers = new Headers(options.headers);
    headers.set('content-type', 'application/json');
    headers.set('accept', 'text/event-stream, application/json');
    if (options.apiKey) headers.set('authorization', `Bearer ${options.apiKey}`);

    const controller = new AbortController();
    const onAbort = (): void => controller.abort(req.signal.reason);
    if (req.signal.aborted) throw abortReason(req.signal, undefined);
    req.signal.addEventListener('abort', onAbort, { once: true });
    try {
      let response: Response;
      try {
        response = await fetchImpl(url, { method: 'POST', headers, body: JSON.stringify(body), signal: controller.signal });
      } catch (err) {
        if (req.signal.aborted) throw abortReason(req.signal, err);
        throw mapConnectionError(err, ctx);
      }

      if (!response.ok) {
        const text = await readText(response, ERROR_BODY_LIMIT).catch(() => '');
        throw mapUpstreamHttpError(response.status, response.headers, text, ctx);
      }

      const decodeOptions: ChatDecodeOptions = { upstream: ctx, estimateInputTokens: () => estimateInputTokens(body) };
      const contentType = (response.headers.get('content-type') ?? '').toLowerCase();
      if (contentType.includes('text/event-stream')) {
        if (!response.body) throw malformedUpstream('empty body');
        yield* decodeChatStream(readChunks(response.body, req.signal, (err) => mapReadError(err, ctx)), decodeOptions);
        return;
      }

      // Not an event stream: a server that ignored `stream: true` (or sent no content type).
      let text: string;
      try {
        text = await readText(response, Infinity);
      } catch (err) {
        if (req.signal.aborted) throw abortReason(req.signal, err);
        throw mapReadError(err, ctx);
      }
      const parsed = parseJson(text);
      if (parsed.ok) {
        yield* completionToEvents(parsed.value, decodeOptions);
      } else if (/^\s*(?:data|event|id|retry)?:/.test(text)) {
        yield* decodeChatStream([text], decodeOptions);
      } else {
        throw malformedUpstream('a body that is neither JSON nor an event stream');
      }
    } finally {
      req.signal.removeEventListener('abort', onAbort);
      // Releases the connection when the consumer stopped early; a no-op once the body was read.
      controller.abort();
    }
  }

  return { name: 'openai-chat', stream };
}

export { convertRequest, isReasoningModel, usesMaxCompletionTokens } from './convert-request.js';
export type { ChatRequestBody, ChatMessage } from './convert-request.js';
export { decodeChatStream, completionToEvents, ChatEventMapper, SseDecoder, estimateInputTokens } from './decode-stream.js';
export { mapFinishReason } from './map-finish-reason.js';
export { mapUpstreamHttpError, mapConnectionError } from './map-upstream-error.js';
export { retryAfterHeaders } from '../../util/upstream-http.js';
