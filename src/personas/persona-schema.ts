import { z } from 'zod';

/**
 * The shape of a persona as kept on disk (one JSON file per built-in persona in
 * `personas/`) and in the database (custom personas). The profile is the product:
 * the system prompt is composed from it and it is never returned by the API.
 */
export const PERSONA_CATEGORIES = ['Generational', 'Professional', 'Lifestyle', 'Industry', 'Expert'] as const;
export type PersonaCategory = (typeof PERSONA_CATEGORIES)[number];

const text = z.string().min(1);
const list = z.array(text).min(1);
const score = z.number().int().min(0).max(100);
const level = z.enum(['low', 'medium', 'high']);

export const personaProfileSchema = z.object({
  demographics: z.object({
    age_range: text,
    generation: text.optional(),
    gender: text.optional(),
    life_stage: text,
    region: text,
    country: text,
    urbanicity: z.enum(['urban', 'suburban', 'rural', 'mixed']),
    income_bracket: text,
    education: text,
    occupation: text,
    household: text,
    culture: text,
  }),
  psychographics: z.object({
    values: list,
    interests: list,
    attitudes: list,
    big_five: z.object({
      openness: score,
      conscientiousness: score,
      extraversion: score,
      agreeableness: score,
      neuroticism: score,
    }),
  }),
  media: z.object({
    channels: list,
    platforms: list,
    trusted_sources: list,
    habits: text,
  }),
  buying_behavior: z.object({
    decision_style: text,
    price_sensitivity: level,
    brand_loyalty: level,
    research_habits: text,
    purchase_triggers: list,
    deal_breakers: list,
  }),
  communication: z.object({
    vocabulary: text,
    reading_level: text,
    tone: text,
    phrases: z.array(text).min(3),
    avoids: list,
  }),
  goals: list,
  pains: list,
  objections: list,
  statistics: z.array(z.object({ claim: text, source: text })),
});

/**
 * Custom personas. `pipeline_type` says how a custom persona was made:
 * north_star (name + description, the rest generated), intermediate (guided
 * fields, the rest filled in) or advanced (the full profile).
 */
export const PIPELINE_TYPES = ['north_star', 'intermediate', 'advanced'] as const;
export type PipelineType = (typeof PIPELINE_TYPES)[number];
export const PERSONA_TYPES = ['B2B', 'B2C'] as const;
export type PersonaType = (typeof PERSONA_TYPES)[number];
/** Awareness stages (Schwartz). */
export const BUYING_STAGES = ['UNAWARE', 'PROBLEM_AWARE', 'SOLUTION_AWARE', 'PRODUCT_AWARE', 'MOST_AWARE'] as const;
/** Roles in a B2B buying committee. */
export const DECISION_ROLES = ['ECONOMIC_BUYER', 'TECHNICAL_BUYER', 'USER_BUYER', 'CHAMPION', 'INFLUENCER', 'BLOCKER', 'GATEKEEPER'] as const;
export const MCDA_CRITERIA = ['price', 'timeToValue', 'risk', 'proof', 'support'] as const;

const guidedText = z.string().trim().min(1).max(500);
const guidedList = z.array(z.string().trim().min(1).max(300)).min(1).max(25);
const weight = z.number().min(0);

/**
 * Multi-criteria decision weights. Fractions summing to 1 (± 0.01) or
 * percentages summing to 100 (± 1).
 */
export const mcdaWeightsSchema = z
  .strictObject({ price: weight, timeToValue: weight, risk: weight, proof: weight, support: weight })
  .superRefine((w, ctx) => {
    const sum = w.price + w.timeToValue + w.risk + w.proof + w.support;
    if (Math.abs(sum - 1) > 0.01 && Math.abs(sum - 100) > 1) {
      ctx.addIssue({ code: 'custom', message: `the weights must sum to 1 (fractions) or 100 (percentages), got ${Math.round(sum * 1000) / 1000}` });
    }
  })
  .meta({ id: 'McdaWeights', description: 'Decision weights: fractions summing to 1 (±0.01) or percentages summing to 100 (±1).' });
export type McdaWeights = z.infer<typeof mcdaWeightsSchema>;

/**
 * The guided fields of the original API (B2B buying-committee fields and B2C
 * life fields). Every one is optional. Some are the same facts as profile
 * fields and are kept in the profile (see GUIDED_PROFILE_FIELDS); the rest
 * are stored beside it and shape the composed prompt.
 */
export const guidedDetailsSchema = z.object({
  persona_type: z.enum(PERSONA_TYPES).optional(),
  primary_use_case: guidedText.optional(),
  // B2B
  role_segment: guidedList.optional(),
  buying_stage: z.enum(BUYING_STAGES).optional(),
  decision_role: z.enum(DECISION_ROLES).optional(),
  primary_objectives: guidedList.optional(),
  mcda_weights: mcdaWeightsSchema.optional(),
  goals: guidedList.optional(),
  pains: guidedList.optional(),
  triggers: guidedList.optional(),
  channels: guidedList.optional(),
  proof_types: guidedList.optional(),
  alternatives: guidedList.optional(),
  win_factors: guidedList.optional(),
  objections: guidedList.optional(),
  values: guidedList.optional(),
  proof_preferences: guidedList.optional(),
  brand_voice_fit: guidedText.optional(),
  reading_level: guidedText.optional(),
  tone_guardrails: guidedList.optional(),
  role_title: guidedText.optional(),
  seniority: guidedText.optional(),
  industry: guidedText.optional(),
  company_size: guidedText.optional(),
  tech_stack: guidedList.optional(),
  budget_authority: guidedText.optional(),
  procurement_constraints: guidedList.optional(),
  committee_mapping: guidedList.optional(),
  // B2C
  life_stage: guidedText.optional(),
  age_band: guidedText.optional(),
  income_band: guidedText.optional(),
  household_context: guidedText.optional(),
  lifestyle_affinities: guidedList.optional(),
  purchase_cadence: guidedText.optional(),
});
export type GuidedDetails = z.infer<typeof guidedDetailsSchema>;
export type GuidedField = keyof GuidedDetails;

/**
 * Guided fields that are the same fact as a profile field: on write they set
 * the profile field; on read they are reported from it.
 */
export const GUIDED_PROFILE_FIELDS = {
  goals: 'goals',
  pains: 'pains',
  objections: 'objections',
  values: 'psychographics.values',
  lifestyle_affinities: 'psychographics.interests',
  triggers: 'buying_behavior.purchase_triggers',
  channels: 'media.channels',
  reading_level: 'communication.reading_level',
  life_stage: 'demographics.life_stage',
  age_band: 'demographics.age_range',
  income_band: 'demographics.income_bracket',
  household_context: 'demographics.household',
} as const satisfies Partial<Record<GuidedField, string>>;

export const personaSchema = z.object({
  id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'kebab-case id'),
  name: text,
  category: z.enum(PERSONA_CATEGORIES),
  description: text,
  is_expert: z.boolean(),
  created_at: z.number().int().positive(),
  profile: personaProfileSchema,
  /** Guided (B2B/B2C) fields beyond the profile; custom personas mostly. */
  guided: guidedDetailsSchema.optional(),
});

export type PersonaProfile = z.infer<typeof personaProfileSchema>;
export type PersonaRecord = z.infer<typeof personaSchema>;

/** What `GET /v1/personas` returns for a persona: never the profile or the prompt. */
export interface PersonaSummary {
  id: string;
  object: 'persona';
  name: string;
  category: PersonaCategory;
  description: string;
  is_custom: boolean;
  is_expert: boolean;
  created_at: number;
}
