/** The persona library by category, with search and filters (built-in / custom, experts). */
import { useMemo, useState } from 'preact/hooks';
import { CATEGORIES, filterPersonas, usePersonas } from '../../api/personas';
import type { PersonaSummary } from '../../api/types';
import { Badge, ErrorBanner, PageHeader, Spinner } from '../../components/ui';
import { href, navigate, type Route } from '../../router';
import { hasScope, useSession } from '../../session';

export function PersonaLibrary({ route }: { route: Route }) {
  const session = useSession();
  const { personas, error } = usePersonas();
  const [search, setSearch] = useState(route.query.get('q') ?? '');
  const [category, setCategory] = useState(route.query.get('category') ?? '');
  const [kind, setKind] = useState<'all' | 'builtin' | 'custom'>((route.query.get('kind') as 'all' | 'builtin' | 'custom' | null) ?? 'all');
  const [expert, setExpert] = useState(false);
  const shown = useMemo(() => (personas ? filterPersonas(personas, { search, category, kind, expert }) : []), [personas, search, category, kind, expert]);
  const groups = useMemo(() => {
    const by = new Map<string, PersonaSummary[]>();
    for (const p of shown) {
      const c = p.category === 'IndustrySpecific' ? 'Industry' : p.category;
      by.set(c, [...(by.get(c) ?? []), p]);
    }
    const order = [...CATEGORIES, ...[...by.keys()].filter((c) => !(CATEGORIES as readonly string[]).includes(c)).sort()];
    return order.filter((c) => by.has(c)).map((c) => ({ category: c, personas: by.get(c)! }));
  }, [shown]);
  const canWrite = hasScope(session, 'personas:write');
  return (
    <div class="page">
      <PageHeader title="Personas">
        {canWrite ? (
          <>
            <button type="button" class="button" onClick={() => navigate('/personas/import')}>
              Import
            </button>
            <button type="button" class="button button-primary" onClick={() => navigate('/personas/new')}>
              Create persona
            </button>
          </>
        ) : null}
      </PageHeader>
      <div class="panel filters" role="search">
        <label class="field">
          <span class="field-label">Search</span>
          <input type="search" value={search} onInput={(e) => setSearch(e.currentTarget.value)} placeholder="name, description or id" />
        </label>
        <label class="field">
          <span class="field-label">Category</span>
          <select value={category} onChange={(e) => setCategory(e.currentTarget.value)}>
            <option value="">All</option>
            {CATEGORIES.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span class="field-label">Source</span>
          <select value={kind} onChange={(e) => setKind(e.currentTarget.value as typeof kind)}>
            <option value="all">Built-in and custom</option>
            <option value="builtin">Built-in</option>
            <option value="custom">Custom (this workspace)</option>
          </select>
        </label>
        <label class="check">
          <input type="checkbox" checked={expert} onChange={(e) => setExpert(e.currentTarget.checked)} />
          Experts only
        </label>
        <p class="muted small" aria-live="polite">
          {personas ? `${shown.length} of ${personas.length} personas` : ''}
        </p>
      </div>
      <ErrorBanner error={error} />
      {personas === null && !error ? <Spinner label="Loading personas…" /> : null}
      {personas && shown.length === 0 ? <p class="muted">No persona matches these filters.</p> : null}
      {groups.map((g) => (
        <section class="category-block" key={g.category} aria-labelledby={`cat-${g.category}`}>
          <h2 id={`cat-${g.category}`}>
            {g.category} <span class="muted small">({g.personas.length})</span>
          </h2>
          <ul class="grid-cards plain-list">
            {g.personas.map((p) => (
              <li key={p.id}>
                <a class="persona-card" href={href(`/personas/${encodeURIComponent(p.id)}`)}>
                  <h3>{p.name}</h3>
                  <span class="badges">
                    {p.is_custom ? <Badge tone="accent">custom</Badge> : null}
                    {p.is_expert ? <Badge tone="ok">expert</Badge> : null}
                  </span>
                  <p>{p.description}</p>
                </a>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  );
}
