/** zod descriptions of what the API returns, for /openapi.json and response-shape tests. */
import { z } from 'zod';
import { ERRORS } from '../errors/registry.js';
import { PERSONA_CATEGORIES } from '../personas/persona-schema.js';

const usage = z.object({
  input_tokens: z.number().int(),
  input_tokens_details: z.object({ cached_tokens: z.number().int() }),
  output_tokens: z.number().int(),
  output_tokens_details: z.object({ reasoning_tokens: z.number().int() }),
  total_tokens: z.number().int(),
  credits_used: z.number().int().meta({ description: 'Credits this response costs (see docs/accounts-and-credits.md, Credits).' }),
});

const outputText = z.object({ type: z.literal('output_text'), text: z.string(), annotations: z.array(z.unknown()), logprobs: z.array(z.unknown()) });
const messageItem = z.object({
  type: z.literal('message'),
  id: z.string(),
  status: z.enum(['in_progress', 'completed', 'incomplete']),
  role: z.literal('assistant'),
  content: z.array(outputText),
});
const functionCall = z.object({
  type: z.literal('function_call'),
  id: z.string(),
  call_id: z.string(),
  name: z.string(),
  arguments: z.string(),
  status: z.enum(['in_progress', 'completed', 'incomplete']),
});

/** An echoed function tool: always complete (src/responses/prepare.ts convertTools). */
const echoedFunctionTool = z.strictObject({
  type: z.literal('function'),
  name: z.string(),
  description: z.string().nullable(),
  parameters: z.record(z.string(), z.unknown()).nullable(),
  strict: z.boolean(),
});
const echoedServerTool = z.object({ type: z.string() }).loose().meta({ description: 'A built-in server tool, as sent.' });
const echoedFormat = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text') }),
  z.strictObject({ type: z.literal('json_object') }),
  z.strictObject({ type: z.literal('json_schema'), name: z.string(), description: z.string().nullable(), schema: z.record(z.string(), z.unknown()), strict: z.boolean() }),
]);

export const responseObjectSchema = z.object({
  id: z.string(),
  object: z.literal('response'),
  created_at: z.number().int(),
  completed_at: z.number().int().nullable(),
  status: z.enum(['queued', 'in_progress', 'completed', 'failed', 'cancelled', 'incomplete']),
  error: z.object({ code: z.string(), message: z.string(), type: z.string() }).nullable(),
  incomplete_details: z.object({ reason: z.enum(['max_output_tokens', 'content_filter']) }).nullable(),
  instructions: z.string().nullable(),
  max_output_tokens: z.number().int().nullable(),
  max_tool_calls: z.number().int().nullable(),
  model: z.string(),
  output: z.array(z.discriminatedUnion('type', [messageItem, functionCall])),
  output_text: z.string(),
  parallel_tool_calls: z.boolean(),
  previous_response_id: z.string().nullable(),
  reasoning: z.object({ effort: z.string().nullable(), summary: z.string().nullable() }),
  store: z.boolean(),
  background: z.boolean(),
  temperature: z.number(),
  top_p: z.number(),
  presence_penalty: z.number(),
  frequency_penalty: z.number(),
  top_logprobs: z.number().int(),
  text: z.object({ format: echoedFormat, verbosity: z.string() }),
  tool_choice: z.unknown(),
  tools: z.array(z.union([echoedFunctionTool, echoedServerTool])).meta({ description: 'The request\'s tools: function tools complete and normalized (what the backends get), server tools as sent.' }),
  truncation: z.string(),
  usage: usage.nullable().meta({ description: 'Never null in a finished response.' }),
  service_tier: z.string(),
  safety_identifier: z.string().nullable(),
  prompt_cache_key: z.string().nullable(),
  user: z.string().nullable(),
  metadata: z.record(z.string(), z.string()),
  persona_id: z.string().nullable().meta({ description: 'Cohort: the persona that shaped this response.' }),
  persona_version: z.number().int().optional().meta({ description: 'Cohort: the version of the custom persona this response used (custom personas only).' }),
}).meta({ id: 'Response' });

export const personaSummarySchema = z.object({
  id: z.string(),
  object: z.literal('persona'),
  name: z.string(),
  category: z.enum(PERSONA_CATEGORIES),
  description: z.string(),
  is_custom: z.boolean(),
  is_expert: z.boolean(),
  created_at: z.number().int(),
  details: z.record(z.string(), z.unknown()).optional().meta({ description: 'The structured profile (single-persona reads only). The composed prompt is never returned.' }),
});

export const personaListSchema = z.object({
  object: z.literal('list'),
  data: z.array(personaSummarySchema),
  has_more: z.boolean(),
  next_cursor: z.string().optional(),
});

export const inputItemListSchema = z.object({
  object: z.literal('list'),
  data: z.array(z.record(z.string(), z.unknown())),
  first_id: z.string().nullable(),
  last_id: z.string().nullable(),
  has_more: z.boolean(),
});

export const deletedResponseSchema = z.object({ id: z.string(), object: z.literal('response'), deleted: z.literal(true) });

export const modelListSchema = z.object({
  object: z.literal('list'),
  data: z.array(z.object({ id: z.string(), object: z.literal('model'), created: z.number().int(), owned_by: z.string() })),
});

export const errorBodySchema = z.object({
  error: z.object({
    message: z.string(),
    type: z.string(),
    param: z.string().nullable(),
    code: z.enum(Object.keys(ERRORS) as [keyof typeof ERRORS, ...(keyof typeof ERRORS)[]]),
  }),
});
