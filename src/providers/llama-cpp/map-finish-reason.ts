import type { FinishReason } from '../types.js';
import type { StopReason } from './llama-api.js';

/**
 * node-llama-cpp's stop reason → ProviderEvent finish reason.
 *
 * `maxTokens` → length (the output limit, or the end of the context window,
 * was reached); `functionCalls` → tool_calls; the end-of-generation token and
 * stop triggers → stop, or tool_calls when the turn carried function calls.
 * `abort` never reaches here: an aborted request throws its signal's reason.
 */
export function mapFinishReason(reason: StopReason, sawToolCalls = false): FinishReason {
  switch (reason) {
    case 'maxTokens':
      return 'length';
    case 'functionCalls':
      return 'tool_calls';
    default:
      return sawToolCalls ? 'tool_calls' : 'stop';
  }
}
