/**
 * Built-in server tools: tools the server runs itself inside the model ↔
 * tool loop (src/responses/run.ts), listed in the response's top-level
 * `server_tool_calls` — never as function_call items, which would send the
 * client a call it cannot run.
 */
import type { FunctionToolDef } from '../providers/types.js';

/** Tool types a request may enable, with the OpenAI aliases. */
export const SERVER_TOOL_TYPES = ['tavily_search', 'tavily_extract', 'generateImage', 'editImage', 'generateVideo', 'imageToVideo', 'web_search', 'web_search_preview', 'image_generation'] as const;
export type ServerToolType = (typeof SERVER_TOOL_TYPES)[number];

/** A server tool as the request enables it: its type and optional settings. */
export interface ServerToolSpec {
  type: ServerToolType;
  settings: Record<string, unknown>;
  /** Where it was in `tools`, for error params. */
  index: number;
}

export interface ServerToolCallRecord {
  id: string;
  /** The tool's canonical name (aliases resolved), e.g. tavily_search. */
  tool: string;
  arguments: Record<string, unknown>;
  status: 'completed' | 'failed';
  /** A short human-readable summary of the result. */
  result_summary: string;
  /** URLs found or produced (search results, generated media). */
  urls?: string[];
  /** Generated media inline, when the backend returned bytes. */
  b64_json?: string;
  latency_ms: number;
  credits: number;
  error?: string;
}

/** One request's server tools: what the model sees, and how calls run. */
/** What a response run needs of the server's tools (src/responses/run.ts). */
export interface ServerToolExecutor {
  /** Whether a function name the model called is one of the server's tools. */
  handles(name: string): boolean;
  /** Runs a call and returns the text the model reads as its result; records the call for the response. */
  execute(call: { callId: string; name: string; arguments: string }, signal: AbortSignal, turn: number): Promise<string>;
  maxTurns: number;
  /** Calls made so far, for `server_tool_calls`. */
  readonly calls: readonly ServerToolCallRecord[];
}

export interface ServerToolSession extends ServerToolExecutor {
  /** Function definitions presented to the model for the enabled tools. */
  definitions: FunctionToolDef[];
  /** Model turns that ran at least one server tool (priced 2–4 credits each). */
  readonly turns: number;
}

export interface ServerTools {
  /**
   * Validates the enabled tools (400 naming `tools[i]` and the setting to
   * configure when one isn't configured) and opens a session for one
   * request. Test keys get deterministic, clearly labelled simulated results.
   */
  open(specs: ServerToolSpec[], mode: 'live' | 'test'): ServerToolSession;
}

/**
 * Where each tool's backend lives, read once from the environment by
 * src/config.ts. A backend left undefined is not configured: live keys that
 * enable its tool get a 400 naming the variable to set; test keys never need one.
 */
export interface ServerToolsConfig {
  /** Tavily (tavily_search; tavily_extract without a key fetches pages itself). */
  tavily: { baseURL: string; apiKey?: string };
  /** An OpenAI-compatible images API (generateImage, editImage). */
  images?: { baseURL: string; apiKey?: string; model: string };
  /** The OpenAI videos API (generateVideo). */
  video?: { baseURL: string; apiKey?: string; model: string };
  /** The Runway API (imageToVideo). */
  runway?: { baseURL: string; apiKey: string };
}

/**
 * Fetches a URL that a model or a user chose (a page to extract, an image to
 * edit): the network guard against server-side request forgery lives here,
 * not in the tools. Resolves with the final response's bytes (capped at
 * `maxBytes`); rejects when the address is refused, the content type is not
 * one of `accept`, the body is larger than `maxBytes`, or `timeoutMs` passes.
 */
export type GuardedFetch = (
  url: string,
  options: { signal: AbortSignal; maxBytes: number; timeoutMs: number; accept: readonly string[] },
) => Promise<GuardedResponse>;

export interface GuardedResponse {
  /** The URL finally fetched (after redirects). */
  url: string;
  status: number;
  /** The media type, lower-case, without parameters (e.g. text/html). */
  contentType: string;
  /** The `charset` parameter of Content-Type, if any. */
  charset?: string;
  body: Uint8Array;
}
