/**
 * `cohort serve --workers 2` for real: two worker processes on one port and
 * one SQLite file, no Redis. The primary keeps the request limits, so they
 * are as exact as with one process; credits stay exact across the workers; a
 * worker killed with SIGKILL is started again and what it left in flight is
 * recovered; SIGTERM drains everything. (dist/ is built by `npm test`.)
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { openDatabase, type Db } from '../../src/storage/db.js';
import { until as untilWithin } from '../helpers/wait.js';
import { cohortJson } from '../helpers/cli.js';
import { tempDir } from '../helpers/app.js';
import { type CohortServer, startCohortServer } from '../helpers/cohort-process.js';
import { startMockChatUpstream, type MockChatUpstream } from '../helpers/mock-chat-upstream.js';


/** Process starts and drains take long on a loaded machine: 45 s unless told. */
const until = (what: string, check: () => boolean | Promise<boolean>, ms = 45_000) => untilWithin(what, check, ms);


/** The worker processes of a primary (its children, from /proc). */
function workerPids(primary: number): number[] {
  try {
    return fs.readFileSync(`/proc/${primary}/task/${primary}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

describe('cohort serve --workers 2', () => {
  const dir = tempDir('cohort-workers-');
  let upstream: MockChatUpstream;
  let child: ChildProcess;
  let url = '';
  let server: CohortServer;
  const out = () => server.output();
  let exited: Promise<number | null>;
  let db: Db;
  let env: NodeJS.ProcessEnv;

  const cli = (...args: string[]) => cohortJson([...args, '--data-dir', dir], env);
  const post = (key: string, input = 'hi') =>
    fetch(`${url}/v1/responses`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', connection: 'close' }, body: JSON.stringify({ model: 'mavera-1', input }) });
  const instances = () => db.selectFrom('instances').select(['id', 'name']).execute();

  before(async () => {
    upstream = await startMockChatUpstream();
    env = {
      ...process.env,
      COHORT_UPSTREAM_URL: upstream.url,
      COHORT_UPSTREAM_MODEL: 'm',
      COHORT_LOG_LEVEL: 'warn',
      COHORT_SHUTDOWN_GRACE_SECONDS: '2',
      COHORT_DATABASE_URL: '',
      COHORT_REDIS_URL: '',
      COHORT_KEY_CACHE_MS: '0',
    };
    server = await startCohortServer({ dataDir: dir, env, args: ['--workers', '2'], ms: 45_000 });
    ({ child, exited, url } = server);
    assert.match(out(), /listening on http:\/\/127\.0\.0\.1:\d+ \(data: .*, 2 worker processes\)/, out());
    db = await openDatabase({ dataDir: dir });
  });

  after(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    for (const pid of workerPids(child.pid!)) process.kill(pid, 'SIGKILL');
    await db?.destroy();
    await upstream?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints the first start key once, and runs two workers registered as two instances', async () => {
    assert.match(out(), /Created workspace 'default' with a test key/);
    assert.equal(out().match(/listening on/g)?.length, 1, 'one banner for the server');
    assert.match(out(), /Request limits: kept by this primary process for all workers/);
    assert.doesNotMatch(out(), /without Redis/, 'the workers of one server share its limits: no shared-database warning');
    assert.equal(workerPids(child.pid!).length, 2);
    const names = (await instances()).map((i) => i.name).sort();
    assert.equal(names.length, 2, JSON.stringify(names));
    assert.match(names[0]!, /#0$/);
    assert.match(names[1]!, /#1$/);
  });

  it('share one rate limit: 30 requests (5 at a time, a new connection each) → exactly 10 succeed', async () => {
    const { key } = await cli('keys', 'create', '--workspace', 'w-rpm', '--create-workspace', '--plan', 'free', '--test', '--json');
    const statuses: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 5 }, async () => {
        while (next < 30) {
          next++;
          const res = await post(key);
          await res.arrayBuffer();
          statuses.push(res.status);
        }
      }),
    );
    assert.equal(statuses.filter((s) => s === 200).length, 10, statuses.join(','));
    assert.equal(statuses.filter((s) => s === 429).length, 20, statuses.join(','));
  });

  it('share one concurrency limit: 8 slow requests on a free workspace → exactly 5 run at once', async () => {
    const { key } = await cli('keys', 'create', '--workspace', 'w-conc', '--create-workspace', '--plan', 'free', '--json');
    upstream.setFallback({ type: 'stream', content: ['slow ', 'answer'], delayMs: 400 });
    try {
      const statuses = await Promise.all(
        Array.from({ length: 8 }, async () => {
          const res = await post(key);
          const body = (await res.json()) as { error?: { message: string } };
          return res.status === 429 ? (body.error!.message.includes('in progress') ? 'busy' : 'rate') : String(res.status);
        }),
      );
      assert.equal(statuses.filter((s) => s === '200').length, 5, statuses.join(','));
      assert.equal(statuses.filter((s) => s === 'busy').length, 3, statuses.join(','));
    } finally {
      upstream.setFallback({ type: 'stream', content: ['ok'] });
    }
    assert.equal((await post(key)).status, 200, 'the slots are released when the responses finish');
  });

  it('credits stay exact across the workers: the balance change is the sum of credits_used', async () => {
    const { key } = await cli('keys', 'create', '--workspace', 'w-credits', '--create-workspace', '--plan', 'pro', '--json');
    const before = await cli('credits', 'show', '--workspace', 'w-credits', '--json');
    let used = 0;
    const replies = await Promise.all(Array.from({ length: 16 }, async (_, i) => { // the pro plan runs 20 at once
      const res = await post(key, `question ${i}`);
      return { status: res.status, body: (await res.json()) as { usage: { credits_used: number } } };
    }));
    for (const r of replies) {
      assert.equal(r.status, 200, JSON.stringify(r.body));
      used += r.body.usage.credits_used;
    }
    const afterShow = await cli('credits', 'show', '--workspace', 'w-credits', '--json');
    assert.equal(afterShow.held, 0);
    assert.equal(before.balance - afterShow.balance, used);
  });

  it('connections that arrive as a worker is killed are all answered: none is handed to the dead worker and left there', async () => {
    // The primary accepts each connection and hands it to the next idle worker; one killed
    // a moment before is still in that rotation until the primary sees it gone. Connections
    // opened right after the kill race that: the one handed to the dead worker used to stay
    // open with no process to answer it, for ever (no timeout applies to it).
    const port = Number(new URL(url).port);
    /** The status line of GET /health on a new connection, or what happened instead. */
    const health = () =>
      new Promise<string>((resolve) => {
        const socket = net.connect(port, '127.0.0.1');
        let data = '';
        const timer = setTimeout(() => (resolve('no reply within 20 s'), socket.destroy()), 20_000);
        socket.on('connect', () => socket.write('GET /health HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n'));
        socket.setEncoding('utf8').on('data', (d: string) => (data += d));
        socket.on('error', () => {});
        socket.on('close', () => (clearTimeout(timer), resolve(data.split('\r\n')[0] || 'closed without a reply')));
      });
    const [victim] = workerPids(child.pid!);
    assert.ok(victim);
    process.kill(victim, 'SIGKILL');
    const replies = await Promise.all(Array.from({ length: 20 }, health));
    assert.deepEqual(replies, Array(20).fill('HTTP/1.1 200 OK'), out());
    await until('a new worker', () => workerPids(child.pid!).length === 2 && !workerPids(child.pid!).includes(victim));
  });

  it('a worker killed with SIGKILL is started again, and what it held is recovered', async () => {
    const { key } = await cli('keys', 'create', '--workspace', 'w-crash', '--create-workspace', '--plan', 'pro', '--json');
    const [victim] = workerPids(child.pid!);
    assert.ok(victim);
    const idsBefore = (await instances()).map((i) => i.id);
    upstream.setFallback({ type: 'stream', content: ['slow ', 'answer'], delayMs: 1500 });
    // Hold requests in flight on both workers (new connections: round-robin), then kill one worker.
    const inflight = Array.from({ length: 4 }, () => post(key).then((r) => r.status, () => 'reset'));
    await until('holds in flight', async () => Number((await db.selectFrom('credit_holds').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n) >= 4);
    process.kill(victim, 'SIGKILL');
    await until('a new worker', () => workerPids(child.pid!).length === 2 && !workerPids(child.pid!).includes(victim));
    await until('the new worker registered', async () => (await instances()).length === 2 && (await instances()).some((i) => !idsBefore.includes(i.id)));
    upstream.setFallback({ type: 'stream', content: ['ok'] });
    await until('everything settled', async () => Number((await db.selectFrom('credit_holds').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n) === 0, 20_000).catch(async (err) => {
      throw new Error(`${err.message}: holds ${JSON.stringify(await db.selectFrom('credit_holds').selectAll().execute())} instances ${JSON.stringify(await db.selectFrom('instances').selectAll().execute())} victim ${victim} output ${out()}`);
    });
    const statuses = await Promise.all(inflight);
    assert.ok(statuses.includes('reset'), `the killed worker's clients saw their connection drop: ${statuses.join(',')}`);
    assert.match(out(), /worker \d exited \(SIGKILL\); starting it again/);
    const summary = await cli('credits', 'show', '--workspace', 'w-crash', '--json');
    assert.equal(summary.held, 0, 'the dead worker\'s holds were released');
    assert.equal((await post(key)).status, 200, 'the server still answers');
  });

  it('SIGTERM to the primary drains and stops every worker, exit code 0 — one still starting too', async () => {
    // A worker restarted just before the signal is still starting when the primary says
    // stop: it used to miss the word (no listener yet), start serving and keep the
    // primary waiting for ever.
    const [victim, survivor] = workerPids(child.pid!);
    assert.ok(victim && survivor);
    process.kill(victim, 'SIGKILL');
    let starting = 0;
    await until('the restarted worker forked', () => ((starting = workerPids(child.pid!).find((p) => p !== victim && p !== survivor) ?? 0), starting !== 0));
    child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running'), 30_000).unref())]);
    assert.equal(code, 0, `${out()}\nworkers now: ${workerPids(child.pid!).join(',')} (survivor ${survivor}, starting ${starting})`);
    for (const pid of [survivor, starting]) assert.throws(() => process.kill(pid, 0), 'the worker is gone');
  });
});
