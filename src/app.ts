/**
 * createApp(deps) builds the HTTP app without listening. Every side effect —
 * clock, ids, stores, engines, logger — comes in through deps, so tests
 * control time, ids and the network. src/server.ts does the listening.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { chatCompletionsRoutes } from './chat-completions/routes.js';
import { ApiError } from './errors/api-error.js';
import { authenticate, requireScope } from './http/auth.js';
import type { AppEnv } from './http/context.js';
import { renderError } from './http/errors.js';
import type { Logger } from './logger.js';
import { buildOpenApiDocument } from './openapi/document.js';
import { mergePersonaStores, type PersonaStore } from './personas/persona-store.js';
import { createCustomPersonaService } from './personas/custom-service.js';
import { loadPersonaDir } from './personas/library.js';
import type { CustomPersonasStore } from './storage/custom-personas-store.js';
import { DEFAULT_PRICING, type PricingTable } from './pricing.js';
import type { Engines } from './responses/engines.js';
import type { ImageFetchOptions } from './responses/images.js';
import { createResponsesService } from './responses/service.js';
import { modelsRoutes } from './routes/meta.js';
import { personasRoutes } from './routes/personas.js';
import { responsesRoutes } from './routes/responses.js';
import { accountRoutes } from './routes/account.js';
import { adminRoutes } from './routes/admin.js';
import type { AccountsStore } from './storage/accounts-store.js';
import type { ResponsesStore } from './storage/responses-store.js';
import type { CreditsStore } from './storage/credits-store.js';
import type { UnitOfWork } from './storage/unit-of-work.js';
import type { ConcurrencyLimiter, RateLimiter } from './limits/types.js';
import { rateLimit } from './http/rate-limit.js';
import { withDefaults, type LimitsOverrides } from './limits/request-limits.js';
import { createMetrics, METRICS_CONTENT_TYPE, type Metrics } from './metrics.js';
import type { Clock, IdGenerator } from './util/ids.js';
import type { Analyze } from './analysis/types.js';
import type { ServerTools } from './server-tools/types.js';
import type { FocusGroupsStore } from './storage/focus-groups-store.js';
import { createFocusGroupsService } from './focus-groups/service.js';
import { createProgressHub, type ProgressHub } from './focus-groups/progress.js';
import { createStudyResults } from './focus-groups/study-results.js';
import { createStudyRunner, type RunnerSettings, type StudyQueue, type StudyRunner } from './focus-groups/runner.js';
import type { EventStreamOptions } from './focus-groups/events.js';
import { focusGroupsRoutes } from './routes/focus-groups.js';
import { apiDocsRoutes } from './console/api-docs.js';
import { consoleRoutes } from './console/assets.js';
import { sessionAuthenticator } from './console/session-auth.js';
import { sessionRoutes } from './console/session-routes.js';
import type { ConsoleSessionsStore } from './storage/console-sessions-store.js';

export interface AppDeps {
  accounts: AccountsStore;
  credits: CreditsStore;
  /** One transaction across the stores of the database (storage/unit-of-work.ts). */
  unitOfWork: UnitOfWork;
  rateLimiter: RateLimiter;
  concurrency: ConcurrencyLimiter;
  /** This process's id, owner of its responses in flight. */
  instanceId: string;
  personas: PersonaStore;
  /** Custom personas (merged into `personas` for requests and listings); without it they are unavailable. */
  customPersonas?: CustomPersonasStore;
  /** Credits a custom persona costs (default 300 to create, 100 to clone). */
  personaCredits?: { create: number; clone: number };
  responses: ResponsesStore;
  engines: Engines;
  /** How image URLs in input are fetched: COHORT_FETCH_ALLOW, limits (src/responses/images.ts). */
  imageFetch?: ImageFetchOptions;
  ids: IdGenerator;
  clock: Clock;
  logger: Logger;
  pricing?: PricingTable;
  maxBodyBytes?: number;
  /** What one request may cost (src/limits/request-limits.ts); each section over the defaults. */
  limits?: LimitsOverrides;
  /** Checks the database answers, for /health. */
  ping?: () => Promise<void>;
  /** Checks every dependency (database, Redis) answers, for /ready. */
  ready?: () => Promise<void>;
  metrics?: Metrics;
  /** What /metrics answers instead of this process's metrics: a --workers worker asks its primary for every worker's (src/metrics-cluster.ts). */
  scrapeMetrics?: () => Promise<string>;
  /** Built-in server tools (src/server-tools/); without them requests that enable one get a 400. */
  serverTools?: ServerTools;
  /** Analysis mode (src/analysis/); without it `analysis_mode: true` gets a 400. */
  analyze?: Analyze;
  /** Focus-group storage (src/focus-groups/); without it /v1/focus-groups answers 503. */
  focusGroups?: FocusGroupsStore;
  /** The study runner's concurrency, retries and repairs (src/focus-groups/runner.ts). */
  focusGroupRunner?: Partial<RunnerSettings>;
  /** Timing of the studies' event streams. */
  focusGroupEvents?: EventStreamOptions;
  /**
   * Past one machine: where study work goes instead of this process's runner — the runtime passes
   * the BullMQ queue when COHORT_REDIS_URL is set (src/focus-groups/queue/), whose jobs call the runner.
   */
  focusGroupQueue?: (runner: StudyRunner) => StudyQueue;
  /** What studies' progress is announced on (default: this process only; with the job queue: over Redis). */
  focusGroupProgress?: ProgressHub;
  /** The web console at `/` and its sign-in sessions (src/console/); without it `/` is a 404 and session cookies are ignored. */
  console?: { sessions: ConsoleSessionsStore; /** The built console (default dist/console-ui). */ dir?: string };
}

