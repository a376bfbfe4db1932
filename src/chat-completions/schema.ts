/**
 * The request schema of the legacy `POST /v1/chat/completions`. Like the
 * Responses schema (src/schemas/create-response.ts) it validates requests and
 * generates /openapi.json; nulls are dropped before validation
 * (src/schemas/validate.ts), so clients that send `"logprobs": null` are
 * accepted.
 *
 * Unknown keys, as on /v1/responses: the request, a tool's `function`,
 * `tool_choice` and `response_format` are strict (an unknown key is a 400
 * naming it: "Unrecognized request argument supplied: persona"); messages
 * and their parts stay loose (clients send back assistant messages with
 * fields of their own). Every parameter of OpenAI's `chat.completions.create`
 * is known. Accepted but ignored (no equivalent in the pipeline):
 * `service_tier`, `top_logprobs`, `logit_bias`, `prediction`, `moderation`,
 * the prompt-cache options and `stream_options.include_obfuscation`;
 * `store` is accepted but chat completions are never stored. Refused when
 * set, as they would change the answer: `n` other than 1, `logprobs: true`,
 * the deprecated `functions`/`function_call` (use `tools`/`tool_choice`),
 * audio output (`audio`, `modalities` with "audio") and
 * `web_search_options`. `stop` and `seed` have no Responses equivalent: they
 * reach the pipeline beside the converted request (convert.ts `sampling`).
 */
import { z } from 'zod';
import { MODEL_ID, metadata } from '../schemas/create-response.js';
import { MAX_STOP_SEQUENCE_LENGTH } from '../providers/stop-sequences.js';

const effort = z.enum(['low', 'medium', 'high']);
const identifier = z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, underscores or dashes');
const jsonSchemaObject = z.record(z.string(), z.unknown());

const textPart = z.object({ type: z.literal('text'), text: z.string() });
const refusalPart = z.object({ type: z.literal('refusal'), refusal: z.string() });
const imagePart = z.object({
  type: z.literal('image_url'),
  image_url: z.object({ url: z.string().min(1), detail: z.enum(['auto', 'low', 'high']).optional() }),
});
const filePart = z.object({
  type: z.literal('file'),
  file: z.object({ file_data: z.string().optional(), file_id: z.string().optional(), filename: z.string().optional() }),
});

export const userContentPart = z.discriminatedUnion('type', [textPart, imagePart, filePart]);
export const assistantContentPart = z.discriminatedUnion('type', [textPart, refusalPart]);

const textContent = z.union([z.string(), z.array(textPart)]);

export const chatToolCall = z.object({
  id: z.string().min(1),
  type: z.literal('function').optional(),
  function: z.object({ name: z.string().min(1), arguments: z.string() }),
});

const systemMessage = z.object({ role: z.literal('system'), content: textContent, name: z.string().optional() });
const developerMessage = z.object({ role: z.literal('developer'), content: textContent, name: z.string().optional() });
const userMessage = z.object({ role: z.literal('user'), content: z.union([z.string(), z.array(userContentPart)]), name: z.string().optional() });
const assistantMessage = z.object({
  role: z.literal('assistant'),
  content: z.union([z.string(), z.array(assistantContentPart)]).optional(),
  refusal: z.string().optional(),
  tool_calls: z.array(chatToolCall).optional(),
  name: z.string().optional(),
});
const toolMessage = z.object({ role: z.literal('tool'), tool_call_id: z.string().min(1), content: textContent });

export const chatMessage = z
  .discriminatedUnion('role', [systemMessage, developerMessage, userMessage, assistantMessage, toolMessage])
  .meta({ id: 'ChatMessage', description: 'A system, developer, user, assistant or tool message.' });

export const chatTool = z
  .strictObject({
    type: z.literal('function'),
    function: z.strictObject({
      name: identifier,
      description: z.string().optional(),
      parameters: jsonSchemaObject.optional(),
      strict: z.boolean().optional().meta({ description: 'Default false, as OpenAI Chat Completions.' }),
    }),
  })
  .meta({ id: 'ChatFunctionTool', description: 'A nested function tool: name, description and parameters under `function`.' });

const namedFunction = z.strictObject({ type: z.literal('function'), function: z.strictObject({ name: z.string().min(1) }) });

export const chatToolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  namedFunction,
  z.strictObject({
    type: z.literal('allowed_tools'),
    allowed_tools: z.strictObject({ mode: z.enum(['auto', 'required']).optional().meta({ description: 'Default "auto".' }), tools: z.array(namedFunction) }),
  }),
]);

export const chatResponseFormat = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text') }),
  z.strictObject({ type: z.literal('json_object') }),
  z.strictObject({
    type: z.literal('json_schema'),
    json_schema: z.strictObject({
      name: identifier,
      description: z.string().optional(),
      schema: jsonSchemaObject.optional(),
      strict: z.boolean().optional(),
    }),
  }),
]);

/** Accepted for compatibility and ignored. */
const ignored = () => z.unknown().optional().meta({ description: 'Accepted for compatibility; ignored.' });

