/**
 * ProviderRequest → Anthropic Messages API request body.
 *
 * Mapping and the choices it makes:
 * - System prompt: `req.system`, then the text of every system/developer
 *   message in the items (in order, joined by a blank line), goes to the
 *   top-level `system` string. Anthropic has no system role inside `messages`,
 *   so a developer message's position in the conversation is lost.
 * - Messages: user/assistant messages become content-block arrays; function
 *   calls become assistant `tool_use` blocks (`input` is the parsed arguments;
 *   arguments that are not a JSON object are sent as `{"arguments": "<text>"}`
 *   since `input` must be an object); function outputs become user
 *   `tool_result` blocks. Consecutive same-role turns are merged (Anthropic
 *   requires alternation) and, inside a user turn, `tool_result` blocks are
 *   moved first (Anthropic requires that too).
 * - Anthropic rejects a conversation that does not start with a user turn,
 *   empty or whitespace-only text blocks, and (on recent models) a trailing
 *   assistant turn ("prefill"; older models would continue it, which the
 *   Responses API never does). So: empty text is dropped, and a minimal user
 *   turn with the text `(continue)` is inserted before a leading assistant
 *   turn, appended after a trailing assistant text turn, and used when there
 *   is no message at all.
 * - Content: text; images as `image` blocks (data: URLs → base64 source, other
 *   URLs → url source; `detail` has no equivalent and is dropped); files as
 *   `document` blocks (PDF by data or URL, plain text by data); uploaded file
 *   ids are rejected. Non-text parts of assistant messages are dropped.
 * - Tools: `{name, description, input_schema}` (`strict` has no equivalent in
 *   the classic API and is dropped). tool_choice auto → `{type:'auto'}`,
 *   required → `{type:'any'}`, function → `{type:'tool', name}`, none →
 *   `{type:'none'}` (tools are still sent, so the model knows the context),
 *   allowed → the tool list filtered to the allowed names with auto/any
 *   (`offeredTools`, providers/tool-choice.ts).
 *   `parallelToolCalls: false` → `disable_parallel_tool_use: true`.
 * - Structured output: the classic Messages API has no response_format, so it
 *   is emulated with a tool: json_schema adds a tool named after the schema
 *   (`json_schema.name`, suffixed if a function tool has that name) whose
 *   `input_schema` is the schema, json_object one named `json_response` with
 *   `{type:'object'}`; the decoder turns that tool's input into text deltas of
 *   JSON, not a function call. The tool is forced (`{type:'tool'}`) when the
 *   model may not call function tools; when it may (tool_choice auto or
 *   allowed), the choice becomes `{type:'any'}` so the model either calls a
 *   function or answers through the format tool. A schema whose root is not an
 *   object (Anthropic requires one) is wrapped as `{value: schema}` and
 *   unwrapped by the decoder. With tool_choice required or a named function,
 *   the turn must be a function call, so no format tool is added.
 * - Sampling: `temperature` is clamped to Anthropic's 0–1 range (OpenAI's is
 *   0–2; values above 1 become 1, not halved); `top_p` is sent, except that
 *   when both are set only `temperature` is (Claude Sonnet/Haiku 4.5 and Opus
 *   4.1+ reject the pair). `max_tokens` (required by Anthropic) is
 *   `maxOutputTokens` or the provider's default. Frequency/presence penalties,
 *   reasoning effort and verbosity have no equivalent and are dropped.
 */
import { ApiError } from '../../errors/api-error.js';
import { type OfferedTools, offeredTools } from '../tool-choice.js';
import type { ContentPart, ConversationItem, OutputFormat, ProviderRequest } from '../types.js';

export type AnthropicImageSource = { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string };

export type AnthropicDocumentSource = { type: 'base64'; media_type: 'application/pdf'; data: string } | { type: 'text'; media_type: 'text/plain'; data: string } | { type: 'url'; url: string };

export type AnthropicRequestBlock =
  | { type: 'text'; text: string }
  | { type: 'image'; source: AnthropicImageSource }
  | { type: 'document'; source: AnthropicDocumentSource; title?: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }
  | { type: 'tool_result'; tool_use_id: string; content?: string };

