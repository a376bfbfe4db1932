/**
 * Conversions between the wire's input/output items and the provider-neutral
 * ConversationItem, and the API shape of stored input items.
 */
import type { ContentPart, ConversationItem } from '../providers/types.js';
import type { ContentPartInput } from '../schemas/create-response.js';
import type { InputItemObject, OutputItem } from './types.js';

export function partsToText(parts: string | ContentPartInput[]): string {
  if (typeof parts === 'string') return parts;
  return parts
    .map((p) => (p.type === 'input_text' || p.type === 'output_text' ? p.text : p.type === 'refusal' ? p.refusal : ''))
    .join('');
}

export function outputItemToConversation(item: OutputItem): ConversationItem {
  if (item.type === 'message') {
    return { type: 'message', role: 'assistant', content: [{ type: 'text', text: item.content.map((c) => c.text).join('') }] };
  }
  return { type: 'function_call', callId: item.call_id, name: item.name, arguments: item.arguments };
}

/** A conversation item as `GET /v1/responses/{id}/input_items` shows it. */
export function conversationToApiItem(item: ConversationItem, id: string): InputItemObject {
  switch (item.type) {
    case 'message':
      return {
        type: 'message',
        id,
        status: 'completed',
        role: item.role,
        content: item.content.map((p) => apiPart(p, item.role)),
      };
    case 'function_call':
      return { type: 'function_call', id, call_id: item.callId, name: item.name, arguments: item.arguments, status: 'completed' };
    case 'function_call_output':
      return { type: 'function_call_output', id, call_id: item.callId, output: item.output, status: 'completed' };
  }
}

function apiPart(p: ContentPart, role: string): Record<string, unknown> {
  switch (p.type) {
    case 'text':
      return role === 'assistant' ? { type: 'output_text', text: p.text, annotations: [] } : { type: 'input_text', text: p.text };
    case 'image':
      return { type: 'input_image', image_url: p.sourceUrl ?? p.url, detail: p.detail };
    case 'file':
      return { type: 'input_file', ...(p.filename ? { filename: p.filename } : {}), ...(p.url ? { file_url: p.url } : {}) };
  }
}

/** All text of a conversation item, for token estimates. */
export function itemText(item: ConversationItem): string {
  switch (item.type) {
    case 'message':
      return item.content.map((p) => (p.type === 'text' ? p.text : '')).join('');
    case 'function_call':
      return `${item.name}${item.arguments}`;
    case 'function_call_output':
      return item.output;
  }
}
