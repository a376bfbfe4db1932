/** Importing a persona export document (GET /v1/personas/{id}/export) as a new custom persona. */
import { useState } from 'preact/hooks';
import { api, ApiFailure } from '../../api/client';
import type { PersonaFull } from '../../api/types';
import { ErrorBanner, PageHeader, Section } from '../../components/ui';
import { href, navigate } from '../../router';

/** An export document is small; a larger file is not one. */
const MAX_FILE_BYTES = 1024 * 1024;

export function ImportPersona() {
  const [text, setText] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const readFile = async (file: File | undefined) => {
    if (!file) return;
    if (file.size > MAX_FILE_BYTES) {
      setError(new Error(`${file.name} is over 1 MB: not a persona export.`));
      return;
    }
    setText(await file.text());
  };
  const submit = async (e: Event) => {
    e.preventDefault();
    setError(null);
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (err) {
      setError(new ApiFailure(`Not valid JSON: ${err instanceof Error ? err.message : String(err)}`, 400, 'invalid_request', null));
      return;
    }
    setBusy(true);
    try {
      const p = await api<PersonaFull>('/personas/import', { body: doc });
      navigate(`/personas/${encodeURIComponent(p.id)}`);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div class="page">
      <p class="small">
        <a href={href('/personas')}>← Personas</a>
      </p>
      <PageHeader title="Import a persona" />
      <Section title="Export document" id="import-form">
        <form class="stack" onSubmit={submit}>
          <label class="field">
            <span class="field-label">File (.persona.json)</span>
            <input type="file" accept=".json,application/json" onChange={(e) => readFile(e.currentTarget.files?.[0])} />
          </label>
          <label class="field">
            <span class="field-label">Or paste it</span>
            <textarea class="code-input" rows={14} value={text} onInput={(e) => setText(e.currentTarget.value)} spellcheck={false} placeholder='{"object": "persona.export", "format_version": 1, …}' />
          </label>
          <ErrorBanner error={error} />
          <div>
            <button type="submit" class="button button-primary" disabled={busy || !text.trim()}>
              {busy ? 'Importing…' : 'Import'}
            </button>
          </div>
        </form>
      </Section>
    </div>
  );
}