export interface AnthropicRequestMessage {
  role: 'user' | 'assistant';
  content: AnthropicRequestBlock[];
}

export interface AnthropicTool {
  name: string;
  description?: string;
  input_schema: Record<string, unknown>;
}

export type AnthropicToolChoice =
  | { type: 'auto'; disable_parallel_tool_use?: boolean }
  | { type: 'any'; disable_parallel_tool_use?: boolean }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean }
  | { type: 'none' };

export interface AnthropicRequestBody {
  model: string;
  max_tokens: number;
  system?: string;
  messages: AnthropicRequestMessage[];
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
  temperature?: number;
  top_p?: number;
  stop_sequences?: string[];
  stream?: boolean;
}

/** The tool that stands in for a JSON output format; the decoder turns its input into text. */
export interface JsonOutputTool {
  name: string;
  /** The schema was not an object and is wrapped as `{value: schema}`; the decoder unwraps it. */
  wrapped: boolean;
}

export interface ConvertOptions {
  model: string;
  /** `max_tokens` when the request sets no maxOutputTokens. */
  maxTokens: number;
  /** Defaults to true. */
  stream?: boolean;
}

export interface ConvertedRequest {
  body: AnthropicRequestBody;
  /** Set when a JSON output format is emulated with a tool (see the module comment). */
  jsonTool?: JsonOutputTool;
}

/** Text of the user turn inserted where Anthropic needs one the conversation lacks. */
export const PLACEHOLDER_USER_TEXT = '(continue)';

export const JSON_OBJECT_TOOL_NAME = 'json_response';

export function convertRequest(req: ProviderRequest, options: ConvertOptions): ConvertedRequest {
  const { system, messages } = convertMessages(req.system, req.items);
  const body: AnthropicRequestBody = { model: options.model, max_tokens: req.sampling.maxOutputTokens ?? options.maxTokens, messages };
  if (system !== undefined) body.system = system;

  const tools = convertTools(offeredTools(req), req.parallelToolCalls, req.format);
  if (tools.tools.length > 0) {
    body.tools = tools.tools;
    if (tools.toolChoice) body.tool_choice = tools.toolChoice;
  }

  const s = req.sampling;
  if (s.temperature !== undefined) body.temperature = Math.min(1, Math.max(0, s.temperature));
  if (s.topP !== undefined && s.temperature === undefined) body.top_p = s.topP;
  // Anthropic refuses whitespace-only stop sequences; the run's own stop filter applies those.
  const stops = s.stop?.filter((x) => x.trim() !== '');
  if (stops && stops.length > 0) body.stop_sequences = stops;

  if (options.stream ?? true) body.stream = true;
  const out: ConvertedRequest = { body };
  if (tools.jsonTool) out.jsonTool = tools.jsonTool;
  return out;
}

// ---------------------------------------------------------------------------
// Messages

