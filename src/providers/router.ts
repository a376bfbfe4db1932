/**
 * The backend router: one Provider in front of the configured backends
 * (cohort.config.{json,yaml}, or the single backend of the short forms).
 *
 * Route: the request's persona route (`routes.personas[persona.id]`), else its
 * workspace route (`routes.workspaces[id or name]`), else `routes.default` —
 * a list of backend names tried in order.
 *
 * Per attempt on a backend:
 * - timeouts: `firstByteMs` until the backend's first event and `idleMs`
 *   between events (the attempt's own AbortSignal, combined with the
 *   request's, aborts the backend); for a request that is not incremental
 *   (`incremental: false`: its backend may fetch the whole answer at once),
 *   `wholeAnswerMs` instead of `firstByteMs` when the backend has one (0: no
 *   limit; its timeout is not retried on the same backend, only fallen back from);
 *   `connectMs` (until the upstream's response headers) is applied by the
 *   HTTP backends' client, see src/backends.ts. A timeout is a retryable 503.
 * - retries: errors the backend marks `retryable` (HTTP 408/429/5xx/529,
 *   connection failures, overloads, timeouts) are retried up to
 *   `retries.max` times with exponential backoff and full jitter
 *   (random(0, min(maxDelayMs, baseMs·2^n))), or after the upstream's
 *   `retry-after`/`retry-after-ms` when it sent one (one longer than
 *   `maxRetryAfterMs` moves on to the next backend at once);
 * - only before the first event reached the consumer: once anything was
 *   yielded, errors propagate (the client already saw part of an answer).
 * Then the next backend of the route (fallback) — for any failure except the
 * caller's own (4xx: invalid_request, validation_error…), which is thrown at
 * once. The final error is the last backend's (an upstream 429 stays 503
 * service_unavailable with its retry-after). A client disconnect aborts the
 * upstream call and is rethrown as is, never retried.
 *
 * Engine name: `name` is the default route's first backend; `engineFor(req)`
 * is the request's route's first backend (what a streaming reply's
 * `x-cohort-engine` header says, known before the call); the router yields
 * `{type:'engine', name}` before the first event of the backend that really
 * serves, which the run records (non-streaming header, stored response,
 * metrics).
 *
 * Structured outputs on backends without native JSON Schema support (or
 * without every keyword of it): each attempt on such a backend goes through
 * the JSON emulation decorator (./json-emulation.ts) — whole answer collected,
 * checked, repaired once within the request's extra-call budget, else 502
 * model_output_invalid. The run's own check (run.ts) stays the last line of
 * defence.
 */
import { ApiError } from '../errors/api-error.js';
import type { Logger } from '../logger.js';
import { retryAfterMs } from '../util/retry-after.js';
import { abortReason } from './http-backend/index.js';
import { emulateJsonSchema, jsonSchemaCheck } from './json-emulation.js';
import type { EmbeddingRequest, EmbeddingResult, Embeddings, Provider, ProviderEvent, ProviderRequest } from './types.js';

export interface RetryPolicy {
  /** Retries after the first attempt (0: none). */
  max: number;
  /** Backoff base in ms. */
  baseMs: number;
  /** Longest backoff delay. Default 10 000. */
  maxDelayMs?: number;
}

export interface RouterBackend {
  /** Reported as the engine (x-cohort-engine, metrics, stored responses). */
  name: string;
  provider: Provider;
  /** Until the first event of an attempt; 0 or absent: no limit. */
  firstByteMs?: number;
  /** Between two events; 0 or absent: no limit. */
  idleMs?: number;
  /**
   * Replaces `firstByteMs` for requests that are not incremental, when the
   * backend asks its upstream for the whole answer at once (the first event
   * comes when the answer is complete); 0: no limit. Absent (a backend that
   * always streams): `firstByteMs` applies. A whole-answer timeout is not
   * retried on the same backend (the next one of the route takes over).
   */
  wholeAnswerMs?: number;
  /** Default {max: 2, baseMs: 250}. */
  retries?: RetryPolicy;
  /** Overrides `provider.capabilities.jsonSchema`. */
  jsonSchema?: boolean;
}

export interface RoutesConfig {
  default: string[];
  personas?: Record<string, string[]>;
  /** By workspace id or name (the id wins). */
  workspaces?: Record<string, string[]>;
}

export interface RouterOptions {
  backends: RouterBackend[];
  routes: RoutesConfig;
  logger?: Logger;
  /** Longest upstream retry-after honoured by waiting; a longer one falls back at once. Default 30 000. */
  maxRetryAfterMs?: number;
  /** For tests: [0, 1). Default Math.random. */
  random?: () => number;
}

export interface RouterProvider extends Provider {
  engineFor(request: Omit<ProviderRequest, 'signal'>): string;
  /** The backend names of the route a request takes. */
  routeFor(request: Pick<ProviderRequest, 'persona' | 'workspace'>): string[];
  readonly backends: ReadonlyMap<string, RouterBackend>;
}

