/**
 * GET /v1/focus-groups/{id}/export?format=csv: every answer slot as one CSV row
 * (respondent, persona, question, status, the answer without its reasoning,
 * the reasoning, credits), streamed from the store in pages.
 */
import type { FocusGroupsStore } from '../storage/focus-groups-store.js';
import type { StudyRecord } from './study.js';

/**
 * One CSV cell (RFC 4180): JSON for non-strings, quoted when it holds a comma, quote or
 * line break. A text that a spreadsheet would run as a formula (it starts with =, +, -, @,
 * a tab or a carriage return: model output and persona text are a stranger's words) gets a
 * leading apostrophe, as OWASP's CSV-injection advice says; numbers are left as they are.
 */
export const csvCell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : typeof v === 'string' ? (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v) : JSON.stringify(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Every answer as one CSV row, streamed in pages. */
export function answersCsv(store: FocusGroupsStore, study: StudyRecord, respondentId: (index: number) => string): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const it = store.answers(study.id);
  let header = true;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (header) {
        header = false;
        controller.enqueue(encoder.encode('respondent_id,respondent_index,persona_id,question_id,type,status,answer,reasoning,credits\r\n'));
        return;
      }
      const lines: string[] = [];
      for (let i = 0; i < 500; i++) {
        const r = await it.next();
        if (r.done) break;
        const a = r.value;
        const { reasoning: _r, ...answer } = (a.value ?? {}) as Record<string, unknown>;
        lines.push([respondentId(a.respondent_index), a.respondent_index, a.persona_id, a.question_id, a.type, a.status, a.value ? answer : null, a.reasoning, a.credits].map(csvCell).join(','));
      }
      if (lines.length) controller.enqueue(encoder.encode(`${lines.join('\r\n')}\r\n`));
      if (lines.length < 500) controller.close();
    },
    async cancel() {
      await it.return(undefined);
    },
  });
}