export function convertMessages(system: string | undefined, items: ConversationItem[]): { system?: string; messages: AnthropicRequestMessage[] } {
  const systemParts: string[] = [];
  if (system !== undefined && system.trim() !== '') systemParts.push(system);
  const turns: AnthropicRequestMessage[] = [];
  const push = (role: 'user' | 'assistant', blocks: AnthropicRequestBlock[]): void => {
    if (blocks.length === 0) return;
    const last = turns.at(-1);
    if (last && last.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  };

  items.forEach((item, i) => {
    switch (item.type) {
      case 'message':
        switch (item.role) {
          case 'system':
          case 'developer': {
            const text = joinText(item.content);
            if (text.trim() !== '') systemParts.push(text);
            break;
          }
          case 'assistant':
            push('assistant', textBlocks(item.content));
            break;
          case 'user':
            push('user', convertUserContent(item.content, i));
            break;
        }
        break;
      case 'function_call':
        push('assistant', [{ type: 'tool_use', id: item.callId, name: item.name, input: parseToolInput(item.arguments) }]);
        break;
      case 'function_call_output': {
        const block: AnthropicRequestBlock = { type: 'tool_result', tool_use_id: item.callId };
        if (item.output !== '') block.content = item.output;
        push('user', [block]);
        break;
      }
    }
  });

  for (const turn of turns) {
    if (turn.role === 'user') {
      // tool_result blocks must come first in a user turn (stable order otherwise).
      turn.content = [...turn.content.filter((b) => b.type === 'tool_result'), ...turn.content.filter((b) => b.type !== 'tool_result')];
    }
  }
  if (turns[0]?.role !== 'user') turns.unshift(placeholderTurn());
  const last = turns.at(-1);
  if (last && last.role === 'assistant' && !last.content.some((b) => b.type === 'tool_use')) turns.push(placeholderTurn());

  const out: { system?: string; messages: AnthropicRequestMessage[] } = { messages: turns };
  if (systemParts.length > 0) out.system = systemParts.join('\n\n');
  return out;
}

function placeholderTurn(): AnthropicRequestMessage {
  return { role: 'user', content: [{ type: 'text', text: PLACEHOLDER_USER_TEXT }] };
}

function joinText(parts: ContentPart[]): string {
  return parts
    .filter((p): p is Extract<ContentPart, { type: 'text' }> => p.type === 'text')
    .map((p) => p.text)
    .join('\n');
}

function textBlocks(parts: ContentPart[]): AnthropicRequestBlock[] {
  return parts.filter((p): p is Extract<ContentPart, { type: 'text' }> => p.type === 'text' && p.text.trim() !== '').map((p) => ({ type: 'text', text: p.text }));
}

function parseToolInput(args: string): Record<string, unknown> {
  if (args.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(args);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  return { arguments: args };
}

const DATA_URL = /^data:([^;,]*)((?:;[^;,]*)*?);base64,(.*)$/s;

function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const m = DATA_URL.exec(url);
  if (!m) return undefined;
  return { mediaType: (m[1] ?? '').toLowerCase(), data: m[3] ?? '' };
}

function convertUserContent(parts: ContentPart[], itemIndex: number): AnthropicRequestBlock[] {
  const param = `input[${itemIndex}].content`;
  const blocks: AnthropicRequestBlock[] = [];
  for (const part of parts) {
    switch (part.type) {
      case 'text':
        if (part.text.trim() !== '') blocks.push({ type: 'text', text: part.text });
        break;
      case 'image': {
        if (part.url.startsWith('data:')) {
          const parsed = parseDataUrl(part.url);
          if (!parsed) throw new ApiError('invalid_request', 'Image data URLs must be base64-encoded (data:image/png;base64,…).', { param });
          const mediaType = parsed.mediaType === 'image/jpg' ? 'image/jpeg' : parsed.mediaType;
          blocks.push({ type: 'image', source: { type: 'base64', media_type: mediaType, data: parsed.data } });
        } else {
          blocks.push({ type: 'image', source: { type: 'url', url: part.url } });
        }
        break;
      }
      case 'file':
        blocks.push(convertFile(part, param));
        break;
    }
  }
  return blocks;
}

function convertFile(part: Extract<ContentPart, { type: 'file' }>, param: string): AnthropicRequestBlock {
  const withTitle = (block: Extract<AnthropicRequestBlock, { type: 'document' }>): AnthropicRequestBlock => {
    if (part.filename !== undefined && part.filename !== '') block.title = part.filename;
    return block;
  };
  if (part.data !== undefined) {
    const parsed = part.data.startsWith('data:') ? parseDataUrl(part.data) : { mediaType: guessMediaType(part.filename), data: part.data };
    if (!parsed) throw new ApiError('invalid_request', 'file_data must be a base64 data URL (data:application/pdf;base64,…).', { param });
    if (parsed.mediaType === 'application/pdf') {
      return withTitle({ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: parsed.data } });
    }
    if (parsed.mediaType === 'text/plain') {
      return withTitle({ type: 'document', source: { type: 'text', media_type: 'text/plain', data: Buffer.from(parsed.data, 'base64').toString('utf8') } });
    }
    throw new ApiError('invalid_request', `The Anthropic backend accepts PDF and plain-text files only, not ${parsed.mediaType || 'this file type'}.`, { param });
  }
  if (part.url !== undefined) return withTitle({ type: 'document', source: { type: 'url', url: part.url } });
  throw new ApiError('invalid_request', 'Uploaded file ids are not supported by the Anthropic backend; send file_data or file_url instead.', { param });
}

