/**
 * Discussion-mode transcripts (src/focus-groups/discussion/): one row per turn of a
 * moderated session — the moderator's question or probe, a respondent's answer —
 * in order (`seq`) within its session. A session resumes from its stored turns.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely';

export const focusGroupTurnsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('focus_group_turns')
      .addColumn('study_id', 'text', (c) => c.notNull())
      .addColumn('session_idx', 'integer', (c) => c.notNull())
      .addColumn('seq', 'integer', (c) => c.notNull())
      .addColumn('question_idx', 'integer', (c) => c.notNull())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('respondent_idx', 'integer')
      .addColumn('text', 'text', (c) => c.notNull())
      .addColumn('value', 'text')
      .addColumn('raw', 'text')
      .addColumn('credits', 'integer', (c) => c.notNull())
      .addColumn('input_tokens', 'integer', (c) => c.notNull())
      .addColumn('output_tokens', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('focus_group_turns_pk', ['study_id', 'session_idx', 'seq'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('focus_group_turns').execute();
  },
};
