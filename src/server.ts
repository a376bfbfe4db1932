/**
 * Listens: serves a Runtime's app over HTTP, and shuts down gracefully —
 * stop accepting, let in-flight responses finish within the grace period, then
 * abort the rest (they are stored as failed) and close the database.
 */
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Runtime } from './bootstrap.js';

export interface RunningServer {
  server: ServerType;
  port: number;
  url: string;
  shutdown(graceSeconds?: number): Promise<void>;
}

export function listen(runtime: Runtime, options: { port: number; host: string }): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: runtime.app.app.fetch, port: options.port, hostname: options.host }, (info: AddressInfo) => {
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      let stopping: Promise<void> | undefined;
      resolve({
        server,
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
    });
    server.once('error', reject);
  });
}
