/**
 * What one client may make a server spend, in one place: the size of a
 * request and of its prompt, the nesting of its JSON, the fields of a custom
 * persona, how long a stream may wait for a reader, and the HTTP server's
 * connection bounds. Each limit is checked before the work it bounds, and a
 * request over one is refused with a 4xx naming the parameter. docs/operations.md's
 * "Limits a deployment gets by default" table lists them; the ones a
 * deployment may reasonably change read an environment variable
 * (`readLimits`, called by config.ts).
 *
 * The defaults are sized by measurement on one core: the largest accepted
 * prompt (1 Mi characters) costs ~50 ms to tokenize as prose and ~1 s as
 * unique text without spaces (the worst case of the linear tokenizer,
 * util/tokens.ts); 25 MiB of JSON parse in ~0.2 s.
 */

/** Per request to POST /v1/responses and /v1/chat/completions. */
export interface RequestLimits {
  /** Characters of text in the request: instructions, every text part, function-call arguments and outputs. */
  inputChars: number;
  /** o200k tokens of the whole prompt: persona prompt, instructions, the previous_response_id conversation and the input. */
  inputTokens: number;
  /** Items in `input` (a string is one). */
  inputItems: number;
  /** Content parts in one message or function_call_output. */
  contentParts: number;
  /** Images and file URLs in the prompt, the previous conversation's included (each is downloaded or decoded per request). */
  images: number;
  /** Entries in `tools`. */
  tools: number;
}

/** Server-sent event streams (responses streaming, GET ?stream=true, chat completions). */
export interface StreamLimits {
  /** A `: keep-alive` comment after this much silence, so proxies with idle timeouts keep the stream (0: never). */
  keepAliveMs: number;
  /** A reader that takes nothing for this long while bytes wait is gone: the stream ends and its run is aborted. */
  stallMs: number;
  /** Bytes a stream holds for a slow reader before the run stops pulling from the model. */
  bufferBytes: number;
}

/** The HTTP server (src/server.ts). */
export interface ServerLimits {
  /** How long an idle keep-alive connection is kept: above a load balancer's idle timeout (AWS ALB: 60 s). */
  keepAliveTimeoutMs: number;
  /** Time to receive a request's headers; above keepAliveTimeoutMs (a reused connection's clock starts when it was opened in some Node versions). */
  headersTimeoutMs: number;
  /** Time to receive a whole request, body included. */
  requestTimeoutMs: number;
  /** Open connections; past it, the oldest idle one is closed for a new one, or the new one if none is idle. */
  maxConnections: number;
}

export interface Limits {
  request: RequestLimits;
  stream: StreamLimits;
  server: ServerLimits;
}

/**
 * Nesting of a JSON body (objects and arrays); deeper bodies are refused
 * before they are parsed, so no recursive walk (null stripping, validation,
 * serialization) meets more. Deep enough for the deepest JSON Schema the
 * schema checks accept (64 schema levels, two JSON levels each: they then
 * answer with the schema's path), shallow enough for any recursion.
 */
export const MAX_JSON_DEPTH = 256;

/**
 * Fields of a persona profile (persona-schema.ts): custom personas are
 * written by clients (the built-in library's longest text is 166 characters,
 * its longest list 8 items). Guided fields have their own bounds (500
 * characters, 25 items of 300).
 */
export const PERSONA_FIELD_LIMITS = { text: 1000, item: 300, items: 25, statistics: 25 } as const;

export const DEFAULT_LIMITS: Limits = {
  request: { inputChars: 1_048_576, inputTokens: 262_144, inputItems: 2048, contentParts: 256, images: 32, tools: 128 },
  stream: { keepAliveMs: 15_000, stallMs: 60_000, bufferBytes: 256 * 1024 },
  server: { keepAliveTimeoutMs: 65_000, headersTimeoutMs: 66_000, requestTimeoutMs: 120_000, maxConnections: 2048 },
};

/** Reads an integer variable: `(name, fallback, min, max)`; config.ts passes its checked reader. */
export type IntReader = (name: string, fallback: number, min: number, max: number) => number;

/** The limits with the environment's overrides. */
export function readLimits(int: IntReader): Limits {
  const d = DEFAULT_LIMITS;
  const keepAliveTimeoutMs = int('COHORT_KEEP_ALIVE_TIMEOUT_MS', d.server.keepAliveTimeoutMs, 1000, 3_600_000);
  const headersTimeoutMs = int('COHORT_HEADERS_TIMEOUT_MS', Math.max(d.server.headersTimeoutMs, keepAliveTimeoutMs + 1000), 1000, 3_600_000);
  return {
    request: {
      inputChars: int('COHORT_MAX_INPUT_CHARS', d.request.inputChars, 1, 100_000_000),
      inputTokens: int('COHORT_MAX_INPUT_TOKENS', d.request.inputTokens, 1, 100_000_000),
      inputItems: int('COHORT_MAX_INPUT_ITEMS', d.request.inputItems, 1, 1_000_000),
      contentParts: d.request.contentParts,
      images: int('COHORT_MAX_IMAGES', d.request.images, 0, 10_000),
      tools: d.request.tools,
    },
    stream: {
      keepAliveMs: int('COHORT_SSE_KEEPALIVE_MS', d.stream.keepAliveMs, 0, 3_600_000),
      stallMs: int('COHORT_SSE_STALL_MS', d.stream.stallMs, 1000, 3_600_000),
      bufferBytes: d.stream.bufferBytes,
    },
    server: {
      keepAliveTimeoutMs,
      headersTimeoutMs,
      // Node refuses a headers timeout above the request timeout.
      requestTimeoutMs: int('COHORT_REQUEST_TIMEOUT_MS', Math.max(d.server.requestTimeoutMs, headersTimeoutMs), headersTimeoutMs, 3_600_000),
      maxConnections: int('COHORT_MAX_CONNECTIONS', d.server.maxConnections, 1, 1_000_000),
    },
  };
}

/** `partial` over the defaults, section by section (tests and embedders lower one limit). */
export function withDefaults(partial: LimitsOverrides = {}): Limits {
  return {
    request: { ...DEFAULT_LIMITS.request, ...partial.request },
    stream: { ...DEFAULT_LIMITS.stream, ...partial.stream },
    server: { ...DEFAULT_LIMITS.server, ...partial.server },
  };
}

export interface LimitsOverrides {
  request?: Partial<RequestLimits>;
  stream?: Partial<StreamLimits>;
  server?: Partial<ServerLimits>;
}
