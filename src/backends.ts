/**
 * Live backends at start-up: zero-config selection, and the router built
 * from a BackendsConfig (src/config-file.ts).
 *
 * Zero-config (no config file, no COHORT_UPSTREAM_URL, no COHORT_MODEL_PATH):
 * 1. OPENAI_API_KEY → OpenAI Responses (COHORT_OPENAI_MODEL, default
 *    gpt-4o-mini; OPENAI_BASE_URL honoured like the official SDK does);
 * 2. else ANTHROPIC_API_KEY → Anthropic (COHORT_ANTHROPIC_MODEL, default
 *    claude-3-5-haiku-latest; ANTHROPIC_BASE_URL honoured);
 * 3. else a local Ollama (OLLAMA_HOST, default http://127.0.0.1:11434):
 *    GET /api/tags within 300 ms, its first model, through Ollama's
 *    OpenAI-compatible Chat Completions at /v1;
 * 4. else none: live keys get 503.
 * The choice comes with its reason, which `cohort serve` prints.
 */
import path from 'node:path';
import { DEFAULT_OLLAMA_URL, type AutodetectSettings, type BackendConfig, type BackendsConfig, type EmbeddingsConfig } from './config-file.js';
import { createOllamaEmbeddings, ollamaRoot } from './providers/ollama/index.js';
import { createOpenAIEmbeddings } from './providers/openai/embeddings/index.js';
import type { Logger } from './logger.js';
import { createAnthropicProvider, DEFAULT_ANTHROPIC_BASE_URL } from './providers/anthropic/index.js';
import { checkModelFile, createLlamaCppProvider, engineInstalled, MISSING_PACKAGE_MESSAGE, type LlamaCppProvider } from './providers/llama-cpp/index.js';
import { createOpenAIChatProvider } from './providers/openai/chat/index.js';
import { createOpenAIResponsesProvider } from './providers/openai/responses/index.js';
import { createRouterProvider, DEFAULT_RETRIES, type RouterBackend, type RouterProvider } from './providers/router.js';
import type { Embeddings, Provider } from './providers/types.js';
import { hostOf } from './util/upstream-errors.js';
import { fetchClient, type UpstreamClient, undiciClient } from './util/upstream-client.js';

export const DEFAULT_OPENAI_BASE_URL = 'https://api.openai.com/v1';
export { DEFAULT_OLLAMA_URL };
export const OLLAMA_PROBE_MS = 300;

/** Per-attempt timeouts of the HTTP backends when the config sets none. */
export const DEFAULT_HTTP_TIMEOUTS = { connectMs: 30_000, firstByteMs: 120_000, idleMs: 60_000, wholeAnswerMs: 600_000 } as const;
/** The local engine: no first-byte limit (queue wait and model load come first), 60 s between tokens. */
export const DEFAULT_LOCAL_TIMEOUTS = { connectMs: 0, firstByteMs: 0, idleMs: 60_000 } as const;

export type Autodetected = { config: BackendsConfig } | { config: undefined; reason: string };

