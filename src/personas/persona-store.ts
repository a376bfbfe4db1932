/**
 * Personas visible to a workspace: the built-in library (custom personas are
 * stored per workspace in a later stage and merge in here).
 */
import type { PersonaCategory, PersonaRecord, PersonaSummary } from './persona-schema.js';

export interface PersonaListQuery {
  category?: string;
  search?: string;
  custom?: boolean;
  expert?: boolean;
  limit: number;
  after?: string;
}

export interface PersonaPage {
  data: PersonaSummary[];
  has_more: boolean;
  next_cursor?: string;
}

export interface PersonaStore {
  get(workspaceId: string, id: string): Promise<PersonaRecord | undefined>;
  list(workspaceId: string, query: PersonaListQuery): Promise<PersonaPage>;
  categories(): PersonaCategory[];
}

/** Categories accept the original API's spellings too (e.g. IndustrySpecific). */
function normalizeCategory(c: string): string {
  const k = c.toLowerCase().replace(/[^a-z]/g, '');
  return k === 'industryspecific' ? 'industry' : k;
}

export function summarize(p: PersonaRecord, isCustom = false): PersonaSummary {
  return {
    id: p.id,
    object: 'persona',
    name: p.name,
    category: p.category,
    description: p.description,
    is_custom: isCustom,
    is_expert: p.is_expert,
    created_at: p.created_at,
  };
}

export function createBuiltinPersonaStore(personas: PersonaRecord[]): PersonaStore {
  const byId = new Map(personas.map((p) => [p.id, p]));
  const sorted = [...personas].sort((a, b) => (a.id < b.id ? -1 : 1));
  return {
    async get(_workspaceId, id) {
      return byId.get(id);
    },
    async list(_workspaceId, q) {
      if (q.custom === true) return { data: [], has_more: false };
      const cat = q.category ? normalizeCategory(q.category) : undefined;
      const terms = q.search?.toLowerCase().split(/\s+/).filter(Boolean) ?? [];
      const matches = sorted.filter(
        (p) =>
          (!cat || normalizeCategory(p.category) === cat) &&
          (q.expert === undefined || p.is_expert === q.expert) &&
          (q.after === undefined || p.id > q.after) &&
          terms.every((t) => p.name.toLowerCase().includes(t) || p.description.toLowerCase().includes(t)),
      );
      const page = matches.slice(0, q.limit);
      const hasMore = matches.length > q.limit;
      const last = page[page.length - 1];
      return { data: page.map((p) => summarize(p)), has_more: hasMore, ...(hasMore && last ? { next_cursor: last.id } : {}) };
    },
    categories() {
      return [...new Set(personas.map((p) => p.category))];
    },
  };
}
