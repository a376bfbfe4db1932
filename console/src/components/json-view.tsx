/**
 * Any JSON value (a persona's profile, a respondent's sampled profile) as
 * nested definition lists: keys become readable labels, arrays lists, and
 * every string is a text node.
 */
export function labelOf(key: string): string {
  const s = key.replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function Scalar({ value }: { value: unknown }) {
  if (value === null || value === undefined) return <span class="muted">—</span>;
  if (typeof value === 'boolean') return <span>{value ? 'yes' : 'no'}</span>;
  if (typeof value === 'number') return <span>{Number.isInteger(value) ? value : value.toFixed(3)}</span>;
  return <span>{String(value)}</span>;
}

export function JsonView({ value, depth = 0 }: { value: unknown; depth?: number }) {
  if (Array.isArray(value)) {
    if (value.length === 0) return <span class="muted">none</span>;
    if (value.every((v) => v === null || typeof v !== 'object')) {
      return (
        <ul class="tag-list">
          {value.map((v, i) => (
            <li key={i}>
              <Scalar value={v} />
            </li>
          ))}
        </ul>
      );
    }
    return (
      <ol class="json-list">
        {value.map((v, i) => (
          <li key={i}>
            <JsonView value={v} depth={depth + 1} />
          </li>
        ))}
      </ol>
    );
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return <span class="muted">—</span>;
    return (
      <dl class={depth === 0 ? 'json-dl' : 'json-dl json-dl-nested'}>
        {entries.map(([k, v]) => (
          <div class="json-row" key={k}>
            <dt>{labelOf(k)}</dt>
            <dd>
              <JsonView value={v} depth={depth + 1} />
            </dd>
          </div>
        ))}
      </dl>
    );
  }
  return <Scalar value={value} />;
}
