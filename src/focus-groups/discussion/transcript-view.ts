/**
 * GET /v1/focus-groups/{id}/transcripts: a discussion study's sessions, in
 * order, each with its members and its transcript (every turn: the
 * moderator's questions and probes, the members' answers with their
 * structured answer). Paged by session (`limit`, `after` = a transcript id).
 */
import { z } from 'zod';
import type { StoredTurn } from '../../storage/focus-groups-store.js';
import { itemId } from '../../util/ids.js';
import type { StudyRecord } from '../study.js';
import { respondentId } from '../views.js';
import { membersOf, type Session } from './sessions.js';

export const listTranscriptsQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(20).default(5).meta({ description: 'Sessions per page, 1–20 (default 5).' }),
    after: z.string().optional().meta({ description: 'last_id of the previous page.' }),
  })
  .meta({ id: 'ListTranscriptsQuery' });

export const transcriptId = (studyId: string, session: number) => itemId('fgt', studyId, session);

/** The session a transcript id names in this study, or undefined. */
export function sessionIndexOf(studyId: string, id: string): number | undefined {
  const prefix = transcriptId(studyId, 0).slice(0, -4);
  if (!id.startsWith(prefix) || id.length !== prefix.length + 4 || !/^[0-9a-f]{4}$/.test(id.slice(-4))) return undefined;
  return parseInt(id.slice(-4), 16);
}

export function transcriptView(study: StudyRecord, session: Session, turns: readonly StoredTurn[], names: ReadonlyMap<number, string>, completed: ReadonlySet<number>) {
  const questions = study.definition.questions;
  const members = membersOf(session);
  return {
    id: transcriptId(study.id, session.index),
    object: 'focus_group.transcript' as const,
    session: session.index,
    status: members.every((i) => completed.has(i)) ? ('completed' as const) : turns.length > 0 ? ('in_progress' as const) : ('pending' as const),
    members: members.map((i) => ({ respondent_id: respondentId(study.id, i), name: names.get(i) ?? null })),
    turns: turns.map((t) => ({
      seq: t.seq,
      question_id: questions[t.question_idx]?.id ?? null,
      kind: t.kind,
      speaker: t.respondent_idx === null ? 'moderator' : respondentId(study.id, t.respondent_idx),
      name: t.respondent_idx === null ? 'Moderator' : (names.get(t.respondent_idx) ?? null),
      text: t.text,
      ...(t.value !== null ? { answer: t.value } : {}),
    })),
  };
}
