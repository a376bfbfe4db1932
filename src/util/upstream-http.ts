/**
 * Plumbing shared by the HTTP upstream backends (openai-chat,
 * openai-responses, anthropic): reading bodies under an abort signal, JSON
 * that never throws, `retry-after` extraction, redaction of keys in upstream
 * text, and a fetch wrapper with a connect timeout. Nothing here knows a
 * backend's wire format or error mapping; callers pass their mapping in.
 */
import { ApiError } from '../errors/api-error.js';
import type { ProviderEvent, ProviderRequest } from '../providers/types.js';
import type { ClientOptions, UpstreamClient, UpstreamReply } from './upstream-client.js';

/** Longest upstream message echoed back in an error. */
export const MAX_UPSTREAM_MESSAGE = 1000;

/** The upstream sent bytes a backend cannot interpret (503, not retried: the same server would send them again). */
export function malformedUpstream(what: string): ApiError {
  return new ApiError('service_unavailable', `The upstream model provider sent a malformed response (${what}).`);
}

/** Upstream bytes are untrusted: JSON.parse that never throws. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false };
  }
}

/** The signal's reason (normally a DOMException named AbortError), else `fallback`, else a fresh AbortError. */
export function abortReason(signal: AbortSignal, fallback: unknown): unknown {
  const reason: unknown = signal.reason;
  return reason ?? fallback ?? new DOMException('This operation was aborted', 'AbortError');
}

/** The body as text, at most `limit` bytes (the rest is discarded). */
export async function readText(response: Response, limit: number): Promise<string> {
  if (!response.body) return '';
  try {
    return await textOf(response.body, limit);
  } finally {
    response.body.cancel().catch(() => {});
  }
}

/** At most `limit` bytes of a body's chunks, as UTF-8 text (stops reading there). */
async function textOf(chunks: AsyncIterable<Uint8Array>, limit: number): Promise<string> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of chunks) {
    parts.push(chunk);
    size += chunk.byteLength;
    if (size >= limit) break;
  }
  return parts.length === 1 ? Buffer.from(parts[0]!.buffer, parts[0]!.byteOffset, parts[0]!.byteLength).toString('utf8') : Buffer.concat(parts).toString('utf8');
}

/** Removes the configured key, anything shaped like an OpenAI key and Bearer tokens from upstream text. */
export function redact(text: string, apiKey: string | undefined): string {
  let out = text;
  if (apiKey && apiKey.length >= 4) out = out.split(apiKey).join('[redacted]');
  return out.replace(/\bsk-[A-Za-z0-9_*-]{6,}/g, '[redacted]').replace(/Bearer\s+\S+/gi, 'Bearer [redacted]');
}

