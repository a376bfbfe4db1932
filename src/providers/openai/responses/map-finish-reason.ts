import type { FinishReason } from '../../types.js';

/**
 * The upstream Response's terminal status → ProviderEvent finish reason.
 *
 * `incomplete` with `incomplete_details.reason` `max_output_tokens` → length,
 * `content_filter` → content_filter, any other reason → length (the answer was
 * cut short either way). `completed` (or anything else) → tool_calls when the
 * response carried function calls, else stop.
 */
export function mapFinishReason(status: string | null | undefined, incompleteReason: string | null | undefined, sawToolCalls = false): FinishReason {
  if (status === 'incomplete') return incompleteReason === 'content_filter' ? 'content_filter' : 'length';
  return sawToolCalls ? 'tool_calls' : 'stop';
}