/** Set, these would change the answer, and no backend can honour them: refused rather than dropped. */
const refused = (message: string) =>
  z
    .unknown()
    .refine(() => false, message)
    .optional()
    .meta({ description: `Not supported: ${message}` });

export const chatCompletionRequest = z
  .strictObject({
    model: z.literal(MODEL_ID).meta({ description: 'Always "mavera-1".' }),
    messages: z.array(chatMessage).min(1).meta({ description: 'The conversation. System and developer messages become the instructions.' }),
    persona_id: z.string().min(1).optional().meta({ description: 'The persona whose perspective shapes the answer.' }),
    analysis_mode: z.boolean().optional(),
    tools: z.array(chatTool).optional(),
    tool_choice: chatToolChoice.optional(),
    parallel_tool_calls: z.boolean().optional(),
    response_format: chatResponseFormat.optional(),
    temperature: z.number().min(0).max(2).optional(),
    top_p: z.number().min(0).max(1).optional(),
    frequency_penalty: z.number().min(-2).max(2).optional(),
    presence_penalty: z.number().min(-2).max(2).optional(),
    max_tokens: z.number().int().positive().optional().meta({ description: 'Deprecated alias of max_completion_tokens.' }),
    max_completion_tokens: z.number().int().positive().optional(),
    reasoning_effort: effort.optional(),
    verbosity: effort.optional(),
    stream: z.boolean().optional(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).optional().meta({ description: 'include_usage is honoured; other keys are ignored.' }),
    n: z
      .number()
      .int()
      .refine((n) => n === 1, 'only n=1 is supported')
      .optional(),
    stop: z
      .union([z.string().min(1).max(MAX_STOP_SEQUENCE_LENGTH), z.array(z.string().min(1).max(MAX_STOP_SEQUENCE_LENGTH)).max(4)])
      .optional()
      .meta({ description: `Up to 4 sequences of at most ${MAX_STOP_SEQUENCE_LENGTH} characters: the text ends before the first of them (not included); finish_reason is then "stop".` }),
    user: z.string().optional(),
    safety_identifier: z.string().optional(),
    prompt_cache_key: z.string().optional(),
    metadata: metadata.optional(),
    store: z.boolean().optional().meta({ description: 'Accepted for compatibility; chat completions are never stored.' }),
    seed: z
      .number()
      .int()
      .optional()
      .meta({ description: 'Sampling seed, passed to backends that take one (OpenAI-compatible servers, the local engine; the sandbox mixes it into its own seed). Anthropic and an OpenAI Responses upstream have none.' }),
    logprobs: z
      .boolean()
      .refine((v) => !v, 'logprobs are not supported')
      .optional(),
    service_tier: ignored(),
    top_logprobs: ignored(),
    logit_bias: ignored(),
    prediction: ignored(),
    moderation: ignored(),
    prompt_cache_retention: ignored(),
    prompt_cache_options: ignored(),
    modalities: z
      .array(z.enum(['text', 'audio']))
      .refine((m) => !m.includes('audio'), 'audio output is not supported')
      .optional(),
    audio: refused('audio output is not supported'),
    functions: refused("the deprecated 'functions' are not supported: pass them as 'tools'"),
    function_call: refused("the deprecated 'function_call' is not supported: use 'tool_choice'"),
    web_search_options: refused('web search options are not supported'),
  })
  .meta({ id: 'ChatCompletionRequest' });

export type ChatCompletionRequest = z.infer<typeof chatCompletionRequest>;
export type ChatMessage = z.infer<typeof chatMessage>;

// ---------------------------------------------------------------------------
// What the endpoint returns, for /openapi.json and shape tests.

const chatUsage = z.object({
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  total_tokens: z.number().int(),
  prompt_tokens_details: z.object({ cached_tokens: z.number().int() }),
  completion_tokens_details: z.object({ reasoning_tokens: z.number().int() }),
  credits_used: z.number().int().meta({ description: 'Credits this completion costs (see docs/accounts-and-credits.md, Credits).' }),
});

export const chatCompletionObject = z
  .object({
    id: z.string().meta({ description: '`chatcmpl_…`; the hex part is the one of the underlying (unstored) response.' }),
    object: z.literal('chat.completion'),
    created: z.number().int(),
    model: z.literal(MODEL_ID),
    choices: z.array(
      z.object({
        index: z.literal(0),
        message: z.object({
          role: z.literal('assistant'),
          content: z.string().nullable(),
          refusal: z.null(),
          annotations: z.array(z.unknown()),
          tool_calls: z
            .array(z.object({ id: z.string(), type: z.literal('function'), function: z.object({ name: z.string(), arguments: z.string() }) }))
            .optional(),
        }),
        finish_reason: z.enum(['stop', 'length', 'tool_calls', 'content_filter']),
        logprobs: z.null(),
      }),
    ),
    usage: chatUsage,
    service_tier: z.string(),
    system_fingerprint: z.null(),
    persona_id: z.string().nullable(),
    analysis: z.unknown().optional().meta({ description: 'With analysis_mode: the analysis object, as on a Response.' }),
  })
  .meta({ id: 'ChatCompletion' });
