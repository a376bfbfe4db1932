/**
 * Respondent leases in Redis: a respondent is worked by one process at a
 * time, whatever the job queue does. BullMQ locks a job while a worker runs
 * it, but a worker that stalls past its lock (a long GC, a frozen VM) while
 * the stalled-job check hands the job to another would otherwise go on asking
 * the same questions; and two processes configured with different batch
 * sizes would enqueue overlapping jobs. The answers' checkpoint (unique per
 * slot, charged in the same transaction) already makes a duplicate harmless
 * to the results and the bill; the lease saves the model call.
 *
 * A job takes the leases of its respondents, all or none (`<prefix>fg-lease:
 * <study>:<index>` = its token, PX `leaseMs`), renews them every third of
 * that while it runs, and deletes the ones it still holds when it ends. A
 * lease found taken by another token, or not renewed in time (Redis was
 * unreachable for longer than a lease lasts), is lost: `held(i)` turns false
 * and the respondent stops before its next question; its job runs again later.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface RespondentLease {
  held(index: number): boolean;
  /** Stops renewing and deletes the leases still held. */
  release(): Promise<void>;
}

export interface RespondentLeases {
  /** The leases of `indexes` of a study for one job, or null when another holds one of them. */
  acquire(studyId: string, indexes: number[]): Promise<RespondentLease | null>;
}

// KEYS: the leases; ARGV: token, ms. All or none: 1 when taken (or already ours), 0 when another holds one.
const ACQUIRE = `
for i = 1, #KEYS do
  local v = redis.call('GET', KEYS[i])
  if v and v ~= ARGV[1] then return 0 end
end
for i = 1, #KEYS do redis.call('SET', KEYS[i], ARGV[1], 'PX', ARGV[2]) end
return 1`;

// KEYS: the leases; ARGV: token, ms. For each: 1 renewed, 0 lost.
const RENEW = `
local out = {}
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then
    redis.call('PEXPIRE', KEYS[i], ARGV[2])
    out[i] = 1
  else
    out[i] = 0
  end
end
return out`;

const RELEASE = `
for i = 1, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then redis.call('DEL', KEYS[i]) end
end
return 1`;

export function createRespondentLeases(redis: Redis, options: { prefix: string; leaseMs: number; owner: string; now?: () => number }): RespondentLeases {
  const now = options.now ?? Date.now;
  const key = (studyId: string, index: number) => `${options.prefix}fg-lease:${studyId}:${index}`;
  return {
    async acquire(studyId, indexes) {
      const token = `${options.owner}:${randomBytes(6).toString('hex')}`;
      const keys = indexes.map((i) => key(studyId, i));
      const taken = await redis.eval(ACQUIRE, keys.length, ...keys, token, String(options.leaseMs));
      if (Number(taken) !== 1) return null;
      const lost = new Set<number>();
      let renewedAt = now();
      let released = false;
      const renew = async () => {
        try {
          const r = (await redis.eval(RENEW, keys.length, ...keys, token, String(options.leaseMs))) as number[];
          r.forEach((ok, k) => {
            if (Number(ok) !== 1) lost.add(indexes[k]!);
          });
          renewedAt = now();
        } catch {
          // Redis away for a moment: the lease lasts until renewedAt + leaseMs.
        }
      };
      const timer = setInterval(() => void renew(), Math.max(100, Math.floor(options.leaseMs / 3)));
      timer.unref();
      return {
        held: (index) => !released && !lost.has(index) && now() - renewedAt < options.leaseMs,
        async release() {
          if (released) return;
          released = true;
          clearInterval(timer);
          await redis.eval(RELEASE, keys.length, ...keys, token).catch(() => undefined);
        },
      };
    },
  };
}
