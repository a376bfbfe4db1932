/**
 * Calling a tool backend over HTTP: JSON (or multipart) in, JSON out, with a
 * per-request timeout on top of the run's signal, upstream errors turned into
 * ToolErrors whose text is safe to show (keys redacted, bodies clipped), and
 * a bounded poll loop for job-style APIs (videos).
 */
import { readText } from '../util/body-text.js';
import { parseJson } from '../util/parse-json.js';
import { errorCode, hostOf, redact } from '../util/upstream-errors.js';
import { clip, ToolError, type ToolContext } from './tool.js';

export interface BackendRequest {
  /** Who we are calling, for messages: "Tavily", "the images API", … */
  service: string;
  method: 'GET' | 'POST';
  url: string;
  apiKey?: string | undefined;
  headers?: Record<string, string>;
  /** A JSON value, or FormData for multipart/form-data (fetch sets the boundary). */
  body?: unknown;
  timeoutMs: number;
}

const ERROR_BODY_LIMIT = 64 * 1024;
const RESPONSE_LIMIT = 64 * 1024 * 1024;

/** Sends the request and returns the parsed JSON body of a 2xx answer; everything else is a ToolError. */
export async function requestJson(ctx: ToolContext, req: BackendRequest): Promise<unknown> {
  const headers = new Headers(req.headers);
  headers.set('accept', 'application/json');
  if (req.apiKey) headers.set('authorization', `Bearer ${req.apiKey}`);
  let body: BodyInit | undefined;
  if (req.body instanceof FormData) body = req.body;
  else if (req.body !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(req.body);
  }
  const timeout = AbortSignal.timeout(req.timeoutMs);
  const signal = AbortSignal.any([ctx.signal, timeout]);
  let res: Response;
  try {
    res = await ctx.fetch(req.url, { method: req.method, headers, signal, ...(body !== undefined ? { body } : {}) });
  } catch (err) {
    throw transportError(ctx, req, timeout, err);
  }
  let text: string;
  try {
    text = await readText(res, res.ok ? RESPONSE_LIMIT : ERROR_BODY_LIMIT);
  } catch (err) {
    throw transportError(ctx, req, timeout, err);
  }
  if (!res.ok) {
    const detail = upstreamMessage(text);
    throw new ToolError(`${req.service} returned HTTP ${res.status}${detail ? `: ${clip(redact(detail, req.apiKey), 300)}` : ''}.`);
  }
  const parsed = parseJson(text);
  if (!parsed.ok) throw new ToolError(`${req.service} answered with a body that is not JSON.`);
  return parsed.value;
}

function transportError(ctx: ToolContext, req: BackendRequest, timeout: AbortSignal, err: unknown): unknown {
  if (ctx.signal.aborted) return ctx.signal.reason ?? err;
  if (timeout.aborted) return new ToolError(`${req.service} did not answer within ${Math.round(req.timeoutMs / 1000)} s.`, { cause: err });
  const code = errorCode(err);
  return new ToolError(`Could not reach ${req.service} at ${hostOf(req.url)}${code ? ` (${code})` : ''}.`, { cause: err });
}

/** The human part of an error body: OpenAI `{error:{message}}`, Tavily `{detail:{error}}`, Runway `{error}`, or the text. */
function upstreamMessage(text: string): string {
  const parsed = parseJson(text);
  if (!parsed.ok) return text.trim().replace(/\s+/g, ' ');
  const v = parsed.value as Record<string, unknown> | null;
  if (!v || typeof v !== 'object') return '';
  const candidates: unknown[] = [
    (v.error as Record<string, unknown> | undefined)?.message,
    v.error,
    (v.detail as Record<string, unknown> | undefined)?.error,
    v.detail,
    v.message,
  ];
  for (const c of candidates) if (typeof c === 'string' && c.trim()) return c.trim();
  return '';
}

/**
 * Calls `check` every `ctx.poll.intervalMs` until it returns a value, up to
 * `ctx.poll.timeoutMs`; then a ToolError saying `what` is still running.
 * Aborting the run's signal stops the wait at once.
 */
export async function pollUntil<T>(ctx: ToolContext, what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ctx.poll.timeoutMs;
  for (;;) {
    const done = await check();
    if (done !== undefined) return done;
    if (Date.now() + ctx.poll.intervalMs > deadline) {
      throw new ToolError(`${what} was still running after ${Math.round(ctx.poll.timeoutMs / 1000)} s; gave up waiting.`);
    }
    await ctx.sleep(ctx.poll.intervalMs, ctx.signal);
  }
}

/** setTimeout as a promise that rejects with the signal's reason when it aborts. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A plain object, or undefined. Upstream JSON is untrusted. */
export function obj(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
