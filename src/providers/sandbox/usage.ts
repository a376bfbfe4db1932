/**
 * Token accounting for the sandbox engine, with the real o200k tokenizer.
 *
 * inputTokens = Σ over the system prompt and every conversation item of
 *   MESSAGE_OVERHEAD_TOKENS (4, the per-message framing a chat model adds)
 *   + countTokens of its text: message text parts, function-call name and
 *     arguments, function-call output;
 *   + ATTACHMENT_TOKENS (85, a low-detail image) per image or file part.
 * Tool definitions and the response format are not counted.
 *
 * outputTokens = countTokens of the emitted text, or Σ countTokens of the
 * emitted function-call arguments.
 */
import { countTokens, decodeTokens, encodeTokens } from '../../util/tokens.js';
import type { ProviderRequest } from '../types.js';

export const MESSAGE_OVERHEAD_TOKENS = 4;
export const ATTACHMENT_TOKENS = 85;

export function countInputTokens(req: Pick<ProviderRequest, 'system' | 'items'>): number {
  let n = 0;
  if (req.system) n += MESSAGE_OVERHEAD_TOKENS + countTokens(req.system);
  for (const item of req.items) {
    n += MESSAGE_OVERHEAD_TOKENS;
    switch (item.type) {
      case 'message':
        for (const part of item.content) n += part.type === 'text' ? countTokens(part.text) : ATTACHMENT_TOKENS;
        break;
      case 'function_call':
        n += countTokens(item.name) + countTokens(item.arguments);
        break;
      case 'function_call_output':
        n += countTokens(item.output);
        break;
    }
  }
  return n;
}

export interface Truncation {
  text: string;
  tokens: number;
  truncated: boolean;
}

/**
 * The longest prefix of `text` (cut at a token boundary) whose token count is
 * ≤ `max`. A cut never splits a character: a token that ends mid-character is
 * dropped with it.
 */
export function truncateToTokens(text: string, max: number | undefined): Truncation {
  const full = countTokens(text);
  if (max === undefined || full <= max) return { text, tokens: full, truncated: false };
  const ids = encodeTokens(text);
  for (let n = Math.max(0, Math.min(max, ids.length)); n >= 0; n--) {
    const prefix = n === 0 ? '' : decodeTokens(ids.slice(0, n));
    if (!text.startsWith(prefix) || prefix.includes('\uFFFD')) continue;
    const tokens = countTokens(prefix);
    if (tokens <= max) return { text: prefix, tokens, truncated: true };
  }
  return { text: '', tokens: 0, truncated: true };
}
