import type { FinishReason } from '../types.js';

/**
 * Anthropic `stop_reason` → ProviderEvent finish reason.
 *
 * `end_turn`, `stop_sequence` and `pause_turn` (a server-tool turn paused by
 * the API; Cohort sends no server tools) → stop; `max_tokens` and
 * `model_context_window_exceeded` → length; `tool_use` → tool_calls;
 * `refusal` → content_filter; null or anything unknown → stop.
 *
 * `tool_use` only means tool_calls when a function call was actually
 * reported: the tool standing in for a JSON output format (see
 * convert-request.ts) also ends with `tool_use`, and that answer is text. And
 * like the chat backend, a stop/unknown reason after function calls becomes
 * tool_calls, while length and content_filter still win.
 */
export function mapFinishReason(reason: string | null | undefined, sawToolCalls = false): FinishReason {
  switch (reason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'refusal':
      return 'content_filter';
    default:
      return sawToolCalls ? 'tool_calls' : 'stop';
  }
}
