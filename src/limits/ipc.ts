/**
 * Limits shared by the worker processes of one `cohort serve --workers N`
 * without Redis: the primary process keeps the windows and the counts (the
 * memory limiters of memory.ts) and each worker asks it over the cluster's IPC
 * channel, so a workspace's limits hold for the whole server, exactly as with
 * one process. (With Redis, workers use Redis directly.)
 *
 * The primary releases the concurrency leases of a worker that dies.
 */
import { createMemoryConcurrencyLimiter, createMemoryRateLimiter } from './memory.js';
import type { ConcurrencyLimiter, RateLimiter, WindowLimits, WindowState } from './types.js';

/** A question a worker asks (it waits for the answer). */
type Ask = { op: 'hit' | 'peek'; key: string; limits: WindowLimits; now: number } | { op: 'acquire'; key: string; limit: number };

type Request = ({ cohort: 'limits'; id: number } & Ask) | { cohort: 'limits'; op: 'release'; lease: number };

type Reply = { cohort: 'limits'; id: number; result?: unknown; error?: string };

/** What the worker side needs of `process` (a cluster worker's IPC channel). */
export interface IpcChannel {
  send(message: unknown): unknown;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'disconnect', listener: () => void): unknown;
}

const isReply = (m: unknown): m is Reply => typeof m === 'object' && m !== null && (m as { cohort?: unknown }).cohort === 'limits' && typeof (m as { id?: unknown }).id === 'number';

/** The worker side: limiters that ask the primary. */
export function createIpcLimits(channel: IpcChannel): { rateLimiter: RateLimiter; concurrency: ConcurrencyLimiter } {
  let next = 1;
  let gone = false;
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  channel.on('message', (m) => {
    if (!isReply(m)) return;
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.error !== undefined) p.reject(new Error(m.error));
    else p.resolve(m.result);
  });
  channel.on('disconnect', () => {
    gone = true;
    for (const p of pending.values()) p.reject(new Error('the primary process is gone'));
    pending.clear();
  });
  const ask = <T>(request: Ask): Promise<T> => {
    if (gone) return Promise.reject(new Error('the primary process is gone'));
    const id = next++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      channel.send({ cohort: 'limits', id, ...request });
    });
  };
  return {
    rateLimiter: {
      hit: (key, limits, now) => ask<WindowState>({ op: 'hit', key, limits, now }),
      peek: (key, limits, now) => ask<WindowState>({ op: 'peek', key, limits, now }),
    },
    concurrency: {
      async acquire(key, limit) {
        const lease = await ask<number | null>({ op: 'acquire', key, limit });
        if (lease === null) return null;
        let released = false;
        return async () => {
          if (released || gone) return;
          released = true;
          channel.send({ cohort: 'limits', op: 'release', lease });
        };
      },
    },
  };
}

/** The primary side: one set of limiters for every worker. `attach` each worker; call the returned `detach` when it exits. */
export function createLimitsHost(): { attach(worker: { send(message: unknown): unknown; on(event: 'message', listener: (message: unknown) => void): unknown }): () => void } {
  const rate = createMemoryRateLimiter();
  const concurrency = createMemoryConcurrencyLimiter();
  let nextLease = 1;
  return {
    attach(worker) {
      const leases = new Map<number, () => Promise<void>>();
      // Set when the worker is gone: a slot granted after that (its question was still being
      // answered when it died) is given back at once instead of being held forever.
      let detached = false;
      const answer = (id: number, result: unknown): void => void worker.send({ cohort: 'limits', id, result } satisfies Reply);
      const fail = (id: number, err: unknown): void => void worker.send({ cohort: 'limits', id, error: err instanceof Error ? err.message : String(err) } satisfies Reply);
      worker.on('message', (raw) => {
        if (typeof raw !== 'object' || raw === null || (raw as { cohort?: unknown }).cohort !== 'limits') return;
        const m = raw as Request;
        switch (m.op) {
          case 'hit':
          case 'peek':
            rate[m.op](m.key, m.limits, m.now).then((r) => answer(m.id, r), (err: unknown) => fail(m.id, err));
            return;
          case 'acquire':
            concurrency.acquire(m.key, m.limit).then(
              (release) => {
                if (!release) return answer(m.id, null);
                if (detached) return void release();
                const lease = nextLease++;
                leases.set(lease, release);
                answer(m.id, lease);
              },
              (err: unknown) => fail(m.id, err),
            );
            return;
          case 'release': {
            const release = leases.get(m.lease);
            leases.delete(m.lease);
            void release?.();
            return;
          }
        }
      });
      return () => {
        detached = true;
        for (const release of leases.values()) void release();
        leases.clear();
      };
    },
  };
}
