/**
 * Server processes sharing a database. Each registers under a stable name
 * (host:port) and heartbeats; what a dead process left in flight (responses,
 * credit holds) is recovered by the next process that notices: at start for
 * its own predecessors, and on every heartbeat for any process silent longer
 * than the grace period.
 */
import type { Db } from './db.js';

export const HEARTBEAT_MS = 10_000;
export const DEAD_AFTER_MS = 30_000;

export function createInstancesStore(db: Db) {
  return {
    async register(id: string, name: string, nowSec: number): Promise<void> {
      await db.insertInto('instances').values({ id, name, started_at: nowSec, last_seen: nowSec }).execute();
    },

    async heartbeat(id: string, nowSec: number): Promise<void> {
      await db.updateTable('instances').set({ last_seen: nowSec }).where('id', '=', id).execute();
    },

    /** Instances that are gone: earlier incarnations of `name`, and any silent past the grace period. Removes them. */
    async reapDead(selfId: string, name: string, nowSec: number): Promise<string[]> {
      const cutoff = nowSec - DEAD_AFTER_MS / 1000;
      const dead = await db
        .selectFrom('instances')
        .select('id')
        .where('id', '!=', selfId)
        .where((eb) => eb.or([eb('name', '=', name), eb('last_seen', '<', cutoff)]))
        .execute();
      const ids = dead.map((d) => d.id);
      if (ids.length) await db.deleteFrom('instances').where('id', 'in', ids).execute();
      return ids;
    },

    async remove(id: string): Promise<void> {
      await db.deleteFrom('instances').where('id', '=', id).execute();
    },
  };
}

export type InstancesStore = ReturnType<typeof createInstancesStore>;
