/**
 * GET /v1/focus-groups/{id}/export?format=csv&part=transcripts: a discussion
 * study's transcripts as one CSV row per turn — session, order, question,
 * kind (question, answer, probe, probe_answer), who spoke (the moderator or a
 * respondent, by id and name), what they said, and a member's structured
 * answer without its reasoning (the text already says it) — streamed a page
 * of sessions at a time.
 */
import type { FocusGroupsStore } from '../../storage/focus-groups-store.js';
import { csvCell } from '../answers-csv.js';
import type { StudyRecord } from '../study.js';
import { allTranscripts } from './transcripts.js';

export const TRANSCRIPTS_CSV_HEADER = 'session,seq,question_id,kind,speaker_id,speaker_name,text,answer';

export function transcriptsCsv(store: FocusGroupsStore, study: StudyRecord): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const it = allTranscripts(store, study);
  let header = true;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (header) {
        header = false;
        controller.enqueue(encoder.encode(`${TRANSCRIPTS_CSV_HEADER}\r\n`));
        return;
      }
      // A pull that enqueues nothing is not called again: read on past sessions with no turn yet.
      for (;;) {
        const r = await it.next();
        if (r.done) return controller.close();
        const t = r.value;
        if (t.turns.length === 0) continue;
        const lines = t.turns.map((turn) => {
          let answer: unknown = null;
          if (turn.answer && typeof turn.answer === 'object') {
            const { reasoning: _r, ...rest } = turn.answer as Record<string, unknown>;
            answer = rest;
          }
          return [t.session, turn.seq, turn.question_id, turn.kind, turn.speaker, turn.name, turn.text, answer].map(csvCell).join(',');
        });
        controller.enqueue(encoder.encode(`${lines.join('\r\n')}\r\n`));
        return;
      }
    },
    async cancel() {
      await it.return(undefined);
    },
  });
}
