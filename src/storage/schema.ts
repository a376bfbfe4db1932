/** Table types for the query builder. JSON columns hold serialized text. */
import type { Generated } from 'kysely';

export interface WorkspacesTable {
  id: string;
  name: string;
  plan: string;
  created_at: number;
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
}

export interface MigrationsRow {
  name: string;
  applied_at: Generated<number>;
}

export interface Database {
  workspaces: WorkspacesTable;
  api_keys: ApiKeysTable;
  responses: ResponsesTable;
}
