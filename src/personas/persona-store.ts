/**
 * Personas visible to a workspace: the built-in library, merged with the
 * workspace's custom personas (mergePersonaStores) into one id-sorted,
 * cursor-paged list.
 */
import { PERSONA_CATEGORIES, type PersonaCategory, type PersonaRecord, type PersonaSummary, type PersonaType, type PipelineType } from './persona-schema.js';
import { isCustomId, type CustomPersona } from './custom-persona.js';

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

export interface PersonaGetOptions {
  /** Resolve a soft-deleted custom persona too (a conversation that already used it). */
  includeDeleted?: boolean;
  /** A custom persona's earlier version. */
  version?: number;
}

/** What a custom persona adds to its record. */
export interface CustomPersonaMeta {
  version: number;
  pipeline_type: PipelineType;
  type: PersonaType;
  deleted_at: number | null;
}

/** A persona as requests use it; `custom` is set for custom personas. */
export type ResolvedPersona = PersonaRecord & { custom?: CustomPersonaMeta };

export interface PersonaStore {
  get(workspaceId: string, id: string, options?: PersonaGetOptions): Promise<ResolvedPersona | undefined>;
  list(workspaceId: string, query: PersonaListQuery): Promise<PersonaPage>;
  categories(): PersonaCategory[];
  /** The built-in records (templates for generated custom personas). */
  records?(): readonly PersonaRecord[];
}

/** The custom persona store as the merged store reads it. */
export interface CustomPersonaSource {
  get(workspaceId: string, id: string, options?: PersonaGetOptions): Promise<CustomPersona | undefined>;
  list(workspaceId: string, q: { limit: number; after?: string; category?: string; search?: string; expert?: boolean }): Promise<{ data: CustomPersona[]; has_more: boolean }>;
}

/** Categories accept the original API's spellings too (e.g. IndustrySpecific). */
function normalizeCategory(c: string): string {
  const k = c.toLowerCase().replace(/[^a-z]/g, '');
  return k === 'industryspecific' ? 'industry' : k;
}

/** The canonical category a query names, or undefined when it names none. */
export function canonicalCategory(c: string): PersonaCategory | undefined {
  const k = normalizeCategory(c);
  return PERSONA_CATEGORIES.find((x) => normalizeCategory(x) === k);
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
    records() {
      return personas;
    },
  };
}

/** A custom persona as a record requests can use (the prompt composes from it like a built-in's). */
export function customToRecord(c: CustomPersona): ResolvedPersona {
  return {
    id: c.id,
    name: c.name,
    category: c.category,
    description: c.description,
    is_expert: c.is_expert,
    created_at: c.created_at,
    profile: c.profile,
    guided: { ...c.guided, persona_type: c.type },
    custom: { version: c.version, pipeline_type: c.pipeline_type, type: c.type, deleted_at: c.deleted_at },
  };
}

export function summarizeCustom(c: CustomPersona): PersonaSummary {
  return { id: c.id, object: 'persona', name: c.name, category: c.category, description: c.description, is_custom: true, is_expert: c.is_expert, created_at: c.created_at };
}

/**
 * Built-in and custom personas as one store: `get` resolves either; `list`
 * merges both in id order (byte order; custom ids are `cp_…`), one cursor
 * over both, `custom=true|false` picking one side.
 */
export function mergePersonaStores(builtin: PersonaStore, custom: CustomPersonaSource): PersonaStore {
  return {
    async get(workspaceId, id, options = {}) {
      if (!isCustomId(id)) return options.version === undefined ? builtin.get(workspaceId, id) : undefined;
      const c = await custom.get(workspaceId, id, options);
      return c ? customToRecord(c) : undefined;
    },
    async list(workspaceId, q) {
      const builtinPage: PersonaPage = q.custom === true ? { data: [], has_more: false } : await builtin.list(workspaceId, { ...q, custom: false });
      let customPage: { data: PersonaSummary[]; has_more: boolean } = { data: [], has_more: false };
      const category = q.category !== undefined ? canonicalCategory(q.category) : undefined;
      if (q.custom !== false && (q.category === undefined || category !== undefined)) {
        const page = await custom.list(workspaceId, {
          limit: q.limit,
          ...(q.after !== undefined ? { after: q.after } : {}),
          ...(category !== undefined ? { category } : {}),
          ...(q.search !== undefined ? { search: q.search } : {}),
          ...(q.expert !== undefined ? { expert: q.expert } : {}),
        });
        customPage = { data: page.data.map(summarizeCustom), has_more: page.has_more };
      }
      const merged = [...builtinPage.data, ...customPage.data].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      const data = merged.slice(0, q.limit);
      const hasMore = merged.length > q.limit || builtinPage.has_more || customPage.has_more;
      const last = data[data.length - 1];
      return { data, has_more: hasMore, ...(hasMore && last ? { next_cursor: last.id } : {}) };
    },
    categories() {
      return builtin.categories();
    },
    ...(builtin.records ? { records: () => builtin.records!() } : {}),
  };
}
