/**
 * Admission: everything before the model is called. `plan` validates the
 * request against stored state (prepare.ts), opens its server tools, prices
 * its worst case and admits it (the concurrency slot, then for live keys the
 * credit hold, with the first stored row in the same transaction). What it
 * returns is an immutable Job; every refusal happens here, before any write
 * but the hold's own transaction.
 */
import { ApiError } from '../errors/api-error.js';
import type { Analyze } from '../analysis/types.js';
import type { Caller } from '../accounts/caller.js';
import type { Logger } from '../logger.js';
import type { ConcurrencyLimiter } from '../limits/types.js';
import { creditsFor, type PricingTable } from '../pricing.js';
import { ExtraCallBudget } from '../providers/extra-calls.js';
import type { ConversationItem, Provider, ProviderRequest, SamplingOptions } from '../providers/types.js';
import type { CreateResponseRequest } from '../schemas/create-response.js';
import type { ServerTools, ServerToolSession } from '../server-tools/types.js';
import type { CreditsStore, Hold } from '../storage/credits-store.js';
import type { ResponsesStore } from '../storage/responses-store.js';
import type { UnitOfWork } from '../storage/unit-of-work.js';
import type { Clock, IdGenerator } from '../util/ids.js';
import { countTokens } from '../util/tokens.js';
import { itemText } from './conversation.js';
import { selectEngine, type Engines } from './engines.js';
import { prepareRequest, schemaRefusalError, type PrepareDeps } from './prepare.js';
import type { Persistence } from './persistence.js';
import type { RunHooks } from './run.js';
import type { TranslatorOptions } from './translator.js';
import type { InputItemObject, ResponseObject } from './types.js';

/** Sampling settings of the Chat Completions surface that the Responses request has no field for. */
export type ExtraSampling = Pick<SamplingOptions, 'stop' | 'seed'>;

/** What a run is made of, decided before it starts and never changed after. */
export interface Plan {
  readonly caller: Caller;
  readonly provider: Provider;
  /** The provider request (without its abort signal): tools, sampling and the extra-call budget included. */
  readonly request: Omit<ProviderRequest, 'signal'>;
  /** The response as it is before the run; the run's translator owns the live copy. */
  readonly response: Readonly<ResponseObject>;
  /** History + this request's input, stored for previous_response_id. */
  readonly context: readonly ConversationItem[];
  /** This request's input items as input_items returns them. */
  readonly inputItems: readonly InputItemObject[];
  /** The engine named before the run (streaming headers, the first stored row): the route's first backend. */
  readonly engine: string;
  readonly hooks: RunHooks;
  /** Pricing and token estimates for the translator. */
  readonly translator: TranslatorOptions;
}

/** A plan admitted to run: its hold (live keys) and concurrency slot. */
export interface Job extends Plan {
  readonly hold: Hold | null;
  /** Whether the response's row was written at admission (then the end updates it; else inserts it). */
  readonly storedEarly: boolean;
  readonly release: (() => Promise<void>) | null;
}

export interface AdmissionDeps extends PrepareDeps {
  engines: Engines;
  ids: IdGenerator;
  clock: Clock;
  logger: Logger;
  pricing: PricingTable;
  credits: CreditsStore;
  responses: ResponsesStore;
  /** One transaction across stores (storage/unit-of-work.ts): the hold and the first row. */
  unitOfWork: UnitOfWork;
  concurrency: ConcurrencyLimiter;
  instanceId: string;
  analyze?: Analyze;
  serverTools?: ServerTools;
}

/** Per-message token overhead when estimating input tokens (role and framing). */
const MESSAGE_OVERHEAD = 4;