/** Zero-config selection (see the module comment). Never throws. */
export async function autodetectBackends(settings: AutodetectSettings, options: { fetch?: typeof fetch; probeMs?: number } = {}): Promise<Autodetected> {
  if (settings.openaiApiKey) {
    const backend: BackendConfig = {
      type: 'openai-responses',
      baseURL: settings.openaiBaseURL ?? DEFAULT_OPENAI_BASE_URL,
      apiKey: settings.openaiApiKey,
      model: settings.openaiModel,
      ...(settings.openaiEmbeddingModel ? { embeddings: { model: settings.openaiEmbeddingModel } } : {}),
    };
    return { config: { backends: { 'openai-responses': backend }, routes: { default: ['openai-responses'] }, reason: 'OPENAI_API_KEY is set' } };
  }
  if (settings.anthropicApiKey) {
    const backend: BackendConfig = {
      type: 'anthropic',
      ...(settings.anthropicBaseURL ? { baseURL: settings.anthropicBaseURL } : {}),
      apiKey: settings.anthropicApiKey,
      model: settings.anthropicModel,
    };
    return { config: { backends: { anthropic: backend }, routes: { default: ['anthropic'] }, reason: 'ANTHROPIC_API_KEY is set' } };
  }
  const probe = await probeOllama(settings.ollamaURL, options.fetch ?? globalThis.fetch, options.probeMs ?? OLLAMA_PROBE_MS);
  if (probe.model) {
    const backend: BackendConfig = { type: 'openai-chat', baseURL: `${settings.ollamaURL}/v1`, model: probe.model };
    return { config: { backends: { 'openai-chat': backend }, routes: { default: ['openai-chat'] }, reason: `Ollama answers at ${settings.ollamaURL}` } };
  }
  const ollama = probe.answered ? `the Ollama at ${settings.ollamaURL} has no models (ollama pull llama3.2)` : `no Ollama answers at ${settings.ollamaURL}`;
  return {
    config: undefined,
    reason: `no cohort.config.json|yaml, COHORT_UPSTREAM_URL, COHORT_MODEL_PATH, OPENAI_API_KEY or ANTHROPIC_API_KEY is set and ${ollama}`,
  };
}

/** GET {url}/api/tags: the first model's name, if Ollama answers within `ms`. */
export async function probeOllama(url: string, fetchImpl: typeof fetch, ms: number): Promise<{ answered: boolean; model?: string }> {
  try {
    const res = await fetchImpl(`${url}/api/tags`, { signal: AbortSignal.timeout(ms), headers: { accept: 'application/json' } });
    if (!res.ok) {
      await res.body?.cancel().catch(() => {});
      return { answered: false };
    }
    const body = (await res.json()) as { models?: Array<{ name?: unknown; model?: unknown }> };
    const first = Array.isArray(body.models) ? body.models[0] : undefined;
    const name = typeof first?.name === 'string' ? first.name : typeof first?.model === 'string' ? first.model : undefined;
    return name ? { answered: true, model: name } : { answered: true };
  } catch {
    return { answered: false };
  }
}

export interface LiveRouter {
  provider: RouterProvider;
  /** "openai-responses (gpt-4o-mini)", "primary: openai-chat (llama3.2 at 127.0.0.1:11434) → fallback: anthropic (…)". */
  description: string;
  /** The local models (llama-cpp backends) by backend name, and their files' names. */
  locals: Array<{ name: string; file: string }>;
  /**
   * Starts loading every local model now rather than on the first request,
   * without waiting: logs llama_cpp.loading, then llama_cpp.loaded (with the
   * time it took) or llama_cpp.load_failed.
   */
  warmUp(logger: Logger): void;
  /**
   * Why some live requests cannot be served now, for /ready: a route (the
   * default, a persona's, a workspace's) none of whose backends can serve —
   * its local models loading or failed to load. HTTP upstreams are not probed:
   * they count as usable. Empty when every route has a usable backend.
   */
  problems(): string[];
  /** Frees local models. */
  close(): Promise<void>;
}

/**
 * Why the local models of `config` cannot run (a file missing, unreadable or
 * not GGUF, each naming the setting to fix; the engine, node-llama-cpp, not
 * installed: the command that adds it); empty when they may. `cohort serve`
 * refuses to start otherwise.
 */
export async function checkLocalModelFiles(config: BackendsConfig, options: { engineInstalled?: () => boolean } = {}): Promise<string[]> {
  const viaEnv = config.reason.startsWith('COHORT_MODEL_PATH');
  const problems: string[] = [];
  const locals = Object.entries(config.backends).filter((e): e is [string, Extract<BackendConfig, { type: 'llama-cpp' }>] => e[1].type === 'llama-cpp');
  for (const [name, b] of locals) {
    const why = await checkModelFile(b.modelPath);
    if (why) problems.push(`${viaEnv ? 'COHORT_MODEL_PATH' : `backends.${name}.modelPath in the config file`}: ${b.modelPath} ${why}`);
  }
  if (locals.length > 0 && !(options.engineInstalled ?? engineInstalled)()) {
    const who = viaEnv ? 'COHORT_MODEL_PATH' : `backends.${locals.map(([n]) => n).join(', ')} (llama-cpp) in the config file`;
    problems.push(`${who}: ${MISSING_PACKAGE_MESSAGE}`);
  }
  return problems;
}

