/**
 * Target marginals of a study (`targets` on POST /v1/focus-groups): for some profile
 * attributes, the share each category should have — e.g. the census's age bands. The
 * results rake the respondents to them (stats/raking.ts: iterative proportional fitting)
 * and weight every aggregate. Checked at creation with the `param` of the fault
 * (`targets.age_band`, `targets.region.West`); shares that sum to 1 within 0.01 are
 * normalized to sum to exactly 1.
 */
import { z } from 'zod';
import { PROFILE_ATTRIBUTES } from './segment-attributes.js';

/** The attributes a target may name: the sampled profile's categorical fields. */
export const TARGET_DIMENSIONS = PROFILE_ATTRIBUTES;
export const MAX_TARGET_CATEGORIES = 50;

export type Targets = Record<string, Record<string, number>>;

export const targetsSchema = z
  .record(z.string().max(40), z.record(z.string().trim().min(1).max(200), z.number().min(0).max(1)))
  .superRefine((targets, ctx) => {
    for (const [dim, shares] of Object.entries(targets)) {
      if (!(TARGET_DIMENSIONS as readonly string[]).includes(dim)) {
        ctx.addIssue({ code: 'custom', path: [dim], message: `'${dim.slice(0, 40)}' cannot be targeted; use ${TARGET_DIMENSIONS.join(', ')}` });
        continue;
      }
      const categories = Object.keys(shares);
      if (categories.length < 2) ctx.addIssue({ code: 'custom', path: [dim], message: 'give the shares of at least two categories' });
      else if (categories.length > MAX_TARGET_CATEGORIES) ctx.addIssue({ code: 'custom', path: [dim], message: `at most ${MAX_TARGET_CATEGORIES} categories` });
      else {
        const sum = categories.reduce((t, c) => t + shares[c]!, 0);
        if (Math.abs(sum - 1) > 0.01) ctx.addIssue({ code: 'custom', path: [dim], message: `the shares sum to ${Math.round(sum * 1e4) / 1e4}; give shares that sum to 1` });
      }
    }
  })
  .meta({
    id: 'FocusGroupTargets',
    description: `Target marginals: attribute (${TARGET_DIMENSIONS.join(', ')}) → category → share (0–1, summing to 1), e.g. {"age_band": {"18-34": 0.3, "35-54": 0.35, "55-64": 0.35}}. The results rake the respondents to these shares and weight every aggregate; a category of the sample that is not listed cannot be weighted (the results say so and stay unweighted).`,
  });

/** Shares normalized to sum to 1 per attribute. */
export function normalizeTargets(targets: Targets): Targets {
  return Object.fromEntries(
    Object.entries(targets).map(([dim, shares]) => {
      const sum = Object.values(shares).reduce((t, s) => t + s, 0);
      return [dim, Object.fromEntries(Object.entries(shares).map(([c, s]) => [c, s / sum]))];
    }),
  );
}
