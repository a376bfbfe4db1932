/**
 * A guarded GET of a URL a client or a model chose (an `input_image`, a
 * `file_url`, a page a server tool reads) that cannot reach what only the
 * server can reach (server-side request forgery):
 *
 * - Only http and https. The host is resolved (every address, `dns.lookup`
 *   with `all`), and the fetch is refused when any address is one the
 *   address policy forbids (address-policy.ts: loopback, private, link-local,
 *   metadata, …) unless the allow-list (`COHORT_FETCH_ALLOW`) permits it.
 * - The connection goes to the address that was checked (node:http(s) with a
 *   pinned `lookup`), so a second DNS answer cannot swap in another address
 *   (DNS rebinding). TLS still verifies the certificate against the host name.
 * - Redirects are followed by hand, at most 5, each target checked the same way.
 * - One deadline for the whole fetch (default 10 s) and a size cap (default
 *   20 MiB): a declared `content-length` over it fails at once, a body
 *   streaming past it is cut.
 * - The request says what the caller wants back (`accept`); what the bytes
 *   are is the caller's to check (image-bytes.ts for images).
 *
 * Failures are SafeFetchErrors whose `kind` says whose fault it is:
 * `refused` (the URL may not be fetched), `too_large`, or `failed` (DNS,
 * connection, timeout, HTTP status, too many redirects).
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { AllowList, forbiddenAddress } from './address-policy.js';

export interface SafeFetchOptions {
  /** Host names, IP addresses and CIDRs that may be fetched although private (COHORT_FETCH_ALLOW). */
  allow?: readonly string[];
  /** Deadline for the whole fetch, redirects included. Default 10 000. */
  timeoutMs?: number;
  /** Largest body accepted. Default 20 MiB. */
  maxBytes?: number;
  /** Default 5. */
  maxRedirects?: number;
  /** The request's `accept` header. Default: any media type. */
  accept?: string;
  /** Replaces dns.lookup (tests). */
  lookup?: (hostname: string) => Promise<Array<{ address: string; family: number }>>;
  signal?: AbortSignal;
}

export type SafeFetchErrorKind = 'refused' | 'too_large' | 'failed';

export class SafeFetchError extends Error {
  constructor(
    readonly kind: SafeFetchErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SafeFetchError';
  }
}

export interface FetchedBody {
  bytes: Buffer;
  /** The URL that answered (after redirects). */
  url: string;
  contentType: string | undefined;
}

export const DEFAULT_FETCH_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_FETCH_BYTES = 20 * 1024 * 1024;
export const DEFAULT_MAX_REDIRECTS = 5;

interface Target {
  url: URL;
  address: string;
  family: number;
}

/** Resolves and checks a URL's host; the address to connect to. Throws SafeFetchError('refused' | 'failed'). */
export async function checkUrl(url: URL, options: Pick<SafeFetchOptions, 'allow' | 'lookup'> = {}): Promise<Target> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new SafeFetchError('refused', `only http and https URLs can be fetched, not ${url.protocol}`);
  if (url.username || url.password) throw new SafeFetchError('refused', 'URLs with credentials are not fetched');
  const allow = new AllowList(options.allow ?? []);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: Array<{ address: string; family: number }>;
  if (net.isIP(host)) addresses = [{ address: host, family: net.isIP(host) }];
  else {
    try {
      addresses = options.lookup ? await options.lookup(host) : await dns.promises.lookup(host, { all: true, verbatim: true });
    } catch (err) {
      throw new SafeFetchError('failed', `the host ${host} could not be resolved`, { cause: err });
    }
    if (addresses.length === 0) throw new SafeFetchError('failed', `the host ${host} could not be resolved`);
  }
  const hostAllowed = allow.permitsHost(host);
  for (const a of addresses) {
    const why = forbiddenAddress(a.address);
    if (why && !hostAllowed && !allow.permitsAddress(a.address)) {
      throw new SafeFetchError('refused', `${host === a.address ? host : `${host} (${a.address})`} is ${/^[aeiou]/.test(why) ? 'an' : 'a'} ${why} address, which the server does not fetch (COHORT_FETCH_ALLOW can permit it)`);
    }
  }
  const first = addresses[0]!;
  return { url, address: first.address, family: first.family };
}

