/**
 * Bounds the connections one server process holds open. Without a bound,
 * 20,000 idle sockets (no request, or a finished keep-alive one) filled the
 * descriptor table and every request failed until Node reaped them, 60–100 s
 * later. Node's own `maxConnections` refuses the newcomer, which lets idle
 * sockets starve real requests; here a new connection over the bound closes
 * the oldest idle one instead (no request in progress on it), and only when
 * every connection is busy is the new one refused. Idle sockets are reaped
 * anyway by the headers and keep-alive timeouts (server.ts).
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';

export interface ConnectionStats {
  /** Connections open now. */
  readonly open: number;
  /** Idle connections closed to make room for new ones. */
  readonly evicted: number;
  /** New connections refused because every connection was busy. */
  readonly refused: number;
}

export function limitConnections(server: Server, max: number): ConnectionStats {
  /** Sockets without a request in progress, oldest first (a socket re-enters at the end when its request ends). */
  const idle = new Set<Socket>();
  const inFlight = new Map<Socket, number>();
  const stats = { open: 0, evicted: 0, refused: 0 };

  server.on('connection', (socket: Socket) => {
    stats.open++;
    idle.add(socket);
    socket.once('close', () => {
      stats.open--;
      idle.delete(socket);
      inFlight.delete(socket);
    });
    if (stats.open <= max) return;
    for (const old of idle) {
      if (old === socket) continue;
      idle.delete(old);
      stats.evicted++;
      old.destroy();
      return;
    }
    stats.refused++;
    socket.destroy();
  });

  server.on('request', (req, res) => {
    const socket = req.socket;
    idle.delete(socket);
    inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1);
    res.once('close', () => {
      const n = (inFlight.get(socket) ?? 1) - 1;
      if (n > 0) return void inFlight.set(socket, n);
      inFlight.delete(socket);
      if (!socket.destroyed) idle.add(socket);
    });
  });

  return stats;
}
