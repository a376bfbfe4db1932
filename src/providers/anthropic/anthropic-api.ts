/**
 * What the Anthropic Messages API sends back, as zod schemas.
 *
 * Only the fields the provider reads are declared, loosely (nullish), so that
 * new fields, new content block types (thinking, server tools, …) and proxies
 * that drop or null fields do not break decoding. Unknown keys are stripped.
 *
 * Upstream bytes are untrusted: use `parseJson` (re-exported from
 * src/util/parse-json.ts), which never throws.
 */
import { z } from 'zod';

export { parseJson } from '../../util/parse-json.js';

const optString = z.string().nullish();
const optNumber = z.number().nullish();

/** `usage` in `message_start.message`, `message_delta` and non-streaming messages (cumulative counts). */
export const anthropicUsageSchema = z.object({
  input_tokens: optNumber,
  output_tokens: optNumber,
  cache_creation_input_tokens: optNumber,
  cache_read_input_tokens: optNumber,
});
export type AnthropicUsage = z.infer<typeof anthropicUsageSchema>;

/** A content block as `content_block_start` announces it, or as a non-streaming message holds it. */
export const anthropicContentBlockSchema = z.object({
  type: z.string(),
  text: optString,
  id: optString,
  name: optString,
  input: z.unknown().optional(),
});
export type AnthropicContentBlock = z.infer<typeof anthropicContentBlockSchema>;

export const messageStartSchema = z.object({
  type: z.literal('message_start'),
  message: z
    .object({
      id: optString,
      model: optString,
      usage: anthropicUsageSchema.nullish(),
    })
    .nullish(),
});

export const contentBlockStartSchema = z.object({
  type: z.literal('content_block_start'),
  index: z.number(),
  content_block: anthropicContentBlockSchema,
});

export const contentBlockDeltaSchema = z.object({
  type: z.literal('content_block_delta'),
  index: z.number(),
  delta: z.object({
    type: z.string(),
    text: optString,
    partial_json: optString,
  }),
});

export const contentBlockStopSchema = z.object({
  type: z.literal('content_block_stop'),
  index: z.number(),
});

export const messageDeltaSchema = z.object({
  type: z.literal('message_delta'),
  delta: z
    .object({
      stop_reason: optString,
      stop_sequence: optString,
    })
    .nullish(),
  usage: anthropicUsageSchema.nullish(),
});

/** A whole (non-streaming) message: what a proxy that ignores `stream: true` answers. */
export const anthropicMessageSchema = z.object({
  type: z.literal('message'),
  id: optString,
  model: optString,
  content: z.array(anthropicContentBlockSchema),
  stop_reason: optString,
  usage: anthropicUsageSchema.nullish(),
});
export type AnthropicMessage = z.infer<typeof anthropicMessageSchema>;

/** `{type:'error', error:{type, message}}`: HTTP error bodies and in-stream `error` events. */
export const anthropicErrorBodySchema = z.object({
  type: optString,
  error: z
    .union([
      z.string(),
      z.object({
        type: optString,
        message: optString,
      }),
    ])
    .nullish(),
  message: optString,
});

export interface AnthropicErrorInfo {
  /** `invalid_request_error`, `overloaded_error`, … */
  type?: string;
  message?: string;
}

/** The error type and message of an Anthropic error body; undefined when the shape is not recognizable. */
export function extractAnthropicError(value: unknown): AnthropicErrorInfo | undefined {
  const parsed = anthropicErrorBodySchema.safeParse(value);
  if (!parsed.success) return undefined;
  const body = parsed.data;
  const info: AnthropicErrorInfo = {};
  if (typeof body.error === 'string') info.message = body.error;
  else if (body.error) {
    if (body.error.type) info.type = body.error.type;
    if (body.error.message) info.message = body.error.message;
  }
  if (info.message === undefined && body.message) info.message = body.message;
  return Object.keys(info).length > 0 ? info : undefined;
}
