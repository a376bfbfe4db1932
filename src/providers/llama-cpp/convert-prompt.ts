/**
 * ProviderRequest → the chat history node-llama-cpp's LlamaChat renders with
 * the model's own chat template (its chat wrapper).
 *
 * - The system prompt (persona prompt + instructions) and any system/developer
 *   messages that open the conversation become the first system item; later
 *   ones stay system items in place (wrappers whose template has no mid-chat
 *   system turn render them as user text).
 * - Consecutive turns of one side are merged: chat templates expect
 *   alternating user/model turns.
 * - Function calls and their outputs are rendered as text, in the widely
 *   trained Hermes/Qwen style: a call is `<tool_call>{"name":…,"arguments":…}</tool_call>`
 *   in the model's turn, its output `<tool_response name="…">…</tool_response>`
 *   in the user's turn. This works with every chat template, whether or not it
 *   knows native function calling.
 * - The local engine is text-only: image and file parts are rejected with a
 *   400 naming the item, rather than silently dropped.
 * - The history ends with an empty model turn: the generation is the
 *   assistant's reply.
 */
import { ApiError } from '../../errors/api-error.js';
import type { ContentPart, ConversationItem, FunctionToolDef } from '../types.js';
import type { ChatHistoryItem } from './llama-api.js';

export interface PromptInput {
  system?: string;
  items: ConversationItem[];
}

/**
 * @param finalSystem text appended as a last system item, just before the
 *   reply (used for forced tool calls).
 */
export function convertPrompt(req: PromptInput, finalSystem?: string): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = [];
  const systemParts: string[] = [];
  if (req.system !== undefined && req.system !== '') systemParts.push(req.system);

  const names = new Map<string, string>();
  for (const item of req.items) if (item.type === 'function_call') names.set(item.callId, item.name);

  let leading = true;
  req.items.forEach((item, i) => {
    if (item.type === 'message' && (item.role === 'system' || item.role === 'developer')) {
      const text = textOf(item.content, i);
      if (leading) systemParts.push(text);
      else push(history, 'system', text);
      return;
    }
    leading = false;
    switch (item.type) {
      case 'message':
        push(history, item.role === 'assistant' ? 'model' : 'user', textOf(item.content, i));
        break;
      case 'function_call':
        push(history, 'model', renderToolCall(item.name, item.arguments));
        break;
      case 'function_call_output':
        push(history, 'user', renderToolResponse(names.get(item.callId) ?? item.callId, item.output));
        break;
    }
  });

  const system = systemParts.filter((s) => s !== '').join('\n\n');
  if (system !== '') history.unshift({ type: 'system', text: system });
  if (finalSystem !== undefined && finalSystem !== '') history.push({ type: 'system', text: finalSystem });
  history.push({ type: 'model', response: [] });
  return history;
}

export function renderToolCall(name: string, args: string): string {
  const trimmed = args.trim();
  return `<tool_call>\n{"name": ${JSON.stringify(name)}, "arguments": ${trimmed === '' ? '{}' : trimmed}}\n</tool_call>`;
}

export function renderToolResponse(name: string, output: string): string {
  return `<tool_response name=${JSON.stringify(name)}>\n${output}\n</tool_response>`;
}

/** The tools as text, for the instruction of a forced call. */
export function describeTools(tools: FunctionToolDef[]): string {
  const lines = ['You can call these functions. Each is listed with the JSON Schema of its arguments.'];
  for (const t of tools) {
    lines.push('', `- ${t.name}${t.description ? `: ${t.description}` : ''}`, `  arguments schema: ${JSON.stringify(t.parameters)}`);
  }
  return lines.join('\n');
}

/** Instruction for the step that picks which function a forced call uses. */
export function chooseToolInstruction(tools: FunctionToolDef[]): string {
  return `${describeTools(tools)}\n\nYou must call one of these functions now. Reply with only the name of the function to call, as a JSON string.`;
}

/** Instruction for the step that writes a forced call's arguments. */
export function callToolInstruction(tools: FunctionToolDef[], name: string): string {
  return `${describeTools(tools)}\n\nCall the function ${JSON.stringify(name)} now. Reply with only its arguments, as one JSON object that follows its schema.`;
}

function push(history: ChatHistoryItem[], type: 'system' | 'user' | 'model', text: string): void {
  const last = history[history.length - 1];
  if (type === 'model') {
    if (last?.type === 'model') {
      const prev = last.response[last.response.length - 1];
      if (prev !== undefined) last.response[last.response.length - 1] = `${prev}\n\n${text}`;
      else last.response.push(text);
    } else {
      history.push({ type: 'model', response: [text] });
    }
    return;
  }
  if (last?.type === type) last.text = `${last.text}\n\n${text}`;
  else history.push({ type, text });
}

function textOf(parts: ContentPart[], itemIndex: number): string {
  const texts: string[] = [];
  for (const part of parts) {
    if (part.type !== 'text') {
      throw new ApiError(
        'invalid_request',
        `The local model engine accepts text only; input[${itemIndex}] has ${part.type === 'image' ? 'an image' : 'a file'} part.`,
        { param: `input[${itemIndex}].content` },
      );
    }
    texts.push(part.text);
  }
  return texts.join('\n');
}
