/**
 * Builds the app's dependencies from a Config: opens the database, loads the
 * persona library, picks the engines. Shared by `cohort serve` and tests that
 * want the real wiring.
 */
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createAnalyzer } from './analysis/index.js';
import { createApp, type CohortApp } from './app.js';
import { ConfigError, readServerToolsConfig, type Config } from './config.js';
import { customRoutePersonas, unknownPersonasError } from './config-file.js';
import { createLogger, type Logger } from './logger.js';
import type { Metrics } from './metrics.js';
import { loadPersonaDir } from './personas/library.js';
import { createBuiltinPersonaStore } from './personas/persona-store.js';
import { autodetectBackends, checkLocalModelFiles, createLiveRouter, type LiveRouter } from './backends.js';
import { createSandboxProvider } from './providers/sandbox/index.js';
import type { Provider } from './providers/types.js';
import { createAccountsStore, type AccountsStore } from './storage/accounts-store.js';
import { openDatabase, type Db } from './storage/db.js';
import { createResponsesStore } from './storage/responses-store.js';
import { createCreditsStore } from './storage/credits-store.js';
import { unitOfWorkOf } from './storage/unit-of-work.js';
import { createCustomPersonasStore } from './storage/custom-personas-store.js';
import { createFocusGroupsStore, type FocusGroupsStore } from './storage/focus-groups-store.js';
import type { StudyRunner } from './focus-groups/runner.js';
import { createConsoleSessionsStore } from './storage/console-sessions-store.js';
import { createInstancesStore, DEAD_AFTER_BEATS, serverOf } from './storage/instances-store.js';
import type { Redis } from 'ioredis';
import { createMemoryConcurrencyLimiter, createMemoryRateLimiter } from './limits/memory.js';
import type { ConcurrencyLimiter, RateLimiter } from './limits/types.js';
import { randomIds, systemClock } from './util/ids.js';
import { createServerTools } from './server-tools/registry.js';
import { createGuardedFetch } from './server-tools/guarded-fetch.js';
import type { ServerLimits } from './limits/request-limits.js';

export interface Runtime {
  app: CohortApp;
  db: Db;
  accounts: AccountsStore;
  logger: Logger;
  /** The live backends in one line ("openai-responses (gpt-4o-mini)"), or 'none'. */
  liveEngine: string;
  /** Why those backends ("OPENAI_API_KEY is set"), or why none. */
  liveReason?: string;
  /** Lines for the start banner: what an operator must know about this setup (e.g. limits not shared). */
  notices?: string[];
  /** Timeouts and the connection bound of the HTTP server (default: DEFAULT_LIMITS.server). */
  serverLimits?: ServerLimits;
  close(): Promise<void>;
}

/** The router over the configured backends (config file or short forms); undefined without them. No zero-config probing. */
export function liveProviderFrom(config: Config, logger?: Logger): Provider | undefined {
  return config.backends ? createLiveRouter(config.backends, logger ? { logger } : {}).provider : undefined;
}

/** The live backends: configured ones, else zero-config (OPENAI_API_KEY, ANTHROPIC_API_KEY, a local Ollama), with the reason. */
export async function resolveLiveBackends(config: Config, logger?: Logger): Promise<{ router?: LiveRouter; description: string; reason: string }> {
  let backends = config.backends;
  let reason = backends?.reason ?? '';
  if (!backends && config.autodetect) {
    const found = await autodetectBackends(config.autodetect);
    backends = found.config;
    reason = found.config ? found.config.reason : found.reason;
  }
  if (!backends) return { description: 'none', reason: reason || 'no backend is configured' };
  const router = createLiveRouter(backends, logger ? { logger } : {});
  return { router, description: router.description, reason };
}

export interface RuntimeOptions {
  logger?: Logger;
  /**
   * Limits kept elsewhere (a cluster worker asks its primary: src/limits/ipc.ts).
   * Ignored with Redis, which every process shares anyway.
   */
  limits?: { rateLimiter: RateLimiter; concurrency: ConcurrencyLimiter };
  /** Tells this process apart from the other workers of one server (crash recovery by name: instances-store.ts). */
  worker?: number;
  /** The app's metrics, and what /metrics answers instead of them (a worker: every worker's, src/metrics-cluster.ts). */
  metrics?: { metrics: Metrics; scrape: () => Promise<string> };
  /** `cohort worker`: a process that serves no HTTP and consumes the focus-group job queue (COHORT_REDIS_URL required). */
  role?: 'server' | 'worker';
}

