/**
 * The SSE bodies of a run: a foreground run's live body (the run waits for
 * its reader) and a background run's logged body (read from the run's kept
 * events, never holding the run back).
 */
import type { Logger } from '../logger.js';
import type { StreamLimits } from '../limits/request-limits.js';
import type { ResponseRun } from './run.js';
import { SSE_DONE, SseSink, sseFrame } from './sse.js';

/**
 * The SSE body of a foreground run, subscribed before it starts: the run
 * waits for this reader (backpressure), and `onGone` runs when the reader
 * cancels or stalls. `settled`: the body is delivered or its reader gone.
 */
export function liveBody(run: ResponseRun, limits: StreamLimits, logger: Logger, onGone: () => void): SseSink {
  let unsubscribe: () => void = () => {};
  let unthrottle: () => void = () => {};
  const gone = () => {
    unsubscribe();
    unthrottle();
    onGone();
  };
  const sink = new SseSink({
    ...limits,
    onCancel: gone,
    onStall: () => {
      logger.warn('response.stream_stalled', { response_id: run.response.id, stall_ms: limits.stallMs });
      gone();
    },
  });
  unsubscribe = run.subscribe((event) => {
    if (event !== null) return sink.write(sseFrame(event));
    unthrottle();
    sink.write(SSE_DONE);
    sink.close();
  });
  unthrottle = run.throttle(() => sink.ready());
  return sink;
}

/**
 * The SSE body of a background run from its kept events (after `after`),
 * written as the reader takes them: a slow reader costs no memory beyond
 * the run's own log, and never holds the run back.
 */
export function loggedBody(run: ResponseRun, after: number, limits: StreamLimits): ReadableStream<Uint8Array> {
  let next = after + 1;
  let unsubscribe: () => void = () => {};
  const fill = () => {
    while (sink.room > 0 && next < run.events.length) sink.write(sseFrame(run.events[next++]!));
    if (run.finished && next >= run.events.length && !sink.isEnded) {
      unsubscribe();
      sink.write(SSE_DONE);
      sink.close();
    }
  };
  const sink = new SseSink({ ...limits, onRoom: fill, onCancel: () => unsubscribe(), onStall: () => unsubscribe() });
  // Only told that there is more: the events are read from run.events.
  unsubscribe = run.subscribe(fill, run.events.length - 1);
  fill();
  return sink.body;
}
