/** The workspace's studies, newest first (GET /v1/focus-groups, paged). */
import { useEffect, useState } from 'preact/hooks';
import { api, query } from '../../api/client';
import type { Study } from '../../api/focus-groups';
import type { ListPage } from '../../api/types';
import { ErrorBanner, formatNumber, formatTime, PageHeader, Spinner } from '../../components/ui';
import { href, navigate } from '../../router';
import { StatusBadge } from './study/status';

export function StudyList() {
  const [studies, setStudies] = useState<Study[] | null>(null);
  const [hasMore, setHasMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const load = (after?: string) =>
    api<ListPage<Study>>(`/focus-groups${query({ limit: 20, after })}`)
      .then((r) => {
        setStudies((s) => (after ? [...(s ?? []), ...r.data] : r.data));
        setHasMore(Boolean(r.has_more));
      })
      .catch(setError);
  useEffect(() => {
    void load();
  }, []);
  return (
    <div class="page">
      <PageHeader title="Focus groups">
        <button type="button" class="button button-primary" onClick={() => navigate('/focus-groups/new')}>
          New study
        </button>
      </PageHeader>
      <ErrorBanner error={error} />
      {studies === null && !error ? <Spinner /> : null}
      {studies && studies.length === 0 ? (
        <div class="panel">
          <p>No study yet. A study puts a guide of questions to simulated respondents sampled from personas, and gives distributions, NPS, segments and themes.</p>
          <p>
            <a href={href('/focus-groups/new')}>Build the first one</a>
          </p>
        </div>
      ) : null}
      {studies && studies.length > 0 ? (
        <div class="panel table-wrap" tabIndex={0}>
          <table class="table">
            <thead>
              <tr>
                <th scope="col">Study</th>
                <th scope="col">Status</th>
                <th scope="col" class="num">Progress</th>
                <th scope="col" class="num">Respondents</th>
                <th scope="col" class="num">Questions</th>
                <th scope="col" class="num">Credits</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {studies.map((s) => (
                <tr key={s.id}>
                  <th scope="row">
                    <a href={href(`/focus-groups/${encodeURIComponent(s.id)}`)}>{s.name}</a>
                  </th>
                  <td>
                    <StatusBadge status={s.status} />
                  </td>
                  <td class="num">{s.progress.percent}%</td>
                  <td class="num">{formatNumber(s.respondents)}</td>
                  <td class="num">{s.questions.length}</td>
                  <td class="num">{formatNumber(s.credits_used)}</td>
                  <td>{formatTime(s.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {hasMore ? (
            <button type="button" class="button" onClick={() => load(studies[studies.length - 1]?.id)}>
              More
            </button>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
