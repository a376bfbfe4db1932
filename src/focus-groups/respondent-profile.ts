/**
 * A respondent: one sampled individual of a persona, drawn by the persona
 * library's population model (src/personas/population.ts: bands with shares,
 * trait means and spreads; a documented default where a persona has none).
 * This file adapts that profile to what the study needs: its traits as one
 * flat 0–100 map (the sandbox's respondent hint, segment attributes).
 */
import { BEHAVIOUR_TRAITS, BIG_FIVE } from '../personas/persona-schema.js';
import type { RespondentProfile } from '../personas/population.js';

export type { RespondentProfile };

/** Every trait on 0–100: the Big Five as drawn, the behavioural traits (0–1) scaled. */
export function traitsOf(profile: RespondentProfile): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of BIG_FIVE) out[k] = profile.traits.big_five[k];
  for (const k of BEHAVIOUR_TRAITS) out[k] = Math.round(profile.traits[k] * 100);
  return out;
}
