/**
 * The console's one door to the server: the public API under /v1 with the
 * session cookie (same origin, HttpOnly — the page never sees it) and, on
 * requests that change something, the session's CSRF token in a header.
 * Errors arrive as the API's `{error: {message, type, param, code}}` and are
 * thrown as ApiFailure so every page can show the message and the param.
 */
export class ApiFailure extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | null,
    readonly param: string | null,
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

const SAFE = new Set(['GET', 'HEAD']);
let csrf: string | null = null;
let onSessionEnded: (() => void) | null = null;

/** Set at sign-in (and after a reload, from GET /v1/session). */
export function setCsrfToken(token: string | null): void {
  csrf = token;
}

/** What to do when the server says the session is over (401): go back to sign-in. */
export function onUnauthorized(handler: (() => void) | null): void {
  onSessionEnded = handler;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  signal?: AbortSignal;
  headers?: Record<string, string>;
  /** Do not treat a 401 as the end of the session (sign-in itself). */
  quiet401?: boolean;
}

async function failure(res: Response): Promise<ApiFailure> {
  let message = `${res.status} ${res.statusText}`;
  let code: string | null = null;
  let param: string | null = null;
  try {
    const body = (await res.json()) as { error?: { message?: unknown; code?: unknown; param?: unknown } };
    if (body.error) {
      if (typeof body.error.message === 'string') message = body.error.message;
      if (typeof body.error.code === 'string') code = body.error.code;
      if (typeof body.error.param === 'string') param = body.error.param;
    }
  } catch {
    // not JSON: keep the status line
  }
  return new ApiFailure(message, res.status, code, param);
}

/** A raw call: the Response, after the error check (for streams and downloads). */
export async function request(path: string, options: RequestOptions = {}): Promise<Response> {
  const method = options.method ?? (options.body === undefined ? 'GET' : 'POST');
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (!SAFE.has(method) && csrf) headers['x-cohort-csrf'] = csrf;
  const init: RequestInit = { method, headers, credentials: 'same-origin', cache: 'no-store' };
  if (options.body !== undefined) init.body = JSON.stringify(options.body);
  if (options.signal) init.signal = options.signal;
  const res = await fetch(`/v1${path}`, init);
  if (!res.ok) {
    const err = await failure(res);
    if (res.status === 401 && !options.quiet401) onSessionEnded?.();
    throw err;
  }
  return res;
}

/** A JSON call. */
export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const res = await request(path, options);
  return (await res.json()) as T;
}

/** A query string from the defined values. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The message to show for any thrown value. */
export function messageOf(err: unknown): string {
  if (err instanceof ApiFailure) return err.param ? `${err.message} (${err.param})` : err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
