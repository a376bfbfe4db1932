/**
 * The GuardedFetch server tools use for URLs that models and users choose
 * (tavily_extract's own page fetch, editImage's source image): the project's
 * SSRF guard (src/util/safe-fetch.ts — public addresses only unless
 * COHORT_FETCH_ALLOW permits, pinned connections, redirects checked hop by
 * hop, a deadline and a size cap) plus the content-type check the tools need.
 */
import { safeFetch, type SafeFetchOptions } from '../util/safe-fetch.js';
import type { GuardedFetch, GuardedResponse } from './types.js';

export interface GuardedFetchOptions {
  /** Host names, IP addresses and CIDRs that may be fetched although private (COHORT_FETCH_ALLOW). */
  allow?: readonly string[];
  /** Replaces DNS resolution (tests). */
  lookup?: SafeFetchOptions['lookup'];
}

export function createGuardedFetch(options: GuardedFetchOptions = {}): GuardedFetch {
  return async (url, { signal, maxBytes, timeoutMs, accept }) => {
    const res = await safeFetch(url, {
      signal,
      maxBytes,
      timeoutMs,
      accept: accept.join(', '),
      ...(options.allow ? { allow: options.allow } : {}),
      ...(options.lookup ? { lookup: options.lookup } : {}),
    });
    const [type = '', ...params] = (res.contentType ?? '').split(';');
    const contentType = type.trim().toLowerCase();
    if (!accept.includes(contentType)) throw new Error(`content type ${contentType || '(none)'} is not one of ${accept.join(', ')}`);
    const out: GuardedResponse = { url: res.url, status: 200, contentType, body: res.bytes };
    const charset = params.map((p) => /^\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(p)?.[1]).find(Boolean);
    if (charset) out.charset = charset.toLowerCase();
    return out;
  };
}
