/** Per-request values set by middleware. */
import type { PlanLimits } from '../accounts/plans.js';
import type { Caller } from '../accounts/caller.js';

export interface AppEnv {
  Variables: {
    requestId: string;
    caller: Caller & { scopes: string[]; plan: string; limits: PlanLimits };
    /** Set when the caller came in with a console session cookie instead of a Bearer key (src/console/session-auth.ts). */
    session?: { token: string; expiresAt: number };
  };
}
