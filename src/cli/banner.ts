/** What `cohort serve` prints at start, whether it runs one process or several (serve-workers.ts). */
import type { AccountsStore } from '../storage/accounts-store.js';
import { PLAN_LIMITS, type Plan } from '../accounts/plans.js';
import type { Io } from './args.js';

/** The workspace the first start creates: the operator's own. */
export const FIRST_WORKSPACE = 'default';
export const FIRST_PLAN: Plan = 'enterprise';

/**
 * The first start creates the operator's own workspace, 'default', with a
 * test key shown once. It is on the enterprise plan — the person who
 * installed the server is not throttled at the hosted free tier (enterprise
 * limits: PLAN_LIMITS; 0 credits, so live keys there need a grant first).
 * The key has the default scopes, not admin: it is printed where logs may
 * collect it. A restart says how to make keys instead.
 */
export async function ensureFirstKey(accounts: AccountsStore, io: Io): Promise<void> {
  const count = await accounts.countWorkspaces();
  if (count > 0) {
    const name = (await accounts.findWorkspace(FIRST_WORKSPACE)) ? FIRST_WORKSPACE : ((await accounts.listWorkspaces())[0]?.name ?? FIRST_WORKSPACE);
    io.out(`${count} workspace${count > 1 ? 's' : ''} in this data folder (cohort workspaces list). New key: cohort keys create --workspace ${name} [--test] [--scopes operator]\n`);
    return;
  }
  const { key } = await accounts.createKey({ workspace: FIRST_WORKSPACE, plan: FIRST_PLAN, mode: 'test', name: 'first-start' });
  const l = PLAN_LIMITS[FIRST_PLAN];
  io.out(
    `Created workspace '${FIRST_WORKSPACE}' with a test key (sandbox engine, no credits spent). It is shown once:\n\n  ${key}\n\n` +
      `'${FIRST_WORKSPACE}' is your own workspace, on the ${FIRST_PLAN} plan (${l.rpm.toLocaleString('en-US')} requests/min, ${l.rpd.toLocaleString('en-US')}/day, ${l.concurrency.responses} in progress).\n` +
      `An operator key (the admin API for every workspace): cohort keys create --workspace ${FIRST_WORKSPACE} --name ops --scopes operator\n` +
      `Live keys there spend credits: cohort credits grant --workspace ${FIRST_WORKSPACE} --amount N\n\n`,
  );
}

/**
 * Where the server listens and which engines serve which keys (and why), plus
 * any `more` lines — in one write, so whoever reads the output (a log
 * collector, a test waiting for the "listening" line) gets it whole.
 */
export function printBanner(io: Io, s: { url: string; dataDir: string; workers?: number; liveEngine: string; liveReason?: string | undefined }, more: string[] = []): void {
  const lines = [
    `Cohort listening on ${s.url} (data: ${s.dataDir}${s.workers ? `, ${s.workers} worker processes` : ''})`,
    `Console: ${s.url}/ (sign in with a key) · API reference: ${s.url}/docs`,
    `Test keys (mvra_test_): sandbox engine, offline.`,
    s.liveEngine !== 'none'
      ? `Live keys (mvra_live_): ${s.liveEngine} because ${s.liveReason ?? 'it is configured'}.`
      : `Live keys (mvra_live_): no backend configured (${s.liveReason ?? 'none is set'}); they get 503 until one is (cohort serve --help).`,
    ...more,
  ];
  io.out(`${lines.join('\n')}\n`);
}
