/**
 * GET /v1/focus-groups/{id}/export?format=json of a discussion study: the
 * study and its results, then `transcripts` — every session's transcript as
 * GET …/transcripts gives it — streamed a page of sessions at a time, so the
 * export of thousands of sessions never sits in memory whole.
 */
import type { FocusGroupsStore } from '../../storage/focus-groups-store.js';
import type { StudyRecord } from '../study.js';
import { allTranscripts } from './transcripts.js';

/** `{...head, "transcripts": [...]}` as a byte stream; `head` is a JSON object. */
export function jsonWithTranscripts(head: Record<string, unknown>, store: FocusGroupsStore, study: StudyRecord): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const it = allTranscripts(store, study);
  let started = false;
  let first = true;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        const open = JSON.stringify(head);
        controller.enqueue(encoder.encode(`${open.slice(0, -1)}${open.length > 2 ? ',' : ''}"transcripts":[`));
        return;
      }
      const r = await it.next();
      if (r.done) {
        controller.enqueue(encoder.encode(']}'));
        return controller.close();
      }
      controller.enqueue(encoder.encode(`${first ? '' : ','}${JSON.stringify(r.value)}`));
      first = false;
    },
    async cancel() {
      await it.return(undefined);
    },
  });
}
