/**
 * generateObject: one validated JSON object from a model, on any backend.
 *
 * 1. Ask the provider (the one Provider interface) for a strict `json_schema`
 *    output, with no tools, reading the reply whole (`incremental: false`, so
 *    an HTTP backend may fetch it in one JSON reply).
 * 2. Collect the text, find the JSON in it with the one fence stripper
 *    (./extract-json.ts), validate it through the one validation port
 *    (src/util/json-schema.ts), then the caller's own domain check (`check`:
 *    rules a JSON Schema cannot say, e.g. "best ≠ worst").
 * 3. Invalid → a repair attempt: the same conversation plus the invalid reply
 *    (as the assistant's turn) and the errors (as a user message), up to
 *    `repairBudget` times (default 1).
 * 4. Return `{object, usage, attempts, text}` with the usage of every attempt
 *    (each was paid for), or throw a GenerateObjectError that says why and
 *    carries the same usage. Backend errors (ApiError from the provider or the
 *    router) and aborts propagate unchanged: retrying those is the caller's
 *    policy, not this function's.
 *
 * Costs are bounded: the reply is read up to `maxChars` (default 64 KiB;
 * beyond it the call is aborted and counted as an invalid attempt), errors fed
 * back are capped in number and length.
 *
 * Its users: the analysis pass (src/analysis/live.ts), persona generation
 * (src/personas/generate.ts), focus-group answers (src/focus-groups/). The
 * router's JSON emulation (src/providers/json-emulation.ts) keeps the tools of
 * the request, so it is a decorator of its own over the same fence stripper,
 * validation port and repair message.
 */
import type { ConversationItem, FinishReason, Provider, ProviderRequest } from '../providers/types.js';
import { validateAgainst } from '../util/json-schema.js';
import { extractJson } from './extract-json.js';

export interface ObjectSchema {
  /** Name of the format (`^[a-zA-Z0-9_-]{1,64}$`, as OpenAI requires). */
  name: string;
  /** A strict JSON Schema: every property required, `additionalProperties: false`. */
  schema: Record<string, unknown>;
  description?: string;
}

/** The request, without what generateObject decides: output format, tools, signal. */
export type ObjectRequest = Omit<ProviderRequest, 'format' | 'tools' | 'toolChoice' | 'parallelToolCalls' | 'signal' | 'incremental'>;

export type DomainCheck<T> = (value: unknown) => { ok: true; value: T } | { ok: false; errors: string[] };

export interface GenerateObjectOptions<T> {
  provider: Provider;
  request: ObjectRequest;
  schema: ObjectSchema;
  /** Rules beyond the JSON Schema; its errors are fed back like schema errors. Default: the value as is. */
  check?: DomainCheck<T>;
  /**
   * Validate against `schema` before `check` (default true). false: `check`
   * alone decides — for a check that accepts more than the strict schema asks
   * (e.g. a zod parse that strips properties the model added anyway).
   */
  validate?: boolean;
  /** Repair attempts after the first call (default 1; 0 = no repair). */
  repairBudget?: number;
  signal: AbortSignal;
  /** Characters of reply read per attempt before it is cut off (default 65,536). */
  maxChars?: number;
  /**
   * Asked before each model call (1 = the first, 2 = the first repair…): the
   * call's own output limit, or false when it may not be made (a budget of
   * extra calls is spent) — a GenerateObjectError of kind `budget` then.
   */
  beforeCall?: (attempt: number) => { maxOutputTokens?: number } | false;
}

export interface ObjectUsage {
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
  reasoningTokens: number;
}

export interface GeneratedObject<T> {
  object: T;
  /** Summed over every attempt. */
  usage: ObjectUsage;
  /** Model calls made: 1 + the repairs used. */
  attempts: number;
  /** The accepted reply's JSON text (what a conversation should show as the assistant's turn). */
  text: string;
  /** The backend that served the last attempt, when the provider said (the router's `engine` event). */
  engine?: string;
}

export type GenerateObjectFailure =
  /** No attempt produced a valid object. */
  | 'invalid'
  /** The last attempt was cut off (output token limit, or maxChars). */
  | 'truncated'
  /** `beforeCall` did not allow the next call. */
  | 'budget';

export class GenerateObjectError extends Error {
  constructor(
    readonly kind: GenerateObjectFailure,
    /** The last attempt's problems, as fed back to the model. */
    readonly errors: string[],
    readonly usage: ObjectUsage,
    readonly attempts: number,
    /** The last reply, truncated to 2,000 characters (for logs; never returned to clients as is). */
    readonly lastReply: string,
  ) {
    super(
      kind === 'budget'
        ? `No model call left for attempt ${attempts + 1}${errors.length ? `: ${errors.slice(0, 3).join('; ')}` : ''}`
        : `No valid object after ${attempts} attempt(s)${kind === 'truncated' ? ' (the reply was cut off)' : ''}: ${errors.slice(0, 3).join('; ')}`,
    );
    this.name = 'GenerateObjectError';
  }
}

const DEFAULT_MAX_CHARS = 65_536;
const MAX_FED_BACK_ERRORS = 8;
const MAX_ERROR_CHARS = 300;

