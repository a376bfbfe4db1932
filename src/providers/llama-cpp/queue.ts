/**
 * A bounded FIFO queue of generation slots. A slot is one context sequence:
 * `slots` generations run at once (one per sequence), up to `maxQueue` more
 * wait in arrival order, and beyond that a request is refused at once with
 * 503 service_unavailable and `retry-after: 1`, so an overloaded local model
 * sheds load instead of building an unbounded backlog.
 *
 * A waiting request whose signal aborts leaves the queue (rejecting with the
 * signal's reason) and frees its place.
 */
import { ApiError } from '../../errors/api-error.js';

export interface Lease {
  /** The slot (sequence index) this lease holds. */
  readonly slot: number;
  /** Gives the slot to the next waiter; idempotent. */
  release(): void;
}

export interface SlotQueue {
  acquire(signal?: AbortSignal): Promise<Lease>;
  /** Generations running now. */
  readonly running: number;
  /** Requests waiting for a slot. */
  readonly waiting: number;
}

interface Waiter {
  resolve(lease: Lease): void;
  cleanup(): void;
}

export function createSlotQueue(slots: number, maxQueue: number): SlotQueue {
  if (!Number.isInteger(slots) || slots < 1) throw new RangeError('slots must be a positive integer');
  if (!Number.isInteger(maxQueue) || maxQueue < 0) throw new RangeError('maxQueue must be a non-negative integer');

  // A stack: the sequence used last is handed out first, so back-to-back
  // requests with the same prompt prefix (persona, history) reuse its KV cache.
  const free: number[] = Array.from({ length: slots }, (_, i) => slots - 1 - i);
  const waiters: Waiter[] = [];

  function lease(slot: number): Lease {
    let released = false;
    return {
      slot,
      release() {
        if (released) return;
        released = true;
        const next = waiters.shift();
        if (next) {
          next.cleanup();
          next.resolve(lease(slot));
        } else {
          free.push(slot);
        }
      },
    };
  }

  return {
    acquire(signal?: AbortSignal): Promise<Lease> {
      if (signal?.aborted) return Promise.reject(abortReason(signal));
      const slot = free.pop();
      if (slot !== undefined) return Promise.resolve(lease(slot));
      if (waiters.length >= maxQueue) {
        return Promise.reject(
          new ApiError(
            'service_unavailable',
            `The local model is busy (${slots} running, ${waiters.length} waiting). Retry after a brief delay.`,
            { headers: { 'retry-after': '1' } },
          ),
        );
      }
      return new Promise<Lease>((resolve, reject) => {
        const onAbort = (): void => {
          const i = waiters.indexOf(waiter);
          if (i >= 0) waiters.splice(i, 1);
          reject(abortReason(signal!));
        };
        const waiter: Waiter = {
          resolve,
          cleanup: () => signal?.removeEventListener('abort', onAbort),
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        waiters.push(waiter);
      });
    },
    get running() {
      return slots - free.length;
    },
    get waiting() {
      return waiters.length;
    },
  };
}

export function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}