/** GETs a URL under the SSRF guard (see the module comment). */
export async function safeFetch(input: string | URL, options: SafeFetchOptions = {}): Promise<FetchedBody> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_FETCH_BYTES;
  const maxRedirects = options.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
  const timeoutMs = options.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new SafeFetchError('failed', `no complete answer within ${timeoutMs} ms`)), timeoutMs);
  const onAbort = (): void => controller.abort(options.signal?.reason);
  if (options.signal?.aborted) controller.abort(options.signal.reason);
  else options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    let url = typeof input === 'string' ? parseUrl(input) : input;
    for (let hop = 0; ; hop++) {
      const target = await withAbort(checkUrl(url, options), controller.signal);
      const res = await request(target, controller.signal, maxBytes, options.accept ?? '*/*');
      if (res.location !== undefined) {
        if (hop >= maxRedirects) throw new SafeFetchError('failed', `more than ${maxRedirects} redirects`);
        let next: URL;
        try {
          next = new URL(res.location, url);
        } catch {
          throw new SafeFetchError('failed', 'a redirect to an invalid URL');
        }
        url = next;
        continue;
      }
      return { bytes: res.body!, url: url.href, contentType: res.contentType };
    }
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}

function parseUrl(text: string): URL {
  try {
    return new URL(text);
  } catch {
    throw new SafeFetchError('refused', 'not a valid URL');
  }
}

function withAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as unknown);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as unknown);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
      (err: unknown) => (signal.removeEventListener('abort', onAbort), reject(err)),
    );
  });
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** One GET to the pinned address; a redirect's location, or the body. */
function request(target: Target, signal: AbortSignal, maxBytes: number, accept: string): Promise<{ location?: string; body?: Buffer; contentType: string | undefined }> {
  return new Promise((resolve, reject) => {
    const { url } = target;
    const mod = url.protocol === 'https:' ? https : http;
    const pinned = (_host: string, opts: { all?: boolean }, cb: (...args: unknown[]) => void): void => {
      if (opts.all) cb(null, [{ address: target.address, family: target.family }]);
      else cb(null, target.address, target.family);
    };
    let settled = false;
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      reject(err instanceof SafeFetchError ? err : new SafeFetchError('failed', describeNetworkError(err), { cause: err }));
    };
    const req = mod.request(
      url,
      {
        method: 'GET',
        lookup: pinned as unknown as typeof dns.lookup,
        headers: { accept, 'user-agent': 'cohort-fetch/1' },
        agent: false,
        signal,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        const contentType = typeof res.headers['content-type'] === 'string' ? res.headers['content-type'] : undefined;
        if (REDIRECTS.has(status) && res.headers.location) {
          res.resume();
          settled = true;
          resolve({ location: res.headers.location, contentType });
          req.destroy();
          return;
        }
        if (status < 200 || status > 299) {
          res.resume();
          req.destroy();
          fail(new SafeFetchError('failed', `the server answered HTTP ${status}`));
          return;
        }
        const declared = Number(res.headers['content-length']);
        if (Number.isFinite(declared) && declared > maxBytes) {
          req.destroy();
          fail(new SafeFetchError('too_large', `the body is ${declared} bytes, over the limit of ${maxBytes}`));
          return;
        }
        const parts: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.byteLength;
          if (size > maxBytes) {
            req.destroy();
            fail(new SafeFetchError('too_large', `the body is over the limit of ${maxBytes} bytes`));
            return;
          }
          parts.push(chunk);
        });
        res.on('end', () => {
          if (settled) return;
          settled = true;
          resolve({ body: Buffer.concat(parts), contentType });
        });
        res.on('error', fail);
        res.on('close', () => {
          if (!res.complete) fail(new SafeFetchError('failed', 'the connection closed before the body was complete'));
        });
      },
    );
    req.on('error', (err) => fail(signal.aborted ? signal.reason : err));
    req.end();
  });
}

function describeNetworkError(err: unknown): string {
  const code = err && typeof err === 'object' ? (err as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? `the connection failed (${code})` : 'the connection failed';
}
