/** The one error renderer: every error reply is `{"error":{message,type,param,code}}`. */
import type { Context } from 'hono';
import { ApiError, toApiError } from '../errors/api-error.js';
import type { Logger } from '../logger.js';

export function renderError(c: Context, err: unknown, logger: Logger): Response {
  const apiError = toApiError(err);
  if (!(err instanceof ApiError)) {
    logger.error('request.internal_error', { request_id: c.get('requestId' as never), err });
  }
  const headers: Record<string, string> = { 'content-type': 'application/json', ...apiError.headers };
  if (apiError.status === 429 || apiError.status >= 500) {
    if (!('retry-after' in headers) && apiError.status === 503) headers['retry-after'] = '1';
    if (headers['retry-after'] && !headers['retry-after-ms']) headers['retry-after-ms'] = String(Number(headers['retry-after']) * 1000);
  }
  return new Response(JSON.stringify(apiError.toBody()), { status: apiError.status, headers });
}
