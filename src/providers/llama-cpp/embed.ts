/**
 * Embeddings from the local GGUF model (node-llama-cpp's embedding context):
 * created once, on the first call, beside the generation context, and used
 * by one call at a time (a context evaluates one input at once). A model
 * made for embeddings (nomic-embed, bge, …) gives meaningful vectors; a chat
 * model gives its pooled hidden state, which SSR can use but less well.
 * Tokens are the model's own count of each input.
 */
import { ApiError } from '../../errors/api-error.js';
import type { EmbeddingRequest, EmbeddingResult, Embeddings } from '../types.js';
import type { LlamaEmbeddingContext } from './llama-api.js';
import type { LoadedModel } from './load-model.js';
import { abortReason } from './queue.js';

export function createLlamaEmbeddings(model: () => Promise<LoadedModel>, options: { threads?: number } = {}): Embeddings & { close(): Promise<void> } {
  let context: Promise<LlamaEmbeddingContext> | undefined;
  let chain: Promise<unknown> = Promise.resolve();

  const contextOf = (m: LoadedModel): Promise<LlamaEmbeddingContext> => {
    if (!context) {
      const made = m.model.createEmbeddingContext({ contextSize: m.contextSize, threads: options.threads ?? Math.max(1, m.llama.cpuMathCores) });
      made.catch(() => {
        if (context === made) context = undefined;
      });
      context = made;
    }
    return context;
  };

  async function run(req: EmbeddingRequest): Promise<EmbeddingResult> {
    const m = await model();
    const ctx = await contextOf(m);
    const vectors: number[][] = [];
    let tokens = 0;
    for (const text of req.input) {
      if (req.signal.aborted) throw abortReason(req.signal);
      const counted = m.model.tokenize(text).length;
      if (counted > m.contextSize) throw new ApiError('invalid_request', `A text to embed has ${counted} tokens; the local model's context holds ${m.contextSize}.`);
      tokens += counted;
      vectors.push(Array.from((await ctx.getEmbeddingFor(text)).vector));
    }
    return { vectors, inputTokens: tokens };
  }

  return {
    available: () => true,
    embed(req) {
      const next = chain.then(() => run(req));
      chain = next.catch(() => undefined);
      return next;
    },
    async close() {
      const c = context;
      context = undefined;
      const ctx = await c?.catch(() => undefined);
      if (ctx && !ctx.disposed) await ctx.dispose().catch(() => {});
    },
  };
}
