/** What `cohort serve` prints at start, whether it runs one process or several (serve-workers.ts). */
import type { AccountsStore } from '../storage/accounts-store.js';
import type { Io } from './args.js';

/** The first start: a 'default' workspace with a test key, shown once. */
export async function ensureFirstKey(accounts: AccountsStore, io: Io): Promise<void> {
  if ((await accounts.countWorkspaces()) > 0) return;
  const { key } = await accounts.createKey({ workspace: 'default', plan: 'free', mode: 'test', name: 'first-start' });
  io.out(`Created workspace 'default' with a test key (sandbox engine, free). It is shown once:\n\n  ${key}\n\n`);
}

/** Where the server listens and which engines serve which keys (and why). */
export function printBanner(io: Io, s: { url: string; dataDir: string; workers?: number; liveEngine: string; liveReason?: string | undefined }): void {
  io.out(`Cohort listening on ${s.url} (data: ${s.dataDir}${s.workers ? `, ${s.workers} worker processes` : ''})\n`);
  io.out(`Test keys (mvra_test_): sandbox engine, offline.\n`);
  io.out(
    s.liveEngine !== 'none'
      ? `Live keys (mvra_live_): ${s.liveEngine} because ${s.liveReason ?? 'it is configured'}.\n`
      : `Live keys (mvra_live_): no backend configured (${s.liveReason ?? 'none is set'}); they get 503 until one is (cohort serve --help).\n`,
  );
}
