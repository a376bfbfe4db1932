/** Table types for the query builder. JSON columns hold serialized text. */
import type { Generated } from 'kysely';

export interface WorkspacesTable {
  id: string;
  name: string;
  plan: string;
  created_at: number;
  /** Credits available (grants − debits ± adjustments); never negative. */
  balance: number;
  /** Sum of the credit holds of responses in flight (available = balance − held). */
  held: number;
  /** Credits debited in `spend_month` (YYYY-MM, UTC). */
  month_spent: number;
  spend_month: string;
  /** Optional cap on credits debited per calendar month (UTC). */
  monthly_budget: number | null;
  /** Custom limits (Enterprise); null → the plan's. */
  rpm_limit: number | null;
  rpd_limit: number | null;
}

export type LedgerKind = 'grant' | 'debit' | 'refund' | 'adjustment';

/** Append-only: rows are inserted, never updated or deleted. */
export interface CreditLedgerTable {
  id: string;
  workspace_id: string;
  kind: LedgerKind;
  /** Signed: grants and refunds positive, debits negative, adjustments either. */
  amount: number;
  balance_after: number;
  operation: string | null;
  response_id: string | null;
  key_id: string | null;
  persona_id: string | null;
  reason: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  created_at: number;
}

/**
 * One request served for a test key: what the usage report shows as test
 * traffic. Test keys spend nothing, so these rows never touch the balance or
 * the ledger.
 */
export interface TestUsageTable {
  id: string;
  workspace_id: string;
  operation: string;
  response_id: string | null;
  key_id: string | null;
  persona_id: string | null;
  input_tokens: number;
  output_tokens: number;
  created_at: number;
}

/** Credits reserved for a response in flight; released or settled when it ends. */
export interface CreditHoldsTable {
  id: string;
  workspace_id: string;
  response_id: string;
  amount: number;
  owner: string;
  created_at: number;
}

/** Server processes, for recovering what a dead one left in flight. */
export interface InstancesTable {
  id: string;
  /** Stable across restarts (host:port): a new incarnation knows its predecessors are dead. */
  name: string;
  started_at: number;
  last_seen: number;
  /** Its heartbeat interval; silent for DEAD_AFTER_BEATS of them, it is dead. Null: HEARTBEAT_MS. */
  heartbeat_ms: number | null;
}

