/**
 * GET /v1/focus-groups/{id}/events: a study's progress as Server-Sent Events.
 *
 *   id: 42
 *   event: focus_group.progress
 *   data: {"type":"focus_group.progress","focus_group_id":…,"status":"processing","answers_completed":40,…,"eta_seconds":12}
 *
 *   event: focus_group.completed        (or .cancelled / .failed)
 *   data: {"type":"focus_group.completed","focus_group":{…the study…}}
 *
 *   data: [DONE]
 *
 * A progress event's id is the number of answer slots settled so far, so a
 * client that reconnects with `Last-Event-ID` (or `?after=`) gets only what
 * is new. The stream reads the study from the database — woken at once by
 * this process's runner (ProgressHub), and every `pollMs` in case another
 * process runs it — sends progress at most every `minIntervalMs`, a comment
 * every 15 s to keep proxies from closing it, and ends after the terminal
 * event.
 */
import type { FocusGroupsStore } from '../storage/focus-groups-store.js';
import type { Clock } from '../util/ids.js';
import type { ProgressHub } from './progress.js';
import { isTerminal, type StudyRecord } from './study.js';
import { progressOf, studyView } from './views.js';

export interface EventStreamOptions {
  pollMs?: number;
  minIntervalMs?: number;
  keepAliveMs?: number;
}

const encoder = new TextEncoder();

function settled(s: StudyRecord): number {
  return s.answersDone + s.answersFailed + s.answersSkipped;
}

/** Answers per second since the study started, and the seconds left at that pace. */
function pace(s: StudyRecord, nowSec: number): { answers_per_second: number | null; eta_seconds: number | null } {
  if (s.startedAt === null) return { answers_per_second: null, eta_seconds: null };
  const elapsed = Math.max(1, nowSec - s.startedAt);
  const done = settled(s);
  const rate = done / elapsed;
  const left = s.respondentsTotal * s.questionsTotal - done;
  return { answers_per_second: Math.round(rate * 100) / 100, eta_seconds: rate > 0 ? Math.ceil(left / rate) : null };
}

export function progressEvent(s: StudyRecord, nowSec: number) {
  return { type: 'focus_group.progress', focus_group_id: s.id, status: s.status, ...progressOf(s), credits_used: s.creditsUsed, ...pace(s, nowSec) };
}

export function studyEventStream(
  deps: { store: FocusGroupsStore; progress: ProgressHub; clock: Clock },
  study: { workspaceId: string; id: string },
  lastEventId: number,
  options: EventStreamOptions = {},
): ReadableStream<Uint8Array> {
  const pollMs = options.pollMs ?? 1000;
  const minIntervalMs = options.minIntervalMs ?? 250;
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  let cleanup = () => {};
  return new ReadableStream<Uint8Array>({
    start(controller) {
      let last = lastEventId;
      let sentAt = 0;
      let lastWrite = deps.clock.now();
      let reading = false;
      let again = false;
      let ended = false;
      let deferred: ReturnType<typeof setTimeout> | undefined;
      const write = (text: string) => {
        lastWrite = deps.clock.now();
        controller.enqueue(encoder.encode(text));
      };
      const end = () => {
        if (ended) return;
        ended = true;
        cleanup();
        write('data: [DONE]\n\n');
        controller.close();
      };
      const check = async (): Promise<void> => {
        if (ended) return;
        if (reading) {
          again = true;
          return;
        }
        reading = true;
        try {
          do {
            again = false;
            const s = await deps.store.get(study.workspaceId, study.id);
            if (ended) return;
            if (!s) {
              write(`event: error\ndata: ${JSON.stringify({ type: 'error', message: 'The focus group was deleted.' })}\n\n`);
              end();
              return;
            }
            const n = settled(s);
            const terminal = isTerminal(s.status);
            if (n > last || (last < 0 && !terminal)) {
              const wait = sentAt + minIntervalMs - deps.clock.now();
              if (wait > 0 && !terminal) {
                deferred ??= setTimeout(() => {
                  deferred = undefined;
                  void check();
                }, wait);
              } else {
                last = n;
                sentAt = deps.clock.now();
                write(`id: ${n}\nevent: focus_group.progress\ndata: ${JSON.stringify(progressEvent(s, Math.floor(deps.clock.now() / 1000)))}\n\n`);
              }
            }
            if (terminal) {
              write(`event: focus_group.${s.status}\ndata: ${JSON.stringify({ type: `focus_group.${s.status}`, focus_group: studyView(s) })}\n\n`);
              end();
              return;
            }
            if (deps.clock.now() - lastWrite >= keepAliveMs) write(': keep-alive\n\n');
          } while (again);
        } catch (err) {
          if (!ended) {
            ended = true;
            cleanup();
            controller.error(err);
          }
        } finally {
          reading = false;
        }
      };
      const unsubscribe = deps.progress.subscribe(study.id, () => void check());
      const timer = setInterval(() => void check(), pollMs);
      cleanup = () => {
        unsubscribe();
        clearInterval(timer);
        if (deferred) clearTimeout(deferred);
      };
      void check();
    },
    cancel() {
      cleanup();
    },
  });
}
