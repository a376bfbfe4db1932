/**
 * Builds the app's dependencies from a Config: opens the database, loads the
 * persona library, picks the engines. Shared by `cohort serve` and tests that
 * want the real wiring.
 */
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { createApp, type CohortApp } from './app.js';
import { readServerToolsConfig, type Config } from './config.js';
import { createLogger, type Logger } from './logger.js';
import { loadPersonaDir } from './personas/library.js';
import { createBuiltinPersonaStore } from './personas/persona-store.js';
import { createOpenAIChatProvider } from './providers/openai-chat/index.js';
import { createSandboxProvider } from './providers/sandbox/index.js';
import type { Provider } from './providers/types.js';
import { createAccountsStore, type AccountsStore } from './storage/accounts-store.js';
import { openDatabase, type Db } from './storage/db.js';
import { createResponsesStore } from './storage/responses-store.js';
import { createCreditsStore } from './storage/credits-store.js';
import { createInstancesStore, HEARTBEAT_MS } from './storage/instances-store.js';
import { Redis } from 'ioredis';
import { createMemoryConcurrencyLimiter, createMemoryRateLimiter } from './limits/memory.js';
import { createRedisConcurrencyLimiter, createRedisRateLimiter } from './limits/redis.js';
import { randomIds, systemClock } from './util/ids.js';
import { createServerTools } from './server-tools/registry.js';

export interface Runtime {
  app: CohortApp;
  db: Db;
  accounts: AccountsStore;
  logger: Logger;
  liveEngine: string;
  close(): Promise<void>;
}

export function liveProviderFrom(config: Config): Provider | undefined {
  if (!config.upstream) return undefined;
  return createOpenAIChatProvider({
    baseURL: config.upstream.baseURL,
    model: config.upstream.model,
    ...(config.upstream.apiKey ? { apiKey: config.upstream.apiKey } : {}),
  });
}

export async function createRuntime(config: Config, options: { logger?: Logger } = {}): Promise<Runtime> {
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const db = await openDatabase({
    dataDir: config.dataDir,
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
    onError: (err) => logger.error('database.connection_error', { err }),
  });
  const accounts = createAccountsStore(db, randomIds, systemClock);
  const credits = createCreditsStore(db, randomIds, systemClock);
  const instanceId = randomIds.next('inst');
  const responses = createResponsesStore(db);
  const personas = createBuiltinPersonaStore(loadPersonaDir());
  const live = liveProviderFrom(config);
  // With Redis every server shares one set of limits; without it each process keeps its own.
  let redis: Redis | undefined;
  if (config.redisUrl) {
    // Fail a command after one reconnect attempt (→ 503) rather than holding requests while Redis is away.
    redis = new Redis(config.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 5000, commandTimeout: 3000 });
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
  const ping = async () => {
    await sql`select 1`.execute(db);
  };
  const app = createApp({
    accounts,
    credits,
    rateLimiter: redis ? createRedisRateLimiter(redis, redisOptions) : createMemoryRateLimiter(),
    concurrency: redis
      ? createRedisConcurrencyLimiter(redis, { ...redisOptions, onError: (err) => logger.warn('redis.lease_error', { err }) })
      : createMemoryConcurrencyLimiter(),
    instanceId,
    personas,
    responses,
    engines: { sandbox: createSandboxProvider(), live },
    serverTools: createServerTools(config.serverTools ?? readServerToolsConfig({}), { logger }),
    ids: randomIds,
    clock: systemClock,
    logger,
    maxBodyBytes: config.maxBodyBytes,
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
    },
  });
  // Register this process, recover what dead ones left in flight, and keep doing so on a heartbeat.
  const instances = createInstancesStore(db);
  const name = `${os.hostname()}:${config.port}:${path.resolve(config.dataDir)}`;
  const now = () => Math.floor(Date.now() / 1000);
  await instances.register(instanceId, name, now());
  const recover = async () => {
    const dead = await instances.reapDead(instanceId, name, now());
    const r = await app.service.recover(dead);
    if (r.responses || r.holds) logger.warn('responses.recovered_interrupted', { responses: r.responses, holds: r.holds });
  };
  await recover();
  const heartbeat = setInterval(() => {
    instances
      .heartbeat(instanceId, now())
      .then(recover)
      .catch((err: unknown) => logger.error('instances.heartbeat_failed', { err }));
  }, HEARTBEAT_MS);
  heartbeat.unref();
  return {
    app,
    db,
    accounts,
    logger,
    liveEngine: config.upstream ? `openai-chat (${config.upstream.model} at ${new URL(config.upstream.baseURL).host})` : 'none',
    async close() {
      clearInterval(heartbeat);
      await instances.remove(instanceId).catch(() => {});
      await db.destroy();
      if (redis) {
        if (redis.status === 'ready') await redis.quit().catch(() => {});
        redis.disconnect();
      }
    },
  };
}
