/**
 * A persona's full card: its profile (every section, as text), and for
 * custom personas their versions, edit and delete; any persona can be used in
 * the playground, exported and cloned into a custom one.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, request } from '../../api/client';
import type { PersonaFull } from '../../api/types';
import { JsonView } from '../../components/json-view';
import { Badge, downloadText, ErrorBanner, formatTime, Notice, PageHeader, Section, Spinner } from '../../components/ui';
import { href, navigate } from '../../router';
import { hasScope, useSession } from '../../session';

/** The profile's sections in reading order; anything else follows. */
const SECTION_ORDER = ['demographics', 'psychographics', 'media', 'buying_behavior', 'communication', 'pain_points', 'goals', 'objections', 'statistics', 'population'];

export function PersonaDetail({ id, version }: { id: string; version: string | null }) {
  const session = useSession();
  const [persona, setPersona] = useState<PersonaFull | null>(null);
  const [latest, setLatest] = useState<number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [cloneName, setCloneName] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const canWrite = hasScope(session, 'personas:write');

  useEffect(() => {
    setPersona(null);
    setError(null);
    const v = version && /^\d+$/.test(version) ? `?version=${version}` : '';
    api<PersonaFull>(`/personas/${encodeURIComponent(id)}${v}`)
      .then((p) => {
        setPersona(p);
        if (!v) setLatest(p.version ?? null);
      })
      .catch(setError);
  }, [id, version]);
  useEffect(() => {
    // Reading an earlier version first: learn the latest for the selector.
    if (version && latest === null && id.startsWith('cp_')) {
      api<PersonaFull>(`/personas/${encodeURIComponent(id)}`)
        .then((p) => setLatest(p.version ?? null))
        .catch(() => {});
    }
  }, [id, version, latest]);

  if (error) {
    return (
      <div class="page">
        <PageHeader title="Persona" />
        <ErrorBanner error={error} />
        <p>
          <a href={href('/personas')}>Back to the library</a>
        </p>
      </div>
    );
  }
  if (!persona) return <Spinner label="Loading the persona…" />;

  const exportIt = async () => {
    setActionError(null);
    try {
      const doc = await api<unknown>(`/personas/${encodeURIComponent(id)}/export`);
      downloadText(`${id}.persona.json`, JSON.stringify(doc, null, 2));
    } catch (err) {
      setActionError(err);
    }
  };
  const cloneIt = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setActionError(null);
    try {
      const body = cloneName?.trim() ? { name: cloneName.trim() } : undefined;
      const copy = await api<PersonaFull>(`/personas/${encodeURIComponent(id)}/clone`, { method: 'POST', ...(body ? { body } : {}) });
      navigate(`/personas/${encodeURIComponent(copy.id)}`);
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(false);
    }
  };
  const deleteIt = async () => {
    setBusy(true);
    setActionError(null);
    try {
      await request(`/personas/${encodeURIComponent(id)}`, { method: 'DELETE' });
      navigate('/personas');
    } catch (err) {
      setActionError(err);
    } finally {
      setBusy(false);
    }
  };

  const details = persona.details ?? {};
  const sections = [...SECTION_ORDER.filter((k) => k in details), ...Object.keys(details).filter((k) => !SECTION_ORDER.includes(k))];
  const versions = latest ? Array.from({ length: latest }, (_, i) => latest - i) : [];
  return (
    <div class="page">
      <p class="small">
        <a href={href('/personas')}>← Personas</a>
      </p>
      <PageHeader title={persona.name}>
        <button type="button" class="button button-primary" onClick={() => navigate(`/playground?persona=${encodeURIComponent(persona.id)}`)}>
          Use in playground
        </button>
        <button type="button" class="button" onClick={exportIt}>
          Export
        </button>
        {canWrite ? (
          <button type="button" class="button" onClick={() => setCloneName(cloneName === null ? `${persona.name} (copy)` : null)} aria-expanded={cloneName !== null}>
            Clone
          </button>
        ) : null}
        {canWrite && persona.is_custom ? (
          <>
            <button type="button" class="button" onClick={() => navigate(`/personas/${encodeURIComponent(persona.id)}/edit`)}>
              Edit
            </button>
            <button type="button" class="button button-danger" onClick={() => setConfirmDelete(true)}>
              Delete
            </button>
          </>
        ) : null}
      </PageHeader>
      <ErrorBanner error={actionError} />
      {confirmDelete ? (
        <div class="panel panel-callout" role="alertdialog" aria-labelledby="del-title">
          <h2 id="del-title">Delete {persona.name}?</h2>
          <p>It leaves the library and new requests naming it get a 404; stored responses keep it.</p>
          <div class="row">
            <button type="button" class="button button-danger" onClick={deleteIt} disabled={busy}>
              Delete
            </button>
            <button type="button" class="button" onClick={() => setConfirmDelete(false)}>
              Cancel
            </button>
          </div>
        </div>
      ) : null}
      {cloneName !== null ? (
        <form class="panel panel-callout stack" onSubmit={cloneIt}>
          <h2>Clone into a custom persona</h2>
          <label class="field">
            <span class="field-label">Name of the copy</span>
            <input value={cloneName} maxLength={200} onInput={(e) => setCloneName(e.currentTarget.value)} />
          </label>
          <p class="muted small">A clone costs credits with a live key (none with a test key) and becomes an editable custom persona.</p>
          <div class="row">
            <button type="submit" class="button button-primary" disabled={busy}>
              {busy ? 'Cloning…' : 'Clone'}
            </button>
            <button type="button" class="button" onClick={() => setCloneName(null)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      <Section title="Overview" id="persona-overview">
        <p class="badges">
          <Badge>{persona.category}</Badge>
          {persona.is_custom ? <Badge tone="accent">custom</Badge> : <Badge>built-in</Badge>}
          {persona.is_expert ? <Badge tone="ok">expert</Badge> : null}
          {persona.type ? <Badge>{persona.type}</Badge> : null}
          {persona.pipeline_type ? <Badge>{persona.pipeline_type.replace('_', ' ')}</Badge> : null}
        </p>
        <p>{persona.description}</p>
        <dl class="stats">
          <div>
            <dt>Id</dt>
            <dd>
              <code>{persona.id}</code>
            </dd>
          </div>
          {persona.version !== undefined ? (
            <div>
              <dt>Version</dt>
              <dd>{persona.version}</dd>
            </div>
          ) : null}
          <div>
            <dt>Created</dt>
            <dd class="small">{formatTime(persona.created_at)}</dd>
          </div>
          {persona.cloned_from ? (
            <div>
              <dt>Cloned from</dt>
              <dd>
                <a href={href(`/personas/${encodeURIComponent(persona.cloned_from)}`)}>{persona.cloned_from}</a>
              </dd>
            </div>
          ) : null}
        </dl>
        {versions.length > 1 ? (
          <label class="field field-inline">
            <span class="field-label">Show version</span>
            <select
              value={String(persona.version ?? latest)}
              onChange={(e) => {
                const v = Number(e.currentTarget.value);
                navigate(v === latest ? `/personas/${encodeURIComponent(id)}` : `/personas/${encodeURIComponent(id)}?version=${v}`);
              }}
            >
              {versions.map((v) => (
                <option key={v} value={String(v)}>
                  {v === latest ? `${v} (current)` : String(v)}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        {version && latest !== null && Number(version) !== latest ? <Notice tone="warn">You are reading version {version}; the current one is {latest}.</Notice> : null}
        {persona.warnings && persona.warnings.length > 0 ? (
          <Notice tone="warn">
            <strong>Consistency warnings:</strong>
            <ul>
              {persona.warnings.map((w, i) => (
                <li key={i}>
                  {w.message} <code>{w.param}</code>
                </li>
              ))}
            </ul>
          </Notice>
        ) : null}
      </Section>
      {sections.map((k) => (
        <Section key={k} title={k.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase())} id={`persona-${k}`}>
          <JsonView value={details[k]} />
        </Section>
      ))}
    </div>
  );
}
