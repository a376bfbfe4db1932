/**
 * Chat Completions ⇄ Responses. A chat request becomes a CreateResponseRequest
 * run by the one Responses pipeline; the finished Response becomes a
 * `chat.completion`. Errors the pipeline raises name Responses parameters
 * (`input[2].content[0].image_url`, `text.format.schema`); `remapError`
 * renames them to the chat request's (`messages[3].content[0].image_url.url`,
 * `response_format.json_schema.schema`).
 *
 * Mapping (shared/reference/persona-api.md, "Legacy Chat Completions"):
 * - system and developer messages → `instructions`, joined by a blank line (a
 *   conversation of system messages only is sent as input instead, so it is
 *   not rejected as empty);
 * - user/assistant messages → message items (parts one to one: text →
 *   input_text / output_text, image_url → input_image, file → input_file);
 * - assistant `tool_calls` → function_call items; tool messages →
 *   function_call_output items;
 * - nested tools → flat tools; tool_choice and response_format → their
 *   Responses forms; max_completion_tokens (or max_tokens) → max_output_tokens;
 * - always `store: false`: chat completions are not stored;
 * - `stop` (a string or up to 4) and `seed` → `sampling`, beside the request
 *   (the Responses API has neither).
 */
import { ApiError } from '../errors/api-error.js';
import type { SamplingOptions } from '../providers/types.js';
import type { ResponseObject, Usage } from '../responses/types.js';
import { MODEL_ID, type ContentPartInput, type CreateResponseRequest, type InputItem } from '../schemas/create-response.js';
import type { ChatCompletionRequest, ChatMessage } from './schema.js';

export type ChatFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details: { reasoning_tokens: number };
  credits_used: number;
}

export interface ChatToolCallOut {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: Array<{
    index: 0;
    message: { role: 'assistant'; content: string | null; refusal: null; annotations: unknown[]; tool_calls?: ChatToolCallOut[] };
    finish_reason: ChatFinishReason;
    logprobs: null;
  }>;
  usage: ChatUsage;
  service_tier: string;
  system_fingerprint: null;
  persona_id: string | null;
  analysis?: unknown;
}

/** Where each Responses parameter of the converted request came from in the chat request. */
export interface ParamMap {
  /** input[i] came from messages[itemToMessage[i]]. */
  itemToMessage: number[];
  /** The chat parameter max_output_tokens came from. */
  maxTokensParam: 'max_completion_tokens' | 'max_tokens';
}

export interface ConvertedRequest {
  request: CreateResponseRequest;
  params: ParamMap;
  /** Chat parameters with no Responses equivalent, handed to the pipeline beside the request. */
  sampling: Pick<SamplingOptions, 'stop' | 'seed'>;
}

type MessageOf<R extends ChatMessage['role']> = Extract<ChatMessage, { role: R }>;

function joinText(content: string | Array<{ text: string }>, sep = ''): string {
  return typeof content === 'string' ? content : content.map((p) => p.text).join(sep);
}

function userPart(part: Extract<MessageOf<'user'>['content'], unknown[]>[number]): ContentPartInput {
  switch (part.type) {
    case 'text':
      return { type: 'input_text', text: part.text };
    case 'image_url':
      return { type: 'input_image', image_url: part.image_url.url, ...(part.image_url.detail !== undefined ? { detail: part.image_url.detail } : {}) };
    case 'file': {
      const f = part.file;
      return {
        type: 'input_file',
        ...(f.file_id !== undefined ? { file_id: f.file_id } : {}),
        ...(f.file_data !== undefined ? { file_data: f.file_data } : {}),
        ...(f.filename !== undefined ? { filename: f.filename } : {}),
      };
    }
  }
}

function assistantContent(msg: MessageOf<'assistant'>): string | ContentPartInput[] | undefined {
  const c = msg.content;
  if (c === undefined || c === '' || (Array.isArray(c) && c.length === 0)) {
    return msg.refusal !== undefined && msg.refusal !== '' ? [{ type: 'refusal', refusal: msg.refusal }] : undefined;
  }
  if (typeof c === 'string') return c;
  return c.map((p): ContentPartInput => (p.type === 'text' ? { type: 'output_text', text: p.text } : { type: 'refusal', refusal: p.refusal }));
}

