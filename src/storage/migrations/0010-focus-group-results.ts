/**
 * Stored results documents of studies that have ended (src/focus-groups/study-results.ts):
 * computed once — when the study completes, or at the first read — and then read by any
 * server instead of recomputed.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely';

export const focusGroupResultsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('focus_group_results')
      .addColumn('study_id', 'text', (c) => c.notNull())
      .addColumn('variant', 'text', (c) => c.notNull())
      .addColumn('document', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('focus_group_results_pk', ['study_id', 'variant'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('focus_group_results').execute();
  },
};
