/**
 * The responses domain: create (foreground, streaming, background), retrieve,
 * stream replay, delete, cancel and input_items. HTTP-agnostic: routes call it
 * with an authenticated caller and a validated request.
 */
import { ApiError } from '../errors/api-error.js';
import type { Logger } from '../logger.js';
import type { PersonaStore } from '../personas/persona-store.js';
import { creditsFor, type PricingTable } from '../pricing.js';
import type { ConversationItem, Provider, SamplingOptions } from '../providers/types.js';
import { ExtraCallBudget } from '../providers/extra-calls.js';
import type { CreateResponseRequest } from '../schemas/create-response.js';
import type { ResponsesStore, StoredResponse } from '../storage/responses-store.js';
import type { CreditsStore, Hold } from '../storage/credits-store.js';
import type { ConcurrencyLimiter } from '../limits/types.js';
import type { Caller } from '../accounts/caller.js';
import type { Metrics } from '../metrics.js';
import type { Analyze } from '../analysis/types.js';
import type { ServerTools, ServerToolSession } from '../server-tools/types.js';
import type { RunHooks } from './run.js';
import type { Clock, IdGenerator } from '../util/ids.js';
import { countTokens } from '../util/tokens.js';
import { itemText } from './conversation.js';
import { selectEngine, type Engines } from './engines.js';
import { DEFAULT_LIMITS, type RequestLimits, type StreamLimits } from '../limits/request-limits.js';
import type { ImageFetchOptions } from './images.js';
import { prepareRequest, schemaRefusalError, type PreparedRequest } from './prepare.js';
import { replayEvents } from './replay.js';
import { ResponseRun, RunRegistry, type EventListener } from './run.js';
import { SSE_DONE, SseSink, encodeFrame, sseFrame } from './sse.js';
import { ResponseTranslator } from './translator.js';
import type { ResponseObject } from './types.js';

export type { Caller };

export interface ResponsesServiceDeps {
  personas: PersonaStore;
  responses: ResponsesStore;
  engines: Engines;
  /** How image URLs in input are fetched (allow-list, limits); see images.ts. */
  imageFetch?: ImageFetchOptions;
  /** Request size limits (default: DEFAULT_LIMITS.request). */
  limits?: RequestLimits;
  /** SSE keep-alive, stall and buffer bounds (default: DEFAULT_LIMITS.stream). */
  stream?: StreamLimits;
  ids: IdGenerator;
  clock: Clock;
  logger: Logger;
  pricing: PricingTable;
  /** Holds and debits credits of live keys; test keys never spend credits. */
  credits: CreditsStore;
  concurrency: ConcurrencyLimiter;
  /** This process, recorded as the owner of responses in flight (crash recovery). */
  instanceId: string;
  metrics?: Metrics;
  /** Analysis mode (src/analysis/); without it analysis_mode is refused. */
  analyze?: Analyze;
  /** Built-in server tools (src/server-tools/); without them they are refused. */
  serverTools?: ServerTools;
  runs?: RunRegistry;
}

/** A request admitted to run: its hold (live keys) and concurrency slot. */
interface Job {
  caller: Caller;
  prepared: PreparedRequest;
  provider: Provider;
  engine: string;
  translator: ResponseTranslator;
  hooks: RunHooks;
  hold: Hold | null;
  /** Whether the response's row was written at admission (then the end updates it; else inserts it). */
  storedEarly: boolean;
  release: (() => Promise<void>) | null;
}

export type CreateResult =
  | { kind: 'json'; response: ResponseObject; engine: string }
  | { kind: 'stream'; body: ReadableStream<Uint8Array>; engine: string };

/** Per-message token overhead when estimating input tokens (role and framing). */
const MESSAGE_OVERHEAD = 4;

/** Sampling settings of the Chat Completions surface that the Responses request has no field for. */
export type ExtraSampling = Pick<SamplingOptions, 'stop' | 'seed'>;

