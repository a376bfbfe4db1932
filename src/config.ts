/**
 * Configuration, read once at the edge (CLI flags over environment variables)
 * into a typed object. Errors name both the flag and the variable.
 */
import type { ServerToolsConfig } from './server-tools/types.js';
import { autodetectSettingsFrom, ConfigFileError, readBackendsConfig, type AutodetectSettings, type BackendsConfig } from './config-file.js';
import { parseAllowList } from './util/address-policy.js';
import { readLimits, type Limits } from './limits/request-limits.js';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  /** postgres:// URL: every store on PostgreSQL instead of SQLite in dataDir. */
  databaseUrl?: string;
  /** redis:// or rediss:// URL: request limits shared by every server on it instead of per process. */
  redisUrl?: string;
  /** Prefix of every Redis key (default `cohort:`). */
  redisPrefix?: string;
  maxBodyBytes: number;
  /** Request, stream and server limits with their COHORT_* overrides (src/limits/request-limits.ts); readConfig always sets it. */
  limits?: Limits;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Seconds to let in-flight streams finish on shutdown. */
  shutdownGraceSeconds: number;
  /** COHORT_KEY_CACHE_MS: how long an API key's record is reused (revocations from another process apply within it). */
  keyCacheMs: number;
  /**
   * COHORT_HEARTBEAT_MS (default 10 000): how often a server process records that it is alive.
   * One silent for 3 of its heartbeats is dead: others fail what it left in flight and free
   * its credit holds and (with Redis) its concurrency slots (src/storage/instances-store.ts).
   */
  heartbeatMs: number;
  /** `--workers N` / COHORT_WORKERS: server processes sharing the port (default 1; src/cli/serve-workers.ts). */
  workers: number;
  /** Credits a custom persona costs: COHORT_PERSONA_CREDITS (create/import), COHORT_PERSONA_CLONE_CREDITS. */
  personaCredits: { create: number; clone: number };
  /** Backends of the built-in server tools (src/server-tools/); readConfig always sets it. */
  serverTools?: ServerToolsConfig;
  /** Live backends and routes: the config file, else the short forms (src/config-file.ts). */
  backends?: BackendsConfig;
  /** Without `backends`: what zero-config start-up looks at (src/backends.ts). */
  autodetect?: AutodetectSettings;
  /** COHORT_FETCH_ALLOW: hosts/IPs/CIDRs image URLs may reach although private (src/util/safe-fetch.ts). */
  fetchAllow?: string[];
  /**
   * Focus-group model calls in flight: per study (COHORT_FOCUS_GROUP_CONCURRENCY) and per server process
   * (COHORT_FOCUS_GROUP_SERVER_CONCURRENCY). With Redis (the job queue, src/focus-groups/queue/): whether this
   * process consumes study jobs (COHORT_FOCUS_GROUP_WORKER, `--no-focus-group-worker`), respondents per job
   * (COHORT_FOCUS_GROUP_BATCH) and how long a job's lock lasts unrenewed (COHORT_FOCUS_GROUP_LOCK_MS).
   */
  focusGroups: { perStudy: number; perServer: number; worker: boolean; batch: number; lockMs: number };
}

export class ConfigError extends Error {}

/** An http(s) base URL from `name`, without trailing slashes; `fallback` when unset. */
function urlOption(value: string | undefined, name: string, fallback: string, example: string): string {
  if (value === undefined || value === '') return fallback;
  let parsed: URL | undefined;
  try {
    parsed = new URL(value);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !/^https?:$/.test(parsed.protocol)) throw new ConfigError(`${name} must be an http(s) URL such as ${example}, got '${value}'`);
  return value.replace(/\/+$/, '');
}

/**
 * The server tools' backends. Images default to OpenAI (OPENAI_API_KEY,
 * https://api.openai.com/v1, gpt-image-1) and so does video (sora-2); a
 * backend with neither a URL nor a key is left unconfigured.
 */
export function readServerToolsConfig(env: NodeJS.ProcessEnv): ServerToolsConfig {
  const openaiKey = env.OPENAI_API_KEY || undefined;
  const tavilyKey = env.TAVILY_API_KEY || undefined;
  const out: ServerToolsConfig = {
    tavily: { baseURL: urlOption(env.COHORT_TAVILY_URL, 'COHORT_TAVILY_URL', 'https://api.tavily.com', 'https://api.tavily.com'), ...(tavilyKey ? { apiKey: tavilyKey } : {}) },
  };
  const imagesKey = env.COHORT_IMAGES_API_KEY || openaiKey;
  if (env.COHORT_IMAGES_URL || imagesKey) {
    out.images = {
      baseURL: urlOption(env.COHORT_IMAGES_URL, 'COHORT_IMAGES_URL', 'https://api.openai.com/v1', 'https://api.openai.com/v1'),
      model: env.COHORT_IMAGES_MODEL || 'gpt-image-1',
      ...(imagesKey ? { apiKey: imagesKey } : {}),
    };
  }
  const videoKey = env.COHORT_VIDEO_API_KEY || openaiKey;
  if (env.COHORT_VIDEO_URL || videoKey) {
    out.video = {
      baseURL: urlOption(env.COHORT_VIDEO_URL, 'COHORT_VIDEO_URL', 'https://api.openai.com/v1', 'https://api.openai.com/v1'),
      model: env.COHORT_VIDEO_MODEL || 'sora-2',
      ...(videoKey ? { apiKey: videoKey } : {}),
    };
  }
  const runwayUrl = urlOption(env.COHORT_RUNWAY_URL, 'COHORT_RUNWAY_URL', 'https://api.dev.runwayml.com', 'https://api.dev.runwayml.com');
  if (env.RUNWAY_API_KEY) out.runway = { baseURL: runwayUrl, apiKey: env.RUNWAY_API_KEY };
  return out;
}

