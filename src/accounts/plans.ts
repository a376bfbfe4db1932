/**
 * Plans: the brief's request limits per workspace, concurrency limits per
 * endpoint, and the credits a new workspace starts with. Enterprise limits are
 * set per workspace (`cohort workspaces set-plan NAME enterprise --rpm N --rpd N`).
 */
export const PLANS = ['free', 'pro', 'business', 'enterprise'] as const;
export type Plan = (typeof PLANS)[number];

export type LimitedEndpoint = 'responses' | 'focus_groups';

export interface PlanLimits {
  /** Requests per sliding 60 s window. */
  rpm: number;
  /** Requests per sliding 24 h window. */
  rpd: number;
  /** Requests in progress at once, per endpoint. */
  concurrency: Record<LimitedEndpoint, number>;
  /** Credits granted when a workspace is created on this plan. */
  initialCredits: number;
}

export const PLAN_LIMITS: Record<Plan, PlanLimits> = {
  free: { rpm: 10, rpd: 100, concurrency: { responses: 5, focus_groups: 1 }, initialCredits: 100 },
  pro: { rpm: 60, rpd: 5_000, concurrency: { responses: 20, focus_groups: 5 }, initialCredits: 5_000 },
  business: { rpm: 300, rpd: 50_000, concurrency: { responses: 50, focus_groups: 5 }, initialCredits: 50_000 },
  // Enterprise is custom: these apply until set-plan gives the workspace its own.
  enterprise: { rpm: 1_000, rpd: 1_000_000, concurrency: { responses: 200, focus_groups: 20 }, initialCredits: 0 },
};

export function isPlan(p: string): p is Plan {
  return (PLANS as readonly string[]).includes(p);
}

/** The limits in force for a workspace: its custom rpm/rpd if set, else its plan's. */
export function limitsFor(plan: string, custom: { rpm_limit: number | null; rpd_limit: number | null }): PlanLimits {
  const base = PLAN_LIMITS[isPlan(plan) ? plan : 'free'];
  return { ...base, rpm: custom.rpm_limit ?? base.rpm, rpd: custom.rpd_limit ?? base.rpd };
}
