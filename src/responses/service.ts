/**
 * The responses domain, composed: admission (admission.ts) turns a request
 * into an admitted Job, one lifecycle (lifecycle.ts) runs and stores it
 * however it was asked for, persistence (persistence.ts) writes the end of a
 * run in one unit of work, and the reads (reads.ts) serve GET, replay,
 * delete, cancel and input_items. HTTP-agnostic: routes call it with an
 * authenticated caller and a validated request.
 */
import { ApiError } from '../errors/api-error.js';
import type { Caller } from '../accounts/caller.js';
import type { Analyze } from '../analysis/types.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { PersonaStore } from '../personas/persona-store.js';
import type { PricingTable } from '../pricing.js';
import type { CreateResponseRequest } from '../schemas/create-response.js';
import type { ServerTools } from '../server-tools/types.js';
import type { CreditsStore } from '../storage/credits-store.js';
import type { ResponsesStore } from '../storage/responses-store.js';
import type { UnitOfWork } from '../storage/unit-of-work.js';
import type { ConcurrencyLimiter } from '../limits/types.js';
import { DEFAULT_LIMITS, type RequestLimits, type StreamLimits } from '../limits/request-limits.js';
import type { Clock, IdGenerator } from '../util/ids.js';
import { createAdmission, type ExtraSampling } from './admission.js';
import { liveBody, loggedBody } from './bodies.js';
import type { Engines } from './engines.js';
import type { ImageFetchOptions } from './images.js';
import { createLifecycle } from './lifecycle.js';
import { createPersistence } from './persistence.js';
import { createReads } from './reads.js';
import { RunRegistry, type EventListener, type ResponseRun } from './run.js';
import type { ResponseObject } from './types.js';

export type { Caller, ExtraSampling };

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
  /** One transaction across the stores (storage/unit-of-work.ts): a hold or a settlement with the response it is for. */
  unitOfWork: UnitOfWork;
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

export type CreateResult =
  | { kind: 'json'; response: ResponseObject; engine: string }
  | { kind: 'stream'; body: ReadableStream<Uint8Array>; engine: string };

export function createResponsesService(deps: ResponsesServiceDeps) {
  const runs = deps.runs ?? new RunRegistry();
  const streamLimits = deps.stream ?? DEFAULT_LIMITS.stream;
  const persistence = createPersistence(deps);
  const admission = createAdmission(deps, persistence);
  const lifecycle = createLifecycle({ runs, persistence, logger: deps.logger });
  const reads = createReads({ runs, responses: deps.responses, streamLimits });

  return {
    runs,
    /** SSE bounds, for adapters that write their own streams (Chat Completions). */
    streamLimits,

    async create(caller: Caller, req: CreateResponseRequest, signal: AbortSignal, extra?: ExtraSampling): Promise<CreateResult> {
      const job = await admission.plan(caller, req, extra, signal);
      if (req.background) {
        // Answered queued; the run starts after this turn and outlives the request.
        const { run } = lifecycle.launch(job, { background: true, incremental: true });
        if (req.stream) return { kind: 'stream', body: loggedBody(run, -1, streamLimits), engine: job.engine };
        return { kind: 'json', response: structuredClone(job.response), engine: job.engine };
      }
      if (req.stream) {
        // The body's reader, not the request's signal, says when the client is gone.
        let body!: ReadableStream<Uint8Array>;
        lifecycle.launch(job, {
          background: false,
          incremental: true,
          attach: (run) => {
            const sink = liveBody(run, streamLimits, deps.logger, () => run.abort('client_disconnected'));
            body = sink.body;
            return sink.settled;
          },
        });
        return { kind: 'stream', body, engine: job.engine };
      }
      const launched = lifecycle.launch(job, { background: false, signal, incremental: false });
      await launched.finished;
      if (launched.run.failure) throw launched.run.failure;
      if (launched.persistError) throw launched.persistError;
      return { kind: 'json', response: launched.run.response, engine: launched.run.engine ?? job.engine };
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
      const job = await admission.plan(caller, req, extra, signal);
      const { run, finished } = lifecycle.launch(job, {
        background: false,
        signal,
        incremental: true,
        attach: (r) => {
          r.subscribe(listener);
          return delivered;
        },
      });
      return { run, engine: job.engine, finished };
    },

    get: reads.get,
    stream: reads.stream,
    delete: reads.delete,
    cancel: reads.cancel,
    inputItems: reads.inputItems,
    recover: persistence.recover,
  };
}

export type ResponsesService = ReturnType<typeof createResponsesService>;
