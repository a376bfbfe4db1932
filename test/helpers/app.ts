/**
 * Test wiring: the real app (real stores on a fresh SQLite database, the real
 * sandbox engine), listening on a real socket on 127.0.0.1, with a test key
 * and a live key. Pass `live` to serve live keys with another provider.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createAnalyzer } from '../../src/analysis/index.js';
import type { Analyze } from '../../src/analysis/types.js';
import { createApp, type CohortApp } from '../../src/app.js';
import { createLogger, silentLogger, type Logger } from '../../src/logger.js';
import { loadPersonaDir } from '../../src/personas/library.js';
import { createBuiltinPersonaStore } from '../../src/personas/persona-store.js';
import { createSandboxProvider } from '../../src/providers/sandbox/index.js';
import type { Provider } from '../../src/providers/types.js';
import type { ImageFetchOptions } from '../../src/responses/images.js';
import { createRuntime, type Runtime } from '../../src/bootstrap.js';
import { listen, type RunningServer } from '../../src/server.js';
import { createAccountsStore, type AccountsStore } from '../../src/storage/accounts-store.js';
import { openDatabase, type Db } from '../../src/storage/db.js';
import { createResponsesStore } from '../../src/storage/responses-store.js';
import { createCreditsStore, type CreditsStore } from '../../src/storage/credits-store.js';
import { unitOfWorkOf } from '../../src/storage/unit-of-work.js';
import { createCustomPersonasStore } from '../../src/storage/custom-personas-store.js';
import { createFocusGroupsStore } from '../../src/storage/focus-groups-store.js';
import type { RunnerSettings, StudyQueue, StudyRunner } from '../../src/focus-groups/runner.js';
import type { ProgressHub } from '../../src/focus-groups/progress.js';
import type { EventStreamOptions } from '../../src/focus-groups/events.js';
import { createConsoleSessionsStore } from '../../src/storage/console-sessions-store.js';
import { createMemoryConcurrencyLimiter, createMemoryRateLimiter } from '../../src/limits/memory.js';
import type { ConcurrencyLimiter, RateLimiter } from '../../src/limits/types.js';
import { withDefaults, type LimitsOverrides } from '../../src/limits/request-limits.js';
import type { Plan } from '../../src/accounts/plans.js';
import { randomIds, systemClock, type Clock, type IdGenerator } from '../../src/util/ids.js';
import { createServerTools } from '../../src/server-tools/registry.js';
import type { ServerTools } from '../../src/server-tools/types.js';

export const personas = loadPersonaDir();

export interface TestServer {
  url: string;
  /** Base URL for OpenAI clients: `${url}/v1`. */
  baseURL: string;
  testKey: string;
  liveKey: string;
  app: CohortApp;
  db: Db;
  accounts: AccountsStore;
  credits: CreditsStore;
  server: RunningServer;
  close(): Promise<void>;
}

export interface TestServerOptions {
  live?: Provider;
  ids?: IdGenerator;
  clock?: Clock;
  logger?: Logger;
  maxBodyBytes?: number;
  rateLimiter?: RateLimiter;
  concurrency?: ConcurrencyLimiter;
  instanceId?: string;
  /** Plan of the 'acme' workspace the keys belong to (default business: room for test bursts). */
  plan?: Plan;
  /** Built-in server tools (default: every backend unconfigured, so test keys simulate and live keys get 400s). */
  serverTools?: ServerTools;
  /** Analysis mode (default: the real analyzer, createAnalyzer()). */
  analyze?: Analyze;
  /** How image URLs are fetched, e.g. `{ allow: ['127.0.0.1'] }` for test/helpers/images.ts's server. */
  imageFetch?: ImageFetchOptions;
  /** The focus-group runner's settings (concurrency, retries). */
  focusGroupRunner?: Partial<RunnerSettings>;
  focusGroupEvents?: EventStreamOptions;
  /** Where study work goes instead of the in-process runner (e.g. helpers/bull-queue.ts), with its progress hub. */
  focusGroupQueue?: (runner: StudyRunner) => StudyQueue;
  focusGroupProgress?: ProgressHub;
  /** A database to use instead of a fresh in-memory SQLite one (e.g. PostgreSQL). */
  db?: Db;
  /** Lowered request, stream or server limits (src/limits/request-limits.ts). */
  limits?: LimitsOverrides;
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const db = options.db ?? (await openDatabase({ dataDir: ':memory:' }));
  const ids = options.ids ?? randomIds;
  const clock = options.clock ?? systemClock;
  const accounts = createAccountsStore(db, ids, clock);
  const credits = createCreditsStore(db, ids, clock);
  const logger = options.logger ?? (process.env.TEST_LOG ? createLogger({ level: 'debug' }) : silentLogger);
  const app = createApp({
    accounts,
    credits,
    unitOfWork: unitOfWorkOf(db),
    rateLimiter: options.rateLimiter ?? createMemoryRateLimiter(),
    concurrency: options.concurrency ?? createMemoryConcurrencyLimiter(),
    instanceId: options.instanceId ?? 'inst_test',
    personas: createBuiltinPersonaStore(personas),
    customPersonas: createCustomPersonasStore(db, ids, clock),
    responses: createResponsesStore(db),
    engines: { sandbox: createSandboxProvider(), live: options.live },
    serverTools: options.serverTools ?? createServerTools({ tavily: { baseURL: 'http://127.0.0.1:9' } }),
    ids,
    clock,
    logger,
    analyze: options.analyze ?? createAnalyzer({ logger }),
    focusGroups: createFocusGroupsStore(db, clock),
    ...(options.focusGroupRunner ? { focusGroupRunner: options.focusGroupRunner } : {}),
    ...(options.focusGroupEvents ? { focusGroupEvents: options.focusGroupEvents } : {}),
    ...(options.focusGroupQueue ? { focusGroupQueue: options.focusGroupQueue } : {}),
    ...(options.focusGroupProgress ? { focusGroupProgress: options.focusGroupProgress } : {}),
    console: { sessions: createConsoleSessionsStore(db, clock) },
    ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
    ...(options.imageFetch ? { imageFetch: options.imageFetch } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
  });
  const test = await accounts.createKey({ workspace: 'acme', mode: 'test', plan: options.plan ?? 'business' });
  const live = await accounts.createKey({ workspace: 'acme', mode: 'live', plan: options.plan ?? 'business' });
  const runtime: Runtime = {
    app,
    db,
    accounts,
    logger: silentLogger,
    liveEngine: 'test',
    serverLimits: withDefaults(options.limits).server,
    close: async () => {
      await app.focusGroups?.close();
      if (!options.db) await db.destroy();
    },
  };
  const server = await listen(runtime, { port: 0, host: '127.0.0.1' });
  return {
    url: server.url,
    baseURL: `${server.url}/v1`,
    testKey: test.key,
    liveKey: live.key,
    app,
    db,
    accounts,
    credits,
    server,
    close: () => server.shutdown(0),
  };
}

export { createRuntime };

export function tempDir(prefix = 'cohort-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Reads an SSE body into [event, data] frames, asserting the framing. */
export async function readSse(res: Response): Promise<{ raw: string; events: { event: string | null; data: string }[] }> {
  const raw = await res.text();
  const events = raw
    .split('\n\n')
    .filter((block) => block.length > 0)
    .map((block) => {
      const lines = block.split('\n');
      const ev = lines.find((l) => l.startsWith('event: '));
      const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6)).join('\n');
      return { event: ev ? ev.slice(7) : null, data };
    });
  return { raw, events };
}

/** A TCP port on 127.0.0.1 that was free a moment ago (for a `cohort serve` child process). */
export async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}