export interface ConfigFlags {
  port?: string;
  host?: string;
  'data-dir'?: string;
  /** `--config FILE`: cohort.config.json or .yaml (over COHORT_CONFIG). */
  config?: string;
  /** `--workers N` (over COHORT_WORKERS). */
  workers?: string;
  /** `--no-focus-group-worker` (over COHORT_FOCUS_GROUP_WORKER): false. */
  focusGroupWorker?: boolean;
}

function intOption(value: string | undefined, name: string, fallback: number, min: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be an integer from ${min} to ${max}, got '${value}'`);
  return n;
}

function boolOption(value: string | undefined, name: string, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new ConfigError(`${name} must be 1 or 0 (true or false), got '${value}'`);
}

export function readConfig(flags: ConfigFlags, env: NodeJS.ProcessEnv, cwd: string = process.cwd()): Config {
  const port = intOption(flags.port ?? env.PORT, flags.port !== undefined ? '--port' : 'PORT', 8080, 0, 65535);
  const level = env.COHORT_LOG_LEVEL ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new ConfigError(`COHORT_LOG_LEVEL must be debug, info, warn or error, got '${level}'`);
  let backends: BackendsConfig | undefined;
  let fetchAllow: string[];
  try {
    backends = readBackendsConfig(flags.config, env, cwd);
    fetchAllow = parseAllowList(env.COHORT_FETCH_ALLOW);
  } catch (err) {
    if (err instanceof ConfigFileError) throw new ConfigError(err.message);
    if (err instanceof Error && /not a CIDR/.test(err.message)) throw new ConfigError(`COHORT_FETCH_ALLOW: ${err.message}`);
    throw err;
  }
  const databaseUrl = env.COHORT_DATABASE_URL;
  if (databaseUrl && !/^postgres(?:ql)?:\/\/./i.test(databaseUrl)) throw new ConfigError('COHORT_DATABASE_URL must be a PostgreSQL URL such as postgres://user@host:5432/cohort');
  const redisUrl = env.COHORT_REDIS_URL;
  if (redisUrl) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(redisUrl);
    } catch {
      parsed = undefined;
    }
    if (!parsed || !/^rediss?:$/.test(parsed.protocol) || !parsed.hostname) throw new ConfigError('COHORT_REDIS_URL must be a Redis URL such as redis://127.0.0.1:6379 or rediss://user:pass@host:6380/0');
  }
  const redisPrefix = env.COHORT_REDIS_PREFIX;
  return {
    port,
    host: flags.host ?? env.HOST ?? '0.0.0.0',
    dataDir: flags['data-dir'] ?? env.COHORT_DATA_DIR ?? './data',
    maxBodyBytes: intOption(env.COHORT_MAX_BODY_BYTES, 'COHORT_MAX_BODY_BYTES', 25 * 1024 * 1024, 1024, 1024 * 1024 * 1024),
    limits: readLimits((name, fallback, min, max) => intOption(env[name], name, fallback, min, max)),
    logLevel: level as Config['logLevel'],
    workers: intOption(flags.workers ?? env.COHORT_WORKERS, flags.workers !== undefined ? '--workers' : 'COHORT_WORKERS', 1, 1, 256),
    keyCacheMs: intOption(env.COHORT_KEY_CACHE_MS, 'COHORT_KEY_CACHE_MS', 1000, 0, 600_000),
    heartbeatMs: intOption(env.COHORT_HEARTBEAT_MS, 'COHORT_HEARTBEAT_MS', 10_000, 1000, 600_000),
    shutdownGraceSeconds: intOption(env.COHORT_SHUTDOWN_GRACE_SECONDS, 'COHORT_SHUTDOWN_GRACE_SECONDS', 10, 0, 3600),
    personaCredits: {
      create: intOption(env.COHORT_PERSONA_CREDITS, 'COHORT_PERSONA_CREDITS', 300, 0, 1_000_000),
      clone: intOption(env.COHORT_PERSONA_CLONE_CREDITS, 'COHORT_PERSONA_CLONE_CREDITS', 100, 0, 1_000_000),
    },
    serverTools: readServerToolsConfig(env),
    focusGroups: {
      perStudy: intOption(env.COHORT_FOCUS_GROUP_CONCURRENCY, 'COHORT_FOCUS_GROUP_CONCURRENCY', 8, 1, 1024),
      perServer: intOption(env.COHORT_FOCUS_GROUP_SERVER_CONCURRENCY, 'COHORT_FOCUS_GROUP_SERVER_CONCURRENCY', 32, 1, 4096),
      worker: flags.focusGroupWorker ?? boolOption(env.COHORT_FOCUS_GROUP_WORKER, 'COHORT_FOCUS_GROUP_WORKER', true),
      batch: intOption(env.COHORT_FOCUS_GROUP_BATCH, 'COHORT_FOCUS_GROUP_BATCH', 1, 1, 1000),
      lockMs: intOption(env.COHORT_FOCUS_GROUP_LOCK_MS, 'COHORT_FOCUS_GROUP_LOCK_MS', 30_000, 1000, 3_600_000),
    },
    ...(backends ? { backends } : { autodetect: autodetectSettingsFrom(env) }),
    ...(fetchAllow.length > 0 ? { fetchAllow } : {}),
    ...(databaseUrl ? { databaseUrl } : {}),
    ...(redisUrl ? { redisUrl } : {}),
    ...(redisPrefix ? { redisPrefix } : {}),
  };
}
