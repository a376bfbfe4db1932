/**
 * The request schema of POST /v1/responses. The same zod schemas validate
 * requests and generate /openapi.json (src/openapi/document.ts), so the two
 * cannot drift. Nulls are removed before validation by `dropNulls`
 * (src/schemas/validate.ts), as clients send `null` for "unset".
 *
 * Unknown keys: the request itself and the objects that configure it (a
 * function tool, `tool_choice`, `text`, `text.format`) are strict: a key
 * nobody knows is a 400 naming it ("Unknown parameter: 'persona'."), since
 * a misspelt name would otherwise be dropped without a word (`persona` for
 * `persona_id`, `paramters` in a tool). Every parameter of OpenAI's
 * `responses.create` is known: the ones Cohort has no use for are accepted
 * and ignored (IGNORED below); the two whose loss would change the answer
 * (`conversation`, `prompt`) are refused when set. The conversation (input
 * items, content parts), `reasoning` and server tools (whose other keys are
 * settings) stay loose: clients echo output items with fields of their own,
 * and OpenAI keeps adding optional hints there.
 */
import { z } from 'zod';
import { SERVER_TOOL_TYPES } from '../server-tools/types.js';

export const MODEL_ID = 'mavera-1';

const effort = z.enum(['low', 'medium', 'high']);

export const inputTextPart = z.object({ type: z.literal('input_text'), text: z.string() });
export const outputTextPart = z.object({ type: z.literal('output_text'), text: z.string() });
export const refusalPart = z.object({ type: z.literal('refusal'), refusal: z.string() });
export const inputImagePart = z
  .object({
    type: z.literal('input_image'),
    image_url: z.string().min(1).optional(),
    file_id: z.string().min(1).optional(),
    detail: z.enum(['auto', 'low', 'high']).optional(),
  })
  .meta({ description: 'An image by URL (https or data:) or uploaded file id.' });
export const inputFilePart = z.object({
  type: z.literal('input_file'),
  file_id: z.string().optional(),
  file_url: z.string().optional(),
  filename: z.string().optional(),
  file_data: z.string().optional(),
});

export const contentPart = z.discriminatedUnion('type', [inputTextPart, outputTextPart, refusalPart, inputImagePart, inputFilePart]);

export const messageItem = z
  .object({
    type: z.literal('message'),
    id: z.string().optional(),
    role: z.enum(['user', 'assistant', 'system', 'developer']),
    content: z.union([z.string(), z.array(contentPart)]),
  })
  .meta({ id: 'InputMessage' });

export const functionCallItem = z
  .object({
    type: z.literal('function_call'),
    id: z.string().optional(),
    call_id: z.string().min(1),
    name: z.string().min(1),
    arguments: z.string(),
  })
  .meta({ id: 'FunctionCallItem' });

export const functionCallOutputItem = z
  .object({
    type: z.literal('function_call_output'),
    id: z.string().optional(),
    call_id: z.string().min(1),
    output: z.union([z.string(), z.array(contentPart)]),
  })
  .meta({ id: 'FunctionCallOutputItem' });

export const itemReference = z
  .object({ type: z.literal('item_reference'), id: z.string().min(1) })
  .meta({ id: 'ItemReference', description: 'Refers to an output item of a stored response.' });

export const reasoningItem = z
  .object({ type: z.literal('reasoning'), id: z.string().optional(), summary: z.array(z.unknown()).optional() })
  .meta({ description: 'Accepted for compatibility with clients that echo reasoning items; not sent upstream.' });

export const inputItem = z.preprocess(
  (v) => (v !== null && typeof v === 'object' && !Array.isArray(v) && !('type' in v) && 'role' in v ? { ...v, type: 'message' } : v),
  z.discriminatedUnion('type', [messageItem, functionCallItem, functionCallOutputItem, itemReference, reasoningItem]),
);

const jsonSchemaObject = z.record(z.string(), z.unknown());

/** Accepted for compatibility and ignored: no backend does anything with it. */
const ignored = (what = 'Accepted for compatibility; ignored.') => z.unknown().optional().meta({ description: what });

export const functionTool = z
  .strictObject({
    type: z.literal('function'),
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, underscores or dashes'),
    description: z.string().optional(),
    parameters: jsonSchemaObject.optional(),
    strict: z.boolean().optional().meta({
      description:
        'Default: true when the parameters schema is strict-compatible as it stands (every property required; additionalProperties false is added), else false. See docs/api.md, Function tools.',
    }),
    // OpenAI's tool-search and programmatic-calling hints.
    defer_loading: ignored(),
    allowed_callers: ignored(),
    output_schema: ignored(),
    async: ignored(),
  })
  .meta({ id: 'FunctionTool', description: 'A flat function tool: name, description and parameters are top-level.' });