export const DEFAULT_RETRIES: RetryPolicy = { max: 2, baseMs: 250, maxDelayMs: 10_000 };

export function createRouterProvider(options: RouterOptions): RouterProvider {
  const backends = new Map<string, RouterBackend>();
  for (const b of options.backends) {
    if (backends.has(b.name)) throw new Error(`Backend '${b.name}' is defined twice.`);
    backends.set(b.name, b);
  }
  const check = (route: string[], where: string): void => {
    if (route.length === 0) throw new Error(`${where} names no backend.`);
    for (const n of route) if (!backends.has(n)) throw new Error(`${where} names '${n}', which is not a configured backend.`);
  };
  check(options.routes.default, 'routes.default');
  for (const [k, r] of Object.entries(options.routes.personas ?? {})) check(r, `routes.personas.${k}`);
  for (const [k, r] of Object.entries(options.routes.workspaces ?? {})) check(r, `routes.workspaces.${k}`);
  const random = options.random ?? Math.random;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
  const logger = options.logger;

  function routeFor(req: Pick<ProviderRequest, 'persona' | 'workspace'>): string[] {
    const personas = options.routes.personas;
    const workspaces = options.routes.workspaces;
    const byPersona = req.persona && personas ? own(personas, req.persona.id) : undefined;
    if (byPersona) return byPersona;
    if (req.workspace && workspaces) {
      const byWorkspace = own(workspaces, req.workspace.id) ?? (req.workspace.name !== undefined ? own(workspaces, req.workspace.name) : undefined);
      if (byWorkspace) return byWorkspace;
    }
    return options.routes.default;
  }

  async function* stream(req: ProviderRequest): AsyncGenerator<ProviderEvent, void, undefined> {
    const route = routeFor(req).map((n) => backends.get(n)!);
    let last: unknown;
    for (let b = 0; b < route.length; b++) {
      const backend = route[b]!;
      const policy = backend.retries ?? DEFAULT_RETRIES;
      for (let attempt = 0; ; attempt++) {
        if (req.signal.aborted) throw abortReason(req.signal, undefined);
        let yielded = false;
        try {
          const check = jsonSchemaCheck(backend.provider, req.format, backend.jsonSchema);
          if (check) {
            const events = await emulateJsonSchema((r) => callOnce(backend, r), req, check, backend.name, logger);
            yielded = true;
            yield { type: 'engine', name: backend.name };
            yield* events;
            return;
          }
          for await (const event of callOnce(backend, req)) {
            if (!yielded) {
              yielded = true;
              yield { type: 'engine', name: backend.name };
            }
            yield event;
          }
          return;
        } catch (err) {
          if (yielded || req.signal.aborted) throw err;
          last = err;
          if (!fallsBack(err)) throw err;
          const delay = attempt < policy.max && isRetryable(err) ? retryDelay(err, attempt, policy) : undefined;
          if (delay === undefined) break;
          logger?.warn('backend.retry', { backend: backend.name, attempt: attempt + 1, delay_ms: delay, code: codeOf(err) });
          await sleep(delay, req.signal);
        }
      }
      const next = route[b + 1];
      if (next) logger?.warn('backend.fallback', { from: backend.name, to: next.name, code: codeOf(last) });
    }
    throw last;
  }

  /** Upstream retry-after when given (undefined: too long, move on), else full-jitter backoff. */
  function retryDelay(err: unknown, attempt: number, policy: RetryPolicy): number | undefined {
    const hinted = err instanceof ApiError ? retryAfterMs(err.headers) : undefined;
    if (hinted !== undefined) return hinted <= maxRetryAfterMs ? hinted : undefined;
    const cap = Math.min(policy.maxDelayMs ?? DEFAULT_RETRIES.maxDelayMs!, policy.baseMs * 2 ** attempt);
    return Math.floor(random() * cap);
  }

  /**
   * Embeddings follow the request's route like answers do, skipping the
   * backends without an embedding model: retries and fallback as for
   * answers, the backend's `firstByteMs` bounding each call.
   */
  const embedders = (req: Pick<EmbeddingRequest, 'persona' | 'workspace'>) =>
    routeFor(req)
      .map((n) => backends.get(n)!)
      .filter((b) => b.provider.embeddings?.available(req));
  const embeddings: Embeddings | undefined = [...backends.values()].some((b) => b.provider.embeddings)
    ? {
        available: (req) => embedders(req).length > 0,
        async embed(req) {
          const route = embedders(req);
          if (route.length === 0) throw new ApiError('invalid_request', `No backend of this request's route (${routeFor(req).join(', ')}) has an embedding model.`);
          let last: unknown;
          for (const backend of route) {
            const policy = backend.retries ?? DEFAULT_RETRIES;
            for (let attempt = 0; ; attempt++) {
              if (req.signal.aborted) throw abortReason(req.signal, undefined);
              try {
                return await embedOnce(backend, req);
              } catch (err) {
                if (req.signal.aborted) throw err;
                last = err;
                if (!fallsBack(err)) throw err;
                const delay = attempt < policy.max && isRetryable(err) ? retryDelay(err, attempt, policy) : undefined;
                if (delay === undefined) break;
                logger?.warn('backend.retry', { backend: backend.name, attempt: attempt + 1, delay_ms: delay, code: codeOf(err), call: 'embeddings' });
                await sleep(delay, req.signal);
              }
            }
          }
          throw last;
        },
      }
    : undefined;

  return {
    name: options.routes.default[0]!,
    engineFor: (req) => routeFor(req)[0]!,
    routeFor,
    backends,
    ...(embeddings ? { embeddings } : {}),
    stream,
  };
}

