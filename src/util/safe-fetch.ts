/**
 * Fetching a URL a client gave us (an `input_image`) without letting the
 * client reach what only the server can reach (server-side request forgery):
 *
 * - Only http and https. The host is resolved (every address, `dns.lookup`
 *   with `all`), and the fetch is refused when any address is loopback,
 *   private (10/8, 172.16/12, 192.168/16, fc00::/7), link-local
 *   (169.254/16 — cloud metadata 169.254.169.254 included — fe80::/10),
 *   CGNAT (100.64/10), unspecified, multicast, broadcast, reserved or
 *   documentation space, or the AWS IPv6 metadata address fd00:ec2::254 — or
 *   an IPv6 address that embeds such an IPv4 address (see embeddedIPv4s:
 *   IPv4-mapped, -compatible and -translated (SIIT), NAT64 64:ff9b::/96,
 *   6to4, Teredo, ISATAP), or a local-use NAT64 address — unless the allow-list permits it
 *   (`COHORT_FETCH_ALLOW`: comma-separated host names, IP addresses or CIDRs;
 *   a listed host name permits whatever it resolves to).
 * - The connection goes to the address that was checked (node:http(s) with a
 *   pinned `lookup`), so a second DNS answer cannot swap in another address
 *   (DNS rebinding). TLS still verifies the certificate against the host name.
 * - Redirects are followed by hand, at most 5, each target checked the same way.
 * - One deadline for the whole fetch (default 10 s) and a size cap (default
 *   20 MiB): a declared `content-length` over it fails at once, a body
 *   streaming past it is cut.
 *
 * Failures are SafeFetchErrors whose `kind` says whose fault it is:
 * `refused` (the URL may not be fetched), `too_large`, or `failed` (DNS,
 * connection, timeout, HTTP status, too many redirects).
 *
 * `detectImageType` recognizes PNG, JPEG, GIF and WebP by their first bytes
 * (never by extension or content-type); `decodeDataUrl` reads `data:` URLs.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

export interface SafeFetchOptions {
  /** Host names, IP addresses and CIDRs that may be fetched although private (COHORT_FETCH_ALLOW). */
  allow?: readonly string[];
  /** Deadline for the whole fetch, redirects included. Default 10 000. */
  timeoutMs?: number;
  /** Largest body accepted. Default 20 MiB. */
  maxBytes?: number;
  /** Default 5. */
  maxRedirects?: number;
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

// ---------------------------------------------------------------------------
// Address policy

const FORBIDDEN: Array<[string, number, 'ipv4' | 'ipv6', string]> = [
  ['0.0.0.0', 8, 'ipv4', 'unspecified'],
  ['10.0.0.0', 8, 'ipv4', 'private'],
  ['100.64.0.0', 10, 'ipv4', 'shared (CGNAT)'],
  ['127.0.0.0', 8, 'ipv4', 'loopback'],
  ['169.254.0.0', 16, 'ipv4', 'link-local'],
  ['172.16.0.0', 12, 'ipv4', 'private'],
  ['192.0.0.0', 24, 'ipv4', 'reserved'],
  ['192.0.2.0', 24, 'ipv4', 'documentation'],
  ['192.168.0.0', 16, 'ipv4', 'private'],
  ['198.18.0.0', 15, 'ipv4', 'reserved'],
  ['198.51.100.0', 24, 'ipv4', 'documentation'],
  ['203.0.113.0', 24, 'ipv4', 'documentation'],
  ['224.0.0.0', 4, 'ipv4', 'multicast'],
  ['240.0.0.0', 4, 'ipv4', 'reserved'],
  ['::', 128, 'ipv6', 'unspecified'],
  ['::1', 128, 'ipv6', 'loopback'],
  ['fc00::', 7, 'ipv6', 'private'],
  ['fe80::', 10, 'ipv6', 'link-local'],
  ['fec0::', 10, 'ipv6', 'reserved'],
  ['ff00::', 8, 'ipv6', 'multicast'],
  ['2001:db8::', 32, 'ipv6', 'documentation'],
  ['3fff::', 20, 'ipv6', 'documentation'],
  ['100::', 64, 'ipv6', 'reserved'],
  // IETF protocol assignments that are not globally reachable: benchmarking, ORCHID (deprecated).
  ['2001:2::', 48, 'ipv6', 'reserved'],
  ['2001:10::', 28, 'ipv6', 'reserved'],
  // Segment Routing (SRv6) SIDs: inside one operator's domain.
  ['5f00::', 16, 'ipv6', 'reserved'],
  // Local-use IPv4/IPv6 translation (RFC 8215): a translator of the operator's own network, with
  // the IPv4 address at a position its prefix length decides — it cannot be read, so it is refused.
  ['64:ff9b:1::', 48, 'ipv6', 'local-use NAT64'],
];

