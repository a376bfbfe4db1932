/**
 * The OpenAI-compatible Chat Completions provider: one engine for OpenAI,
 * Ollama, vLLM, llama.cpp server, LM Studio and any other server that speaks
 * POST {baseURL}/chat/completions.
 *
 * Streams from the upstream (`stream: true` with usage), except for a request
 * that is not incremental with `streaming: 'auto'` (the default), which gets
 * the whole answer as one `chat.completion` (see `streamsUpstream`); either
 * reply, and a server that ignores `stream: true`, yields the same events. The request's signal aborts the upstream request (a client
 * disconnect closes the upstream connection), and so does a consumer that
 * stops iterating early.
 *
 * Errors are thrown as ApiError (see map-upstream-error.ts). An abort caused by
 * `req.signal` is rethrown as the signal's reason (normally a DOMException
 * named AbortError), not turned into an ApiError.
 */
import type { Provider, ProviderEvent, ProviderRequest } from '../types.js';
import { bearerJsonHeaders, type HttpBackendOptions, postForEvents, streamsUpstream } from '../../util/upstream-http.js';
import { clientOf } from '../../util/upstream-client.js';
import { convertRequest } from './convert-request.js';
import { completionToEvents, decodeChatStream, estimateInputTokens, type ChatDecodeOptions } from './decode-stream.js';
import {
  mapConnectionError,
  mapReadError,
  mapUpstreamHttpError,
  type UpstreamContext,
} from './map-upstream-error.js';

export interface OpenAIChatProviderOptions extends HttpBackendOptions {
  /** Base URL ending in /v1 (a trailing slash is fine), e.g. http://localhost:11434/v1. */
  baseURL: string;
  /** Sent as `Authorization: Bearer …` when set and non-empty. */
  apiKey?: string;
  model: string;
  /** Extra request headers (e.g. OpenAI-Organization, HTTP-Referer). */
  headers?: Record<string, string>;
}


export function createOpenAIChatProvider(options: OpenAIChatProviderOptions): Provider {
  const url = `${options.baseURL.replace(/\/+$/, '')}/chat/completions`;
  const client = clientOf(options);
  const ctx: UpstreamContext = { url, model: options.model };
  if (options.apiKey) ctx.apiKey = options.apiKey;

  async function* stream(req: ProviderRequest): AsyncGenerator<ProviderEvent, void, undefined> {
    const streamed = streamsUpstream(req, options.streaming);
    const body = convertRequest(req, { model: options.model, baseURL: options.baseURL, stream: streamed });
    const headers = bearerJsonHeaders(options.headers, options.apiKey);

    const decodeOptions: ChatDecodeOptions = { upstream: ctx, estimateInputTokens: () => estimateInputTokens(body) };
    yield* postForEvents({
      client,
      url,
      headers,
      body,
      signal: req.signal,
      whole: !streamed,
      connectionError: (err) => mapConnectionError(err, ctx),
      httpError: (status, h, text) => mapUpstreamHttpError(status, h, text, ctx),
      readError: (err) => mapReadError(err, ctx),
      decodeStream: (chunks) => decodeChatStream(chunks, decodeOptions),
      decodeJson: (value) => completionToEvents(value, decodeOptions),
    });
  }

  return { name: 'openai-chat', stream };
}

export { convertRequest, isReasoningModel, usesMaxCompletionTokens } from './convert-request.js';
export type { ChatRequestBody, ChatMessage } from './convert-request.js';
export { decodeChatStream, completionToEvents, ChatEventMapper, SseDecoder, estimateInputTokens } from './decode-stream.js';
export { mapFinishReason } from './map-finish-reason.js';
export { mapUpstreamHttpError, mapConnectionError } from './map-upstream-error.js';
export { retryAfterHeaders } from '../../util/retry-after.js';
