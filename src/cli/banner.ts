/** What `cohort serve` prints at start, whether it runs one process or several (serve-workers.ts). */
import type { AccountsStore } from '../storage/accounts-store.js';
import type { Io } from './args.js';

/** The first start: a 'default' workspace with a test key, shown once. */
export async function ensureFirstKey(accounts: AccountsStore, io: Io): Promise<void> {
  if ((await accounts.countWorkspaces()) > 0) return;
  const { key } = await accounts.createKey({ workspace: 'default', plan: 'free', mode: 'test', name: 'first-start' });
  io.out(`Created workspace 'default' with a test key (sandbox engine, free). It is shown once:\n\n  ${key}\n\n`);
}

/**
 * Where the server listens and which engines serve which keys (and why), plus
 * any `more` lines — in one write, so whoever reads the output (a log
 * collector, a test waiting for the "listening" line) gets it whole.
 */
export function printBanner(io: Io, s: { url: string; dataDir: string; workers?: number; liveEngine: string; liveReason?: string | undefined }, more: string[] = []): void {
  const lines = [
    `Cohort listening on ${s.url} (data: ${s.dataDir}${s.workers ? `, ${s.workers} worker processes` : ''})`,
    `Test keys (mvra_test_): sandbox engine, offline.`,
    s.liveEngine !== 'none'
      ? `Live keys (mvra_live_): ${s.liveEngine} because ${s.liveReason ?? 'it is configured'}.`
      : `Live keys (mvra_live_): no backend configured (${s.liveReason ?? 'none is set'}); they get 503 until one is (cohort serve --help).`,
    ...more,
  ];
  io.out(`${lines.join('\n')}\n`);
}
