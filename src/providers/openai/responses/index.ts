/**
 * The OpenAI Responses upstream provider: forwards to any server that speaks
 * POST {baseURL}/responses (OpenAI, Azure OpenAI v1, vLLM, Ollama, LM Studio,
 * proxies) with `stream: true` and `store: false`, on the HTTP backend base
 * (../../http-backend/), and decodes its Responses event stream into
 * ProviderEvents. A request that is not incremental gets the whole Response
 * JSON instead (`streaming: 'auto'`); a server that ignores `stream: true`
 * is handled too.
 *
 * See convert-request.ts for what is forwarded, decode-stream.ts for which
 * events are read and map-upstream-error.ts for errors.
 */
import { bearerJsonHeaders, createHttpBackend, type HttpBackendOptions } from '../../http-backend/index.js';
import type { Provider } from '../../types.js';
import { openAIErrors, upstreamContext } from '../errors.js';
import { convertRequest } from './convert-request.js';
import { decodeResponsesStream, estimateInputTokens, type ResponsesDecodeOptions, responseToEvents } from './decode-stream.js';
import { responsesParam } from './map-upstream-error.js';

export interface OpenAIResponsesProviderOptions extends HttpBackendOptions {
  /** Base URL ending in /v1 (a trailing slash is fine), e.g. https://api.openai.com/v1. */
  baseURL: string;
  /** Sent as `Authorization: Bearer …` when set and non-empty. */
  apiKey?: string;
  model: string;
  /** Extra request headers (e.g. OpenAI-Organization). */
  headers?: Record<string, string>;
}

export function createOpenAIResponsesProvider(options: OpenAIResponsesProviderOptions): Provider {
  const url = `${options.baseURL.replace(/\/+$/, '')}/responses`;
  const ctx = upstreamContext(url, options.model, options.apiKey);
  return createHttpBackend(options, {
    name: 'openai-responses',
    url,
    headers: bearerJsonHeaders(options.headers, options.apiKey),
    errors: openAIErrors(ctx, responsesParam),
    encode(req, stream) {
      const body = convertRequest(req, { model: options.model, stream });
      const decode: ResponsesDecodeOptions = { upstream: ctx, estimateInputTokens: () => estimateInputTokens(body) };
      return { body, decodeStream: (chunks) => decodeResponsesStream(chunks, decode), decodeJson: (value) => responseToEvents(value, decode) };
    },
  });
}

export type { ResponsesInputItem, ResponsesRequestBody } from './convert-request.js';
export { convertItems, convertRequest } from './convert-request.js';
export { decodeResponsesStream, estimateInputTokens, ResponsesEventMapper, responseToEvents } from './decode-stream.js';
export { mapFinishReason } from './map-finish-reason.js';
export { mapErrorEvent, mapResponseFailure, mapUpstreamHttpError } from './map-upstream-error.js';
