/**
 * Connections the primary handed to a worker that died before taking them.
 *
 * Under node:cluster's round-robin scheduling (the default everywhere but
 * Windows) the primary accepts each connection, sends it to the next idle
 * worker and keeps its own copy until that worker acknowledges it. A worker
 * killed a moment earlier is still in the rotation until the primary reads
 * the end of its channel, so a connection accepted in that moment is sent to
 * the dead process, whose acknowledgement never comes. Node then neither
 * closes that connection nor sends it to another worker: the client is
 * connected to nobody, for ever — no server timeout applies, no HTTP server
 * holds it, and a client that opened it ahead of time (a pool's spare
 * connection) sends its next request into it and waits.
 *
 * `guardHandoffs` notes each connection the primary sends to a worker (the
 * cluster's `newconn` message and its sequence number) and each
 * acknowledgement. When the worker's channel closes, each connection still
 * unacknowledged is refused on the dead worker's behalf the way a worker that
 * is shutting down refuses one (`accepted: false`): Node's round-robin hands
 * it to another worker. When no other worker listens, the connection is
 * closed instead, so the client sees it end rather than wait.
 *
 * This speaks node:cluster's internal protocol (`NODE_CLUSTER` messages,
 * `seq`/`ack`), unchanged from Node.js 20 to 24; test/cli/workers.test.ts
 * kills workers as connections arrive to catch a change.
 */
import type { Worker } from 'node:cluster';

interface ClusterMessage {
  cmd?: unknown;
  act?: unknown;
  seq?: unknown;
  ack?: unknown;
}

interface Closable {
  close(): void;
}

const isCluster = (m: unknown): m is ClusterMessage => typeof m === 'object' && m !== null && (m as ClusterMessage).cmd === 'NODE_CLUSTER';

/**
 * Watches the connections handed to `worker` (call right after `cluster.fork`).
 * `othersListening()` says whether another live worker takes connections now.
 * `onRescued` is told how many were handed on and how many were closed.
 */
export function guardHandoffs(worker: Worker, othersListening: () => boolean, onRescued?: (handedOn: number, closed: number) => void): void {
  const child = worker.process;
  /** Connections sent and not yet acknowledged, by the message's sequence number. */
  const pending = new Map<number, Closable>();
  const send = child.send.bind(child) as (...args: unknown[]) => boolean;
  (child as { send: (...args: unknown[]) => boolean }).send = (message: unknown, handle?: unknown, ...rest: unknown[]): boolean => {
    if (isCluster(message) && message.act === 'newconn' && typeof message.seq === 'number' && handle) pending.set(message.seq, handle as Closable);
    return send(message, handle, ...rest);
  };
  child.on('internalMessage', (message: unknown) => {
    if (isCluster(message) && typeof message.ack === 'number') pending.delete(message.ack);
  });

  // After node:cluster's own 'disconnect' (or 'exit') handling, which takes the worker out of
  // the rotation: the refused connection cannot be handed back to it.
  const rescue = (): void => {
    if (pending.size === 0 || worker.isConnected()) return;
    let handedOn = 0;
    let closed = 0;
    for (const [seq, handle] of pending) {
      pending.delete(seq);
      if (othersListening()) {
        child.emit('internalMessage', { cmd: 'NODE_CLUSTER', ack: seq, accepted: false });
        handedOn++;
      } else {
        handle.close();
        closed++;
      }
    }
    onRescued?.(handedOn, closed);
  };
  worker.on('disconnect', rescue);
  worker.on('exit', rescue);
}
