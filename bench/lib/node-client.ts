/**
 * The node:http upstream client Cohort used until the undici one replaced it
 * (src/util/upstream-client.ts), kept here only so that bench/upstream-clients.ts
 * can measure the two side by side in the same run: node:http / node:https over
 * keep-alive agents, 307/308 redirects with credentials dropped across origins,
 * `connectMs` as a timer to the reply's headers (to the connection for a `whole`
 * post), a reply the consumer stopped reading drained for up to 1 s.
 */
import http from 'node:http';
import https from 'node:https';
import type { UpstreamClient, UpstreamClientOptions, UpstreamPost, UpstreamReply } from '../../src/util/upstream-client.js';

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

export function nodeClient(options: UpstreamClientOptions = {}): UpstreamClient {
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
