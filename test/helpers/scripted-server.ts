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

// ---------------------------------------------------------------------------
// Wire-writing helpers the mocks share

/** Whether a request body asked for a stream (`stream: true`); otherwise a real API answers with one JSON body. */
export function streamRequested(requestBody: unknown): boolean {
  return (requestBody as { stream?: unknown } | undefined)?.stream === true;
}

/**
 * How to cut the response bytes into separate socket writes:
 * 'frames' (default: one write per SSE frame), { every: n } bytes (cuts JSON
 * and multi-byte UTF-8 characters anywhere), or { at: [byte offsets] }.
 * Pair with `delayMs` so the writes really arrive as separate reads.
 */
export type SplitSpec = 'frames' | 'whole' | { every: number } | { at: number[] };

const encoder = new TextEncoder();

export function splitBytes(frames: string[], split: SplitSpec): Uint8Array[] {
  if (split === 'frames') return frames.map((f) => encoder.encode(f));
  const all = encoder.encode(frames.join(''));
  if (split === 'whole') return [all];
  const cuts =
    'every' in split
      ? Array.from({ length: Math.ceil(all.length / split.every) - 1 }, (_, i) => (i + 1) * split.every)
      : [...split.at].filter((n) => n > 0 && n < all.length).sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of [...cuts, all.length]) {
    if (c > prev) out.push(all.subarray(prev, c));
    prev = c;
  }
  return out;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> | undefined): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

/** Writes SSE frames, cut as `split` says, `delayMs` apart; `hang` leaves the response open. */
export async function writeSse(
  res: ServerResponse,
  frames: string[],
  split: SplitSpec,
  delayMs: number,
  hang: boolean,
  status: number | undefined,
  headers: Record<string, string> | undefined,
): Promise<void> {
  res.writeHead(status ?? 200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    connection: 'keep-alive',
    ...headers,
  });
  res.flushHeaders();
  res.socket?.setNoDelay(true);
  const pieces = splitBytes(frames, split);
  for (let i = 0; i < pieces.length; i++) {
    if (res.destroyed) return;
    if (i > 0 && delayMs > 0) await sleep(delayMs);
    if (res.destroyed) return;
    res.write(pieces[i]);
  }
  if (!hang) res.end();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function asList(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return typeof v === 'string' ? [v] : v;
}
