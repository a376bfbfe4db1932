/**
 * Who the respondents are: which persona each index belongs to, and its
 * sampled profile. Both are functions of the study's seed and definition
 * only, so a resumed study (or another process) draws the same people.
 *
 * Personas are interleaved (smooth weighted round-robin over the
 * allocation), so any prefix of the respondents — what a cancelled study
 * got — is spread over the personas like the whole sample.
 */
import type { PersonaProfile } from '../personas/persona-schema.js';
import { sampleRespondent } from '../personas/population.js';
import type { RespondentProfile } from './respondent-profile.js';
import { seededRng } from './rng.js';
import type { PersonaAllocation } from './study.js';

/** The persona (index into `allocation`) of every respondent index. */
export function assignPersonas(allocation: readonly PersonaAllocation[]): Uint8Array {
  const total = allocation.reduce((n, p) => n + p.respondents, 0);
  const out = new Uint8Array(total);
  const assigned = allocation.map(() => 0);
  for (let i = 0; i < total; i++) {
    let best = -1;
    let bestDeficit = -Infinity;
    allocation.forEach((p, k) => {
      if (assigned[k]! >= p.respondents) return;
      const deficit = (p.respondents * (i + 1)) / total - assigned[k]!;
      if (deficit > bestDeficit + 1e-12) {
        best = k;
        bestDeficit = deficit;
      }
    });
    out[i] = best;
    assigned[best]! += 1;
  }
  return out;
}

/** Respondent `index`'s profile, drawn from its persona's population with the study's seed. */
export function sampleProfile(persona: { profile: PersonaProfile }, seed: number, index: number): RespondentProfile {
  return sampleRespondent(persona, seededRng(`${seed}/respondent/${index}`));
}
