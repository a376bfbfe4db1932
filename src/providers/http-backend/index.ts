/**
 * The HTTP backend base: what every backend that talks to an upstream over
 * HTTP shares, so that a backend's `index.ts` is configuration — its URL,
 * headers, error mappers and how one request is encoded and its reply
 * decoded. The base owns the rest: the HTTP client (`clientOf`), whether the
 * upstream streams (`streamsUpstream`), and the exchange (`postForEvents`:
 * the POST, aborts, status errors, stream-vs-JSON decoding).
 *
 * The request's signal aborts the upstream request (a client disconnect
 * closes the upstream connection), and so does a consumer that stops
 * iterating early. Errors are what the backend's mappers make of them
 * (ApiErrors); an abort caused by `req.signal` is rethrown as the signal's
 * reason (normally a DOMException named AbortError), never mapped. A server
 * that ignores `stream: true` and answers one JSON body is handled too.
 */
import { type ClientOptions, clientOf } from '../../util/upstream-client.js';
import type { Provider, ProviderEvent, ProviderRequest } from '../types.js';
import { postForEvents, type UpstreamErrorMappers } from './post-events.js';

export { abortReason, postForEvents, type UpstreamErrorMappers, type UpstreamExchange } from './post-events.js';

/**
 * How an HTTP backend asks its upstream for an answer (config `streaming`):
 * - 'auto' (default): streamed when the request's events are read as they
 *   come (streaming and background requests), whole otherwise — one JSON
 *   reply is much cheaper to produce, relay and decode than an event per
 *   token, and nothing is lost since the client sees nothing before the end;
 * - 'always': always streamed (an upstream or proxy that cuts long silent
 *   requests, or per-token accounting of abandoned requests).
 */
export type UpstreamStreaming = 'auto' | 'always';

/** The options every HTTP backend takes besides its own: its HTTP client and how it asks for answers. */
export interface HttpBackendOptions extends ClientOptions {
  /** Default 'auto'. */
  streaming?: UpstreamStreaming;
}

/** Whether a request goes to the upstream as a stream (see UpstreamStreaming). */
export function streamsUpstream(req: Pick<ProviderRequest, 'incremental'>, mode: UpstreamStreaming | undefined): boolean {
  return mode === 'always' || req.incremental !== false;
}

/**
 * The headers of an OpenAI-style JSON POST that takes an event stream back:
 * the config's extra headers (names lower-cased, so ours replace theirs
 * rather than doubling them), then content type, accept and the bearer key.
 */
export function bearerJsonHeaders(extra: Record<string, string> | undefined, apiKey: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (extra) for (const [k, v] of Object.entries(extra)) out[k.toLowerCase()] = v;
  out['content-type'] = 'application/json';
  out.accept = 'text/event-stream, application/json';
  if (apiKey) out.authorization = `Bearer ${apiKey}`;
  return out;
}

/** One request in the upstream's wire format, and how its reply is decoded. */
export interface EncodedRequest {
  body: unknown;
  /** Decodes the upstream's event stream (chunks of bytes or text). */
  decodeStream(chunks: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>): AsyncIterable<ProviderEvent>;
  /** Decodes a whole JSON reply (a request that asked for one, or a server that ignored `stream: true`). */
  decodeJson(value: unknown): Iterable<ProviderEvent> | AsyncIterable<ProviderEvent>;
}

/** What makes one HTTP backend: everything but the exchange, which the base makes. */
export interface HttpBackendSpec {
  /** The Provider's name (`openai-chat`, `anthropic`, …). */
  name: string;
  /** The URL every request is POSTed to. */
  url: string;
  /** The request headers (the same for every request). */
  headers: Record<string, string>;
  /** How the upstream's failures become errors. */
  errors: UpstreamErrorMappers;
  /**
   * The request as the upstream takes it, with its decoders. `stream`: the
   * body asks for an event stream (else for the whole answer in one JSON
   * reply). May throw an ApiError for what the upstream cannot take.
   */
  encode(req: ProviderRequest, stream: boolean): EncodedRequest;
}

/** A Provider over one HTTP upstream. */
export function createHttpBackend(options: HttpBackendOptions, spec: HttpBackendSpec): Provider {
  const client = clientOf(options);
  const { url, headers, errors } = spec;

  async function* stream(req: ProviderRequest): AsyncGenerator<ProviderEvent, void, undefined> {
    const streamed = streamsUpstream(req, options.streaming);
    const { body, decodeStream, decodeJson } = spec.encode(req, streamed);
    yield* postForEvents({ client, url, headers, body, signal: req.signal, whole: !streamed, ...errors, decodeStream, decodeJson });
  }

  return { name: spec.name, stream };
}
