/**
 * Stop sequences, applied to a provider's event stream whatever the backend:
 * the answer's text ends just before the first stop sequence it contains, the
 * sequence itself is not part of it, and the finish reason is `stop` — as
 * OpenAI's Chat Completions `stop` does.
 *
 * Backends that support stop sequences get them too (openai-chat `stop`,
 * anthropic `stop_sequences`, llama-cpp stop triggers), so the upstream stops
 * generating and reports its exact usage; this filter is what makes the
 * result the same on the others (an OpenAI Responses upstream, OpenAI
 * reasoning models, the sandbox engine, a server that ignores `stop`).
 *
 * - Text that could be the start of a stop sequence is held back until the
 *   next delta decides, so a sequence split across deltas (or model turns)
 *   is found and no client ever sees its first half.
 * - "First" is the sequence that is complete earliest in the text (the
 *   smallest end, then the smallest start), which is what an upstream that
 *   stops as soon as a sequence is complete returns, however the text is cut
 *   into deltas.
 * - After a match the stream ends at once with `finish: stop` (and
 *   `stopped` says why): the consumer stops reading, which aborts the upstream
 *   call (router.ts), so nobody waits for text that would be thrown away.
 *   Usage the upstream has not reported by then is estimated from the text
 *   kept (ResponseTranslator). Function calls already started are let through
 *   to their end first, so no call arrives with half its arguments.
 */
import type { ProviderEvent } from './types.js';

/** Longest stop sequence accepted (characters): the filter holds back at most this much text. */
export const MAX_STOP_SEQUENCE_LENGTH = 256;

/**
 * One response's stop sequences. `filter` runs over each provider stream of
 * the response (one per model turn, with server tools): text held back at the
 * end of a turn stays held, so a sequence split across two turns is found
 * too, and `flush` hands it over once the response's text is complete.
 */
export class StopSequences {
  private readonly sequences: string[];
  private held = '';
  /** The text ended at a stop sequence: no further turn may add to it. */
  stopped = false;

  constructor(stops: readonly string[]) {
    this.sequences = stops.filter((s) => s.length > 0);
  }

  async *filter(events: AsyncIterable<ProviderEvent>): AsyncGenerator<ProviderEvent> {
    if (this.sequences.length === 0 || this.stopped) {
      if (!this.stopped) yield* events;
      return;
    }
    const open = new Set<number>();
    let matched = false;
    for await (const event of events) {
      if (matched) {
        // Only the function calls that were open at the match are finished.
        if ((event.type === 'tool-call-delta' || event.type === 'tool-call-end') && open.has(event.index)) {
          if (event.type === 'tool-call-end') open.delete(event.index);
          yield event;
        } else if (event.type === 'usage') yield event;
        if (open.size === 0) break;
        continue;
      }
      if (event.type === 'text-delta') {
        const text = this.held + event.delta;
        const cut = firstStop(text, this.sequences);
        if (cut !== -1) {
          this.held = '';
          matched = this.stopped = true;
          if (cut > 0) yield { type: 'text-delta', delta: text.slice(0, cut) };
          if (open.size === 0) break;
          continue;
        }
        const keep = partialSuffix(text, this.sequences);
        this.held = text.slice(text.length - keep);
        if (keep < text.length) yield { type: 'text-delta', delta: text.slice(0, text.length - keep) };
        continue;
      }
      // Usage, the engine's name and the turn's finish say nothing about the text: held text stays held.
      if (event.type !== 'usage' && event.type !== 'engine' && event.type !== 'finish') yield* this.flush();
      if (event.type === 'tool-call-start') open.add(event.index);
      else if (event.type === 'tool-call-end') open.delete(event.index);
      yield event;
    }
    if (matched) yield { type: 'finish', reason: 'stop' };
  }

  /** The text still held back (it did not turn into a stop sequence). */
  *flush(): Generator<ProviderEvent> {
    if (this.held === '') return;
    const delta = this.held;
    this.held = '';
    yield { type: 'text-delta', delta };
  }
}

/** Where the text ends before the stop sequence that is complete first, or -1. */
function firstStop(text: string, sequences: readonly string[]): number {
  let bestStart = -1;
  let bestEnd = Infinity;
  for (const s of sequences) {
    const i = text.indexOf(s);
    if (i === -1) continue;
    const end = i + s.length;
    if (end < bestEnd || (end === bestEnd && i < bestStart)) {
      bestStart = i;
      bestEnd = end;
    }
  }
  return bestStart;
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
