/**
 * A respondent: one sampled individual of a persona, not a copy of it. Drawn
 * from the persona's profile with a seeded RNG (same study seed, same
 * respondents): a name, an age inside the persona's age band, a gender,
 * region, income, household and occupation from the profile, and trait draws
 * around the persona's own — the Big Five (persona score ± 12), price
 * sensitivity and brand loyalty (low/medium/high → 25/50/75 ± 15), all on
 * 0–100.
 *
 * This is the documented default of a persona without a population model; the
 * persona library's `population` block (bands with shares, trait means and
 * spreads) replaces it where a persona has one.
 */
import type { PersonaRecord } from '../personas/persona-schema.js';
import type { SeededRng } from './rng.js';

export interface RespondentProfile {
  name: string;
  age: number;
  gender: string;
  region: string;
  country: string;
  income: string;
  household: string;
  occupation: string;
  education: string;
  /** 0–100 each: openness, conscientiousness, extraversion, agreeableness, neuroticism, price_sensitivity, brand_loyalty. */
  traits: Record<string, number>;
}

const FIRST = {
  female: ['Maria', 'Aisha', 'Emma', 'Mei', 'Priya', 'Sofia', 'Grace', 'Fatima', 'Olivia', 'Yuki', 'Ana', 'Chloe', 'Nadia', 'Hannah', 'Lucia', 'Zoe'],
  male: ['James', 'Mohammed', 'Luca', 'Wei', 'Arjun', 'Daniel', 'Kwame', 'Mateo', 'Noah', 'Hiroshi', 'Omar', 'Ethan', 'Ivan', 'Samuel', 'Diego', 'Leo'],
  other: ['Alex', 'Sam', 'Jordan', 'Robin', 'Taylor', 'Charlie'],
};
const LAST = ['Garcia', 'Smith', 'Chen', 'Patel', 'Okafor', 'Rossi', 'Kim', 'Nguyen', 'Müller', 'Silva', 'Johnson', 'Haddad', 'Kowalski', 'Tanaka', 'Brown', 'Santos', 'Novak', 'Ali', 'Martin', 'Lopez'];

const LEVEL: Record<string, number> = { low: 25, medium: 50, high: 75 };

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

/** [min, max] of an age band such as "25-34", "25–34", "65+", "under 18"; a wide adult band when unreadable. */
export function ageBand(text: string): [number, number] {
  const nums = (text.match(/\d+/g) ?? []).map(Number);
  if (/\+|over|older/i.test(text) && nums.length >= 1) return [nums[0]!, Math.max(nums[0]! + 20, 85)];
  if (/under|younger/i.test(text) && nums.length >= 1) return [Math.max(13, nums[0]! - 6), nums[0]! - 1];
  if (nums.length >= 2) return [Math.min(nums[0]!, nums[1]!), Math.max(nums[0]!, nums[1]!)];
  if (nums.length === 1) return [nums[0]!, nums[0]!];
  return [18, 75];
}

function genderOf(persona: PersonaRecord, rng: SeededRng): string {
  const g = (persona.profile.demographics.gender ?? '').toLowerCase();
  if (/\b(female|women|woman|mothers?|moms?)\b/.test(g)) return 'female';
  if (/\b(male|men|man|fathers?|dads?)\b/.test(g) && !/female|women/.test(g)) return 'male';
  const u = rng.next();
  return u < 0.49 ? 'female' : u < 0.98 ? 'male' : 'non-binary';
}

export function sampleDefaultProfile(persona: PersonaRecord, rng: SeededRng): RespondentProfile {
  const d = persona.profile.demographics;
  const [lo, hi] = ageBand(d.age_range);
  const gender = genderOf(persona, rng);
  const first = rng.pick(gender === 'female' ? FIRST.female : gender === 'male' ? FIRST.male : FIRST.other);
  const b5 = persona.profile.psychographics.big_five;
  const trait = (mean: number, sd: number) => Math.round(clamp(mean + sd * rng.normal(), 0, 100));
  return {
    name: `${first} ${rng.pick(LAST)}`,
    age: rng.int(lo, hi),
    gender,
    region: d.region,
    country: d.country,
    income: d.income_bracket,
    household: d.household,
    occupation: d.occupation,
    education: d.education,
    traits: {
      openness: trait(b5.openness, 12),
      conscientiousness: trait(b5.conscientiousness, 12),
      extraversion: trait(b5.extraversion, 12),
      agreeableness: trait(b5.agreeableness, 12),
      neuroticism: trait(b5.neuroticism, 12),
      price_sensitivity: trait(LEVEL[persona.profile.buying_behavior.price_sensitivity] ?? 50, 15),
      brand_loyalty: trait(LEVEL[persona.profile.buying_behavior.brand_loyalty] ?? 50, 15),
    },
  };
}
