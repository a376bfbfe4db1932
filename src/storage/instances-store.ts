/**
 * Server processes sharing a database. Each registers under a stable name
 * (host:port:data dir, plus #index for a --workers worker) with its heartbeat
 * interval, and heartbeats; what a dead process left in flight (responses,
 * credit holds, Redis concurrency leases) is recovered by the next process
 * that notices: at start for its own predecessors, and on every heartbeat for
 * any process silent for DEAD_AFTER_BEATS of its own heartbeats.
 */
import { sql } from 'kysely';
import type { Db } from './db.js';

/** The default heartbeat interval (COHORT_HEARTBEAT_MS). */
export const HEARTBEAT_MS = 10_000;
/** A process silent for this many of its heartbeats is dead. */
export const DEAD_AFTER_BEATS = 3;
/** With the default heartbeat: 30 s. */
export const DEAD_AFTER_MS = DEAD_AFTER_BEATS * HEARTBEAT_MS;

/** The server a process belongs to: its name without a worker's `#index` (the workers of one server share their limits). */
export const serverOf = (name: string): string => name.replace(/#\d+$/, '');

export function createInstancesStore(db: Db) {
  /** `last_seen` (whole seconds) older than this is a lapsed heartbeat, by each row's own interval. */
  const cutoff = (nowSec: number) => sql<number>`${nowSec} - ${DEAD_AFTER_BEATS} * coalesce(heartbeat_ms, ${HEARTBEAT_MS}) / 1000.0`;
  return {
    async register(id: string, name: string, nowSec: number, heartbeatMs = HEARTBEAT_MS): Promise<void> {
      await db.insertInto('instances').values({ id, name, started_at: nowSec, last_seen: nowSec, heartbeat_ms: heartbeatMs }).execute();
    },

    async heartbeat(id: string, nowSec: number): Promise<void> {
      await db.updateTable('instances').set({ last_seen: nowSec }).where('id', '=', id).execute();
    },

    /** Instances that are gone: earlier incarnations of `name`, and any whose heartbeat lapsed. Removes them. */
    async reapDead(selfId: string, name: string, nowSec: number): Promise<string[]> {
      const dead = await db
        .selectFrom('instances')
        .select('id')
        .where('id', '!=', selfId)
        .where((eb) => eb.or([eb('name', '=', name), eb('last_seen', '<', cutoff(nowSec))]))
        .execute();
      const ids = dead.map((d) => d.id);
      if (ids.length) await db.deleteFrom('instances').where('id', 'in', ids).execute();
      return ids;
    },

    /** Names of the other live instances (heartbeat not lapsed). */
    async liveOthers(selfId: string, nowSec: number): Promise<string[]> {
      const rows = await db.selectFrom('instances').select('name').where('id', '!=', selfId).where('last_seen', '>=', cutoff(nowSec)).execute();
      return rows.map((r) => r.name);
    },

    async remove(id: string): Promise<void> {
      await db.deleteFrom('instances').where('id', '=', id).execute();
    },
  };
}

export type InstancesStore = ReturnType<typeof createInstancesStore>;
