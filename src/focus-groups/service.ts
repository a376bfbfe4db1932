/**
 * The focus-groups domain, HTTP-agnostic (the routes call it; the CLI and a
 * queue worker can too): create (estimate, hold, store, hand to the queue),
 * read, list, progress events, respondents, results, export, cancel, delete,
 * and recovery of studies a dead process left behind.
 *
 * Every refusal happens before anything is written: the request is
 * validated (422/400 naming the `param`), personas resolved (404), stimulus
 * images fetched and checked (the SSRF-guarded loader), the backend known
 * (503), then one transaction checks the plan's concurrency (429), holds the
 * most the study can cost (live keys: 402 when short) and stores it.
 */
import { createHash } from 'node:crypto';
import { ApiError } from '../errors/api-error.js';
import type { PlanLimits } from '../accounts/plans.js';
import type { Logger } from '../logger.js';
import { composePersonaPrompt } from '../personas/compose-prompt.js';
import type { PersonaStore, ResolvedPersona } from '../personas/persona-store.js';
import type { PricingTable } from '../pricing.js';
import { selectEngine, type Engines } from '../responses/engines.js';
import { loadImages, type ImageFetchOptions } from '../responses/images.js';
import { dropNulls, parseRequest } from '../schemas/validate.js';
import type { FocusGroupsStore } from '../storage/focus-groups-store.js';
import { countTokens } from '../util/tokens.js';
import type { Clock, IdGenerator } from '../util/ids.js';
import { maxRespondentCredits, respondentCredits, type StudyEstimate } from './estimate.js';
import { studyEventStream, type EventStreamOptions } from './events.js';
import type { ProgressHub } from './progress.js';
import { respondentSystemPrompt } from './prompts.js';
import { answersCsv } from './answers-csv.js';
import { htmlReport } from './report/html-report.js';
import type { ResultsDocument } from './results.js';
import { createStudyResults, type StudyResults } from './study-results.js';
import { parseSegmentBy } from './segment-attributes.js';
import type { StudyQueue } from './runner.js';
import { sampleProfile } from './sample.js';
import { createFocusGroupRequest, normalizeStudy } from './study-request.js';
import { listTranscriptsQuery, sessionIndexOf } from './discussion/transcript-view.js';
import { allTranscripts, readTranscripts, studySessions } from './discussion/transcripts.js';
import { transcriptsCsv } from './discussion/transcripts-csv.js';
import { jsonWithTranscripts } from './discussion/transcripts-json.js';
import { reportTranscripts } from './report/html-transcripts.js';
import { isTerminal, type StudyDefinition, type StudyRecord } from './study.js';
import { estimateView, respondentId, respondentIndexOf, respondentView, studyView, type StudyView } from './views.js';
import { z } from 'zod';

export interface FocusGroupCaller {
  workspaceId: string;
  workspaceName?: string;
  keyId: string | null;
  mode: 'live' | 'test';
  /** The plan's limits; without them (internal callers) no concurrency limit applies. */
  limits?: PlanLimits;
}

export interface FocusGroupsServiceDeps {
  store: FocusGroupsStore;
  personas: PersonaStore;
  engines: Engines;
  pricing: PricingTable;
  queue: StudyQueue;
  progress: ProgressHub;
  ids: IdGenerator;
  clock: Clock;
  logger: Logger;
  /** This process: the owner of the studies it creates and claims. */
  instanceId: string;
  imageFetch?: ImageFetchOptions;
  events?: EventStreamOptions;
  /** The results, stored once a study has ended (shared with the runner, which precomputes them). */
  results?: StudyResults;
}

export type CreateOutcome =
  | { kind: 'estimate'; estimate: ReturnType<typeof estimateView> }
  /** `replayed`: an earlier create with the same Idempotency-Key made it. */
  | { kind: 'study'; study: StudyView; replayed: boolean };

export const listFocusGroupsQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(20).meta({ description: 'Page size, 1–100 (default 20).' }),
    after: z.string().optional().meta({ description: 'last_id of the previous page.' }),
  })
  .meta({ id: 'ListFocusGroupsQuery' });

