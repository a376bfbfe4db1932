/**
 * The OpenAI Responses upstream provider: forwards to any server that speaks
 * POST {baseURL}/responses (OpenAI, Azure OpenAI v1, vLLM, Ollama, LM Studio,
 * proxies) with `stream: true` and `store: false`, and decodes its Responses
 * event stream into ProviderEvents. A request that is not incremental gets
 * the whole Response JSON instead (`streaming: 'auto'`, see `streamsUpstream`).
 *
 * See convert-request.ts for what is forwarded and decode-stream.ts for which
 * events are read. A server that ignores `stream: true` and answers a whole
 * Response JSON is handled too.
 *
 * The request's signal aborts the upstream request, and so does a consumer
 * that stops iterating early. Errors are thrown as ApiError
 * (map-upstream-error.ts); an abort caused by `req.signal` is rethrown as the
 * signal's reason.
 */
import type { Provider, ProviderEvent, ProviderRequest } from '../types.js';
import { bearerJsonHeaders, type HttpBackendOptions, postForEvents, streamsUpstream } from '../../util/upstream-http.js';
import { clientOf } from '../../util/upstream-client.js';
import { convertRequest } from './convert-request.js';
import { decodeResponsesStream, estimateInputTokens, responseToEvents, type ResponsesDecodeOptions } from './decode-stream.js';
import { mapConnectionError, mapReadError, mapUpstreamHttpError, type UpstreamContext } from './map-upstream-error.js';

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
  const client = clientOf(options);
  const ctx: UpstreamContext = { url, model: options.model };
  if (options.apiKey) ctx.apiKey = options.apiKey;

  async function* stream(req: ProviderRequest): AsyncGenerator<ProviderEvent, void, undefined> {
    const streamed = streamsUpstream(req, options.streaming);
    const body = convertRequest(req, { model: options.model, stream: streamed });
    const headers = bearerJsonHeaders(options.headers, options.apiKey);

    const decodeOptions: ResponsesDecodeOptions = { upstream: ctx, estimateInputTokens: () => estimateInputTokens(body) };
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
      decodeStream: (chunks) => decodeResponsesStream(chunks, decodeOptions),
      decodeJson: (value) => responseToEvents(value, decodeOptions),
    });
  }

  return { name: 'openai-responses', stream };
}

export { convertRequest, convertItems } from './convert-request.js';
export type { ResponsesRequestBody, ResponsesInputItem } from './convert-request.js';
export { decodeResponsesStream, responseToEvents, ResponsesEventMapper, estimateInputTokens } from './decode-stream.js';
export { mapFinishReason } from './map-finish-reason.js';
export { mapUpstreamHttpError, mapResponseFailure, mapErrorEvent } from './map-upstream-error.js';