/** The message that asks for a corrected object. */
export function repairMessage(schemaName: string, errors: string[]): string {
  const listed = errors.slice(0, MAX_FED_BACK_ERRORS).map((e) => `- ${e.length > MAX_ERROR_CHARS ? `${e.slice(0, MAX_ERROR_CHARS)}…` : e}`);
  return `Your reply is not valid for the JSON schema "${schemaName}":\n${listed.join('\n')}\nReply again with only the corrected JSON object, no other text.`;
}

export async function generateObject<T = unknown>(options: GenerateObjectOptions<T>): Promise<GeneratedObject<T>> {
  const { provider, schema, signal } = options;
  const budget = Math.max(0, Math.floor(options.repairBudget ?? 1));
  const maxChars = options.maxChars ?? DEFAULT_MAX_CHARS;
  const check = options.check ?? ((value: unknown) => ({ ok: true as const, value: value as T }));
  const usage: ObjectUsage = { inputTokens: 0, outputTokens: 0, cachedTokens: 0, reasoningTokens: 0 };
  let items: ConversationItem[] = options.request.items;
  let attempts = 0;
  let last: { errors: string[]; text: string } = { errors: [], text: '' };
  for (;;) {
    if (signal.aborted) throw signal.reason;
    const allowed = options.beforeCall ? options.beforeCall(attempts + 1) : {};
    if (allowed === false) throw new GenerateObjectError('budget', last.errors, usage, attempts, last.text);
    attempts += 1;
    const sampling = allowed.maxOutputTokens !== undefined ? { ...options.request.sampling, maxOutputTokens: allowed.maxOutputTokens } : options.request.sampling;
    const reply = await collect(provider, { ...options.request, items, sampling }, schema, signal, maxChars, usage);
    const outcome = evaluate(reply, options.validate === false ? undefined : schema, check, maxChars);
    if (outcome.ok) return { object: outcome.value, usage, attempts, text: outcome.text, ...(reply.engine ? { engine: reply.engine } : {}) };
    last = { errors: outcome.errors, text: reply.text.slice(0, 2000) };
    if (attempts > budget) throw new GenerateObjectError(outcome.truncated ? 'truncated' : 'invalid', outcome.errors, usage, attempts, last.text);
    items = [
      ...items,
      { type: 'message', role: 'assistant', content: [{ type: 'text', text: reply.text.slice(0, maxChars) }] },
      { type: 'message', role: 'user', content: [{ type: 'text', text: repairMessage(schema.name, outcome.errors) }] },
    ];
  }
}

interface Reply {
  text: string;
  finish?: FinishReason;
  /** Cut off by maxChars. */
  overflow: boolean;
  engine?: string;
}

/** One call: the reply's text, its finish reason; adds its usage to `usage`. */
async function collect(provider: Provider, request: ObjectRequest, schema: ObjectSchema, signal: AbortSignal, maxChars: number, usage: ObjectUsage): Promise<Reply> {
  // A child signal, so an over-long reply can be cut off without aborting the caller's.
  const local = new AbortController();
  const onAbort = () => local.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  const reply: Reply = { text: '', overflow: false };
  try {
    const events = provider.stream({
      ...request,
      tools: [],
      toolChoice: { mode: 'none' },
      parallelToolCalls: false,
      format: { type: 'json_schema', name: schema.name, schema: schema.schema, strict: true, ...(schema.description ? { description: schema.description } : {}) },
      signal: local.signal,
      incremental: false,
    });
    for await (const event of events) {
      if (event.type === 'text-delta') {
        reply.text += event.delta;
        if (reply.text.length > maxChars) {
          reply.overflow = true;
          local.abort(new Error('reply too long'));
          break;
        }
      } else if (event.type === 'usage') {
        usage.inputTokens += event.inputTokens;
        usage.outputTokens += event.outputTokens;
        usage.cachedTokens += event.cachedTokens ?? 0;
        usage.reasoningTokens += event.reasoningTokens ?? 0;
      } else if (event.type === 'finish') reply.finish = event.reason;
      else if (event.type === 'engine') reply.engine = event.name;
    }
  } catch (err) {
    if (signal.aborted) throw signal.reason;
    if (!reply.overflow) throw err;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
  if (signal.aborted) throw signal.reason;
  return reply;
}

type Outcome<T> = { ok: true; value: T; text: string } | { ok: false; errors: string[]; truncated: boolean };

function evaluate<T>(reply: Reply, schema: ObjectSchema | undefined, check: DomainCheck<T>, maxChars: number): Outcome<T> {
  const truncated = reply.overflow || reply.finish === 'length';
  if (reply.overflow) return { ok: false, truncated, errors: [`the reply is longer than ${maxChars} characters; answer briefly`] };
  const json = extractJson(reply.text);
  if (!json.ok) return { ok: false, truncated, errors: [truncated ? 'the reply was cut off before the JSON ended; answer more briefly' : json.error] };
  if (schema) {
    const checked = validateAgainst(schema.schema, json.value);
    if (!checked.valid) return { ok: false, truncated, errors: checked.errors };
  }
  const domain = check(json.value);
  if (!domain.ok) return { ok: false, truncated, errors: domain.errors };
  return { ok: true, value: domain.value, text: json.text };
}
