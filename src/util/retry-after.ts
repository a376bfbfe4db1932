/**
 * When an upstream says to come back (`retry-after-ms`, `retry-after`,
 * OpenAI's `x-ratelimit-reset-*`): passed on to our client in its 429/503,
 * and read by the router before it retries.
 */
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