export const listRespondentsQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(20).meta({ description: 'Page size, 1–100 (default 20).' }),
    after: z.string().optional().meta({ description: 'last_id of the previous page.' }),
  })
  .meta({ id: 'ListRespondentsQuery' });

const segmentByParam = z
  .string()
  .max(400)
  .optional()
  .meta({ description: 'Segment attributes besides persona (always included), comma-separated: age_band, gender, region, country, income, household, or an attribute of the personas\' population models (at most 4). An unknown attribute is a 400 naming segment_by.' });

export const resultsQuery = z.object({ segment_by: segmentByParam }).meta({ id: 'FocusGroupResultsQuery' });

export const exportQuery = z
  .object({
    format: z
      .enum(['json', 'csv', 'html'])
      .default('json')
      .meta({ description: "json: the study with its results (and a discussion's transcripts); csv: one row per answer (or, with part=transcripts, per discussion turn); html: one self-contained report (inline CSS and SVG charts, a discussion's transcripts as collapsible sessions; no scripts, no network)." }),
    part: z
      .enum(['answers', 'transcripts'])
      .optional()
      .meta({ description: 'format=csv only: answers (default; one row per answer) or transcripts (a discussion study: one row per turn — session, seq, question_id, kind, speaker_id, speaker_name, text, answer). 400 naming part with another format, or transcripts of a survey.' }),
    segment_by: segmentByParam,
  })
  .meta({ id: 'ExportFocusGroupQuery' });

export type ExportOutcome =
  | { format: 'json'; body: unknown }
  /** A discussion's JSON export, streamed (its transcripts read a page of sessions at a time). */
  | { format: 'json'; stream: ReadableStream<Uint8Array> }
  | { format: 'csv'; body: ReadableStream<Uint8Array> }
  | { format: 'html'; body: string };

/** Model calls per discussion position, expected: the answer, and a probe's answer half the time. */
const DISCUSSION_EXPECTED_CALLS = 1.5;

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

