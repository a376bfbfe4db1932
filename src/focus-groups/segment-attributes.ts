/**
 * The attributes a study's results can be broken down by (`GET …/results?segment_by=`) and
 * raked on (`targets`): the respondent's persona and the sampled profile's categorical
 * fields (src/personas/population.ts), plus any extra dimension of a persona's population
 * model (`profile.attributes`, e.g. company size). Numeric draws (age, traits) are not
 * segments: their bands are.
 */
import { ApiError } from '../errors/api-error.js';
import type { RespondentProfile } from './respondent-profile.js';

/** Categorical fields of every sampled profile. */
export const PROFILE_ATTRIBUTES = ['age_band', 'gender', 'region', 'country', 'income', 'household'] as const;
/** Every study can be segmented by these. */
export const SEGMENT_ATTRIBUTES = ['persona', ...PROFILE_ATTRIBUTES] as const;
/** Attributes asked for besides persona (each adds its groups' statistics and tests to every question). */
export const MAX_SEGMENT_BY = 4;

const NAME = /^[a-z][a-z0-9_]{0,39}$/;

/** A respondent's segment attributes: persona, the profile's categories, its population's extra dimensions. */
export function segmentsOf(personaId: string, profile: RespondentProfile): Record<string, string> {
  const out: Record<string, string> = { persona: personaId };
  if (profile.age_band) out.age_band = profile.age_band;
  if (profile.gender) out.gender = profile.gender;
  if (profile.region) out.region = profile.region;
  if (profile.country) out.country = profile.country;
  if (profile.income?.band) out.income = profile.income.band;
  if (profile.household) out.household = profile.household;
  for (const [k, v] of Object.entries(profile.attributes ?? {})) if (NAME.test(k) && !(k in out) && typeof v === 'string') out[k] = v;
  return out;
}

/**
 * `segment_by` as given (comma-separated, or repeated) → the attributes, persona first and
 * always. Only the form is checked here; whether an extra attribute exists is checked
 * against the respondents (checkSegmentAttributes).
 */
export function parseSegmentBy(raw: string | string[] | undefined): string[] {
  const given = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw])
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const out = ['persona'];
  for (const name of given) {
    if (!NAME.test(name)) throw new ApiError('invalid_request', `segment_by: '${name.slice(0, 60)}' is not an attribute name. Use ${SEGMENT_ATTRIBUTES.join(', ')} or an attribute of the personas' population models.`, { param: 'segment_by' });
    if (!out.includes(name)) out.push(name);
  }
  if (out.length - 1 > MAX_SEGMENT_BY) throw new ApiError('invalid_request', `segment_by: at most ${MAX_SEGMENT_BY} attributes besides persona, got ${out.length - 1}.`, { param: 'segment_by' });
  return out;
}

/** 400 naming `segment_by` when an asked attribute is neither standard nor any respondent's. */
export function checkSegmentAttributes(segmentBy: readonly string[], seen: ReadonlySet<string>): void {
  for (const name of segmentBy) {
    if ((SEGMENT_ATTRIBUTES as readonly string[]).includes(name) || seen.has(name)) continue;
    const extra = [...seen].filter((k) => !(SEGMENT_ATTRIBUTES as readonly string[]).includes(k));
    throw new ApiError('invalid_request', `segment_by: no respondent of this study has the attribute '${name}'. Use ${[...SEGMENT_ATTRIBUTES, ...extra].join(', ')}.`, { param: 'segment_by' });
  }
}
