/**
 * A completed respondent's answer slots in one JSON text on its row (`answers`:
 * `[[question, "status", value], …]`, the value without reasoning), written when the
 * respondent completes — its slots are final then: each is stored once, and a completed
 * respondent has them all. The results read 10,000 such rows instead of concatenating
 * 200,000 answer rows per read. Respondents of earlier versions have none (null); the
 * results read their answer rows as before.
 */
import type { Kysely } from 'kysely';
import type { Migration } from 'kysely';

export const respondentAnswersMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema.alterTable('focus_group_respondents').addColumn('answers', 'text').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.alterTable('focus_group_respondents').dropColumn('answers').execute();
  },
};
