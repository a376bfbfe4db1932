/**
 * What the sandbox engine reads from a conversation: the last user message
 * (its text, or what was attached), and the tool results that arrived after it.
 */
import type { ContentPart, ConversationItem } from '../types.js';

export interface ToolResult {
  callId: string;
  /** Name of the function_call with the same call id, when the conversation has it. */
  name?: string;
  output: string;
}

export interface ConversationView {
  /** Text of the last user message ('' when there is none or it has no text). */
  lastUserText: string;
  /** Index of that message in `items`, -1 when there is none. */
  lastUserIndex: number;
  /** Kind of non-text input attached to the last user message, if any. */
  attachment: 'image' | 'file' | null;
  /** The first image of the last user message: the URL the client sent, else its data: URL. */
  imageUrl?: string;
  /** function_call_output items after the last user message, in order. */
  toolResults: ToolResult[];
  /** Names of the functions already called after the last user message. */
  calledAfterUser: Set<string>;
  /** User and assistant messages before the last user message (their text), oldest first. */
  history: { role: 'user' | 'assistant'; text: string }[];
  /** Text of system and developer messages among the items (instructions given in the conversation). */
  instructions: string;
}

export function textOf(content: ContentPart[]): string {
  return content
    .filter((p): p is Extract<ContentPart, { type: 'text' }> => p.type === 'text')
    .map((p) => p.text)
    .join('\n');
}

export function viewConversation(items: readonly ConversationItem[]): ConversationView {
  let lastUserIndex = -1;
  for (let i = items.length - 1; i >= 0; i--) {
    const it = items[i];
    if (it?.type === 'message' && it.role === 'user') {
      lastUserIndex = i;
      break;
    }
  }
  const last = lastUserIndex >= 0 ? items[lastUserIndex] : undefined;
  const lastUserText = last?.type === 'message' ? textOf(last.content).trim() : '';
  let attachment: ConversationView['attachment'] = null;
  if (last?.type === 'message') {
    if (last.content.some((p) => p.type === 'image')) attachment = 'image';
    else if (last.content.some((p) => p.type === 'file')) attachment = 'file';
  }
  const names = new Map<string, string>();
  for (const it of items) if (it.type === 'function_call') names.set(it.callId, it.name);
  const toolResults: ToolResult[] = [];
  const calledAfterUser = new Set<string>();
  for (let i = lastUserIndex + 1; i < items.length; i++) {
    const it = items[i];
    if (it?.type === 'function_call') calledAfterUser.add(it.name);
    if (it?.type === 'function_call_output') {
      const name = names.get(it.callId);
      toolResults.push(name === undefined ? { callId: it.callId, output: it.output } : { callId: it.callId, name, output: it.output });
    }
  }
  const imagePart = last?.type === 'message' ? last.content.find((p): p is Extract<ContentPart, { type: 'image' }> => p.type === 'image') : undefined;
  const history: ConversationView['history'] = [];
  const instructions: string[] = [];
  for (const [i, it] of items.entries()) {
    if (it.type !== 'message') continue;
    const text = textOf(it.content).trim();
    if (!text) continue;
    if (it.role === 'system' || it.role === 'developer') instructions.push(text);
    else if (i < lastUserIndex) history.push({ role: it.role, text });
  }
  const view: ConversationView = { lastUserText, lastUserIndex, attachment, toolResults, calledAfterUser, history, instructions: instructions.join('\n') };
  if (imagePart) view.imageUrl = imagePart.sourceUrl ?? imagePart.url;
  return view;
}
