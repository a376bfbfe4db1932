/** What `cohort serve` prints at start, whether it runs one process or several (serve-workers.ts). */
import type { AccountsStore } from '../storage/accounts-store.js';
import { PLAN_LIMITS, type Plan } from '../accounts/plans.js';
import { commandOf, type Io } from './args.js';
import { shellWord } from './invocation.js';

/** The workspace the first start creates: the operator's own. */
export const FIRST_WORKSPACE = 'default';
export const FIRST_PLAN: Plan = 'enterprise';

/**
 * The first start creates the operator's own workspace, 'default', with a
 * test key shown once. It is on the enterprise plan — the person who
 * installed the server is not throttled at the hosted free tier (enterprise
 * limits: PLAN_LIMITS; 0 credits, so live keys there need a grant first).
 * The key has the default scopes, not admin: it is printed where logs may
 * collect it. A restart says how to make keys instead. The commands it
 * suggests are printed as this process was started (`node bin/cohort.js …`
 * in a clone: invocation.ts), so they run as printed.
 */
export async function ensureFirstKey(accounts: AccountsStore, io: Io, where: { dataDir?: string; databaseUrl?: string | undefined } = {}): Promise<void> {
  const cohort = commandOf(io);
  // A data folder the commands would not find by themselves (--data-dir given to serve) is named in them.
  const dir = !where.databaseUrl && where.dataDir !== undefined && where.dataDir !== (io.env.COHORT_DATA_DIR ?? './data') ? ` --data-dir ${shellWord(where.dataDir)}` : '';
  const count = await accounts.countWorkspaces();
  if (count > 0) {
    const name = (await accounts.findWorkspace(FIRST_WORKSPACE)) ? FIRST_WORKSPACE : ((await accounts.listWorkspaces())[0]?.name ?? FIRST_WORKSPACE);
    io.out(`${count} workspace${count > 1 ? 's' : ''} in this data folder (${cohort} workspaces list${dir}). New key: ${cohort} keys create --workspace ${name}${dir} [--test] [--scopes operator]\n`);
    return;
  }
  const { key } = await accounts.createKey({ workspace: FIRST_WORKSPACE, plan: FIRST_PLAN, mode: 'test', name: 'first-start' });
  const l = PLAN_LIMITS[FIRST_PLAN];
  io.out(
    `Created workspace '${FIRST_WORKSPACE}' with a test key (sandbox engine, no credits spent). It is shown once:\n\n  ${key}\n\n` +
      `'${FIRST_WORKSPACE}' is your own workspace, on the ${FIRST_PLAN} plan (${l.rpm.toLocaleString('en-US')} requests/min, ${l.rpd.toLocaleString('en-US')}/day, ${l.concurrency.responses} in progress).\n` +
      `An operator key (the admin API for every workspace): ${cohort} keys create --workspace ${FIRST_WORKSPACE} --name ops --scopes operator${dir}\n` +
      `Live keys there spend credits: ${cohort} credits grant --workspace ${FIRST_WORKSPACE} --amount N${dir}\n\n`,
  );
}

/**
 * Where the server listens and which engines serve which keys (and why), plus
 * any `more` lines — in one write, so whoever reads the output (a log
 * collector, a test waiting for the "listening" line) gets it whole.
 */
export function printBanner(io: Io, s: { url: string; host?: string; dataDir: string; workers?: number; liveEngine: string; liveReason?: string | undefined }, more: string[] = []): void {
  const lines = [
    `Cohort listening on ${s.url} (${boundTo(s)}data: ${s.dataDir}${s.workers ? `, ${s.workers} worker processes` : ''})`,
    `Console: ${s.url}/ (sign in with a key) · API reference: ${s.url}/docs`,
    `Test keys (mvra_test_): sandbox engine, offline.`,
    s.liveEngine !== 'none'
      ? `Live keys (mvra_live_): ${s.liveEngine} because ${s.liveReason ?? 'it is configured'}.`
      : `Live keys (mvra_live_): no backend configured (${s.liveReason ?? 'none is set'}); they get 503 until one is (${commandOf(io)} serve --help).`,
    ...more,
  ];
  io.out(`${lines.join('\n')}\n`);
}

/**
 * The URL is one to open on this machine; when the server is bound to every
 * interface (0.0.0.0, the default, or ::), that is said too — it is reachable
 * from other machines, not only at 127.0.0.1.
 */
function boundTo(s: { url: string; host?: string }): string {
  if (s.host === undefined) return '';
  const all = s.host === '0.0.0.0' || s.host === '::' || s.host === '[::]';
  if (all) return `bound to ${s.host}: every ${s.host === '0.0.0.0' ? 'IPv4 ' : ''}network interface; `;
  return new URL(s.url).hostname === s.host ? '' : `bound to ${s.host}; `;
}
