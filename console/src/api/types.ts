/** The shapes of the public API the console reads (README, /openapi.json). Only the fields used. */

export interface ListPage<T> {
  object: 'list';
  data: T[];
  has_more?: boolean;
  first_id?: string | null;
  last_id?: string | null;
  next_cursor?: string | null;
}

export interface Session {
  object: 'session';
  expires_at: number;
  csrf_token: string;
  workspace: { id: string; name: string | null; plan: string };
  key: { id: string; prefix: string | null; name: string | null; mode: 'live' | 'test'; scopes: string[] };
}

export interface PersonaSummary {
  id: string;
  object: string;
  name: string;
  category: string;
  description: string;
  is_custom: boolean;
  is_expert: boolean;
  created_at: number;
}

export interface PersonaFull extends PersonaSummary {
  details?: Record<string, unknown>;
  pipeline_type?: string;
  type?: string;
  version?: number;
  updated_at?: number;
  credits_charged?: number;
  cloned_from?: string | null;
  warnings?: { code: string; message: string; param: string }[];
}

export interface Analysis {
  confidence: number;
  emotion: { emotional_valence: number; arousal: number; dominance: number };
  biases: { name: string; description: string; evidence: string }[];
  key_insights: string[];
}

export interface OutputItem {
  type: string;
  id?: string;
  role?: string;
  content?: { type: string; text?: string }[];
  name?: string;
  arguments?: string;
  call_id?: string;
}

export interface ResponseObject {
  id: string;
  object: 'response';
  status: string;
  model: string;
  output: OutputItem[];
  output_text?: string;
  usage?: { input_tokens: number; output_tokens: number; total_tokens: number; credits_used?: number } | null;
  analysis?: Analysis;
  error?: { message: string; code?: string } | null;
  incomplete_details?: { reason: string } | null;
}

export interface Credits {
  object: 'credits';
  balance: number;
  held: number;
  available: number;
  monthly_budget: number | null;
  month: string;
  month_spend: number;
}

/** One group of the usage report: the group's value is under the group_by name (day, key, persona, operation). */
export interface UsageRow {
  day?: string | null;
  key?: string | null;
  persona?: string | null;
  operation?: string | null;
  mode: 'live' | 'test';
  credits: number;
  requests: number;
  input_tokens: number;
  output_tokens: number;
}

export interface Usage {
  object: 'usage';
  group_by: string;
  start_date: string;
  end_date: string;
  total_credits: number;
  total_requests: number;
  test_requests: number;
  data: UsageRow[];
}

export interface LedgerRow {
  id: string;
  kind: 'grant' | 'debit' | 'refund' | 'adjustment';
  amount: number;
  balance_after: number;
  operation: string | null;
  response_id: string | null;
  persona_id: string | null;
  reason: string | null;
  created_at: number;
}

export interface ApiKeyInfo {
  id: string;
  workspace: string;
  prefix: string;
  mode: 'live' | 'test';
  name: string | null;
  scopes: string[];
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
  last_used_at: number | null;
}

export interface CreatedKey extends ApiKeyInfo {
  key: string;
}