function guessMediaType(filename: string | undefined): string {
  const name = (filename ?? '').toLowerCase();
  if (name.endsWith('.txt') || name.endsWith('.md')) return 'text/plain';
  return 'application/pdf';
}

// ---------------------------------------------------------------------------
// Tools and the JSON output emulation

function convertTools(
  { tools: defs, toolChoice: choice }: OfferedTools,
  parallelToolCalls: boolean,
  format: OutputFormat,
): { tools: AnthropicTool[]; toolChoice: AnthropicToolChoice | undefined; jsonTool?: JsonOutputTool } {
  // What the model may do with the function tools: 'none', 'auto', 'any' (must call one) or a name.
  let mode: 'none' | 'auto' | 'any' | { name: string };
  switch (choice.mode) {
    case 'auto':
      mode = 'auto';
      break;
    case 'none':
      mode = 'none';
      break;
    case 'required':
      mode = 'any';
      break;
    case 'function':
      mode = { name: choice.name };
      break;
  }
  const tools = defs.map((d): AnthropicTool => {
    const t: AnthropicTool = { name: d.name, input_schema: d.parameters };
    if (d.description !== undefined && d.description !== '') t.description = d.description;
    return t;
  });
  const parallel = (c: Exclude<AnthropicToolChoice, { type: 'none' }>): AnthropicToolChoice => {
    if (!parallelToolCalls) c.disable_parallel_tool_use = true;
    return c;
  };

  if (format.type !== 'text' && (tools.length === 0 || mode === 'none' || mode === 'auto')) {
    const { tool, jsonTool } = jsonOutputTool(format, new Set(tools.map((t) => t.name)));
    if (tools.length === 0 || mode === 'none') {
      // Only the format tool, forced: exactly one call.
      return { tools: [tool], toolChoice: { type: 'tool', name: tool.name, disable_parallel_tool_use: true }, jsonTool };
    }
    // A function call or the structured answer.
    return { tools: [...tools, tool], toolChoice: parallel({ type: 'any' }), jsonTool };
  }

  if (tools.length === 0) return { tools, toolChoice: undefined };
  if (mode === 'none') return { tools, toolChoice: { type: 'none' } };
  if (mode === 'auto') return { tools, toolChoice: parallel({ type: 'auto' }) };
  if (mode === 'any') return { tools, toolChoice: parallel({ type: 'any' }) };
  return { tools, toolChoice: parallel({ type: 'tool', name: mode.name }) };
}

function jsonOutputTool(format: Exclude<OutputFormat, { type: 'text' }>, taken: Set<string>): { tool: AnthropicTool; jsonTool: JsonOutputTool } {
  let base: string;
  let schema: Record<string, unknown>;
  let description: string;
  if (format.type === 'json_object') {
    base = JSON_OBJECT_TOOL_NAME;
    schema = { type: 'object' };
    description = 'Give your complete answer by calling this tool: its input is your response, as a JSON object.';
  } else {
    base = format.name;
    schema = format.schema;
    description =
      format.description !== undefined && format.description !== ''
        ? `${format.description}\n\nGive your complete answer by calling this tool: its input is your response.`
        : 'Give your complete answer by calling this tool: its input is your response.';
  }
  let name = base.slice(0, 64);
  for (let n = 1; taken.has(name); n++) {
    const suffix = n === 1 ? '_response' : `_response_${n}`;
    name = `${base.slice(0, 64 - suffix.length)}${suffix}`;
  }
  const wrapped = !isObjectSchema(schema);
  const inputSchema = wrapped ? { type: 'object', properties: { value: schema }, required: ['value'] } : schema;
  return { tool: { name, description, input_schema: inputSchema }, jsonTool: { name, wrapped } };
}

/** Whether a JSON Schema describes only objects (Anthropic's `input_schema` must). */
function isObjectSchema(schema: Record<string, unknown>): boolean {
  const type = schema.type;
  if (type === 'object') return true;
  if (type === undefined) return typeof schema.properties === 'object' && schema.properties !== null;
  return false;
}
