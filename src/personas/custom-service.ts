/**
 * The custom persona domain, HTTP-agnostic (the routes and the CLI call it):
 * create (north_star / intermediate / advanced), import, clone, update (a new
 * version), soft delete, read and export. Every refusal names its `param`
 * and happens before anything is written or charged; a create is stored and
 * debited in one transaction.
 */
import { ApiError } from '../errors/api-error.js';
import type { Logger } from '../logger.js';
import type { Engines } from '../responses/engines.js';
import { selectEngine } from '../responses/engines.js';
import { parseRequest } from '../schemas/validate.js';
import type { CustomPersonasStore } from '../storage/custom-personas-store.js';
import type { Clock } from '../util/ids.js';
import { checkConsistency, repairProfile, type CheckedField, type ConsistencyIssue } from './consistency.js';
import {
  clonePersonaRequest,
  createAdvancedRequest,
  createIntermediateRequest,
  createNorthStarRequest,
  customPersonaObject,
  exportDocument,
  isCustomId,
  ownGuided,
  patchPersonaRequest,
  PERSONA_CREDITS,
  personaExportDocument,
  pipelineOnly,
  splitDetails,
  type CustomPersona,
  type CustomPersonaChange,
  type CustomPersonaObject,
  type PersonaExport,
  type PersonaWarning,
} from './custom-persona.js';
import { applyGuided, categoryFor, deriveProfile, describeGuided, inferType, pickTemplate } from './derive.js';
import { generateProfile } from './generate.js';
import {
  GUIDED_PROFILE_FIELDS,
  guidedDetailsSchema,
  personaProfileSchema,
  type GuidedDetails,
  type PersonaCategory,
  type PersonaProfile,
  type PersonaRecord,
  type PersonaType,
  type PipelineType,
} from './persona-schema.js';
import type { PersonaStore } from './persona-store.js';

export interface PersonaCaller {
  workspaceId: string;
  /** The API key (null from the CLI). */
  keyId: string | null;
  /** Live callers are charged; test callers see the price but are not. */
  mode: 'live' | 'test';
}

export interface CustomPersonaServiceDeps {
  store: CustomPersonasStore;
  /** Built-in and custom personas (clone and export sources). */
  personas: PersonaStore;
  /** Templates for derived profiles. */
  builtins: readonly PersonaRecord[];
  /** The live engine generates north_star/intermediate profiles for live keys; without engines they are derived. */
  engines?: Engines;
  clock: Clock;
  logger: Logger;
  pricing?: { create: number; clone: number };
  /** Upper bound on a generation call (default 120 s). */
  generationTimeoutMs?: number;
}

const PROFILE_SECTIONS = ['demographics', 'psychographics', 'media', 'buying_behavior', 'communication', 'statistics', 'population'] as const;
const GUIDED_KEYS = Object.keys(guidedDetailsSchema.shape) as (keyof GuidedDetails)[];

/** Where each checked field came from in the request, for error params. */
type Sources = Map<CheckedField, string>;

/** Guided fields given at the top level and in `details` (top level wins), with where each came from. */
function collectGuided(body: Record<string, unknown>, details: Record<string, unknown> | undefined): { guided: GuidedDetails; sources: Sources } {
  const guided: Record<string, unknown> = {};
  const sources: Sources = new Map();
  const note = (key: string, param: string) => {
    const path = (GUIDED_PROFILE_FIELDS as Record<string, string>)[key];
    if (path) sources.set(path as CheckedField, param);
    else if (key === 'role_title') sources.set('demographics.occupation', param);
    else if (key === 'budget_authority' || key === 'decision_role' || key === 'seniority') sources.set(`guided.${key}`, param);
  };
  if (details) {
    const split = splitDetails(details).guided as Record<string, unknown>;
    for (const [k, v] of Object.entries(split)) {
      guided[k] = v;
      note(k, `details.${k}`);
    }
  }
  for (const k of GUIDED_KEYS) {
    if (body[k] === undefined) continue;
    guided[k] = body[k];
    note(k, k);
  }
  return { guided: guided as GuidedDetails, sources };
}

function paramOf(field: CheckedField, sources: Sources): string {
  return sources.get(field) ?? (field.startsWith('guided.') ? `details.${field.slice(7)}` : `details.${field}`);
}

function consistencyError(issue: ConsistencyIssue, sources: Sources, prefer?: ReadonlySet<CheckedField>): ApiError {
  const field = issue.fields.find((f) => prefer?.has(f)) ?? issue.fields.find((f) => sources.has(f)) ?? issue.fields[0]!;
  const param = paramOf(field, sources);
  return new ApiError('validation_error', `Inconsistent persona: ${issue.message} (rule ${issue.rule}). Change '${param}' or the field it conflicts with.`, { param });
}

