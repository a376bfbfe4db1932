/**
 * JSON Schema output for backends that do not (fully) enforce it — a decorator
 * around one backend's call, as the Vercel AI SDK wraps a language model in
 * middleware. The router puts it around each attempt on a backend
 * (router.ts); everything else sees an ordinary stream of ProviderEvents.
 *
 * Modes (jsonSchemaCheck):
 * - `prompt`: the backend has no native JSON Schema support
 *   (`capabilities.jsonSchema: false`, or `jsonSchema: false` in the config):
 *   it is asked for plain text with the schema and the rules in the system prompt;
 * - `validate`: the backend enforces schemas but not every keyword
 *   (`capabilities.enforcesAll(schema)` false: the local engine's grammar): the
 *   format is kept and its answer checked.
 * Either way the whole answer is COLLECTED before anything is yielded (a
 * client never sees deltas of invalid JSON; such streams arrive in one piece),
 * its JSON found by the one fence stripper (src/structured/extract-json.ts)
 * and checked through the one validation port (src/util/json-schema.ts). On
 * failure one repair call — the conversation plus the invalid reply and the
 * errors (generateObject's repair message) — if the request's budget of extra
 * model calls allows it. Still invalid → ApiError model_output_invalid (502).
 * The usage of both calls is reported (both were paid for). An answer that
 * called functions, or was cut at the token limit, passes through unchecked:
 * run.ts decides (an incomplete response, not a wrong one).
 */
import { ApiError, NO_CLIENT_RETRY } from '../errors/api-error.js';
import type { Logger } from '../logger.js';
import { extractJson } from '../structured/extract-json.js';
import { repairMessage } from '../structured/generate-object.js';
import { validateAgainst } from '../util/json-schema.js';
import { budgetOf } from './extra-calls.js';
import type { OutputFormat, Provider, ProviderEvent, ProviderRequest } from './types.js';

export type JsonSchemaCheck = 'prompt' | 'validate';

type JsonSchemaFormat = Extract<OutputFormat, { type: 'json_schema' }>;

/** One call of the backend (the router's attempt, with its timeouts). */
export type BackendCall = (req: ProviderRequest) => AsyncIterable<ProviderEvent>;

/** Errors fed back and reported, at most. */
const MAX_ERRORS = 5;

/**
 * How a json_schema format must be seen to on this backend: not at all
 * (undefined: it enforces the whole schema, or the format is not json_schema),
 * or `prompt` / `validate`. `jsonSchema` is the config's override of the
 * provider's own capability.
 */
export function jsonSchemaCheck(provider: Provider, format: OutputFormat, jsonSchema?: boolean): JsonSchemaCheck | undefined {
  if (format.type !== 'json_schema') return undefined;
  if ((jsonSchema ?? provider.capabilities?.jsonSchema ?? true) === false) return 'prompt';
  const enforcesAll = provider.capabilities?.enforcesAll;
  return enforcesAll && !enforcesAll(format.schema) ? 'validate' : undefined;
}

/**
 * The events of a checked (and if need be repaired) structured answer of
 * `call`, with the text replaced by the JSON alone. `backend` names the
 * backend in messages and logs.
 */
