import { z } from 'zod';
import { PERSONA_FIELD_LIMITS } from '../limits/request-limits.js';

/**
 * The shape of a persona as kept on disk (one JSON file per built-in persona in
 * `personas/`) and in the database (custom personas). The profile is the product:
 * the system prompt is composed from it and it is never returned by the API.
 */
export const PERSONA_CATEGORIES = ['Generational', 'Professional', 'Lifestyle', 'Industry', 'Expert'] as const;
export type PersonaCategory = (typeof PERSONA_CATEGORIES)[number];

// Bounded: custom personas are written by clients (PERSONA_FIELD_LIMITS says why these sizes).
const text = z.string().min(1).max(PERSONA_FIELD_LIMITS.text);
const item = z.string().min(1).max(PERSONA_FIELD_LIMITS.item);
const list = z.array(item).min(1).max(PERSONA_FIELD_LIMITS.items);
const score = z.number().int().min(0).max(100);
const level = z.enum(['low', 'medium', 'high']);

/**
 * A public statistic a persona rests on: the figure and the group it describes
 * in `claim`, the publisher in `source`, and (built-in personas always) the
 * year of the data and the publisher's page.
 */
export const statisticSchema = z.object({
  claim: text,
  source: text,
  year: z.number().int().min(1900).max(2100).optional(),
  url: z.url({ protocol: /^https?$/ }).max(500).optional(),
});
export type Statistic = z.infer<typeof statisticSchema>;

// ------------------------------------------------------------ population

/** Shares within one dimension must sum to 1 within this tolerance (the sampler normalizes them). */
export const SHARE_TOLERANCE = 0.01;
export const GENDERS = ['female', 'male', 'non-binary'] as const;
export type Gender = (typeof GENDERS)[number];
/**
 * The 0–1 behavioural traits a respondent draws (0 = not at all, 1 = entirely).
 * Big Five traits use the profile's own 0–100 scale.
 */
export const BEHAVIOUR_TRAITS = ['price_sensitivity', 'brand_loyalty', 'tech_adoption', 'risk_tolerance'] as const;
export type BehaviourTrait = (typeof BEHAVIOUR_TRAITS)[number];
export const BIG_FIVE = ['openness', 'conscientiousness', 'extraversion', 'agreeableness', 'neuroticism'] as const;

const share = z.number().min(0).max(1);
const shortText = z.string().trim().min(1).max(160);
const populationSources = z.array(statisticSchema).max(8);

/** Bands of one dimension: at most 24, shares summing to 1 (± SHARE_TOLERANCE), no label twice. */
function bands<T extends z.ZodType<{ share: number }>>(band: T, key: (b: z.infer<T>) => string) {
  return z
    .array(band)
    .min(1)
    .max(24)
    .superRefine((list, ctx) => {
      const sum = list.reduce((a, b) => a + b.share, 0);
      if (Math.abs(sum - 1) > SHARE_TOLERANCE) ctx.addIssue({ code: 'custom', message: `the shares must sum to 1 (±${SHARE_TOLERANCE}), got ${Math.round(sum * 1000) / 1000}` });
      const seen = new Set<string>();
      list.forEach((b, i) => {
        const k = key(b).toLowerCase();
        if (seen.has(k)) ctx.addIssue({ code: 'custom', path: [i], message: `band '${key(b)}' is listed twice` });
        seen.add(k);
      });
    });
}

const labelledBand = z.strictObject({ value: shortText, share });
const labelledDimension = z.strictObject({ bands: bands(labelledBand, (b) => b.value), sources: populationSources.optional() });

const ageBand = z
  .strictObject({ min: z.number().int().min(0).max(120), max: z.number().int().min(0).max(120), share })
  .refine((b) => b.min <= b.max, { message: 'min must not exceed max', path: ['max'] });

const incomeBand = z
  .strictObject({
    label: shortText,
    /** Bounds in `currency` per `period`, when the band has them (open-ended bands omit one). */
    min: z.number().min(0).optional(),
    max: z.number().min(0).optional(),
    share,
  })
  .refine((b) => b.min === undefined || b.max === undefined || b.min <= b.max, { message: 'min must not exceed max', path: ['max'] });

/** A trait's distribution: mean and standard deviation on the trait's scale (sampled from a Beta with these moments). */
function trait(max: number) {
  return z
    .strictObject({ mean: z.number().gt(0).lt(max), sd: z.number().gt(0).max(max / 2), sources: populationSources.optional() })
    .refine((t) => (t.sd / max) ** 2 < (t.mean / max) * (1 - t.mean / max), { message: `sd too large for the mean on a 0–${max} scale (a Beta needs sd² < mean·(max − mean))`, path: ['sd'] });
}
export const traitSchema = trait(1);
export const bigFiveTraitSchema = trait(100);
export type TraitDistribution = z.infer<typeof traitSchema>;

/**
 * What a focus-group study samples respondents from: bands with shares for
 * age, gender, region, income and household (plus up to 8 further named
 * dimensions, e.g. company size for a B2B persona), and trait means with
 * spreads. Every part is optional: what is missing comes from the default
 * derived from the profile (`defaultPopulation` in population.ts).
 */
export const populationSchema = z
  .strictObject({
    age: z.strictObject({ bands: bands(ageBand, (b) => `${b.min}-${b.max}`), sources: populationSources.optional() }).optional(),
    gender: z.strictObject({ bands: bands(z.strictObject({ value: z.enum(GENDERS), share }), (b) => b.value), sources: populationSources.optional() }).optional(),
    region: labelledDimension.optional(),
    income: z
      .strictObject({
        /** ISO 4217 code of the bounds. */
        currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 currency code'),
        period: z.enum(['year', 'month']),
        /** Whose income: the respondent's own pay, the household's, or (owners) the business's revenue. */
        basis: z.enum(['personal', 'household', 'business revenue']),
        bands: bands(incomeBand, (b) => b.label),
        sources: populationSources.optional(),
      })
      .optional(),
    household: labelledDimension.optional(),
    attributes: z
      .record(z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'snake_case, at most 40 characters'), labelledDimension)
      .refine((r) => Object.keys(r).length <= 8, { message: 'at most 8 attributes' })
      .optional(),
    traits: z
      .strictObject({
        big_five: z.strictObject(Object.fromEntries(BIG_FIVE.map((k) => [k, bigFiveTraitSchema.optional()])) as Record<(typeof BIG_FIVE)[number], z.ZodOptional<typeof bigFiveTraitSchema>>).optional(),
        ...(Object.fromEntries(BEHAVIOUR_TRAITS.map((k) => [k, traitSchema.optional()])) as Record<BehaviourTrait, z.ZodOptional<typeof traitSchema>>),
      })
      .optional(),
    /** Sources for the block as a whole (each dimension may carry its own). */
    sources: populationSources.optional(),
  })
  .meta({ id: 'PersonaPopulation', description: 'Who a focus group samples respondents from: bands with shares (summing to 1 ±0.01) for age, gender, region, income, household and optional attributes; trait means and spreads (Big Five on 0–100, behavioural traits on 0–1).' });
export type Population = z.infer<typeof populationSchema>;

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
    phrases: z.array(item).min(3).max(PERSONA_FIELD_LIMITS.items),
    avoids: list,
  }),
  goals: list,
  pains: list,
  objections: list,
  statistics: z.array(statisticSchema).max(PERSONA_FIELD_LIMITS.statistics),
  /** Who a focus group samples respondents from (optional; see population.ts for the default). */
  population: populationSchema.optional(),
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
  /** When the persona's statistics were last checked (built-in personas: YYYY-MM-DD). */
  reviewed: z.iso.date().optional(),
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
