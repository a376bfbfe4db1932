/**
 * Which engine serves a request: test keys always get the sandbox; live keys
 * get the configured backend, or a 503 that says how to configure one.
 * Either comes wrapped so that a forced tool_choice is enforced
 * (providers/tool-choice.ts), whatever the engine did with it.
 */
import { ApiError } from '../errors/api-error.js';
import { enforceToolChoice } from '../providers/tool-choice.js';
import type { Logger } from '../logger.js';
import type { Provider } from '../providers/types.js';

export interface Engines {
  sandbox: Provider;
  live: Provider | undefined;
}

/** `logger` receives the enforcement's `backend.tool_choice_retry` warnings. */
export function selectEngine(engines: Engines, mode: 'live' | 'test', logger?: Logger): Provider {
  const options = logger ? { logger } : {};
  if (mode === 'test') return enforceToolChoice(engines.sandbox, options);
  if (engines.live) return enforceToolChoice(engines.live, options);
  throw new ApiError(
    'service_unavailable',
    'No model backend is configured for live keys. Write a cohort.config.yaml, or set COHORT_UPSTREAM_URL (an OpenAI-compatible base URL ending in /v1) with COHORT_UPSTREAM_MODEL (and COHORT_UPSTREAM_API_KEY if the server needs one), COHORT_MODEL_PATH (a local GGUF model), OPENAI_API_KEY or ANTHROPIC_API_KEY — or use a mvra_test_ key for the offline sandbox engine.',
  );
}