/** The router over a BackendsConfig's backends. */
export function createLiveRouter(config: BackendsConfig, options: { logger?: Logger; fetch?: typeof fetch } = {}): LiveRouter {
  const closers: Array<() => Promise<void>> = [];
  const locals: Array<{ name: string; file: string; provider: LlamaCppProvider }> = [];
  const backends: RouterBackend[] = Object.entries(config.backends).map(([name, b]) => {
    const local = b.type === 'llama-cpp';
    const defaults = local ? DEFAULT_LOCAL_TIMEOUTS : DEFAULT_HTTP_TIMEOUTS;
    const timeouts = {
      connectMs: b.timeouts?.connectMs ?? defaults.connectMs,
      firstByteMs: b.timeouts?.firstByteMs ?? defaults.firstByteMs,
      idleMs: b.timeouts?.idleMs ?? defaults.idleMs,
      // Only where the backend may fetch whole answers (an HTTP backend with streaming 'auto'); 0: no limit.
      wholeAnswerMs: local || b.streaming === 'always' ? undefined : (b.timeouts?.wholeAnswerMs ?? DEFAULT_HTTP_TIMEOUTS.wholeAnswerMs),
    };
    const client = options.fetch ? fetchClient(options.fetch, { connectMs: timeouts.connectMs }) : undiciClient({ connectMs: timeouts.connectMs });
    let provider: Provider;
    switch (b.type) {
      case 'openai-chat':
      case 'openai-responses': {
        const o = {
          baseURL: b.baseURL ?? DEFAULT_OPENAI_BASE_URL,
          model: b.model,
          client,
          ...(b.apiKey ? { apiKey: b.apiKey } : {}),
          ...(b.headers ? { headers: b.headers } : {}),
          ...(b.streaming ? { streaming: b.streaming } : {}),
        };
        provider = b.type === 'openai-chat' ? createOpenAIChatProvider(o) : createOpenAIResponsesProvider(o);
        if (b.embeddings) provider = withEmbeddings(provider, embeddingsOf(b.embeddings, o));
        break;
      }
      case 'anthropic':
        provider = createAnthropicProvider({
          apiKey: b.apiKey ?? '',
          model: b.model,
          client,
          ...(b.streaming ? { streaming: b.streaming } : {}),
          ...(b.baseURL ? { baseURL: b.baseURL } : {}),
          ...(b.maxTokens !== undefined ? { maxTokens: b.maxTokens } : {}),
          ...(b.anthropicVersion ? { anthropicVersion: b.anthropicVersion } : {}),
        });
        break;
      case 'llama-cpp': {
        const llama = createLlamaCppProvider({
          modelPath: b.modelPath,
          ...(b.contextSize !== undefined ? { contextSize: b.contextSize } : {}),
          ...(b.maxQueue !== undefined ? { maxQueue: b.maxQueue } : {}),
          ...(b.parallel !== undefined ? { parallel: b.parallel } : {}),
          ...(b.gpu !== undefined ? { gpu: b.gpu } : {}),
          ...(b.threads !== undefined ? { threads: b.threads } : {}),
          ...(b.embeddings ? { embeddings: true } : {}),
        });
        closers.push(() => llama.close());
        locals.push({ name, file: path.basename(b.modelPath), provider: llama });
        provider = llama;
        break;
      }
    }
    return {
      name,
      provider,
      firstByteMs: timeouts.firstByteMs,
      idleMs: timeouts.idleMs,
      ...(timeouts.wholeAnswerMs !== undefined ? { wholeAnswerMs: timeouts.wholeAnswerMs } : {}),
      retries: b.retries
        ? { max: b.retries.max, baseMs: b.retries.baseMs, ...(b.retries.maxDelayMs !== undefined ? { maxDelayMs: b.retries.maxDelayMs } : {}) }
        : local
          ? { ...DEFAULT_RETRIES, max: 0 }
          : DEFAULT_RETRIES,
      ...(b.jsonSchema !== undefined ? { jsonSchema: b.jsonSchema } : {}),
    };
  });
  const provider = createRouterProvider({ backends, routes: config.routes, ...(options.logger ? { logger: options.logger } : {}) });
  const localByName = new Map(locals.map((l) => [l.name, l]));
  return {
    provider,
    description: describeBackends(config),
    locals: locals.map(({ name, file }) => ({ name, file })),
    warmUp(logger) {
      for (const { name, file, provider: llama } of locals) {
        const started = performance.now();
        logger.info('llama_cpp.loading', { backend: name, model: file });
        llama.load().then(
          () => logger.info('llama_cpp.loaded', { backend: name, model: file, ms: Math.round(performance.now() - started) }),
          (err: unknown) => logger.error('llama_cpp.load_failed', { backend: name, model: file, err }),
        );
      }
    },
    problems() {
      /** Why this backend cannot serve now, or undefined when it can. */
      const unusable = (name: string): string | undefined => {
        const local = localByName.get(name);
        if (!local) return undefined;
        const { state, error } = local.provider.state();
        if (state === 'loading') return `the local model ${local.file} is loading`;
        if (state === 'failed') return `the local model ${local.file} could not be loaded: ${error ?? 'unknown error'}`;
        if (state === 'closed') return `the local model ${local.file} is shut down`;
        return undefined;
      };
      const routes = [config.routes.default, ...Object.values(config.routes.personas ?? {}), ...Object.values(config.routes.workspaces ?? {})];
      const out = new Set<string>();
      for (const route of routes) {
        const why = route.map(unusable);
        if (why.every((w) => w !== undefined)) for (const w of why) out.add(w);
      }
      return [...out];
    },
    async close() {
      await Promise.all(closers.map((c) => c().catch(() => {})));
    },
  };
}

