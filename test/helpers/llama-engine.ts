/**
 * The local model engine (node-llama-cpp) is opt-in: not installed by `npm ci`.
 * CI installs it (.ci/run), and there a test that needs it fails when it is
 * missing; elsewhere such a test is skipped, saying how to add it.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { engineInstalled, INSTALL_ENGINE_COMMAND } from '../../src/providers/llama-cpp/index.js';

/** Whether the engine is here; skips `t` (or, under CI, fails) when it is not. */
export function needEngine(t: TestContext): boolean {
  if (engineInstalled()) return true;
  if (process.env.CI) assert.fail(`node-llama-cpp is not installed; CI installs it (.ci/run: ${INSTALL_ENGINE_COMMAND} --no-save)`);
  t.skip(`node-llama-cpp is not installed (opt-in: ${INSTALL_ENGINE_COMMAND})`);
  return false;
}

/** For a suite's before(): a skip reason, or undefined; under CI a missing engine throws. */
export function engineSkipReason(reason: string): string {
  if (process.env.CI) throw new Error(`the local engine must run in CI, but: ${reason}`);
  return reason;
}