function warningsOf(issues: ConsistencyIssue[], sources: Sources = new Map()): PersonaWarning[] {
  return issues.filter((i) => i.severity === 'warning').map((i) => ({ code: i.rule, message: i.message, param: paramOf(i.fields[0]!, sources) }));
}

function checkExpert(category: PersonaCategory, isExpert: boolean | undefined): boolean {
  if (category === 'Expert' && isExpert === false) throw new ApiError('validation_error', "Invalid value for 'is_expert': personas in category 'Expert' are experts; omit is_expert or set it to true.", { param: 'is_expert' });
  return isExpert ?? category === 'Expert';
}

/** Profile sections in `details` are only for the advanced pipeline. */
function rejectSections(details: unknown, pipeline: PipelineType): void {
  if (!details || typeof details !== 'object') return;
  const found = PROFILE_SECTIONS.find((k) => (details as Record<string, unknown>)[k] !== undefined && (details as Record<string, unknown>)[k] !== null);
  if (found) throw new ApiError('validation_error', `'details.${found}' is a profile section: pipeline_type '${pipeline}' takes guided fields only; use pipeline_type 'advanced' to give the full profile.`, { param: `details.${found}` });
}

/**
 * A guided alias (age_band, life_stage, values, …) and the profile field it
 * names, both given with different values: refused rather than guessing which
 * one the caller meant (e.g. an edited profile field beside a stale alias).
 */
function rejectAliasConflicts(guided: GuidedDetails, sources: Sources, sections: Record<string, unknown>): void {
  for (const [alias, path] of Object.entries(GUIDED_PROFILE_FIELDS)) {
    const value = (guided as Record<string, unknown>)[alias];
    if (value === undefined) continue;
    let nested: unknown = sections;
    for (const seg of path.split('.')) nested = nested && typeof nested === 'object' ? (nested as Record<string, unknown>)[seg] : undefined;
    if (nested !== undefined && JSON.stringify(nested) !== JSON.stringify(value)) {
      const param = sources.get(path as CheckedField) ?? `details.${alias}`;
      throw new ApiError('validation_error', `'${param}' and 'details.${path}' are the same field with different values; send one of them.`, { param });
    }
  }
}

/** Merges a partial profile into a full one: objects merge (big_five too), arrays and strings replace. */
function mergeProfile(base: PersonaProfile, patch: Record<string, unknown>): PersonaProfile {
  const out = structuredClone(base) as unknown as Record<string, unknown>;
  for (const key of [...PROFILE_SECTIONS, 'goals', 'pains', 'objections'] as const) {
    const v = patch[key];
    if (v === undefined) continue;
    if (Array.isArray(v) || typeof v !== 'object' || v === null) {
      out[key] = structuredClone(v);
      continue;
    }
    const section = { ...(out[key] as Record<string, unknown>) };
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (x === undefined) continue;
      section[k] = k === 'big_five' && typeof x === 'object' ? { ...(section[k] as Record<string, unknown>), ...(x as Record<string, unknown>) } : structuredClone(x);
    }
    out[key] = section;
  }
  return out as unknown as PersonaProfile;
}

/** Profile paths (as CheckedField) a partial profile sets. */
function touchedPaths(patch: Record<string, unknown>): Set<CheckedField> {
  const out = new Set<CheckedField>();
  const d = patch.demographics;
  if (d && typeof d === 'object') for (const k of Object.keys(d)) out.add(`demographics.${k}` as CheckedField);
  return out;
}

function yearOf(clock: Clock): number {
  return new Date(clock.now()).getUTCFullYear();
}

