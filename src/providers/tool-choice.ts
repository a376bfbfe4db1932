/**
 * A forced `tool_choice` (required, a named function, allowed_tools with
 * mode required), enforced whatever the engine did with it: one decorator
 * around the engine a request runs on (responses/engines.ts), so every
 * backend gets the same guarantee without knowing it.
 *
 * - Until the first function call starts, nothing is passed on (text the
 *   model writes first is held back): an answer that ends without a call, or
 *   whose first call is not one the choice allows, is dropped and asked for
 *   once more with a stronger instruction appended to the system prompt.
 *   Once a permitted call starts, everything flows through as it comes.
 * - The retry is an extra call of the request's budget (extra-calls.ts);
 *   with none left, or when the retry misses too, the request fails with
 *   502 `model_output_invalid` (`param: tool_choice`).
 * - An answer cut at the token limit is passed on as it is (an incomplete
 *   response, as for structured outputs): the limit, not the model, ended it.
 * - Usage of a dropped answer is added to the retry's: both were generated.
 *
 * What an engine offers the model is `offeredTools`: the one place an
 * `allowed` choice turns into a narrower tool list.
 */
import { ApiError, NO_CLIENT_RETRY } from '../errors/api-error.js';
import type { Logger } from '../logger.js';
import { budgetOf } from './extra-calls.js';
import type { FunctionToolDef, Provider, ProviderEvent, ProviderRequest, ToolChoice } from './types.js';

/** A tool choice as an engine acts on it: `allowed` is resolved by `offeredTools`. */
export type OfferedChoice = Exclude<ToolChoice, { mode: 'allowed' }>;

/** The functions the model is offered, and what it must do with them. */
export interface OfferedTools {
  tools: FunctionToolDef[];
  toolChoice: OfferedChoice;
}

/**
 * What every engine offers the model (each reads its request's tools through
 * this): an `allowed` choice narrows the tools to its names (in their order,
 * the same objects) and becomes `required` or `auto`. The native
 * `allowed_tools` choices are OpenAI-only; filtering has the same effect on
 * every server. The request keeps the client's choice: the seed of the
 * sandbox, the enforcement below and the run's relaxing after a server-tool
 * call read it as the client gave it.
 */
export function offeredTools(req: Pick<ProviderRequest, 'tools' | 'toolChoice'>): OfferedTools {
  const choice = req.toolChoice;
  if (choice.mode !== 'allowed') return { tools: req.tools, toolChoice: choice };
  const names = new Set(choice.names);
  return { tools: req.tools.filter((t) => names.has(t.name)), toolChoice: { mode: choice.required ? 'required' : 'auto' } };
}

/** The function names a forced choice permits (null: any function), or undefined when the choice does not force a call. */
export function forcedNames(choice: ToolChoice): ReadonlySet<string> | null | undefined {
  switch (choice.mode) {
    case 'required':
      return null;
    case 'function':
      return new Set([choice.name]);
    case 'allowed':
      return choice.required ? new Set(choice.names) : undefined;
    default:
      return undefined;
  }
}

function describeChoice(choice: ToolChoice): string {
  if (choice.mode === 'function') return `the function '${choice.name}'`;
  if (choice.mode === 'allowed') return `one of the functions ${choice.names.map((n) => `'${n}'`).join(', ')}`;
  return 'a function';
}

/** The instruction appended for the retry. */
export function retryInstruction(choice: ToolChoice): string {
  return `You must call ${describeChoice(choice)} now, as the request requires. Reply with the function call only: no text before or after it.`;
}

type Attempt = { kind: 'called'; held: ProviderEvent[]; rest: AsyncIterator<ProviderEvent> } | { kind: 'cut'; events: ProviderEvent[] } | { kind: 'missed'; events: ProviderEvent[] };

/** Runs the engine until the first call (or the end); the iterator is left open after a permitted call. */
async function attempt(provider: Provider, req: ProviderRequest, names: ReadonlySet<string> | null): Promise<Attempt> {
  const it = provider.stream(req)[Symbol.asyncIterator]();
  const held: ProviderEvent[] = [];
  let done = false;
  try {
    for (;;) {
      const r = await it.next();
      if (r.done) {
        done = true;
        break;
      }
      const e = r.value;
      if (e.type === 'tool-call-start') {
        if (names === null || names.has(e.name)) {
          held.push(e);
          return { kind: 'called', held, rest: it };
        }
        break; // a call the choice does not permit: the attempt missed
      }
      held.push(e);
    }
  } catch (err) {
    done = true;
    throw err;
  } finally {
    if (!done && held.at(-1)?.type !== 'tool-call-start') void Promise.resolve(it.return?.()).catch(() => {});
  }
  const cut = held.some((e) => e.type === 'finish' && (e.reason === 'length' || e.reason === 'content_filter'));
  return cut ? { kind: 'cut', events: held } : { kind: 'missed', events: held };
}

