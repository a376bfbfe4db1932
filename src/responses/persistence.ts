/**
 * Persistence of responses: the stored response, and the end of a run — the
 * response, the debit of what it cost (live keys) or its test usage (test
 * keys) in one unit of work across the responses and credits stores, and its
 * metrics. Also crash recovery of what dead processes left in flight.
 */
import type { Transaction } from 'kysely';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { CreditsStore } from '../storage/credits-store.js';
import type { Database } from '../storage/schema.js';
import type { ResponsesStore, StoredResponse } from '../storage/responses-store.js';
import type { UnitOfWork } from '../storage/unit-of-work.js';
import type { Clock } from '../util/ids.js';
import type { Job, Plan } from './admission.js';
import type { ResponseRun } from './run.js';
import { sseFrame } from './sse.js';
import type { ResponseObject } from './types.js';

export interface PersistenceDeps {
  responses: ResponsesStore;
  credits: CreditsStore;
  /** One transaction across stores (storage/unit-of-work.ts). */
  unitOfWork: UnitOfWork;
  clock: Clock;
  logger: Logger;
  /** This process, recorded as the owner of responses in flight (crash recovery). */
  instanceId: string;
  metrics?: Metrics;
}

export function createPersistence(deps: PersistenceDeps) {
  const seconds = () => Math.floor(deps.clock.now() / 1000);

  /** The stored response of `response` (the plan's before its run, the run's after). */
  function row(plan: Pick<Plan, 'caller' | 'context' | 'inputItems'>, r: Readonly<ResponseObject>, engine: string, run: ResponseRun | undefined): StoredResponse {
    return {
      id: r.id,
      workspaceId: plan.caller.workspaceId,
      keyId: plan.caller.keyId,
      status: r.status,
      background: r.background,
      personaId: r.persona_id,
      engine,
      createdAt: r.created_at,
      updatedAt: seconds(),
      body: r,
      context: plan.context,
      inputItems: plan.inputItems,
      events: run && r.background && run.finished ? run.events.map(sseFrame) : null,
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
      // The response's row: replaces the one written at admission, else is new.
      const store = (trx?: Transaction<Database>) => (final ? (job.storedEarly ? deps.responses.upsert(final, trx) : deps.responses.insert(final, trx)) : undefined);
      try {
        if (job.hold) {
          const hold = job.hold;
          await deps.unitOfWork(async (trx) => {
            await deps.credits.settle(
              {
                hold,
                credits: r.usage?.credits_used ?? 0,
                operation: 'responses',
                keyId: caller.keyId,
                personaId: r.persona_id,
                inputTokens: r.usage?.input_tokens ?? 0,
                outputTokens: r.usage?.output_tokens ?? 0,
              },
              trx,
            );
            await store(trx);
          });
        } else if ((r.usage?.credits_used ?? 0) > 0) {
          // A test key: what a live key would have been debited for is counted as test traffic, at no cost.
          await deps.unitOfWork(async (trx) => {
            await deps.credits.recordTest(
              {
                workspaceId: caller.workspaceId,
                operation: 'responses',
                responseId: r.id,
                keyId: caller.keyId,
                personaId: r.persona_id,
                inputTokens: r.usage?.input_tokens ?? 0,
                outputTokens: r.usage?.output_tokens ?? 0,
              },
              trx,
            );
            await store(trx);
          });
        } else await store();
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
