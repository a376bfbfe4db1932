import type { PlanLimits } from './plans.js';

/** Who makes a request: the API key's workspace, mode and plan (src/http/auth.ts resolves it). */
export interface Caller {
  workspaceId: string;
  /** The workspace's name, for per-workspace backend routes. */
  workspaceName?: string;
  keyId: string;
  mode: 'live' | 'test';
  /** Plan limits; without them no concurrency limit applies (internal callers). */
  limits?: PlanLimits;
}
