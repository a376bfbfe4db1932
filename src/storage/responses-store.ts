/**
 * Stored responses: the Response body, the conversation context it ran on
 * (for previous_response_id), its own input items (for input_items) and, for
 * background responses, the SSE events (for replay).
 */
import type { Db } from './db.js';
import type { ResponsesTable } from './schema.js';

export type StoredResponse = ResponsesTable;

export function createResponsesStore(db: Db) {
  return {
    async insert(row: StoredResponse): Promise<void> {
      await db.insertInto('responses').values(row).execute();
    },

    /** Inserts or replaces the whole row (foreground responses are written once, at the end). */
    async upsert(row: StoredResponse): Promise<void> {
      const { id: _id, ...rest } = row;
      await db
        .insertInto('responses')
        .values(row)
        .onConflict((oc) => oc.column('id').doUpdateSet(rest))
        .execute();
    },

    async update(id: string, patch: Partial<Omit<StoredResponse, 'id' | 'workspace_id'>>): Promise<void> {
      await db.updateTable('responses').set(patch).where('id', '=', id).execute();
    },

    async get(workspaceId: string, id: string): Promise<StoredResponse | undefined> {
      return db.selectFrom('responses').selectAll().where('id', '=', id).where('workspace_id', '=', workspaceId).executeTakeFirst();
    },

    async delete(workspaceId: string, id: string): Promise<boolean> {
      const r = await db.deleteFrom('responses').where('id', '=', id).where('workspace_id', '=', workspaceId).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    /** Marks responses left queued or in progress by a previous process as failed. */
    async failInterrupted(now: number): Promise<number> {
      const rows = await db.selectFrom('responses').select(['id', 'body']).where('status', 'in', ['queued', 'in_progress']).execute();
      for (const row of rows) {
        const body = JSON.parse(row.body) as Record<string, unknown>;
        body.status = 'failed';
        body.error = { code: 'internal_error', type: 'server_error', message: 'The server restarted while this response was in progress.' };
        await db.updateTable('responses').set({ status: 'failed', updated_at: now, body: JSON.stringify(body) }).where('id', '=', row.id).execute();
      }
      return rows.length;
    },
  };
}

export type ResponsesStore = ReturnType<typeof createResponsesStore>;
