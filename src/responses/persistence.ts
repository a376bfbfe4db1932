/**
 * Persistence of responses: the stored row of a response, and the end of a
 * run — the row, the debit of what it cost (live keys) or its test usage
 * (test keys) in one unit of work, and its metrics. Also crash recovery of
 * what dead processes left in flight.
 */
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { CreditsStore } from '../storage/credits-store.js';
import type { ResponsesStore, StoredResponse } from '../storage/responses-store.js';
import type { Clock } from '../util/ids.js';
import type { Job, Plan } from './admission.js';
import type { ResponseRun } from './run.js';
import { sseFrame } from './sse.js';
import type { ResponseObject } from './types.js';

export interface PersistenceDeps {
  responses: ResponsesStore;
  credits: CreditsStore;
  clock: Clock;
  logger: Logger;
  /** This process, recorded as the owner of responses in flight (crash recovery). */
  instanceId: string;
  metrics?: Metrics;
}

export function createPersistence(deps: PersistenceDeps) {
  const seconds = () => Math.floor(deps.clock.now() / 1000);

  /** The stored row of `response` (the plan's before its run, the run's after). */
  function row(plan: Pick<Plan, 'caller' | 'context' | 'inputItems'>, r: Readonly<ResponseObject>, engine: string, run: ResponseRun | undefined): StoredResponse {
    return {
      id: r.id,
      workspace_id: plan.caller.workspaceId,
      key_id: plan.caller.keyId,
      status: r.status,
      background: r.background ? 1 : 0,
      persona_id: r.persona_id,
      engine,
      created_at: r.created_at,
      updated_at: seconds(),
      body: JSON.stringify(r),
      context: JSON.stringify(plan.context),
      input_items: JSON.stringify(plan.inputItems),
      request: null,
      events: run && r.background && run.finished ? JSON.stringify(run.events.map(sseFrame)) : null,
      owner: run?.finished ? null : deps.instanceId,
    };
  }

  function record(job: Job, r: ResponseObject, engine: string): void {
    const m = deps.metrics;
    if (!m) return;
    m.responses.inc({ engine, status: r.status });
    m.tokens.inc({ engine, direction: 'input' }, r.usage?.input_tokens ?? 0);
    m.tokens.inc({ engine, direction: 'output' }, r.usage?.output_tokens ?? 0);
    m.credits.inc({ engine, mode: job.caller.mode }, r.usage?.credits_used ?? 0);
    if (r.status === 'failed') m.upstreamErrors.inc({ engine, code: r.error?.code ?? 'unknown' });
  }

  return {
    row,

    /** Stores the finished response and, for live keys, debits what it cost (test keys: counts it as test usage) — one transaction. */
    async persist(job: Job, run: ResponseRun): Promise<void> {
      const { caller } = job;
      const r = run.response;
      // The backend that really served (after a fallback, not the route's first one).
      const engine = run.engine ?? job.engine;
      // A run that failed by the server's fault (not the client's, not the backend's answer) is logged with its cause.
      if (run.failure?.code === 'internal_error' && run.failure.cause !== undefined) deps.logger.error('response.run_failed', { response_id: r.id, engine, err: run.failure.cause });
      record(job, r, engine);
      const final = r.store ? row(job, r, engine, run) : undefined;
      try {
        if (job.hold) {
          await deps.credits.settle({
            hold: job.hold,
            credits: r.usage?.credits_used ?? 0,
            operation: 'responses',
            keyId: caller.keyId,
            personaId: r.persona_id,
            inputTokens: r.usage?.input_tokens ?? 0,
            outputTokens: r.usage?.output_tokens ?? 0,
            ...(final ? { response: final, responseIsNew: !job.storedEarly } : {}),
          });
        } else if ((r.usage?.credits_used ?? 0) > 0) {
          // A test key: what a live key would have been debited for is counted as test traffic, at no cost.
          await deps.credits.recordTest({
            workspaceId: caller.workspaceId,
            operation: 'responses',
            responseId: r.id,
            keyId: caller.keyId,
            personaId: r.persona_id,
            inputTokens: r.usage?.input_tokens ?? 0,
            outputTokens: r.usage?.output_tokens ?? 0,
            ...(final ? { response: final, responseIsNew: !job.storedEarly } : {}),
          });
        } else if (final) await (job.storedEarly ? deps.responses.upsert(final) : deps.responses.insert(final));
      } catch (err) {
        deps.logger.error('response.persist_failed', { response_id: r.id, err });
        throw err;
      }
    },

    /**
     * Recovers what dead server processes left in flight: their responses are
     * marked failed and their credit holds released (they are not charged).
     */
    async recover(deadOwners: string[]): Promise<{ responses: number; holds: number }> {
      const responses = await deps.responses.failInterrupted(deadOwners, seconds());
      const holds = await deps.credits.releaseHoldsOf(deadOwners);
      return { responses, holds };
    },
  };
}

export type Persistence = ReturnType<typeof createPersistence>;
