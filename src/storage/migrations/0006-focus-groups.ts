/**
 * Focus groups (issue 12): studies, their sampled respondents, and one row
 * per answer slot (respondent × question) — the runner's checkpoint, unique
 * so an answer is never stored (nor charged) twice.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely';

export const focusGroupsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('focus_groups')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('workspace_id', 'text', (c) => c.notNull())
      .addColumn('key_id', 'text')
      .addColumn('key_mode', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('mode', 'text', (c) => c.notNull())
      .addColumn('definition', 'text', (c) => c.notNull())
      .addColumn('stimulus_images', 'text')
      .addColumn('metadata', 'text', (c) => c.notNull())
      .addColumn('respondents_total', 'integer', (c) => c.notNull())
      .addColumn('questions_total', 'integer', (c) => c.notNull())
      .addColumn('respondents_done', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('answers_done', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('answers_failed', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('answers_skipped', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('credits_estimated', 'bigint', (c) => c.notNull())
      .addColumn('credits_max', 'bigint', (c) => c.notNull())
      .addColumn('credits_used', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('hold_id', 'text')
      .addColumn('owner', 'text')
      .addColumn('idempotency_key', 'text')
      .addColumn('request_hash', 'text')
      .addColumn('error', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('started_at', 'bigint')
      .addColumn('completed_at', 'bigint')
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('focus_groups_workspace_created').on('focus_groups').columns(['workspace_id', 'created_at', 'id']).execute();
    await db.schema.createIndex('focus_groups_idempotency').on('focus_groups').columns(['workspace_id', 'idempotency_key']).unique().execute();
    await db.schema.createIndex('focus_groups_status_owner').on('focus_groups').columns(['status', 'owner']).execute();
    await db.schema
      .createTable('focus_group_respondents')
      .addColumn('study_id', 'text', (c) => c.notNull())
      .addColumn('idx', 'integer', (c) => c.notNull())
      .addColumn('persona_id', 'text', (c) => c.notNull())
      .addColumn('profile', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('completed_at', 'bigint')
      .addPrimaryKeyConstraint('focus_group_respondents_pk', ['study_id', 'idx'])
      .execute();
    await db.schema
      .createTable('focus_group_answers')
      .addColumn('study_id', 'text', (c) => c.notNull())
      .addColumn('respondent_idx', 'integer', (c) => c.notNull())
      .addColumn('question_idx', 'integer', (c) => c.notNull())
      .addColumn('question_id', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('value', 'text')
      .addColumn('reasoning', 'text')
      .addColumn('raw', 'text')
      .addColumn('credits', 'integer', (c) => c.notNull())
      .addColumn('input_tokens', 'integer', (c) => c.notNull())
      .addColumn('output_tokens', 'integer', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('error', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('focus_group_answers_pk', ['study_id', 'respondent_idx', 'question_idx'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('focus_group_answers').execute();
    await db.schema.dropTable('focus_group_respondents').execute();
    await db.schema.dropTable('focus_groups').execute();
  },
};
