/**
 * The HTTP client of the model backends: one POST, its reply's status,
 * headers and body as an async iterable of chunks.
 *
 * The default is undici's `Pool.request`, one keep-alive Pool per origin
 * (`undiciClient`). It replaced a hand-written node:http client (itself
 * chosen over `fetch`, whose WHATWG objects and web streams cost a quarter of
 * Cohort's CPU per request) once `npm run bench` measured the two side by
 * side (bench/upstream-clients.ts, bench/README.md): undici took less CPU
 * per non-streaming request and as much per streaming one. A `fetch` (tests,
 * or anything fetch-shaped) still plugs in through `fetchClient`.
 */
import { Pool } from 'undici';

export interface UpstreamReply {
  status: number;
  /** The reply's content-type, lower-cased ('' when absent). */
  contentType: string;
  /** All reply headers (built on demand: only error paths read them). */
  headers(): Headers;
  /** The body's chunks; fails with the transport's error (ECONNRESET …) when the connection breaks. */
  body: AsyncIterable<Uint8Array>;
  /** Stops reading and releases the connection (when the body will not be read to its end). */
  cancel(): void;
}

export interface UpstreamPost {
  headers: Record<string, string>;
  body: string;
  /** Aborting it destroys the request; the promise (or the body's iteration) rejects with the signal's reason. */
  signal: AbortSignal;
  /**
   * The upstream answers only once the whole answer is ready (a non-streamed
   * call): its headers may take as long as the generation, so the client's
   * time-to-headers limit (`connectMs`) stops at the connection (undici
   * client) or does not apply (fetch client). The caller bounds the rest (the
   * router's `wholeAnswerMs`).
   */
  whole?: boolean;
}

export type UpstreamClient = (url: string, post: UpstreamPost) => Promise<UpstreamReply>;

export interface UpstreamClientOptions {
  /**
   * Gives up when the reply's headers have not arrived within `ms`
   * (connecting, TLS, the upload and the upstream's time to answer; for a
   * `whole` post, connecting only). The rejection is an Error with
   * `code: 'CONNECT_TIMEOUT'`. ≤ 0 or absent: no limit.
   */
  connectMs?: number;
}

/** Redirects followed (307/308 only: they keep the POST and its body, as fetch does). */
const MAX_REDIRECTS = 5;
/** Credentials not sent on to another origin after a redirect (as fetch drops `authorization`). */
const CREDENTIAL_HEADERS = ['authorization', 'x-api-key', 'api-key'];
/** How long a reply the consumer stopped reading may take to end before its connection is dropped. */
const DRAIN_MS = 1000;
/** undici's own timeouts, which surface here as code CONNECT_TIMEOUT (the connect timeout of a `whole` post). */
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT']);

/** Reply headers → Headers (repeated headers joined as fetch joins them). */
function toHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) h.append(k, item);
    else h.set(k, v);
  }
  return h;
}

const timeoutError = (connectMs: number, cause?: unknown): Error =>
  Object.assign(new Error(`no response within ${connectMs} ms`), { code: 'CONNECT_TIMEOUT', ...(cause !== undefined ? { cause } : {}) });

/** The process's connection pools, by connect timeout and origin: every client shares them (as node:http's agents are shared). */
const pools = new Map<string, Pool>();

/**
 * The upstream client on undici: one `Pool` per origin, shared by the
 * process's clients (keep-alive connections, as many as requests in flight), 307/308 redirects followed
 * with credentials dropped across origins, `connectMs` as a timer to the
 * reply's headers (undici's connect timeout alone for a `whole` post), an
 * abort rejecting with the signal's reason. Note that undici waits one turn
 * of the event loop before it reuses a connection (against servers that close
 * one they said they would keep): a request sent in the same turn as the
 * previous one ended takes another connection of the pool.
 */
