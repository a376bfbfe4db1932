/**
 * The HTTP side of the commands that talk to a running server (focus-groups):
 * the base URL and key from --url/--key or COHORT_URL/COHORT_API_KEY, JSON
 * calls whose API errors keep their status, code and `param`, and a
 * Server-Sent Events reader.
 */
import { UsageError } from './args.js';

export const DEFAULT_URL = 'http://127.0.0.1:8080';

export const CONNECTION_OPTIONS = { url: { type: 'string' }, key: { type: 'string' } } as const;

export const CONNECTION_HELP = `  --url URL         the server (default COHORT_URL, else ${DEFAULT_URL})
  --key KEY         the API key (default COHORT_API_KEY; the variable keeps it
                    out of the process list)`;

/** An error answer of the API (`{"error": {message, type, param, code}}`), or a server that could not be reached (status 0). */
export class ApiCallError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message);
  }

  /** One line: the message, the parameter it names, the HTTP status and code. */
  describe(): string {
    if (this.status === 0) return this.message;
    return `${this.message}${this.param ? ` (param: ${this.param})` : ''} [HTTP ${this.status}${this.code ? ` ${this.code}` : ''}]`;
  }
}

export interface SseEvent {
  id?: string;
  event: string;
  data: string;
}

export interface ApiClient {
  readonly url: string;
  /** A JSON call; resolves to the parsed body of a 2xx answer, else rejects with an ApiCallError. */
  json<T = unknown>(method: string, path: string, options?: { body?: unknown; headers?: Record<string, string> }): Promise<{ status: number; body: T; headers: Headers }>;
  /** A call whose 2xx body is returned as a stream (exports). */
  raw(path: string): Promise<Response>;
  /** The events of an SSE stream as they arrive; ends with the stream. */
  events(path: string, lastEventId?: string, signal?: AbortSignal): AsyncGenerator<SseEvent>;
}

/** The server and key a command uses; no key is a usage error (exit 2). */
export function connectionOf(values: { url?: string | boolean | undefined; key?: string | boolean | undefined }, env: NodeJS.ProcessEnv): { url: string; key: string } {
  const url = (typeof values.url === 'string' ? values.url : env.COHORT_URL) || DEFAULT_URL;
  const key = typeof values.key === 'string' ? values.key : env.COHORT_API_KEY;
  if (!key) throw new UsageError('an API key is needed: --key KEY or COHORT_API_KEY');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UsageError(`--url: '${url}' is not a URL (e.g. ${DEFAULT_URL})`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new UsageError(`--url: '${url}' must be an http(s) URL`);
  // COHORT_URL may be given with or without /v1 and a trailing slash.
  return { url: url.replace(/\/+$/, '').replace(/\/v1$/, ''), key };
}

async function errorOf(res: Response): Promise<ApiCallError> {
  const text = await res.text().catch(() => '');
  try {
    const e = (JSON.parse(text) as { error?: { message?: unknown; code?: unknown; param?: unknown } }).error;
    if (e && typeof e.message === 'string') {
      return new ApiCallError(e.message, res.status, typeof e.code === 'string' ? e.code : null, typeof e.param === 'string' ? e.param : null);
    }
  } catch {
    /* not the API's error shape */
  }
  return new ApiCallError(text.trim().slice(0, 300) || res.statusText || 'request failed', res.status);
}

export function createApiClient(connection: { url: string; key: string }, fetchImpl: typeof fetch = fetch): ApiClient {
  const { url, key } = connection;
  const call = async (method: string, path: string, init: { body?: string; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Response> => {
    try {
      return await fetchImpl(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${key}`, ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
        ...(init.body !== undefined ? { body: init.body } : {}),
        ...(init.signal ? { signal: init.signal } : {}),
      });
    } catch (err) {
      if (init.signal?.aborted) throw err;
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new ApiCallError(`cannot reach ${url}: ${cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err))} (is \`cohort serve\` running? --url or COHORT_URL)`, 0);
    }
  };
  return {
    url,
    async json<T>(method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}) {
      const res = await call(method, path, { ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}), ...(options.headers ? { headers: options.headers } : {}) });
      if (!res.ok) throw await errorOf(res);
      return { status: res.status, body: (await res.json()) as T, headers: res.headers };
    },
    async raw(path) {
      const res = await call('GET', path);
      if (!res.ok) throw await errorOf(res);
      return res;
    },
    async *events(path, lastEventId, signal) {
      const res = await call('GET', path, { headers: { accept: 'text/event-stream', ...(lastEventId !== undefined ? { 'last-event-id': lastEventId } : {}) }, ...(signal ? { signal } : {}) });
      if (!res.ok) throw await errorOf(res);
      if (!res.body) return;
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true }).replace(/\r\n?/g, '\n');
        let cut: number;
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const event = parseFrame(frame);
          if (event) yield event;
        }
      }
    },
  };
}

/** One SSE frame → its event; comments (keep-alives) and empty frames → undefined. */
export function parseFrame(frame: string): SseEvent | undefined {
  let id: string | undefined;
  let event = 'message';
  const data: string[] = [];
  for (const line of frame.split('\n')) {
    if (line === '' || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') id = value;
    else if (field === 'event') event = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0 && id === undefined) return undefined;
  return { ...(id !== undefined ? { id } : {}), event, data: data.join('\n') };
}
