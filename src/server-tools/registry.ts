/**
 * The server-tool registry: which tools exist, their aliases, and one
 * session per request.
 *
 * `open(specs, mode)` runs before any model call or write: it validates each
 * enabled tool's settings (422 naming `tools[i].<setting>`) and, for live
 * keys, that the tool's backend is configured (400 naming `tools[i]` and the
 * variable to set). The session presents one function definition per tool to
 * the model and runs the calls the model makes (src/responses/run.ts drives
 * the loop): arguments are checked against the definition's JSON Schema, the
 * tool runs (live) or simulates (test keys), and every call is recorded for
 * `server_tool_calls`. A failing call never fails the response: the model
 * reads an error text and the record says `failed`.
 *
 * Credits: usage.credits_used is priced by src/pricing.ts from `turns` (each
 * model turn that ran server tools costs serverToolTurn + the size tier, i.e.
 * 2–4). Each record's `credits` is its share of its turn's base price
 * (serverToolTurn split evenly over that turn's calls, to the cent), so the
 * records of a turn add up to the turn's base price.
 */
import { ApiError } from '../errors/api-error.js';
import type { FunctionToolDef } from '../providers/types.js';
import type { Logger } from '../logger.js';
import { DEFAULT_PRICING, type PricingTable } from '../pricing.js';
import { randomIds, type IdGenerator } from '../util/ids.js';
import { parseJson } from '../util/parse-json.js';
import { validateAgainst } from '../util/json-schema.js';
import { editImage } from './edit-image.js';
import { generateImage } from './generate-image.js';
import { generateVideo } from './generate-video.js';
import { createGuardedFetch } from './guarded-fetch.js';
import { sleep as realSleep } from './http.js';
import { imageToVideo } from './image-to-video.js';
import { tavilyExtract } from './tavily-extract.js';
import { tavilySearch } from './tavily-search.js';
import { clip, ToolError, type AnyServerTool, type BoundTool, type ToolContext } from './tool.js';
import type { GuardedFetch, ServerToolCallRecord, ServerToolSession, ServerTools, ServerToolsConfig, ServerToolSpec, ServerToolType } from './types.js';

const TOOLS: Record<string, AnyServerTool> = Object.fromEntries(
  [tavilySearch, tavilyExtract, generateImage, editImage, generateVideo, imageToVideo].map((t) => [t.name, t]),
);

/** Request type → canonical tool name. */
export const ALIASES: Record<ServerToolType, string> = {
  tavily_search: 'tavily_search',
  web_search: 'tavily_search',
  web_search_preview: 'tavily_search',
  tavily_extract: 'tavily_extract',
  generateImage: 'generateImage',
  image_generation: 'generateImage',
  editImage: 'editImage',
  generateVideo: 'generateVideo',
  imageToVideo: 'imageToVideo',
};

export const DEFAULT_MAX_TURNS = 4;
const MAX_TURNS_LIMIT = 10;

export interface ServerToolsDeps {
  /** For the configured backends. */
  fetch?: typeof fetch;
  /** For URLs models choose (pages, source images); default: createGuardedFetch(). */
  fetchGuarded?: GuardedFetch;
  ids?: IdGenerator;
  logger?: Logger;
  pricing?: PricingTable;
  /** Job polling (videos): interval (default 5 s) and how long to wait (default 10 min). */
  pollIntervalMs?: number;
  pollTimeoutMs?: number;
  sleep?: ToolContext['sleep'];
  now?: () => number;
}

