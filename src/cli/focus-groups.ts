/**
 * `cohort focus-groups`: studies on a running server, over its HTTP API
 * (/v1/focus-groups) with an API key — run a study file and follow it, list,
 * show, export, cancel. The study file is YAML (or JSON) holding the body of
 * POST /v1/focus-groups; the client only parses it, the server validates it
 * and its errors are shown with the `param` they name.
 */
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parse as parseYaml } from 'yaml';
import { ApiCallError, CONNECTION_HELP, CONNECTION_OPTIONS, connectionOf, createApiClient, type ApiClient } from './api-client.js';
import { commandOf, OUTPUT_OPTIONS, outputFileOf, parse, positiveInt, UsageError, type Io } from './args.js';
import { withCommand } from './invocation.js';
import { formatDuration, formatProgress, formatResults, formatStudy, formatStudyList, type ProgressView, type StudyJson } from './focus-groups-view.js';

export const FOCUS_GROUPS_HELP = `Usage:
  cohort focus-groups run FILE [--follow] [--dry-run] [--idempotency-key K] [--json]
  cohort focus-groups list [--limit N] [--after ID] [--json]
  cohort focus-groups show ID [--follow] [--json]
  cohort focus-groups export ID [--format json|csv|html] [--part transcripts] [--output FILE]
  cohort focus-groups cancel ID [--json]

Runs focus groups (simulated survey studies) on a running Cohort server,
through its API: the key's workspace, scope focus_groups. A test key
(mvra_test_) runs them on the sandbox, free and reproducible by seed.

run       creates the study described by FILE: YAML or JSON, the body of
          POST /v1/focus-groups (name, personas, respondents, questions,
          stimulus, seed…; see examples/study.yaml). With --follow, shows a
          progress bar (answers/s, ETA) until the study ends, then its
          results per question. --dry-run prints the estimate only.
list      the workspace's studies, newest first.
show      one study: status, progress, credits, and its results so far;
          --follow waits for it to end as run --follow does.
export    every answer (csv), the results document (json) or the report
          (html, where the server offers it) to stdout or --output FILE; a
          discussion's transcripts are in the json and html, and one row
          per turn with --format csv --part transcripts.
cancel    stops a study; it keeps (and pays for) the answers it got.

Options:
${CONNECTION_HELP}
  --follow          follow the study's progress until it ends, then print its results
  --dry-run         (run) validate and price the study without starting it
  --idempotency-key K  (run) a retried run with the same K returns the same study
  --format F        (export) json (default), csv or html
  --part P          (export, csv) answers (default) or transcripts (a discussion)
  --output FILE     (export) write there instead of stdout (also --out, -o)
  --limit N, --after ID  (list) page size (1–100, default 20) and where to start
  --json            machine-readable output
  -h, --help        this help

Exit codes: 0 done (with --follow: the study completed); 1 the server refused
the request or could not be reached; 2 usage (bad options, a study file that
cannot be read or parsed); 3 (--follow) the study ended cancelled or failed.
`;

/** Exit code of a followed study that ended without completing. */
const NOT_COMPLETED = 3;

/** The study file as a JSON object: parsed here, validated by the server. */
export function readStudyFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err))}`);
  }
  let doc: unknown;
  try {
    doc = /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new UsageError(`${file} is not valid ${/\.json$/i.test(file) ? 'JSON' : 'YAML'}: ${parseErrorText(err)}`);
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw new UsageError(`${file} must hold a mapping (the study: name, personas, questions…)`);
  return doc as Record<string, unknown>;
}

/**
 * A parser's message, with the excerpt the YAML parser puts after "at line 4,
 * column 1:" (the lines and a caret), indented; without one, no dangling colon.
 */
function parseErrorText(err: unknown): string {
  const [first = '', ...rest] = (err instanceof Error ? err.message : String(err)).split('\n');
  const excerpt = rest.filter((l) => l.trim() !== '');
  return excerpt.length ? `${first}\n\n${excerpt.map((l) => `  ${l}`).join('\n')}` : first.replace(/:\s*$/, '');
}

const studyPath = (id: string) => `/v1/focus-groups/${encodeURIComponent(id)}`;

function oneId(positionals: string[], sub: string): string {
  if (positionals.length !== 1) throw new UsageError(`focus-groups ${sub} needs exactly one study ID (see \`cohort focus-groups list\`)`);
  return positionals[0]!;
}

