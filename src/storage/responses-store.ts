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

    /**
     * Marks responses that dead owners left queued or in progress as failed
     * (not charged: their holds are released separately). `null` owners are
     * rows from before ownership was recorded.
     */
    async failInterrupted(owners: string[], now: number): Promise<number> {
      const rows = await db
        .selectFrom('responses')
        .select(['id', 'body'])
        .where('status', 'in', ['queued', 'in_progress'])
        .where((eb) => (owners.length ? eb.or([eb('owner', 'in', owners), eb('owner', 'is', null)]) : eb('owner', 'is', null)))
        .execute();
      for (const row of rows) {
        const body = JSON.parse(row.body) as Record<string, unknown>;
        body.status = 'failed';
        body.error = { code: 'internal_error', type: 'server_error', message: 'The server stopped while this response was in progress; it was not charged.' };
        body.usage ??= { input_tokens: 0, input_tokens_details: { cached_tokens: 0 }, output_tokens: 0, output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 0, credits_used: 0 };
        await db.updateTable('responses').set({ status: 'failed', updated_at: now, owner: null, body: JSON.stringify(body) }).where('id', '=', row.id).execute();
      }
      return rows.length;
    },
  };
}

export type ResponsesStore = ReturnType<typeof createResponsesStore>;
