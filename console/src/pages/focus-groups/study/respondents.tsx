/** The respondent browser: each sampled respondent's profile and answers with their reasoning, paged (GET …/respondents). */
import { useEffect, useState } from 'preact/hooks';
import { api, query } from '../../../api/client';
import type { Respondent, StudyQuestion } from '../../../api/focus-groups';
import type { ListPage } from '../../../api/types';
import { ErrorBanner, formatNumber, Spinner } from '../../../components/ui';

/** An answer as one line of text, by its shape (answer-types.ts). */
export function answerText(a: Record<string, unknown> | null): string {
  if (!a) return '—';
  if (typeof a.value === 'boolean') return a.value ? 'yes' : 'no';
  if (typeof a.value === 'number') return String(a.value);
  if (Array.isArray(a.selected)) return [...(a.selected as string[]), ...(typeof a.other === 'string' ? [`other: ${a.other}`] : [])].join(', ');
  if (typeof a.text === 'string') return a.text;
  if (Array.isArray(a.order)) return (a.order as string[]).map((o, i) => `${i + 1}. ${o}`).join('  ');
  if (a.rows && typeof a.rows === 'object') return Object.entries(a.rows as Record<string, { value: number }>).map(([r, v]) => `${r}: ${v.value}`).join(', ');
  if (Array.isArray(a.tasks)) {
    return (a.tasks as Record<string, unknown>[])
      .map((t) => ('best' in t ? `best ${String(t.best)}, worst ${String(t.worst)}` : t.chosen === null ? 'none' : `profile ${Number(t.chosen) + 1}`))
      .join('; ');
  }
  return JSON.stringify(a);
}

export function RespondentBrowser({ studyId, questions, total }: { studyId: string; questions: StudyQuestion[]; total: number }) {
  const [pages, setPages] = useState<string[]>([]);
  const [page, setPage] = useState<ListPage<Respondent> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [filter, setFilter] = useState('');
  const after = pages[pages.length - 1];
  useEffect(() => {
    setPage(null);
    api<ListPage<Respondent>>(`/focus-groups/${encodeURIComponent(studyId)}/respondents${query({ limit: 10, after })}`)
      .then(setPage)
      .catch(setError);
  }, [studyId, after]);
  const text = (id: string) => questions.find((q) => q.id === id)?.text ?? id;
  const shown = page ? page.data.filter((r) => !filter || `${r.profile.name} ${r.persona_id} ${r.profile.region} ${r.profile.gender} ${r.profile.age_band}`.toLowerCase().includes(filter.toLowerCase())) : [];
  const first = pages.length * 10;
  return (
    <div class="stack">
      <div class="row wrap">
        <label class="field field-inline">
          <span class="field-label">Filter this page</span>
          <input type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} placeholder="name, persona, region…" />
        </label>
        <span class="muted small">
          {page ? `Respondents ${first + 1}–${first + page.data.length} of ${formatNumber(total)}` : ''}
        </span>
        <button type="button" class="button button-small" disabled={pages.length === 0} onClick={() => setPages(pages.slice(0, -1))}>
          Previous
        </button>
        <button type="button" class="button button-small" disabled={!page?.has_more || !page.last_id} onClick={() => page?.last_id && setPages([...pages, page.last_id])}>
          Next
        </button>
      </div>
      <ErrorBanner error={error} />
      {page === null && !error ? <Spinner /> : null}
      {shown.map((r) => (
        <details class="respondent" key={r.id}>
          <summary>
            <strong>{r.profile.name}</strong>, {r.profile.age}, {r.profile.gender}, {r.profile.region} <span class="muted small">· {r.persona_id} · {r.status}</span>
          </summary>
          <p class="small muted">
            {r.profile.household} · income {r.profile.income.band}
            {Object.entries(r.profile.attributes).map(([k, v]) => ` · ${k.replace(/_/g, ' ')} ${v}`)}
          </p>
          <ol class="qa">
            {r.answers.map((a) => (
              <li key={a.question_id}>
                <span class="muted small">{text(a.question_id)}</span>
                <div>
                  {a.status === 'answered' ? <strong>{answerText(a.answer)}</strong> : <span class="muted">{a.status}{a.error ? `: ${a.error}` : ''}</span>}
                </div>
                {a.answer && typeof a.answer.reasoning === 'string' ? <div class="reasoning">{a.answer.reasoning}</div> : null}
              </li>
            ))}
          </ol>
        </details>
      ))}
    </div>
  );
}