export function createFocusGroupsService(deps: FocusGroupsServiceDeps) {
  const now = () => Math.floor(deps.clock.now() / 1000);
  const studyResults = deps.results ?? createStudyResults({ store: deps.store, logger: deps.logger });

  /** The results document; stored once the study has ended (its answers no longer change). */
  const resultsOf = (s: StudyRecord, segmentBy: string[]): Promise<ResultsDocument> => studyResults.get(s, segmentBy);

  const notFound = (id: string) => new ApiError('not_found', `Focus group with id '${id}' not found.`, { param: 'focus_group_id' });

  async function find(caller: FocusGroupCaller, id: string): Promise<StudyRecord> {
    const s = await deps.store.get(caller.workspaceId, id);
    if (!s) throw notFound(id);
    return s;
  }

  /** The personas of the sample (404 naming the entry), custom ones pinned to their current version. */
  async function resolvePersonas(caller: FocusGroupCaller, def: StudyDefinition): Promise<ResolvedPersona[]> {
    const out: ResolvedPersona[] = [];
    for (const [i, a] of def.personas.entries()) {
      const p = await deps.personas.get(caller.workspaceId, a.persona_id);
      if (!p) throw new ApiError('persona_not_found', `Persona '${a.persona_id}' not found. List personas with GET /v1/personas to find valid ids.`, { param: `personas[${i}].persona_id` });
      if (p.custom) a.version = p.custom.version;
      out.push(p);
    }
    return out;
  }

  function estimate(def: StudyDefinition, personas: ResolvedPersona[], imageInput: boolean): StudyEstimate {
    const respondents = def.personas.reduce((n, p) => n + p.respondents, 0);
    let credits = 0;
    def.personas.forEach((a, i) => {
      if (a.respondents === 0) return;
      const persona = personas[i]!;
      // A respondent of this persona stands for all of them: the system prompts differ by a few tokens.
      const system = respondentSystemPrompt(composePersonaPrompt(persona), sampleProfile(persona, def.seed, 0), def);
      credits += a.respondents * respondentCredits(def.questions, countTokens(system), imageInput, deps.pricing);
    });
    const answers = respondents * def.questions.length;
    const max = respondents * maxRespondentCredits(def.questions, imageInput, deps.pricing);
    // A discussion's position may take two calls (the answer and, after a probe, the answer
    // again): expected, half the questions probed; at most, every one.
    if (def.mode === 'discussion') return { answers, credits: Math.ceil(credits * DISCUSSION_EXPECTED_CALLS), max_credits: max * 2 };
    return { answers, credits, max_credits: max };
  }

  /**
   * SSR questions need embeddings on every route the study's calls take (one per
   * persona): a 422 naming the first such question otherwise. A live key without any
   * backend is left to the 503 below.
   */
  function checkEmbeddings(caller: FocusGroupCaller, def: StudyDefinition, personas: ResolvedPersona[]): void {
    const i = def.questions.findIndex((q) => q.elicitation === 'ssr');
    if (i < 0) return;
    const provider = caller.mode === 'test' ? deps.engines.sandbox : deps.engines.live;
    if (!provider) return;
    const workspace = { id: caller.workspaceId, ...(caller.workspaceName !== undefined ? { name: caller.workspaceName } : {}) };
    const without = personas.find((persona) => !provider.embeddings?.available({ persona, workspace }));
    if (!without) return;
    throw new ApiError(
      'validation_error',
      `'ssr' elicitation needs embeddings, and the backend${personas.length > 1 ? ` that serves persona '${without.id}'` : ''} has no embedding model. Configure one (the backend's embeddings: {model: …} in cohort.config.yaml, or COHORT_UPSTREAM_EMBEDDING_MODEL), or use elicitation 'direct'.`,
      { param: `questions[${i}].elicitation` },
    );
  }

  function requestHash(body: unknown): string {
    return createHash('sha256').update(stableJson(dropNulls(body))).digest('hex');
  }

  /** The study an Idempotency-Key already made, if the request is the same; 422 if it is not. */
  function replay(existing: StudyRecord, hash: string): CreateOutcome {
    if (existing.requestHash !== hash) {
      throw new ApiError('validation_error', 'This Idempotency-Key was already used with a different request body. Use a new key for a new focus group.', { param: 'Idempotency-Key' });
    }
    return { kind: 'study', study: studyView(existing), replayed: true };
  }

  return {
    async create(caller: FocusGroupCaller, body: unknown, options: { idempotencyKey?: string; /** The client's request: stimulus image downloads stop when it leaves. */ signal: AbortSignal }): Promise<CreateOutcome> {
      const key = options.idempotencyKey;
      if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
        throw new ApiError('validation_error', 'Idempotency-Key must be 1 to 255 visible ASCII characters.', { param: 'Idempotency-Key' });
      }
      const req = parseRequest(createFocusGroupRequest, body);
      const hash = requestHash(body);
      if (key !== undefined && !req.dry_run) {
        const existing = await deps.store.byIdempotencyKey(caller.workspaceId, key);
        if (existing) return replay(existing, hash);
      }
      const def = normalizeStudy(req, req.seed ?? Math.floor(Math.random() * 2_147_483_647));
      if (caller.workspaceName !== undefined) def.workspace_name = caller.workspaceName;
      const personas = await resolvePersonas(caller, def);
      let images: string[] = [];
      if (req.stimulus?.images) {
        const loaded = await loadImages(
          [{ type: 'message', role: 'user', content: req.stimulus.images.map((url) => ({ type: 'image' as const, url, detail: 'auto' as const })) }],
          (_item, part) => `stimulus.images[${part}]`,
          deps.imageFetch ?? {},
          options.signal,
        );
        const first = loaded[0]!;
        images = first.type === 'message' ? first.content.flatMap((p) => (p.type === 'image' ? [p.url] : [])) : [];
      }
      checkEmbeddings(caller, def, personas);
      const est = estimate(def, personas, images.length > 0);
      const respondents = def.personas.reduce((n, p) => n + p.respondents, 0);
      if (req.dry_run) return { kind: 'estimate', estimate: estimateView(est, { respondents, questions: def.questions.length, live: caller.mode === 'live' }) };
      // A live key without a backend would wait forever: refuse now (503), before anything is held.
      selectEngine(deps.engines, caller.mode);
      const id = deps.ids.next('fg');
      const t = now();
      const live = caller.mode === 'live';
      const study: StudyRecord = {
        id,
        workspaceId: caller.workspaceId,
        keyId: caller.keyId,
        keyMode: caller.mode,
        name: def.name,
        status: 'pending',
        mode: def.mode,
        definition: def,
        metadata: req.metadata ?? {},
        respondentsTotal: respondents,
        questionsTotal: def.questions.length,
        respondentsDone: 0,
        answersDone: 0,
        answersFailed: 0,
        answersSkipped: 0,
        creditsEstimated: est.credits,
        creditsMax: est.max_credits,
        creditsUsed: 0,
        holdId: live ? deps.ids.next('hold') : null,
        owner: deps.instanceId,
        idempotencyKey: key ?? null,
        requestHash: hash,
        error: null,
        createdAt: t,
        startedAt: null,
        completedAt: null,
        updatedAt: t,
      };
      try {
        await deps.store.create({
          study,
          images,
          concurrencyLimit: caller.limits?.concurrency.focus_groups ?? null,
          hold: live && study.holdId ? { id: study.holdId, amount: est.max_credits } : null,
        });
      } catch (err) {
        // Two creates with one key at once: the loser (a unique violation, or a 429/402 because
        // the winner already counts and holds) finds the winner's study.
        if (key !== undefined) {
          const existing = await deps.store.byIdempotencyKey(caller.workspaceId, key);
          if (existing) return replay(existing, hash);
        }
        throw err;
      }
      deps.logger.info('focus_group.created', { focus_group_id: id, workspace_id: caller.workspaceId, respondents, questions: def.questions.length, max_credits: est.max_credits, mode: caller.mode });
      deps.queue.submit(id);
      return { kind: 'study', study: studyView(study), replayed: false };
    },

    async get(caller: FocusGroupCaller, id: string): Promise<StudyView> {
      return studyView(await find(caller, id));
    },

    async list(caller: FocusGroupCaller, query: unknown) {
      const q = parseRequest(listFocusGroupsQuery, query);
      const page = await deps.store.list(caller.workspaceId, { limit: q.limit, ...(q.after !== undefined ? { after: q.after } : {}) });
      const data = page.data.map(studyView);
      return { object: 'list' as const, data, has_more: page.has_more, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null };
    },

    /** SSE of the study's progress from `lastEventId` (settled answer count) on. */
    async events(caller: FocusGroupCaller, id: string, lastEventId: number): Promise<ReadableStream<Uint8Array>> {
      await find(caller, id);
      return studyEventStream(deps, { workspaceId: caller.workspaceId, id }, lastEventId, deps.events);
    },

    async respondents(caller: FocusGroupCaller, id: string, query: unknown) {
      const s = await find(caller, id);
      const q = parseRequest(listRespondentsQuery, query);
      let afterIndex: number | undefined;
      if (q.after !== undefined) {
        afterIndex = respondentIndexOf(s.id, q.after);
        if (afterIndex === undefined) throw new ApiError('validation_error', `'${q.after}' is not a respondent of focus group '${id}'.`, { param: 'after' });
      }
      const page = await deps.store.listRespondents(s.id, { limit: q.limit, ...(afterIndex !== undefined ? { afterIndex } : {}) });
      const data = page.data.map(respondentView);
      return { object: 'list' as const, data, has_more: page.has_more, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null };
    },

    /** A discussion study's sessions with their transcripts, paged by session. */
    async transcripts(caller: FocusGroupCaller, id: string, query: unknown) {
      const s = await find(caller, id);
      const q = parseRequest(listTranscriptsQuery, query);
      if (s.mode !== 'discussion') throw new ApiError('invalid_request', `Focus group '${id}' is a survey: transcripts are kept for mode 'discussion'.`, { param: 'focus_group_id' });
      const sessions = studySessions(s);
      let from = 0;
      if (q.after !== undefined) {
        const at = sessionIndexOf(s.id, q.after);
        if (at === undefined || at >= sessions.length) throw new ApiError('validation_error', `'${q.after}' is not a transcript of focus group '${id}'.`, { param: 'after' });
        from = at + 1;
      }
      const data = await readTranscripts(deps.store, s, sessions.slice(from, from + q.limit));
      return { object: 'list' as const, data, has_more: from + q.limit < sessions.length, first_id: data[0]?.id ?? null, last_id: data[data.length - 1]?.id ?? null };
    },

    async results(caller: FocusGroupCaller, id: string, query: unknown = {}): Promise<ResultsDocument> {
      const q = parseRequest(resultsQuery, query);
      const segmentBy = parseSegmentBy(q.segment_by);
      return resultsOf(await find(caller, id), segmentBy);
    },

    async export(caller: FocusGroupCaller, id: string, query: unknown): Promise<ExportOutcome> {
      const q = parseRequest(exportQuery, query);
      if (q.part !== undefined && q.format !== 'csv') throw new ApiError('invalid_request', `'part' applies to format=csv only (json and html carry a discussion's transcripts already).`, { param: 'part' });
      const segmentBy = parseSegmentBy(q.segment_by);
      const s = await find(caller, id);
      const discussion = s.mode === 'discussion';
      if (q.format === 'csv') {
        if (q.part !== 'transcripts') return { format: 'csv', body: answersCsv(deps.store, s, (i) => respondentId(s.id, i)) };
        if (!discussion) throw new ApiError('invalid_request', `Focus group '${id}' is a survey: transcripts are kept for mode 'discussion'.`, { param: 'part' });
        return { format: 'csv', body: transcriptsCsv(deps.store, s) };
      }
      const results = await resultsOf(s, segmentBy);
      if (q.format === 'html') return { format: 'html', body: htmlReport(studyView(s), results, { generatedAt: now(), ...(discussion ? { transcripts: await reportTranscripts(allTranscripts(deps.store, s), studySessions(s).length) } : {}) }) };
      if (discussion) return { format: 'json', stream: jsonWithTranscripts({ focus_group: studyView(s), results }, deps.store, s) };
      return { format: 'json', body: { focus_group: studyView(s), results } };
    },

    /** Ends a running study now: it pays for the answers it got, the rest of its hold is released. Idempotent. */
    async cancel(caller: FocusGroupCaller, id: string): Promise<StudyView> {
      const s = await find(caller, id);
      if (s.status === 'cancelled') return studyView(s);
      if (isTerminal(s.status)) throw new ApiError('invalid_request', `Cannot cancel a focus group with status '${s.status}'.`, { param: 'focus_group_id' });
      const ended = await deps.store.finish(id, 'cancelled', null, caller.workspaceId);
      deps.queue.stop(id);
      deps.progress.notify(id);
      return studyView(ended ?? (await find(caller, id)));
    },

    /** Deletes a study (cancelling it first if it runs); the ledger keeps what it was charged. */
    async delete(caller: FocusGroupCaller, id: string): Promise<{ id: string; object: 'focus_group.deleted'; deleted: true }> {
      const s = await find(caller, id);
      if (!isTerminal(s.status)) {
        await deps.store.finish(id, 'cancelled', null, caller.workspaceId);
        deps.queue.stop(id);
      }
      if (!(await deps.store.delete(caller.workspaceId, id))) throw notFound(id);
      studyResults.drop(id);
      deps.progress.notify(id);
      return { id, object: 'focus_group.deleted', deleted: true };
    },

    /**
     * Takes the studies nobody alive runs — left by a dead process (`deadOwners`)
     * or released at a shutdown — and resumes them here. Called at start-up and
     * on every heartbeat.
     */
    async recover(deadOwners: string[]): Promise<string[]> {
      const taken = await deps.store.claimAbandoned(deps.instanceId, deadOwners);
      for (const id of taken) deps.queue.submit(id);
      if (taken.length) deps.logger.warn('focus_groups.resumed', { focus_groups: taken.length });
      return taken;
    },

    close: () => deps.queue.close(),
  };
}

export type FocusGroupsService = ReturnType<typeof createFocusGroupsService>;

/** JSON with sorted keys: equal bodies, equal hashes, whatever the key order. */
function stableJson(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(stableJson).join(',')}]`;
  return `{${Object.keys(v)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableJson((v as Record<string, unknown>)[k])}`)
    .join(',')}}`;
}