/** The chat request as a Responses request, plus how to name its parameters in errors. */
export function toResponseRequest(chat: ChatCompletionRequest): ConvertedRequest {
  const instructions: string[] = [];
  const systemItems: Array<{ item: InputItem; message: number }> = [];
  const items: InputItem[] = [];
  const itemToMessage: number[] = [];
  const push = (item: InputItem, message: number) => {
    items.push(item);
    itemToMessage.push(message);
  };

  chat.messages.forEach((msg, m) => {
    switch (msg.role) {
      case 'system':
      case 'developer': {
        const text = joinText(msg.content, '\n');
        if (text !== '') instructions.push(text);
        systemItems.push({ item: { type: 'message', role: msg.role, content: text }, message: m });
        break;
      }
      case 'user':
        push({ type: 'message', role: 'user', content: typeof msg.content === 'string' ? msg.content : msg.content.map(userPart) }, m);
        break;
      case 'assistant': {
        const content = assistantContent(msg);
        const calls = msg.tool_calls ?? [];
        if (content !== undefined || calls.length === 0) push({ type: 'message', role: 'assistant', content: content ?? '' }, m);
        for (const call of calls) push({ type: 'function_call', call_id: call.id, name: call.function.name, arguments: call.function.arguments }, m);
        break;
      }
      case 'tool':
        push({ type: 'function_call_output', call_id: msg.tool_call_id, output: joinText(msg.content) }, m);
        break;
    }
  });

  // Only system messages: send them as the input rather than reject the request as empty.
  const systemOnly = items.length === 0;
  if (systemOnly) for (const s of systemItems) push(s.item, s.message);

  const maxTokens = chat.max_completion_tokens ?? chat.max_tokens;
  const format = chat.response_format;
  const request: CreateResponseRequest = {
    model: MODEL_ID,
    input: items,
    store: false,
    ...(!systemOnly && instructions.length > 0 ? { instructions: instructions.join('\n\n') } : {}),
    ...(chat.persona_id !== undefined ? { persona_id: chat.persona_id } : {}),
    ...(chat.analysis_mode !== undefined ? { analysis_mode: chat.analysis_mode } : {}),
    ...(chat.tools !== undefined
      ? {
          tools: chat.tools.map((t) => ({
            type: 'function' as const,
            name: t.function.name,
            ...(t.function.description !== undefined ? { description: t.function.description } : {}),
            ...(t.function.parameters !== undefined ? { parameters: t.function.parameters } : {}),
            // Chat Completions tools are not strict unless asked (the Responses default differs).
            strict: t.function.strict ?? false,
          })),
        }
      : {}),
    ...(chat.tool_choice !== undefined ? { tool_choice: convertToolChoice(chat.tool_choice) } : {}),
    ...(chat.parallel_tool_calls !== undefined ? { parallel_tool_calls: chat.parallel_tool_calls } : {}),
    ...(format !== undefined
      ? {
          text: {
            format:
              format.type === 'json_schema'
                ? {
                    type: 'json_schema' as const,
                    name: format.json_schema.name,
                    schema: format.json_schema.schema ?? { type: 'object' },
                    ...(format.json_schema.description !== undefined ? { description: format.json_schema.description } : {}),
                    ...(format.json_schema.strict !== undefined ? { strict: format.json_schema.strict } : {}),
                  }
                : { type: format.type },
          },
        }
      : {}),
    ...(chat.temperature !== undefined ? { temperature: chat.temperature } : {}),
    ...(chat.top_p !== undefined ? { top_p: chat.top_p } : {}),
    ...(chat.frequency_penalty !== undefined ? { frequency_penalty: chat.frequency_penalty } : {}),
    ...(chat.presence_penalty !== undefined ? { presence_penalty: chat.presence_penalty } : {}),
    ...(maxTokens !== undefined ? { max_output_tokens: maxTokens } : {}),
    ...(chat.reasoning_effort !== undefined ? { reasoning_effort: chat.reasoning_effort } : {}),
    ...(chat.verbosity !== undefined ? { verbosity: chat.verbosity } : {}),
    ...(chat.user !== undefined ? { user: chat.user } : {}),
    ...(chat.safety_identifier !== undefined ? { safety_identifier: chat.safety_identifier } : {}),
    ...(chat.prompt_cache_key !== undefined ? { prompt_cache_key: chat.prompt_cache_key } : {}),
    ...(chat.metadata !== undefined ? { metadata: chat.metadata } : {}),
  };
  return {
    request,
    params: { itemToMessage, maxTokensParam: chat.max_completion_tokens === undefined && chat.max_tokens !== undefined ? 'max_tokens' : 'max_completion_tokens' },
    sampling: {
      ...(chat.stop !== undefined ? { stop: typeof chat.stop === 'string' ? [chat.stop] : chat.stop } : {}),
      ...(chat.seed !== undefined ? { seed: chat.seed } : {}),
    },
  };
}

