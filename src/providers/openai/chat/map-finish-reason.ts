import type { FinishReason } from '../../types.js';

/**
 * Chat Completions `finish_reason` → ProviderEvent finish reason.
 *
 * `stop` → stop, `length` → length, `tool_calls`/`function_call` → tool_calls,
 * `content_filter` → content_filter; null or anything unknown → stop.
 *
 * When the response carried tool calls, `stop`/null/unknown become tool_calls:
 * several local servers (Ollama, some llama.cpp and vLLM versions) report
 * `stop` after emitting tool calls, and the translator needs tool_calls to
 * present the turn as awaiting function outputs. `length` and `content_filter`
 * still win, because then the call arguments may be cut short and the response
 * must read as incomplete.
 */
export function mapFinishReason(reason: string | null | undefined, sawToolCalls = false): FinishReason {
  switch (reason) {
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content_filter';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    default:
      return sawToolCalls ? 'tool_calls' : 'stop';
  }
}