export async function createRuntime(config: Config, options: RuntimeOptions = {}): Promise<Runtime> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  // A local model whose file is missing or not GGUF fails here, naming the setting, not at the first request.
  const badModels = config.backends ? await checkLocalModelFiles(config.backends) : [];
  if (badModels.length > 0) throw new ConfigError(badModels.join('; '));
  const db = await openDatabase({
    dataDir: config.dataDir,
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    onError: (err) => logger.error('database.connection_error', { err }),
  });
  const accounts = createAccountsStore(db, randomIds, systemClock, { keyCacheMs: config.keyCacheMs });
  const credits = createCreditsStore(db, randomIds, systemClock);
  const instanceId = randomIds.next('inst');
  const responses = createResponsesStore(db);
  const personas = createBuiltinPersonaStore(loadPersonaDir());
  const customPersonas = createCustomPersonasStore(db, randomIds, systemClock);
  // A route naming a custom persona (cp_…) that is not in the database is a config error, as an unknown built-in id is (config-file.ts).
  const customRoutes = config.backends ? customRoutePersonas(config.backends) : [];
  if (customRoutes.length > 0) {
    const unknown = await customPersonas.missing(customRoutes);
    if (unknown.length > 0) {
      await db.destroy();
      throw new ConfigError(unknownPersonasError(config.backends?.file ?? 'config', unknown).message);
    }
  }
  const liveBackends = await resolveLiveBackends(config, logger);
  const live = liveBackends.router?.provider;
  // Local models load now, in the background: the server listens meanwhile, /ready says 503 until they are loaded.
  liveBackends.router?.warmUp(logger);
  // With Redis every server shares one set of limits; without it each process keeps its own.
  let redis: Redis | undefined;
  if (config.redisUrl) {
    // Fail a command after one reconnect attempt (→ 503) rather than holding requests while Redis is away.
    // Loaded only when configured: ioredis costs memory a single-process server doesn't need.
    const { Redis: RedisClient } = await import('ioredis');
    redis = new RedisClient(config.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 5000, commandTimeout: 3000 });
    let reported = false;
    redis.on('error', (err: unknown) => {
      if (!reported) logger.error('redis.connection_error', { err });
      reported = true;
    });
    redis.on('ready', () => {
      if (reported) logger.info('redis.reconnected', {});
      reported = false;
    });
  }
  const redisOptions = config.redisPrefix ? { prefix: config.redisPrefix } : {};
  const redisLimits = redis ? await import('./limits/redis.js') : undefined;
  // Redis leases outlive a crashed process: they carry this instance's id and last as long as
  // its heartbeat may lapse, renewed on each beat (limits/redis.ts).
  const concurrency: ConcurrencyLimiter =
    redis && redisLimits
      ? redisLimits.createRedisConcurrencyLimiter(redis, {
          ...redisOptions,
          owner: instanceId,
          leaseMs: DEAD_AFTER_BEATS * config.heartbeatMs,
          renewMs: config.heartbeatMs,
          onError: (err) => logger.warn('redis.lease_error', { err }),
        })
      : (options.limits?.concurrency ?? createMemoryConcurrencyLimiter());
  // With Redis, study work goes onto its job queue (BullMQ), consumed by `cohort worker` processes and,
  // unless told not to, this one; without it, this process runs its studies (src/focus-groups/).
  const focusGroupsStore = createFocusGroupsStore(db, systemClock);
  const studyQueue = redis && config.redisUrl ? await studyJobQueue(config, redis, { logger, instanceId, store: focusGroupsStore, worker: options.role === 'worker' || config.focusGroups.worker }) : undefined;
  const ping = async () => {
    await sql`select 1`.execute(db);
  };
  const app = createApp({
    accounts,
    credits,
    unitOfWork: unitOfWorkOf(db),
    rateLimiter: redis && redisLimits ? redisLimits.createRedisRateLimiter(redis, redisOptions) : (options.limits?.rateLimiter ?? createMemoryRateLimiter()),
    concurrency,
    instanceId,
    personas,
    customPersonas,
    personaCredits: config.personaCredits,
    responses,
    engines: { sandbox: createSandboxProvider(), live },
    ...(config.fetchAllow ? { imageFetch: { allow: config.fetchAllow } } : {}),
    serverTools: createServerTools(config.serverTools ?? readServerToolsConfig({}), { logger, fetchGuarded: createGuardedFetch({ allow: config.fetchAllow ?? [] }) }),
    ids: randomIds,
    clock: systemClock,
    logger,
    maxBodyBytes: config.maxBodyBytes,
    ...(config.limits ? { limits: config.limits } : {}),
    analyze: createAnalyzer({ logger }),
    focusGroups: focusGroupsStore,
    focusGroupRunner: { perStudy: config.focusGroups.perStudy, perServer: config.focusGroups.perServer },
    ...(studyQueue ? { focusGroupQueue: studyQueue.queue, focusGroupProgress: studyQueue.progress } : {}),
    console: { sessions: createConsoleSessionsStore(db, systemClock) },
    ...(options.metrics ? { metrics: options.metrics.metrics, scrapeMetrics: options.metrics.scrape } : {}),
    ping,
    ready: async () => {
      await ping();
      if (redis) {
        try {
          await redis.ping();
        } catch (err) {
          throw new Error(`Redis: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
        }
      }
      const problems = liveBackends.router?.problems() ?? [];
      if (problems.length > 0) throw new Error(`live keys cannot be served: ${problems.join('; ')}`);
    },
  });
  // Register this process, recover what dead ones left in flight, and keep doing so on a heartbeat.
  const instances = createInstancesStore(db);
  const name =
    options.role === 'worker'
      ? `${os.hostname()}:worker:${process.pid}`
      : `${os.hostname()}:${config.port}:${path.resolve(config.dataDir)}${options.worker !== undefined ? `#${options.worker}` : ''}`;
  const now = () => Math.floor(Date.now() / 1000);
  await instances.register(instanceId, name, now(), config.heartbeatMs);
  const recover = async () => {
    const dead = await instances.reapDead(instanceId, name, now());
    const r = await app.service.recover(dead);
    const slots = dead.length && concurrency.releaseOwners ? await concurrency.releaseOwners(dead) : 0;
    if (r.responses || r.holds || slots) logger.warn('responses.recovered_interrupted', { responses: r.responses, holds: r.holds, slots });
    // Studies of dead processes (or released at a shutdown) resume here.
    await app.focusGroups?.recover(dead);
  };
  await recover();
  // Without Redis each server keeps its own request limits: several on one database each allow
  // a workspace its whole plan. Said at start (banner and log), and logged when one appears later.
  const notices: string[] = (liveBackends.router?.locals ?? []).map(
    (l) => `Local model ${l.file} is loading in the background: /ready answers 503 until it is loaded, and the log says when (llama_cpp.loaded).`,
  );
  const warned = new Set<string>();
  const checkShared = async (): Promise<string | undefined> => {
    if (config.redisUrl) return undefined;
    const others = [...new Set((await instances.liveOthers(instanceId, now())).map(serverOf))].filter((n) => n !== serverOf(name) && !warned.has(n));
    if (others.length === 0) return undefined;
    for (const n of others) warned.add(n);
    logger.warn('limits.not_shared', { servers: others });
    return `Warning: ${others.length === 1 ? 'another Cohort server uses' : `${others.length} other Cohort servers use`} this database without Redis (${others.join(', ')}): each enforces the request and concurrency limits on its own, so a workspace gets its plan's limits once per server. Set COHORT_REDIS_URL on every server to share them.`;
  };
  const shared = await checkShared();
  if (shared) notices.push(shared);
  const heartbeat = setInterval(() => {
    instances
      .heartbeat(instanceId, now())
      .then(recover)
      .then(checkShared)
      .catch((err: unknown) => logger.error('instances.heartbeat_failed', { err }));
  }, config.heartbeatMs);
  heartbeat.unref();
  return {
    app,
    db,
    accounts,
    logger,
    liveEngine: liveBackends.description,
    liveReason: liveBackends.reason,
    notices,
    ...(config.limits ? { serverLimits: config.limits.server } : {}),
    async close() {
      clearInterval(heartbeat);
      await app.focusGroups?.close();
      await liveBackends.router?.close();
      await instances.remove(instanceId).catch(() => {});
      await studyQueue?.close();
      await db.destroy();
      if (redis) {
        if (redis.status === 'ready') await redis.quit().catch(() => {});
        redis.disconnect();
      }
    },
  };
}

/** The focus-group job queue over Redis (src/focus-groups/queue/), loaded only when configured. */
async function studyJobQueue(config: Config, redis: Redis, o: { logger: Logger; instanceId: string; store: FocusGroupsStore; worker: boolean }) {
  const [{ Redis: RedisClient }, { createBullStudyQueue }, { createStudySignals }, { createRespondentLeases }, { createStudySlots }, { DEFAULT_REDIS_PREFIX }] = await Promise.all([
    import('ioredis'),
    import('./focus-groups/queue/bullmq-queue.js'),
    import('./focus-groups/queue/redis-signals.js'),
    import('./focus-groups/queue/respondent-leases.js'),
    import('./focus-groups/queue/study-slots.js'),
    import('./limits/redis.js'),
  ]);
  const prefix = config.redisPrefix ?? DEFAULT_REDIS_PREFIX;
  // BullMQ's own connection: its commands wait out a reconnect (maxRetriesPerRequest null) instead of failing.
  const connection = new RedisClient(config.redisUrl!, { maxRetriesPerRequest: null, connectTimeout: 5000 });
  connection.on('error', () => {}); // the main client and BullMQ's 'error' events report it
  const signals = createStudySignals(redis, { prefix, logger: o.logger });
  const { lockMs, batch, perServer } = config.focusGroups;
  return {
    progress: signals.progress,
    queue: (runner: StudyRunner) =>
      createBullStudyQueue({
        connection,
        prefix,
        runner,
        store: o.store,
        signals,
        leases: createRespondentLeases(redis, { prefix, leaseMs: lockMs, owner: o.instanceId }),
        // Leases held by this instance's id: a heartbeat that finds it dead frees them at once (releaseOwners).
        slots: createStudySlots(redis, { prefix, leaseMs: lockMs, owner: o.instanceId, onError: (err) => o.logger.warn('focus_groups.slot_error', { err }) }),
        logger: o.logger,
        instanceId: o.instanceId,
        settings: { worker: o.worker, batch, lockMs, concurrency: perServer },
      }),
    async close() {
      await signals.close();
      if (connection.status === 'ready') await connection.quit().catch(() => {});
      connection.disconnect();
    },
  };
}
