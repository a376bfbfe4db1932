/**
 * The one provider interface. Every engine (sandbox, OpenAI-compatible Chat
 * Completions, …) turns a normalized request into an async stream of
 * ProviderEvents; one translator (src/responses/translator.ts) turns those into
 * Responses objects and SSE events. The non-streaming path collects the same
 * stream, so there is exactly one code path.
 *
 * Shared types never import from a backend folder.
 */
import type { PersonaRecord } from '../personas/persona-schema.js';
import type { ExtraCallBudget } from './extra-calls.js';

export type Role = 'system' | 'developer' | 'user' | 'assistant';

export type ContentPart =
  | { type: 'text'; text: string }
  /**
   * An image. After prepare, `url` is always a `data:` URL whose bytes were
   * checked (PNG, JPEG, GIF or WebP); when the client sent an http(s) URL,
   * the server fetched it (src/util/safe-fetch.ts) and `sourceUrl` keeps it.
   */
  | { type: 'image'; url: string; detail: 'auto' | 'low' | 'high'; sourceUrl?: string }
  /**
   * A file. After prepare it has `data` (a base64 data URL) or `fileId`, never
   * `url`: a client's http(s) `file_url` is fetched by the server
   * (src/responses/files.ts) and `sourceUrl` keeps it.
   */
  | { type: 'file'; filename?: string; data?: string; url?: string; fileId?: string; sourceUrl?: string };

/** A conversation item after input normalization and item_reference resolution. */
export type ConversationItem =
  | { type: 'message'; role: Role; content: ContentPart[] }
  | { type: 'function_call'; callId: string; name: string; arguments: string }
  | { type: 'function_call_output'; callId: string; output: string };

export interface FunctionToolDef {
  name: string;
  description?: string;
  /** JSON Schema of the arguments; `{type:'object',properties:{}}` when the client sent none. */
  parameters: Record<string, unknown>;
  strict: boolean;
}

export type ToolChoice = { mode: 'auto' } | { mode: 'none' } | { mode: 'required' } | { mode: 'function'; name: string } | { mode: 'allowed'; required: boolean; names: string[] };

export type OutputFormat = { type: 'text' } | { type: 'json_object' } | { type: 'json_schema'; name: string; schema: Record<string, unknown>; strict: boolean; description?: string };

export interface SamplingOptions {
  temperature?: number;
  topP?: number;
  frequencyPenalty?: number;
  presencePenalty?: number;
  maxOutputTokens?: number;
  reasoningEffort?: 'low' | 'medium' | 'high';
  verbosity?: 'low' | 'medium' | 'high';
  /**
   * Stop sequences (Chat Completions `stop`): the text ends before the first
   * one. Backends that know them pass them upstream; the run cuts the text
   * itself whatever the backend did (stop-sequences.ts).
   */
  stop?: string[];
  /** Sampling seed (Chat Completions `seed`), for backends that take one. */
  seed?: number;
}

/**
 * A simulated survey respondent (focus groups, src/focus-groups/): its
 * sampled traits and what it was shown. Real backends ignore it — the
 * respondent's profile is in `system` already — while the sandbox lets its
 * structured answers vary with the traits (deterministically).
 */
export interface RespondentHint {
  /** 0–100: openness, conscientiousness, extraversion, agreeableness, neuroticism, price_sensitivity, brand_loyalty, … */
  traits: Record<string, number>;
  /** The stimulus text the respondent reacts to. */
  context?: string;
}

