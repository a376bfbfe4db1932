/**
 * What test-key focus groups used, for the usage report (credits-store `usage`): their
 * answered slots, one "request" each, like a live study's debits in the ledger (operation
 * `focus_group`). Test studies spend no credits, so the ledger never sees them; the answers
 * table has what the report needs. Aggregated by the database per day, key and persona, so
 * a study of 200,000 answers is a few rows here. Read-only over the focus-group tables.
 */
import { sql } from 'kysely';
import type { Executor } from './db.js';

export interface TestStudyUsageRow {
  /** The first second of the day (UTC). */
  created_at: number;
  key_id: string | null;
  persona_id: string | null;
  operation: 'focus_group';
  requests: number;
  input_tokens: number;
  output_tokens: number;
}

export async function testStudyUsage(db: Executor, workspaceId: string, from: number, to: number): Promise<TestStudyUsageRow[]> {
  const day = sql<number>`a.created_at / 86400`;
  const rows = await db
    .selectFrom('focus_group_answers as a')
    .innerJoin('focus_groups as f', 'f.id', 'a.study_id')
    .innerJoin('focus_group_respondents as r', (j) => j.onRef('r.study_id', '=', 'a.study_id').onRef('r.idx', '=', 'a.respondent_idx'))
    .select((eb) => [
      day.as('day'),
      'f.key_id',
      'r.persona_id',
      eb.fn.countAll<number>().as('requests'),
      eb.fn.sum<number>('a.input_tokens').as('input_tokens'),
      eb.fn.sum<number>('a.output_tokens').as('output_tokens'),
    ])
    .where('f.workspace_id', '=', workspaceId)
    .where('f.key_mode', '=', 'test')
    .where('a.status', '=', 'answered')
    .where('a.created_at', '>=', from)
    .where('a.created_at', '<', to)
    .groupBy([day, 'f.key_id', 'r.persona_id'])
    .execute();
  return rows.map((r) => ({
    created_at: Number(r.day) * 86400,
    key_id: r.key_id,
    persona_id: r.persona_id,
    operation: 'focus_group',
    requests: Number(r.requests),
    input_tokens: Number(r.input_tokens ?? 0),
    output_tokens: Number(r.output_tokens ?? 0),
  }));
}
