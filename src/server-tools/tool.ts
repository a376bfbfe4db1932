/**
 * The contract every built-in server tool implements (one file per tool), and
 * what a tool gets to run with. The registry (registry.ts) validates the
 * request's settings, presents `definition` to the model, checks the model's
 * arguments against that definition's JSON Schema, then calls `run` (live
 * keys) or `simulate` (test keys: deterministic, labelled, never the network).
 */
import type { z } from 'zod';
import type { FunctionToolDef } from '../providers/types.js';
import type { GuardedFetch, ServerToolsConfig } from './types.js';

/** What a call produced. */
export interface ToolOutcome {
  /** Compact text the model reads as the call's result. */
  text: string;
  /** One line for `server_tool_calls[].result_summary`. */
  summary: string;
  urls?: string[];
  b64_json?: string;
}

/** Everything a tool may touch while it runs; side effects come in here. */
export interface ToolContext {
  /** Aborts when the response is cancelled or its client goes away. */
  signal: AbortSignal;
  /** For the configured backends (Tavily, the images, video and Runway APIs). */
  fetch: typeof fetch;
  /** For URLs a model or user chose (pages, images): guarded against SSRF. */
  fetchGuarded: GuardedFetch;
  config: ServerToolsConfig;
  /** Resolves after `ms`; rejects with the signal's reason when it aborts. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  /** How often, and for how long, to poll a backend's job (videos). */
  poll: { intervalMs: number; timeoutMs: number };
}

/**
 * A failure whose message is safe to show the model and the client (keys
 * redacted, no internals). Anything else a tool throws is reported as an
 * internal error and logged.
 */
export class ToolError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ToolError';
  }
}

export interface ServerTool<S, A> {
  /** The canonical name: the function name the model calls, `server_tool_calls[].tool`. */
  name: string;
  /** What to set for a live key to use this tool (e.g. 'TAVILY_API_KEY'), or null when it is configured. */
  missing(config: ServerToolsConfig): string | null;
  /** The request's settings for this tool (unknown keys are ignored). */
  settings: z.ZodType<S>;
  /** The function the model sees, with the settings applied. */
  definition(settings: S): FunctionToolDef;
  /** Arguments already valid against `definition().parameters` → typed (throws ToolError for what a schema can't say). */
  args(raw: Record<string, unknown>, settings: S): A;
  run(args: A, settings: S, ctx: ToolContext): Promise<ToolOutcome>;
  /** The test-key result: deterministic, labelled "[simulated]", no network. */
  simulate(args: A, settings: S): ToolOutcome;
}

/** A tool with its types erased, for the registry's table. */
export interface AnyServerTool {
  name: string;
  missing(config: ServerToolsConfig): string | null;
  /** Parses settings; the bound tool, or the zod issues. */
  bind(raw: Record<string, unknown>): { ok: true; tool: BoundTool } | { ok: false; error: z.ZodError };
}

export interface BoundTool {
  definition: FunctionToolDef;
  run(raw: Record<string, unknown>, ctx: ToolContext): Promise<ToolOutcome>;
  simulate(raw: Record<string, unknown>): ToolOutcome;
}

export function defineTool<S, A>(tool: ServerTool<S, A>): AnyServerTool {
  return {
    name: tool.name,
    missing: (config) => tool.missing(config),
    bind(raw) {
      const parsed = tool.settings.safeParse(raw);
      if (!parsed.success) return { ok: false, error: parsed.error };
      const settings = parsed.data;
      return {
        ok: true,
        tool: {
          definition: tool.definition(settings),
          run: (args, ctx) => tool.run(tool.args(args, settings), settings, ctx),
          simulate: (args) => tool.simulate(tool.args(args, settings), settings),
        },
      };
    },
  };
}

/** `text` cut to at most `max` characters, with an ellipsis when cut. */
export function clip(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length <= max ? text : `${chars.slice(0, Math.max(0, max - 1)).join('').trimEnd()}…`;
}

/** A short URL-safe slug of `text`, for simulated URLs. */
export function slug(text: string, max = 48): string {
  const s = text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, max)
    .replace(/-+$/, '');
  return s || 'item';
}

/** http(s) URL or a base64 image data URL; throws ToolError naming `what` otherwise. */
export function checkImageRef(value: string, what: string, options: { httpsOnly?: boolean } = {}): string {
  if (/^data:image\/(png|jpeg|jpg|webp|gif);base64,/i.test(value)) return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ToolError(`${what} must be an http(s) URL or a data:image/…;base64 URL.`);
  }
  const ok = options.httpsOnly ? url.protocol === 'https:' : url.protocol === 'https:' || url.protocol === 'http:';
  if (!ok) throw new ToolError(`${what} must be ${options.httpsOnly ? 'an https' : 'an http(s)'} URL or a data:image/…;base64 URL.`);
  return value;
}