const forbidden = FORBIDDEN.map(([prefix, bits, type, label]) => {
  const list = new net.BlockList();
  list.addSubnet(prefix, bits, type);
  return { list, type, label };
});

/** Why an address may not be fetched ('loopback', 'private', 'metadata', …), or undefined when it may. */
export function forbiddenAddress(address: string): string | undefined {
  const family = net.isIP(address);
  if (family === 0) return 'not an IP address';
  if (address === '169.254.169.254' || address.toLowerCase() === 'fd00:ec2::254') return 'cloud metadata';
  if (family === 6) {
    // An IPv6 form of an IPv4 address reaches that IPv4 host: the IPv4 policy decides
    // (a public one stays reachable: IPv6-only networks reach every IPv4 site through 64:ff9b::/96).
    for (const { ipv4, form } of embeddedIPv4s(address)) {
      const why = forbiddenAddress(ipv4);
      if (why) return `${why} (${ipv4} as ${form})`;
    }
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  for (const f of forbidden) if (f.type === type && f.list.check(address, type)) return f.label;
  return undefined;
}

const v4 = (hi: number, lo: number): string => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;

/**
 * The IPv4 addresses an IPv6 address carries, and the form that carries them:
 * - IPv4-mapped ::ffff:a.b.c.d, IPv4-compatible ::a.b.c.d (deprecated), and
 *   IPv4-translated ::ffff:0:a.b.c.d (SIIT, RFC 2765): the last 32 bits;
 * - NAT64 with the well-known prefix 64:ff9b::/96 (RFC 6052): the last 32 bits;
 * - 6to4 2002:AABB:CCDD::/48 (RFC 3056): bits 16–47;
 * - Teredo 2001:0:SSSS:SSSS:flags:port:CCCC:CCCC (RFC 4380): the server
 *   (bits 32–63) and the client, whose address is stored inverted (bits 96–127);
 * - ISATAP interface ids …:0:5efe:a.b.c.d and …:200:5efe:a.b.c.d under any
 *   prefix (RFC 5214): the last 32 bits.
 */
export function embeddedIPv4s(address: string): Array<{ ipv4: string; form: string }> {
  const w = expandIPv6(address);
  if (!w) return [];
  const [w0, w1, w2, w3, w4, w5, w6, w7] = w as [number, number, number, number, number, number, number, number];
  const zeros = (n: number) => w.slice(0, n).every((x) => x === 0);
  const out: Array<{ ipv4: string; form: string }> = [];
  if (zeros(5) && w5 === 0xffff) out.push({ ipv4: v4(w6, w7), form: 'IPv4-mapped' });
  else if (zeros(4) && w4 === 0xffff && w5 === 0) out.push({ ipv4: v4(w6, w7), form: 'IPv4-translated (SIIT)' });
  else if (zeros(6) && (w6 !== 0 || w7 > 1)) out.push({ ipv4: v4(w6, w7), form: 'IPv4-compatible' });
  else if (w0 === 0x64 && w1 === 0xff9b && w2 === 0 && w3 === 0 && w4 === 0 && w5 === 0) out.push({ ipv4: v4(w6, w7), form: 'NAT64' });
  else if (w0 === 0x2002) out.push({ ipv4: v4(w1, w2), form: '6to4' });
  else if (w0 === 0x2001 && w1 === 0) {
    out.push({ ipv4: v4(w2, w3), form: 'Teredo server' });
    out.push({ ipv4: v4(w6 ^ 0xffff, w7 ^ 0xffff), form: 'Teredo client' });
  } else if ((w4 === 0 || w4 === 0x200) && w5 === 0x5efe) out.push({ ipv4: v4(w6, w7), form: 'ISATAP' });
  return out;
}

function expandIPv6(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  // A dotted IPv4 tail becomes two words.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const parts = dotted[1]!.split('.').map(Number);
    text = text.slice(0, dotted.index) + `${(((parts[0] ?? 0) << 8) | (parts[1] ?? 0)).toString(16)}:${(((parts[2] ?? 0) << 8) | (parts[3] ?? 0)).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined ? [] : tail === '' ? [] : tail.split(':');
  const missing = 8 - h.length - t.length;
  if (tail === undefined ? missing !== 0 : missing < 0) return undefined;
  const words = [...h, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...t].map((w) => parseInt(w, 16));
  return words.length === 8 && words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffff) ? words : undefined;
}

/** An allow-list: host names (exact, case-insensitive), IP addresses and CIDRs. */
export class AllowList {
  private readonly hosts = new Set<string>();
  private readonly blocks = new net.BlockList();

  constructor(entries: readonly string[] = []) {
    for (const raw of entries) {
      const entry = raw.trim().toLowerCase().replace(/^\[|\]$/g, '');
      if (entry === '') continue;
      const slash = entry.indexOf('/');
      if (slash >= 0) {
        const ip = entry.slice(0, slash);
        const bits = Number(entry.slice(slash + 1));
        const family = net.isIP(ip);
        if (family === 0 || !Number.isInteger(bits) || bits < 0 || bits > (family === 4 ? 32 : 128)) throw new Error(`'${raw}' is not a CIDR`);
        this.blocks.addSubnet(ip, bits, family === 4 ? 'ipv4' : 'ipv6');
      } else if (net.isIP(entry)) {
        this.blocks.addAddress(entry, net.isIP(entry) === 4 ? 'ipv4' : 'ipv6');
      } else {
        this.hosts.add(entry);
      }
    }
  }

  permitsHost(hostname: string): boolean {
    return this.hosts.has(hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, ''));
  }

  permitsAddress(address: string): boolean {
    const family = net.isIP(address);
    return family !== 0 && this.blocks.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/** Parses `COHORT_FETCH_ALLOW` (comma- or space-separated); throws naming a bad entry. */
export function parseAllowList(text: string | undefined): string[] {
  if (!text) return [];
  const entries = text.split(/[\s,]+/).filter((e) => e !== '');
  new AllowList(entries); // validates
  return entries;
}

// ---------------------------------------------------------------------------
// Fetch

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
      const res = await request(target, controller.signal, maxBytes);
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
function request(target: Target, signal: AbortSignal, maxBytes: number): Promise<{ location?: string; body?: Buffer; contentType: string | undefined }> {
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
        headers: { accept: 'image/*,*/*;q=0.5', 'user-agent': 'cohort-image-fetch/1' },
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

// ---------------------------------------------------------------------------
// Images

export type ImageMediaType = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';

/** The image type from its first bytes (PNG, JPEG, GIF, WebP), or undefined. */
export function detectImageType(bytes: Uint8Array): ImageMediaType | undefined {
  const b = bytes;
  const at = (i: number) => b[i] ?? -1;
  const ascii = (from: number, text: string) => [...text].every((c, i) => at(from + i) === c.charCodeAt(0));
  if ([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a].every((v, i) => at(i) === v)) return 'image/png';
  if (at(0) === 0xff && at(1) === 0xd8 && at(2) === 0xff) return 'image/jpeg';
  if (ascii(0, 'GIF87a') || ascii(0, 'GIF89a')) return 'image/gif';
  if (ascii(0, 'RIFF') && ascii(8, 'WEBP')) return 'image/webp';
  return undefined;
}

/** A `data:` URL's media type and bytes; undefined when it is not a well-formed base64 data URL. */
export function decodeDataUrl(url: string): { mediaType: string; bytes: Buffer } | undefined {
  const m = /^data:([^,;]*)((?:;[^,;]*)*?);base64,(.*)$/is.exec(url);
  if (!m) return undefined;
  const payload = m[3]!.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(payload) || payload.length % 4 === 1) return undefined;
  return { mediaType: (m[1] ?? '').toLowerCase(), bytes: Buffer.from(payload, 'base64') };
}

/** Upper bound of the decoded size of a base64 data URL, without decoding it. */
export function dataUrlSize(url: string): number {
  const comma = url.indexOf(',');
  return comma < 0 ? 0 : Math.floor(((url.length - comma - 1) * 3) / 4);
}
