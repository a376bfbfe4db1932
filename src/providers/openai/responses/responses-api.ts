/**
 * What an OpenAI Responses API server sends back (stream events and Response
 * objects), as zod schemas.
 *
 * Only the fields the provider reads are declared, loosely (nullish): OpenAI
 * and the servers that imitate it (vLLM, Ollama, LM Studio, proxies) differ in
 * which fields they send and whether they send `null`. Unknown keys are
 * stripped; unknown event types are never parsed at all.
 *
 * Upstream bytes are untrusted: use `parseJson` (re-exported from
 * src/util/parse-json.ts), which never throws.
 */
import { z } from 'zod';

export { parseJson } from '../../../util/parse-json.js';

const optString = z.string().nullish();
const optNumber = z.number().nullish();

export const responsesUsageSchema = z.object({
  input_tokens: optNumber,
  output_tokens: optNumber,
  input_tokens_details: z.object({ cached_tokens: optNumber }).nullish(),
  output_tokens_details: z.object({ reasoning_tokens: optNumber }).nullish(),
});
export type ResponsesUsage = z.infer<typeof responsesUsageSchema>;

/** An output item: message, function_call, reasoning, hosted tool calls, … (only message and function_call are read). */
export const outputItemSchema = z.object({
  type: z.string(),
  id: optString,
  call_id: optString,
  name: optString,
  arguments: z.union([z.string(), z.record(z.string(), z.unknown())]).nullish(),
  status: optString,
  content: z
    .array(
      z.object({
        type: z.string(),
        text: optString,
        refusal: optString,
      }),
    )
    .nullish(),
});
export type OutputItem = z.infer<typeof outputItemSchema>;

export const responseErrorSchema = z.object({
  code: z.union([z.string(), z.number()]).nullish(),
  message: optString,
  type: optString,
  param: optString,
});
export type ResponseError = z.infer<typeof responseErrorSchema>;

/** A Response object: in terminal events, or a whole non-streaming body. */
export const responseObjectSchema = z.object({
  id: optString,
  object: optString,
  status: optString,
  model: optString,
  output: z.array(outputItemSchema).nullish(),
  usage: responsesUsageSchema.nullish(),
  incomplete_details: z.object({ reason: optString }).nullish(),
  error: responseErrorSchema.nullish(),
});
export type ResponseObject = z.infer<typeof responseObjectSchema>;

export const textDeltaEventSchema = z.object({
  item_id: optString,
  output_index: optNumber,
  delta: z.string(),
});

export const outputItemEventSchema = z.object({
  output_index: optNumber,
  item: outputItemSchema,
});

export const argumentsDeltaEventSchema = z.object({
  item_id: optString,
  output_index: optNumber,
  delta: z.string(),
});

export const argumentsDoneEventSchema = z.object({
  item_id: optString,
  output_index: optNumber,
  name: optString,
  arguments: optString,
});

export const terminalEventSchema = z.object({
  response: responseObjectSchema,
});

/** `event: error`: OpenAI puts code/message/param at the top level; some servers nest them under `error`. */
export const errorEventSchema = responseErrorSchema.extend({
  error: z.union([z.string(), responseErrorSchema]).nullish(),
});