export function createServerTools(config: ServerToolsConfig, deps: ServerToolsDeps = {}): ServerTools {
  const ids = deps.ids ?? randomIds;
  const now = deps.now ?? (() => performance.now());
  const turnPrice = (deps.pricing ?? DEFAULT_PRICING).serverToolTurn;
  const fetchGuarded = deps.fetchGuarded ?? createGuardedFetch();
  const base = {
    fetch: deps.fetch ?? globalThis.fetch,
    fetchGuarded,
    config,
    sleep: deps.sleep ?? realSleep,
    poll: { intervalMs: deps.pollIntervalMs ?? 5000, timeoutMs: deps.pollTimeoutMs ?? 600_000 },
  };

  function open(specs: ServerToolSpec[], mode: 'live' | 'test'): ServerToolSession {
    const bound = new Map<string, BoundTool>();
    let maxTurns: number | undefined;
    for (const spec of specs) {
      const name = ALIASES[spec.type];
      const tool = name ? TOOLS[name] : undefined;
      if (!name || !tool) throw new ApiError('invalid_request', `Unknown server tool '${spec.type}'.`, { param: `tools[${spec.index}].type` });
      const { max_tool_turns: turns, ...settings } = spec.settings;
      if (turns !== undefined) {
        if (typeof turns !== 'number' || !Number.isInteger(turns) || turns < 1 || turns > MAX_TURNS_LIMIT) {
          throw new ApiError('validation_error', `max_tool_turns must be an integer from 1 to ${MAX_TURNS_LIMIT}.`, { param: `tools[${spec.index}].max_tool_turns` });
        }
        maxTurns = Math.max(maxTurns ?? 0, turns);
      }
      const result = tool.bind(settings);
      if (!result.ok) {
        const issue = result.error.issues[0];
        const key = issue?.path.map(String).join('.') ?? '';
        throw new ApiError('validation_error', `Invalid setting for ${spec.type}${key ? ` '${key}'` : ''}: ${issue?.message ?? 'invalid'}.`, {
          param: `tools[${spec.index}]${key ? `.${key}` : ''}`,
        });
      }
      if (mode === 'live') {
        const missing = tool.missing(config);
        const label = spec.type === name ? name : `${spec.type} (${name})`;
        if (missing) throw new ApiError('invalid_request', `${label} is not configured on this server: set ${missing}.`, { param: `tools[${spec.index}]` });
      }
      // The same tool enabled twice (e.g. web_search and tavily_search): the first one's settings apply.
      if (!bound.has(name)) bound.set(name, result.tool);
    }
    return new Session(bound, mode, maxTurns ?? DEFAULT_MAX_TURNS);
  }

  class Session implements ServerToolSession {
    readonly definitions: FunctionToolDef[];
    readonly calls: ServerToolCallRecord[] = [];
    private readonly turnSet = new Set<number>();
    /** Start order of each recorded call, to keep `calls` in the order the model made them. */
    private readonly order = new WeakMap<ServerToolCallRecord, number>();
    private readonly turnOf = new WeakMap<ServerToolCallRecord, number>();
    private seq = 0;

    constructor(
      private readonly tools: Map<string, BoundTool>,
      private readonly mode: 'live' | 'test',
      readonly maxTurns: number,
    ) {
      this.definitions = [...tools.values()].map((t) => t.definition);
    }

    get turns(): number {
      return this.turnSet.size;
    }

    handles(name: string): boolean {
      return this.tools.has(name);
    }

    async execute(call: { callId: string; name: string; arguments: string }, signal: AbortSignal, turn: number): Promise<string> {
      const seq = this.seq++;
      const started = now();
      const tool = this.tools.get(call.name);
      let args: Record<string, unknown> = {};
      const record = (r: Pick<ServerToolCallRecord, 'status' | 'result_summary'> & Partial<ServerToolCallRecord>): void => {
        const rec: ServerToolCallRecord = {
          id: ids.next('stc'),
          tool: call.name,
          arguments: args,
          status: r.status,
          result_summary: r.result_summary,
          ...(r.urls && r.urls.length > 0 ? { urls: r.urls } : {}),
          ...(r.b64_json ? { b64_json: r.b64_json } : {}),
          latency_ms: Math.max(0, Math.round(now() - started)),
          credits: 0,
          ...(r.error !== undefined ? { error: r.error } : {}),
        };
        this.insert(rec, seq, turn);
      };
      const fail = (error: string): string => {
        record({ status: 'failed', result_summary: `failed: ${clip(error, 200)}`, error });
        return `Error: ${call.name} failed: ${error} Do not invent its result; tell the user it was unavailable if it matters.`;
      };
      if (!tool) return fail(`${call.name} is not enabled for this request.`);
      const parsed = parseJson(call.arguments.trim() === '' ? '{}' : call.arguments);
      const value = parsed.ok ? parsed.value : undefined;
      if (value === null || typeof value !== 'object' || Array.isArray(value)) return fail('the arguments are not a JSON object.');
      args = value as Record<string, unknown>;
      const check = validateAgainst(tool.definition.parameters, args);
      if (!check.valid) return fail(`invalid arguments: ${check.errors.slice(0, 3).join('; ')}.`);
      try {
        const outcome = this.mode === 'test' ? tool.simulate(args) : await tool.run(args, { ...base, signal });
        record({
          status: 'completed',
          result_summary: outcome.summary,
          ...(outcome.urls ? { urls: outcome.urls } : {}),
          ...(outcome.b64_json ? { b64_json: outcome.b64_json } : {}),
        });
        return outcome.text;
      } catch (err) {
        if (signal.aborted) return fail('the response was cancelled before the tool finished.');
        if (err instanceof ToolError) return fail(err.message);
        deps.logger?.error('server_tools.error', { tool: call.name, err });
        return fail('the tool had an internal error.');
      }
    }

    /** Inserts in start order and re-splits the turn's price over its calls. */
    private insert(rec: ServerToolCallRecord, seq: number, turn: number): void {
      this.order.set(rec, seq);
      this.turnOf.set(rec, turn);
      let at = this.calls.length;
      while (at > 0 && (this.order.get(this.calls[at - 1]!) ?? 0) > seq) at--;
      this.calls.splice(at, 0, rec);
      this.turnSet.add(turn);
      const same = this.calls.filter((c) => this.turnOf.get(c) === turn);
      const cents = Math.round(turnPrice * 100);
      same.forEach((c, i) => {
        c.credits = (Math.floor(cents / same.length) + (i < cents % same.length ? 1 : 0)) / 100;
      });
    }
  }

  return { open };
}
