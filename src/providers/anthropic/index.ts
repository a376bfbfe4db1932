/**
 * The Anthropic Messages API provider: POST {baseURL}/v1/messages with
 * `stream: true`, on the HTTP backend base (../http-backend/), decoded into
 * ProviderEvents; a request that is not incremental gets the whole Message
 * instead (`streaming: 'auto'`), and a proxy that ignores `stream: true` is
 * handled too.
 *
 * See convert-request.ts for how a ProviderRequest maps onto Anthropic (system
 * prompt, alternation, tool_result placement, structured output emulated with
 * a forced tool, sampling clamps), decode-stream.ts for the stream and
 * map-upstream-error.ts for errors.
 */
import { createHttpBackend, type HttpBackendOptions } from '../http-backend/index.js';
import type { Provider } from '../types.js';
import { convertRequest } from './convert-request.js';
import { type AnthropicDecodeOptions, decodeAnthropicStream, estimateInputTokens, messageToEvents } from './decode-stream.js';
import { type AnthropicUpstreamContext, anthropicErrors } from './map-upstream-error.js';

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
  const url = `${(options.baseURL ?? DEFAULT_ANTHROPIC_BASE_URL).replace(/\/+$/, '')}/v1/messages`;
  const maxTokens = options.maxTokens ?? DEFAULT_ANTHROPIC_MAX_TOKENS;
  const ctx: AnthropicUpstreamContext = { url, model: options.model };
  if (options.apiKey) ctx.apiKey = options.apiKey;
  return createHttpBackend(options, {
    name: 'anthropic',
    url,
    headers: {
      'content-type': 'application/json',
      accept: 'text/event-stream, application/json',
      'x-api-key': options.apiKey,
      'anthropic-version': options.anthropicVersion ?? DEFAULT_ANTHROPIC_VERSION,
    },
    errors: anthropicErrors(ctx),
    encode(req, stream) {
      const { body, jsonTool } = convertRequest(req, { model: options.model, maxTokens, stream });
      const decode: AnthropicDecodeOptions = { upstream: ctx, estimateInputTokens: () => estimateInputTokens(body) };
      if (jsonTool) decode.jsonTool = jsonTool;
      return { body, decodeStream: (chunks) => decodeAnthropicStream(chunks, decode), decodeJson: (value) => messageToEvents(value, decode) };
    },
  });
}

export type { AnthropicRequestBody, AnthropicRequestMessage, JsonOutputTool } from './convert-request.js';
export { convertRequest, JSON_OBJECT_TOOL_NAME, PLACEHOLDER_USER_TEXT } from './convert-request.js';
export { AnthropicEventMapper, decodeAnthropicStream, estimateInputTokens, messageToEvents } from './decode-stream.js';
export { mapFinishReason } from './map-finish-reason.js';
export { anthropicRetryAfter, mapConnectionError, mapStreamError, mapUpstreamHttpError } from './map-upstream-error.js';