export function createAdmission(deps: AdmissionDeps, persistence: Persistence) {
  const seconds = () => Math.floor(deps.clock.now() / 1000);

  /** The most a response can cost: what a live key's hold reserves before the model is called. */
  function maxCredits(request: Plan['request'], hasImageInput: boolean, effort: CreateResponseRequest['reasoning_effort'], analysis: boolean, session: ServerToolSession | undefined): number {
    return creditsFor(
      {
        totalTokens: Number.MAX_SAFE_INTEGER,
        reasoningEffort: effort,
        calledFunctions: request.tools.length > 0,
        imageInput: hasImageInput,
        analysis,
        serverToolTurns: session ? session.maxTurns : 0,
      },
      deps.pricing,
    );
  }

  /**
   * Admits a plan before any model call: the concurrency slot, then (live
   * keys) the credit hold, with the stored response's first row (`storeEarly`)
   * written in the same transaction. Throws 429 / 402 with nothing left behind.
   */
  async function admit(plan: Plan, holdAmount: number, storeEarly: boolean): Promise<Job> {
    const { caller } = plan;
    let release: (() => Promise<void>) | null = null;
    if (caller.limits) {
      release = await deps.concurrency.acquire(`responses:${caller.workspaceId}`, caller.limits.concurrency.responses);
      if (!release) {
        throw new ApiError('rate_limit_exceeded', `Too many responses in progress for this workspace (at most ${caller.limits.concurrency.responses} at once on its plan). Retry when one finishes.`, {
          headers: { 'retry-after': '1', 'retry-after-ms': '1000' },
        });
      }
    }
    try {
      const startRow = plan.response.store && storeEarly ? persistence.row(plan, plan.response, plan.engine, undefined) : undefined;
      let hold: Hold | null = null;
      if (caller.mode === 'live') {
        const input = { workspaceId: caller.workspaceId, responseId: plan.response.id, amount: holdAmount, owner: deps.instanceId };
        // The hold and the first row in one unit of work: a refused hold leaves no row.
        hold = await deps.unitOfWork(async (trx) => {
          const h = await deps.credits.hold(input, trx);
          if (startRow) await deps.responses.insert(startRow, trx);
          return h;
        });
      } else if (startRow) await deps.responses.insert(startRow);
      return { ...plan, hold, release, storedEarly: startRow !== undefined };
    } catch (err) {
      await release?.();
      throw err;
    }
  }

  return {
    /**
     * Everything before the model is called: validation against stored state,
     * server tools, analysis, pricing, then admission (concurrency and the
     * credit hold).
     */
    async plan(caller: Caller, req: CreateResponseRequest, extra: ExtraSampling | undefined, signal: AbortSignal): Promise<Job> {
      const provider: Provider = selectEngine(deps.engines, caller.mode, deps.logger);
      const prepared = await prepareRequest(deps, caller.workspaceId, req, { responseId: deps.ids.next('resp'), createdAt: seconds() }, { ...workspaceOf(caller), signal });
      const sampling = extra ? { ...prepared.provider.sampling, ...extra } : prepared.provider.sampling;
      // Repairs, retries and the analysis pass draw on one budget per request (providers/extra-calls.ts).
      const extraCalls = new ExtraCallBudget(sampling.maxOutputTokens);
      const effort = req.reasoning_effort ?? req.reasoning?.effort;
      let session: ServerToolSession | undefined;
      let tools = prepared.provider.tools;
      let response: ResponseObject = prepared.response;
      if (prepared.serverTools.length > 0) {
        if (!deps.serverTools) throw new ApiError('invalid_request', 'Built-in server tools are not available on this server.', { param: `tools[${prepared.serverTools[0]!.index}]` });
        session = deps.serverTools.open(prepared.serverTools, caller.mode);
        tools = [...tools, ...session.definitions];
        // The run reports the calls as they are made (run.ts); the list starts empty.
        response = { ...response, server_tool_calls: [] };
      }
      const request: Plan['request'] = { ...prepared.provider, sampling, tools, extraCalls };
      // The engine's own refusals (the sandbox: a schema it cannot generate for) come before admission.
      if (provider.preflight) {
        try {
          provider.preflight(request);
        } catch (err) {
          throw schemaRefusalError(err, req);
        }
      }
      const analysis = req.analysis_mode === true;
      if (analysis && !deps.analyze) throw new ApiError('invalid_request', 'Analysis mode is not available on this server.', { param: 'analysis_mode' });
      const hooks: RunHooks = {};
      if (session) hooks.serverTools = session;
      if (analysis && deps.analyze) {
        const analyze = deps.analyze;
        const question = lastUserText(prepared.context);
        const persona = prepared.persona;
        hooks.afterOutput = async (answer, signal) => ({
          type: 'analysis',
          analysis: await analyze({ persona, question, answer: answer.output_text, provider, mode: caller.mode, signal, extraCalls }),
        });
      }
      const hasImageInput = prepared.hasImageInput;
      const translator: TranslatorOptions = {
        now: seconds,
        price: (usage, calledFunctions) =>
          creditsFor({ totalTokens: usage.total_tokens, reasoningEffort: effort, calledFunctions, imageInput: hasImageInput, analysis, serverToolTurns: session?.turns ?? 0 }, deps.pricing),
        estimateInputTokens: () => countTokens(request.system ?? '') + request.items.reduce((n, it) => n + MESSAGE_OVERHEAD + countTokens(itemText(it)), 0),
        estimateOutputTokens: countTokens,
      };
      const plan: Plan = {
        caller,
        provider,
        request,
        response,
        context: prepared.context,
        inputItems: prepared.inputItems,
        engine: provider.engineFor?.(request) ?? provider.name,
        hooks,
        translator,
      };
      // A stored response gets its row before the model is called when someone can ask for it
      // while it runs: a background response, or a stream (its first event carries the id).
      // A plain request's id is known to nobody until it completes: it is stored once, at the end.
      const storeEarly = req.background === true || req.stream === true;
      return admit(plan, maxCredits(request, hasImageInput, effort, analysis, session), storeEarly);
    },
  };
}

export type Admission = ReturnType<typeof createAdmission>;

/** The text of the last user message: what an answer responds to. */
function lastUserText(items: ConversationItem[]): string {
  for (let i = items.length - 1; i >= 0; i--) {
    const it = items[i]!;
    if (it.type === 'message' && it.role === 'user') return itemText(it);
  }
  return '';
}

/** The caller's workspace as prepare hands it to the provider request (per-workspace routes). */
function workspaceOf(caller: Caller): { workspaceName?: string } {
  return caller.workspaceName !== undefined ? { workspaceName: caller.workspaceName } : {};
}
