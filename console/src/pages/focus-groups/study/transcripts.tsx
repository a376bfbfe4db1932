/** A discussion study's transcripts: its sessions, paged, each a collapsible list of turns (GET …/transcripts). */
import { useEffect, useState } from 'preact/hooks';
import { api, query } from '../../../api/client';
import type { StudyQuestion, Transcript } from '../../../api/focus-groups';
import type { ListPage } from '../../../api/types';
import { ErrorBanner, Spinner } from '../../../components/ui';

const PAGE = 5;
const KIND: Record<Transcript['turns'][number]['kind'], string> = { question: 'asks', answer: 'answers', probe: 'probes', probe_answer: 'answers again' };

export function TranscriptBrowser({ studyId, questions }: { studyId: string; questions: StudyQuestion[] }) {
  const [pages, setPages] = useState<string[]>([]);
  const [page, setPage] = useState<ListPage<Transcript> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const after = pages[pages.length - 1];
  useEffect(() => {
    setPage(null);
    api<ListPage<Transcript>>(`/focus-groups/${encodeURIComponent(studyId)}/transcripts${query({ limit: PAGE, after })}`)
      .then(setPage)
      .catch(setError);
  }, [studyId, after]);
  const number = (id: string | null) => (id === null ? '' : `Q${questions.findIndex((q) => q.id === id) + 1} · `);
  const first = pages.length * PAGE;
  return (
    <div class="stack">
      <div class="row wrap">
        <span class="muted small">{page ? `Sessions ${first + 1}–${first + page.data.length}` : ''}</span>
        <button type="button" class="button button-small" disabled={pages.length === 0} onClick={() => setPages(pages.slice(0, -1))}>
          Previous sessions
        </button>
        <button type="button" class="button button-small" disabled={!page?.has_more || !page.last_id} onClick={() => page?.last_id && setPages([...pages, page.last_id])}>
          Next sessions
        </button>
      </div>
      <ErrorBanner error={error} />
      {page === null && !error ? <Spinner /> : null}
      {page?.data.map((t) => (
        <details class="transcript" key={t.id}>
          <summary>
            <strong>Session {t.session + 1}</strong>{' '}
            <span class="muted small">
              · {t.members.map((m) => m.name ?? m.respondent_id).join(', ')} · {t.turns.length} turns · {t.status.replace('_', ' ')}
            </span>
          </summary>
          <ol class="turns">
            {t.turns.map((turn) => (
              <li key={turn.seq} class={turn.speaker === 'moderator' ? 'turn-moderator' : 'turn-respondent'}>
                <strong class="speaker">{turn.name ?? turn.speaker}</strong>{' '}
                <span class="muted small">
                  {number(turn.question_id)}
                  {KIND[turn.kind]}
                </span>
                <p>{turn.text}</p>
              </li>
            ))}
          </ol>
        </details>
      ))}
    </div>
  );
}