/** At most MAX_UPSTREAM_MESSAGE characters, with an ellipsis when cut. */
export function truncate(text: string, max = MAX_UPSTREAM_MESSAGE): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * The message of a request a backend rejected (its 400, passed on as the
 * client's `invalid_request`): it says the rejection came from the model
 * backend, which one, and what it said (redacted and cut), so that it is not
 * taken for Cohort's own validation. `status` is absent for a rejection inside a stream.
 */
export function rejectedByBackend(ctx: { url: string; model: string; apiKey?: string }, status: number | undefined, message: string): string {
  const which = [URL.canParse(ctx.url) ? hostOf(ctx.url) : '', ctx.model ? `model ${ctx.model}` : ''].filter(Boolean).join(', ');
  return `The model backend${which ? ` (${which})` : ''} rejected the request${status !== undefined ? ` with HTTP ${status}` : ''}: ${truncate(redact(message, ctx.apiKey))}`;
}

/** `host[:port]` of a URL, never its credentials, path or query. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'the configured URL';
  }
}

/** `scheme://host[:port]/path` of a URL, without credentials or query. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return 'the configured URL';
  }
}

/** The first string `code` along an error's cause / AggregateError chain (ECONNREFUSED, UND_ERR_SOCKET, …). */
export function errorCode(err: unknown): string | undefined {
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

/**
 * `retry-after` for our response, from the upstream's `retry-after-ms`,
 * `retry-after` (seconds or HTTP date) or, failing both, OpenAI's
 * `x-ratelimit-reset-{requests,tokens}` durations ("1s", "6m0s", "20ms") of
 * an exhausted limit. Empty when the upstream gave no hint. With
 * `retry-after-ms`, both headers are returned.
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

/** Milliseconds from `retry-after-ms` / `retry-after` headers as retryAfterHeaders returns them, or undefined. */
export function retryAfterMs(headers: Record<string, string>): number | undefined {
  const ms = headers['retry-after-ms'];
  if (ms !== undefined && /^\d+(\.\d+)?$/.test(ms)) return Number(ms);
  const s = headers['retry-after'];
  if (s !== undefined && /^\d+(\.\d+)?$/.test(s)) return Number(s) * 1000;
  return undefined;
}

/** "1s", "6m0s", "20ms", "1h2m" → milliseconds; undefined unless the whole text is such a duration. */
export function parseDuration(text: string | null): number | undefined {
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

/**
 * How an HTTP backend asks its upstream for an answer (config `streaming`):
 * - 'auto' (default): streamed when the request's events are read as they
 *   come (streaming and background requests), whole otherwise — one JSON
 *   reply is much cheaper to produce, relay and decode than an event per
 *   token, and nothing is lost since the client sees nothing before the end;
 * - 'always': always streamed (an upstream or proxy that cuts long silent
 *   requests, or per-token accounting of abandoned requests).
 */
export type UpstreamStreaming = 'auto' | 'always';

/** The options every HTTP backend takes besides its own: its HTTP client and how it asks for answers. */
export interface HttpBackendOptions extends ClientOptions {
  /** Default 'auto'. */
  streaming?: UpstreamStreaming;
}

/** Whether a request goes to the upstream as a stream (see UpstreamStreaming). */
export function streamsUpstream(req: Pick<ProviderRequest, 'incremental'>, mode: UpstreamStreaming | undefined): boolean {
  return mode === 'always' || req.incremental !== false;
}

/** How one backend's HTTP exchange is mapped; everything else is shared by `postForEvents`. */
export interface UpstreamExchange {
  client: UpstreamClient;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  /** The request's signal: aborting it aborts the upstream call. */
  signal: AbortSignal;
  /** The body asks for the whole answer in one reply (not a stream): see UpstreamPost.whole. */
  whole?: boolean;
  connectionError(err: unknown): unknown;
  httpError(status: number, headers: Headers, text: string): unknown;
  readError(err: unknown): unknown;
  /** Decodes the backend's event stream (chunks of bytes or text). */
  decodeStream(chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>): AsyncIterable<ProviderEvent>;
  /** Decodes a whole JSON reply (a server that ignored `stream: true`). */
  decodeJson(value: unknown): Iterable<ProviderEvent> | AsyncIterable<ProviderEvent>;
}

const ERROR_BODY_LIMIT = 64 * 1024;

/**
 * The headers of an OpenAI-style JSON POST that takes an event stream back:
 * the config's extra headers (names lower-cased, so ours replace theirs
 * rather than doubling them), then content type, accept and the bearer key.
 */
export function bearerJsonHeaders(extra: Record<string, string> | undefined, apiKey: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (extra) for (const [k, v] of Object.entries(extra)) out[k.toLowerCase()] = v;
  out['content-type'] = 'application/json';
  out.accept = 'text/event-stream, application/json';
  if (apiKey) out.authorization = `Bearer ${apiKey}`;
  return out;
}

/** A reply body's chunks; a failed read is the signal's reason after an abort, else `readError`'s mapping. */
async function* guardedChunks(body: AsyncIterable<Uint8Array>, x: UpstreamExchange): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of body) yield chunk;
  } catch (err) {
    if (x.signal.aborted) throw abortReason(x.signal, err);
    throw x.readError(err);
  }
}

/**
 * POSTs a JSON request and yields the provider events of the reply, for every
 * HTTP backend: the request's signal aborts the call, HTTP and connection
 * errors go through the backend's mappers, an event stream is decoded as it
 * arrives, and a JSON (or unlabelled SSE) body is decoded whole. Stopping
 * early releases the connection.
 */
export async function* postForEvents(x: UpstreamExchange): AsyncGenerator<ProviderEvent, void, undefined> {
  if (x.signal.aborted) throw abortReason(x.signal, undefined);
  let reply: UpstreamReply;
  try {
    reply = await x.client(x.url, { headers: x.headers, body: JSON.stringify(x.body), signal: x.signal, ...(x.whole ? { whole: true } : {}) });
  } catch (err) {
    if (x.signal.aborted) throw abortReason(x.signal, err);
    throw x.connectionError(err);
  }
  let consumed = false;
  try {
    if (reply.status < 200 || reply.status > 299) {
      const text = await textOf(reply.body, ERROR_BODY_LIMIT).catch(() => '');
      throw x.httpError(reply.status, reply.headers(), text);
    }
    if (reply.contentType.includes('text/event-stream')) {
      yield* x.decodeStream(guardedChunks(reply.body, x));
      consumed = true;
      return;
    }
    let text: string;
    try {
      text = await textOf(reply.body, Infinity);
    } catch (err) {
      if (x.signal.aborted) throw abortReason(x.signal, err);
      throw x.readError(err);
    }
    consumed = true;
    const parsed = parseJson(text);
    if (parsed.ok) yield* x.decodeJson(parsed.value);
    else if (/^\s*(?:data|event|id|retry)?:/.test(text)) yield* x.decodeStream([text]);
    else throw malformedUpstream('a body that is neither JSON nor an event stream');
  } finally {
    // Releases the connection when the consumer stopped early or an error cut the read.
    if (!consumed) reply.cancel();
  }
}
