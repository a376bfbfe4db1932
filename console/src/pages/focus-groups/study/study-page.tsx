/**
 * A study: its live progress over GET …/events (SSE: progress, answers per
 * second, ETA, the terminal event), then its results dashboard, the
 * respondent browser, a discussion's transcripts and the exports; cancel while it
 * runs, delete after.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, request } from '../../../api/client';
import { isTerminal, type ProgressEvent, type ResultsDocument, type Study } from '../../../api/focus-groups';
import { ErrorBanner, formatNumber, formatTime, Notice, PageHeader, Section, Spinner } from '../../../components/ui';
import { href, navigate } from '../../../router';
import { RespondentBrowser } from './respondents';
import { ResultsDashboard } from './results';
import { StatusBadge } from './status';
import { TranscriptBrowser } from './transcripts';

/** The export formats this server offers, read from its /openapi.json (json and csv at least). */
function useExportFormats(): string[] {
  const [formats, setFormats] = useState<string[]>(['json', 'csv']);
  useEffect(() => {
    fetch('/openapi.json', { credentials: 'same-origin' })
      .then((r) => r.json() as Promise<{ paths?: Record<string, { get?: { parameters?: { name: string; schema?: { enum?: string[] } }[] } }> }>)
      .then((doc) => {
        const param = doc.paths?.['/focus-groups/{focus_group_id}/export']?.get?.parameters?.find((p) => p.name === 'format') ?? Object.entries(doc.paths ?? {}).find(([k]) => k.endsWith('/export') && k.includes('focus-groups'))?.[1].get?.parameters?.find((p) => p.name === 'format');
        if (param?.schema?.enum?.length) setFormats(param.schema.enum);
      })
      .catch(() => {});
  }, []);
  return formats;
}

