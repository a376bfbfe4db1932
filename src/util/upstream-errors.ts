/**
 * What an upstream's failures say to our client: its text redacted (keys,
 * bearer tokens) and cut, the backend named by host and model but never by
 * credentials, and the transport's error code found along a cause chain.
 * Nothing here knows a backend's wire format; each backend maps its errors.
 */
import { ApiError } from '../errors/api-error.js';

/** Longest upstream message echoed back in an error. */
export const MAX_UPSTREAM_MESSAGE = 1000;

/** The upstream sent bytes a backend cannot interpret (503, not retried: the same server would send them again). */
export function malformedUpstream(what: string): ApiError {
  return new ApiError('service_unavailable', `The upstream model provider sent a malformed response (${what}).`);
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
