/**
 * The sandbox engine: serves every `mvra_test_…` key. Offline, free and
 * deterministic: the same request gives the same event stream, byte for byte.
 *
 * - text: a persona-voiced (or neutral) answer about the last user message,
 *   streamed as word-sized `text-delta`s;
 * - function calls when the tool choice forces one or the message clearly asks
 *   for one, with arguments valid against the function's schema;
 * - structured output (`json_schema` → an instance that validates,
 *   `json_object` → `{"answer", "persona"}`), streamed as text;
 * - `maxOutputTokens` cuts the output at a token boundary (finish `length`);
 * - usage from the real tokenizer (see usage.ts for the formula).
 */
import type { FinishReason, Provider, ProviderEvent, ProviderRequest } from '../types.js';
import { chunkArguments, chunkText } from './chunks.js';
import { viewConversation } from './conversation.js';
import { buildHints, generateInstance } from './json-instance.js';
import { composeAnswer } from './persona-voice.js';
import { requestSeed, Rng } from './seed.js';
import { planToolCalls, type PlannedCall } from './tool-calls.js';
import { countInputTokens, truncateToTokens } from './usage.js';

export { countInputTokens, MESSAGE_OVERHEAD_TOKENS, ATTACHMENT_TOKENS } from './usage.js';
export { requestSeed } from './seed.js';

export type SandboxPlan = { kind: 'text'; text: string } | { kind: 'tool_calls'; calls: PlannedCall[] };

/**
 * What the sandbox answers, before streaming and before `maxOutputTokens` is
 * applied. Pure and synchronous; throws an Error when a JSON schema (response
 * format or function parameters) cannot be satisfied.
 */
export function planSandboxResponse(req: ProviderRequest): SandboxPlan {
  const rng = new Rng(requestSeed(req));
  const view = viewConversation(req.items);
  const persona = req.persona;
  const voice = composeAnswer({
    persona,
    message: view.lastUserText,
    attachment: view.attachment,
    toolResults: view.toolResults,
    verbosity: req.sampling.verbosity,
    rng: rng.fork('voice'),
  });

  if (req.tools.length > 0) {
    const calls = planToolCalls({ req, view, voice, persona, rng: rng.fork('tools') });
    if (calls && calls.length > 0) return { kind: 'tool_calls', calls };
  }

  const format = req.format;
  if (format.type === 'json_schema') {
    const hints = buildHints(view.lastUserText, voice, persona);
    const value = generateInstance(format.schema, hints, rng.fork('json'), {
      optional: 'all',
      enumFallback: 'random',
      answerForOpenRoot: true,
      label: `response format '${format.name}'`,
    });
    return { kind: 'text', text: JSON.stringify(value) };
  }
  if (format.type === 'json_object') {
    return { kind: 'text', text: JSON.stringify(persona ? { answer: voice.text, persona: persona.name } : { answer: voice.text }) };
  }
  return { kind: 'text', text: voice.text };
}

export function createSandboxProvider(): Provider {
  return {
    name: 'sandbox',
    stream: (request: ProviderRequest) => sandboxStream(request),
  };
}

/** Stops quietly (no error) as soon as the request's signal is aborted. */
async function* sandboxStream(req: ProviderRequest): AsyncGenerator<ProviderEvent> {
  if (req.signal.aborted) return;
  const plan = planSandboxResponse(req);
  const inputTokens = countInputTokens(req);
  const max = req.sampling.maxOutputTokens;
  let outputTokens = 0;
  let reason: FinishReason;

  if (plan.kind === 'text') {
    const cut = truncateToTokens(plan.text, max);
    for (const delta of chunkText(cut.text)) {
      if (req.signal.aborted) return;
      yield { type: 'text-delta', delta };
    }
    outputTokens = cut.tokens;
    reason = cut.truncated ? 'length' : 'stop';
  } else {
    let budget = max ?? Infinity;
    reason = 'tool_calls';
    for (const [index, call] of plan.calls.entries()) {
      const cut = truncateToTokens(call.arguments, Number.isFinite(budget) ? budget : undefined);
      if (cut.truncated && cut.text === '') {
        // no room left for even the start of these arguments: stop before this call
        reason = 'length';
        break;
      }
      if (req.signal.aborted) return;
      yield { type: 'tool-call-start', index, callId: call.callId, name: call.name };
      for (const delta of chunkArguments(cut.text)) {
        if (req.signal.aborted) return;
        yield { type: 'tool-call-delta', index, delta };
      }
      if (req.signal.aborted) return;
      yield { type: 'tool-call-end', index };
      outputTokens += cut.tokens;
      budget -= cut.tokens;
      if (cut.truncated) {
        reason = 'length';
        break;
      }
    }
  }
  if (req.signal.aborted) return;
  yield { type: 'usage', inputTokens, outputTokens };
  if (req.signal.aborted) return;
  yield { type: 'finish', reason };
}