export async function focusGroupsCommand(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    io.out(withCommand(FOCUS_GROUPS_HELP, io.command));
    return sub === undefined ? 2 : 0;
  }
  const common = { ...CONNECTION_OPTIONS, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const;
  const connect = (values: { url?: string | undefined; key?: string | undefined }) => createApiClient(connectionOf(values, io.env));
  try {
    if (sub === 'run') {
      const { values, positionals } = parse(rest, { ...common, follow: { type: 'boolean' }, 'dry-run': { type: 'boolean' }, 'idempotency-key': { type: 'string' } }, true);
      if (values.help) return io.out(withCommand(FOCUS_GROUPS_HELP, io.command)), 0;
      if (positionals.length !== 1) throw new UsageError('focus-groups run needs exactly one study file (e.g. examples/study.yaml)');
      if (values.follow && values['dry-run']) throw new UsageError('--dry-run starts nothing to follow; give one of --follow, --dry-run');
      const body = readStudyFile(positionals[0]!);
      if (values['dry-run']) body.dry_run = true;
      const client = connect(values);
      const key = values['idempotency-key'];
      const created = await client.json<Record<string, unknown>>('POST', '/v1/focus-groups', { body, ...(key !== undefined ? { headers: { 'idempotency-key': key } } : {}) });
      if (created.body.object === 'focus_group.estimate') {
        const e = created.body as { respondents: number; questions: number; answers: number; credits: number; max_credits: number; livemode: boolean };
        io.out(values.json ? JSON.stringify(e) + '\n' : `Estimate: ${e.respondents} respondents × ${e.questions} questions = ${e.answers} answers, ${e.credits} credits (at most ${e.max_credits})${e.livemode ? '' : '; a test key is not charged'}. Nothing was started.\n`);
        return 0;
      }
      const study = created.body as unknown as StudyJson;
      const replayed = created.headers.get('idempotent-replayed') === 'true';
      if (!values.follow) {
        if (values.json) io.out(JSON.stringify(study) + '\n');
        else io.out(`${replayed ? 'Already created' : 'Created'} ${study.id} '${study.name}' (${study.status}): ${study.respondents} respondents × ${study.questions.length} questions, estimate ${study.estimate?.credits ?? '?'} credits (at most ${study.estimate?.max_credits ?? '?'}).\nFollow it: ${commandOf(io)} focus-groups show ${study.id} --follow\n`);
        return 0;
      }
      if (!values.json) io.err(`${replayed ? 'Already created' : 'Created'} ${study.id} '${study.name}': ${study.respondents} respondents × ${study.questions.length} questions, estimate ${study.estimate?.credits ?? '?'} credits.\n`);
      return await followAndReport(client, study.id, io, values.json === true);
    }

    if (sub === 'list') {
      const { values } = parse(rest, { ...common, limit: { type: 'string' }, after: { type: 'string' } });
      if (values.help) return io.out(withCommand(FOCUS_GROUPS_HELP, io.command)), 0;
      const limit = positiveInt(values.limit, '--limit');
      const q = new URLSearchParams({ ...(limit !== undefined ? { limit: String(limit) } : {}), ...(values.after ? { after: values.after } : {}) }).toString();
      const page = (await connect(values).json<{ data: StudyJson[]; has_more: boolean; last_id: string | null }>('GET', `/v1/focus-groups${q ? `?${q}` : ''}`)).body;
      if (values.json) io.out(JSON.stringify(page) + '\n');
      else {
        io.out(withCommand(formatStudyList(page.data), io.command));
        if (page.has_more && page.last_id) io.out(`More: ${commandOf(io)} focus-groups list --after ${page.last_id}\n`);
      }
      return 0;
    }

    if (sub === 'show') {
      const { values, positionals } = parse(rest, { ...common, follow: { type: 'boolean' } }, true);
      if (values.help) return io.out(withCommand(FOCUS_GROUPS_HELP, io.command)), 0;
      const id = oneId(positionals, 'show');
      const client = connect(values);
      if (values.follow) return await followAndReport(client, id, io, values.json === true);
      const study = (await client.json<StudyJson>('GET', studyPath(id))).body;
      const settled = study.progress.answers_completed + study.progress.answers_failed + study.progress.answers_skipped;
      const results = settled > 0 ? (await client.json<{ questions: Record<string, unknown>[] }>('GET', `${studyPath(id)}/results`)).body : undefined;
      if (values.json) io.out(JSON.stringify({ focus_group: study, results: results ?? null }) + '\n');
      else {
        io.out(formatStudy(study));
        if (results) io.out('\n' + formatResults(results, widthOf(io)));
      }
      return 0;
    }

    if (sub === 'export') {
      const { values, positionals } = parse(rest, { ...common, format: { type: 'string' }, part: { type: 'string' }, ...OUTPUT_OPTIONS }, true);
      if (values.help) return io.out(withCommand(FOCUS_GROUPS_HELP, io.command)), 0;
      const output = outputFileOf(values);
      const id = oneId(positionals, 'export');
      // The server knows its formats (and names `format` when it does not have one).
      const query = new URLSearchParams({ format: values.format ?? 'json', ...(values.part !== undefined ? { part: values.part } : {}) });
      const res = await connect(values).raw(`${studyPath(id)}/export?${query.toString()}`);
      const body = res.body ? Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>) : Readable.from([]);
      if (output) {
        const file = output;
        try {
          await pipeline(body, fs.createWriteStream(file));
        } catch (err) {
          fs.rmSync(file, { force: true });
          throw err;
        }
        io.err(`Wrote ${file} (${fs.statSync(file).size} bytes)\n`);
      } else {
        const decoder = new TextDecoder();
        for await (const chunk of body) io.out(decoder.decode(chunk as Uint8Array, { stream: true }));
        io.out(decoder.decode());
      }
      return 0;
    }

    if (sub === 'cancel') {
      const { values, positionals } = parse(rest, common, true);
      if (values.help) return io.out(withCommand(FOCUS_GROUPS_HELP, io.command)), 0;
      const id = oneId(positionals, 'cancel');
      const study = (await connect(values).json<StudyJson>('POST', `${studyPath(id)}/cancel`)).body;
      const p = study.progress;
      io.out(values.json ? JSON.stringify(study) + '\n' : `Cancelled ${study.id} '${study.name}': it keeps ${p.answers_completed} of ${p.answers_total} answers (${study.credits_used ?? 0} credits${study.livemode ? '' : ', not charged: test key'}).\n`);
      return 0;
    }
  } catch (err) {
    if (err instanceof ApiCallError) {
      io.err(`cohort: ${withCommand(err.describe(), io.command)}\n`);
      return 1;
    }
    throw err;
  }
  throw new UsageError(`unknown focus-groups command '${sub}'`);
}

