/**
 * Upstream failures → ApiError.
 *
 * The user's own rate limit owns `rate_limit_exceeded`; everything the upstream
 * does wrong is `service_unavailable` (503), except a request the upstream
 * rejects as invalid (400/413/422), which is the caller's to fix and becomes
 * `invalid_request` with the upstream's message, introduced as the backend's
 * (util/upstream-errors.ts rejectedByBackend). Messages never contain the
 * API key (it is redacted if an upstream echoes it) and, apart from 400-class
 * rejections, never echo the upstream's text (OpenAI's 429 messages name the
 * organization, its 401 messages part of the key).
 */
import { ApiError } from '../../errors/api-error.js';
import { parseJson } from '../../util/parse-json.js';
import { retryAfterHeaders } from '../../util/retry-after.js';
import { describeUrl, errorCode, hostOf, malformedUpstream, rejectedByBackend } from '../../util/upstream-errors.js';
import { extractErrorInfo, type UpstreamErrorInfo } from './chat-api.js';

/** Re-exported from src/util/upstream-errors.ts, where they live. */
export { hostOf, malformedUpstream, retryAfterHeaders };

export interface UpstreamContext {
  /** Full URL the request was posted to. */
  url: string;
  model: string;
  apiKey?: string;
}

/** An upstream HTTP error status (with its body text) as an ApiError. */
export function mapUpstreamHttpError(status: number, headers: Headers, bodyText: string, ctx: UpstreamContext): ApiError {
  const parsed = parseJson(bodyText);
  const info = (parsed.ok ? extractErrorInfo(parsed.value) : undefined) ?? {};
  if (info.message === undefined && !parsed.ok && bodyText.trim() !== '') info.message = bodyText.trim();

  if (status === 400 || status === 413 || status === 422) {
    return invalidRequest(info, status, ctx);
  }
  if (status === 401 || status === 403) {
    return new ApiError(
      'service_unavailable',
      `The upstream model provider rejected the configured credentials (HTTP ${status}); check COHORT_UPSTREAM_API_KEY.`,
    );
  }
  if (status === 404) {
    return new ApiError(
      'service_unavailable',
      `The upstream model provider returned HTTP 404: the model "${ctx.model}" (COHORT_UPSTREAM_MODEL) or the URL ${describeUrl(ctx.url)} (COHORT_UPSTREAM_URL) was not found.`,
    );
  }
  if (status === 429) {
    if (info.code === 'insufficient_quota' || info.type === 'insufficient_quota') {
      return new ApiError('service_unavailable', 'The upstream model provider account has exhausted its quota (HTTP 429).');
    }
    const retry = retryAfterHeaders(headers);
    const after = retry['retry-after'];
    return new ApiError(
      'service_unavailable',
      `The upstream model provider is rate limiting requests (HTTP 429).${after !== undefined ? ` Retry after ${after} seconds.` : ' Retry after a brief delay.'}`,
      { headers: retry, retryable: true },
    );
  }
  if (status === 408 || status >= 500) {
    return new ApiError(
      'service_unavailable',
      `The upstream model provider is unavailable (HTTP ${status}). Retry after a brief delay.`,
      { headers: retryAfterHeaders(headers), retryable: true },
    );
  }
  return new ApiError('service_unavailable', `The upstream model provider returned an unexpected HTTP ${status}.`);
}

/** fetch() threw (DNS failure, refused connection, TLS error, …). */
export function mapConnectionError(err: unknown, ctx: UpstreamContext): ApiError {
  const code = errorCode(err);
  return new ApiError(
    'service_unavailable',
    `Could not connect to the upstream model provider at ${hostOf(ctx.url)}${code ? ` (${code})` : ''}. Check COHORT_UPSTREAM_URL and that the server is running.`,
    { cause: err, retryable: true },
  );
}

/** Reading the response body failed after the headers arrived (connection reset mid-stream). */
export function mapReadError(err: unknown, ctx: UpstreamContext): ApiError {
  const code = errorCode(err);
  return new ApiError(
    'service_unavailable',
    `The connection to the upstream model provider at ${hostOf(ctx.url)} was interrupted${code ? ` (${code})` : ''}. Retry after a brief delay.`,
    { cause: err, retryable: true },
  );
}

/**
 * An error object the upstream put inside a 200 stream or JSON body
 * (`data: {"error":{…}}`; OpenAI on mid-stream server errors, vLLM on request
 * errors detected after the stream started).
 */
export function mapInBandError(value: unknown, ctx: UpstreamContext): ApiError {
  const info = extractErrorInfo(value) ?? {};
  const looksInvalid =
    info.code === '400' ||
    info.code === '422' ||
    info.type === 'invalid_request_error' ||
    info.type === 'BadRequestError';
  if (looksInvalid) return invalidRequest(info, undefined, ctx);
  return new ApiError('service_unavailable', 'The upstream model provider failed while generating the response. Retry after a brief delay.', { retryable: true });
}


function invalidRequest(info: UpstreamErrorInfo, status: number | undefined, ctx: UpstreamContext): ApiError {
  return new ApiError('invalid_request', rejectedByBackend(ctx, status, info.message ?? `HTTP ${status ?? 400}`), { param: mapParam(info.param) });
}

/** Chat Completions parameter names → the Responses API parameter the caller sent. */
function mapParam(param: string | undefined): string | null {
  if (!param) return null;
  const root = param.split(/[.[]/)[0] ?? param;
  switch (root) {
    case 'messages':
      return 'input';
    case 'max_tokens':
    case 'max_completion_tokens':
      return 'max_output_tokens';
    case 'response_format':
      return 'text.format';
    case 'reasoning_effort':
      return 'reasoning.effort';
    case 'verbosity':
      return 'text.verbosity';
    case 'temperature':
    case 'top_p':
    case 'tools':
    case 'tool_choice':
    case 'parallel_tool_calls':
    case 'frequency_penalty':
    case 'presence_penalty':
      return root;
    default:
      return null;
  }
}
