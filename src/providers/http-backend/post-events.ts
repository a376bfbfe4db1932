/**
 * The HTTP exchange every upstream backend makes (through the HTTP backend
 * base, index.ts): one JSON POST whose reply is decoded into provider events
 * as it arrives, aborted with the request, its failures mapped by the
 * backend (which passes its wire decoding and error mapping in).
 */
import { textOf } from '../../util/body-text.js';
import { parseJson } from '../../util/parse-json.js';
import type { UpstreamClient, UpstreamReply } from '../../util/upstream-client.js';
import { malformedUpstream } from '../../util/upstream-errors.js';
import type { ProviderEvent } from '../types.js';

/** The signal's reason (normally a DOMException named AbortError), else `fallback`, else a fresh AbortError. */
export function abortReason(signal: AbortSignal, fallback: unknown): unknown {
  const reason: unknown = signal.reason;
  return reason ?? fallback ?? new DOMException('This operation was aborted', 'AbortError');
}

/** How a backend describes its upstream's failures (each returns the error to throw, normally an ApiError). */
export interface UpstreamErrorMappers {
  /** The connection failed (refused, DNS, TLS, the connect timeout). */
  connectionError(err: unknown): unknown;
  /** A status outside 2xx, with the first 64 KiB of its body. */
  httpError(status: number, headers: Headers, text: string): unknown;
  /** Reading the body failed after the headers arrived. */
  readError(err: unknown): unknown;
}

/** One JSON POST to an upstream and how its failures are mapped. */
export interface UpstreamPost extends UpstreamErrorMappers {
  client: UpstreamClient;
  url: string;
  headers: Record<string, string>;
  body: unknown;
  /** The request's signal: aborting it aborts the upstream call. */
  signal: AbortSignal;
}

/** How one backend's HTTP exchange is mapped; everything else is shared by `postForEvents`. */
export interface UpstreamExchange extends UpstreamPost {
  /** The body asks for the whole answer in one reply (not a stream): see UpstreamPost.whole. */
  whole?: boolean;
  /** Decodes the backend's event stream (chunks of bytes or text). */
  decodeStream(chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>): AsyncIterable<ProviderEvent>;
  /** Decodes a whole JSON reply (a server that ignored `stream: true`). */
  decodeJson(value: unknown): Iterable<ProviderEvent> | AsyncIterable<ProviderEvent>;
}

const ERROR_BODY_LIMIT = 64 * 1024;
/** A whole (non-streamed) reply body: far above any answer or embeddings reply. */
export const WHOLE_BODY_LIMIT = 64 * 1024 * 1024;

/**
 * Sends the POST and returns a 2xx reply; an abort is the signal's reason, a failed
 * connection `connectionError`'s mapping, another status `httpError`'s (with the first
 * 64 KiB of its body; the connection released).
 */
export async function sendPost(x: UpstreamPost, whole: boolean): Promise<UpstreamReply> {
  if (x.signal.aborted) throw abortReason(x.signal, undefined);
  let reply: UpstreamReply;
  try {
    reply = await x.client(x.url, { headers: x.headers, body: JSON.stringify(x.body), signal: x.signal, ...(whole ? { whole: true } : {}) });
  } catch (err) {
    if (x.signal.aborted) throw abortReason(x.signal, err);
    throw x.connectionError(err);
  }
  if (reply.status >= 200 && reply.status <= 299) return reply;
  try {
    const text = await textOf(reply.body, ERROR_BODY_LIMIT).catch(() => '');
    throw x.httpError(reply.status, reply.headers(), text);
  } finally {
    reply.cancel();
  }
}

/** A reply's whole body as text, up to `limit`; a failed read is the abort reason or `readError`'s mapping. */
export async function readText(reply: UpstreamReply, x: UpstreamPost, limit: number): Promise<string> {
  try {
    return await textOf(reply.body, limit);
  } catch (err) {
    if (x.signal.aborted) throw abortReason(x.signal, err);
    throw x.readError(err);
  }
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
  const reply = await sendPost(x, x.whole === true);
  let consumed = false;
  try {
    if (reply.contentType.includes('text/event-stream')) {
      yield* x.decodeStream(guardedChunks(reply.body, x));
      consumed = true;
      return;
    }
    const text = await readText(reply, x, WHOLE_BODY_LIMIT);
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
