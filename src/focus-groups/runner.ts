/**
 * The in-process study runner: one implementation of StudyQueue; the other,
 * past one machine, is the job queue of queue/bullmq-queue.ts (BullMQ on
 * Redis, consumed by `cohort worker`), whose jobs call `work` here.
 *
 * A study is run by the process that owns it (`focus_groups.owner`, claimed
 * in the database). Its respondents are worked through in index order by
 * `perStudy` workers, each respondent holding one of the server's `perServer`
 * slots while it runs (so at most that many model calls are in flight per
 * process). A respondent answers the guide in order, as one conversation:
 * one model call per question (through the elicitation hook), each answer
 * checkpointed — and, for live keys, paid for — the moment it lands
 * (store.recordAnswer). Skip logic records skipped answers, a reply still
 * invalid after the repair budget or a backend that keeps failing after
 * `retries` (full-jitter backoff, the upstream's retry-after honoured)
 * records a failed answer: neither fails the study, neither is charged. Only
 * `failStudyAfter` backend failures in a row (the backend is down, not one
 * answer) fail the study.
 *
 * Resuming is the same code: a respondent starts from its stored answers
 * (rebuilding its conversation from them), completed respondents are
 * skipped, so a study picked up after a crash continues from its last
 * checkpoint and no answer is asked for — or paid — twice. An answer in
 * flight when the process died is asked again (its first call was never
 * recorded, so never charged).
 *
 * Stopping: `stop(id)` (cancel; the study was already ended in the
 * database) and `close()` (shutdown: the studies are released for the next
 * heartbeat of any server) abort the model calls in flight; what they would
 * have answered is not recorded.
 */
import { ApiError } from '../errors/api-error.js';
import type { Logger } from '../logger.js';
import type { PersonaRecord } from '../personas/persona-schema.js';
import type { PersonaStore } from '../personas/persona-store.js';
import { composePersonaPrompt } from '../personas/compose-prompt.js';
import type { PricingTable } from '../pricing.js';
import { selectEngine, type Engines } from '../responses/engines.js';
import type { ConversationItem, Provider } from '../providers/types.js';
import { GenerateObjectError, type ObjectRequest } from '../structured/generate-object.js';
import type { AnswerToRecord, FocusGroupsStore, RecordOutcome } from '../storage/focus-groups-store.js';
import type { Clock } from '../util/ids.js';
import { itemId } from '../util/ids.js';
import type { AnswerStatus } from './stored-answer.js';
import { DEFAULT_ELICITORS, type Elicited, type Elicitors } from './elicitation.js';
import { answerCredits } from './estimate.js';
import type { ProgressHub } from './progress.js';
import { answerItem, questionItem, respondentSystemPrompt } from './prompts.js';
import { typeOf, type Question } from './questions/registry.js';
import { traitsOf } from './respondent-profile.js';
import { assignPersonas, sampleProfile } from './sample.js';
import { conditionHolds } from './skip-logic.js';
import { isTerminal, type StudyError, type StudyRecord } from './study.js';
import type { StudyResults } from './study-results.js';
import { runDiscussionSession, type AnswerBase } from './discussion/discussion-session.js';
import { DEFAULT_SESSION_SIZE, membersOf, sessionsOf, type Session } from './discussion/sessions.js';

/** Where study work goes: this process's runner, or a job queue (queue/bullmq-queue.ts). */
export interface StudyQueue {
  /** Runs a study this process has claimed (owner = this instance); a no-op if it already runs. */
  submit(studyId: string): void;
  /** Stops a study now (it was cancelled); its calls in flight are aborted. */
  stop(studyId: string): void;
  /** Stops everything (shutdown); the studies are released for another server to resume. */
  close(): Promise<void>;
}

export interface RunnerSettings {
  /** Respondents in flight per study. */
  perStudy: number;
  /** Respondents in flight per server process, across its studies. */
  perServer: number;
  /** Tries after a transient backend error (429, 5xx, timeouts, connection failures). */
  retries: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Repairs of an invalid reply (errors fed back) before the answer is recorded as failed. */
  repairBudget: number;
  maxOutputTokens: number;
  /** Backend failures in a row, after retries, that fail the study. */
  failStudyAfter: number;
  /**
   * Runs of a respondent (a discussion session) that throws — not a failed answer: a fault
   * such as the database refusing its rows — before its missing answers are recorded as
   * failed and the study goes on (in process; on the queue, its job's attempts).
   */
  attempts: number;
}

