/**
 * The one shared model of a llama-cpp provider: node-llama-cpp is imported,
 * llama.cpp's backend started (once per process, see startLlama), the GGUF
 * file loaded and one context with `parallel` sequences created — lazily, on
 * first use, exactly once. Concurrent first
 * requests wait on the same load; a failed load is forgotten so the next
 * request tries again (e.g. after the file was put in place).
 *
 * Nothing is downloaded or built: `build: 'never'` makes node-llama-cpp use
 * the prebuilt binaries shipped in its platform packages
 * (@node-llama-cpp/linux-x64, …) or a local build made earlier with its CLI,
 * and throw NoBinaryFoundError otherwise.
 *
 * Nothing is disposed per request: each sequence has one LlamaChat that every
 * request on that sequence reuses (the KV cache keeps a shared prompt prefix).
 */
import { constants } from 'node:fs';
import { access, open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { ApiError } from '../../errors/api-error.js';
import type { GpuSetting, Llama, LlamaChat, LlamaContext, LlamaGrammar, LlamaModel, LlamaModule, TokenBias } from './llama-api.js';
import { invalidUtf8ByteTokens } from './utf8-guard.js';

export const NODE_LLAMA_CPP_VERSION = '3.21.1';

/** The one command that adds the local model engine (not installed by default: its prebuilt binaries are ~680 MB). */
export const INSTALL_ENGINE_COMMAND = `npm install node-llama-cpp@${NODE_LLAMA_CPP_VERSION}`;

export const MISSING_PACKAGE_MESSAGE = `The local model engine is not installed (node-llama-cpp, opt-in): ${INSTALL_ENGINE_COMMAND}`;

/**
 * Whether node-llama-cpp can be imported from here (resolved, not loaded: the
 * load starts llama.cpp). An install that is there but broken still fails at
 * its load, with the reason.
 */
export function engineInstalled(): boolean {
  try {
    import.meta.resolve('node-llama-cpp');
    return true;
  } catch {
    return false;
  }
}

/** Default context window (tokens), capped by the model's training context. */
export const DEFAULT_CONTEXT_SIZE = 4096;

export interface LoadModelOptions {
  modelPath: string;
  contextSize?: number;
  /** Number of sequences (parallel generations) in the context. */
  parallel: number;
  gpu: GpuSetting;
  threads?: number;
  /** Replaces `import('node-llama-cpp')` (tests). */
  importModule?: () => Promise<unknown>;
}

export interface LoadedModel {
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
  /** One chat per sequence, indexed by queue slot. */
  chats: LlamaChat[];
  contextSize: number;
  /** Tokens never sampled (utf8-guard.ts); absent when the vocabulary has none to ban. */
  tokenBias?: TokenBias;
  /** Grammar for a JSON Schema (or `'json'` for any JSON), compiled once per schema. */
  grammar(key: string, make: () => Promise<LlamaGrammar>): Promise<LlamaGrammar>;
}

export type ModelState = 'idle' | 'loading' | 'loaded' | 'failed' | 'closed';

export interface ModelHandle {
  /** The loaded model; loads it on first call. */
  get(): Promise<LoadedModel>;
  /** How many times a load was started (1 after any number of successful concurrent gets). */
  readonly loads: number;
  readonly loaded: boolean;
  readonly closed: boolean;
  /** Where the model is: never asked for, loading, loaded, its last load failed (the next get tries again), or closed. */
  readonly state: ModelState;
  /** Why the last load failed (a client-safe message), while `state` is 'failed'. */
  readonly error: string | undefined;
  /** Frees the model and its context; later `get()`s fail with service_unavailable. */
  close(): Promise<void>;
}

const GRAMMAR_CACHE_LIMIT = 64;

export function createModelHandle(options: LoadModelOptions): ModelHandle {
  let pending: Promise<LoadedModel> | undefined;
  let loaded: LoadedModel | undefined;
  let loads = 0;
  let closed = false;
  let failure: string | undefined;

  async function load(): Promise<LoadedModel> {
    const mod = await importLlamaModule(options.importModule);
    try {
      await access(options.modelPath, constants.R_OK);
    } catch (err) {
      throw new ApiError(
        'service_unavailable',
        `The local model engine could not load its model (${basename(options.modelPath)}): the file is missing or unreadable.`,
        { cause: err },
      );
    }
    const llama = await startLlama(mod, options.gpu, options.threads);
    let model: LlamaModel | undefined;
    try {
      model = await llama.loadModel({ modelPath: options.modelPath, ...(options.gpu === false ? { gpuLayers: 0 } : {}) });
      const contextSize = options.contextSize ?? Math.min(DEFAULT_CONTEXT_SIZE, model.trainContextSize);
      // Without a thread count llama.cpp uses max(4, CPU math cores), which
      // oversubscribes small machines: on 2 vCPUs that is ~100× slower.
      const threads = options.threads ?? Math.max(1, llama.cpuMathCores);
      const context = await model.createContext({ contextSize, sequences: options.parallel, threads });
      const chats: LlamaChat[] = [];
      for (let i = 0; i < options.parallel; i++) chats.push(new mod.LlamaChat({ contextSequence: context.getSequence() }));
      const grammars = new Map<string, Promise<LlamaGrammar>>();
      const banned = invalidUtf8ByteTokens(model);
      return {
        llama,
        model,
        context,
        chats,
        contextSize: context.contextSize,
        ...(banned.length > 0 ? { tokenBias: new mod.TokenBias(model.tokenizer).set(banned, 'never') } : {}),
        grammar(key, make) {
          let g = grammars.get(key);
          if (!g) {
            g = make();
            g.catch(() => grammars.delete(key));
            if (grammars.size >= GRAMMAR_CACHE_LIMIT) grammars.delete(grammars.keys().next().value as string);
            grammars.set(key, g);
          }
          return g;
        },
      };
    } catch (err) {
      await model?.dispose().catch(() => {});
      throw new ApiError(
        'service_unavailable',
        `The local model engine could not load its model (${basename(options.modelPath)}): ${reasonOf(err)}`,
        { cause: err },
      );
    }
  }

  return {
    get(): Promise<LoadedModel> {
      if (closed) return Promise.reject(new ApiError('service_unavailable', 'The local model engine is shut down.'));
      if (!pending) {
        loads++;
        const p = load().then(
          (m) => {
            if (closed) {
              void m.model.dispose().catch(() => {});
              throw new ApiError('service_unavailable', 'The local model engine is shut down.');
            }
            loaded = m;
            failure = undefined;
            return m;
          },
          (err: unknown) => {
            if (pending === p) {
              pending = undefined;
              failure = err instanceof Error ? err.message : String(err);
            }
            throw err;
          },
        );
        pending = p;
      }
      return pending;
    },
    get loads() {
      return loads;
    },
    get loaded() {
      return loaded !== undefined;
    },
    get closed() {
      return closed;
    },
    get state(): ModelState {
      return closed ? 'closed' : loaded ? 'loaded' : pending ? 'loading' : failure !== undefined ? 'failed' : 'idle';
    },
    get error() {
      return closed || loaded || pending ? undefined : failure;
    },
    async close(): Promise<void> {
      closed = true;
      const p = pending;
      pending = undefined;
      loaded = undefined;
      if (!p) return;
      const m = await p.catch(() => undefined);
      // Disposing the model disposes its context (and sequences) too.
      if (m && !m.model.disposed) await m.model.dispose();
    },
  };
}

/**
 * Why `modelPath` cannot be a model, or undefined when it may be: it must be
 * a readable file starting with the GGUF magic. Checked at start, so that a
 * wrong path fails there, not at the first request.
 */
export async function checkModelFile(modelPath: string): Promise<string | undefined> {
  let file: FileHandle | undefined;
  try {
    file = await open(modelPath, 'r');
    if (!(await file.stat()).isFile()) return 'is not a file';
    const head = Buffer.alloc(4);
    const { bytesRead } = await file.read(head, 0, 4, 0);
    if (bytesRead < 4 || head.toString('latin1') !== 'GGUF') return "is not a GGUF model file (it does not start with 'GGUF')";
    return undefined;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    return code === 'ENOENT' ? 'does not exist' : code === 'EACCES' || code === 'EPERM' ? 'cannot be read (permission denied)' : code === 'EISDIR' ? 'is not a file' : `cannot be read (${String(code ?? err)})`;
  } finally {
    await file?.close();
  }
}

/**
 * One llama.cpp backend per process (per GPU/thread setting): starting it
 * tests the prebuilt binary in a child process, which takes a while, and
 * providers share it. It lives as long as the process; `close()` frees a
 * provider's model and context, which hold the memory.
 */
const backends = new WeakMap<LlamaModule, Map<string, Promise<Llama>>>();

function startLlama(mod: LlamaModule, gpu: GpuSetting, threads: number | undefined): Promise<Llama> {
  let byKey = backends.get(mod);
  if (!byKey) backends.set(mod, (byKey = new Map()));
  const key = `${String(gpu)}|${threads ?? ''}`;
  let llama = byKey.get(key);
  if (!llama) {
    const started = mod
      .getLlama({
        gpu,
        build: 'never',
        skipDownload: true,
        progressLogs: false,
        logLevel: 'error',
        ...(threads !== undefined ? { maxThreads: threads } : {}),
      })
      .catch((err: unknown) => {
        byKey.delete(key);
        throw new ApiError(
          'service_unavailable',
          'The local model engine could not start llama.cpp on this platform (no usable prebuilt binary).',
          { cause: err },
        );
      });
    byKey.set(key, started);
    llama = started;
  }
  return llama.then((l) => {
    if (!l.disposed) return l;
    byKey.delete(key);
    return startLlama(mod, gpu, threads);
  });
}

async function importLlamaModule(importModule: (() => Promise<unknown>) | undefined): Promise<LlamaModule> {
  // A variable specifier keeps TypeScript from resolving the optional package at build time.
  const specifier = 'node-llama-cpp';
  let mod: unknown;
  try {
    mod = await (importModule ? importModule() : import(specifier));
  } catch (err) {
    if (isModuleNotFound(err)) throw new ApiError('service_unavailable', MISSING_PACKAGE_MESSAGE, { cause: err });
    throw new ApiError('service_unavailable', `The local model engine could not load node-llama-cpp: ${reasonOf(err)}`, { cause: err });
  }
  const m = mod as Partial<LlamaModule> | null;
  if (!m || typeof m.getLlama !== 'function' || typeof m.LlamaChat !== 'function' || typeof m.TokenBias !== 'function') {
    throw new ApiError('service_unavailable', MISSING_PACKAGE_MESSAGE);
  }
  return m as LlamaModule;
}

function isModuleNotFound(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND';
}

function reasonOf(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  // Keep server paths out of client-facing messages.
  return message.replace(/(?:[A-Za-z]:)?[\\/][^\s'"]+/g, (p) => basename(p)).slice(0, 300);
}