export interface ProviderRequest {
  /** Persona system prompt followed by the request's instructions; undefined when neither. */
  system?: string;
  persona?: PersonaRecord;
  items: ConversationItem[];
  tools: FunctionToolDef[];
  toolChoice: ToolChoice;
  parallelToolCalls: boolean;
  format: OutputFormat;
  sampling: SamplingOptions;
  /** The caller's workspace, for per-workspace backend routes (src/providers/router.ts). */
  workspace?: { id: string; name?: string };
  /** Aborted when the client goes away or the response is cancelled. */
  signal: AbortSignal;
  /**
   * false: nothing reads the events before the last one (a non-streaming,
   * foreground request), so an HTTP backend may ask its upstream for the
   * whole answer in one reply instead of a stream (see `streamsUpstream` in
   * src/providers/http-backend/index.ts). Absent or true: events are read as they come.
   */
  incremental?: boolean;
  /** A simulated survey respondent (see RespondentHint); only the sandbox reads it. */
  respondent?: RespondentHint;
  /**
   * The request's budget of extra model calls (repairs, retries, analysis;
   * extra-calls.ts), shared by every copy of the request. Absent: each
   * stage that would make one starts a fresh budget.
   */
  extraCalls?: ExtraCallBudget;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export type ProviderEvent =
  /** Text of the (single) assistant message, in order. */
  | { type: 'text-delta'; delta: string }
  /** A function call begins; `index` orders calls within this response. */
  | { type: 'tool-call-start'; index: number; callId: string; name: string }
  | { type: 'tool-call-delta'; index: number; delta: string }
  | { type: 'tool-call-end'; index: number }
  | { type: 'usage'; inputTokens: number; outputTokens: number; cachedTokens?: number; reasoningTokens?: number }
  | { type: 'finish'; reason: FinishReason }
  /**
   * Which backend is serving this response (the router sends it once, before
   * the first other event); the run reports it as the engine. Optional: single
   * engines never send it.
   */
  | { type: 'engine'; name: string };

export interface ProviderCapabilities {
  /**
   * Whether the engine enforces a `json_schema` output format itself (native
   * structured outputs, a grammar, a forced tool). false: the router checks
   * the output against the schema and repairs it once (router.ts). Default true.
   */
  jsonSchema?: boolean;
  /**
   * For an engine that enforces JSON Schemas itself but not every keyword
   * (the local engine's grammar): whether it enforces all of `schema`.
   * false: the router collects the answer, validates it and repairs it once,
   * keeping the format (router.ts). Default: true.
   */
  enforcesAll?(schema: Record<string, unknown>): boolean;
}

/**
 * Text embeddings (focus groups' SSR elicitation, themes): one vector per
 * input text, in order, from the backend's own embedding model. Backends
 * offer them through `Provider.embeddings`: OpenAI-compatible `POST
 * /embeddings` (openai/embeddings/), Ollama's `/api/embed` (ollama/), the
 * local GGUF engine's embedding context (llama-cpp/embed.ts) and the
 * sandbox's deterministic embedding (sandbox/embedding.ts).
 */
export interface EmbeddingRequest {
  /** The texts, at least one. */
  input: string[];
  /** For per-persona and per-workspace routes (router.ts), as ProviderRequest. */
  persona?: PersonaRecord;
  workspace?: { id: string; name?: string };
  signal: AbortSignal;
}

export interface EmbeddingResult {
  /** One vector per input text, in order, all of one dimension. */
  vectors: number[][];
  /** Tokens of the input as the backend counted them (what the call is priced by). */
  inputTokens: number;
}

export interface Embeddings {
  /** Whether a request on this route can be embedded (the router: some backend of the route has embeddings). */
  available(route: Pick<EmbeddingRequest, 'persona' | 'workspace'>): boolean;
  /** Throws ApiError like `stream` does (retryable 503 for transient upstream failures). */
  embed(request: EmbeddingRequest): Promise<EmbeddingResult>;
}

export interface Provider {
  /** Engine name reported in the `x-cohort-engine` header and metrics. */
  readonly name: string;
  readonly capabilities?: ProviderCapabilities;
  /** Text embeddings, when the engine (or some backend of the router) has an embedding model. */
  readonly embeddings?: Embeddings;
  /**
   * The engine a request is expected to be served by, when it depends on the
   * request (the router: the first backend of the request's route). Known
   * before the call, so it can go in the headers of a streaming reply; the
   * `engine` event says which backend really served. Default: `name`.
   */
  engineFor?(request: Omit<ProviderRequest, 'signal'>): string;
  /**
   * Refuses, before the request is admitted, what this engine cannot serve
   * (the sandbox: a schema it cannot generate a value for within its budget).
   * Throws; a SchemaRefusal (util/client-schema.ts) with its `origin` becomes a
   * 422 naming the schema's param. Optional.
   */
  preflight?(request: Omit<ProviderRequest, 'signal'>): void;
  stream(request: ProviderRequest): AsyncIterable<ProviderEvent>;
}