export const DEFAULT_RUNNER_SETTINGS: RunnerSettings = {
  perStudy: 8,
  perServer: 32,
  retries: 3,
  retryBaseMs: 500,
  retryMaxMs: 20_000,
  repairBudget: 1,
  maxOutputTokens: 1200,
  failStudyAfter: 20,
  attempts: 3,
};

export interface RunnerDeps {
  store: FocusGroupsStore;
  personas: PersonaStore;
  engines: Engines;
  pricing: PricingTable;
  logger: Logger;
  clock: Clock;
  instanceId: string;
  progress: ProgressHub;
  settings?: Partial<RunnerSettings>;
  elicitors?: Elicitors;
  /** Waits `ms` unless `signal` aborts first (tests pass a fast one). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Precomputes a completed study's results (./study-results.ts), in the background. */
  results?: Pick<StudyResults, 'precompute'>;
  random?: () => number;
}

/**
 * How a queue job's respondents ended: 'done' (each completed, or the study
 * ended meanwhile), 'ended' (the study has ended: nothing to do), 'shutdown'
 * (this process stops: run the job again elsewhere), 'lost' (a respondent's
 * lease was lost before it completed: run the job again later), 'busy' (the
 * study's slots were all taken by other processes for some of them: run the
 * job again shortly).
 */
export type WorkOutcome = 'done' | 'ended' | 'shutdown' | 'lost' | 'busy';

/** What a queue job lends `work`. */
export interface WorkOptions {
  /** Whether this process still holds respondent i's lease (queue/respondent-leases.ts). */
  held?: (index: number) => boolean;
  /**
   * One of the study's slots across processes (queue/study-slots.ts), taken for each
   * respondent (session) before it runs: its release, or null when all are taken.
   */
  slot?: () => Promise<(() => Promise<void>) | null>;
}

export interface StudyRunner extends StudyQueue {
  /**
   * Runs respondents `indexes` of a study for a queue job, in any process:
   * the same respondent code as the in-process run (resume from stored
   * answers, checkpoint and charge per answer). The first job starts the
   * study; the job that completes its last respondent completes it, and one
   * that meets `failStudyAfter` backend failures in a row fails it. `held(i)`
   * says whether this process still holds respondent i's lease: a respondent
   * whose lease is lost stops before its next question. `slot` bounds the
   * study across processes: a respondent that gets none is not run ('busy').
   */
  work(studyId: string, indexes: number[], options?: WorkOptions): Promise<WorkOutcome>;
  /**
   * Gives up on respondents `indexes` of a study (a queue job that failed its last attempt;
   * for a discussion, the sessions that start at them): their missing answers are recorded
   * as failed and they are done, so the study goes on — and is completed here if they were
   * its last. Throws when even that cannot be written (the caller fails the study).
   */
  giveUp(studyId: string, indexes: number[], reason: string): Promise<void>;
  /** Ids of the studies running in this process. */
  running(): string[];
  /** Resolves once no study runs in this process (tests, shutdown). */
  idle(): Promise<void>;
  readonly settings: RunnerSettings;
}

/** Why a study's run was aborted. */
class Stop {
  constructor(readonly why: 'cancelled' | 'shutdown' | 'stopped' | 'failed') {}
}

