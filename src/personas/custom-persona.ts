/**
 * Custom personas: the stored record, the request bodies (zod, also rendered
 * into /openapi.json) and the views the API returns. A custom persona is a
 * profile (the same schema as the built-in library's) plus the guided fields
 * beyond it, versioned: every PATCH stores a new version.
 */
import { z } from 'zod';
import {
  GUIDED_PROFILE_FIELDS,
  guidedDetailsSchema,
  PERSONA_CATEGORIES,
  PERSONA_TYPES,
  personaProfileSchema,
  PIPELINE_TYPES,
  type GuidedDetails,
  type PersonaCategory,
  type PersonaProfile,
  type PersonaType,
  type PipelineType,
} from './persona-schema.js';

/** Credits a custom persona costs (charged to live keys; test keys see the figure but are never charged). */
export const PERSONA_CREDITS = {
  /** POST /v1/personas (any pipeline) and POST /v1/personas/import. */
  create: 300,
  /** POST /v1/personas/{id}/clone: a copy, no generation. */
  clone: 100,
} as const;

/** Ids of custom personas: `cp_<24 hex>` (built-in ids are kebab-case, so the two never collide). */
export const CUSTOM_ID_PREFIX = 'cp';
export const isCustomId = (id: string): boolean => id.startsWith(`${CUSTOM_ID_PREFIX}_`);

export interface CustomPersona {
  id: string;
  workspace_id: string;
  name: string;
  category: PersonaCategory;
  description: string;
  is_expert: boolean;
  pipeline_type: PipelineType;
  type: PersonaType;
  version: number;
  profile: PersonaProfile;
  /** Guided fields that are not profile fields (see GUIDED_PROFILE_FIELDS). */
  guided: GuidedDetails;
  cloned_from: string | null;
  credits_charged: number;
  created_by_key: string | null;
  created_at: number;
  /** When this version was written. */
  updated_at: number;
  deleted_at: number | null;
}

/** What a new version may change. */
export interface CustomPersonaChange {
  name: string;
  category: PersonaCategory;
  description: string;
  is_expert: boolean;
  type: PersonaType;
  profile: PersonaProfile;
  guided: GuidedDetails;
}

// ------------------------------------------------------------ request bodies

const name = z.string().trim().min(1).max(120).meta({ description: 'Display name, 1–120 characters.' });
const description = z.string().trim().min(1).max(2000);
/** Categories accept the original API's spelling IndustrySpecific too. */
const category = z
  .enum([...PERSONA_CATEGORIES, 'IndustrySpecific'])
  .transform((c): PersonaCategory => (c === 'IndustrySpecific' ? 'Industry' : c))
  .meta({ description: 'Generational, Professional, Lifestyle, Industry (or IndustrySpecific), Expert. Default: derived.' });

const guidedShape = guidedDetailsSchema.shape;

/** Profile sections allowed in `details` (advanced: required; PATCH: partial). */
const PROFILE_KEYS = ['demographics', 'psychographics', 'media', 'buying_behavior', 'communication', 'goals', 'pains', 'objections', 'statistics', 'population'] as const;

/** `details` of an advanced create/import: the full profile, plus any guided fields. */
export const advancedDetailsSchema = guidedDetailsSchema
  .extend({ ...personaProfileSchema.shape, pipeline_type: z.enum(PIPELINE_TYPES).optional() })
  .meta({ id: 'PersonaDetails', description: 'The full persona profile (demographics, psychographics, media, buying_behavior, communication, goals, pains, objections, statistics, optional population) plus optional guided fields.' });

/** Guided-only `details` (north_star, intermediate). */
const guidedOnlyDetails = guidedDetailsSchema.extend({ pipeline_type: z.enum(PIPELINE_TYPES).optional() });

const common = {
  name,
  category: category.optional(),
  is_expert: z.boolean().optional().meta({ description: "Default: true for category 'Expert'." }),
  type: z.enum(PERSONA_TYPES).optional().meta({ description: 'B2B or B2C. Default: derived from the fields given.' }),
  ...guidedShape,
};

export const createNorthStarRequest = z
  .object({ pipeline_type: z.literal('north_star'), description, ...common, details: guidedOnlyDetails.optional() })
  .meta({ id: 'CreatePersonaNorthStar', description: 'Name and description; the rest of the profile is generated.' });
export const createIntermediateRequest = z
  .object({ pipeline_type: z.literal('intermediate'), description: description.optional(), ...common, type: z.enum(PERSONA_TYPES), details: guidedOnlyDetails.optional() })
  .meta({ id: 'CreatePersonaIntermediate', description: 'Guided fields (role_segment, buying_stage, decision_role, mcda_weights, goals, pains, … or the B2C life fields); the rest is filled in.' });
