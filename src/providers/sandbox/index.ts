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
import { composePersonaPrompt } from '../../personas/compose-prompt.js';
import { chunkArguments, chunkText } from './chunks.js';
import { viewConversation, type ConversationView } from './conversation.js';
import { GenerationBudget } from './generation-budget.js';
import { buildHints, generateInstance } from './json-instance.js';
import { composeAnswer, type VoiceAnswer } from './persona-voice.js';
import { leanOf as respondentLean, respondentAnswer } from './respondent-answer.js';
import { openText, priorPosition, withPrior } from './respondent-memory.js';
import { requestSeed, Rng } from './seed.js';
import { argumentsFor, planToolCalls, type PlannedCall } from './tool-calls.js';
import { countInputTokens, truncateToTokens } from './usage.js';
import { sandboxEmbeddings } from './embedding.js';

export { countInputTokens, MESSAGE_OVERHEAD_TOKENS, ATTACHMENT_TOKENS } from './usage.js';
export { requestSeed } from './seed.js';

export type SandboxPlan = { kind: 'text'; text: string } | { kind: 'tool_calls'; calls: PlannedCall[] };

type SandboxInput = Omit<ProviderRequest, 'signal'>;

interface Context {
  rng: Rng;
  view: ConversationView;
  voice: VoiceAnswer;
}

function contextOf(req: SandboxInput): Context {
  const rng = new Rng(requestSeed(req));
  const view = viewConversation(req.items);
  const voice = composeAnswer({
    persona: req.persona,
    message: view.lastUserText,
    attachment: view.attachment,
    toolResults: view.toolResults,
    verbosity: req.sampling.verbosity,
    instructions: [instructionsOf(req), view.instructions].filter(Boolean).join('\n'),
    history: view.history,
    traits: req.respondent?.traits,
    rng: rng.fork('voice'),
  });
  return { rng, view, voice };
}

/**
 * What the sandbox answers, before streaming and before `maxOutputTokens` is
 * applied. Pure and synchronous; throws a SchemaRefusal (util/client-schema.ts)
 * when a JSON schema (response format or function parameters) cannot be
 * satisfied within GENERATION_LIMITS.
 */
export function planSandboxResponse(req: SandboxInput, budget = new GenerationBudget()): SandboxPlan {
  return planWith(req, contextOf(req), budget);
}

function planWith(req: SandboxInput, { rng, view, voice }: Context, budget: GenerationBudget): SandboxPlan {
  const persona = req.persona;
  if (req.tools.length > 0) {
    const calls = planToolCalls({ req, view, voice, persona, rng: rng.fork('tools'), budget });
    if (calls && calls.length > 0) return { kind: 'tool_calls', calls };
  }

  const format = req.format;
  if (format.type === 'json_schema' && req.respondent) {
    // A survey respondent (focus groups): values follow its traits (respondent-answer.ts); its words
    // are about the question itself, without a numbering prefix ("Question 3 of 10.") or the reply format.
    const question = view.lastUserText.replace(/^\s*question \d+ of \d+[.:]?\s*/i, '');
    // The words take the respondent's traits and the same lean its values follow, so they agree.
    // An open question agrees with what this respondent already answered (a 9 on NPS, then "what do you like most?").
    const prior = openText(format.schema) ? priorPosition(view.history) : undefined;
    const lean = withPrior(respondentLean(req.respondent, question, rng.fork('respondent').fork('lean')).value, prior);
    const words = composeAnswer({ persona, message: question.split('\n')[0] ?? question, verbosity: 'low', traits: req.respondent.traits, lean, rng: rng.fork('respondent-voice') });
    return { kind: 'text', text: JSON.stringify(respondentAnswer(format.schema, req.respondent, question, words, rng.fork('respondent'), persona, prior)) };
  }
  if (format.type === 'json_schema') {
    const hints = buildHints(view.lastUserText, voice, persona);
    const value = generateInstance(format.schema, hints, rng.fork('json'), {
      optional: 'all',
      enumFallback: 'random',
      answerForOpenRoot: true,
      label: `response format '${format.name}'`,
      budget,
      origin: { kind: 'format' },
    });
    return { kind: 'text', text: JSON.stringify(value) };
  }
  if (format.type === 'json_object') {
    return { kind: 'text', text: JSON.stringify(persona ? { answer: voice.text, persona: persona.name } : { answer: voice.text }) };
  }
  return { kind: 'text', text: voice.output };
}

/** The request's own instructions: the system text after the persona's prompt (prepare puts the persona prompt first). */
function instructionsOf(req: SandboxInput): string {
  const system = req.system ?? '';
  if (!req.persona) return system;
  const prompt = composePersonaPrompt(req.persona);
  return system.startsWith(prompt) ? system.slice(prompt.length).trim() : system;
}

/**
 * Refuses, before the run, a request with a schema the sandbox cannot
 * generate a value for within GENERATION_LIMITS (a SchemaRefusal naming the
 * schema and the place in it). It plans the first turn exactly as the stream
 * will, then generates for every schema that plan did not use (a later turn,
 * after server tools, may use them), all within one budget.
 */
export function preflightSandbox(req: SandboxInput): void {
  if (req.format.type !== 'json_schema' && req.tools.length === 0) return;
  const budget = new GenerationBudget();
  const context = contextOf(req);
  const plan = planWith(req, context, budget);
  const called = new Set(plan.kind === 'tool_calls' ? plan.calls.map((c) => c.name) : []);
  const hints = buildHints(context.view.lastUserText, context.voice, req.persona);
  req.tools.forEach((tool, index) => {
    if (!called.has(tool.name)) argumentsFor(tool, hints, context.rng.fork(`preflight-${index}`), { budget, index });
  });
  if (req.format.type === 'json_schema' && plan.kind === 'tool_calls') {
    generateInstance(req.format.schema, hints, context.rng.fork('preflight-json'), { optional: 'all', enumFallback: 'random', answerForOpenRoot: true, label: `response format '${req.format.name}'`, budget, origin: { kind: 'format' } });
  }
}

export function createSandboxProvider(): Provider {
  return {
    name: 'sandbox',
    embeddings: sandboxEmbeddings,
    preflight: (request) => preflightSandbox(request),
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
