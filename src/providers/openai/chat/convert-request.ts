/**
 * ProviderRequest → Chat Completions request body.
 *
 * Choices made for compatibility across OpenAI, Ollama, vLLM, llama.cpp server
 * and LM Studio:
 * - `developer` messages are sent with the `system` role: only OpenAI knows
 *   `developer`, and OpenAI treats `system` the same way for every model.
 * - system and assistant message content is sent as a plain string (several
 *   chat templates of local servers cannot render content-part arrays there);
 *   non-text parts in those roles are dropped.
 * - a user message made only of text parts is sent as a string.
 * - output token limit: `max_completion_tokens` for api.openai.com and Azure
 *   OpenAI hosts, `max_tokens` everywhere else. OpenAI deprecated `max_tokens`
 *   and its reasoning models (o-series, gpt-5) reject it, while the local
 *   servers and older OpenAI-compatible APIs only understand `max_tokens`
 *   (recent vLLM accepts both; llama.cpp, LM Studio and many proxies do not
 *   know `max_completion_tokens` and silently ignore it, which would lose the
 *   limit).
 * - `stop` is not sent to OpenAI reasoning models, which reject it; the run
 *   cuts the text at a stop sequence itself (providers/stop-sequences.ts).
 * - `reasoning_effort` (and `verbosity`) are sent only when set and the model
 *   name looks like an OpenAI reasoning model (o1/o3/o4…, gpt-5 except the
 *   non-reasoning gpt-5-chat). OpenAI answers 400 when a non-reasoning model
 *   gets `reasoning_effort`, and other servers reject or ignore it; since the
 *   setting is advisory, dropping it is better than failing the request.
 */
import { ApiError } from '../../../errors/api-error.js';
import { type OfferedTools, offeredTools } from '../../tool-choice.js';
import type { ContentPart, ConversationItem, OutputFormat, ProviderRequest } from '../../types.js';
import { isGpt5Family, isReasoningModel } from '../models.js';

export { isReasoningModel };

export type ChatContentPart =
  | { type: 'text'; text: string }
  | { type: 'image_url'; image_url: { url: string; detail: 'auto' | 'low' | 'high' } }
  | { type: 'file'; file: { filename?: string; file_data?: string; file_id?: string } };

export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export type ChatMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | ChatContentPart[] }
  | { role: 'assistant'; content: string | null; tool_calls?: ChatToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

export interface ChatTool {
  type: 'function';
  function: { name: string; description?: string; parameters: Record<string, unknown>; strict: boolean };
}

export type ChatToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };

export type ChatResponseFormat = { type: 'json_object' } | { type: 'json_schema'; json_schema: { name: string; schema: Record<string, unknown>; strict: boolean; description?: string } };

export interface ChatRequestBody {
  model: string;
  messages: ChatMessage[];
  tools?: ChatTool[];
  tool_choice?: ChatToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: ChatResponseFormat;
  temperature?: number;
  top_p?: number;
  frequency_penalty?: number;
  presence_penalty?: number;
  stop?: string[];
  seed?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  reasoning_effort?: 'low' | 'medium' | 'high';
  verbosity?: 'low' | 'medium' | 'high';
  stream?: boolean;
  stream_options?: { include_usage: boolean };
}

export interface ConvertOptions {
  model: string;
  /** The upstream base URL; decides `max_completion_tokens` vs `max_tokens`. */
  baseURL: string;
  /** Defaults to true: the provider always streams from the upstream. */
  stream?: boolean;
}

export function convertRequest(req: ProviderRequest, options: ConvertOptions): ChatRequestBody {
  const body: ChatRequestBody = { model: options.model, messages: convertMessages(req.system, req.items) };

  const { tools, toolChoice } = convertTools(offeredTools(req));
  if (tools.length > 0) {
    body.tools = tools;
    if (toolChoice !== undefined) body.tool_choice = toolChoice;
    body.parallel_tool_calls = req.parallelToolCalls;
  }

  const responseFormat = convertFormat(req.format);
  if (responseFormat) body.response_format = responseFormat;

  const s = req.sampling;
  if (s.temperature !== undefined) body.temperature = s.temperature;
  if (s.topP !== undefined) body.top_p = s.topP;
  if (s.frequencyPenalty !== undefined) body.frequency_penalty = s.frequencyPenalty;
  if (s.presencePenalty !== undefined) body.presence_penalty = s.presencePenalty;
  // OpenAI's reasoning models (o3, o4-mini, gpt-5…) reject `stop`; the run's own filter applies it.
  if (s.stop !== undefined && s.stop.length > 0 && !isReasoningModel(options.model)) body.stop = s.stop;
  if (s.seed !== undefined) body.seed = s.seed;
  if (s.maxOutputTokens !== undefined) {
    if (usesMaxCompletionTokens(options.baseURL)) body.max_completion_tokens = s.maxOutputTokens;
    else body.max_tokens = s.maxOutputTokens;
  }
  if (isReasoningModel(options.model)) {
    if (s.reasoningEffort !== undefined) body.reasoning_effort = s.reasoningEffort;
    if (s.verbosity !== undefined && isGpt5Family(options.model)) body.verbosity = s.verbosity;
  }

  if (options.stream ?? true) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return body;
}

