/**
 * What the processes of a queue deployment tell each other about studies,
 * over Redis pub/sub (one channel, `<prefix>focus-groups`):
 *
 *   progress <id>   an answer was recorded or the study changed: the event
 *                   streams of every process re-read it at once (they also
 *                   poll the database, so a lost message only delays them);
 *   stop <id>       the study was cancelled or deleted: every worker aborts
 *                   its model calls for it now (a worker that misses it is
 *                   refused at its next answer: the study is no longer
 *                   processing, so nothing more is stored or charged).
 *
 * Progress is coalesced per study to one message per tick. Each message
 * carries its sender's token; a process skips its own (it told itself
 * already).
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '../../logger.js';
import { createProgressHub, type ProgressHub } from '../progress.js';

export interface StudySignals {
  /** notify() reaches this process's listeners and, through Redis, every other process's. */
  progress: ProgressHub;
  /** Tells every process (this one included) to stop a study's work. */
  stop(studyId: string): void;
  /** Called for each `stop`, this process's own included. */
  onStop(listener: (studyId: string) => void): void;
  /** Resolves once the subscription is live. */
  ready: Promise<void>;
  close(): Promise<void>;
}

export function createStudySignals(redis: Redis, options: { prefix: string; logger: Logger }): StudySignals {
  const channel = `${options.prefix}focus-groups`;
  const local = createProgressHub();
  const stopListeners: Array<(id: string) => void> = [];
  const pending = new Set<string>();
  const subscriber = redis.duplicate({ maxRetriesPerRequest: null, commandTimeout: undefined });
  subscriber.on('error', () => {}); // reported by the main client's handler
  const me = randomBytes(6).toString('hex');
  subscriber.on('message', (_channel: string, message: string) => {
    const [kind, id, sender] = message.split(' ');
    if (!id || sender === me) return;
    if (kind === 'progress') local.notify(id);
    else if (kind === 'stop') for (const l of stopListeners) l(id);
  });
  const ready = subscriber.subscribe(channel).then(() => undefined);
  ready.catch((err: unknown) => options.logger.error('focus_groups.signals_failed', { err }));
  const publish = (message: string) => {
    redis.publish(channel, `${message} ${me}`).catch((err: unknown) => options.logger.warn('focus_groups.signal_failed', { err }));
  };
  return {
    progress: {
      notify(id) {
        local.notify(id);
        if (pending.has(id)) return;
        pending.add(id);
        setImmediate(() => {
          pending.delete(id);
          publish(`progress ${id}`);
        });
      },
      subscribe: local.subscribe,
    },
    stop(id) {
      for (const l of stopListeners) l(id);
      publish(`stop ${id}`);
    },
    onStop(listener) {
      stopListeners.push(listener);
    },
    ready,
    async close() {
      subscriber.disconnect();
    },
  };
}
