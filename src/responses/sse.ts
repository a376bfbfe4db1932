/** SSE framing: one event is one string, written in one write. */
import type { StreamEvent } from './types.js';
import { deferGathered } from '../util/defer.js';

const encoder = new TextEncoder();

export function sseFrame(event: StreamEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

export const SSE_DONE = 'data: [DONE]\n\n';
export const SSE_KEEPALIVE = ': keep-alive\n\n';

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache, no-transform',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
} as const;

export function encodeFrame(frame: string): Uint8Array {
  return encoder.encode(frame);
}

/**
 * Writes SSE frames to a byte stream, the frames emitted together as one
 * chunk: the events one upstream chunk produces (and the lifecycle events at
 * a response's start and end) leave in one socket write instead of one each.
 * The flush is a microtask, so no frame waits for the rest of the event loop's
 * turn (which lasts milliseconds under load) — unless the loop is saturated:
 * then the frames of a whole turn go out together (util/defer.ts).
 */
export class FrameWriter {
  private pending = '';
  private scheduled = false;
  private closed = false;

  constructor(private readonly controller: ReadableStreamDefaultController<Uint8Array>) {}

  private readonly flush = (): void => {
    this.scheduled = false;
    if (this.closed || this.pending === '') return;
    const text = this.pending;
    this.pending = '';
    this.controller.enqueue(encoder.encode(text));
  };

  write(frame: string): void {
    if (this.closed) return;
    this.pending += frame;
    if (!this.scheduled) {
      this.scheduled = true;
      deferGathered(this.flush);
    }
  }

  /** Writes what is pending, then ends the stream. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.controller.close();
  }

  /** The reader went away: drops what is pending. */
  cancel(): void {
    this.closed = true;
    this.pending = '';
  }
}
