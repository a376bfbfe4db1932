import { ERRORS, type ErrorCode } from './registry.js';

export interface ApiErrorOptions {
  param?: string | null;
  cause?: unknown;
  /** Extra response headers, e.g. retry-after on 429/503. */
  headers?: Record<string, string>;
  /**
   * A transient upstream failure (HTTP 408/429/5xx, connection error, overload)
   * that the backend router may retry before anything reached the client.
   */
  retryable?: boolean;
}

/** An error the API renders as `{"error":{"message","type","param","code"}}`. */
/** Headers of an error after which the server already made one more attempt: a client retrying at once would mostly pay the same twice. */
export const NO_CLIENT_RETRY = { 'x-should-retry': 'false' };

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly type: string;
  readonly param: string | null;
  readonly headers: Record<string, string>;
  /** See ApiErrorOptions.retryable; false unless set. */
  readonly retryable: boolean;

  constructor(code: ErrorCode, message: string, options: ApiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.code = code;
    this.status = ERRORS[code].status;
    this.type = ERRORS[code].type;
    this.param = options.param ?? null;
    this.headers = options.headers ?? {};
    this.retryable = options.retryable ?? false;
  }

  toBody(): ErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

export interface ErrorBody {
  error: { message: string; type: string; param: string | null; code: string };
}

/** Any thrown value as an ApiError; unknown errors become a generic 500 that leaks nothing. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  return new ApiError('internal_error', 'The server had an error while processing your request. Retry after a brief delay.', { cause: err });
}
