/**
 * The wire shapes of OpenAI-compatible `POST {baseURL}/embeddings` (OpenAI,
 * vLLM, llama.cpp server, LM Studio, Ollama's /v1): only the fields used.
 *
 *   → { model, input: string[], encoding_format: "float" }
 *   ← { object: "list", data: [{ object: "embedding", index, embedding: number[] }], model,
 *       usage: { prompt_tokens, total_tokens } }
 *
 * `data` is put back in input order by `index` (servers may answer out of
 * order); a server that sends no usage is counted by the tokenizer.
 */
import { malformedUpstream } from '../../../util/upstream-errors.js';
import { checkVectors } from '../../http-backend/post-json.js';

export interface EmbeddingsBody {
  model: string;
  input: string[];
  encoding_format: 'float';
  dimensions?: number;
}

export function decodeEmbeddings(value: unknown, count: number): { vectors: number[][]; promptTokens: number | undefined } {
  const body = value as { data?: unknown; usage?: { prompt_tokens?: unknown } } | null;
  if (!body || typeof body !== 'object' || !Array.isArray(body.data)) throw malformedUpstream('an embeddings reply without a data list');
  if (body.data.length !== count) throw malformedUpstream(`an embeddings reply with ${body.data.length} embeddings for ${count} inputs`);
  const slots: unknown[] = new Array(count).fill(undefined);
  body.data.forEach((d: unknown, i: number) => {
    const item = d as { index?: unknown; embedding?: unknown } | null;
    const at = typeof item?.index === 'number' ? item.index : i;
    if (!Number.isInteger(at) || at < 0 || at >= count || slots[at] !== undefined) throw malformedUpstream('an embeddings reply whose indexes do not match the inputs');
    if (typeof item?.embedding === 'string') throw malformedUpstream('base64 embeddings although float was asked for');
    slots[at] = item?.embedding;
  });
  const tokens = body.usage?.prompt_tokens;
  return { vectors: checkVectors(slots, count, 'an embeddings reply'), promptTokens: typeof tokens === 'number' && Number.isFinite(tokens) && tokens >= 0 ? tokens : undefined };
}