export const serverTool = z
  .object({ type: z.enum(SERVER_TOOL_TYPES) })
  .loose()
  .meta({ id: 'ServerTool', description: 'A built-in tool the server runs itself; other keys are its settings. Results are listed in server_tool_calls.' });

export const tool = z.discriminatedUnion('type', [functionTool, serverTool]);

export const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.strictObject({ type: z.literal('function'), name: z.string().min(1) }),
  z.strictObject({
    type: z.literal('allowed_tools'),
    mode: z.enum(['auto', 'required']).optional().meta({ description: 'Default "auto".' }),
    tools: z.array(z.strictObject({ type: z.literal('function'), name: z.string().min(1) })),
  }),
]);

export const textFormat = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text') }),
  z.strictObject({ type: z.literal('json_object') }),
  z.strictObject({
    type: z.literal('json_schema'),
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, underscores or dashes'),
    description: z.string().optional(),
    schema: jsonSchemaObject,
    strict: z.boolean().optional().meta({ description: 'Default false, as OpenAI. The output is validated against the schema either way.' }),
  }),
]);

export const metadata = z
  .record(z.string().max(64), z.string().max(512))
  .refine((m) => Object.keys(m).length <= 16, 'at most 16 key-value pairs')
  .meta({ description: 'Up to 16 string pairs (keys ≤ 64, values ≤ 512 characters).' });

/** Set, these would change the answer, and no backend can honour them: refused rather than dropped. */
const refused = (message: string) =>
  z
    .unknown()
    .refine(() => false, message)
    .optional()
    .meta({ description: `Not supported: ${message}` });

export const createResponseRequest = z
  .strictObject({
    model: z.literal(MODEL_ID).meta({ description: 'Always "mavera-1".' }),
    input: z.union([z.string(), z.array(inputItem)]).meta({ description: 'A string, or an array of input items.' }),
    persona_id: z.string().min(1).optional().meta({ description: 'The persona whose perspective shapes the answer.' }),
    instructions: z.string().optional().meta({ description: "Appended to the persona's system prompt." }),
    analysis_mode: z.boolean().optional(),
    text: z.strictObject({ format: textFormat.optional(), verbosity: effort.optional() }).optional(),
    tools: z.array(tool).optional(),
    tool_choice: toolChoice.optional(),
    parallel_tool_calls: z.boolean().optional(),
    previous_response_id: z.string().min(1).optional(),
    store: z.boolean().optional(),
    metadata: metadata.optional(),
    background: z.boolean().optional(),
    stream: z.boolean().optional(),
    temperature: z.number().min(0).max(2).optional(),
    top_p: z.number().min(0).max(1).optional(),
    frequency_penalty: z.number().min(-2).max(2).optional(),
    presence_penalty: z.number().min(-2).max(2).optional(),
    reasoning_effort: effort.optional(),
    reasoning: z.object({ effort: effort.optional(), summary: z.string().optional() }).optional(),
    verbosity: effort.optional(),
    max_output_tokens: z.number().int().positive().optional(),
    max_tool_calls: z.number().int().positive().optional(),
    truncation: z.enum(['auto', 'disabled']).optional(),
    user: z.string().optional(),
    safety_identifier: z.string().optional(),
    prompt_cache_key: z.string().optional(),
    service_tier: z.string().optional(),
    top_logprobs: z.number().int().min(0).max(20).optional(),
    include: z.array(z.string()).optional(),
    // IGNORED: known OpenAI parameters that tune delivery, caching or moderation.
    stream_options: ignored(),
    context_management: ignored(),
    moderation: ignored(),
    prompt_cache_retention: ignored(),
    prompt_cache_options: ignored(),
    access_programs: ignored(),
    image: ignored(),
    conversation: refused('conversations are not stored here; continue a conversation with previous_response_id'),
    prompt: refused('stored prompt templates do not exist here; send the prompt as instructions and input'),
  })
  .meta({ id: 'CreateResponseRequest' });

export type CreateResponseRequest = z.infer<typeof createResponseRequest>;
export type InputItem = z.infer<typeof inputItem>;
export type ContentPartInput = z.infer<typeof contentPart>;
