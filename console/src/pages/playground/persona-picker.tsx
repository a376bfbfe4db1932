/** Choosing the persona that answers: search, category, the list, and the chosen persona's card. */
import { useMemo, useState } from 'preact/hooks';
import { CATEGORIES, filterPersonas } from '../../api/personas';
import type { PersonaSummary } from '../../api/types';
import { Badge, ErrorBanner, Spinner } from '../../components/ui';
import { href } from '../../router';

export function PersonaPicker({
  personas,
  error,
  selected,
  onSelect,
}: {
  personas: PersonaSummary[] | null;
  error: unknown;
  selected: string;
  onSelect: (id: string) => void;
}) {
  const [search, setSearch] = useState('');
  const [category, setCategory] = useState('');
  const shown = useMemo(() => (personas ? filterPersonas(personas, { search, category, kind: 'all' }) : []), [personas, search, category]);
  const current = personas?.find((p) => p.id === selected);
  return (
    <div class="picker">
      <div class="picker-filters">
        <label class="field">
          <span class="field-label">Search personas</span>
          <input type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} placeholder="e.g. nurse, Gen Z, Brazil" />
        </label>
        <label class="field">
          <span class="field-label">Category</span>
          <select value={category} onChange={(e) => setCategory(e.currentTarget.value)}>
            <option value="">All categories</option>
            {CATEGORIES.map((c) => (
              <option value={c} key={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorBanner error={error} />
      {personas === null && !error ? <Spinner label="Loading personas…" /> : null}
      {personas ? (
        <div class="picker-list" role="group" aria-label={`Personas (${shown.length} shown)`}>
          <button type="button" class={selected === '' ? 'picker-item picker-selected' : 'picker-item'} aria-pressed={selected === ''} onClick={() => onSelect('')}>
            <span class="picker-name">No persona</span>
            <span class="picker-meta">the model answers as itself</span>
          </button>
          {shown.map((p) => (
            <button type="button" key={p.id} class={selected === p.id ? 'picker-item picker-selected' : 'picker-item'} aria-pressed={selected === p.id} onClick={() => onSelect(p.id)}>
              <span class="picker-name">{p.name}</span>
              <span class="picker-meta">
                {p.category}
                {p.is_custom ? ' · custom' : ''}
                {p.is_expert ? ' · expert' : ''}
              </span>
            </button>
          ))}
          {shown.length === 0 ? <p class="muted small">No persona matches.</p> : null}
        </div>
      ) : null}
      {current ? (
        <article class="persona-mini" aria-label="Chosen persona">
          <h3>{current.name}</h3>
          <p class="badges">
            <Badge>{current.category}</Badge>
            {current.is_custom ? <Badge tone="accent">custom</Badge> : null}
            {current.is_expert ? <Badge tone="ok">expert</Badge> : null}
          </p>
          <p>{current.description}</p>
          <p class="small">
            <code>{current.id}</code> · <a href={href(`/personas/${encodeURIComponent(current.id)}`)}>Full card</a>
          </p>
        </article>
      ) : null}
    </div>
  );
}
