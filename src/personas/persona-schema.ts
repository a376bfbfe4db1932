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

export const personaSchema = z.object({
  id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'kebab-case id'),
  name: text,
  category: z.enum(PERSONA_CATEGORIES),
  description: text,
  is_expert: z.boolean(),
  created_at: z.number().int().positive(),
  profile: personaProfileSchema,
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