export interface ApiKeysTable {
  id: string;
  workspace_id: string;
  key_hash: string;
  prefix: string;
  mode: 'live' | 'test';
  name: string | null;
  scopes: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface ResponsesTable {
  id: string;
  workspace_id: string;
  key_id: string | null;
  status: string;
  background: number;
  persona_id: string | null;
  engine: string;
  created_at: number;
  updated_at: number;
  /** The Response object as the API returns it. */
  body: string;
  /** Full conversation used (history + new input), as ConversationItem[] JSON. */
  context: string;
  /** This request's own input items, with ids, as returned by input_items. */
  input_items: string;
  /** System prompt parts needed to re-run a background response. */
  request: string | null;
  /** SSE events of background responses, for replay with consistent sequence numbers. */
  events: string | null;
  /** The server instance running it while queued/in progress. */
  owner: string | null;
}

/** Custom personas (src/personas/custom-persona.ts): the current version of each; soft-deleted rows stay. */
export interface CustomPersonasTable {
  id: string;
  workspace_id: string;
  name: string;
  category: string;
  description: string;
  is_expert: number;
  pipeline_type: string;
  persona_type: string;
  version: number;
  /** PersonaProfile JSON. */
  profile: string;
  /** Guided fields beyond the profile, JSON. */
  guided: string;
  cloned_from: string | null;
  credits_charged: number;
  created_by_key: string | null;
  created_at: number;
  updated_at: number;
  deleted_at: number | null;
}

/** Every version of every custom persona (version 1 included), append-only. */
export interface CustomPersonaVersionsTable {
  persona_id: string;
  version: number;
  workspace_id: string;
  name: string;
  category: string;
  description: string;
  is_expert: number;
  persona_type: string;
  profile: string;
  guided: string;
  created_at: number;
}

/** Focus-group studies (src/focus-groups/). JSON columns hold serialized text; the store parses them. */
export interface FocusGroupsTable {
  id: string;
  workspace_id: string;
  key_id: string | null;
  /** 'live' (charged) or 'test' (sandbox, free). */
  key_mode: string;
  name: string;
  /** pending | processing | completed | cancelled | failed */
  status: string;
  mode: string;
  /** The normalized study definition (StudyDefinition JSON). */
  definition: string;
  /** The stimulus images as checked data: URLs (JSON array), read only by the runner. */
  stimulus_images: string | null;
  metadata: string;
  respondents_total: number;
  questions_total: number;
  respondents_done: number;
  answers_done: number;
  answers_failed: number;
  answers_skipped: number;
  credits_estimated: number;
  /** The hold taken at creation (live keys): the most the study can cost. */
  credits_max: number;
  credits_used: number;
  hold_id: string | null;
  /** The server instance running it; null when nobody does (recovered by the next heartbeat). */
  owner: string | null;
  idempotency_key: string | null;
  request_hash: string | null;
  error: string | null;
  created_at: number;
  started_at: number | null;
  completed_at: number | null;
  updated_at: number;
}

export interface FocusGroupRespondentsTable {
  study_id: string;
  idx: number;
  persona_id: string;
  /** The sampled profile (JSON). */
  profile: string;
  /** in_progress | completed */
  status: string;
  created_at: number;
  completed_at: number | null;
  /** A completed respondent's answer slots, `[[question, "status", value], …]` (migration 0011); null before. */
  answers?: string | null;
}

/**
 * The results document of a study that has ended, per variant (the results format and the
 * segment attributes): computed once, then read by every server (src/focus-groups/study-results.ts).
 */
export interface FocusGroupResultsTable {
  study_id: string;
  /** `<format>|<segment attributes>`, e.g. `0.1.0+1|persona`. */
  variant: string;
  /** The ResultsDocument (JSON). */
  document: string;
  created_at: number;
}

/** A turn of a discussion session's transcript. */
export interface FocusGroupTurnsTable {
  study_id: string;
  session_idx: number;
  /** Order within the session, from 0. */
  seq: number;
  question_idx: number;
  /** question | answer | probe | probe_answer */
  kind: string;
  /** The respondent speaking; null for the moderator. */
  respondent_idx: number | null;
  text: string;
  /** The respondent's structured answer (JSON). */
  value: string | null;
  /** The model's accepted JSON. */
  raw: string | null;
  /** What the turn's model call cost: paid with the respondent's position (its answer row). */
  credits: number;
  input_tokens: number;
  output_tokens: number;
  created_at: number;
}

/** One row per answer slot: the runner's checkpoint (primary key study × respondent × question). */
export interface FocusGroupAnswersTable {
  study_id: string;
  respondent_idx: number;
  question_idx: number;
  question_id: string;
  type: string;
  /** answered | skipped | failed */
  status: string;
  /** The normalized value (JSON). */
  value: string | null;
  reasoning: string | null;
  /** The model's JSON as accepted (what the respondent's conversation shows as its turn). */
  raw: string | null;
  credits: number;
  input_tokens: number;
  output_tokens: number;
  attempts: number;
  error: string | null;
  created_at: number;
}

/** A console sign-in (src/storage/console-sessions-store.ts): the cookie's token is stored only as its SHA-256 hash. */
export interface ConsoleSessionsTable {
  token_hash: string;
  /** The API key signed in with: the session has its workspace and scopes, and ends when it is revoked or expires. */
  key_id: string;
  workspace_id: string;
  created_at: number;
  /** Unix seconds. */
  expires_at: number;
}

export interface MigrationsRow {
  name: string;
  applied_at: Generated<number>;
}

export interface Database {
  workspaces: WorkspacesTable;
  api_keys: ApiKeysTable;
  responses: ResponsesTable;
  credit_ledger: CreditLedgerTable;
  credit_holds: CreditHoldsTable;
  instances: InstancesTable;
  custom_personas: CustomPersonasTable;
  custom_persona_versions: CustomPersonaVersionsTable;
  test_usage: TestUsageTable;
  focus_groups: FocusGroupsTable;
  focus_group_respondents: FocusGroupRespondentsTable;
  focus_group_answers: FocusGroupAnswersTable;
  focus_group_turns: FocusGroupTurnsTable;
  focus_group_results: FocusGroupResultsTable;
  console_sessions: ConsoleSessionsTable;
}