export function createResponsesService(deps: ResponsesServiceDeps) {
  const runs = deps.runs ?? new RunRegistry();
  const streamLimits = deps.stream ?? DEFAULT_LIMITS.stream;
  const seconds = () => Math.floor(deps.clock.now() / 1000);

  function newTranslator(prepared: PreparedRequest, effort: CreateResponseRequest['reasoning_effort'], analysis: boolean, session: ServerToolSession | undefined): ResponseTranslator {
    const p = prepared.provider;
    return new ResponseTranslator(prepared.response, {
      now: seconds,
      price: (usage, calledFunctions) =>
        creditsFor(
          { totalTokens: usage.total_tokens, reasoningEffort: effort, calledFunctions, imageInput: prepared.hasImageInput, analysis, serverToolTurns: session?.turns ?? 0 },
          deps.pricing,
        ),
      estimateInputTokens: () => countTokens(p.system ?? '') + p.items.reduce((n, it) => n + MESSAGE_OVERHEAD + countTokens(itemText(it)), 0),
      estimateOutputTokens: countTokens,
    });
  }

  function row(caller: Caller, prepared: PreparedRequest, engine: string, run: ResponseRun | undefined): StoredResponse {
    const r = prepared.response;
    return {
      id: r.id,
      workspace_id: caller.workspaceId,
      key_id: caller.keyId,
      status: r.status,
      background: r.background ? 1 : 0,
      persona_id: r.persona_id,
      engine,
      created_at: r.created_at,
      updated_at: seconds(),
      body: JSON.stringify(r),
      context: JSON.stringify(prepared.context),
      input_items: JSON.stringify(prepared.inputItems),
      request: null,
      events: run && r.background && run.finished ? JSON.stringify(run.events.map(sseFrame)) : null,
      owner: run?.finished ? null : deps.instanceId,
    };
  }

  /** The most a response can cost: what a live key's hold reserves before the model is called. */
  function maxCredits(prepared: PreparedRequest, effort: CreateResponseRequest['reasoning_effort'], analysis: boolean, session: ServerToolSession | undefined): number {
    return creditsFor(
      {
        totalTokens: Number.MAX_SAFE_INTEGER,
        reasoningEffort: effort,
        calledFunctions: prepared.provider.tools.length > 0,
        imageInput: prepared.hasImageInput,
        analysis,
        serverToolTurns: session ? session.maxTurns : 0,
      },
      deps.pricing,
    );
  }

  /**
   * Everything before the model is called: validation against stored state,
   * server tools, analysis, the translator, then admission (concurrency and
   * the credit hold). Every refusal happens here, before any write but the
   * hold's own transaction.
   */
  async function plan(caller: Caller, req: CreateResponseRequest, extra: ExtraSampling | undefined, signal: AbortSignal): Promise<Job> {
    const provider: Provider = selectEngine(deps.engines, caller.mode, deps.logger);
    const prepared = await prepareRequest(deps, caller.workspaceId, req, { responseId: deps.ids.next('resp'), createdAt: seconds() }, { ...workspaceOf(caller), signal });
    if (extra) prepared.provider = { ...prepared.provider, sampling: { ...prepared.provider.sampling, ...extra } };
    // Repairs, retries and the analysis pass draw on one budget per request (providers/extra-calls.ts).
    const extraCalls = new ExtraCallBudget(prepared.provider.sampling.maxOutputTokens);
    prepared.provider = { ...prepared.provider, extraCalls };
    const effort = req.reasoning_effort ?? req.reasoning?.effort;
    let session: ServerToolSession | undefined;
    if (prepared.serverTools.length > 0) {
      if (!deps.serverTools) throw new ApiError('invalid_request', 'Built-in server tools are not available on this server.', { param: `tools[${prepared.serverTools[0]!.index}]` });
      session = deps.serverTools.open(prepared.serverTools, caller.mode);
      prepared.provider = { ...prepared.provider, tools: [...prepared.provider.tools, ...session.definitions] };
      prepared.response.server_tool_calls = session.calls;
    }
    // The engine's own refusals (the sandbox: a schema it cannot generate for) come before admission.
    if (provider.preflight) {
      try {
        provider.preflight(prepared.provider);
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
      hooks.afterOutput = async (response, signal) => {
        response.analysis = await analyze({ persona: prepared.persona, question, answer: response.output_text, provider, mode: caller.mode, signal, extraCalls });
      };
    }
    const translator = newTranslator(prepared, effort, analysis, session);
    // A stored response gets its row before the model is called when someone can ask for it
    // while it runs: a background response, or a stream (its first event carries the id).
    // A plain request's id is known to nobody until it completes: it is stored once, at the end.
    const storeEarly = req.background === true || req.stream === true;
    const admitted = await admit(caller, prepared, plannedEngine(provider, prepared), maxCredits(prepared, effort, analysis, session), storeEarly);
    return { ...admitted, provider, translator, hooks };
  }

  /**
   * Admits a request before any model call: the concurrency slot, then (live
   * keys) the credit hold, with the stored response's first row (`storeEarly`)
   * written in the same transaction. Throws 429 / 402 with nothing left behind.
   */
  async function admit(caller: Caller, prepared: PreparedRequest, engine: string, holdAmount: number, storeEarly: boolean): Promise<Pick<Job, 'caller' | 'prepared' | 'engine' | 'hold' | 'release' | 'storedEarly'>> {
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
      const startRow = prepared.response.store && storeEarly ? row(caller, prepared, engine, undefined) : undefined;
      let hold: Hold | null = null;
      if (caller.mode === 'live') {
        hold = await deps.credits.hold({
          workspaceId: caller.workspaceId,
          responseId: prepared.response.id,
          amount: holdAmount,
          owner: deps.instanceId,
          ...(startRow ? { response: startRow } : {}),
        });
      } else if (startRow) await deps.responses.insert(startRow);
      return { caller, prepared, engine, hold, release, storedEarly: startRow !== undefined };
    } catch (err) {
      await release?.();
      throw err;
    }
  }

  function record(job: Job): void {
    const m = deps.metrics;
    const r = job.prepared.response;
    if (!m) return;
    m.responses.inc({ engine: job.engine, status: r.status });
    m.tokens.inc({ engine: job.engine, direction: 'input' }, r.usage?.input_tokens ?? 0);
    m.tokens.inc({ engine: job.engine, direction: 'output' }, r.usage?.output_tokens ?? 0);
    m.credits.inc({ engine: job.engine, mode: job.caller.mode }, r.usage?.credits_used ?? 0);
    if (r.status === 'failed') m.upstreamErrors.inc({ engine: job.engine, code: r.error?.code ?? 'unknown' });
  }

  /** Stores the finished response and, for live keys, debits what it cost (test keys: counts it as test usage) — one transaction. */
  async function persist(job: Job, run: ResponseRun): Promise<void> {
    const { caller, prepared } = job;
    const r = prepared.response;
    // The backend that really served (after a fallback, not the route's first one).
    if (run.engine) job.engine = run.engine;
    // A run that failed by the server's fault (not the client's, not the backend's answer) is logged with its cause.
    if (run.failure?.code === 'internal_error' && run.failure.cause !== undefined) deps.logger.error('response.run_failed', { response_id: r.id, engine: job.engine, err: run.failure.cause });
    record(job);
    const final = r.store ? row(caller, prepared, job.engine, run) : undefined;
    try {
      if (job.hold) {
        await deps.credits.settle({
          hold: job.hold,
          credits: r.usage?.credits_used ?? 0,
          operation: 'responses',
          keyId: caller.keyId,
          personaId: r.persona_id,
          inputTokens: r.usage?.input_tokens ?? 0,
          outputTokens: r.usage?.output_tokens ?? 0,
          ...(final ? { response: final, responseIsNew: !job.storedEarly } : {}),
        });
      } else if ((r.usage?.credits_used ?? 0) > 0) {
        // A test key: what a live key would have been debited for is counted as test traffic, at no cost.
        await deps.credits.recordTest({
          workspaceId: caller.workspaceId,
          operation: 'responses',
          responseId: r.id,
          keyId: caller.keyId,
          personaId: r.persona_id,
          inputTokens: r.usage?.input_tokens ?? 0,
          outputTokens: r.usage?.output_tokens ?? 0,
          ...(final ? { response: final, responseIsNew: !job.storedEarly } : {}),
        });
      } else if (final) await (job.storedEarly ? deps.responses.upsert(final) : deps.responses.insert(final));
    } catch (err) {
      deps.logger.error('response.persist_failed', { response_id: r.id, err });
      throw err;
    }
  }

  /**
   * Frees the job's concurrency slot once its run is stored and its body,
   * if streamed, is delivered (or its reader gone): a client that does not
   * read keeps the slot it occupies.
   */
  async function releaseAfter(job: Job, delivered: Promise<void> | undefined): Promise<void> {
    if (delivered) await delivered;
    await job.release?.().catch((err: unknown) => deps.logger.warn('concurrency.release_failed', { err }));
  }

  /**
   * The SSE body of a foreground run, subscribed before it starts: the run
   * waits for this reader (backpressure), and `onGone` runs when the reader
   * cancels or stalls. `settled`: the body is delivered or its reader gone.
   */
  function liveBody(run: ResponseRun, onGone: () => void): SseSink {
    let unsubscribe: () => void = () => {};
    let unthrottle: () => void = () => {};
    const gone = () => {
      unsubscribe();
      unthrottle();
      onGone();
    };
    const sink = new SseSink({
      ...streamLimits,
      onCancel: gone,
      onStall: () => {
        deps.logger.warn('response.stream_stalled', { response_id: run.response.id, stall_ms: streamLimits.stallMs });
        gone();
      },
    });
    unsubscribe = run.subscribe((event) => {
      if (event !== null) return sink.write(sseFrame(event));
      unthrottle();
      sink.write(SSE_DONE);
      sink.close();
    });
    unthrottle = run.throttle(() => sink.ready());
    return sink;
  }

  /**
   * The SSE body of a background run from its kept events (after `after`),
   * written as the reader takes them: a slow reader costs no memory beyond
   * the run's own log, and never holds the run back.
   */
  function loggedBody(run: ResponseRun, after: number): ReadableStream<Uint8Array> {
    let next = after + 1;
    let unsubscribe: () => void = () => {};
    const fill = () => {
      while (sink.room > 0 && next < run.events.length) sink.write(sseFrame(run.events[next++]!));
      if (run.finished && next >= run.events.length && !sink.isEnded) {
        unsubscribe();
        sink.write(SSE_DONE);
        sink.close();
      }
    };
    const sink = new SseSink({ ...streamLimits, onRoom: fill, onCancel: () => unsubscribe(), onStall: () => unsubscribe() });
    // Only told that there is more: the events are read from run.events.
    unsubscribe = run.subscribe(fill, run.events.length - 1);
    fill();
    return sink.body;
  }

  /**
   * A foreground run, registered for GET/cancel; `begin()` starts it, `finished` settles once it is stored.
   * `incremental: false` (a non-streaming request: nothing reads its events before the end) lets the
   * backend fetch the whole answer at once (ProviderRequest.incremental).
   */
  function startForeground(job: Job, signal: AbortSignal | undefined, incremental: boolean, delivered?: Promise<void>) {
    const { caller, prepared, provider } = job;
    const run = new ResponseRun(job.translator, false);
    const id = prepared.response.id;
    let resolveFinished!: () => void;
    const finished = new Promise<void>((r) => (resolveFinished = r));
    const state: { persistError?: unknown } = {};
    runs.add(id, { run, workspaceId: caller.workspaceId, persisted: finished });
    const onAbort = () => run.abort('client_disconnected');
    return {
      run,
      finished,
      state,
      begin() {
        if (signal?.aborted) run.abort('client_disconnected');
        signal?.addEventListener('abort', onAbort, { once: true });
        void run
          .execute(provider, incremental ? prepared.provider : { ...prepared.provider, incremental: false }, job.hooks)
          .then(() => persist(job, run))
          .catch((err: unknown) => {
            state.persistError = err;
          })
          .finally(async () => {
            signal?.removeEventListener('abort', onAbort);
            runs.delete(id, run);
            // A JSON answer is sent after this: its slot is free before the client can ask again.
            if (!delivered) await releaseAfter(job, undefined);
            resolveFinished();
            if (delivered) void releaseAfter(job, delivered);
          });
      },
    };
  }

  return {
    runs,
    /** SSE bounds, for adapters that write their own streams (Chat Completions). */
    streamLimits,

    async create(caller: Caller, req: CreateResponseRequest, signal: AbortSignal, extra?: ExtraSampling): Promise<CreateResult> {
      const job = await plan(caller, req, extra, signal);
      const { prepared, provider } = job;
      const id = prepared.response.id;

      if (req.background) {
        const run = new ResponseRun(job.translator, true);
        const queued = structuredClone(prepared.response);
        const persisted = new Promise<void>((resolve) => {
          setImmediate(() => {
            void run
              .execute(provider, prepared.provider, job.hooks)
              .then(() => persist(job, run))
              .catch(() => {})
              .finally(async () => {
                runs.delete(id, run);
                await releaseAfter(job, undefined);
                resolve();
              });
          });
        });
        runs.add(id, { run, workspaceId: caller.workspaceId, persisted });
        if (req.stream) return { kind: 'stream', body: loggedBody(run, -1), engine: job.engine };
        return { kind: 'json', response: queued, engine: job.engine };
      }

      if (req.stream) {
        // The body's reader, not the request's signal, says when the client is gone.
        let bodySettled!: (settled: Promise<void>) => void;
        const delivered = new Promise<void>((resolve) => (bodySettled = (settled) => void settled.then(resolve)));
        const started = startForeground(job, undefined, true, delivered);
        // Subscribe before the run starts so the stream sees response.created.
        const sink = liveBody(started.run, () => started.run.abort('client_disconnected'));
        bodySettled(sink.settled);
        started.begin();
        return { kind: 'stream', body: sink.body, engine: job.engine };
      }
      const started = startForeground(job, signal, false);
      started.begin();
      await started.finished;
      if (started.run.failure) throw started.run.failure;
      if (started.state.persistError) throw started.state.persistError;
      return { kind: 'json', response: started.run.response, engine: started.run.engine ?? job.engine };
    },

    /**
     * Starts a foreground (not background) run and hands its events to
     * `listener` from the first one — for adapters that render the same run in
     * another wire format (Chat Completions). Aborting `signal` aborts the run.
     */
    async open(
      caller: Caller,
      req: CreateResponseRequest,
      listener: EventListener,
      signal: AbortSignal,
      extra?: ExtraSampling,
      /** Settles when the adapter's body is delivered or its reader gone: the concurrency slot is held until then. */
      delivered?: Promise<void>,
    ): Promise<{ run: ResponseRun; engine: string; finished: Promise<void> }> {
      if (req.background) throw new ApiError('validation_error', 'background is not supported here.', { param: 'background' });
      const job = await plan(caller, req, extra, signal);
      const started = startForeground(job, signal, true, delivered);
      started.run.subscribe(listener);
      started.begin();
      return { run: started.run, engine: job.engine, finished: started.finished };
    },

    async get(caller: Caller, id: string): Promise<ResponseObject> {
      const live = runs.get(id);
      if (live && live.workspaceId === caller.workspaceId) return structuredClone(live.run.response);
      const stored = await deps.responses.get(caller.workspaceId, id);
      if (!stored) throw notFound(id);
      return JSON.parse(stored.body) as ResponseObject;
    },

    /** SSE replay of a response: live frames for a running background response, else its stored events. */
    async stream(caller: Caller, id: string, startingAfter: number): Promise<ReadableStream<Uint8Array>> {
      const live = runs.get(id);
      if (live && live.workspaceId === caller.workspaceId && live.run.response.background) return loggedBody(live.run, startingAfter);
      const stored = await deps.responses.get(caller.workspaceId, id);
      if (!stored) throw notFound(id);
      const frames: string[] = stored.events
        ? (JSON.parse(stored.events) as string[])
        : replayEvents(JSON.parse(stored.body) as ResponseObject).map(sseFrame);
      const body = frames.slice(startingAfter + 1).join('') + SSE_DONE;
      return new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(encodeFrame(body));
          controller.close();
        },
      });
    },

    async delete(caller: Caller, id: string): Promise<{ id: string; object: 'response'; deleted: true }> {
      const live = runs.get(id);
      if (live && live.workspaceId === caller.workspaceId) {
        live.run.abort('cancelled');
        await live.run.done;
      }
      if (!(await deps.responses.delete(caller.workspaceId, id))) throw notFound(id);
      return { id, object: 'response', deleted: true };
    },

    async cancel(caller: Caller, id: string): Promise<ResponseObject> {
      const live = runs.get(id);
      if (live && live.workspaceId === caller.workspaceId) {
        if (!live.run.response.background) throw new ApiError('invalid_request', 'Only background responses can be cancelled.', { param: 'response_id' });
        live.run.abort('cancelled');
        await live.run.done;
        await live.persisted;
        return structuredClone(live.run.response);
      }
      const stored = await deps.responses.get(caller.workspaceId, id);
      if (!stored) throw notFound(id);
      const body = JSON.parse(stored.body) as ResponseObject;
      if (!body.background) throw new ApiError('invalid_request', 'Only background responses can be cancelled.', { param: 'response_id' });
      if (body.status === 'cancelled') return body;
      throw new ApiError('invalid_request', `Cannot cancel a response with status '${body.status}'.`, { param: 'response_id' });
    },

    async inputItems(caller: Caller, id: string, q: { limit: number; order: 'asc' | 'desc'; after?: string }) {
      const stored = await deps.responses.get(caller.workspaceId, id);
      if (!stored) throw notFound(id);
      let items = JSON.parse(stored.input_items) as { id: string }[];
      if (q.order === 'desc') items = items.reverse();
      if (q.after !== undefined) {
        const i = items.findIndex((x) => x.id === q.after);
        if (i < 0) throw new ApiError('validation_error', `No input item with id '${q.after}' in response '${id}'.`, { param: 'after' });
        items = items.slice(i + 1);
      }
      const data = items.slice(0, q.limit);
      return {
        object: 'list' as const,
        data,
        first_id: data[0]?.id ?? null,
        last_id: data[data.length - 1]?.id ?? null,
        has_more: items.length > q.limit,
      };
    },

    /**
     * Recovers what dead server processes left in flight: their responses are
     * marked failed and their credit holds released (they are not charged).
     */
    async recover(deadOwners: string[]): Promise<{ responses: number; holds: number }> {
      const responses = await deps.responses.failInterrupted(deadOwners, seconds());
      const holds = await deps.credits.releaseHoldsOf(deadOwners);
      return { responses, holds };
    },
  };
}

/** The text of the last user message: what an answer responds to. */
function lastUserText(items: ConversationItem[]): string {
  for (let i = items.length - 1; i >= 0; i--) {
    const it = items[i]!;
    if (it.type === 'message' && it.role === 'user') return itemText(it);
  }
  return '';
}

/** The engine named before the run (streaming headers, the first stored row): the route's first backend. */
function plannedEngine(provider: Provider, prepared: PreparedRequest): string {
  return provider.engineFor?.(prepared.provider) ?? provider.name;
}

/** The caller's workspace as prepare hands it to the provider request (per-workspace routes). */
function workspaceOf(caller: Caller): { workspaceName?: string } {
  return caller.workspaceName !== undefined ? { workspaceName: caller.workspaceName } : {};
}

function notFound(id: string): ApiError {
  return new ApiError('not_found', `Response with id '${id}' not found.`, { param: 'response_id' });
}

export type ResponsesService = ReturnType<typeof createResponsesService>;
