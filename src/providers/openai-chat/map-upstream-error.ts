/**
 * Upstream failures → ApiError.
 *
 * The user's own rate limit owns `rate_limit_exceeded`; everything the upstream
 * does wrong is `service_unavailable` (503), except a request the upstream
 * rejects as invalid (400/413/422), which is the caller's to fix and becomes
 * `invalid_request` with the upstream's message. Messages never contain the
 * API key (it is redacted if an upstream echoes it) and, apart from 400-class
 * rejections, never echo the upstream's text (OpenAI's 429 messages name the
 * organization, its 401 messages part of the key).
 */
import { ApiError } from '../../errors/api-error.js';
import { extractErrorInfo, parseJson, type UpstreamErrorInfo } from './chat-api.js';

export interface UpstreamContext {
  /** Full URL the request was posted to. */
  url: string;
  model: string;
  apiKey?: string;
}

const MAX_MESSAGE = 1000;

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
      { headers: retry },
    );
  }
  if (status === 408 || status >= 500) {
    return new ApiError(
      'service_unavailable',
      `The upstream model provider is unavailable (HTTP ${status}). Retry after a brief delay.`,
      { headers: retryAfterHeaders(headers) },
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
    { cause: err },
  );
}

/** Reading the response body failed after the headers arrived (connection reset mid-stream). */
export function mapReadError(err: unknown, ctx: UpstreamContext): ApiError {
  const code = errorCode(err);
  return new ApiError(
    'service_unavailable',
    `The connection to the upstream model provider at ${hostOf(ctx.url)} was interrupted${code ? ` (${code})` : ''}. Retry after a brief delay.`,
    { cause: err },
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
  if (looksInvalid) return invalidRequest(info, 400, ctx);
  return new ApiError('service_unavailable', 'The upstream model provider failed while generating the response. Retry after a brief delay.');
}

/** The upstream sent bytes this provider cannot interpret. */
export function malformedUpstream(what: string): ApiError {
  return new ApiError('service_unavailable', `The upstream model provider sent a malformed response (${what}).`);
}

function invalidRequest(info: UpstreamErrorInfo, status: number, ctx: UpstreamContext): ApiError {
  const message = truncate(redact(info.message ?? `HTTP ${status}`, ctx.apiKey));
  return new ApiError('invalid_request', `Upstream rejected the request: ${message}`, { param: mapParam(info.param) });
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

/**
 * `retry-after` for our response, from the upstream's `retry-after-ms`,
 * `retry-after` (seconds or HTTP date) or, failing both, OpenAI's
 * `x-ratelimit-reset-{requests,tokens}` durations ("1s", "6m0s", "20ms").
 * Empty when the upstream gave no hint.
 */
export function retryAfterHeaders(headers: Headers): Record<string, string> {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && /^\s*\d+(\.\d+)?\s*$/.test(ms)) {
    const value = Math.max(0, Number(ms));
    return { 'retry-after': String(Math.ceil(value / 1000)), 'retry-after-ms': String(Math.ceil(value)) };
  }
  const ra = headers.get('retry-after');
  if (ra !== null) {
    const trimmed = ra.trim();
    if (/^\d+(\.\d+)?$/.test(trimmed)) return { 'retry-after': String(Math.ceil(Number(trimmed))) };
    const date = Date.parse(trimmed);
    if (!Number.isNaN(date)) return { 'retry-after': String(Math.max(0, Math.ceil((date - Date.now()) / 1000))) };
  }
  let resetMs: number | undefined;
  for (const kind of ['requests', 'tokens']) {
    if (headers.get(`x-ratelimit-remaining-${kind}`) !== '0') continue;
    const d = parseDuration(headers.get(`x-ratelimit-reset-${kind}`));
    if (d !== undefined) resetMs = Math.max(resetMs ?? 0, d);
  }
  if (resetMs !== undefined) return { 'retry-after': String(Math.ceil(resetMs / 1000)) };
  return {};
}

function parseDuration(text: string | null): number | undefined {
  if (!text) return undefined;
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let matched = '';
  for (const m of text.trim().matchAll(re)) {
    const n = Number(m[1]);
    const unit = m[2];
    total += unit === 'h' ? n * 3_600_000 : unit === 'm' ? n * 60_000 : unit === 's' ? n * 1000 : n;
    matched += m[0];
  }
  return matched.length > 0 && matched === text.trim() ? total : undefined;
}

function errorCode(err: unknown): string | undefined {
  const seen = new Set<unknown>();
  let cur: unknown = err;
  while (cur && typeof cur === 'object' && !seen.has(cur)) {
    seen.add(cur);
    const c = (cur as { code?: unknown }).code;
    if (typeof c === 'string' && c.length > 0) return c;
    const errors = (cur as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0) {
      cur = errors[0];
      continue;
    }
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/** `host[:port]` of a URL, never its credentials, path or query. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the configured URL';
  }
}

function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'the configured URL';
  }
}

function redact(text: string, apiKey: string | undefined): string {
  let out = text;
  if (apiKey && apiKey.length >= 4) out = out.split(apiKey).join('[redacted]');
  return out.replace(/\b(sk-[A-Za-z0-9_*-]{6,})/g, '[redacted]').replace(/Bearer\s+\S+/gi, 'Bearer [redacted]');
}

function truncate(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE)}…` : text;
}
