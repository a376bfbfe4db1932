/**
 * Regenerates the SSE stream of a finished response from its stored body by
 * feeding equivalent provider events through the same translator, so replay
 * uses the one code path (ids and item order are the original's; text arrives
 * in one delta per item).
 */
import { ApiError } from '../errors/api-error.js';
import type { ErrorCode } from '../errors/registry.js';
import type { ProviderEvent } from '../providers/types.js';
import { ResponseTranslator } from './translator.js';
import type { ResponseObject, StreamEvent } from './types.js';

export function replayEvents(stored: ResponseObject): StreamEvent[] {
  const usage = stored.usage;
  const base: ResponseObject = {
    ...structuredClone(stored),
    status: 'in_progress',
    output: [],
    output_text: '',
    usage: null,
    error: null,
    incomplete_details: null,
    completed_at: null,
  };
  const t = new ResponseTranslator(base, {
    now: () => stored.completed_at ?? stored.created_at,
    price: () => usage?.credits_used ?? 0,
    estimateInputTokens: () => usage?.input_tokens ?? 0,
    estimateOutputTokens: () => usage?.output_tokens ?? 0,
  });
  const events: StreamEvent[] = [...t.start()];
  const provider: ProviderEvent[] = [];
  let call = 0;
  for (const item of stored.output) {
    if (item.type === 'message') provider.push({ type: 'text-delta', delta: item.content.map((c) => c.text).join('') });
    else {
      const index = call++;
      provider.push({ type: 'tool-call-start', index, callId: item.call_id, name: item.name }, { type: 'tool-call-delta', index, delta: item.arguments }, { type: 'tool-call-end', index });
    }
  }
  if (usage) {
    provider.push({
      type: 'usage',
      inputTokens: usage.input_tokens,
      outputTokens: usage.output_tokens,
      cachedTokens: usage.input_tokens_details.cached_tokens,
      reasoningTokens: usage.output_tokens_details.reasoning_tokens,
    });
  }
  if (stored.status === 'incomplete') provider.push({ type: 'finish', reason: stored.incomplete_details?.reason === 'content_filter' ? 'content_filter' : 'length' });
  for (const e of provider) events.push(...t.push(e));
  if (stored.status === 'failed') {
    const code = (stored.error?.code ?? 'internal_error') as ErrorCode;
    events.push(...t.fail(new ApiError(code, stored.error?.message ?? 'The response failed.')));
  } else if (stored.status === 'cancelled') events.push(...t.cancel());
  else if (stored.status === 'completed' || stored.status === 'incomplete') events.push(...t.complete());
  return events;
}
