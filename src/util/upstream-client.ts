/**
 * The HTTP client of the model backends: one POST, its reply's status,
 * headers and body as an async iterable of chunks.
 *
 * The default is node:http / node:https over keep-alive agents. The
 * benchmark's CPU profile put undici's `fetch` (WHATWG Request/Response
 * objects, web streams, per-call AbortSignals) at a quarter of Cohort's CPU
 * per request; this client does the same exchange for a fraction of that.
 * A `fetch` (tests, or anything fetch-shaped) still plugs in through
 * `fetchClient`.
 */
import http from 'node:http';
import https from 'node:https';

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
   * time-to-headers limit (`connectMs`) stops at the connection (node client)
   * or does not apply (fetch client). The caller bounds the rest (the
   * router's `wholeAnswerMs`).
   */
  whole?: boolean;
}

export type UpstreamClient = (url: string, post: UpstreamPost) => Promise<UpstreamReply>;

export interface NodeClientOptions {
  /**
   * Gives up when the reply's headers have not arrived within `ms`
   * (connecting, TLS, the upload and the upstream's time to answer; for a
   * `whole` post, connecting only). The rejection is an Error with
   * `code: 'CONNECT_TIMEOUT'`. ≤ 0 or absent: no limit.
   */
  connectMs?: number;
}

const agents = {
  http: new http.Agent({ keepAlive: true, keepAliveMsecs: 1000, maxFreeSockets: 1024, scheduling: 'lifo' }),
  https: new https.Agent({ keepAlive: true, keepAliveMsecs: 1000, maxFreeSockets: 1024, scheduling: 'lifo' }),
};

/** Lower-cased reply headers → Headers (repeated headers joined as fetch joins them). */
function toHeaders(raw: http.IncomingHttpHeaders): Headers {
  const h = new Headers();
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) h.append(k, item);
    else h.set(k, v);
  }
  return h;
}

/** Redirects followed (307/308 only: they keep the POST and its body, as fetch does). */
const MAX_REDIRECTS = 5;
/** Credentials not sent on to another origin after a redirect (as fetch drops `authorization`). */
const CREDENTIAL_HEADERS = ['authorization', 'x-api-key', 'api-key'];

