/**
 * OpenAI-compatible upstream failures → ApiError, shared by the OpenAI API
 * family (chat/, responses/, embeddings/) and Ollama's own endpoints, as the
 * AI SDK's OpenAI package shares its `openai-error.ts`.
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
import { z } from 'zod';
import { ApiError } from '../../errors/api-error.js';
import { parseJson } from '../../util/parse-json.js';
import { retryAfterHeaders } from '../../util/retry-after.js';
import { describeUrl, errorCode, hostOf, rejectedByBackend } from '../../util/upstream-errors.js';
import type { UpstreamErrorMappers } from '../http-backend/index.js';

export interface UpstreamContext {
  /** Full URL the request was posted to. */
  url: string;
  model: string;
  apiKey?: string;
}

/** The context errors are described with: the URL, the model, and the key to redact. */
export function upstreamContext(url: string, model: string, apiKey: string | undefined): UpstreamContext {
  const ctx: UpstreamContext = { url, model };
  if (apiKey) ctx.apiKey = apiKey;
  return ctx;
}

const optString = z.string().nullish();

/**
 * Error bodies. OpenAI, vLLM and LM Studio send `{error:{message,type,param,code}}`;
 * Ollama and llama.cpp sometimes send `{error:"text"}`; FastAPI-style servers send
 * `{detail:"text"}` or `{message:"text"}`.
 */
export const errorBodySchema = z.object({
  error: z
    .union([
      z.string(),
      z.object({
        message: optString,
        type: optString,
        param: optString,
        code: z.union([z.string(), z.number()]).nullish(),
      }),
    ])
    .nullish(),
  message: optString,
  detail: z.unknown().optional(),
});

export interface UpstreamErrorInfo {
  message?: string;
  param?: string;
  code?: string;
  type?: string;
}

/** Pulls a message/param/code out of any of the error body shapes above; undefined when none is recognizable. */
export function extractErrorInfo(value: unknown): UpstreamErrorInfo | undefined {
  const parsed = errorBodySchema.safeParse(value);
  if (!parsed.success) return undefined;
  const body = parsed.data;
  const info: UpstreamErrorInfo = {};
  if (typeof body.error === 'string') {
    info.message = body.error;
  } else if (body.error) {
    if (body.error.message) info.message = body.error.message;
    if (body.error.param) info.param = body.error.param;
    if (body.error.code != null) info.code = String(body.error.code);
    if (body.error.type) info.type = body.error.type;
  }
  if (info.message === undefined && body.message) info.message = body.message;
  if (info.message === undefined && typeof body.detail === 'string') info.message = body.detail;
  if (info.message === undefined && Array.isArray(body.detail)) {
    // FastAPI validation errors: [{loc, msg, type}, …]
    const msgs = body.detail.map((d: unknown) => (d && typeof d === 'object' && 'msg' in d && typeof d.msg === 'string' ? d.msg : undefined)).filter((m): m is string => m !== undefined);
    if (msgs.length > 0) info.message = msgs.join('; ');
  }
  return Object.keys(info).length > 0 ? info : undefined;
}

/** An upstream's `param` → the parameter the caller sent, or null when there is none to name. */
export type ParamMap = (param: string | undefined) => string | null;

/**
 * Chat Completions parameter names (what OpenAI-compatible servers name) →
 * the Responses API parameter the caller sent. The Responses backend passes
 * its own table.
 */
export function chatCompletionsParam(param: string | undefined): string | null {
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

/** A request the upstream rejected, as the caller's `invalid_request` (its message introduced as the backend's). */
export function rejectedRequest(info: UpstreamErrorInfo, status: number | undefined, ctx: UpstreamContext, paramOf: ParamMap): ApiError {
  return new ApiError('invalid_request', rejectedByBackend(ctx, status, info.message ?? `HTTP ${status ?? 400}`), { param: paramOf(info.param) });
}

/** An upstream HTTP error status (with its body text) as an ApiError. */
export function mapUpstreamHttpError(status: number, headers: Headers, bodyText: string, ctx: UpstreamContext, paramOf: ParamMap = chatCompletionsParam): ApiError {
  const parsed = parseJson(bodyText);
  const info = (parsed.ok ? extractErrorInfo(parsed.value) : undefined) ?? {};
  if (info.message === undefined && !parsed.ok && bodyText.trim() !== '') info.message = bodyText.trim();

  if (status === 400 || status === 413 || status === 422) {
    return rejectedRequest(info, status, ctx, paramOf);
  }
  if (status === 401 || status === 403) {
    return new ApiError('service_unavailable', `The upstream model provider rejected the configured credentials (HTTP ${status}); check COHORT_UPSTREAM_API_KEY.`);
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
    return new ApiError('service_unavailable', `The upstream model provider is unavailable (HTTP ${status}). Retry after a brief delay.`, {
      headers: retryAfterHeaders(headers),
      retryable: true,
    });
  }
  return new ApiError('service_unavailable', `The upstream model provider returned an unexpected HTTP ${status}.`);
}

/** The connection failed (DNS failure, refused connection, TLS error, …). */
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
  return new ApiError('service_unavailable', `The connection to the upstream model provider at ${hostOf(ctx.url)} was interrupted${code ? ` (${code})` : ''}. Retry after a brief delay.`, {
    cause: err,
    retryable: true,
  });
}

/** The three mappers an HTTP exchange with an OpenAI-compatible server takes. */
export function openAIErrors(ctx: UpstreamContext, paramOf: ParamMap = chatCompletionsParam): UpstreamErrorMappers {
  return {
    connectionError: (err) => mapConnectionError(err, ctx),
    httpError: (status, headers, text) => mapUpstreamHttpError(status, headers, text, ctx, paramOf),
    readError: (err) => mapReadError(err, ctx),
  };
}
