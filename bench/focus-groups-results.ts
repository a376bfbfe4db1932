/**
 * `GET /v1/focus-groups/{id}/results` against a real SQLite store (issue 12's target:
 * 10,000 respondents × 20 questions in under 1 s): a completed study is written into a
 * fresh database (bench/lib/focus-group-study.ts: respondents sampled from five built-in
 * personas, one answer with reasoning per slot), then the service's own computation
 * (src/focus-groups/results.ts: respondent profiles, raking, answers read a question
 * batch at a time, the statistics) is timed cold, several times, with persona segments
 * only and with two more attributes, unweighted and raked to age and gender targets.
 * Also times the HTML report built from the results, and the reads a completed study gets
 * as a server serves it: its document computed and stored at completion, the first read on
 * a server (the stored document), the later ones (memory).
 *
 *   npm run bench:results
 *   BENCH_RESULTS_RESPONDENTS=2000 BENCH_RESULTS_RUNS=2 npm run bench:results
 *
 * Prints wall and CPU time (this process's user + system: on a shared machine the CPU
 * time is the steadier figure), and the heap growth while computing.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { htmlReport } from '../src/focus-groups/report/html-report.js';
import { computeResults, type ResultsDocument } from '../src/focus-groups/results.js';
import { createStudyResults, type StudyResults } from '../src/focus-groups/study-results.js';
import { silentLogger } from '../src/logger.js';
import { studyView } from '../src/focus-groups/views.js';
import { closeDatabase, openDatabase } from '../src/storage/db.js';
import { createFocusGroupsStore } from '../src/storage/focus-groups-store.js';
import { benchDefinition, seedCompletedStudy } from './lib/focus-group-study.js';

const env = process.env;
const RESPONDENTS = Number(env.BENCH_RESULTS_RESPONDENTS ?? 10_000);
const RUNS = Number(env.BENCH_RESULTS_RUNS ?? 3);

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cohort-bench-results-'));
const db = await openDatabase({ dataDir: dir });
try {
  const t0 = performance.now();
  const plain = await seedCompletedStudy(db, { respondents: RESPONDENTS, id: 'fg_bench_plain' });
  const store = createFocusGroupsStore(db, { now: () => Date.now() });
  // The same respondents raked to age and gender targets: each observed category gets a share.
  const bands = new Map<string, number>();
  const genders = new Map<string, number>();
  for await (const r of store.respondentProfiles(plain.id)) {
    bands.set(r.profile.age_band, (bands.get(r.profile.age_band) ?? 0) + 1);
    genders.set(r.profile.gender, (genders.get(r.profile.gender) ?? 0) + 1);
  }
  const even = (m: Map<string, number>) => {
    const total = [...m.values()].reduce((a, b) => a + b + total0(m), 0);
    return Object.fromEntries([...m].map(([k, n]) => [k, (n + total0(m)) / total]));
  };
  const weightedDef = { ...benchDefinition(RESPONDENTS, 7), targets: { age_band: even(bands), gender: even(genders) } };
  const weighted = await seedCompletedStudy(db, { respondents: RESPONDENTS, id: 'fg_bench_weighted', definition: weightedDef });
  const seedMs = performance.now() - t0;
  const dbBytes = fs.statSync(path.join(dir, 'cohort.db')).size;

  const cases = [
    { name: 'persona segments', study: plain, segmentBy: ['persona'] },
    { name: 'persona + age_band + gender', study: plain, segmentBy: ['persona', 'age_band', 'gender'] },
    { name: 'raked to age and gender targets, persona segments', study: weighted, segmentBy: ['persona'] },
  ];
  const rows: string[] = [];
  let doc: ResultsDocument | undefined;
  for (const c of cases) {
    await computeResults(store, c.study, { segmentBy: c.segmentBy }); // warm-up (JIT, page cache)
    const walls: number[] = [];
    const cpus: number[] = [];
    let heap = 0;
    for (let i = 0; i < RUNS; i++) {
      global.gc?.();
      const heap0 = process.memoryUsage().heapUsed;
      const cpu = process.cpuUsage();
      const start = performance.now();
      const r = await computeResults(store, c.study, { segmentBy: c.segmentBy });
      walls.push(performance.now() - start);
      const used = process.cpuUsage(cpu);
      cpus.push((used.user + used.system) / 1000);
      heap = Math.max(heap, process.memoryUsage().heapUsed - heap0);
      if (r.questions[0]!.n !== RESPONDENTS) throw new Error(`expected ${RESPONDENTS} answers, got ${r.questions[0]!.n}`);
      doc = r;
    }
    const json = JSON.stringify(doc);
    rows.push(`| ${c.name} | ${median(walls).toFixed(0)} (${Math.min(...walls).toFixed(0)}–${Math.max(...walls).toFixed(0)}) | ${median(cpus).toFixed(0)} | ${(heap / 2 ** 20).toFixed(0)} | ${(json.length / 1024).toFixed(0)} |`);
  }

  // The HTML report of the last document; the cached read of a completed study.
  const t1 = performance.now();
  const html = htmlReport(studyView(weighted), doc!, { generatedAt: Math.floor(Date.now() / 1000) });
  const htmlMs = performance.now() - t1;
  // A completed study's results as a server serves them (src/focus-groups/study-results.ts):
  // computed and stored when it completes; then the first read on any server (a fresh
  // process: nothing in memory) reads the stored document; later reads hit the memory cache.
  const t3 = performance.now();
  await createStudyResults({ store, logger: silentLogger }).precompute(plain);
  const precomputeMs = performance.now() - t3;
  const firstReads: number[] = [];
  let served: StudyResults | undefined;
  for (let i = 0; i < 5; i++) {
    served = createStudyResults({ store, logger: silentLogger });
    const t = performance.now();
    const r = await served.get(plain, ['persona']);
    firstReads.push(performance.now() - t);
    if (r.questions[0]!.n !== RESPONDENTS) throw new Error('stored document of the wrong study');
  }
  const t2 = performance.now();
  for (let i = 0; i < 100; i++) await served!.get(plain, ['persona']);
  const cachedUs = ((performance.now() - t2) / 100) * 1000;

  process.stdout.write(
    [
      `# Focus-group results: ${RESPONDENTS.toLocaleString('en-US')} respondents × ${plain.definition.questions.length} questions, SQLite`,
      '',
      `Node ${process.version}; database ${(dbBytes / 2 ** 20).toFixed(0)} MiB (two studies, written in ${(seedMs / 1000).toFixed(1)} s); B = 1,000 bootstrap replicates; ${RUNS} timed runs after a warm-up.`,
      '',
      '| results of | wall ms, median (min–max) | CPU ms | heap growth MiB | JSON KiB |',
      '|---|---:|---:|---:|---:|',
      ...rows,
      '',
      `- HTML report from the raked document: ${htmlMs.toFixed(0)} ms, ${(html.length / 1024).toFixed(0)} KiB`,
      `- a completed study, as served: computed and stored at completion in ${precomputeMs.toFixed(0)} ms; the first GET on a server (the stored document read and parsed) ${median(firstReads).toFixed(1)} ms (median of 5, ${Math.min(...firstReads).toFixed(1)}–${Math.max(...firstReads).toFixed(1)}); later ones from memory ${cachedUs.toFixed(1)} µs`,
      `- machine: load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores when it finished`,
      '',
    ].join('\n'),
  );
} finally {
  await closeDatabase(db);
  fs.rmSync(dir, { recursive: true, force: true });
}

function median(xs: number[]): number {
  return [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
}
function total0(m: Map<string, number>): number {
  // A floor added to every category's count: pulls the targets toward equal shares.
  return Math.ceil([...m.values()].reduce((a, b) => a + b, 0) / (4 * m.size));
}
