/**
 * The machinery the mock upstreams share: a real node:http server on
 * 127.0.0.1 (random port) that records every request and answers each from a
 * FIFO queue of scripted replies (or handlers), falling back to a default.
 * Each mock supplies only its wire format: how a reply is written.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Path with query, e.g. '/v1/chat/completions'. */
  path: string;
  headers: IncomingHttpHeaders;
  rawBody: string;
  /** Parsed JSON body; undefined when the body is not JSON. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
  /** Resolves when the server sees the response/connection close (normally or not). */
  closed: Promise<void>;
  /** Whether the connection closed before the reply was complete (client abort). */
  readonly aborted: boolean;
}

export type ScriptedHandler<R> = (req: RecordedRequest) => R | Promise<R>;

export interface ScriptedServer<R> {
  /** http://127.0.0.1:<port> */
  origin: string;
  /** Every request received, in arrival order. */
  requests: RecordedRequest[];
  /** Queue replies (or handlers), one per future request. */
  enqueue(...replies: Array<R | ScriptedHandler<R>>): void;
  /** What answers when the queue is empty. */
  setFallback(reply: R | ScriptedHandler<R>): void;
  /** Resolves with requests[index] once it has arrived (default: the next one). */
  waitForRequest(index?: number): Promise<RecordedRequest>;
  /** Stops the server, dropping open connections (hanging streams included). */
  close(): Promise<void>;
}

export interface ScriptedServerOptions<R> {
  fallback: R | ScriptedHandler<R>;
  /** Writes one reply in the mock's wire format. */
  respond(reply: R, req: RecordedRequest, res: ServerResponse): Promise<void>;
  /** Answers when a handler throws before anything was sent. */
  handlerFailed(res: ServerResponse, message: string): void;
}

export async function startScriptedServer<R>(options: ScriptedServerOptions<R>): Promise<ScriptedServer<R>> {
  const queue: Array<R | ScriptedHandler<R>> = [];
  let fallback = options.fallback;
  const requests: RecordedRequest[] = [];
  const waiters: Array<{ index: number; resolve: (r: RecordedRequest) => void }> = [];

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = rawBody === '' ? undefined : JSON.parse(rawBody);
      } catch {
        body = undefined;
      }
      let resolveClosed!: () => void;
      const closed = new Promise<void>((r) => (resolveClosed = r));
      let aborted = false;
      res.on('close', () => {
        aborted = !res.writableFinished;
        resolveClosed();
      });
      const record: RecordedRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        rawBody,
        body,
        closed,
        get aborted() {
          return aborted;
        },
      };
      requests.push(record);
      for (let i = waiters.length - 1; i >= 0; i--) {
        const w = waiters[i]!;
        if (w.index === requests.length - 1) {
          waiters.splice(i, 1);
          w.resolve(record);
        }
      }
      const entry = queue.shift() ?? fallback;
      Promise.resolve(typeof entry === 'function' ? (entry as ScriptedHandler<R>)(record) : entry)
        .then((reply) => options.respond(reply, record, res))
        .catch((err: unknown) => {
          if (!res.headersSent) options.handlerFailed(res, `mock upstream handler failed: ${String(err)}`);
          else res.destroy();
        });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    enqueue(...replies) {
      queue.push(...replies);
    },
    setFallback(reply) {
      fallback = reply;
    },
    waitForRequest(index = requests.length) {
      const existing = requests[index];
      if (existing) return Promise.resolve(existing);
      return new Promise((resolve) => waiters.push({ index, resolve }));
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
