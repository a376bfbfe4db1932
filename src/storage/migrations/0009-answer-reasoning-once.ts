/**
 * An answer's reasoning is stored once, in its own column, and no longer also inside
 * `value` (the Answer as the model gave it). The results read only `value`, and the
 * reasoning was two thirds of its bytes (10,000 × 20 answers: the read and the parse of
 * that text were a third of `GET …/results`). The store puts the reasoning back into the
 * value it returns (storage/answer-columns.ts), so what the API shows is unchanged.
 *
 * Existing rows: the `reasoning` key is removed from `value` where it equals the column
 * (the runner always wrote them equal). `down` puts it back.
 */
import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely';
import { PostgresAdapter } from 'kysely';

const isPostgres = (db: Kysely<unknown>) => db.getExecutor().adapter instanceof PostgresAdapter;

export const answerReasoningOnceMigration: Migration = {
  async up(db: Kysely<unknown>) {
    if (isPostgres(db)) {
      await sql`UPDATE focus_group_answers SET value = (value::jsonb - 'reasoning')::text
        WHERE value IS NOT NULL AND reasoning IS NOT NULL AND reasoning <> '' AND value::jsonb ->> 'reasoning' = reasoning`.execute(db);
    } else {
      await sql`UPDATE focus_group_answers SET value = json_remove(value, '$.reasoning')
        WHERE value IS NOT NULL AND reasoning IS NOT NULL AND reasoning <> '' AND json_extract(value, '$.reasoning') = reasoning`.execute(db);
    }
  },
  async down(db: Kysely<unknown>) {
    if (isPostgres(db)) {
      await sql`UPDATE focus_group_answers SET value = jsonb_set(value::jsonb, '{reasoning}', to_jsonb(reasoning))::text
        WHERE value IS NOT NULL AND reasoning IS NOT NULL AND reasoning <> '' AND NOT (value::jsonb ? 'reasoning')`.execute(db);
    } else {
      await sql`UPDATE focus_group_answers SET value = json_set(value, '$.reasoning', reasoning)
        WHERE value IS NOT NULL AND reasoning IS NOT NULL AND reasoning <> '' AND json_type(value, '$.reasoning') IS NULL`.execute(db);
    }
  },
};
