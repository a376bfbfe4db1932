/**
 * ProviderRequest → OpenAI Responses API request body (the upstream speaks the
 * same API Cohort serves, so most fields are forwarded natively).
 *
 * - `instructions` = the composed system prompt; conversation items become
 *   Responses input items: user/system/developer messages with
 *   `input_text`/`input_image`/`input_file` parts, assistant messages with
 *   `output_text` parts (the shape the Vercel AI SDK sends; non-text parts of
 *   assistant and system messages are dropped), `function_call` and
 *   `function_call_output` items.
 * - `store: false` always: Cohort keeps its own state and never refers to
 *   upstream-stored items.
 * - Tools flat (`{type:'function', name, description, parameters, strict}`).
 *   tool_choice is forwarded as `offeredTools` resolves it (an `allowed`
 *   choice is the filtered tool list with auto/required: the native
 *   `allowed_tools` choice is OpenAI-only and Responses-compatible servers do
 *   not know it). Without tools, no tool_choice or parallel_tool_calls.
 * - `text.format` as given; `text.verbosity` and `reasoning.effort` only for
 *   OpenAI reasoning models by name (o-series, gpt-5 except gpt-5-chat; the
 *   `isReasoningModel` of ../models.ts), since other models answer 400.
 * - temperature, top_p, max_output_tokens forwarded; frequency/presence
 *   penalties do not exist in the Responses API and are dropped.
 */
import { type OfferedTools, offeredTools } from '../../tool-choice.js';
import type { ContentPart, ConversationItem, OutputFormat, ProviderRequest } from '../../types.js';
import { isReasoningModel } from '../models.js';

export type ResponsesInputPart =
  | { type: 'input_text'; text: string }
  | { type: 'input_image'; image_url: string; detail: 'auto' | 'low' | 'high' }
  | { type: 'input_file'; filename?: string; file_data?: string; file_url?: string; file_id?: string };

export type ResponsesInputItem =
  | { type: 'message'; role: 'user' | 'system' | 'developer'; content: ResponsesInputPart[] }
  | { type: 'message'; role: 'assistant'; content: Array<{ type: 'output_text'; text: string }> }
  | { type: 'function_call'; call_id: string; name: string; arguments: string }
  | { type: 'function_call_output'; call_id: string; output: string };

export interface ResponsesTool {
  type: 'function';
  name: string;
  description?: string;
  parameters: Record<string, unknown>;
  strict: boolean;
}

export type ResponsesToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; name: string };

export type ResponsesTextFormat = { type: 'text' } | { type: 'json_object' } | { type: 'json_schema'; name: string; schema: Record<string, unknown>; strict: boolean; description?: string };

export interface ResponsesRequestBody {
  model: string;
  input: ResponsesInputItem[];
  instructions?: string;
  tools?: ResponsesTool[];
  tool_choice?: ResponsesToolChoice;
  parallel_tool_calls?: boolean;
  text?: { format?: ResponsesTextFormat; verbosity?: 'low' | 'medium' | 'high' };
  temperature?: number;
  top_p?: number;
  max_output_tokens?: number;
  reasoning?: { effort: 'low' | 'medium' | 'high' };
  store: false;
  stream?: boolean;
}

export interface ConvertOptions {
  model: string;
  /** Defaults to true. */
  stream?: boolean;
}

