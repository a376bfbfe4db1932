/**
 * GET /v1/focus-groups/{id}/results — the minimal aggregates: per question,
 * how many answered, skipped and failed, the distribution over the type's
 * categories (QuestionTypeDef.categories / tally) and, for scale questions,
 * the mean. Computed in one pass over the stored answers, read in pages, so
 * memory stays flat whatever the study's size. The full statistics
 * (src/focus-groups/stats/: CIs, NPS, segments, themes, weighting) build on
 * the same pass.
 */
import type { FocusGroupsStore } from '../storage/focus-groups-store.js';
import { typeOf, type Question } from './questions/registry.js';
import type { StudyRecord } from './study.js';

export interface QuestionResult {
  question_id: string;
  type: Question['type'];
  text: string;
  /** Answered. */
  n: number;
  skipped: number;
  failed: number;
  /** Category → answers in it (a multi-select answer counts in each category it chose). */
  distribution: Record<string, number>;
  /** Scale questions: the mean of the answers. */
  mean?: number | null;
}

export async function computeResults(store: FocusGroupsStore, study: StudyRecord) {
  const questions = study.definition.questions;
  const acc = questions.map((q) => ({
    q,
    n: 0,
    skipped: 0,
    failed: 0,
    distribution: Object.fromEntries(typeOf(q).categories(q).map((c) => [c, 0])) as Record<string, number>,
    sum: 0,
    scale: typeOf(q).scale !== undefined && q.type !== 'matrix',
  }));
  for await (const a of store.answers(study.id)) {
    const r = acc[a.question_index];
    if (!r) continue;
    if (a.status === 'skipped') r.skipped += 1;
    else if (a.status === 'failed') r.failed += 1;
    else {
      r.n += 1;
      for (const c of typeOf(r.q).tally(r.q, a.value as never)) r.distribution[c] = (r.distribution[c] ?? 0) + 1;
      const v = (a.value as { value?: unknown } | null)?.value;
      if (r.scale && typeof v === 'number') r.sum += v;
    }
  }
  return {
    object: 'focus_group.results' as const,
    focus_group_id: study.id,
    status: study.status,
    questions: acc.map((r): QuestionResult => ({
      question_id: r.q.id,
      type: r.q.type,
      text: r.q.text,
      n: r.n,
      skipped: r.skipped,
      failed: r.failed,
      distribution: r.distribution,
      ...(r.scale ? { mean: r.n ? Math.round((r.sum / r.n) * 1000) / 1000 : null } : {}),
    })),
  };
}

const csvCell = (v: unknown): string => {
  const s = v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v);
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
