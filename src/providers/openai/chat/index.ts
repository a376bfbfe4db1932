/**
 * The OpenAI-compatible Chat Completions provider: one engine for OpenAI,
 * Ollama, vLLM, llama.cpp server, LM Studio and any other server that speaks
 * POST {baseURL}/chat/completions, on the HTTP backend base
 * (../../http-backend/: client, aborts, stream-vs-JSON replies).
 *
 * Streams from the upstream (`stream: true` with usage), except for a request
 * that is not incremental with `streaming: 'auto'` (the default), which gets
 * the whole answer as one `chat.completion`; either reply, and a server that
 * ignores `stream: true`, yields the same events. Errors: ../errors.ts and
 * map-upstream-error.ts.
 */
import { bearerJsonHeaders, createHttpBackend, type HttpBackendOptions } from '../../http-backend/index.js';
import type { Provider } from '../../types.js';
import { openAIErrors, upstreamContext } from '../errors.js';
import { convertRequest } from './convert-request.js';
import { type ChatDecodeOptions, completionToEvents, decodeChatStream, estimateInputTokens } from './decode-stream.js';

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
  const ctx = upstreamContext(url, options.model, options.apiKey);
  return createHttpBackend(options, {
    name: 'openai-chat',
    url,
    headers: bearerJsonHeaders(options.headers, options.apiKey),
    errors: openAIErrors(ctx),
    encode(req, stream) {
      const body = convertRequest(req, { model: options.model, baseURL: options.baseURL, stream });
      const decode: ChatDecodeOptions = { upstream: ctx, estimateInputTokens: () => estimateInputTokens(body) };
      return { body, decodeStream: (chunks) => decodeChatStream(chunks, decode), decodeJson: (value) => completionToEvents(value, decode) };
    },
  });
}

export type { ChatMessage, ChatRequestBody } from './convert-request.js';
export { convertRequest, isReasoningModel, usesMaxCompletionTokens } from './convert-request.js';
export { ChatEventMapper, completionToEvents, decodeChatStream, estimateInputTokens, SseDecoder } from './decode-stream.js';
export { mapFinishReason } from './map-finish-reason.js';
export { mapConnectionError, mapUpstreamHttpError, retryAfterHeaders } from './map-upstream-error.js';
