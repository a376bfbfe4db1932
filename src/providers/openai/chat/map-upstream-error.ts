/**
 * Chat Completions upstream failures → ApiError: the OpenAI-compatible
 * mapping of ../errors.ts (HTTP statuses, connection and read failures, the
 * Chat Completions parameter names), plus the error object a server puts
 * inside a 200 stream or JSON body.
 */
import { ApiError } from '../../../errors/api-error.js';
import { retryAfterHeaders } from '../../../util/retry-after.js';
import { hostOf, malformedUpstream } from '../../../util/upstream-errors.js';
import { chatCompletionsParam, extractErrorInfo, mapConnectionError, mapReadError, mapUpstreamHttpError, rejectedRequest, type UpstreamContext } from '../errors.js';

/** Re-exported from where they live (../errors.ts, src/util/). */
export { hostOf, malformedUpstream, mapConnectionError, mapReadError, mapUpstreamHttpError, retryAfterHeaders, type UpstreamContext };

/**
 * An error object the upstream put inside a 200 stream or JSON body
 * (`data: {"error":{…}}`; OpenAI on mid-stream server errors, vLLM on request
 * errors detected after the stream started).
 */
export function mapInBandError(value: unknown, ctx: UpstreamContext): ApiError {
  const info = extractErrorInfo(value) ?? {};
  const looksInvalid = info.code === '400' || info.code === '422' || info.type === 'invalid_request_error' || info.type === 'BadRequestError';
  if (looksInvalid) return rejectedRequest(info, undefined, ctx, chatCompletionsParam);
  return new ApiError('service_unavailable', 'The upstream model provider failed while generating the response. Retry after a brief delay.', { retryable: true });
}
