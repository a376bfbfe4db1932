/** Per-request values set by middleware. */
import type { Caller } from '../responses/service.js';

export interface AppEnv {
  Variables: {
    requestId: string;
    caller: Caller & { scopes: string[]; plan: string };
  };
}