/** An HTTP backend's embedding model: OpenAI-compatible /embeddings, or Ollama's /api/embed. */
function embeddingsOf(e: EmbeddingsConfig, backend: { baseURL: string; apiKey?: string; headers?: Record<string, string>; client: UpstreamClient }): Embeddings {
  const common = { model: e.model, client: backend.client, ...(backend.apiKey ? { apiKey: backend.apiKey } : {}), ...(backend.headers ? { headers: backend.headers } : {}) };
  if (e.api === 'ollama') return createOllamaEmbeddings({ ...common, baseURL: e.baseURL ?? ollamaRoot(backend.baseURL) });
  return createOpenAIEmbeddings({ ...common, baseURL: e.baseURL ?? backend.baseURL, ...(e.dimensions !== undefined ? { dimensions: e.dimensions } : {}) });
}

/** The provider with an embedding model beside it. */
function withEmbeddings(provider: Provider, embeddings: Embeddings): Provider {
  return Object.assign(Object.create(provider) as Provider, { embeddings }) as Provider;
}

/** One line: the default route's backends, and how many other routes there are. */
export function describeBackends(config: BackendsConfig): string {
  const one = (name: string): string => {
    const b = config.backends[name]!;
    const label = `${b.type} (${modelOf(b)}${whereOf(b)})`;
    return name === b.type ? label : `${name}: ${label}`;
  };
  const others = Object.keys(config.routes.personas ?? {}).length + Object.keys(config.routes.workspaces ?? {}).length;
  return `${config.routes.default.map(one).join(' → ')}${others > 0 ? ` (+${others} persona/workspace route${others > 1 ? 's' : ''})` : ''}`;
}

function modelOf(b: BackendConfig): string {
  return b.type === 'llama-cpp' ? (b.model ?? path.basename(b.modelPath)) : b.model;
}

function whereOf(b: BackendConfig): string {
  if (b.type === 'llama-cpp') return ', local';
  const base = b.baseURL;
  if (!base) return '';
  const host = hostOf(base);
  if (b.type === 'anthropic' ? base === DEFAULT_ANTHROPIC_BASE_URL : base === DEFAULT_OPENAI_BASE_URL) return '';
  return ` at ${host}`;
}
