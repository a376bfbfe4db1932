/** The persona library as the console needs it: every page of GET /v1/personas (bounded), refreshed on demand. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, query } from './client';
import type { ListPage, PersonaSummary } from './types';

export const CATEGORIES = ['Generational', 'Professional', 'Lifestyle', 'Industry', 'Expert'] as const;

/** At most this many pages of 100 are read: a workspace with more custom personas is searched on the server instead. */
const MAX_PAGES = 20;

export async function listAllPersonas(filters: { custom?: boolean } = {}): Promise<PersonaSummary[]> {
  const out: PersonaSummary[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const res = await api<ListPage<PersonaSummary>>(`/personas${query({ limit: 100, cursor, custom: filters.custom })}`);
    out.push(...res.data);
    if (!res.has_more || !res.next_cursor) break;
    cursor = res.next_cursor;
  }
  // The API pages by id; people look for a persona by its name.
  return out.sort(byName);
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

/** By display name (case and accents aside, numbers in order), then id. */
export function byName(a: PersonaSummary, b: PersonaSummary): number {
  return collator.compare(a.name, b.name) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

export function usePersonas() {
  const [personas, setPersonas] = useState<PersonaSummary[] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const reload = useCallback(() => {
    listAllPersonas()
      .then((p) => {
        setPersonas(p);
        setError(null);
      })
      .catch(setError);
  }, []);
  useEffect(reload, [reload]);
  return { personas, error, reload };
}

/** Client-side filter, the same rule as the server's search (every word in the name or description). */
export function filterPersonas(list: PersonaSummary[], f: { search: string; category: string; kind: 'all' | 'builtin' | 'custom'; expert?: boolean }): PersonaSummary[] {
  const words = f.search.toLowerCase().split(/\s+/).filter(Boolean);
  return list.filter((p) => {
    if (f.category && !(p.category === f.category || (f.category === 'Industry' && p.category === 'IndustrySpecific'))) return false;
    if (f.kind === 'builtin' && p.is_custom) return false;
    if (f.kind === 'custom' && !p.is_custom) return false;
    if (f.expert && !p.is_expert) return false;
    const hay = `${p.name} ${p.description} ${p.id}`.toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}