/** Whether the host is OpenAI's own API (or Azure OpenAI), which wants `max_completion_tokens`. */
export function usesMaxCompletionTokens(baseURL: string): boolean {
  let host: string;
  try {
    host = new URL(baseURL).hostname.toLowerCase();
  } catch {
    return false;
  }
  return host === 'api.openai.com' || host.endsWith('.openai.azure.com');
}

export function convertMessages(system: string | undefined, items: ConversationItem[]): ChatMessage[] {
  const messages: ChatMessage[] = [];
  if (system !== undefined && system !== '') messages.push({ role: 'system', content: system });

  // The assistant message that function_call items attach to: the one just
  // emitted, as long as nothing else came in between.
  let openAssistant: Extract<ChatMessage, { role: 'assistant' }> | undefined;

  items.forEach((item, i) => {
    switch (item.type) {
      case 'message': {
        openAssistant = undefined;
        switch (item.role) {
          case 'system':
          case 'developer':
            messages.push({ role: 'system', content: joinText(item.content) });
            break;
          case 'assistant': {
            const msg: Extract<ChatMessage, { role: 'assistant' }> = { role: 'assistant', content: joinText(item.content) };
            messages.push(msg);
            openAssistant = msg;
            break;
          }
          case 'user':
            messages.push({ role: 'user', content: convertUserContent(item.content, i) });
            break;
        }
        break;
      }
      case 'function_call': {
        const call: ChatToolCall = {
          id: item.callId,
          type: 'function',
          function: { name: item.name, arguments: item.arguments },
        };
        if (openAssistant) {
          (openAssistant.tool_calls ??= []).push(call);
          if (openAssistant.content === '') openAssistant.content = null;
        } else {
          openAssistant = { role: 'assistant', content: null, tool_calls: [call] };
          messages.push(openAssistant);
        }
        break;
      }
      case 'function_call_output':
        openAssistant = undefined;
        messages.push({ role: 'tool', tool_call_id: item.callId, content: item.output });
        break;
    }
  });
  return messages;
}

function joinText(parts: ContentPart[]): string {
  return parts
    .filter((p): p is Extract<ContentPart, { type: 'text' }> => p.type === 'text')
    .map((p) => p.text)
    .join('\n');
}

function convertUserContent(parts: ContentPart[], itemIndex: number): string | ChatContentPart[] {
  if (parts.every((p) => p.type === 'text')) return joinText(parts);
  return parts.map((part): ChatContentPart => {
    switch (part.type) {
      case 'text':
        return { type: 'text', text: part.text };
      case 'image':
        return { type: 'image_url', image_url: { url: part.url, detail: part.detail } };
      case 'file': {
        if (part.data === undefined && part.fileId === undefined) {
          throw new ApiError('invalid_request', 'File inputs given by URL are not supported by the configured upstream; send file_data or file_id instead.', { param: `input[${itemIndex}].content` });
        }
        const file: { filename?: string; file_data?: string; file_id?: string } = {};
        if (part.filename !== undefined) file.filename = part.filename;
        if (part.data !== undefined) file.file_data = part.data;
        if (part.fileId !== undefined) file.file_id = part.fileId;
        return { type: 'file', file };
      }
    }
  });
}

function convertTools({ tools: defs, toolChoice: choice }: OfferedTools): { tools: ChatTool[]; toolChoice: ChatToolChoice | undefined } {
  const toolChoice: ChatToolChoice = choice.mode === 'function' ? { type: 'function', function: { name: choice.name } } : choice.mode;
  const tools = defs.map((d): ChatTool => {
    const fn: ChatTool['function'] = { name: d.name, parameters: d.parameters, strict: d.strict };
    if (d.description !== undefined) fn.description = d.description;
    return { type: 'function', function: fn };
  });
  return { tools, toolChoice };
}

function convertFormat(format: OutputFormat): ChatResponseFormat | undefined {
  switch (format.type) {
    case 'text':
      return undefined;
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema': {
      const js: Extract<ChatResponseFormat, { type: 'json_schema' }>['json_schema'] = {
        name: format.name,
        schema: format.schema,
        strict: format.strict,
      };
      if (format.description !== undefined) js.description = format.description;
      return { type: 'json_schema', json_schema: js };
    }
  }
}
