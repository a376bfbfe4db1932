/**
 * A real `cohort` child process, for the tests that need one (serve, signals, workers,
 * crashes): `node bin/cohort.js <args>` (dist/, built by `npm test`), its stdout and
 * stderr collected, a bounded wait for the banner, and one way to stop what was started.
 *
 *   const procs: CohortProcess[] = [];
 *   after(() => killAll(procs));
 *   const server = await startCohortServer({ dataDir, env, into: procs });
 *   await fetch(`${server.url}/ready`);
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { reaped } from './child-reaper.js';
import path from 'node:path';
import { freePort } from './app.js';
import { until } from './wait.js';

export const BIN = path.resolve('bin/cohort.js');

export interface CohortProcess {
  child: ChildProcess;
  /** Resolves with the exit code (null when a signal ended it). */
  exited: Promise<number | null>;
  /** stdout and stderr so far, interleaved as they arrived. */
  output(): string;
}

export interface CohortServer extends CohortProcess {
  port: number;
  /** http://127.0.0.1:<port> */
  url: string;
}

/** Starts `cohort <args>` with `env` (the whole environment), collecting its output; added to `into`. */
export function spawnCohort(args: string[], env: NodeJS.ProcessEnv, into?: CohortProcess[]): CohortProcess {
  const child = reaped(spawn(process.execPath, [BIN, ...args], { env }));
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const proc = { child, exited, output: () => out };
  into?.push(proc);
  return proc;
}

/** Waits (bounded) until `proc` has printed `text`; fails with its output when it exits or times out first. */
export async function waitForOutput(proc: CohortProcess, text: string, ms = 30_000): Promise<void> {
  await until(`'${text}' from cohort`, () => proc.output().includes(text) || proc.child.exitCode !== null, ms).catch(() => {});
  assert.ok(proc.output().includes(text), `no '${text}' from cohort:\n${proc.output()}`);
}

export interface ServeOptions {
  dataDir: string;
  env: NodeJS.ProcessEnv;
  /** Default: a free port. */
  port?: number;
  /** More arguments after `serve --port … --host 127.0.0.1 --data-dir …` (e.g. --workers 2). */
  args?: string[];
  /** Where the process is recorded for killAll. */
  into?: CohortProcess[];
  /** How long the banner may take (default 30 s: a loaded machine). */
  ms?: number;
}

/** `cohort serve` on 127.0.0.1, once its banner says it is listening. */
export async function startCohortServer(options: ServeOptions): Promise<CohortServer> {
  const port = options.port ?? (await freePort());
  const proc = spawnCohort(['serve', '--port', String(port), '--host', '127.0.0.1', '--data-dir', options.dataDir, ...(options.args ?? [])], options.env, options.into);
  await waitForOutput(proc, 'listening on', options.ms);
  return { ...proc, port, url: `http://127.0.0.1:${port}` };
}

/** SIGKILLs the processes still running and waits for each to exit. */
export async function killAll(procs: CohortProcess[]): Promise<void> {
  for (const p of procs) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
  await Promise.all(procs.map((p) => p.exited));
}