export function convertRequest(req: ProviderRequest, options: ConvertOptions): ResponsesRequestBody {
  const body: ResponsesRequestBody = { model: options.model, input: convertItems(req.items), store: false };
  if (req.system !== undefined && req.system !== '') body.instructions = req.system;

  const { tools, toolChoice } = convertTools(offeredTools(req));
  if (tools.length > 0) {
    body.tools = tools;
    body.tool_choice = toolChoice;
    body.parallel_tool_calls = req.parallelToolCalls;
  }

  const s = req.sampling;
  const format = convertFormat(req.format);
  const reasoningModel = isReasoningModel(options.model);
  if (format || (reasoningModel && isGpt5(options.model) && s.verbosity !== undefined)) {
    body.text = {};
    if (format) body.text.format = format;
    if (reasoningModel && isGpt5(options.model) && s.verbosity !== undefined) body.text.verbosity = s.verbosity;
  }
  if (s.temperature !== undefined) body.temperature = s.temperature;
  if (s.topP !== undefined) body.top_p = s.topP;
  if (s.maxOutputTokens !== undefined) body.max_output_tokens = s.maxOutputTokens;
  if (reasoningModel && s.reasoningEffort !== undefined) body.reasoning = { effort: s.reasoningEffort };

  if (options.stream ?? true) body.stream = true;
  return body;
}

function isGpt5(model: string): boolean {
  const slash = model.lastIndexOf('/');
  return /^gpt-5(?:[.-]|$)/.test((slash >= 0 ? model.slice(slash + 1) : model).toLowerCase());
}

export function convertItems(items: ConversationItem[]): ResponsesInputItem[] {
  const out: ResponsesInputItem[] = [];
  for (const item of items) {
    switch (item.type) {
      case 'message':
        if (item.role === 'assistant') {
          const content = textParts(item.content).map((text) => ({ type: 'output_text' as const, text }));
          if (content.length > 0) out.push({ type: 'message', role: 'assistant', content });
        } else if (item.role === 'user') {
          out.push({ type: 'message', role: 'user', content: item.content.map(convertUserPart) });
        } else {
          const content = textParts(item.content).map((text) => ({ type: 'input_text' as const, text }));
          if (content.length > 0) out.push({ type: 'message', role: item.role, content });
        }
        break;
      case 'function_call':
        out.push({ type: 'function_call', call_id: item.callId, name: item.name, arguments: item.arguments });
        break;
      case 'function_call_output':
        out.push({ type: 'function_call_output', call_id: item.callId, output: item.output });
        break;
    }
  }
  return out;
}

function textParts(parts: ContentPart[]): string[] {
  return parts.filter((p): p is Extract<ContentPart, { type: 'text' }> => p.type === 'text').map((p) => p.text);
}

function convertUserPart(part: ContentPart): ResponsesInputPart {
  switch (part.type) {
    case 'text':
      return { type: 'input_text', text: part.text };
    case 'image':
      return { type: 'input_image', image_url: part.url, detail: part.detail };
    case 'file': {
      const file: Extract<ResponsesInputPart, { type: 'input_file' }> = { type: 'input_file' };
      if (part.filename !== undefined) file.filename = part.filename;
      if (part.data !== undefined) file.file_data = part.data;
      if (part.url !== undefined) file.file_url = part.url;
      if (part.fileId !== undefined) file.file_id = part.fileId;
      return file;
    }
  }
}

function convertTools({ tools: defs, toolChoice: choice }: OfferedTools): { tools: ResponsesTool[]; toolChoice: ResponsesToolChoice } {
  const toolChoice: ResponsesToolChoice = choice.mode === 'function' ? { type: 'function', name: choice.name } : choice.mode;
  const tools = defs.map((d): ResponsesTool => {
    const t: ResponsesTool = { type: 'function', name: d.name, parameters: d.parameters, strict: d.strict };
    if (d.description !== undefined) t.description = d.description;
    return t;
  });
  return { tools, toolChoice };
}

function convertFormat(format: OutputFormat): ResponsesTextFormat | undefined {
  switch (format.type) {
    case 'text':
      return undefined;
    case 'json_object':
      return { type: 'json_object' };
    case 'json_schema': {
      const f: Extract<ResponsesTextFormat, { type: 'json_schema' }> = { type: 'json_schema', name: format.name, schema: format.schema, strict: format.strict };
      if (format.description !== undefined) f.description = format.description;
      return f;
    }
  }
}
