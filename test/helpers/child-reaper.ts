/**
 * Child processes a test file started die with it. When the test runner stops a file that
 * ran past its timeout it sends SIGTERM to the file's process, which then exits without
 * running its `after` hooks: the `cohort serve` and `cohort worker` processes it had started
 * lived on, holding ports, Redis connections and CPU (a loaded machine's next files then
 * timed out in turn). Every child registered here is SIGKILLed when this process exits or
 * is told to stop.
 */
import type { ChildProcess } from 'node:child_process';

const live = new Set<ChildProcess>();
let installed = false;

function killAll(): void {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  live.clear();
}

/** Registers `child` to be killed with this process; returns it. */
export function reaped<T extends ChildProcess>(child: T): T {
  if (!installed) {
    installed = true;
    process.on('exit', killAll);
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
      process.once(signal, () => {
        killAll();
        process.exit(128 + (signal === 'SIGTERM' ? 15 : signal === 'SIGINT' ? 2 : 1));
      });
    }
  }
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}