export const createAdvancedRequest = z
  .object({ pipeline_type: z.literal('advanced'), description, ...common, details: advancedDetailsSchema })
  .meta({ id: 'CreatePersonaAdvanced', description: 'The full profile in details, validated field by field.' });

/** POST /v1/personas, for /openapi.json (the route parses by pipeline_type first, then with the matching schema). */
export const createPersonaRequest = z
  .discriminatedUnion('pipeline_type', [createNorthStarRequest, createIntermediateRequest, createAdvancedRequest])
  .meta({ id: 'CreatePersonaRequest' });

export const pipelineOnly = z.object({ pipeline_type: z.enum(PIPELINE_TYPES) });

export type CreateNorthStar = z.infer<typeof createNorthStarRequest>;
export type CreateIntermediate = z.infer<typeof createIntermediateRequest>;
export type CreateAdvanced = z.infer<typeof createAdvancedRequest>;
export type CreatePersonaInput = CreateNorthStar | CreateIntermediate | CreateAdvanced;

/** The portable document of GET /v1/personas/{id}/export, accepted by POST /v1/personas/import. */
export const personaExportDocument = z
  .object({
    object: z.literal('persona.export').optional(),
    format_version: z.literal(1).optional(),
    name,
    category: category.optional(),
    description,
    is_expert: z.boolean().optional(),
    pipeline_type: z.enum(PIPELINE_TYPES).optional().meta({ description: 'How the persona was first made; kept as provenance. Import always validates the full profile.' }),
    type: z.enum(PERSONA_TYPES).optional(),
    details: advancedDetailsSchema,
  })
  .meta({ id: 'PersonaExport' });
export type PersonaExportInput = z.infer<typeof personaExportDocument>;

const partialProfileSections = {
  demographics: personaProfileSchema.shape.demographics.partial().optional(),
  psychographics: personaProfileSchema.shape.psychographics
    .extend({ big_five: personaProfileSchema.shape.psychographics.shape.big_five.partial() })
    .partial()
    .optional(),
  media: personaProfileSchema.shape.media.partial().optional(),
  buying_behavior: personaProfileSchema.shape.buying_behavior.partial().optional(),
  communication: personaProfileSchema.shape.communication.partial().optional(),
  goals: personaProfileSchema.shape.goals.optional(),
  pains: personaProfileSchema.shape.pains.optional(),
  objections: personaProfileSchema.shape.objections.optional(),
  statistics: personaProfileSchema.shape.statistics.optional(),
  /** Replaces the dimensions it names (age, gender, …, traits) and keeps the others. */
  population: personaProfileSchema.shape.population,
};

export const patchDetailsSchema = guidedDetailsSchema
  .extend({ pipeline_type: z.enum(PIPELINE_TYPES).optional().meta({ description: 'Accepted and ignored: a persona keeps the pipeline it was created with.' }), ...partialProfileSections })
  .meta({ id: 'PatchPersonaDetails', description: 'Guided fields and/or profile sections to change; objects merge, arrays and strings replace.' });

export const patchPersonaRequest = z
  .object({
    name: name.optional(),
    description: description.optional(),
    category: category.optional(),
    is_expert: z.boolean().optional(),
    type: z.enum(PERSONA_TYPES).optional(),
    details: patchDetailsSchema.optional(),
  })
  .meta({ id: 'PatchPersonaRequest' });
export type PatchPersonaInput = z.infer<typeof patchPersonaRequest>;

export const clonePersonaRequest = z
  .object({ name: name.optional(), description: description.optional(), category: category.optional(), is_expert: z.boolean().optional() })
  .meta({ id: 'ClonePersonaRequest', description: 'Optional overrides; the body may be empty.' });
export type ClonePersonaInput = z.infer<typeof clonePersonaRequest>;

export const getPersonaQuery = z
  .object({ version: z.coerce.number().int().min(1).optional().meta({ description: 'A custom persona’s earlier version (default: the current one).' }) })
  .meta({ id: 'GetPersonaQuery' });

// ------------------------------------------------------------ views

