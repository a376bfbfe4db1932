/**
 * Embeddings over OpenAI-compatible `POST {baseURL}/embeddings`: OpenAI,
 * vLLM, llama.cpp server, LM Studio, Ollama's /v1 and any server that speaks
 * it. Errors map as the Chat Completions backend's do (429/5xx retryable
 * 503s, the key never echoed).
 */
import { countTokens } from '../../../util/tokens.js';
import { type ClientOptions, clientOf } from '../../../util/upstream-client.js';
import { bearerJsonHeaders } from '../../http-backend/index.js';
import { postJson } from '../../http-backend/post-json.js';
import type { EmbeddingRequest, EmbeddingResult, Embeddings } from '../../types.js';
import { openAIErrors, upstreamContext } from '../errors.js';
import { decodeEmbeddings, type EmbeddingsBody } from './embeddings-api.js';

export interface OpenAIEmbeddingsOptions extends ClientOptions {
  /** Base URL ending in /v1, e.g. https://api.openai.com/v1. */
  baseURL: string;
  apiKey?: string;
  /** The embedding model, e.g. text-embedding-3-small, nomic-embed-text. */
  model: string;
  headers?: Record<string, string>;
  /** Output dimensions, for models that take `dimensions` (text-embedding-3-*). */
  dimensions?: number;
}

export function createOpenAIEmbeddings(options: OpenAIEmbeddingsOptions): Embeddings {
  const url = `${options.baseURL.replace(/\/+$/, '')}/embeddings`;
  const client = clientOf(options);
  const errors = openAIErrors(upstreamContext(url, options.model, options.apiKey));
  return {
    available: () => true,
    async embed(req: EmbeddingRequest): Promise<EmbeddingResult> {
      const body: EmbeddingsBody = { model: options.model, input: req.input, encoding_format: 'float', ...(options.dimensions !== undefined ? { dimensions: options.dimensions } : {}) };
      const headers = bearerJsonHeaders(options.headers, options.apiKey);
      headers.accept = 'application/json';
      const reply = await postJson({
        client,
        url,
        headers,
        body,
        signal: req.signal,
        ...errors,
      });
      const { vectors, promptTokens } = decodeEmbeddings(reply, req.input.length);
      return { vectors, inputTokens: promptTokens ?? req.input.reduce((n, t) => n + countTokens(t), 0) };
    },
  };
}