export function nodeClient(options: NodeClientOptions = {}): UpstreamClient {
  const connectMs = options.connectMs ?? 0;
  const send = (url: string, post: UpstreamPost, hops: number): Promise<UpstreamReply> =>
    new Promise<UpstreamReply>((resolve, reject) => {
      const { signal } = post;
      if (signal.aborted) {
        reject(signal.reason);
        return;
      }
      let target: URL;
      try {
        target = new URL(url);
      } catch (err) {
        reject(err);
        return;
      }
      const secure = target.protocol === 'https:';
      if (!secure && target.protocol !== 'http:') {
        reject(Object.assign(new Error(`unsupported protocol ${target.protocol}`), { code: 'ERR_INVALID_PROTOCOL' }));
        return;
      }
      const payload = Buffer.from(post.body, 'utf8');
      const req = (secure ? https : http).request(target, {
        method: 'POST',
        agent: secure ? agents.https : agents.http,
        headers: { ...post.headers, 'content-length': String(payload.byteLength) },
      });
      let settled = false;
      let timer: NodeJS.Timeout | undefined;
      const onAbort = (): void => {
        req.destroy(signal.reason instanceof Error ? signal.reason : Object.assign(new Error('aborted'), { name: 'AbortError' }));
      };
      const cleanup = (): void => {
        signal.removeEventListener('abort', onAbort);
        if (timer) clearTimeout(timer);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      if (connectMs > 0) {
        timer = setTimeout(() => req.destroy(Object.assign(new Error(`no response within ${connectMs} ms`), { code: 'CONNECT_TIMEOUT' })), connectMs);
      }
      req.on('socket', (socket) => {
        socket.setNoDelay(true);
        if (!post.whole || !timer) return;
        // A whole answer's headers come when it is generated: only the connection is timed.
        const connected = (): void => clearTimeout(timer);
        if (socket.connecting) socket.once(secure ? 'secureConnect' : 'connect', connected);
        else connected();
      });
      req.on('error', (err) => {
        cleanup();
        if (!settled) {
          settled = true;
          reject(signal.aborted ? signal.reason : err);
        }
      });
      req.on('response', (res) => {
        settled = true;
        if (timer) clearTimeout(timer);
        const location = res.headers.location;
        if ((res.statusCode === 307 || res.statusCode === 308) && location && hops < MAX_REDIRECTS) {
          cleanup();
          release(res, signal);
          let next: URL;
          try {
            next = new URL(location, target);
          } catch (err) {
            reject(err);
            return;
          }
          const headers = { ...post.headers };
          if (next.origin !== target.origin) for (const h of CREDENTIAL_HEADERS) delete headers[h];
          resolve(send(next.href, { ...post, headers }, hops + 1));
          return;
        }
        const body = bodyOf(res, signal, cleanup);
        resolve({
          status: res.statusCode ?? 0,
          contentType: (res.headers['content-type'] ?? '').toLowerCase(),
          headers: () => toHeaders(res.headers),
          body,
          cancel: () => {
            cleanup();
            release(res, signal);
          },
        });
      });
      req.end(payload);
    });
  return (url, post) => send(url, post, 0);
}

/** The reply's chunks; an abort rethrows the signal's reason; the listener is removed when the body ends. */
async function* bodyOf(res: http.IncomingMessage, signal: AbortSignal, done: () => void): AsyncGenerator<Uint8Array> {
  try {
    // Not `for await (… of res)`: stopping that early destroys the reply (and its connection).
    for await (const chunk of res.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) yield chunk;
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    throw err;
  } finally {
    done();
    release(res, signal);
  }
}

/** How long a reply the consumer stopped reading may take to end before its connection is dropped. */
const DRAIN_MS = 1000;

/**
 * Gives the connection back once the consumer is done with a reply. A reply
 * read to its last event usually still has its final bytes (the chunked
 * terminator) in flight: reading them keeps the keep-alive connection, where
 * destroying would cost a new connection per request. An aborted request, or
 * a reply that does not end within DRAIN_MS, is destroyed.
 */
function release(res: http.IncomingMessage, signal: AbortSignal): void {
  if (res.complete || res.destroyed) return;
  if (signal.aborted) {
    res.destroy();
    return;
  }
  const timer = setTimeout(() => res.destroy(), DRAIN_MS);
  timer.unref();
  res.once('close', () => clearTimeout(timer));
  res.resume();
}

/**
 * A fetch-shaped function as an UpstreamClient (tests, or a custom
 * transport). `connectMs` limits the time to the reply's headers, as the node
 * client's does, except for `whole` posts (fetch does not say when it has
 * connected).
 */
export function fetchClient(fetchImpl: typeof fetch, options: NodeClientOptions = {}): UpstreamClient {
  const connectMs = options.connectMs ?? 0;
  return async (url, post) => {
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(post.signal.reason);
    if (post.signal.aborted) throw post.signal.reason;
    post.signal.addEventListener('abort', onAbort, { once: true });
    const timer =
      connectMs > 0 && !post.whole
        ? setTimeout(() => controller.abort(Object.assign(new Error(`no response within ${connectMs} ms`), { code: 'CONNECT_TIMEOUT' })), connectMs)
        : undefined;
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
  /** A fetch-shaped transport instead of the default node:http client (tests). */
  fetch?: typeof fetch;
  /** The HTTP client (default: node:http keep-alive). */
  client?: UpstreamClient;
}

/** The client a backend uses: `client`, else `fetch` adapted, else the shared default. */
export function clientOf(options: ClientOptions): UpstreamClient {
  return options.client ?? (options.fetch ? fetchClient(options.fetch) : defaultClient());
}

let shared: UpstreamClient | undefined;

/** The process-wide default client (no connect timeout of its own). */
export function defaultClient(): UpstreamClient {
  return (shared ??= nodeClient());
}
