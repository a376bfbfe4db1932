/**
 * What an OpenAI-compatible Chat Completions server sends back, as zod schemas.
 *
 * Only the fields the provider reads are declared, and they are declared
 * loosely: OpenAI, Ollama, vLLM, llama.cpp server and LM Studio all send
 * `null` where others omit a field, add vendor keys (`reasoning_content`,
 * `timings`, `obfuscation`, …) and occasionally leave out `index`/`id`. Unknown
 * keys are stripped (zod's default); missing or null fields become undefined.
 *
 * Upstream bytes are untrusted: `parseJson` (re-exported from
 * src/util/parse-json.ts) never throws.
 */
import { z } from 'zod';

const optString = z.string().nullish();
const optNumber = z.number().nullish();

export const chatUsageSchema = z.object({
  prompt_tokens: optNumber,
  completion_tokens: optNumber,
  total_tokens: optNumber,
  prompt_tokens_details: z.object({ cached_tokens: optNumber }).nullish(),
  completion_tokens_details: z.object({ reasoning_tokens: optNumber }).nullish(),
});
export type ChatUsage = z.infer<typeof chatUsageSchema>;

/** One entry of `delta.tool_calls` in a streamed chunk. */
export const chatToolCallDeltaSchema = z.object({
  index: optNumber,
  id: optString,
  type: optString,
  function: z
    .object({
      name: optString,
      // Some servers send already-parsed objects here; accept and re-serialize later.
      arguments: z.union([z.string(), z.record(z.string(), z.unknown())]).nullish(),
    })
    .nullish(),
});
export type ChatToolCallDelta = z.infer<typeof chatToolCallDeltaSchema>;

export const chatChunkSchema = z.object({
  id: optString,
  model: optString,
  choices: z
    .array(
      z.object({
        index: optNumber,
        delta: z
          .object({
            role: optString,
            content: optString,
            refusal: optString,
            tool_calls: z.array(chatToolCallDeltaSchema).nullish(),
          })
          .nullish(),
        finish_reason: optString,
      }),
    )
    .nullish(),
  usage: chatUsageSchema.nullish(),
});
export type ChatChunk = z.infer<typeof chatChunkSchema>;

/** A non-streaming `chat.completion` (what a server answers when it ignores `stream: true`). */
export const chatCompletionSchema = z.object({
  id: optString,
  model: optString,
  choices: z.array(
    z.object({
      index: optNumber,
      message: z
        .object({
          role: optString,
          content: optString,
          refusal: optString,
          tool_calls: z
            .array(
              z.object({
                id: optString,
                type: optString,
                function: z
                  .object({
                    name: optString,
                    arguments: z.union([z.string(), z.record(z.string(), z.unknown())]).nullish(),
                  })
                  .nullish(),
              }),
            )
            .nullish(),
        })
        .nullish(),
      finish_reason: optString,
    }),
  ),
  usage: chatUsageSchema.nullish(),
});
export type ChatCompletion = z.infer<typeof chatCompletionSchema>;

export { parseJson } from '../../../util/parse-json.js';