export function createApp(deps: AppDeps) {
  const maxBodyBytes = deps.maxBodyBytes ?? 25 * 1024 * 1024;
  const limits = withDefaults(deps.limits);
  const metrics = deps.metrics ?? createMetrics();
  const personas = deps.customPersonas ? mergePersonaStores(deps.personas, deps.customPersonas) : deps.personas;
  const customPersonas = deps.customPersonas
    ? createCustomPersonaService({
        store: deps.customPersonas,
        personas,
        builtins: deps.personas.records?.() ?? loadPersonaDir(),
        engines: deps.engines,
        clock: deps.clock,
        logger: deps.logger,
        ...(deps.personaCredits ? { pricing: deps.personaCredits } : {}),
      })
    : undefined;
  const service = createResponsesService({ ...deps, personas, metrics, pricing: deps.pricing ?? DEFAULT_PRICING, limits: limits.request, stream: limits.stream });
  const fg = deps.focusGroups ? createFocusGroups(deps, deps.focusGroups, personas) : undefined;
  const focusGroups = fg?.service;
  const app = new Hono<AppEnv>();
  let counter = 0;
  const idPrefix = Math.random().toString(16).slice(2, 8);

  app.use('*', async (c, next) => {
    const requestId = c.req.header('x-request-id')?.slice(0, 128) || `req_${idPrefix}${(++counter).toString(16).padStart(8, '0')}`;
    c.set('requestId', requestId);
    c.header('x-request-id', requestId);
    const started = performance.now();
    await next();
    const seconds = (performance.now() - started) / 1000;
    const route = c.req.routePath;
    const status = c.res.status;
    metrics.requests.inc({ route, method: c.req.method, status: String(status) });
    metrics.latency.observe({ route }, seconds);
    if (status === 429) metrics.rateLimited.inc({ route });
    // Access log: ids and numbers only, never keys or prompt text.
    deps.logger.info('http.request', {
      request_id: requestId,
      method: c.req.method,
      route,
      status,
      ms: Math.round(seconds * 1000 * 100) / 100,
      ...(c.get('caller') ? { workspace_id: c.get('caller').workspaceId, key_id: c.get('caller').keyId } : {}),
    });
  });

  app.onError((err, c) => {
    const res = renderError(c, err, deps.logger);
    res.headers.set('x-request-id', c.get('requestId'));
    return res;
  });
  app.notFound((c) => {
    const res = renderError(c, new ApiError('not_found', `Unknown route: ${c.req.method} ${new URL(c.req.url).pathname}.`), deps.logger);
    res.headers.set('x-request-id', c.get('requestId'));
    return res;
  });

  app.get('/health', async (c) => {
    try {
      await deps.ping?.();
      return c.json({ status: 'ok' });
    } catch {
      throw new ApiError('service_unavailable', 'The database is not reachable.');
    }
  });

  app.get('/ready', async (c) => {
    try {
      await (deps.ready ?? deps.ping)?.();
      return c.json({ status: 'ready' });
    } catch (err) {
      throw new ApiError('service_unavailable', `Not ready: ${err instanceof Error ? err.message : 'a dependency is not reachable'}.`, { cause: err });
    }
  });

  app.get('/metrics', async (c) => {
    let text: string;
    try {
      text = await (deps.scrapeMetrics ?? metrics.render)();
    } catch (err) {
      throw new ApiError('service_unavailable', 'The metrics of the other worker processes are not available.', { cause: err });
    }
    return c.body(text, 200, { 'content-type': METRICS_CONTENT_TYPE });
  });

  const openapi = buildOpenApiDocument();
  app.get('/openapi.json', (c) => c.json(openapi));

  const api = new Hono<AppEnv>();
  api.use('*', authenticate(deps.accounts, deps.clock, deps.console ? sessionAuthenticator(deps.console.sessions, deps.clock) : undefined));
  api.use('*', rateLimit(deps.rateLimiter, deps.clock));
  if (deps.console) api.route('/session', sessionRoutes(deps.accounts, deps.console.sessions, deps.clock));
  api.use('/responses/*', requireScope('responses'));
  api.use('/responses', requireScope('responses'));
  api.use('/chat/completions', requireScope('responses'));
  // Reading personas needs 'personas:read'; creating, changing and deleting them 'personas:write'.
  const personasRead = requireScope('personas:read');
  const personasWrite = requireScope('personas:write');
  const personasScope: MiddlewareHandler<AppEnv> = (c, next) => (c.req.method === 'GET' || c.req.method === 'HEAD' ? personasRead : personasWrite)(c, next);
  api.use('/personas/*', personasScope);
  api.use('/personas', personasScope);
  api.route('/responses', responsesRoutes(service, maxBodyBytes));
  api.route('/chat/completions', chatCompletionsRoutes(service, maxBodyBytes));
  api.route('/personas', personasRoutes({ personas, ...(customPersonas ? { custom: customPersonas } : {}), maxBodyBytes }));
  api.route('/models', modelsRoutes(1767225600));
  api.use('/focus-groups/*', requireScope('focus_groups'));
  api.use('/focus-groups', requireScope('focus_groups'));
  if (focusGroups) api.route('/focus-groups', focusGroupsRoutes(focusGroups, maxBodyBytes));
  else {
    const unavailable = () => Promise.reject(new ApiError('service_unavailable', 'Focus groups are not available on this server.'));
    api.all('/focus-groups', unavailable);
    api.all('/focus-groups/*', unavailable);
  }
  api.use('/usage', requireScope('usage:read'));
  api.use('/credits', requireScope('usage:read'));
  api.route('/', accountRoutes(deps.credits, deps.clock));
  api.use('/admin/*', requireScope('admin'));
  api.route('/admin', adminRoutes(deps.accounts, deps.credits, deps.clock, maxBodyBytes));

  app.route('/v1', api);
  app.route('/api/v1', api);
  if (deps.console) app.route('/', consoleRoutes(deps.console.dir !== undefined ? { dir: deps.console.dir } : {}));
  // The API reference, rendered from /openapi.json in the browser: public, like the document.
  app.route('/', apiDocsRoutes());

  return { app, service, metrics, focusGroups, focusGroupRunner: fg?.runner };
}

/** The focus-groups service over its in-process runner, or over the job queue given (src/focus-groups/). */
function createFocusGroups(deps: AppDeps, store: FocusGroupsStore, personas: PersonaStore) {
  const progress = deps.focusGroupProgress ?? createProgressHub();
  const pricing = deps.pricing ?? DEFAULT_PRICING;
  const results = createStudyResults({ store, logger: deps.logger });
  const common = { store, personas, engines: deps.engines, pricing, logger: deps.logger, clock: deps.clock, instanceId: deps.instanceId, progress, results };
  const runner = createStudyRunner({ ...common, ...(deps.focusGroupRunner ? { settings: deps.focusGroupRunner } : {}) });
  const service = createFocusGroupsService({
    ...common,
    queue: deps.focusGroupQueue ? deps.focusGroupQueue(runner) : runner,
    ids: deps.ids,
    ...(deps.imageFetch ? { imageFetch: deps.imageFetch } : {}),
    ...(deps.focusGroupEvents ? { events: deps.focusGroupEvents } : {}),
  });
  return { service, runner };
}

export type CohortApp = ReturnType<typeof createApp>;
