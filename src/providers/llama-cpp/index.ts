/**
 * The embedded local model engine: a GGUF model run in-process by llama.cpp
 * through node-llama-cpp 3.21.1 — not a dependency: installed on purpose
 * (INSTALL_ENGINE_COMMAND), and checked for at start (backends.ts).
 *
 * - One model per provider, loaded by `load()` (cohort serve calls it at
 *   start: backends.ts warmUp) or else on the first request, concurrent
 *   first requests sharing the one load
 *   (load-model.ts). Nothing is downloaded or compiled at install or run time:
 *   the prebuilt llama.cpp binaries of node-llama-cpp's platform packages are
 *   used, or the load fails with 503.
 * - `parallel` sequences in one context (default 1) each run one generation at
 *   a time; up to `maxQueue` more requests wait in FIFO order, beyond that a
 *   request gets 503 service_unavailable with `retry-after: 1` (queue.ts).
 * - Tokens stream as they are sampled: node-llama-cpp's callbacks push events
 *   into an AsyncChannel that this generator drains (async-channel.ts).
 * - `request.signal` aborts the generation (node-llama-cpp stops at the next
 *   token) and the stream throws the signal's reason, like the other
 *   engines. A consumer that stops iterating early also stops the generation.
 *   A sequence is handed to the next request only once llama.cpp has really
 *   stopped using it.
 * - Without node-llama-cpp installed, every request fails with 503 naming the
 *   package to install.
 *
 * See generate.ts for tools and structured output, convert-prompt.ts for the
 * prompt, grammar.ts for JSON Schema support.
 */
import { ApiError } from '../../errors/api-error.js';
import type { Provider, ProviderEvent, ProviderRequest } from '../types.js';
import { AsyncChannel } from './async-channel.js';
import { generate } from './generate.js';
import { grammarGaps } from './grammar.js';
import type { GpuSetting } from './llama-api.js';
import { createModelHandle, type ModelState } from './load-model.js';
import { abortReason, createSlotQueue } from './queue.js';
import { createLlamaEmbeddings } from './embed.js';

export interface LlamaCppProviderOptions {
  /** Path of the GGUF model file. */
  modelPath: string;
  /** Context window in tokens; default min(4096, the model's training context). Shared by the `parallel` sequences. */
  contextSize?: number;
  /** Requests that may wait for a free sequence before new ones get 503; default 16. */
  maxQueue?: number;
  /** Sequences generating at once; default 1. */
  parallel?: number;
  /** false (default): CPU only. true: the best GPU llama.cpp finds (CUDA, Vulkan, Metal), else CPU. */
  gpu?: boolean | 'cuda' | 'vulkan' | 'metal';
  /** CPU threads for evaluation; default the machine's math cores (node-llama-cpp's `cpuMathCores`). */
  threads?: number;
  /** Replaces `import('node-llama-cpp')`; for tests. */
  importModule?: () => Promise<unknown>;
  /** Offer embeddings from the same model (embed.ts); default false. */
  embeddings?: boolean;
}

export interface LlamaCppProvider extends Provider {
  readonly name: 'llama-cpp';
  /** Loads the model now (e.g. at start-up) instead of on the first request. */
  load(): Promise<void>;
  /** Frees the model and its context; call on shutdown. Later requests get 503. */
  close(): Promise<void>;
  /** Loads started, whether the model is loaded, generations running and waiting. */
  stats(): { loads: number; loaded: boolean; running: number; waiting: number };
  /** Whether the model can serve: loaded, loading, its last load failed (with why), never asked for, closed. */
  state(): { state: ModelState; error?: string };
}

export function createLlamaCppProvider(options: LlamaCppProviderOptions): LlamaCppProvider {
  const parallel = options.parallel ?? 1;
  const maxQueue = options.maxQueue ?? 16;
  const gpu: GpuSetting = options.gpu === true ? 'auto' : (options.gpu ?? false);
  const queue = createSlotQueue(parallel, maxQueue);
  const handle = createModelHandle({
    modelPath: options.modelPath,
    parallel,
    gpu,
    ...(options.contextSize !== undefined ? { contextSize: options.contextSize } : {}),
    ...(options.threads !== undefined ? { threads: options.threads } : {}),
    ...(options.importModule ? { importModule: options.importModule } : {}),
  });

  const embeddings = options.embeddings ? createLlamaEmbeddings(() => handle.get(), options.threads !== undefined ? { threads: options.threads } : {}) : undefined;

  async function* stream(req: ProviderRequest): AsyncGenerator<ProviderEvent, void, undefined> {
    if (req.signal.aborted) throw abortReason(req.signal);
    const lease = await queue.acquire(req.signal);
    const controller = new AbortController();
    const channel = new AsyncChannel<ProviderEvent>();
    const onAbort = (): void => {
      controller.abort(req.signal.reason);
      channel.fail(abortReason(req.signal));
    };
    req.signal.addEventListener('abort', onAbort, { once: true });
    let run: Promise<void> | undefined;
    try {
      const model = await untilAborted(handle.get(), req.signal);
      const chat = model.chats[lease.slot];
      if (!chat) throw new ApiError('internal_error', 'The local model engine has no sequence for this slot.');
      run = generate(model, chat, req, controller.signal, (e) => channel.push(e)).then(
        () => channel.close(),
        (err: unknown) => channel.fail(req.signal.aborted ? abortReason(req.signal) : handle.closed ? shutDown(err) : err),
      );
      yield* channel;
      if (req.signal.aborted) throw abortReason(req.signal);
    } finally {
      req.signal.removeEventListener('abort', onAbort);
      // Stops a generation the consumer walked away from; a no-op once it finished.
      controller.abort();
      if (run) void run.finally(() => lease.release());
      else lease.release();
    }
  }

  return {
    name: 'llama-cpp',
    // The grammar enforces most of JSON Schema; what it cannot, the router validates and repairs (grammar.ts).
    capabilities: { jsonSchema: true, enforcesAll: (schema) => grammarGaps(schema).length === 0 },
    ...(embeddings ? { embeddings } : {}),
    stream,
    async load() {
      await handle.get();
    },
    close: async () => {
      await embeddings?.close();
      await handle.close();
    },
    stats: () => ({ loads: handle.loads, loaded: handle.loaded, running: queue.running, waiting: queue.waiting }),
    state: () => ({ state: handle.state, ...(handle.error !== undefined ? { error: handle.error } : {}) }),
  };
}

/** A generation cut short by close(): node-llama-cpp throws DisposedError. */
function shutDown(err: unknown): ApiError {
  return err instanceof ApiError ? err : new ApiError('service_unavailable', 'The local model engine is shut down.', { cause: err });
}

/** The promise, or the signal's reason as soon as it aborts (the promise keeps going). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}

export { checkModelFile, createModelHandle, engineInstalled, INSTALL_ENGINE_COMMAND, MISSING_PACKAGE_MESSAGE, NODE_LLAMA_CPP_VERSION, DEFAULT_CONTEXT_SIZE } from './load-model.js';
export { createSlotQueue } from './queue.js';
export { convertPrompt, renderToolCall, renderToolResponse } from './convert-prompt.js';
export { toGrammarSchema } from './grammar.js';
export { mapFinishReason } from './map-finish-reason.js';
export { DEFAULT_TEMPERATURE, DEFAULT_TOP_P } from './generate.js';
