/**
 * Anthropic failures → ApiError.
 *
 * Same policy as the chat backend: everything the upstream does wrong is
 * `service_unavailable` (503), including its 429 rate limits and 529
 * overloads (with `retry-after` passed on); a request Anthropic rejects as
 * invalid (400/413/422, or an in-stream `invalid_request_error`) is the
 * caller's to fix and becomes `invalid_request` with Anthropic's message,
 * introduced as the backend's (util/upstream-errors.ts rejectedByBackend).
 * Messages never contain the API key (redacted if echoed) and, apart from
 * invalid-request rejections, never echo upstream text.
 */
import { ApiError } from '../../errors/api-error.js';
import { parseJson } from '../../util/parse-json.js';
import { retryAfterHeaders } from '../../util/retry-after.js';
import { describeUrl, errorCode, hostOf, malformedUpstream, rejectedByBackend } from '../../util/upstream-errors.js';
import type { UpstreamErrorMappers } from '../http-backend/index.js';
import { extractAnthropicError, type AnthropicErrorInfo } from './anthropic-api.js';

export { malformedUpstream };

export interface AnthropicUpstreamContext {
  /** Full URL the request was posted to. */
  url: string;
  model: string;
  apiKey?: string;
}

/** An HTTP error status (with its body text) as an ApiError. */
export function mapUpstreamHttpError(status: number, headers: Headers, bodyText: string, ctx: AnthropicUpstreamContext): ApiError {
  const parsed = parseJson(bodyText);
  const info = (parsed.ok ? extractAnthropicError(parsed.value) : undefined) ?? {};
  if (info.message === undefined && !parsed.ok && bodyText.trim() !== '') info.message = bodyText.trim();

  if (status === 400 || status === 413 || status === 422) return invalidRequest(info, status, ctx);
  if (status === 401 || status === 403) {
    return new ApiError('service_unavailable', `The Anthropic API rejected the configured API key (HTTP ${status}${status === 403 ? ', permission denied' : ''}); check ANTHROPIC_API_KEY.`);
  }
  if (status === 404) {
    return new ApiError('service_unavailable', `The Anthropic API returned HTTP 404: the model "${ctx.model}" or the URL ${describeUrl(ctx.url)} was not found.`);
  }
  if (status === 429 || status === 529) {
    const retry = anthropicRetryAfter(headers);
    const after = retry['retry-after'];
    const what = status === 429 ? 'is rate limiting requests' : 'is overloaded';
    return new ApiError('service_unavailable', `The Anthropic API ${what} (HTTP ${status}).${after !== undefined ? ` Retry after ${after} seconds.` : ' Retry after a brief delay.'}`, {
      headers: retry,
      retryable: true,
    });
  }
  if (status === 408 || status >= 500) {
    return new ApiError('service_unavailable', `The Anthropic API is unavailable (HTTP ${status}). Retry after a brief delay.`, {
      headers: anthropicRetryAfter(headers),
      retryable: true,
    });
  }
  return new ApiError('service_unavailable', `The Anthropic API returned an unexpected HTTP ${status}.`);
}

/** An `event: error` inside a 200 stream (typically `overloaded_error` mid-response). */
export function mapStreamError(value: unknown, ctx: AnthropicUpstreamContext): ApiError {
  const info = extractAnthropicError(value) ?? {};
  switch (info.type) {
    case 'invalid_request_error':
    case 'request_too_large':
      return invalidRequest(info, undefined, ctx);
    case 'overloaded_error':
      return new ApiError('service_unavailable', 'The Anthropic API is overloaded and stopped the response. Retry after a brief delay.', { retryable: true });
    case 'rate_limit_error':
      return new ApiError('service_unavailable', 'The Anthropic API is rate limiting requests and stopped the response. Retry after a brief delay.', { retryable: true });
    default:
      return new ApiError('service_unavailable', 'The Anthropic API failed while generating the response. Retry after a brief delay.', { retryable: true });
  }
}

/** fetch() threw (DNS failure, refused connection, TLS error, …). */
export function mapConnectionError(err: unknown, ctx: AnthropicUpstreamContext): ApiError {
  const code = errorCode(err);
  return new ApiError('service_unavailable', `Could not connect to the Anthropic API at ${hostOf(ctx.url)}${code ? ` (${code})` : ''}. Retry after a brief delay.`, { cause: err, retryable: true });
}

/** Reading the body failed after the headers arrived (connection reset mid-stream). */
export function mapReadError(err: unknown, ctx: AnthropicUpstreamContext): ApiError {
  const code = errorCode(err);
  return new ApiError('service_unavailable', `The connection to the Anthropic API at ${hostOf(ctx.url)} was interrupted${code ? ` (${code})` : ''}. Retry after a brief delay.`, {
    cause: err,
    retryable: true,
  });
}

/** The three mappers of the HTTP exchange with Anthropic. */
export function anthropicErrors(ctx: AnthropicUpstreamContext): UpstreamErrorMappers {
  return {
    connectionError: (err) => mapConnectionError(err, ctx),
    httpError: (status, headers, text) => mapUpstreamHttpError(status, headers, text, ctx),
    readError: (err) => mapReadError(err, ctx),
  };
}

/**
 * `retry-after` for our response: Anthropic's `retry-after` (seconds), else
 * the latest `anthropic-ratelimit-*-reset` (RFC 3339) of an exhausted limit.
 */
export function anthropicRetryAfter(headers: Headers): Record<string, string> {
  const standard = retryAfterHeaders(headers);
  if (standard['retry-after'] !== undefined) return standard;
  let resetAt: number | undefined;
  for (const kind of ['requests', 'tokens', 'input-tokens', 'output-tokens']) {
    if (headers.get(`anthropic-ratelimit-${kind}-remaining`) !== '0') continue;
    const reset = headers.get(`anthropic-ratelimit-${kind}-reset`);
    const t = reset === null ? NaN : Date.parse(reset);
    if (!Number.isNaN(t)) resetAt = Math.max(resetAt ?? 0, t);
  }
  if (resetAt !== undefined) return { 'retry-after': String(Math.max(0, Math.ceil((resetAt - Date.now()) / 1000))) };
  return {};
}

function invalidRequest(info: AnthropicErrorInfo, status: number | undefined, ctx: AnthropicUpstreamContext): ApiError {
  return new ApiError('invalid_request', rejectedByBackend(ctx, status, info.message ?? `HTTP ${status ?? 400}`));
}