function convertToolChoice(tc: NonNullable<ChatCompletionRequest['tool_choice']>): NonNullable<CreateResponseRequest['tool_choice']> {
  if (typeof tc === 'string') return tc;
  if (tc.type === 'function') return { type: 'function', name: tc.function.name };
  return { type: 'allowed_tools', mode: tc.allowed_tools.mode ?? 'auto', tools: tc.allowed_tools.tools.map((t) => ({ type: 'function' as const, name: t.function.name })) };
}

/** The chat parameter a Responses parameter of the converted request came from. */
export function chatParam(param: string, params: ParamMap): string {
  if (param === 'input' || param === 'instructions') return 'messages';
  let m = /^input\[(\d+)\](.*)$/.exec(param);
  if (m) {
    const message = params.itemToMessage[Number(m[1])];
    const rest = (m[2] ?? '').replace(/^(\.content\[\d+\])\.image_url$/, '$1.image_url.url').replace(/^(\.content\[\d+\])\.file_id$/, '$1.file.file_id');
    return message === undefined ? 'messages' : `messages[${message}]${rest}`;
  }
  if ((m = /^tools\[(\d+)\]\.(.+)$/.exec(param))) return `tools[${m[1]}].function.${m[2]}`;
  if (param === 'tool_choice.name') return 'tool_choice.function.name';
  if ((m = /^tool_choice\.tools\[(\d+)\]\.name$/.exec(param))) return `tool_choice.allowed_tools.tools[${m[1]}].function.name`;
  if ((m = /^text\.format\.(.+)$/.exec(param))) return `response_format.json_schema.${m[1]}`;
  if (param === 'text.format' || param === 'text') return 'response_format';
  if (param === 'max_output_tokens') return params.maxTokensParam;
  return param;
}

/** `err` with its param (and the param's name in its message) renamed for the chat request. */
export function remapError(err: ApiError, params: ParamMap): ApiError {
  if (err.param === null) return err;
  const param = chatParam(err.param, params);
  if (param === err.param) return err;
  const message = err.param === 'input' ? err.message.replaceAll("'input'", "'messages'") : err.message;
  return new ApiError(err.code, message, { param, headers: err.headers, cause: err });
}

/** `chatcmpl_` + the hex of the response id it was served by. */
export function chatCompletionId(responseId: string): string {
  return `chatcmpl_${responseId.slice(responseId.indexOf('_') + 1)}`;
}

export function finishReasonOf(response: ResponseObject): ChatFinishReason {
  if (response.status === 'incomplete') return response.incomplete_details?.reason === 'content_filter' ? 'content_filter' : 'length';
  return response.output.some((o) => o.type === 'function_call') ? 'tool_calls' : 'stop';
}

export function chatUsage(usage: Usage | null): ChatUsage {
  const u = usage ?? { input_tokens: 0, output_tokens: 0, total_tokens: 0, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 0 }, credits_used: 0 };
  return {
    prompt_tokens: u.input_tokens,
    completion_tokens: u.output_tokens,
    total_tokens: u.total_tokens,
    prompt_tokens_details: { cached_tokens: u.input_tokens_details.cached_tokens },
    completion_tokens_details: { reasoning_tokens: u.output_tokens_details.reasoning_tokens },
    credits_used: u.credits_used,
  };
}

/** A finished Response as a `chat.completion`. */
export function toChatCompletion(response: ResponseObject): ChatCompletion {
  const toolCalls: ChatToolCallOut[] = [];
  for (const o of response.output) {
    if (o.type === 'function_call') toolCalls.push({ id: o.call_id, type: 'function', function: { name: o.name, arguments: o.arguments } });
  }
  const hasText = response.output.some((o) => o.type === 'message');
  const completion: ChatCompletion = {
    id: chatCompletionId(response.id),
    object: 'chat.completion',
    created: response.created_at,
    model: MODEL_ID,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: hasText ? response.output_text : toolCalls.length > 0 ? null : '',
          refusal: null,
          annotations: [],
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: finishReasonOf(response),
        logprobs: null,
      },
    ],
    usage: chatUsage(response.usage),
    service_tier: response.service_tier,
    system_fingerprint: null,
    persona_id: response.persona_id,
  };
  if (response.analysis !== undefined) completion.analysis = response.analysis;
  return completion;
}
