/**
 * Stop sequences, applied to a provider's event stream whatever the backend:
 * the answer's text ends just before the first occurrence of any of them, the
 * sequence itself is not part of it, and the finish reason is `stop` — as
 * OpenAI's Chat Completions `stop` does.
 *
 * Backends that support stop sequences get them too (openai-chat `stop`,
 * anthropic `stop_sequences`, llama-cpp stop triggers), so the upstream stops
 * generating; this filter is what makes the result the same on the others
 * (an OpenAI Responses upstream has no such parameter, the sandbox engine,
 * an OpenAI-compatible server that ignores it). After a match the rest of the
 * upstream's text and any tool calls are dropped; usage is passed through
 * (the upstream did generate those tokens and bills them).
 *
 * Text that could be the start of a stop sequence is held back until the
 * next delta decides, so a sequence split across deltas is found and no
 * client ever sees its first half.
 */
import type { ProviderEvent } from './types.js';

export async function* applyStopSequences(events: AsyncIterable<ProviderEvent>, stops: readonly string[]): AsyncGenerator<ProviderEvent> {
  const sequences = stops.filter((s) => s.length > 0);
  if (sequences.length === 0) {
    yield* events;
    return;
  }
  let held = '';
  let stopped = false;
  for await (const event of events) {
    if (stopped) {
      if (event.type === 'usage' || event.type === 'engine') yield event;
      else if (event.type === 'finish') yield { type: 'finish', reason: 'stop' };
      continue;
    }
    if (event.type !== 'text-delta') {
      if (held !== '') {
        yield { type: 'text-delta', delta: held };
        held = '';
      }
      yield event;
      continue;
    }
    const text = held + event.delta;
    const cut = firstMatch(text, sequences);
    if (cut !== -1) {
      stopped = true;
      held = '';
      if (cut > 0) yield { type: 'text-delta', delta: text.slice(0, cut) };
      continue;
    }
    const keep = partialSuffix(text, sequences);
    held = text.slice(text.length - keep);
    if (keep < text.length) yield { type: 'text-delta', delta: text.slice(0, text.length - keep) };
  }
  if (!stopped && held !== '') yield { type: 'text-delta', delta: held };
}

/** Index of the earliest occurrence of any sequence, or -1. */
function firstMatch(text: string, sequences: readonly string[]): number {
  let best = -1;
  for (const s of sequences) {
    const i = text.indexOf(s);
    if (i !== -1 && (best === -1 || i < best)) best = i;
  }
  return best;
}

/** Length of the longest suffix of `text` that is a proper prefix of some sequence. */
function partialSuffix(text: string, sequences: readonly string[]): number {
  let longest = 0;
  for (const s of sequences) {
    for (let n = Math.min(s.length - 1, text.length); n > longest; n--) {
      if (text.endsWith(s.slice(0, n))) {
        longest = n;
        break;
      }
    }
  }
  return longest;
}
