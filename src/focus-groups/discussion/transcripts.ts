/**
 * Reading a discussion study's transcripts from the store, a page of sessions
 * at a time: for GET …/transcripts (one page) and the exports (every session,
 * page after page, so a study of thousands of sessions never sits in memory
 * whole).
 */
import type { FocusGroupsStore } from '../../storage/focus-groups-store.js';
import type { StudyRecord } from '../study.js';
import { DEFAULT_SESSION_SIZE, sessionsOf, type Session } from './sessions.js';
import { transcriptView } from './transcript-view.js';

export type TranscriptView = ReturnType<typeof transcriptView>;

/** Sessions read per page by `allTranscripts`. */
const PAGE_SESSIONS = 10;

/** The study's sessions, in order. */
export const studySessions = (study: StudyRecord): Session[] => sessionsOf(study.respondentsTotal, study.definition.session_size ?? DEFAULT_SESSION_SIZE);

/** The transcripts of `page`, consecutive sessions of the study: two queries (the turns, the members' names). */
export async function readTranscripts(store: FocusGroupsStore, study: StudyRecord, page: readonly Session[]): Promise<TranscriptView[]> {
  if (page.length === 0) return [];
  const first = page[0]!;
  const last = page[page.length - 1]!;
  const turns = await store.turns(study.id, first.index, last.index);
  const people = await store.listRespondents(study.id, { limit: last.first + last.size - first.first, ...(first.first > 0 ? { afterIndex: first.first - 1 } : {}) });
  const names = new Map(people.data.map((r) => [r.index, r.profile.name] as const));
  const completed = new Set(people.data.filter((r) => r.status === 'completed').map((r) => r.index));
  return page.map((x) =>
    transcriptView(
      study,
      x,
      turns.filter((t) => t.session_idx === x.index),
      names,
      completed,
    ),
  );
}

/** Every session's transcript, in order, read `PAGE_SESSIONS` sessions at a time. */
export async function* allTranscripts(store: FocusGroupsStore, study: StudyRecord): AsyncGenerator<TranscriptView> {
  const sessions = studySessions(study);
  for (let from = 0; from < sessions.length; from += PAGE_SESSIONS) {
    for (const t of await readTranscripts(store, study, sessions.slice(from, from + PAGE_SESSIONS))) yield t;
  }
}
