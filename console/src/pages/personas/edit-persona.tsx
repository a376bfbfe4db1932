/**
 * Editing a custom persona: PATCH with only what changed (the name, the
 * description, the category, and each profile section whose content
 * changed), which writes the next version; earlier ones stay readable.
 */
import { useEffect, useState } from 'preact/hooks';
import { api, ApiFailure } from '../../api/client';
import { CATEGORIES } from '../../api/personas';
import type { PersonaFull } from '../../api/types';
import { ErrorBanner, PageHeader, Section, Spinner } from '../../components/ui';
import { href, navigate } from '../../router';

export function EditPersona({ id }: { id: string }) {
  const [persona, setPersona] = useState<PersonaFull | null>(null);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const [category, setCategory] = useState('');
  const [expert, setExpert] = useState(false);
  const [details, setDetails] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api<PersonaFull>(`/personas/${encodeURIComponent(id)}`)
      .then((p) => {
        setPersona(p);
        setName(p.name);
        setDescription(p.description);
        setCategory(p.category);
        setExpert(p.is_expert);
        setDetails(JSON.stringify(p.details ?? {}, null, 2));
      })
      .catch(setError);
  }, [id]);

  if (!persona) return error ? <ErrorBanner error={error} /> : <Spinner />;

  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const patch: Record<string, unknown> = {};
    if (name.trim() !== persona.name) patch.name = name.trim();
    if (description.trim() !== persona.description) patch.description = description.trim();
    if (category !== persona.category) patch.category = category;
    if (expert !== persona.is_expert) patch.is_expert = expert;
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(details) as Record<string, unknown>;
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('the profile must be a JSON object');
    } catch (err) {
      setError(new ApiFailure(`The profile is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, 400, 'invalid_request', 'details'));
      return;
    }
    const before = persona.details ?? {};
    const changed = Object.fromEntries(Object.entries(parsed).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(before[k])));
    if (Object.keys(changed).length > 0) patch.details = changed;
    if (Object.keys(patch).length === 0) {
      setError(new Error('Nothing changed.'));
      return;
    }
    setBusy(true);
    try {
      const p = await api<PersonaFull>(`/personas/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch });
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
        <a href={href(`/personas/${encodeURIComponent(id)}`)}>← {persona.name}</a>
      </p>
      <PageHeader title={`Edit ${persona.name}`} />
      <Section title={`Version ${persona.version ?? 1} → ${(persona.version ?? 1) + 1}`} id="edit-form">
        <form class="stack" onSubmit={save}>
          <div class="grid-2">
            <label class="field">
              <span class="field-label">Name</span>
              <input value={name} required maxLength={200} onInput={(e) => setName(e.currentTarget.value)} />
            </label>
            <label class="field">
              <span class="field-label">Category</span>
              <select value={category} onChange={(e) => setCategory(e.currentTarget.value)}>
                {[...new Set([...CATEGORIES, persona.category])].map((c) => (
                  <option key={c} value={c}>
                    {c}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <label class="field">
            <span class="field-label">Description</span>
            <textarea rows={3} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
          </label>
          <label class="check">
            <input type="checkbox" checked={expert} onChange={(e) => setExpert(e.currentTarget.checked)} />
            Expert persona
          </label>
          <label class="field">
            <span class="field-label">Profile (details, JSON): sections you change are sent; objects merge, lists and text replace</span>
            <textarea class="code-input" rows={18} value={details} onInput={(e) => setDetails(e.currentTarget.value)} spellcheck={false} />
          </label>
          <ErrorBanner error={error} />
          <div class="row">
            <button type="submit" class="button button-primary" disabled={busy}>
              {busy ? 'Saving…' : 'Save as a new version'}
            </button>
            <button type="button" class="button" onClick={() => navigate(`/personas/${encodeURIComponent(id)}`)}>
              Cancel
            </button>
          </div>
        </form>
      </Section>
    </div>
  );
}
