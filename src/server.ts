/**
 * Listens: serves a Runtime's app over HTTP, and shuts down gracefully —
 * stop accepting, let in-flight responses finish within the grace period, then
 * abort the rest (they are stored as failed) and close the database.
 *
 * The connection timeouts are set deliberately (ServerLimits): Node's 5 s
 * keep-alive timeout closed idle connections just as clients and load
 * balancers reused them ("other side closed"); 65 s outlasts the common 60 s
 * idle timeout of load balancers, so the balancer, not Cohort, closes first.
 * Headers must arrive within 66 s and a whole request within 120 s, and at
 * most `maxConnections` are open (server-connections.ts).
 */
import type { Server } from 'node:http';
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Runtime } from './bootstrap.js';
import { DEFAULT_LIMITS, type ServerLimits } from './limits/request-limits.js';
import { limitConnections, type ConnectionStats } from './server-connections.js';

export interface RunningServer {
  server: ServerType;
  /** Connections open, evicted and refused (server-connections.ts). */
  connections: ConnectionStats;
  port: number;
  url: string;
  shutdown(graceSeconds?: number): Promise<void>;
}

export function listen(runtime: Runtime, options: { port: number; host: string; limits?: ServerLimits }): Promise<RunningServer> {
  const limits = options.limits ?? runtime.serverLimits ?? DEFAULT_LIMITS.server;
  return new Promise((resolve, reject) => {
    const onListening = (info: AddressInfo) => {
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      let stopping: Promise<void> | undefined;
      resolve({
        server,
        connections,
        port: info.port,
        url: `http://${host === '0.0.0.0' || host === '[::]' ? '127.0.0.1' : host}:${info.port}`,
        shutdown(graceSeconds = 10) {
          stopping ??= (async () => {
            const closed = new Promise<void>((r) => server.close(() => r()));
            const runs = runtime.app.service.runs;
            if (!(await runs.drain(graceSeconds * 1000))) await runs.abortAll();
            (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
            await closed;
            await runtime.close();
          })();
          return stopping;
        },
      });
    };
    const server = serve(
      {
        fetch: runtime.app.app.fetch,
        port: options.port,
        hostname: options.host,
        serverOptions: {
          keepAliveTimeout: limits.keepAliveTimeoutMs,
          headersTimeout: limits.headersTimeoutMs,
          requestTimeout: limits.requestTimeoutMs,
          // How often the two timeouts above are checked (Node's default: every 30 s).
          connectionsCheckingInterval: Math.min(30_000, Math.max(100, Math.floor(limits.headersTimeoutMs / 4))),
        },
      },
      onListening,
    );
    (server as Server).keepAliveTimeout = limits.keepAliveTimeoutMs;
    const connections = limitConnections(server as Server, limits.maxConnections);
    server.once('error', reject);
  });
}
