/**
 * Ollama's native embeddings, `POST {baseURL}/api/embed` (Ollama ≥ 0.3):
 *
 *   → { model, input: string[], truncate: true }
 *   ← { model, embeddings: number[][], total_duration, load_duration, prompt_eval_count }
 *
 * `baseURL` is Ollama's root (http://127.0.0.1:11434), not its OpenAI-compatible /v1
 * (a /v1 suffix is dropped). Chat goes through the OpenAI-compatible backend; this
 * folder holds only what Ollama does differently. Errors map as the OpenAI-compatible
 * backends' do (../openai/errors.ts; Ollama answers `{error: "…"}`).
 */
import { countTokens } from '../../util/tokens.js';
import { type ClientOptions, clientOf } from '../../util/upstream-client.js';
import { malformedUpstream } from '../../util/upstream-errors.js';
import { bearerJsonHeaders } from '../http-backend/index.js';
import { checkVectors, postJson } from '../http-backend/post-json.js';
import { openAIErrors, upstreamContext } from '../openai/errors.js';
import type { EmbeddingRequest, EmbeddingResult, Embeddings } from '../types.js';

export interface OllamaEmbeddingsOptions extends ClientOptions {
  /** Ollama's root URL, e.g. http://127.0.0.1:11434 (a trailing /v1 is dropped). */
  baseURL: string;
  model: string;
  apiKey?: string;
  headers?: Record<string, string>;
}

/** Ollama's root URL from a base URL that may be its OpenAI-compatible /v1. */
export const ollamaRoot = (baseURL: string) => baseURL.replace(/\/+$/, '').replace(/\/v1$/, '');

export function createOllamaEmbeddings(options: OllamaEmbeddingsOptions): Embeddings {
  const url = `${ollamaRoot(options.baseURL)}/api/embed`;
  const client = clientOf(options);
  const errors = openAIErrors(upstreamContext(url, options.model, options.apiKey));
  return {
    available: () => true,
    async embed(req: EmbeddingRequest): Promise<EmbeddingResult> {
      const headers = bearerJsonHeaders(options.headers, options.apiKey);
      headers.accept = 'application/json';
      const reply = (await postJson({
        client,
        url,
        headers,
        body: { model: options.model, input: req.input, truncate: true },
        signal: req.signal,
        ...errors,
      })) as { embeddings?: unknown; prompt_eval_count?: unknown } | null;
      if (!reply || typeof reply !== 'object' || !Array.isArray(reply.embeddings)) throw malformedUpstream('an /api/embed reply without embeddings');
      const vectors = checkVectors(reply.embeddings, req.input.length, 'an /api/embed reply');
      const counted = reply.prompt_eval_count;
      return { vectors, inputTokens: typeof counted === 'number' && Number.isFinite(counted) && counted >= 0 ? counted : req.input.reduce((n, t) => n + countTokens(t), 0) };
    },
  };
}
