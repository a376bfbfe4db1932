/**
 * `cohort worker`: a process that works focus-group studies from the job
 * queue in Redis (src/focus-groups/queue/) and serves no HTTP. It reads the
 * same configuration as `cohort serve` (database, Redis, backends, the
 * COHORT_FOCUS_GROUP_* settings), registers and heartbeats like a server (so
 * what it leaves behind is recovered), and stops gracefully on SIGTERM or
 * SIGINT: its model calls in flight are aborted and its jobs go back to the
 * queue for the other workers (a second signal exits at once).
 */
import { createRuntime } from '../bootstrap.js';
import { ConfigError, readConfig } from '../config.js';
import { commandOf, DATA_DIR_OPTION, parse, type Io } from './args.js';
import { withCommand } from './invocation.js';
import { tuneHeapGrowth } from './heap.js';

export const WORKER_HELP = `Usage: cohort worker [--data-dir DIR] [--config FILE]

Works focus-group studies from the job queue in Redis, with no HTTP server:
run as many as you like, on as many machines, next to 'cohort serve'. Every
process must share the database (COHORT_DATABASE_URL, PostgreSQL) and Redis
(COHORT_REDIS_URL, and COHORT_REDIS_PREFIX if set), and have the live
backends (same --config / COHORT_UPSTREAM_* / … as serve).

  COHORT_FOCUS_GROUP_SERVER_CONCURRENCY  respondents in flight here (default 32)
  COHORT_FOCUS_GROUP_BATCH               respondents per job (default 1)
  COHORT_FOCUS_GROUP_LOCK_MS             a job's lock without renewal: a killed
                                         worker's jobs move on after this (30000)

SIGTERM or SIGINT stops it gracefully: its jobs go back to the queue.
`;

export async function workerCommand(argv: string[], io: Io, signals: { onShutdown: (fn: () => Promise<void>) => void }): Promise<number> {
  const { values } = parse(argv, { ...DATA_DIR_OPTION, config: { type: 'string', short: 'c' } });
  if (values.help) return io.out(withCommand(WORKER_HELP, io.command)), 0;
  let config;
  try {
    config = readConfig({ ...(values['data-dir'] ? { 'data-dir': values['data-dir'] } : {}), ...(values.config ? { config: values.config } : {}) }, io.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`cohort: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (!config.redisUrl) {
    io.err(`cohort: ${commandOf(io)} worker needs the job queue in Redis: set COHORT_REDIS_URL (and COHORT_DATABASE_URL, shared with the servers)\n`);
    return 2;
  }
  tuneHeapGrowth();
  const runtime = await createRuntime(config, { role: 'worker' });
  io.out(`Cohort worker: focus-group jobs from Redis; live backends: ${runtime.liveEngine}\n`);
  signals.onShutdown(() => runtime.close());
  return new Promise<number>(() => {}); // runs until a signal ends the process
}
