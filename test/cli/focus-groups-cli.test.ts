/**
 * `cohort focus-groups` as a user runs it: a real `cohort serve` (sandbox,
 * temporary data folder) in a child process, talked to over HTTP — the shipped
 * examples/study.yaml run with --follow to completion by the real
 * bin/cohort.js, then list, show, export and cancel. The printed figures are
 * checked against the API's own results. Most calls go through the command's
 * `main(argv, io)` in this process (a child per call costs seconds on a busy
 * machine); the follows, whose exit codes matter, run bin/cohort.js.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { reaped } from '../helpers/child-reaper.js';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BIN } from '../helpers/cohort-process.js';
import { parse as parseYaml } from 'yaml';
import { main } from '../../src/cli/main.js';
import { tempDir } from '../helpers/app.js';

const EXAMPLE = path.resolve('examples/study.yaml');
const dir = tempDir('cohort-fg-cli-');
let server: ChildProcess | undefined;
let exited: Promise<number | null> | undefined;
let url = '';
let key = '';

/** Runs the command in this process, its output captured. */
async function cohort(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => void (out += t), err: (t) => void (err += t), env: { ...process.env, COHORT_URL: url, COHORT_API_KEY: key, ...env } });
  return { code, out, err };
}

/** Runs bin/cohort.js in a child process (asynchronously: the server is another child); bounded by `timeoutMs`. */
function cohortProcess(args: string[], env: Record<string, string> = {}, timeoutMs = 90_000): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, COHORT_URL: url, COHORT_API_KEY: key, ...env } });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`cohort ${args.join(' ')} did not end within ${timeoutMs} ms\n${out}\n${err}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

async function api<T = any>(method: string, p: string): Promise<T> {
  const res = await fetch(`${url}${p}`, { method, headers: { authorization: `Bearer ${key}` } });
  assert.equal(res.status, 200, `${method} ${p}`);
  return (await res.json()) as T;
}

/** RFC 4180 records (quoted cells may hold commas, quotes and line breaks). */
function csvRecords(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      (row = []), (cell = ''), i++;
    } else cell += c;
  }
  if (cell !== '' || row.length) rows.push([...row, cell]);
  return rows;
}

/** The results table's row of a question: [id, type, n, skipped, result]. */
function tableRow(out: string, id: string): string[] {
  const line = out.split('\n').find((l) => l.startsWith(`${id} `));
  assert.ok(line, `no row for ${id} in\n${out}`);
  return line.split(/ {2,}/);
}

before(async () => {
  server = reaped(spawn(process.execPath, [BIN, 'serve', '--port', '0', '--host', '127.0.0.1', '--data-dir', dir], {
    env: { ...process.env, COHORT_UPSTREAM_URL: '', COHORT_MODEL_PATH: '', COHORT_CONFIG: '', COHORT_DATABASE_URL: '', COHORT_REDIS_URL: '', OPENAI_API_KEY: '', ANTHROPIC_API_KEY: '', OLLAMA_HOST: '127.0.0.1:9' },
  }));
  exited = new Promise((r) => server!.on('exit', (code) => r(code)));
  let out = '';
  server.stdout!.setEncoding('utf8');
  // The banner's lines arrive as separate writes: wait (bounded) for the listening line and the key.
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cohort serve did not start:\n${out}`)), 30_000);
    server!.stdout!.on('data', (d: string) => {
      out += d;
      const u = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      const k = /(mvra_test_\w+)/.exec(out)?.[1];
      if (u && k) {
        clearTimeout(timer);
        url = u;
        key = k;
        resolve();
      }
    });
    server!.on('exit', () => reject(new Error(`cohort serve exited:\n${out}`)));
  });
});