export function createCustomPersonaService(deps: CustomPersonaServiceDeps) {
  const pricing = deps.pricing ?? PERSONA_CREDITS;

  async function store(
    caller: PersonaCaller,
    p: Omit<CustomPersonaChange, 'profile'> & { profile: PersonaProfile; pipeline_type: PipelineType; cloned_from: string | null },
    price: number,
    operation: string,
    warnings: PersonaWarning[],
  ): Promise<CustomPersonaObject> {
    const checked = personaProfileSchema.safeParse(p.profile);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      throw new ApiError('validation_error', `Invalid persona profile at 'details.${issue?.path.join('.') ?? ''}': ${issue?.message ?? 'invalid'}.`, { param: `details.${issue?.path.join('.') ?? ''}` });
    }
    const { persona } = await deps.store.create(
      {
        workspaceId: caller.workspaceId,
        name: p.name,
        category: p.category,
        description: p.description,
        is_expert: p.is_expert,
        type: p.type,
        profile: checked.data,
        guided: ownGuided(p.guided),
        pipeline_type: p.pipeline_type,
        cloned_from: p.cloned_from,
        credits_charged: price,
        created_by_key: caller.keyId,
      },
      caller.mode === 'live'
        ? { charge: { amount: price, operation, keyId: caller.keyId, reason: `${operation.replace('persona_', '')} custom persona '${p.name.slice(0, 80)}'` } }
        : { test: { operation, keyId: caller.keyId } },
    );
    deps.logger.info('persona.created', { persona_id: persona.id, workspace_id: caller.workspaceId, pipeline_type: persona.pipeline_type, credits: caller.mode === 'live' ? price : 0 });
    return customPersonaObject(persona, warnings);
  }

  /** north_star and intermediate: generate (live) or derive (test), then repair what was not given. */
  async function createGenerated(caller: PersonaCaller, raw: Record<string, unknown>, pipeline: 'north_star' | 'intermediate', signal?: AbortSignal): Promise<CustomPersonaObject> {
    rejectSections(raw.details, pipeline);
    const body = pipeline === 'north_star' ? parseRequest(createNorthStarRequest, raw) : parseRequest(createIntermediateRequest, raw);
    const { guided, sources } = collectGuided(body as Record<string, unknown>, body.details as Record<string, unknown> | undefined);
    if (pipeline === 'intermediate' && Object.keys(guided).filter((k) => k !== 'persona_type').length === 0) {
      throw new ApiError('invalid_request', "pipeline_type 'intermediate' needs guided fields: e.g. role_segment, buying_stage, decision_role, goals, pains (B2B) or life_stage, age_band, income_band (B2C).", { param: 'role_segment' });
    }
    const description = body.description ?? '';
    const text = `${body.name}. ${description}`;
    const type: PersonaType = body.type ?? guided.persona_type ?? inferType(text, guided);
    const year = yearOf(deps.clock);

    let profile: PersonaProfile | null = null;
    let anchored = new Set<CheckedField>();
    let category: PersonaCategory;
    if (caller.mode === 'live' && deps.engines) {
      const provider = selectEngine(deps.engines, 'live');
      const timeout = AbortSignal.timeout(deps.generationTimeoutMs ?? 120_000);
      profile = await generateProfile(provider, { workspaceId: caller.workspaceId, name: body.name, description: description || `(from the guided fields) ${JSON.stringify(guided)}`, type, guided }, signal ? AbortSignal.any([signal, timeout]) : timeout);
      if (profile) applyGuided(profile, guided, { derived: false, occupation: true });
      else deps.logger.warn('persona.generation_unusable', { workspace_id: caller.workspaceId, engine: provider.name });
      category = categoryFor(pickTemplate(deps.builtins, body.name, `${text} ${JSON.stringify(guided)}`, type), text, type);
    }
    if (!profile) {
      const derived = deriveProfile(deps.builtins, { name: body.name, description, type, guided }, year);
      profile = derived.profile;
      anchored = derived.anchored;
      category = derived.category;
    }
    const given = new Set(sources.keys());
    const guidedCopy: GuidedDetails = structuredClone(guided);
    const repair = repairProfile(profile, guidedCopy, year, given, anchored);
    const blocking = repair.unrepairable[0];
    if (blocking) throw consistencyError(blocking, sources);
    if (repair.repaired.length) deps.logger.debug('persona.repaired', { fields: repair.repaired.map((r) => `${r.field}:${r.rule}`).join(',') });
    const finalCategory = body.category ?? category!;
    return store(
      caller,
      {
        name: body.name,
        description: description || describeGuided(type, guidedCopy, profile),
        category: finalCategory,
        is_expert: checkExpert(finalCategory, body.is_expert),
        type,
        profile,
        guided: guidedCopy,
        pipeline_type: pipeline,
        cloned_from: null,
      },
      pricing.create,
      'persona_create',
      warningsOf(repair.warnings, sources),
    );
  }

  /** advanced (and import): the caller's full profile, validated and checked; inconsistencies are refused. */
  async function createAdvanced(caller: PersonaCaller, raw: Record<string, unknown>, recordAs: PipelineType, operation: string): Promise<CustomPersonaObject> {
    const body = parseRequest(createAdvancedRequest, raw);
    const { sections } = splitDetails(body.details as Record<string, unknown>);
    const profile = structuredClone(personaProfileSchema.parse(sections));
    const { guided, sources } = collectGuided(body as Record<string, unknown>, body.details as Record<string, unknown>);
    rejectAliasConflicts(guided, sources, sections as Record<string, unknown>);
    applyGuided(profile, guided, { derived: false, occupation: false });
    const text = `${body.name}. ${body.description}`;
    const type: PersonaType = body.type ?? guided.persona_type ?? inferType(`${text} ${profile.demographics.occupation}`, guided);
    const issues = checkConsistency(profile, guided, yearOf(deps.clock));
    const blocking = issues.find((i) => i.severity === 'error');
    if (blocking) throw consistencyError(blocking, sources);
    const category = body.category ?? categoryFor(pickTemplate(deps.builtins, body.name, `${text} ${profile.demographics.occupation}`, type), text, type);
    return store(
      caller,
      { name: body.name, description: body.description, category, is_expert: checkExpert(category, body.is_expert), type, profile, guided, pipeline_type: recordAs, cloned_from: null },
      pricing.create,
      operation,
      warningsOf(issues, sources),
    );
  }

  async function source(workspaceId: string, id: string) {
    const p = await deps.personas.get(workspaceId, id);
    if (!p) throw notFound(id);
    return p;
  }

  async function mustBeCustom(workspaceId: string, id: string, verb: string): Promise<void> {
    if (isCustomId(id)) return;
    if (await deps.personas.get(workspaceId, id)) {
      throw new ApiError('invalid_request', `Persona '${id}' is built in and cannot be ${verb}. Clone it with POST /v1/personas/${id}/clone and ${verb === 'deleted' ? 'delete' : 'change'} the copy.`, { param: 'persona_id' });
    }
    throw notFound(id);
  }

  return {
    async create(caller: PersonaCaller, raw: unknown, signal?: AbortSignal): Promise<CustomPersonaObject> {
      const { pipeline_type } = parseRequest(pipelineOnly, raw);
      const body = raw as Record<string, unknown>;
      if (pipeline_type === 'advanced') return createAdvanced(caller, body, 'advanced', 'persona_create');
      return createGenerated(caller, body, pipeline_type, signal);
    },

    /**
     * POST /v1/personas/import: an export document (or an advanced create body),
     * validated as an advanced create; its pipeline_type is kept as provenance.
     */
    async import(caller: PersonaCaller, raw: unknown, operation = 'persona_import'): Promise<CustomPersonaObject> {
      const doc = parseRequest(personaExportDocument, raw);
      const { object: _o, format_version: _f, pipeline_type, ...rest } = doc;
      return createAdvanced(caller, { ...(raw as Record<string, unknown>), ...rest, pipeline_type: 'advanced' }, pipeline_type ?? 'advanced', operation);
    },

    async clone(caller: PersonaCaller, id: string, raw: unknown): Promise<CustomPersonaObject> {
      const body = parseRequest(clonePersonaRequest, raw ?? {});
      const src = await source(caller.workspaceId, id);
      const profile = structuredClone(src.profile);
      const guided = structuredClone(ownGuided(src.guided ?? {}));
      const type: PersonaType = src.custom?.type ?? src.guided?.persona_type ?? inferType(`${src.name}. ${src.description} ${src.profile.demographics.occupation}`, guided);
      // A copy of a consistent profile stays consistent; a built-in written years ago may have drifted (generation vs age): re-derive quietly.
      const repair = repairProfile(profile, guided, yearOf(deps.clock), new Set());
      const category = body.category ?? src.category;
      return store(
        caller,
        {
          name: body.name ?? `${src.name} (copy)`,
          description: body.description ?? src.description,
          category,
          is_expert: checkExpert(category, body.is_expert ?? (body.category === undefined ? src.is_expert : undefined)),
          type,
          profile,
          guided,
          pipeline_type: src.custom?.pipeline_type ?? 'advanced',
          cloned_from: src.id,
        },
        pricing.clone,
        'persona_clone',
        warningsOf(repair.warnings),
      );
    },

    /** PATCH: a new version from the current one with the changes applied; inconsistent results are refused. */
    async update(caller: PersonaCaller, id: string, raw: unknown): Promise<CustomPersonaObject> {
      await mustBeCustom(caller.workspaceId, id, 'changed');
      const body = parseRequest(patchPersonaRequest, raw);
      const details = (body.details ?? {}) as Record<string, unknown>;
      const hasChange = ['name', 'description', 'category', 'is_expert', 'type'].some((k) => (body as Record<string, unknown>)[k] !== undefined) || Object.keys(details).some((k) => k !== 'pipeline_type' && details[k] !== undefined);
      if (!hasChange) throw new ApiError('invalid_request', 'Nothing to change: send name, description, category, is_expert, type or details fields.', { param: 'details' });
      const { guided: guidedPatch, sources } = collectGuided({}, details);
      rejectAliasConflicts(guidedPatch, sources, splitDetails(details).sections as Record<string, unknown>);
      const touched = new Set<CheckedField>([...touchedPaths(details), ...sources.keys()]);
      for (const path of touchedPaths(details)) if (!sources.has(path)) sources.set(path, `details.${path}`);
      const year = yearOf(deps.clock);
      let warnings: PersonaWarning[] = [];
      const result = await deps.store.update(caller.workspaceId, id, (current) => {
        const profile = mergeProfile(current.profile, splitDetails(details).sections as Record<string, unknown>);
        const occupationGiven = typeof details.demographics === 'object' && details.demographics !== null && 'occupation' in details.demographics;
        applyGuided(profile, guidedPatch, { derived: false, occupation: !occupationGiven });
        const guided = ownGuided({ ...current.guided, ...guidedPatch });
        const type: PersonaType = body.type ?? guidedPatch.persona_type ?? current.type;
        const checked = personaProfileSchema.safeParse(profile);
        if (!checked.success) {
          const issue = checked.error.issues[0];
          const param = `details.${issue?.path.join('.') ?? ''}`;
          throw new ApiError('validation_error', `Invalid value for '${param}': ${issue?.message ?? 'invalid'}.`, { param });
        }
        const issues = checkConsistency(checked.data, guided, year);
        const blocking = issues.find((i) => i.severity === 'error');
        if (blocking) throw consistencyError(blocking, sources, touched);
        warnings = warningsOf(issues, sources);
        const category = body.category ?? current.category;
        const change: CustomPersonaChange = {
          name: body.name ?? current.name,
          description: body.description ?? current.description,
          category,
          is_expert: checkExpert(category, body.is_expert ?? (category === current.category ? current.is_expert : undefined)),
          type,
          profile: checked.data,
          guided,
        };
        const same = JSON.stringify([change.name, change.description, change.category, change.is_expert, change.type, change.profile, change.guided]) === JSON.stringify([current.name, current.description, current.category, current.is_expert, current.type, current.profile, current.guided]);
        return same ? null : change;
      });
      if (!result) throw notFound(id);
      return customPersonaObject(result.persona, warnings);
    },

    async delete(caller: PersonaCaller, id: string): Promise<{ id: string; object: 'custom_persona'; deleted: true }> {
      await mustBeCustom(caller.workspaceId, id, 'deleted');
      if (!(await deps.store.softDelete(caller.workspaceId, id))) throw notFound(id);
      deps.logger.info('persona.deleted', { persona_id: id, workspace_id: caller.workspaceId });
      return { id, object: 'custom_persona', deleted: true };
    },

    /** A custom persona (optionally an earlier version), or undefined when `id` is not a custom id. */
    async getCustom(caller: PersonaCaller, id: string, version?: number): Promise<CustomPersonaObject | undefined> {
      if (!isCustomId(id)) return undefined;
      const p: CustomPersona | undefined = await deps.store.get(caller.workspaceId, id, version !== undefined ? { version } : {});
      if (!p) throw notFound(id, version);
      return customPersonaObject(p, warningsOf(checkConsistency(p.profile, p.guided, yearOf(deps.clock))));
    },

    async export(caller: PersonaCaller, id: string): Promise<PersonaExport> {
      const p = await source(caller.workspaceId, id);
      const guided = ownGuided(p.guided ?? {});
      return exportDocument({
        name: p.name,
        category: p.category,
        description: p.description,
        is_expert: p.is_expert,
        pipeline_type: p.custom?.pipeline_type ?? 'advanced',
        type: p.custom?.type ?? p.guided?.persona_type ?? inferType(`${p.name}. ${p.description} ${p.profile.demographics.occupation}`, guided),
        profile: p.profile,
        guided,
      });
    },
  };
}

export function notFound(id: string, version?: number): ApiError {
  return new ApiError('persona_not_found', version !== undefined ? `Persona '${id}' has no version ${version}.` : `Persona '${id}' not found. List personas with GET /v1/personas to find valid ids.`, { param: 'persona_id' });
}

export type CustomPersonaService = ReturnType<typeof createCustomPersonaService>;
