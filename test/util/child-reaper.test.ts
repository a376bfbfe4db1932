/** The test helpers' child reaper: a test file stopped with SIGTERM (the runner's timeout) takes its children with it. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { it } from 'node:test';
import { until } from '../helpers/wait.js';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

it('a child registered with the reaper dies when its parent is sent SIGTERM', async () => {
  const parent = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'child-reaper-parent.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  parent.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  await until('the child pid', () => /^\d+\n/.test(out), 30_000);
  const pid = Number(out.trim());
  assert.ok(alive(pid), 'the child runs');
  const exited = new Promise<number | null>((r) => parent.once('exit', (code) => r(code)));
  parent.kill('SIGTERM');
  assert.equal(await exited, 143);
  await until('the child to be gone', () => !alive(pid), 10_000);
});