/** One embeddings call of a backend, under its first-byte timeout, aborted with the request. */
async function embedOnce(backend: RouterBackend, req: EmbeddingRequest): Promise<EmbeddingResult> {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(req.signal.reason);
  req.signal.addEventListener('abort', onAbort, { once: true });
  const ms = backend.firstByteMs ?? 0;
  const timer = ms > 0 ? setTimeout(() => controller.abort(timeoutError(backend.name, 'first', ms)), ms) : undefined;
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(abortReason(controller.signal, undefined)), { once: true });
  });
  aborted.catch(() => {});
  try {
    return await Promise.race([backend.provider.embeddings!.embed({ ...req, signal: controller.signal }), aborted]);
  } finally {
    clearTimeout(timer);
    req.signal.removeEventListener('abort', onAbort);
  }
}

// ---------------------------------------------------------------------------
// One attempt

/** One call of a backend under its first-byte and idle timeouts; aborts it when the request's signal does. */
async function* callOnce(backend: RouterBackend, req: ProviderRequest): AsyncGenerator<ProviderEvent, void, undefined> {
  if (req.signal.aborted) throw abortReason(req.signal, undefined);
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(req.signal.reason);
  req.signal.addEventListener('abort', onAbort, { once: true });
  // Rejects when the call is aborted (client, timeout): a backend that ignores its signal is not waited for.
  const aborted = new Promise<never>((_, reject) => {
    controller.signal.addEventListener('abort', () => reject(abortReason(controller.signal, undefined)), { once: true });
  });
  aborted.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  // Timeouts count only while waiting for the backend, not while the consumer handles an event.
  let waiting = false;
  const expire = (what: 'first' | 'whole' | 'idle', ms: number) => () => {
    if (waiting) controller.abort(timeoutError(backend.name, what, ms));
  };
  const whole = req.incremental === false && backend.wholeAnswerMs !== undefined;
  const firstMs = (whole ? backend.wholeAnswerMs : backend.firstByteMs) ?? 0;
  if (firstMs > 0) timer = setTimeout(expire(whole ? 'whole' : 'first', firstMs), firstMs);
  let idle = false;
  let finished = false;
  const it = backend.provider.stream({ ...req, signal: controller.signal })[Symbol.asyncIterator]();
  try {
    for (;;) {
      waiting = true;
      const r = await Promise.race([it.next(), aborted]);
      waiting = false;
      if (r.done) {
        finished = true;
        return;
      }
      if (!idle) {
        idle = true;
        clearTimeout(timer);
        timer = backend.idleMs !== undefined && backend.idleMs > 0 ? setTimeout(expire('idle', backend.idleMs), backend.idleMs) : undefined;
      }
      yield r.value;
      timer?.refresh(); // the idle timer restarts once the consumer asks for more (one timer, re-armed)
    }
  } finally {
    clearTimeout(timer);
    req.signal.removeEventListener('abort', onAbort);
    if (!finished) {
      // Stops a backend that is still running (timeout, consumer gone). Skipped after a
      // complete call: an abort builds a DOMException, measurable per request.
      controller.abort();
      void Promise.resolve(it.return?.()).catch(() => {});
    }
  }
}

function timeoutError(name: string, what: 'first' | 'whole' | 'idle', ms: number): ApiError {
  return new ApiError(
    'service_unavailable',
    what === 'first'
      ? `The model backend '${name}' did not start answering within ${ms} ms. Retry after a brief delay.`
      : what === 'whole'
        ? `The model backend '${name}' did not answer within ${ms} ms. Retry after a brief delay.`
        : `The model backend '${name}' stopped sending for ${ms} ms. Retry after a brief delay.`,
    // A whole answer that took too long is not asked for again from the same backend (it may be a long generation).
    { retryable: what !== 'whole' },
  );
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortReason(signal, undefined));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal, undefined));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

// ---------------------------------------------------------------------------
// Error policy

function isRetryable(err: unknown): boolean {
  return err instanceof ApiError && err.retryable;
}

/** Whether another backend may do better: anything but the caller's own fault (a 4xx). */
function fallsBack(err: unknown): boolean {
  return !(err instanceof ApiError) || err.status >= 500;
}

function codeOf(err: unknown): string {
  return err instanceof ApiError ? err.code : err instanceof Error ? err.name : 'unknown';
}

function own(record: Record<string, string[]>, key: string): string[] | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