/** A guided field's value as kept in the profile (for GUIDED_PROFILE_FIELDS). */
function profileValue(profile: PersonaProfile, path: string): unknown {
  let cur: unknown = profile;
  for (const seg of path.split('.')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
  return cur;
}

/** Sets a profile field by dotted path (the path exists in every valid profile). */
export function setProfileValue(profile: PersonaProfile, path: string, value: unknown): void {
  const segs = path.split('.');
  let cur = profile as unknown as Record<string, unknown>;
  for (const seg of segs.slice(0, -1)) cur = cur[seg] as Record<string, unknown>;
  cur[segs[segs.length - 1]!] = value;
}

/** The profile with the guided fields mirrored in, as `details`. */
export function detailsOf(profile: PersonaProfile, guided: GuidedDetails, type: PersonaType): Record<string, unknown> {
  const mirrored: Record<string, unknown> = {};
  for (const [field, path] of Object.entries(GUIDED_PROFILE_FIELDS)) mirrored[field] = profileValue(profile, path);
  return { ...profile, ...mirrored, ...guided, persona_type: type };
}

export interface PersonaWarning {
  code: string;
  message: string;
  param: string;
}

export interface CustomPersonaObject {
  id: string;
  object: 'custom_persona';
  name: string;
  category: PersonaCategory;
  description: string;
  pipeline_type: PipelineType;
  type: PersonaType;
  is_custom: true;
  is_expert: boolean;
  created_at: number;
  updated_at: number;
  version: number;
  credits_charged: number;
  cloned_from: string | null;
  details: Record<string, unknown>;
  warnings: PersonaWarning[];
}

export function customPersonaObject(p: CustomPersona, warnings: PersonaWarning[] = []): CustomPersonaObject {
  return {
    id: p.id,
    object: 'custom_persona',
    name: p.name,
    category: p.category,
    description: p.description,
    pipeline_type: p.pipeline_type,
    type: p.type,
    is_custom: true,
    is_expert: p.is_expert,
    created_at: p.created_at,
    updated_at: p.updated_at,
    version: p.version,
    credits_charged: p.credits_charged,
    cloned_from: p.cloned_from,
    details: detailsOf(p.profile, p.guided, p.type),
    warnings,
  };
}

export interface PersonaExport {
  object: 'persona.export';
  format_version: 1;
  name: string;
  category: PersonaCategory;
  description: string;
  is_expert: boolean;
  pipeline_type: PipelineType;
  type: PersonaType;
  details: Record<string, unknown>;
}

export function exportDocument(p: { name: string; category: PersonaCategory; description: string; is_expert: boolean; pipeline_type: PipelineType; type: PersonaType; profile: PersonaProfile; guided: GuidedDetails }): PersonaExport {
  return {
    object: 'persona.export',
    format_version: 1,
    name: p.name,
    category: p.category,
    description: p.description,
    is_expert: p.is_expert,
    pipeline_type: p.pipeline_type,
    type: p.type,
    // The profile and the guided fields beyond it; not the aliases GET adds (age_band, …), which would repeat profile fields.
    details: { ...p.profile, ...p.guided },
  };
}

/** Splits `details`-like input into profile sections, mirrored guided fields and the other guided fields. */
export function splitDetails(details: Record<string, unknown>): { sections: Partial<Record<(typeof PROFILE_KEYS)[number], unknown>>; guided: GuidedDetails } {
  const sections: Partial<Record<(typeof PROFILE_KEYS)[number], unknown>> = {};
  const guided: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(details)) {
    if (v === undefined || k === 'pipeline_type') continue;
    if ((PROFILE_KEYS as readonly string[]).includes(k)) sections[k as (typeof PROFILE_KEYS)[number]] = v;
    if (k in guidedShape) guided[k] = v;
  }
  return { sections, guided: guided as GuidedDetails };
}

/** Guided fields that are not kept in the profile. */
export function ownGuided(guided: GuidedDetails): GuidedDetails {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(guided)) if (v !== undefined && !(k in GUIDED_PROFILE_FIELDS) && k !== 'persona_type') out[k] = v;
  return out as GuidedDetails;
}

// ------------------------------------------------------------ response schema (for /openapi.json)

export const customPersonaSchema = z
  .object({
    id: z.string().meta({ description: 'cp_<hex>' }),
    object: z.literal('custom_persona'),
    name: z.string(),
    category: z.enum(PERSONA_CATEGORIES),
    description: z.string(),
    pipeline_type: z.enum(PIPELINE_TYPES),
    type: z.enum(PERSONA_TYPES),
    is_custom: z.literal(true),
    is_expert: z.boolean(),
    created_at: z.number().int(),
    updated_at: z.number().int().meta({ description: 'When this version was written.' }),
    version: z.number().int().meta({ description: '1 at creation; every PATCH adds one. Responses record the version they used in persona_version.' }),
    credits_charged: z.number().int().meta({ description: 'Credits the creation cost (test keys: reported, never charged).' }),
    cloned_from: z.string().nullable(),
    details: z.record(z.string(), z.unknown()).meta({ description: 'The profile plus the guided fields. The composed prompt is never returned.' }),
    warnings: z.array(z.object({ code: z.string(), message: z.string(), param: z.string() })).meta({ description: 'Unusual but allowed combinations (see docs/personas.md, Custom personas).' }),
  })
  .meta({ id: 'CustomPersona' });

export const deletedPersonaSchema = z.object({ id: z.string(), object: z.literal('custom_persona'), deleted: z.literal(true) }).meta({ id: 'DeletedPersona' });