export async function emulateJsonSchema(call: BackendCall, req: ProviderRequest, mode: JsonSchemaCheck, backend: string, logger?: Logger): Promise<ProviderEvent[]> {
  const format = req.format as JsonSchemaFormat;
  // Collected whole before anything is yielded: the backend may fetch it whole too.
  const asked: ProviderRequest = { ...(mode === 'prompt' ? withSchemaInstructions(req, format) : req), incremental: false };
  const first = await collect(call(asked));
  const checked = checkOutput(first, format);
  if (checked.ok) return checked.events;
  if (!budgetOf(req).take('json_repair')) {
    throw new ApiError(
      'model_output_invalid',
      `The model's output does not match the JSON schema '${format.name}' (backend ${backend}), and this request has no extra model call left for a repair: ${checked.errors.join('; ')}`,
      { param: 'text.format.schema', headers: NO_CLIENT_RETRY },
    );
  }
  logger?.warn('backend.json_repair', { backend, schema: format.name });
  const repair: ProviderRequest = {
    ...asked,
    items: [
      ...asked.items,
      { type: 'message', role: 'assistant', content: [{ type: 'text', text: textOf(first) }] },
      { type: 'message', role: 'user', content: [{ type: 'text', text: repairMessage(format.name, checked.errors) }] },
    ],
  };
  const second = await collect(call(repair));
  const rechecked = checkOutput(second, format);
  if (!rechecked.ok) {
    throw new ApiError(
      'model_output_invalid',
      `The model's output does not match the JSON schema '${format.name}', also after one repair attempt (backend ${backend}): ${rechecked.errors.join('; ')}`,
      { param: 'text.format.schema', headers: NO_CLIENT_RETRY },
    );
  }
  return mergeUsage(first, rechecked.events);
}

/** Plain text, with the schema and the rules in the system prompt. */
function withSchemaInstructions(req: ProviderRequest, format: JsonSchemaFormat): ProviderRequest {
  const rules = [
    `Reply with only a JSON value that matches the JSON schema "${format.name}" below: no prose, no code fences.`,
    ...(format.description ? [format.description] : []),
    JSON.stringify(format.schema),
  ].join('\n');
  return { ...req, format: { type: 'text' }, system: req.system ? `${req.system}\n\n${rules}` : rules };
}

async function collect(events: AsyncIterable<ProviderEvent>): Promise<ProviderEvent[]> {
  const out: ProviderEvent[] = [];
  for await (const e of events) out.push(e);
  return out;
}

function textOf(events: ProviderEvent[]): string {
  return events.map((e) => (e.type === 'text-delta' ? e.delta : '')).join('');
}

/**
 * The answer's JSON checked against the schema. Valid → the events with the
 * text replaced by the JSON alone (one delta, where the first text was).
 */
function checkOutput(events: ProviderEvent[], format: JsonSchemaFormat): { ok: true; events: ProviderEvent[] } | { ok: false; errors: string[] } {
  if (events.some((e) => e.type === 'tool-call-start')) return { ok: true, events };
  // Cut at the token limit: an incomplete response (run.ts), not a wrong one; a repair would be cut too.
  if (events.some((e) => e.type === 'finish' && (e.reason === 'length' || e.reason === 'content_filter'))) return { ok: true, events };
  const json = extractJson(textOf(events));
  if (!json.ok) return { ok: false, errors: [json.error] };
  const check = validateAgainst(format.schema, json.value);
  if (!check.valid) return { ok: false, errors: check.errors.slice(0, MAX_ERRORS) };
  const out: ProviderEvent[] = [];
  let placed = false;
  for (const e of events) {
    if (e.type !== 'text-delta') out.push(e);
    else if (!placed) {
      placed = true;
      out.push({ type: 'text-delta', delta: json.text });
    }
  }
  return { ok: true, events: out };
}

/** The repaired answer's events with the usage of both calls (both were paid for). */
function mergeUsage(first: ProviderEvent[], second: ProviderEvent[]): ProviderEvent[] {
  const u1 = first.find((e): e is Extract<ProviderEvent, { type: 'usage' }> => e.type === 'usage');
  if (!u1) return second;
  let merged = false;
  const out = second.map((e): ProviderEvent => {
    if (e.type !== 'usage') return e;
    merged = true;
    return {
      type: 'usage',
      inputTokens: e.inputTokens + u1.inputTokens,
      outputTokens: e.outputTokens + u1.outputTokens,
      ...(e.cachedTokens !== undefined || u1.cachedTokens !== undefined ? { cachedTokens: (e.cachedTokens ?? 0) + (u1.cachedTokens ?? 0) } : {}),
      ...(e.reasoningTokens !== undefined || u1.reasoningTokens !== undefined ? { reasoningTokens: (e.reasoningTokens ?? 0) + (u1.reasoningTokens ?? 0) } : {}),
    };
  });
  return merged ? out : [...out, u1];
}