/** A counting semaphore; acquire resolves to a release function, or null when `signal` aborts first. */
function semaphore(size: number) {
  let free = size;
  const waiting: Array<() => void> = [];
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free += 1;
  };
  return {
    acquire(signal: AbortSignal): Promise<(() => void) | null> {
      if (signal.aborted) return Promise.resolve(null);
      if (free > 0) {
        free -= 1;
        return Promise.resolve(once(release));
      }
      return new Promise((resolve) => {
        const grant = () => {
          signal.removeEventListener('abort', onAbort);
          resolve(once(release));
        };
        const onAbort = () => {
          const i = waiting.indexOf(grant);
          if (i >= 0) waiting.splice(i, 1);
          resolve(null);
        };
        waiting.push(grant);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    },
  };
}

function once(fn: () => void): () => void {
  let done = false;
  return () => {
    if (!done) {
      done = true;
      fn();
    }
  };
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** What a study's run needs, resolved once. */
interface RunContext {
  study: StudyRecord;
  provider: Provider;
  personas: PersonaRecord[];
  personaPrompts: string[];
  assignment: Uint8Array;
  images: string[];
  /** Aborts this study's work. */
  controller: AbortController;
  /** Backend failures in a row (reset by any answer). */
  backendFailures: number;
  failure: StudyError | null;
}

export function createStudyRunner(deps: RunnerDeps): StudyRunner {
  const settings: RunnerSettings = { ...DEFAULT_RUNNER_SETTINGS, ...deps.settings };
  const elicitors = deps.elicitors ?? DEFAULT_ELICITORS;
  const sleep = deps.sleep ?? abortableSleep;
  const random = deps.random ?? Math.random;
  const slots = semaphore(settings.perServer);
  const running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  const crashes = new Map<string, number>();
  /** Queue mode: the studies this process works jobs of, prepared once and shared by their jobs. */
  const shared = new Map<string, { ctx: Promise<RunContext | null>; controller: AbortController; users: number }>();
  let idleWaiters: Array<() => void> = [];
  let closed = false;
  const me = deps.instanceId;
  const now = () => Math.floor(deps.clock.now() / 1000);

  /**
   * Completes a study whose respondents have all completed (once: finish changes nothing the
   * second time), tells its watchers, then computes and stores its results before the run
   * ends — watchers see `completed` first, and the first read of the results finds them.
   */
  async function complete(id: string): Promise<void> {
    const ended = await deps.store.finish(id, 'completed');
    // Started before the watchers are told, so a read they make waits for this computation.
    const precomputed = ended ? deps.results?.precompute(ended) : undefined;
    deps.progress.notify(id);
    await precomputed;
  }

  function settleIdle(): void {
    if (running.size > 0) return;
    const w = idleWaiters;
    idleWaiters = [];
    w.forEach((f) => f());
  }

  async function prepare(study: StudyRecord, controller: AbortController): Promise<RunContext> {
    const def = study.definition;
    const personas: PersonaRecord[] = [];
    for (const a of def.personas) {
      const p = await deps.personas.get(study.workspaceId, a.persona_id, { includeDeleted: true, ...(a.version !== undefined ? { version: a.version } : {}) });
      if (!p) throw new ApiError('persona_not_found', `Persona '${a.persona_id}' no longer exists.`);
      personas.push(p);
    }
    return {
      study,
      provider: selectEngine(deps.engines, study.keyMode),
      personas,
      personaPrompts: personas.map(composePersonaPrompt),
      assignment: assignPersonas(def.personas),
      images: def.stimulus?.images?.length ? await deps.store.images(study.id) : [],
      controller,
      backendFailures: 0,
      failure: null,
    };
  }

  /** The answer of one question, with retries on transient backend errors. */
  async function ask(ctx: RunContext, question: Question, request: ObjectRequest): Promise<{ ok: true; elicited: Elicited } | { ok: false; error: string; backend: boolean; tokens: number; attempts: number }> {
    const signal = ctx.controller.signal;
    const elicit = elicitors[question.elicitation ?? 'direct'] ?? elicitors.direct!;
    for (let attempt = 0; ; attempt++) {
      try {
        const elicited = await elicit({ provider: ctx.provider, question, request, repairBudget: settings.repairBudget, signal });
        return { ok: true, elicited };
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        if (err instanceof GenerateObjectError) return { ok: false, error: err.message, backend: false, tokens: err.usage.inputTokens + err.usage.outputTokens, attempts: err.attempts };
        const transient = !(err instanceof ApiError) || err.retryable || err.status === 429 || err.status >= 500;
        if (!transient || attempt >= settings.retries) {
          return { ok: false, error: err instanceof ApiError ? `${err.code}: ${err.message}` : 'the backend failed', backend: true, tokens: 0, attempts: attempt + 1 };
        }
        const hinted = err instanceof ApiError ? Number(err.headers['retry-after']) * 1000 : NaN;
        const cap = Math.min(settings.retryMaxMs, settings.retryBaseMs * 2 ** attempt);
        await sleep(Number.isFinite(hinted) && hinted > 0 ? Math.min(hinted, settings.retryMaxMs) : Math.floor(random() * cap), signal);
      }
    }
  }

  /**
   * One question asked (retries inside) as the answer row to record: answered with its
   * price (every call of it, the SSR embeddings call included), or failed (free); backend
   * failures in a row are counted towards failing the study.
   */
  async function answerOf(ctx: RunContext, q: Question, request: ObjectRequest, base: AnswerBase): Promise<AnswerToRecord> {
    const r = await ask(ctx, q, request);
    if (r.ok) {
      ctx.backendFailures = 0;
      const u = r.elicited.usage;
      return {
        ...base,
        status: 'answered',
        value: r.elicited.value,
        reasoning: r.elicited.reasoning,
        raw: r.elicited.raw,
        credits: answerCredits(u.inputTokens + u.outputTokens, ctx.images.length > 0, deps.pricing, r.elicited.embeddingTokens),
        input_tokens: u.inputTokens + (r.elicited.embeddingTokens ?? 0),
        output_tokens: u.outputTokens,
        attempts: r.elicited.attempts,
        error: null,
      };
    }
    if (r.backend) ctx.backendFailures += 1;
    else ctx.backendFailures = 0;
    if (ctx.backendFailures >= settings.failStudyAfter && !ctx.failure) {
      ctx.failure = { code: 'backend_failed', message: `The backend failed ${ctx.backendFailures} answers in a row; last: ${r.error.slice(0, 500)}` };
      deps.logger.warn('focus_group.backend_failing', { study_id: ctx.study.id, failures: ctx.backendFailures });
    }
    return { ...base, status: 'failed' satisfies AnswerStatus, value: null, reasoning: null, raw: null, credits: 0, input_tokens: 0, output_tokens: 0, attempts: r.attempts, error: r.error.slice(0, 1000) };
  }

  /** Runs a discussion session (discussion/discussion-session.ts) with this runner's calls, checkpoints and stops. */
  async function runSession(ctx: RunContext, session: Session, held?: (index: number) => boolean): Promise<void> {
    await runDiscussionSession(
      {
        store: deps.store,
        study: ctx.study,
        personas: ctx.personas,
        personaPrompts: ctx.personaPrompts,
        assignment: ctx.assignment,
        images: ctx.images,
        signal: ctx.controller.signal,
        maxOutputTokens: settings.maxOutputTokens,
        now,
        answer: (q, request, base) => answerOf(ctx, q, request, base),
        record: async (answer, personaId) => {
          const outcome = await record(ctx, answer, personaId);
          await yieldToEventLoop();
          return outcome;
        },
        halted: () => ctx.controller.signal.aborted || ctx.failure !== null || (held !== undefined && !held(session.first)),
        notify: () => deps.progress.notify(ctx.study.id),
      },
      session,
    );
  }

  /** Records an answer; 'stopped' (the study ended elsewhere) aborts this study's work. */
  async function record(ctx: RunContext, answer: AnswerToRecord, personaId: string): Promise<RecordOutcome> {
    const s = ctx.study;
    const charge =
      s.keyMode === 'live' && s.holdId
        ? { holdId: s.holdId, workspaceId: s.workspaceId, keyId: s.keyId, personaId, ledgerKey: `${itemId('fga', s.id, answer.respondent_index)}q${answer.question_index}` }
        : null;
    const outcome = await deps.store.recordAnswer(answer, charge);
    if (outcome === 'stopped') ctx.controller.abort(new Stop('stopped'));
    else deps.progress.notify(s.id);
    return outcome;
  }

  async function runRespondent(ctx: RunContext, index: number, held?: (index: number) => boolean): Promise<void> {
    const s = ctx.study;
    const def = s.definition;
    const k = ctx.assignment[index]!;
    const persona = ctx.personas[k]!;
    const respondent = await deps.store.startRespondent(s.id, index, persona.id, sampleProfile(persona, def.seed, index));
    const stored = new Map((await deps.store.answersOf(s.id, index)).map((a) => [a.question_index, a]));
    const system = respondentSystemPrompt(ctx.personaPrompts[k]!, respondent.profile, def);
    const history: ConversationItem[] = [];
    const values = new Map<string, number | boolean | string[]>();
    const total = def.questions.length;
    const remember = (q: Question, value: unknown) => {
      const t = typeOf(q);
      if (t.conditionValue) values.set(q.id, t.conditionValue(q, value as never));
    };
    for (let qi = 0; qi < total; qi++) {
      if (ctx.controller.signal.aborted || (held && !held(index))) return;
      const q = def.questions[qi]!;
      const message = questionItem(q, qi, total, history.length === 0 ? ctx.images : []);
      const base = { study_id: s.id, respondent_index: index, question_index: qi, question_id: q.id, type: q.type, created_at: now() };
      let done = stored.get(qi);
      if (!done) {
        let answer: AnswerToRecord;
        if (q.when && !conditionHolds(q.when, values.get(q.when.question_id))) {
          answer = { ...base, status: 'skipped', value: null, reasoning: null, raw: null, credits: 0, input_tokens: 0, output_tokens: 0, attempts: 0, error: null };
        } else {
          answer = await answerOf(
            ctx,
            q,
            {
              system,
              persona,
              items: [...history, message],
              sampling: { ...(def.temperature !== undefined ? { temperature: def.temperature } : {}), seed: (def.seed + index * 7919 + qi * 104_729) % 2_147_483_647, maxOutputTokens: settings.maxOutputTokens },
              workspace: { id: s.workspaceId, ...(def.workspace_name !== undefined ? { name: def.workspace_name } : {}) },
              respondent: { traits: traitsOf(respondent.profile), ...(def.stimulus?.text ? { context: def.stimulus.text } : {}) },
            },
            base,
          );
        }
        const outcome = await record(ctx, answer, persona.id);
        // An engine that answers without I/O (the sandbox) and the synchronous SQLite driver
        // resolve every await at once: without a turn of the event loop per answer, a study
        // would hold the process until it ends (a /health took 13 s behind a 540-answer study).
        await yieldToEventLoop();
        if (outcome === 'stopped') return;
        if (outcome === 'duplicate') {
          // Recorded meanwhile by another run of this respondent: continue from what is stored.
          done = (await deps.store.answersOf(s.id, index)).find((a) => a.question_index === qi);
          if (!done) return;
        } else done = answer;
      }
      if (done.status === 'answered' && done.raw !== null) {
        history.push(message, answerItem(done.raw));
        remember(q, done.value);
      }
      if (ctx.failure) return;
    }
    if (held && !held(index)) return;
    await deps.store.completeRespondent(s.id, index);
    deps.progress.notify(s.id);
  }

  /** The message of the failed answers of a respondent given up on. */
  const GIVEN_UP = (attempts: number) => `internal_error: the respondent could not be run (${attempts} attempts failed on the server).`;

  /** Records the missing answers of `members` as failed and marks them done (throws if it cannot). */
  async function giveUpMembers(ctx: RunContext, members: number[], reason: string): Promise<void> {
    const s = ctx.study;
    const completed = await deps.store.completedRespondents(s.id);
    for (const i of members) {
      if (completed.has(i)) continue;
      const persona = ctx.personas[ctx.assignment[i]!]!;
      await deps.store.startRespondent(s.id, i, persona.id, sampleProfile(persona, s.definition.seed, i));
      if ((await deps.store.giveUpRespondent(s.id, i, s.definition.questions, reason)) === 'stopped') return;
    }
    deps.logger.warn('focus_group.respondents_given_up', { study_id: s.id, from: members[0], count: members.length });
    deps.progress.notify(s.id);
  }

  /**
   * Runs one unit of a study (a respondent, or a discussion session of `members`): a run
   * that throws (not a failed answer: those are recorded inside) is tried again, up to
   * `attempts` runs, then its respondents are given up on so the study goes on. A stop
   * (cancel, shutdown) is not a failure: it is thrown on.
   */
  async function runUnit(ctx: RunContext, members: number[], run: () => Promise<void>): Promise<void> {
    const signal = ctx.controller.signal;
    for (let attempt = 1; ; attempt++) {
      try {
        await run();
        return;
      } catch (err) {
        if (signal.aborted) throw err;
        deps.logger.error('focus_group.respondent_crashed', { study_id: ctx.study.id, respondent: members[0], attempt, err });
        if (attempt >= settings.attempts) {
          await giveUpMembers(ctx, members, GIVEN_UP(attempt));
          return;
        }
        await sleep(Math.min(settings.retryMaxMs, settings.retryBaseMs * 2 ** (attempt - 1)), signal);
      }
    }
  }

  async function execute(id: string, controller: AbortController): Promise<void> {
    const study = await deps.store.getById(id);
    if (!study || isTerminal(study.status) || study.owner !== me) return;
    if (!(await deps.store.markProcessing(id, me))) return;
    deps.progress.notify(id);
    let ctx: RunContext;
    try {
      ctx = await prepare({ ...study, status: 'processing' }, controller);
    } catch (err) {
      const error = err instanceof ApiError ? { code: err.code, message: err.message } : { code: 'internal_error', message: 'The study could not be started.' };
      deps.logger.error('focus_group.start_failed', { study_id: id, err });
      await deps.store.finish(id, 'failed', error);
      deps.progress.notify(id);
      return;
    }
    const completed = await deps.store.completedRespondents(id);
    const n = study.respondentsTotal;
    let next = 0;
    const signal = controller.signal;
    if (study.mode === 'discussion') {
      // Sessions side by side: perStudy at once, each holding one of the server's slots (its calls are one at a time).
      const sessions = sessionsOf(n, study.definition.session_size ?? DEFAULT_SESSION_SIZE).filter((x) => membersOf(x).some((i) => !completed.has(i)));
      const sessionWorker = async () => {
        while (!signal.aborted && !ctx.failure) {
          const session = sessions[next++];
          if (!session) return;
          const release = await slots.acquire(signal);
          if (!release) return;
          try {
            await runUnit(ctx, membersOf(session), () => runSession(ctx, session));
          } catch (err) {
            if (signal.aborted) return;
            throw err;
          } finally {
            release();
          }
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, Math.min(settings.perStudy, sessions.length)) }, sessionWorker));
      next = n;
    }
    const worker = async () => {
      while (!signal.aborted && !ctx.failure) {
        const index = next++;
        if (index >= n) return;
        if (completed.has(index)) continue;
        const release = await slots.acquire(signal);
        if (!release) return;
        try {
          await runUnit(ctx, [index], () => runRespondent(ctx, index));
        } catch (err) {
          if (signal.aborted) return;
          throw err;
        } finally {
          release();
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(settings.perStudy, n)) }, worker));
    if (signal.aborted) {
      const why = signal.reason instanceof Stop ? signal.reason.why : 'shutdown';
      if (why === 'shutdown') await deps.store.release(id, me);
      deps.progress.notify(id);
      return;
    }
    if (ctx.failure) {
      await deps.store.finish(id, 'failed', ctx.failure);
      deps.progress.notify(id);
    } else await complete(id);
  }

  /** The shared context of a study's queue jobs in this process; null once the study has ended. */
  function sharedContext(id: string) {
    let entry = shared.get(id);
    if (!entry) {
      const controller = new AbortController();
      const ctx = (async (): Promise<RunContext | null> => {
        const study = await deps.store.getById(id);
        if (!study || isTerminal(study.status)) return null;
        if (study.status === 'pending') {
          if (!(await deps.store.markProcessing(id))) return null;
          deps.progress.notify(id);
        }
        try {
          return await prepare({ ...study, status: 'processing' }, controller);
        } catch (err) {
          if (!(err instanceof ApiError)) throw err;
          deps.logger.error('focus_group.start_failed', { study_id: id, err });
          await deps.store.finish(id, 'failed', { code: err.code, message: err.message });
          deps.progress.notify(id);
          return null;
        }
      })();
      entry = { ctx, controller, users: 0 };
      shared.set(id, entry);
    }
    return entry;
  }

  async function work(id: string, indexes: number[], options: WorkOptions = {}): Promise<WorkOutcome> {
    const { held, slot } = options;
    if (closed) return 'shutdown';
    const entry = sharedContext(id);
    entry.users += 1;
    try {
      const ctx = await entry.ctx;
      if (!ctx) return 'ended';
      const signal = ctx.controller.signal;
      const aborted = (): WorkOutcome => (signal.reason instanceof Stop && signal.reason.why === 'shutdown' ? 'shutdown' : 'ended');
      if (signal.aborted) return aborted();
      const discussion = ctx.study.mode === 'discussion';
      // A discussion's job runs the sessions that start at its indexes (a session is one unit of work).
      const sessions = discussion ? sessionsOf(ctx.study.respondentsTotal, ctx.study.definition.session_size ?? DEFAULT_SESSION_SIZE).filter((x) => indexes.includes(x.first)) : [];
      const units = discussion ? sessions.map((x) => () => runSession(ctx, x, held)) : indexes.map((index) => () => runRespondent(ctx, index, held));
      // Each respondent (or session) holds one of the process's `perServer` slots, whatever the jobs'
      // batch size, and then one of the study's slots across processes (taken second: a study slot
      // is never held while waiting here).
      let busy = false;
      const runs = await Promise.allSettled(
        units.map(async (run) => {
          const release = await slots.acquire(signal);
          if (!release) return;
          let free: (() => Promise<void>) | null = null;
          try {
            if (slot) {
              free = await slot();
              if (!free) {
                busy = true;
                return;
              }
            }
            await run();
          } catch (err) {
            if (!signal.aborted) throw err;
          } finally {
            await free?.();
            release();
          }
        }),
      );
      // One that threw fails the job (BullMQ tries it again; after its last attempt, giveUp) once
      // the others have stopped, so none runs on without its lease.
      const thrown = runs.find((r) => r.status === 'rejected');
      if (thrown) throw thrown.reason;
      if (signal.aborted) return aborted();
      if (ctx.failure) {
        await deps.store.finish(id, 'failed', ctx.failure);
        ctx.controller.abort(new Stop('failed'));
        deps.progress.notify(id);
        return 'ended';
      }
      if (held && indexes.some((i) => !held(i))) return 'lost';
      if (busy) return 'busy';
      // Whoever completes the last respondent completes the study (finish is once only).
      const s = await deps.store.getById(id);
      if (s && !isTerminal(s.status) && s.respondentsDone >= s.respondentsTotal) {
        await complete(id);
      }
      return 'done';
    } finally {
      entry.users -= 1;
      if (entry.users === 0 && shared.get(id) === entry) shared.delete(id);
    }
  }

  async function giveUp(id: string, indexes: number[], reason: string): Promise<void> {
    const study = await deps.store.getById(id);
    if (!study || isTerminal(study.status)) return;
    const ctx = await prepare({ ...study, status: 'processing' }, new AbortController());
    const members =
      study.mode === 'discussion'
        ? sessionsOf(study.respondentsTotal, study.definition.session_size ?? DEFAULT_SESSION_SIZE)
            .filter((x) => indexes.includes(x.first))
            .flatMap(membersOf)
        : indexes;
    await giveUpMembers(ctx, members, reason);
    const s = await deps.store.getById(id);
    if (s && !isTerminal(s.status) && s.respondentsDone >= s.respondentsTotal) {
      await complete(id);
    }
  }

  return {
    settings,
    giveUp,

    submit(id) {
      if (closed || running.has(id)) return;
      const controller = new AbortController();
      const done = (async () => {
        await Promise.resolve();
        try {
          await execute(id, controller);
          crashes.delete(id);
        } catch (err) {
          if (controller.signal.aborted) return;
          // An unexpected failure (the database, say): let go of the study so the next
          // heartbeat (of any server) resumes it; after three, fail it.
          const n = (crashes.get(id) ?? 0) + 1;
          crashes.set(id, n);
          deps.logger.error('focus_group.run_crashed', { study_id: id, attempt: n, err });
          if (n >= 3) await deps.store.finish(id, 'failed', { code: 'internal_error', message: 'The study failed on the server.' }).catch(() => undefined);
          else await deps.store.release(id, me).catch(() => undefined);
          deps.progress.notify(id);
        }
      })().finally(() => {
        running.delete(id);
        settleIdle();
      });
      running.set(id, { controller, done });
    },

    work,

    stop(id) {
      running.get(id)?.controller.abort(new Stop('cancelled'));
      shared.get(id)?.controller.abort(new Stop('cancelled'));
    },

    async close() {
      closed = true;
      for (const e of shared.values()) e.controller.abort(new Stop('shutdown'));
      const all = [...running.values()];
      for (const r of all) r.controller.abort(new Stop('shutdown'));
      await Promise.all(all.map((r) => r.done));
    },

    running: () => [...running.keys()],

    idle() {
      if (running.size === 0) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
  };
}