const widthOf = (io: Io) => (io.columns ? { width: io.columns } : {});

/** Follows a study to its end, then prints its results; the exit code says how it ended. */
async function followAndReport(client: ApiClient, id: string, io: Io, json: boolean): Promise<number> {
  const study = await followStudy(client, id, io);
  const results = (await client.json<{ questions: Record<string, unknown>[] }>('GET', `${studyPath(id)}/results`)).body;
  if (json) io.out(JSON.stringify({ focus_group: study, results }) + '\n');
  else {
    const p = study.progress;
    const took = typeof study.started_at === 'number' && typeof study.completed_at === 'number' ? study.completed_at - study.started_at : undefined;
    const settled = p.answers_completed + p.answers_failed + p.answers_skipped;
    io.out(
      `${study.name} (${study.id}): ${study.status}${took !== undefined ? ` in ${formatDuration(took)}` : ''}; ${p.answers_completed} answers, ${p.answers_skipped} skipped, ${p.answers_failed} failed${took ? `, ${(settled / Math.max(1, took)).toFixed(1)} answers/s` : ''}; ${study.credits_used ?? 0} credits${study.livemode ? '' : ' (test key: not charged)'}\n`,
    );
    if (study.error?.message) io.out(`Error: ${study.error.message}\n`);
    io.out('\n' + formatResults(results, widthOf(io)));
  }
  return study.status === 'completed' ? 0 : NOT_COMPLETED;
}

