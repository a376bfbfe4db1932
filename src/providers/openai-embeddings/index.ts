/**
 * Embeddings over OpenAI-compatible `POST {baseURL}/embeddings`: OpenAI,
 * vLLM, llama.cpp server, LM Studio, Ollama's /v1 and any server that speaks
 * it. Errors map as the Chat Completions backend's do (429/5xx retryable
 * 503s, the key never echoed).
 */
import type { EmbeddingRequest, EmbeddingResult, Embeddings } from '../types.js';
import { clientOf, type ClientOptions } from '../../util/upstream-client.js';
import { bearerJsonHeaders } from '../../util/upstream-http.js';
import { postJson } from '../../util/upstream-json.js';
import { countTokens } from '../../util/tokens.js';
import { mapConnectionError, mapReadError, mapUpstreamHttpError, type UpstreamContext } from '../openai-chat/map-upstream-error.js';
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
  const ctx: UpstreamContext = { url, model: options.model };
  if (options.apiKey) ctx.apiKey = options.apiKey;
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
        connectionError: (err) => mapConnectionError(err, ctx),
        httpError: (status, h, text) => mapUpstreamHttpError(status, h, text, ctx),
        readError: (err) => mapReadError(err, ctx),
      });
      const { vectors, promptTokens } = decodeEmbeddings(reply, req.input.length);
      return { vectors, inputTokens: promptTokens ?? req.input.reduce((n, t) => n + countTokens(t), 0) };
    },
  };
}