export function StudyPage({ id }: { id: string }) {
  const [study, setStudy] = useState<Study | null>(null);
  const [live, setLive] = useState<ProgressEvent | null>(null);
  const [results, setResults] = useState<ResultsDocument | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [tab, setTab] = useState<'results' | 'respondents' | 'transcripts'>('results');
  const formats = useExportFormats();
  const path = `/focus-groups/${encodeURIComponent(id)}`;

  const loadResults = () =>
    api<ResultsDocument>(`${path}/results`)
      .then(setResults)
      .catch(setActionError);

  useEffect(() => {
    setStudy(null);
    setResults(null);
    setLive(null);
    api<Study>(path)
      .then(setStudy)
      .catch(setError);
  }, [id]);

  const running = study !== null && !isTerminal(study.status);
  useEffect(() => {
    if (!study) return;
    if (!running) {
      void loadResults();
      return;
    }
    // Same origin: the session cookie goes with it; the key is never in the URL.
    const es = new EventSource(`/v1${path}/events`);
    const onProgress = (e: MessageEvent<string>) => setLive(JSON.parse(e.data) as ProgressEvent);
    const onEnd = (e: MessageEvent<string>) => {
      es.close();
      const data = JSON.parse(e.data) as { focus_group?: Study };
      if (data.focus_group) setStudy(data.focus_group);
      else void api<Study>(path).then(setStudy);
    };
    es.addEventListener('focus_group.progress', onProgress as EventListener);
    for (const t of ['focus_group.completed', 'focus_group.cancelled', 'focus_group.failed']) es.addEventListener(t, onEnd as EventListener);
    es.onmessage = (e: MessageEvent<string>) => {
      if (e.data === '[DONE]') es.close();
    };
    es.onerror = () => {
      // The browser reconnects by itself (with Last-Event-ID); a closed stream after the end is expected.
      if (es.readyState === EventSource.CLOSED) void api<Study>(path).then(setStudy).catch(setError);
    };
    return () => es.close();
  }, [study?.id, running]);

  if (error) {
    return (
      <div class="page">
        <PageHeader title="Study" />
        <ErrorBanner error={error} />
        <p>
          <a href={href('/focus-groups')}>Back to the studies</a>
        </p>
      </div>
    );
  }
  if (!study) return <Spinner label="Loading the study…" />;

  const progress = live ?? { ...study.progress, answers_per_second: null, eta_seconds: null, credits_used: study.credits_used };
  const cancel = async () => {
    setActionError(null);
    try {
      setStudy(await api<Study>(`${path}/cancel`, { method: 'POST' }));
    } catch (err) {
      setActionError(err);
    }
  };
  const remove = async () => {
    setActionError(null);
    try {
      await request(path, { method: 'DELETE' });
      navigate('/focus-groups');
    } catch (err) {
      setActionError(err);
    }
  };
  const errorText = study.error === null ? null : typeof study.error === 'string' ? study.error : (study.error.message ?? JSON.stringify(study.error));
  return (
    <div class="page">
      <p class="small">
        <a href={href('/focus-groups')}>← Focus groups</a>
      </p>
      <PageHeader title={study.name}>
        <StatusBadge status={study.status} />
        {running ? (
          <button type="button" class="button" onClick={cancel}>
            Cancel study
          </button>
        ) : (
          <button type="button" class="button button-danger" onClick={() => setConfirmDelete(true)}>
            Delete
          </button>
        )}
      </PageHeader>
      <ErrorBanner error={actionError} />
      {confirmDelete ? (
        <div class="panel panel-callout" role="alertdialog" aria-labelledby="fg-del-title">
          <h2 id="fg-del-title">Delete this study?</h2>
          <p>Its respondents, answers and results are deleted; the credits it used stay spent.</p>
          <div class="row">
            <button type="button" class="button button-danger" onClick={remove}>
              Delete
            </button>
            <button type="button" class="button" onClick={() => setConfirmDelete(false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : null}
      {errorText ? <Notice tone="warn">{errorText}</Notice> : null}
      <Section title={running ? 'Progress (live)' : 'Progress'} id="fg-progress">
        <progress max={100} value={progress.percent} aria-label="Answers settled" data-testid="fg-progress" />
        <dl class="stats" aria-live="polite">
          <div>
            <dt>Answers</dt>
            <dd>
              {formatNumber(progress.answers_completed)} / {formatNumber(progress.answers_total)}
            </dd>
          </div>
          <div>
            <dt>Respondents done</dt>
            <dd>
              {formatNumber(progress.respondents_completed)} / {formatNumber(progress.respondents_total)}
            </dd>
          </div>
          <div>
            <dt>Skipped / failed</dt>
            <dd>
              {formatNumber(progress.answers_skipped)} / {formatNumber(progress.answers_failed)}
            </dd>
          </div>
          {running ? (
            <>
              <div>
                <dt>Answers per second</dt>
                <dd>{progress.answers_per_second === null ? '—' : formatNumber(progress.answers_per_second, 1)}</dd>
              </div>
              <div>
                <dt>Time left</dt>
                <dd>{progress.eta_seconds === null ? '—' : `${formatNumber(progress.eta_seconds)} s`}</dd>
              </div>
            </>
          ) : null}
          <div>
            <dt>Credits {study.livemode ? 'used' : 'it would cost'}</dt>
            <dd>
              {formatNumber(progress.credits_used)} <span class="muted small">of ~{formatNumber(study.estimate.credits)}</span>
            </dd>
          </div>
        </dl>
        <p class="muted small">
          {study.personas.map((p) => `${p.persona_id} × ${p.respondents}`).join(' · ')} · seed {study.seed} · created {formatTime(study.created_at)}
          {study.completed_at ? ` · ended ${formatTime(study.completed_at)}` : ''} · {study.livemode ? 'live' : 'sandbox (test key, free)'}
        </p>
        {study.stimulus?.text ? (
          <details>
            <summary>Stimulus</summary>
            <p class="answer">{study.stimulus.text}</p>
          </details>
        ) : null}
      </Section>
      <Section
        title="Results"
        id="fg-results"
        actions={
          <span class="row wrap">
            {formats.map((f) => (
              <a key={f} class="button button-small" href={`/v1${path}/export?format=${f}`} download={`${id}.${f === 'html' ? 'html' : f}`}>
                Export {f.toUpperCase()}
              </a>
            ))}
            {study.mode === 'discussion' && formats.includes('csv') ? (
              <a class="button button-small" href={`/v1${path}/export?format=csv&part=transcripts`} download={`${id}-transcripts.csv`}>
                Export transcripts CSV
              </a>
            ) : null}
            {running ? (
              <button type="button" class="button button-small" onClick={loadResults}>
                Partial results
              </button>
            ) : null}
          </span>
        }
      >
        {!formats.includes('html') ? <p class="muted small">The HTML report export is not offered by this server yet.</p> : null}
        <div class="tabs" role="tablist" aria-label="Results view">
          <button type="button" role="tab" id="fg-tab-results" aria-selected={tab === 'results'} aria-controls="fg-tabpanel" class={tab === 'results' ? 'tab tab-selected' : 'tab'} onClick={() => setTab('results')}>
            Dashboard
          </button>
          <button type="button" role="tab" id="fg-tab-respondents" aria-selected={tab === 'respondents'} aria-controls="fg-tabpanel" class={tab === 'respondents' ? 'tab tab-selected' : 'tab'} onClick={() => setTab('respondents')}>
            Respondents
          </button>
          {study.mode === 'discussion' ? (
            <button type="button" role="tab" id="fg-tab-transcripts" aria-selected={tab === 'transcripts'} aria-controls="fg-tabpanel" class={tab === 'transcripts' ? 'tab tab-selected' : 'tab'} onClick={() => setTab('transcripts')}>
              Transcripts
            </button>
          ) : null}
        </div>
        <div role="tabpanel" id="fg-tabpanel" aria-labelledby={`fg-tab-${tab}`}>
          {tab === 'results' ? (
            results ? (
              <ResultsDashboard results={results} questions={study.questions} />
            ) : running ? (
              <p class="muted">The dashboard appears when the study ends (or ask for partial results).</p>
            ) : (
              <Spinner label="Computing the results…" />
            )
          ) : tab === 'respondents' ? (
            <RespondentBrowser studyId={study.id} questions={study.questions} total={study.respondents} />
          ) : (
            <TranscriptBrowser studyId={study.id} questions={study.questions} />
          )}
        </div>
      </Section>
    </div>
  );
}
