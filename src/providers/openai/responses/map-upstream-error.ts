/**
 * Responses upstream failures → ApiError.
 *
 * HTTP errors use the OpenAI-compatible mapping of ../errors.ts (same OpenAI error bodies,
 * same COHORT_UPSTREAM_* configuration, 429 → 503 with retry-after), except
 * that an upstream `param` is passed through: this upstream's parameter names
 * are the Responses API's own, so they already name what the caller sent.
 *
 * In-stream failures (`event: error`, `response.failed`) carry a `code`:
 * codes that blame the request (invalid_prompt, invalid_image…, image_…,
 * unsupported_…, context_length_exceeded, any `invalid_request_error` type,
 * numeric 4xx codes) → invalid_request with the upstream's message (keys
 * redacted), introduced as the backend's; everything else (server_error, rate_limit_exceeded, …) →
 * service_unavailable without echoing upstream text.
 */
import { ApiError } from '../../../errors/api-error.js';
import { malformedUpstream, rejectedByBackend } from '../../../util/upstream-errors.js';
import { mapConnectionError, mapReadError, mapUpstreamHttpError as mapOpenAIHttpError, type UpstreamContext } from '../errors.js';
import { errorEventSchema, responseErrorSchema, type ResponseError } from './responses-api.js';

export { malformedUpstream, mapConnectionError, mapReadError, type UpstreamContext };

/** An upstream HTTP error status (with its body text) as an ApiError, its `param` read as a Responses parameter. */
export function mapUpstreamHttpError(status: number, headers: Headers, bodyText: string, ctx: UpstreamContext): ApiError {
  return mapOpenAIHttpError(status, headers, bodyText, ctx, responsesParam);
}

/** `response.failed`'s `response.error`. */
export function mapResponseFailure(error: unknown, ctx: UpstreamContext): ApiError {
  const parsed = responseErrorSchema.safeParse(error ?? {});
  return classify(parsed.success ? parsed.data : {}, ctx);
}

/** An `event: error` payload (top-level code/message/param, or nested under `error`). */
export function mapErrorEvent(value: unknown, ctx: UpstreamContext): ApiError {
  const parsed = errorEventSchema.safeParse(value);
  if (!parsed.success) return classify({}, ctx);
  const { error: nested, ...top } = parsed.data;
  const info: ResponseError = { ...top };
  if (typeof nested === 'string') info.message ??= nested;
  else if (nested) {
    info.code ??= nested.code;
    info.message ??= nested.message;
    info.type ??= nested.type;
    info.param ??= nested.param;
  }
  return classify(info, ctx);
}

const CLIENT_FAULT = /^(?:invalid_(?!api_key)|image_|unsupported_|empty_image|failed_to_download|context_length_exceeded|string_above_max_length|4\d\d$)/;

function classify(info: ResponseError, ctx: UpstreamContext): ApiError {
  const code = info.code == null ? '' : String(info.code);
  if (info.type === 'invalid_request_error' || CLIENT_FAULT.test(code)) {
    return new ApiError('invalid_request', rejectedByBackend(ctx, undefined, info.message ?? (code || 'invalid request')), { param: responsesParam(info.param ?? undefined) });
  }
  if (code === 'rate_limit_exceeded') {
    return new ApiError('service_unavailable', 'The upstream model provider is rate limiting requests and stopped the response. Retry after a brief delay.', { retryable: true });
  }
  return new ApiError('service_unavailable', 'The upstream model provider failed while generating the response. Retry after a brief delay.', { retryable: true });
}

/** Upstream Responses parameter → the parameter the caller sent (item indexes differ after filtering and history, so only roots for arrays). */
export function responsesParam(param: string | null | undefined): string | null {
  if (!param) return null;
  const segments = param.split(/[.[]/);
  const root = segments[0] ?? param;
  switch (root) {
    case 'input':
    case 'tools':
    case 'instructions':
    case 'tool_choice':
    case 'parallel_tool_calls':
    case 'temperature':
    case 'top_p':
    case 'max_output_tokens':
      return root;
    case 'text':
    case 'reasoning':
      return segments[1] ? `${root}.${segments[1]}` : root;
    default:
      return null;
  }
}
