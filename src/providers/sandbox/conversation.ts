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

/**
 * A one-line summary of a tool output: JSON objects become "key value, key
 * value", arrays "N results: a, b", plain text its first sentence.
 */
export function summarizeOutput(output: string, maxChars = 220): string {
  const trimmed = output.trim();
  if (!trimmed) return 'no output';
  let parsed: unknown;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    parsed = undefined;
  }
  const summary = parsed === undefined ? firstSentence(trimmed) : summarizeValue(parsed, 0);
  return clip(summary || firstSentence(trimmed), maxChars);
}

function summarizeValue(value: unknown, depth: number): string {
  if (value === null) return 'none';
  if (typeof value === 'string') return firstSentence(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) {
    if (value.length === 0) return 'no results';
    const shown = value.slice(0, 3).map((v) => summarizeValue(v, depth + 1));
    const more = value.length > 3 ? ', …' : '';
    return `${value.length} result${value.length === 1 ? '' : 's'}: ${shown.join('; ')}${more}`;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return 'an empty result';
    if (depth >= 2) return entries.slice(0, 2).map(([k, v]) => `${humanKey(k)} ${typeof v === 'object' ? '…' : String(v)}`).join(', ');
    return entries
      .slice(0, 5)
      .map(([k, v]) => `${humanKey(k)} ${summarizeValue(v, depth + 1)}`)
      .join(', ');
  }
  return String(value);
}

function humanKey(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_-]+/g, ' ')
    .toLowerCase()
    .trim();
}

function firstSentence(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  const m = /^(.+?[.!?])(?:\s|$)/.exec(oneLine);
  return (m?.[1] ?? oneLine).replace(/[.!?]+$/, '');
}

function clip(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, max - 1).join('').trimEnd()}…`;
}