after(async () => {
  server?.kill('SIGTERM');
  if (exited) assert.equal(await exited, 0);
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('cohort focus-groups', () => {
  let studyId = '';

  it('has --help for every subcommand and a line in cohort --help', async () => {
    const top = await cohort(['--help']);
    assert.equal(top.code, 0);
    assert.match(top.out, /^ {2}focus-groups +\S.*$/m);
    for (const sub of ['run', 'list', 'show', 'export', 'cancel']) {
      const r = await cohort(['focus-groups', sub, '--help']);
      assert.equal(r.code, 0, sub);
      assert.match(r.out, new RegExp(`cohort focus-groups ${sub}`));
    }
    assert.equal((await cohort(['help', 'focus-groups'])).code, 0);
    assert.equal((await cohort(['focus-groups'])).code, 2);
    assert.equal((await cohort(['focus-groups', 'bogus'])).code, 2);
  });

  it('runs examples/study.yaml with --follow to completion and prints results that agree with the API', async () => {
    const study = parseYaml(fs.readFileSync(EXAMPLE, 'utf8')) as { name: string; respondents: number; personas: unknown[]; questions: { id: string; type: string; when?: unknown }[] };
    assert.equal(study.personas.length, 3);
    assert.ok(study.questions.length >= 8 && study.questions.some((q) => q.when), 'several question types with skip logic');
    assert.ok(new Set(study.questions.map((q) => q.type)).size >= 5);

    const r = await cohortProcess(['focus-groups', 'run', EXAMPLE, '--follow']);
    assert.equal(r.code, 0, r.err + r.out);
    studyId = /\((fg_\w+)\): completed/.exec(r.out)?.[1] ?? '';
    assert.ok(studyId, r.out);
    // Progress on stderr: the bar with answers/s, ending at 100%.
    const total = study.respondents * study.questions.length;
    assert.match(r.err, /Created fg_\w+ 'FreshBox/);
    assert.match(r.err, new RegExp(`100\\.0%  ${total}/${total} answers.*answers/s`));

    const results = await api<{ questions: any[] }>('GET', `/v1/focus-groups/${studyId}/results`);
    assert.equal(results.questions.length, study.questions.length);
    for (const q of results.questions) {
      const [id, type, n, skipped] = tableRow(r.out, q.question_id);
      assert.deepEqual([id, type, Number(n), Number(skipped)], [q.question_id, q.type, q.n, q.skipped + q.failed]);
    }
    // NPS from the API's distribution, by hand: % promoters (9–10) − % detractors (0–6).
    const nps = results.questions.find((q) => q.question_id === 'nps');
    const count = (from: number, to: number) => (nps.distribution as { value: number; count: number }[]).reduce((t, e) => t + (e.value >= from && e.value <= to ? e.count : 0), 0);
    const promoters = count(9, 10);
    const detractors = count(0, 6);
    const score = Math.round(((promoters - detractors) / nps.n) * 100);
    assert.match(tableRow(r.out, 'nps')[4]!, new RegExp(`^NPS ${score > 0 ? '\\+' : ''}${score} \\[[-+]?\\d+, [-+]?\\d+\\] \\(promoters ${Math.round((promoters / nps.n) * 100)}%, detractors ${Math.round((detractors / nps.n) * 100)}%\\)`));
    // Skip logic: the promoters were asked what they love, the detractors what holds them back.
    assert.equal(results.questions.find((q) => q.question_id === 'love').n, promoters);
    assert.equal(results.questions.find((q) => q.question_id === 'concern').n, detractors);
    const appeal = results.questions.find((q) => q.question_id === 'appeal');
    assert.match(tableRow(r.out, 'appeal')[4]!, new RegExp(`^mean ${appeal.mean.toFixed(2)}`));
    const trial = results.questions.find((q) => q.question_id === 'trial');
    const yes = trial.distribution.find((e: { value: string }) => e.value === 'yes').count;
    assert.match(tableRow(r.out, 'trial')[4]!, new RegExp(`^yes ${Math.round((yes / trial.n) * 100)}%`));
    assert.equal(results.questions.find((q) => q.question_id === 'plan').n, yes);
  });

  it('lists and shows the study', async () => {
    const list = await cohort(['focus-groups', 'list']);
    assert.equal(list.code, 0, list.err);
    assert.match(list.out, new RegExp(`^${studyId} +completed +100\\.0% +60 +9 +.*FreshBox meal-kit concept test$`, 'm'));
    const json = JSON.parse((await cohort(['focus-groups', 'list', '--json', '--limit', '1'])).out);
    assert.equal(json.object, 'list');
    assert.equal(json.data[0].id, studyId);

    const show = await cohort(['focus-groups', 'show', studyId]);
    assert.equal(show.code, 0, show.err);
    assert.match(show.out, /FreshBox meal-kit concept test {2}\(fg_/);
    assert.match(show.out, /^completed · survey · test key \(sandbox\) · seed 42$/m);
    assert.match(show.out, /millennial-suburban-parent 24, budget-conscious-single-parent 21, urban-young-professional 15/);
    assert.match(show.out, /^nps +nps +60 /m);
    const shown = JSON.parse((await cohort(['focus-groups', 'show', studyId, '--json'])).out);
    assert.equal(shown.focus_group.status, 'completed');
    assert.equal(shown.results.questions.length, 9);

    // Following a study that already ended returns at once, with the same results.
    const followed = await cohort(['focus-groups', 'show', studyId, '--follow']);
    assert.equal(followed.code, 0, followed.err);
    assert.match(followed.out, /^nps +nps +60 /m);
  });

  it('exports every answer as CSV, to a file and to stdout; an unknown format is the server\'s 4xx naming format', async () => {
    const file = path.join(dir, 'answers.csv');
    const r = await cohort(['focus-groups', 'export', studyId, '--format', 'csv', '--output', file]);
    assert.equal(r.code, 0, r.err);
    assert.match(r.err, /Wrote .*answers\.csv \(\d+ bytes\)/);
    const records = csvRecords(fs.readFileSync(file, 'utf8'));
    assert.deepEqual(records[0], ['respondent_id', 'respondent_index', 'persona_id', 'question_id', 'type', 'status', 'answer', 'reasoning', 'credits']);
    const rows = records.slice(1);
    assert.equal(rows.length, 60 * 9, 'one row per answer slot');
    const study = await api('GET', `/v1/focus-groups/${studyId}`);
    assert.equal(rows.filter((x) => x[5] === 'answered').length, study.progress.answers_completed);
    assert.equal(rows.filter((x) => x[5] === 'skipped').length, study.progress.answers_skipped);

    const stdout = await cohort(['focus-groups', 'export', studyId, '--format', 'csv']);
    assert.equal(stdout.code, 0);
    assert.equal(stdout.out, fs.readFileSync(file, 'utf8'));
    // --out, the spelling of personas export, is the same option.
    const out = path.join(dir, 'answers-out.csv');
    assert.equal((await cohort(['focus-groups', 'export', studyId, '--format', 'csv', '--out', out])).code, 0);
    assert.equal(fs.readFileSync(out, 'utf8'), fs.readFileSync(file, 'utf8'));

    const bad = await cohort(['focus-groups', 'export', studyId, '--format', 'pdf', '--output', path.join(dir, 'x.pdf')]);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /\(param: format\) \[HTTP 4\d\d/);
    assert.ok(!fs.existsSync(path.join(dir, 'x.pdf')), 'no file for a refused export');
  });

  it("exports a discussion's transcripts with --part transcripts, one row per turn; --part on a survey is the server's 400 naming part", async () => {
    const file = path.join(dir, 'discussion.json');
    fs.writeFileSync(file, JSON.stringify({ name: 'Talk', mode: 'discussion', session_size: 4, personas: [{ persona_id: 'hospital-cfo', respondents: 8 }], questions: [{ type: 'yes_no', text: 'Pilot it?' }], seed: 4 }));
    const created = await cohort(['focus-groups', 'run', file, '--json']);
    assert.equal(created.code, 0, created.err);
    const id = JSON.parse(created.out).id as string;
    assert.equal((await cohort(['focus-groups', 'show', id, '--follow'])).code, 0);
    const r = await cohort(['focus-groups', 'export', id, '--format', 'csv', '--part', 'transcripts']);
    assert.equal(r.code, 0, r.err);
    const records = csvRecords(r.out);
    assert.deepEqual(records[0], ['session', 'seq', 'question_id', 'kind', 'speaker_id', 'speaker_name', 'text', 'answer']);
    const transcripts = (await api('GET', `/v1/focus-groups/${id}/transcripts?limit=20`)).data as { turns: unknown[] }[];
    assert.equal(records.length - 1, transcripts.reduce((n, t) => n + t.turns.length, 0), 'one row per turn');
    const bad = await cohort(['focus-groups', 'export', studyId, '--format', 'csv', '--part', 'transcripts']);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /\(param: part\) \[HTTP 400/);
  });

  it('cancels a second study; following it then exits 3; a completed study cannot be cancelled', async () => {
    const big = path.join(dir, 'big.yaml');
    // 5,000 respondents: far more than the sandbox answers before the cancel arrives.
    fs.writeFileSync(big, fs.readFileSync(EXAMPLE, 'utf8').replace(/^respondents: \d+$/m, 'respondents: 5000').replace(/^name: .*$/m, 'name: Big study'));
    const created = await cohort(['focus-groups', 'run', big, '--json']);
    assert.equal(created.code, 0, created.err);
    const id = JSON.parse(created.out).id as string;
    const cancel = await cohort(['focus-groups', 'cancel', id]);
    assert.equal(cancel.code, 0, cancel.err);
    assert.match(cancel.out, new RegExp(`^Cancelled ${id} 'Big study': it keeps \\d+ of 45000 answers`));
    assert.equal((await api('GET', `/v1/focus-groups/${id}`)).status, 'cancelled');
    const followed = await cohortProcess(['focus-groups', 'show', id, '--follow']);
    assert.equal(followed.code, 3, followed.err);
    assert.match(followed.out, /: cancelled/);

    const again = await cohort(['focus-groups', 'cancel', studyId]);
    assert.equal(again.code, 1);
    assert.match(again.err, /Cannot cancel a focus group with status 'completed'\. \(param: focus_group_id\) \[HTTP 4\d\d/);
  });

  it('shows the server\'s refusal with its param; bad files, options and connections have their exit codes', async () => {
    const bad = path.join(dir, 'bad.yaml');
    fs.writeFileSync(bad, 'name: Bad\npersonas: [{persona_id: gen-z-digital-native, respondents: 5}]\nquestions:\n  - {type: multiple_choice, text: Which?, options: []}\n');
    const refused = await cohort(['focus-groups', 'run', bad]);
    assert.equal(refused.code, 1);
    assert.match(refused.err, /\(param: questions\[0\]\.options\) \[HTTP 4\d\d/);
    assert.equal((await api('GET', '/v1/focus-groups?limit=100')).data.filter((s: any) => s.name === 'Bad').length, 0, 'nothing created');

    fs.writeFileSync(bad, 'name: [unclosed\n');
    const unparsable = await cohort(['focus-groups', 'run', bad]);
    assert.equal(unparsable.code, 2);
    assert.match(unparsable.err, /bad\.yaml is not valid YAML/);
    assert.equal((await cohort(['focus-groups', 'run', path.join(dir, 'missing.yaml')])).code, 2);
    assert.equal((await cohort(['focus-groups', 'run', EXAMPLE, '--follow', '--dry-run'])).code, 2);

    const estimate = await cohort(['focus-groups', 'run', EXAMPLE, '--dry-run']);
    assert.equal(estimate.code, 0, estimate.err);
    assert.match(estimate.out, /^Estimate: 60 respondents × 9 questions = 540 answers, \d+ credits \(at most \d+\)/);

    assert.equal((await cohort(['focus-groups', 'list'], { COHORT_API_KEY: '' })).code, 2, 'no key');
    const wrongKey = await cohort(['focus-groups', 'list'], { COHORT_API_KEY: 'mvra_test_nope' });
    assert.equal(wrongKey.code, 1);
    assert.match(wrongKey.err, /\[HTTP 401/);
    const missing = await cohort(['focus-groups', 'show', 'fg_missing']);
    assert.equal(missing.code, 1);
    assert.match(missing.err, /not found\. \(param: focus_group_id\) \[HTTP 404/);
    const unreachable = await cohort(['focus-groups', 'list', '--url', 'http://127.0.0.1:9']);
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.err, /cannot reach http:\/\/127\.0\.0\.1:9/);
  });
});
