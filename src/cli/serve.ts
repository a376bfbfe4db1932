import { checkLocalModelFiles } from '../backends.js';
import { createRuntime } from '../bootstrap.js';
import { ConfigError, readConfig } from '../config.js';
import { listen } from '../server.js';
import cluster from 'node:cluster';
import { DATA_DIR_OPTION, parse, type Io } from './args.js';
import { withCommand } from './invocation.js';
import { WORKER_ENV, servePrimary, serveWorker } from './serve-workers.js';
import { ensureFirstKey, printBanner } from './banner.js';
import { checkPortFree } from './port.js';
import { tuneHeapGrowth } from './heap.js';

export const SERVE_HELP = `Usage: cohort serve [--port N] [--host H] [--data-dir DIR] [--config FILE] [--workers N]
                    [--no-focus-group-worker]

Serves the API (default port 8080, or PORT) with SQLite in the data folder
(default ./data, or COHORT_DATA_DIR), creating it on first start. The first
start creates your own workspace, 'default' (enterprise plan), and prints a
test key once; make more keys with cohort keys create.

--workers N (or COHORT_WORKERS) runs N server processes on the port, one per
core you want to use; request limits stay exact across them (kept by the
first process, or in Redis with COHORT_REDIS_URL).

With COHORT_REDIS_URL, focus-group studies run on a job queue in Redis,
worked by every 'cohort worker' process and by this server too, unless
--no-focus-group-worker (or COHORT_FOCUS_GROUP_WORKER=0) says not to.

Live keys (mvra_live_) are served by the configured backends, first found of:
  --config FILE, COHORT_CONFIG, ./cohort.config.json|yaml
                           backends (openai-chat, openai-responses, anthropic,
                           llama-cpp) with routes, timeouts, retries, fallbacks
  COHORT_UPSTREAM_URL      an OpenAI-compatible base URL ending in /v1, with
    COHORT_UPSTREAM_MODEL    the upstream model name,
    COHORT_UPSTREAM_API_KEY  the upstream key, if it needs one, and
    COHORT_UPSTREAM_API      chat (default) or responses
    COHORT_UPSTREAM_STREAMING  auto (default: non-streaming requests get
                             the whole answer in one reply) or always
  COHORT_MODEL_PATH        a local GGUF model run in-process (llama.cpp), checked
                           at start and loaded in the background (/ready waits)
  OPENAI_API_KEY           OpenAI Responses, model COHORT_OPENAI_MODEL (gpt-4o-mini)
  ANTHROPIC_API_KEY        Anthropic, model COHORT_ANTHROPIC_MODEL (claude-3-5-haiku-latest)
  a local Ollama           its first model (OLLAMA_HOST, default 127.0.0.1:11434)
Test keys (mvra_test_) are always served by the offline sandbox engine.
`;

export async function serveCommand(argv: string[], io: Io, signals: { onShutdown: (fn: () => Promise<void>) => void }): Promise<number> {
  const { values } = parse(argv, {
    ...DATA_DIR_OPTION,
    port: { type: 'string', short: 'p' },
    host: { type: 'string' },
    config: { type: 'string', short: 'c' },
    workers: { type: 'string', short: 'w' },
    'no-focus-group-worker': { type: 'boolean' },
  });
  if (values.help) return io.out(withCommand(SERVE_HELP, io.command)), 0;
  let config;
  try {
    config = readConfig(
      {
        ...(values.port ? { port: values.port } : {}),
        ...(values.host ? { host: values.host } : {}),
        ...(values['data-dir'] ? { 'data-dir': values['data-dir'] } : {}),
        ...(values.config ? { config: values.config } : {}),
        ...(values.workers ? { workers: values.workers } : {}),
        ...(values['no-focus-group-worker'] ? { focusGroupWorker: false } : {}),
      },
      io.env,
    );
    // A local model file that is missing or not GGUF: said now, naming the setting, not at the first request.
    const badModels = config.backends && !cluster.isWorker ? await checkLocalModelFiles(config.backends) : [];
    if (badModels.length > 0) throw new ConfigError(badModels.join('; '));
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(`cohort: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  tuneHeapGrowth();
  if (cluster.isWorker && io.env[WORKER_ENV] !== undefined) return serveWorker(config, Number(io.env[WORKER_ENV]), io);
  for (const warning of config.backends?.warnings ?? []) io.err(`cohort: warning: ${warning}\n`);
  try {
    await checkPortFree(config.port, config.host);
  } catch (err) {
    io.err(`cohort: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  if (config.workers > 1) return servePrimary(config, io, signals.onShutdown);
  const runtime = await createRuntime(config);
  await ensureFirstKey(runtime.accounts, io, config);
  const server = await listen(runtime, { port: config.port, host: config.host });
  printBanner(io, { url: server.url, host: config.host, dataDir: config.dataDir, liveEngine: runtime.liveEngine, liveReason: runtime.liveReason }, runtime.notices);
  signals.onShutdown(() => server.shutdown(config.shutdownGraceSeconds));
  return new Promise<number>(() => {}); // runs until a signal ends the process
}