/**
 * Reads the study's events until its terminal one, drawing the progress on
 * stderr (redrawn in place on a terminal; otherwise a line every 5 s).
 * Reconnects with Last-Event-ID when the stream drops (server restart,
 * proxy timeout), up to 6 times in a row.
 */
export async function followStudy(client: ApiClient, id: string, io: Io, options: { printEveryMs?: number; retryBaseMs?: number } = {}): Promise<StudyJson> {
  const printEveryMs = options.printEveryMs ?? 5000;
  const retryBaseMs = options.retryBaseMs ?? 500;
  let lastId: string | undefined;
  let printedAt = -Infinity;
  let drawn = false;
  const draw = (line: string, final = false) => {
    if (io.tty) {
      io.err(`\r${line}\x1b[K${final ? '\n' : ''}`);
      drawn = !final;
    } else if (final || Date.now() - printedAt >= printEveryMs) {
      io.err(line + '\n');
      printedAt = Date.now();
    }
  };
  let drops = 0;
  let lost: unknown;
  for (;;) {
    let ended: StudyJson | undefined;
    lost = undefined;
    try {
      for await (const ev of client.events(`${studyPath(id)}/events`, lastId)) {
        drops = 0;
        if (ev.id !== undefined) lastId = ev.id;
        if (ev.data === '[DONE]') break;
        if (ev.event === 'focus_group.progress') draw(formatProgress(JSON.parse(ev.data) as ProgressView));
        else if (ev.event === 'error') {
          const message = (JSON.parse(ev.data) as { message?: string }).message ?? 'the event stream failed';
          throw new ApiCallError(message, 404, 'not_found', 'focus_group_id');
        } else if (ev.event.startsWith('focus_group.')) ended = (JSON.parse(ev.data) as { focus_group: StudyJson }).focus_group;
      }
    } catch (err) {
      // The server's answer to the request (not found, no scope…) is final; a dropped stream is retried.
      if (err instanceof ApiCallError && err.status >= 400 && err.status < 500) {
        if (drawn) io.err('\n');
        throw err;
      }
      lost = err;
    }
    if (ended) {
      const p = ended.progress;
      const took = typeof ended.started_at === 'number' && typeof ended.completed_at === 'number' ? Math.max(1, ended.completed_at - ended.started_at) : undefined;
      draw(formatProgress({ ...p, ...(took ? { answers_per_second: (p.answers_completed + p.answers_failed + p.answers_skipped) / took } : {}) }), true);
      return ended;
    }
    if (++drops > 6) {
      if (drawn) io.err('\n');
      throw lost instanceof ApiCallError ? lost : new ApiCallError(`lost the event stream of ${id}${lost instanceof Error ? `: ${lost.message}` : ''}`, 0);
    }
    await new Promise((r) => setTimeout(r, Math.min(10_000, retryBaseMs * 2 ** (drops - 1))));
  }
}
