/** SSE framing: one event is one string, written in one write. */
import type { StreamEvent } from './types.js';

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
