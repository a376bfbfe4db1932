/** Reads a JSON request body with a size limit, turning every failure into the brief's error. */
import type { Context } from 'hono';
import { ApiError } from '../errors/api-error.js';

export async function readJson(c: Context, maxBytes: number): Promise<unknown> {
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const buf = await c.req.arrayBuffer();
  if (buf.byteLength > maxBytes) throw tooLarge(maxBytes);
  if (buf.byteLength === 0) throw new ApiError('invalid_request', 'The request body is empty; send a JSON object.', { param: 'body' });
  const text = new TextDecoder().decode(buf);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ApiError('invalid_request', `We could not parse the JSON body of your request (${err instanceof Error ? err.message : 'invalid JSON'}).`, { param: 'body' });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ApiError('invalid_request', 'The request body must be a JSON object.', { param: 'body' });
  }
  return value;
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError('payload_too_large', `The request body is over the ${Math.round(maxBytes / 1024 / 1024)} MB limit.`, { param: 'body' });
}
