/**
 * Reads a JSON request body under bounds, turning every failure into the
 * brief's error — the one way a route reads a body:
 * - a content type that is not JSON → 415 (a missing one is taken as JSON);
 * - the body is read as it arrives and reading stops at `maxBytes` → 413,
 *   chunked bodies without content-length included (it used to be buffered
 *   whole first: a 600 MiB POST held ~2 GB before its 413);
 * - nesting deeper than MAX_JSON_DEPTH → 400, found by a linear scan before
 *   JSON.parse or any recursive walk (null stripping, validation) sees it;
 * - then parse (400) and the top level must be an object (400).
 */
import type { Context } from 'hono';
import { ApiError } from '../errors/api-error.js';
import { MAX_JSON_DEPTH } from '../limits/request-limits.js';

/** Bodies already read, by request: a second read (optional bodies) is free. */
const bodies = new WeakMap<Request, Uint8Array>();

export async function readJson(c: Context, maxBytes: number): Promise<Record<string, unknown>> {
  checkContentType(c);
  const bytes = await readBody(c, maxBytes);
  if (bytes.byteLength === 0) throw new ApiError('invalid_request', 'The request body is empty; send a JSON object.', { param: 'body' });
  return parseObject(bytes);
}

/** A JSON object body, or `{}` when the body is empty (endpoints whose body is optional). */
export async function readOptionalJson(c: Context, maxBytes: number): Promise<Record<string, unknown>> {
  const bytes = await readBody(c, maxBytes);
  if (bytes.byteLength === 0) return {};
  checkContentType(c);
  return parseObject(bytes);
}

function checkContentType(c: Context): void {
  const type = c.req.header('content-type');
  if (type === undefined || type.trim() === '') return;
  const mediaType = type.split(';', 1)[0]!.trim().toLowerCase();
  if (mediaType === 'application/json' || /^application\/[\w.+-]+\+json$/.test(mediaType)) return;
  throw new ApiError('unsupported_media_type', `The request body must be JSON (Content-Type: application/json), got '${mediaType.slice(0, 100)}'.`, { param: 'content-type' });
}

/** The body's bytes, read until `maxBytes` and no further. */
async function readBody(c: Context, maxBytes: number): Promise<Uint8Array> {
  const request = c.req.raw;
  const cached = bodies.get(request);
  if (cached) return cached;
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        // The rest is never read: the HTTP layer drains a little, then closes the connection.
        reader.cancel().catch(() => {});
        throw tooLarge(maxBytes);
      }
      chunks.push(value);
    }
  }
  const bytes = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
  bodies.set(request, bytes);
  return bytes;
}

function parseObject(bytes: Uint8Array): Record<string, unknown> {
  const depth = nestingDepth(bytes, MAX_JSON_DEPTH);
  if (depth > MAX_JSON_DEPTH) {
    throw new ApiError('invalid_request', `The JSON body is nested more than ${MAX_JSON_DEPTH} levels deep.`, { param: 'body' });
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch (err) {
    throw new ApiError('invalid_request', `We could not parse the JSON body of your request (${err instanceof Error ? err.message : 'invalid JSON'}).`, { param: 'body' });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ApiError('invalid_request', 'The request body must be a JSON object.', { param: 'body' });
  }
  return value as Record<string, unknown>;
}

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * The deepest nesting of objects and arrays in JSON text, outside strings;
 * stops counting once past `stop`. Malformed text gets some number: the
 * parser reports it.
 */
export function nestingDepth(bytes: Uint8Array, stop = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (inString) {
      if (b === BACKSLASH) i++;
      else if (b === QUOTE) inString = false;
    } else if (b === QUOTE) inString = true;
    else if (b === OPEN_OBJECT || b === OPEN_ARRAY) {
      if (++depth > deepest) {
        deepest = depth;
        if (deepest > stop) return deepest;
      }
    } else if (b === CLOSE_OBJECT || b === CLOSE_ARRAY) depth--;
  }
  return deepest;
}

function tooLarge(maxBytes: number): ApiError {
  const mib = maxBytes / 1024 / 1024;
  const size = mib >= 1 ? `${Math.round(mib * 10) / 10} MiB` : `${Math.round(maxBytes / 1024)} KiB`;
  return new ApiError('payload_too_large', `The request body is over the ${size} limit.`, { param: 'body' });
}
