/**
 * The Anthropic Messages API provider: POST {baseURL}/v1/messages with
 * `stream: true`, decoded into ProviderEvents; a request that is not
 * incremental gets the whole Message instead (`streaming: 'auto'`, see
 * `streamsUpstream`).
 *
 * See convert-request.ts for how a ProviderRequest maps onto Anthropic (system
 * prompt, alternation, tool_result placement, structured output emulated with
 * a forced tool, sampling clamps) and decode-stream.ts for the stream.
 *
 * The request's signal aborts the upstream request (a client disconnect closes
 * the upstream connection), and so does a consumer that stops iterating early.
 * Errors are thrown as ApiError (map-upstream-error.ts); an abort caused by
 * `req.signal` is rethrown as the signal's reason, not turned into an ApiError.
 * A proxy that ignores `stream: true` and answers a whole JSON message is
 * handled too.
 */
import type { Provider, ProviderEvent, ProviderRequest } from '../types.js';
import { type HttpBackendOptions, postForEvents, streamsUpstream } from '../../util/upstream-http.js';
import { clientOf } from '../../util/upstream-client.js';
import { convertRequest } from './convert-request.js';
import { decodeAnthropicStream, estimateInputTokens, messageToEvents, type AnthropicDecodeOptions } from './decode-stream.js';
import {
  mapConnectionError,
  mapReadError,
  mapUpstreamHttpError,
  type AnthropicUpstreamContext,
} from './map-upstream-error.js';

export interface AnthropicProviderOptions extends HttpBackendOptions {
  /** Default https://api.anthropic.com (a trailing slash is fine); the provider appends /v1/messages. */
  baseURL?: string;
  /** Sent as `x-api-key`. */
  apiKey: string;
  /** e.g. claude-sonnet-4-5, claude-haiku-4-5. */
  model: string;
  /** `max_tokens` when the request sets no max_output_tokens (Anthropic requires one). Default 4096. */
  maxTokens?: number;
  /** The `anthropic-version` header. Default 2023-06-01. */
  anthropicVersion?: string;
}

export const DEFAULT_ANTHROPIC_BASE_URL = 'https://api.anthropic.com';
export const DEFAULT_ANTHROPIC_MAX_TOKENS = 4096;
export const DEFAULT_ANTHROPIC_VERSION = '2023-06-01';


export function createAnthropicProvider(options: AnthropicProviderOptions): Provider {
  const baseURL = (options.baseURL ?? DEFAULT_ANTHROPIC_BASE_URL).replace(/\/+$/, '');
  const url = `${baseURL}/v1/messages`;
  const client = clientOf(options);
  const maxTokens = options.maxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS;
  const ctx: AnthropicUpstreamContext = { url, model: options.model };
  if (options.apiKey) ctx.apiKey = options.apiKey;

  async function* stream(req: ProviderRequest): AsyncGenerator<ProviderEvent, void, undefined> {
    const streamed = streamsUpstream(req, options.streaming);
    const { body, jsonTool } = convertRequest(req, { model: options.model, maxTokens, stream: streamed });
    const headers = {
      'content-type': 'application/json',
      accept: 'text/event-stream, application/json',
      'x-api-key': options.apiKey,
      'anthropic-version': options.anthropicVersion ?? DEFAULT_ANTHROPIC_VERSION,
    };

    const decodeOptions: AnthropicDecodeOptions = { upstream: ctx, estimateInputTokens: () => estimateInputTokens(body) };
    if (jsonTool) decodeOptions.jsonTool = jsonTool;
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
      decodeStream: (chunks) => decodeAnthropicStream(chunks, decodeOptions),
      decodeJson: (value) => messageToEvents(value, decodeOptions),
    });
  }

  return { name: 'anthropic', stream };
}

export { convertRequest, PLACEHOLDER_USER_TEXT, JSON_OBJECT_TOOL_NAME } from './convert-request.js';
export type { AnthropicRequestBody, AnthropicRequestMessage, JsonOutputTool } from './convert-request.js';
export { decodeAnthropicStream, messageToEvents, AnthropicEventMapper, estimateInputTokens } from './decode-stream.js';
export { mapFinishReason } from './map-finish-reason.js';
export { mapUpstreamHttpError, mapConnectionError, mapStreamError, anthropicRetryAfter } from './map-upstream-error.js';
