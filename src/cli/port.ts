/**
 * Whether `cohort serve` can listen where it was asked to, checked before
 * anything is written: a server started on a taken port would otherwise
 * create the data folder, print the first start's key (lost with the failed
 * start) and only then fail with EADDRINUSE.
 */
import net from 'node:net';

/** Resolves when the port can be bound (it is released again at once); rejects with a message that says what to do. */
export function checkPortFree(port: number, host: string): Promise<void> {
  if (port === 0) return Promise.resolve(); // the system picks a free one
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', (err: NodeJS.ErrnoException) => {
      const where = `${host}:${port}`;
      if (err.code === 'EADDRINUSE') reject(new Error(`port ${port} is in use on ${host} (EADDRINUSE): another server listens at ${where}. Stop it, or choose another port with --port N (or PORT).`));
      else if (err.code === 'EACCES') reject(new Error(`no permission to listen on ${where} (EACCES): ports below 1024 need privileges; choose another with --port N (or PORT).`));
      else if (err.code === 'EADDRNOTAVAIL') reject(new Error(`cannot listen on ${where} (EADDRNOTAVAIL): ${host} is not an address of this machine; check --host (or HOST).`));
      else reject(err);
    });
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve()));
  });
}