export function undiciClient(options: UpstreamClientOptions = {}): UpstreamClient {
  const connectMs = options.connectMs ?? 0;
  const poolFor = (origin: string): Pool => {
    const key = `${connectMs} ${origin}`;
    let pool = pools.get(key);
    if (!pool) {
      pool = new Pool(origin, { headersTimeout: 0, bodyTimeout: 0, ...(connectMs > 0 ? { connect: { timeout: connectMs } } : {}) });
      pools.set(key, pool);
    }
    return pool;
  };

  const send = async (url: string, post: UpstreamPost, hops: number): Promise<UpstreamReply> => {
    if (post.signal.aborted) throw post.signal.reason;
    const target = new URL(url);
    if (target.protocol !== 'http:' && target.protocol !== 'https:') throw Object.assign(new Error(`unsupported protocol ${target.protocol}`), { code: 'ERR_INVALID_PROTOCOL' });
    // connectMs bounds the time to the reply's headers with a timer of our own: undici's headers
    // timeout starts only once the request is written, and ticks in steps of about 0.5 s.
    let signal = post.signal;
    let timer: NodeJS.Timeout | undefined;
    let done = (): void => {};
    if (connectMs > 0 && !post.whole) {
      const controller = new AbortController();
      const onAbort = (): void => controller.abort(post.signal.reason);
      post.signal.addEventListener('abort', onAbort, { once: true });
      timer = setTimeout(() => controller.abort(timeoutError(connectMs)), connectMs);
      done = () => {
        clearTimeout(timer);
        post.signal.removeEventListener('abort', onAbort);
      };
      signal = controller.signal;
    }
    let res: Awaited<ReturnType<Pool['request']>>;
    try {
      res = await poolFor(target.origin).request({ path: `${target.pathname}${target.search}`, method: 'POST', headers: post.headers, body: post.body, signal });
    } catch (err) {
      done();
      if (signal.aborted) throw signal.reason;
      const code = (err as { code?: unknown } | null)?.code;
      throw typeof code === 'string' && TIMEOUT_CODES.has(code) ? timeoutError(connectMs, err) : err;
    }
    clearTimeout(timer);
    const body = res.body;
    /** Gives the connection back: a reply read to its end is free; the rest of one is read for up to DRAIN_MS; an aborted one is dropped. */
    const release = (): void => {
      done();
      if (body.readableEnded || body.destroyed) return;
      if (post.signal.aborted || signal.aborted) body.destroy();
      else body.dump({ limit: Number.MAX_SAFE_INTEGER, signal: AbortSignal.timeout(DRAIN_MS) }).catch(() => {});
    };
    const location = res.headers.location;
    if ((res.statusCode === 307 || res.statusCode === 308) && typeof location === 'string' && hops < MAX_REDIRECTS) {
      release();
      const next = new URL(location, target);
      const headers = { ...post.headers };
      if (next.origin !== target.origin) for (const h of CREDENTIAL_HEADERS) delete headers[h];
      return send(next.href, { ...post, headers }, hops + 1);
    }
    const type = res.headers['content-type'];
    return {
      status: res.statusCode,
      contentType: (typeof type === 'string' ? type : '').toLowerCase(),
      headers: () => toHeaders(res.headers),
      body: (async function* (): AsyncGenerator<Uint8Array> {
        try {
          // Not `for await (… of body)`: stopping that early destroys the reply (and its connection).
          for await (const chunk of body.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) yield chunk;
        } catch (err) {
          if (post.signal.aborted || signal.aborted) throw signal.aborted ? signal.reason : post.signal.reason;
          throw err;
        } finally {
          release();
        }
      })(),
      cancel: release,
    };
  };
  return (url, post) => send(url, post, 0);
}

/**
 * A fetch-shaped function as an UpstreamClient (tests, or a custom
 * transport). `connectMs` limits the time to the reply's headers, as the node
 * client's does, except for `whole` posts (fetch does not say when it has
 * connected).
 */
export function fetchClient(fetchImpl: typeof fetch, options: UpstreamClientOptions = {}): UpstreamClient {
  const connectMs = options.connectMs ?? 0;
  return async (url, post) => {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(post.signal.reason);
    if (post.signal.aborted) throw post.signal.reason;
    post.signal.addEventListener('abort', onAbort, { once: true });
    const timer = connectMs > 0 && !post.whole ? setTimeout(() => controller.abort(Object.assign(new Error(`no response within ${connectMs} ms`), { code: 'CONNECT_TIMEOUT' })), connectMs) : undefined;
    let response: Response;
    try {
      response = await fetchImpl(url, { method: 'POST', headers: post.headers, body: post.body, signal: controller.signal });
    } catch (err) {
      post.signal.removeEventListener('abort', onAbort);
      throw err;
    } finally {
      clearTimeout(timer);
    }
    const stream = response.body;
    const body = (async function* (): AsyncGenerator<Uint8Array> {
      try {
        if (!stream) return;
        const reader = stream.getReader();
        try {
          for (;;) {
            const { done, value } = await reader.read();
            if (done) return;
            yield value;
          }
        } finally {
          reader.cancel().catch(() => {});
        }
      } finally {
        post.signal.removeEventListener('abort', onAbort);
      }
    })();
    return {
      status: response.status,
      contentType: (response.headers.get('content-type') ?? '').toLowerCase(),
      headers: () => response.headers,
      body,
      cancel: () => {
        post.signal.removeEventListener('abort', onAbort);
        controller.abort();
      },
    };
  };
}

/** What a backend's options may carry to choose its HTTP client (the same two options on every backend). */
export interface ClientOptions {
  /** A fetch-shaped transport instead of the default client (tests). */
  fetch?: typeof fetch;
  /** The HTTP client (default: `undiciClient`, keep-alive). */
  client?: UpstreamClient;
}

/** The client a backend uses: `client`, else `fetch` adapted, else the shared default. */
export function clientOf(options: ClientOptions): UpstreamClient {
  return options.client ?? (options.fetch ? fetchClient(options.fetch) : defaultClient());
}

let shared: UpstreamClient | undefined;

/** The process-wide default client (no connect timeout of its own). */
export function defaultClient(): UpstreamClient {
  return (shared ??= undiciClient());
}
