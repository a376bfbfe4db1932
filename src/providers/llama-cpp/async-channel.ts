/**
 * An unbounded single-consumer async queue: node-llama-cpp reports tokens
 * through callbacks, the provider's async generator pulls them as they arrive.
 * `close()` ends the iteration after the buffered values; `fail(err)` ends it
 * with `err` at once (buffered values are dropped, e.g. on abort).
 */
export class AsyncChannel<T> implements AsyncIterable<T> {
  private readonly buffer: T[] = [];
  private waiting: { resolve: (r: IteratorResult<T, undefined>) => void; reject: (err: unknown) => void } | undefined;
  private done = false;
  private error: { err: unknown } | undefined;

  push(value: T): void {
    if (this.done || this.error) return;
    const w = this.waiting;
    if (w) {
      this.waiting = undefined;
      w.resolve({ value, done: false });
    } else {
      this.buffer.push(value);
    }
  }

  close(): void {
    if (this.done || this.error) return;
    this.done = true;
    const w = this.waiting;
    if (w && this.buffer.length === 0) {
      this.waiting = undefined;
      w.resolve({ value: undefined, done: true });
    }
  }

  fail(err: unknown): void {
    if (this.error) return;
    this.error = { err };
    this.buffer.length = 0;
    const w = this.waiting;
    if (w) {
      this.waiting = undefined;
      w.reject(err);
    }
  }

  next(): Promise<IteratorResult<T, undefined>> {
    if (this.error) return Promise.reject(this.error.err);
    if (this.buffer.length > 0) return Promise.resolve({ value: this.buffer.shift() as T, done: false });
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  [Symbol.asyncIterator](): AsyncIterator<T, undefined> {
    return { next: () => this.next() };
  }
}
