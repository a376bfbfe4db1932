/**
 * The direct SQLite statement path of src/storage/prepared.ts measured against
 * the same statements through Kysely's executor (issue 11.9): one credit hold
 * and its settlement per "request" (what every live response writes), on a
 * real SQLite database in a temp dir, group-committed as in the server,
 * closed loop with 16 and 64 in flight. The two credit stores differ only in
 * whether they are given the SQLite connection: the second sees the Db
 * through a proxy, so `sqliteHandleOf` finds none and every statement goes
 * through Kysely. Rounds alternate which path goes first; medians.
 *
 *   node --import tsx bench/storage-direct.ts     # ~1 min
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createAccountsStore } from '../src/storage/accounts-store.js';
import { createCreditsStore } from '../src/storage/credits-store.js';
import { type Db, openDatabase } from '../src/storage/db.js';
import { directStats } from '../src/storage/prepared.js';
import { randomIds, systemClock } from '../src/util/ids.js';
import { fmtInt, median } from './lib/stats.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 1500);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? '16,64').split(',').map(Number);

/** The Db as a store sees it, without the SQLite connection behind it (so nothing runs directly). */
function withoutConnection(db: Db): Db {
  return new Proxy(db, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

type Credits = ReturnType<typeof createCreditsStore>;

async function loop(credits: Credits, workspaceId: string, concurrency: number, ms: number, tag: string): Promise<{ n: number; cpuUs: number; elapsed: number }> {
  let n = 0;
  let seq = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() - t0 < ms) {
        const hold = await credits.hold({ workspaceId, responseId: `resp_${tag}_${seq++}`, amount: 2, owner: 'bench' });
        await credits.settle({ hold, credits: 1, operation: 'response', keyId: 'key_bench', personaId: null, inputTokens: 50, outputTokens: 20 });
        n++;
      }
    }),
  );
  const cpu = process.cpuUsage(cpu0);
  return { n, cpuUs: (cpu.user + cpu.system) / n, elapsed: performance.now() - t0 };
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cohort-storage-bench-'));
try {
  const db = await openDatabase({ dataDir: tmp });
  const accounts = createAccountsStore(db, randomIds, systemClock);
  const { workspace } = await accounts.createWorkspace('bench', 'free');
  const paths = { direct: createCreditsStore(db, randomIds, systemClock), kysely: createCreditsStore(withoutConnection(db), randomIds, systemClock) } as const;
  await paths.direct.change({ workspaceId: workspace.id, kind: 'grant', amount: 1e12, reason: 'bench' });

  for (const [name, credits] of Object.entries(paths)) await loop(credits, workspace.id, 16, 500, `warm_${name}`);
  const runs0 = directStats.runs;
  await loop(paths.kysely, workspace.id, 4, 100, 'check');
  if (directStats.runs !== runs0) throw new Error('the Kysely path ran statements directly');

  console.log(`SQLite, hold + settle per request, ${ROUNDS} rounds × ${ROUND_MS} ms, medians (Node ${process.version})\n`);
  console.log('| in flight | CPU µs/request direct / Kysely | direct ÷ Kysely | requests/s direct / Kysely |');
  console.log('|---:|---:|---:|---:|');
  for (const c of CONCURRENCY) {
    const r: Record<'direct' | 'kysely', { cpu: number[]; rps: number[] }> = { direct: { cpu: [], rps: [] }, kysely: { cpu: [], rps: [] } };
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of round % 2 === 0 ? (['direct', 'kysely'] as const) : (['kysely', 'direct'] as const)) {
        const x = await loop(paths[name], workspace.id, c, ROUND_MS, `${name}_${c}_${round}`);
        r[name].cpu.push(x.cpuUs);
        r[name].rps.push((x.n / x.elapsed) * 1000);
      }
    }
    const d = median(r.direct.cpu);
    const k = median(r.kysely.cpu);
    console.log(`| ${c} | ${fmtInt(d)} / ${fmtInt(k)} | ${(d / k).toFixed(2)}× | ${fmtInt(median(r.direct.rps))} / ${fmtInt(median(r.kysely.rps))} |`);
  }
  await db.destroy();
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
