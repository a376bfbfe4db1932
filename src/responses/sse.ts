/** SSE framing, and the sink every SSE body is written through. */
import type { StreamLimits } from '../limits/request-limits.js';
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

/** Bytes per enqueued chunk: a slow reader's progress shows at this grain (see the stall check). */
const CHUNK_BYTES = 64 * 1024;

/** How the body of a stalled reader ends (the HTTP layer then closes the connection). */
export class StalledReaderError extends Error {
  constructor(ms: number) {
    super(`The client read nothing of this event stream for ${ms / 1000} s; closing it.`);
    this.name = 'StalledReaderError';
    this.stack = this.message;
  }
}

export interface SseSinkOptions extends StreamLimits {
  /** The reader cancelled the body (the client went away). */
  onCancel?: () => void;
  /** The reader took nothing for `stallMs` while bytes waited: the body has been ended with an error. */
  onStall?: () => void;
  /** The reader made room (a writer that pulls from a log writes more now). */
  onRoom?: () => void;
}

/**
 * An SSE body with bounded memory for a reader of any speed.
 *
 * - Frames written together leave as one chunk: the flush is deferred (a
 *   microtask, or the end of the loop's turn when it is saturated:
 *   util/defer.ts), so one upstream chunk's events cost one socket write.
 * - Backpressure: the body's queue holds `bufferBytes`; past it `ready()`
 *   returns a promise that resolves when the reader takes bytes, and the
 *   writer (a run) stops pulling from its model until then. The HTTP layer
 *   (@hono/node-server) reads the body only while the socket accepts writes
 *   (write() → false waits for 'drain'), so a client that does not read
 *   stops the upstream instead of filling the server's memory.
 * - Stalls: a reader that takes nothing for `stallMs` while bytes wait is
 *   gone: the body is ended with a StalledReaderError and `onStall` runs.
 * - Keep-alive: after `keepAliveMs` without a frame, a `: keep-alive`
 *   comment (ignored by SSE parsers) keeps proxies with idle timeouts from
 *   cutting the stream.
 * - `settled` resolves once the body is over for the server: every byte
 *   taken by the reader after `close()`, the reader gone, or stalled.
 */
export class SseSink {
  readonly body: ReadableStream<Uint8Array>;
  readonly settled: Promise<void>;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private pending = '';
  private scheduled = false;
  private closing = false;
  private ended = false;
  private waiters: Array<() => void> = [];
  /** Bytes enqueued so far; minus the queue's size, what the reader took. */
  private enqueued = 0;
  private stallTimer: NodeJS.Timeout | undefined;
  private takenWhenArmed = 0;
  private keepAliveTimer: NodeJS.Timeout | undefined;
  private resolveSettled!: () => void;

  constructor(private readonly options: SseSinkOptions) {
    this.settled = new Promise((resolve) => (this.resolveSettled = resolve));
    this.body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
        },
        pull: () => this.pulled(),
        cancel: () => {
          if (this.ended) return;
          this.finish();
          this.options.onCancel?.();
        },
      },
      { highWaterMark: options.bufferBytes, size: (chunk) => chunk.byteLength },
    );
    if (options.keepAliveMs > 0) {
      this.keepAliveTimer = setTimeout(this.beat, options.keepAliveMs);
      this.keepAliveTimer.unref();
    }
  }

  /** Bytes the reader has room for before the buffer is full (≤ 0: full). */
  get room(): number {
    if (this.ended || this.closing) return 0;
    return (this.controller.desiredSize ?? 0) - this.pending.length;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  write(frame: string): void {
    if (this.ended || this.closing) return;
    this.pending += frame;
    this.keepAliveTimer?.refresh();
    if (!this.scheduled) {
      this.scheduled = true;
      deferGathered(this.flush);
    }
  }

  /** Undefined while the reader has room; else resolves when it takes bytes (or the body ends). */
  ready(): Promise<void> | undefined {
    if (this.room > 0 || this.ended || this.closing) return undefined;
    this.armStall();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Every frame is written: the body ends once the reader has taken them all. */
  close(): void {
    if (this.ended || this.closing) return;
    this.flush();
    this.closing = true;
    clearTimeout(this.keepAliveTimer);
    this.release();
    this.closeIfDelivered();
  }

  /** The writer is gone for good (its source failed): drop what is pending and end the body now. */
  abandon(): void {
    if (this.ended) return;
    this.finish();
    try {
      this.controller.close();
    } catch {
      // already closed or errored
    }
  }

  private readonly flush = (): void => {
    this.scheduled = false;
    if (this.ended || this.pending === '') return;
    const bytes = encoder.encode(this.pending);
    this.pending = '';
    for (let at = 0; at < bytes.length; at += CHUNK_BYTES) this.controller.enqueue(bytes.subarray(at, at + CHUNK_BYTES));
    this.enqueued += bytes.length;
    if ((this.controller.desiredSize ?? 0) <= 0) this.armStall();
  };

  private pulled(): void {
    if (this.ended) return;
    this.disarmStall();
    if (this.closing) return this.closeIfDelivered();
    if (this.room > 0) {
      this.release();
      this.options.onRoom?.();
    }
  }

  /** The queue is empty once the reader took every byte. */
  private closeIfDelivered(): void {
    if (this.pending === '' && this.controller.desiredSize === this.options.bufferBytes) {
      this.controller.close();
      this.finish();
    } else this.armStall();
  }

  private get taken(): number {
    return this.enqueued - (this.options.bufferBytes - (this.controller.desiredSize ?? 0));
  }

  private armStall(): void {
    if (this.stallTimer || this.ended) return;
    this.takenWhenArmed = this.taken;
    this.stallTimer = setTimeout(this.checkStall, this.options.stallMs);
    this.stallTimer.unref();
  }

  private disarmStall(): void {
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
  }

  /** Still waiting: a reader that took something meanwhile gets another period, one that took nothing is gone. */
  private readonly checkStall = (): void => {
    this.stallTimer = undefined;
    if (this.ended) return;
    if (this.taken > this.takenWhenArmed) return this.armStall();
    this.controller.error(new StalledReaderError(this.options.stallMs));
    this.finish();
    this.options.onStall?.();
  };

  private readonly beat = (): void => {
    if (this.ended || this.closing) return;
    // A reader with a full buffer is not silent-idle: it is slow, and the stall check has it.
    if (this.pending === '' && this.room > SSE_KEEPALIVE.length) this.write(SSE_KEEPALIVE);
    this.keepAliveTimer?.refresh();
  };

  private release(): void {
    for (const resolve of this.waiters.splice(0)) resolve();
  }

  private finish(): void {
    this.ended = true;
    this.pending = '';
    this.disarmStall();
    clearTimeout(this.keepAliveTimer);
    this.release();
    this.resolveSettled();
  }
}