function usageOf(events: ProviderEvent[]): Extract<ProviderEvent, { type: 'usage' }> | undefined {
  return events.find((e): e is Extract<ProviderEvent, { type: 'usage' }> => e.type === 'usage');
}

/** `e` with the dropped answer's usage added, when it is a usage event. */
function addUsage(e: ProviderEvent, dropped: Extract<ProviderEvent, { type: 'usage' }> | undefined): ProviderEvent {
  if (!dropped || e.type !== 'usage') return e;
  return {
    type: 'usage',
    inputTokens: e.inputTokens + dropped.inputTokens,
    outputTokens: e.outputTokens + dropped.outputTokens,
    ...(e.cachedTokens !== undefined || dropped.cachedTokens !== undefined ? { cachedTokens: (e.cachedTokens ?? 0) + (dropped.cachedTokens ?? 0) } : {}),
    ...(e.reasoningTokens !== undefined || dropped.reasoningTokens !== undefined ? { reasoningTokens: (e.reasoningTokens ?? 0) + (dropped.reasoningTokens ?? 0) } : {}),
  };
}

export interface ToolChoiceOptions {
  logger?: Logger;
}

const wrapped = new WeakMap<Provider, Provider>();

/** `provider` with forced tool choices enforced (the same wrapper for the same provider). */
export function enforceToolChoice(provider: Provider, options: ToolChoiceOptions = {}): Provider {
  const existing = wrapped.get(provider);
  if (existing) return existing;

  async function* stream(req: ProviderRequest): AsyncGenerator<ProviderEvent, void, undefined> {
    const names = req.tools.length > 0 ? forcedNames(req.toolChoice) : undefined;
    if (names === undefined) {
      yield* provider.stream(req);
      return;
    }
    let dropped: Extract<ProviderEvent, { type: 'usage' }> | undefined;
    let current = req;
    for (let tries = 0; ; tries++) {
      const a = await attempt(provider, current, names);
      if (a.kind !== 'missed') {
        let sawUsage = false;
        const pass = (e: ProviderEvent): ProviderEvent => {
          if (e.type === 'usage') sawUsage = true;
          return addUsage(e, dropped);
        };
        try {
          for (const e of a.kind === 'called' ? a.held : a.events) yield pass(e);
          if (a.kind === 'called') {
            for (;;) {
              const r = await a.rest.next();
              if (r.done) break;
              yield pass(r.value);
            }
          }
        } finally {
          // A consumer that stopped early stops the engine too.
          if (a.kind === 'called') void Promise.resolve(a.rest.return?.()).catch(() => {});
        }
        if (dropped && !sawUsage) yield dropped;
        return;
      }
      const missedUsage = usageOf(a.events);
      if (missedUsage) dropped = addUsage(missedUsage, dropped) as Extract<ProviderEvent, { type: 'usage' }>;
      const grant = tries === 0 ? budgetOf(req).take('tool_choice_retry') : false;
      if (!grant) {
        throw new ApiError(
          'model_output_invalid',
          tries === 0
            ? `The model answered without calling ${describeChoice(req.toolChoice)}, as tool_choice requires, and this request has no extra model call left for a retry.`
            : `The model answered without calling ${describeChoice(req.toolChoice)}, as tool_choice requires, also after one more attempt with a stronger instruction.`,
          { param: 'tool_choice', headers: NO_CLIENT_RETRY },
        );
      }
      options.logger?.warn('backend.tool_choice_retry', { engine: provider.name, tool_choice: req.toolChoice.mode });
      const instruction = retryInstruction(req.toolChoice);
      current = { ...req, system: req.system ? `${req.system}\n\n${instruction}` : instruction };
    }
  }

  // Everything of the Provider interface but `stream` is the engine's own.
  const out: Provider = {
    name: provider.name,
    ...(provider.capabilities ? { capabilities: provider.capabilities } : {}),
    ...(provider.engineFor ? { engineFor: provider.engineFor.bind(provider) } : {}),
    ...(provider.preflight ? { preflight: provider.preflight.bind(provider) } : {}),
    ...(provider.embeddings ? { embeddings: provider.embeddings } : {}),
    stream,
  };
  wrapped.set(provider, out);
  return out;
}
