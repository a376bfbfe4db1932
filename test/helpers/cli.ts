/**
 * The `cohort` data-folder commands run in this process through `main(argv, io)`:
 * no child process (seconds each on a busy machine) and, unlike `spawnSync`, no
 * blocked event loop while keep-alive sockets to a test's servers sit idle.
 */
import type { Io } from '../../src/cli/args.js';
import { main } from '../../src/cli/main.js';

export interface CliResult {
  code: number;
  out: string;
  err: string;
}

/** Runs `cohort …args`; `env` is all the command sees (COHORT_DATABASE_URL, COHORT_DATA_DIR…). */
export async function runCohort(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  let out = '';
  let err = '';
  const io: Io = { out: (t) => void (out += t), err: (t) => void (err += t), env };
  const code = await main(args, io);
  return { code, out, err };
}

/** Runs `cohort …args --json` that must succeed, and parses what it printed. */
export async function cohortJson<T = any>(args: string[], env: NodeJS.ProcessEnv = {}): Promise<T> {
  const r = await runCohort(args, env);
  if (r.code !== 0) throw new Error(`cohort ${args.join(' ')} exited ${r.code}: ${r.err}`);
  return JSON.parse(r.out) as T;
}
