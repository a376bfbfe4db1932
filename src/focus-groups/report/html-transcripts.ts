/**
 * The discussion transcripts of the HTML report: one collapsible `<details>`
 * per session (no script: the browser opens and closes it), its members in
 * the summary, each turn as who spoke, on which question, and what they said
 * — every text escaped. A report carries whole sessions up to
 * `REPORT_TRANSCRIPT_TURNS` turns in all, so a study of thousands of sessions
 * still makes a file one can mail; it then says how many sessions it left out
 * and where every one is (the JSON export, the CSV with part=transcripts).
 */
import type { TranscriptView } from '../discussion/transcripts.js';
import { escapeHtml as esc } from './escape.js';

/** Turns of transcript a report carries at most (whole sessions, in order). */
export const REPORT_TRANSCRIPT_TURNS = 20_000;

export interface ReportTranscripts {
  /** The sessions shown, in order. */
  sessions: TranscriptView[];
  /** All the study's sessions. */
  total: number;
  /** The turn budget the sessions were read under. */
  budget: number;
}

/** Whole sessions, in order, while their turns stay within `budget` (a `for await` that breaks closes the reader). */
export async function reportTranscripts(transcripts: AsyncIterable<TranscriptView>, total: number, budget = REPORT_TRANSCRIPT_TURNS): Promise<ReportTranscripts> {
  const sessions: TranscriptView[] = [];
  let turns = 0;
  for await (const t of transcripts) {
    if (turns + t.turns.length > budget) break;
    turns += t.turns.length;
    sessions.push(t);
  }
  return { sessions, total, budget };
}

export const TRANSCRIPT_CSS = `
details.session{border:1px solid #dde2ea;border-radius:4px;margin:6px 0;padding:4px 10px}details.session summary{cursor:pointer;font-weight:600}
details.session .members{font-weight:400}.turn{margin:6px 0 6px 0}.turn .who{font-weight:600}.turn.moderator{color:#3b4a66}.turn.moderator .who{color:#3b6fb6}
.turn p{margin:2px 0 0 0;white-space:pre-wrap}
`;

const KIND: Record<string, string> = { question: 'asks', answer: 'answers', probe: 'probes', probe_answer: 'answers again' };

function session(t: TranscriptView, questionNumber: ReadonlyMap<string, number>): string {
  const members = t.members.map((m) => esc(m.name ?? m.respondent_id)).join(', ');
  const turns = t.turns
    .map((turn) => {
      const q = turn.question_id === null ? '' : `Q${questionNumber.get(turn.question_id) ?? '?'} · `;
      const cls = turn.speaker === 'moderator' ? 'turn moderator' : 'turn';
      return `<div class="${cls}"><span class="who">${esc(turn.name ?? turn.speaker)}</span> <span class="muted small">${esc(q)}${esc(KIND[turn.kind] ?? turn.kind)}</span><p>${esc(turn.text)}</p></div>`;
    })
    .join('');
  const state = t.status === 'completed' ? '' : ` · ${esc(t.status.replace(/_/g, ' '))}`;
  return `<details class="session" id="session-${t.session + 1}"><summary>Session ${t.session + 1} <span class="members muted small">· ${t.members.length} respondents: ${members} · ${t.turns.length} turns${state}</span></summary>${turns || '<p class="muted small">No turn yet.</p>'}</details>`;
}

/** The transcripts section; `questionIds` in guide order (for the Q numbers). */
export function transcriptsSection(transcripts: ReportTranscripts, questionIds: readonly string[]): string {
  const numbers = new Map(questionIds.map((id, i) => [id, i + 1] as const));
  const left = transcripts.total - transcripts.sessions.length;
  const note =
    left > 0
      ? ` This report shows the first ${transcripts.sessions.length} sessions (up to ${transcripts.budget.toLocaleString('en-US')} turns in all); ${left} more are in the JSON export and in the CSV export with part=transcripts.`
      : '';
  return `<h2 id="transcripts">Discussion transcripts</h2><p class="muted small">${transcripts.total} moderated sessions. The moderator's lines are templates; each respondent answered in turn, seeing the discussion so far. Open a session to read it.${note}</p>${transcripts.sessions.map((t) => session(t, numbers)).join('\n')}`;
}
