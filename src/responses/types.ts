import type { Analysis } from '../analysis/types.js';
import type { ServerToolCallRecord } from '../server-tools/types.js';
/** The Response object and its parts, as they go over the wire. */

export type ResponseStatus = 'queued' | 'in_progress' | 'completed' | 'failed' | 'cancelled' | 'incomplete';

export interface OutputTextPart {
  type: 'output_text';
  text: string;
  annotations: unknown[];
  logprobs: unknown[];
}

export interface MessageOutputItem {
  type: 'message';
  id: string;
  status: 'in_progress' | 'completed' | 'incomplete';
  role: 'assistant';
  content: OutputTextPart[];
}

export interface FunctionCallOutputItem {
  type: 'function_call';
  id: string;
  call_id: string;
  name: string;
  arguments: string;
  status: 'in_progress' | 'completed' | 'incomplete';
}

export type OutputItem = MessageOutputItem | FunctionCallOutputItem;

export interface Usage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
  /** Cohort: credits this response costs (see src/pricing.ts). */
  credits_used: number;
}

/** A request's input item as `GET /v1/responses/{id}/input_items` shows it (with its id). */
export interface InputItemObject {
  id: string;
  type: string;
  [field: string]: unknown;
}

export interface ResponseError {
  code: string;
  message: string;
  type: string;
}

export interface ResponseObject {
  id: string;
  object: 'response';
  created_at: number;
  completed_at: number | null;
  status: ResponseStatus;
  error: ResponseError | null;
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
  instructions: string | null;
  max_output_tokens: number | null;
  max_tool_calls: number | null;
  model: string;
  output: OutputItem[];
  output_text: string;
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  reasoning: { effort: string | null; summary: string | null };
  store: boolean;
  background: boolean;
  temperature: number;
  top_p: number;
  presence_penalty: number;
  frequency_penalty: number;
  top_logprobs: number;
  text: { format: Record<string, unknown>; verbosity: string };
  tool_choice: unknown;
  tools: unknown[];
  truncation: string;
  usage: Usage | null;
  service_tier: string;
  safety_identifier: string | null;
  prompt_cache_key: string | null;
  user: string | null;
  metadata: Record<string, string>;
  /** Cohort extension: the persona that shaped this response. */
  persona_id: string | null;
  /** Cohort extension: the version of a custom persona this response used (absent for built-in personas). */
  persona_version?: number;
  /** Cohort extension: the analysis object when analysis_mode is on (src/analysis/). */
  analysis?: Analysis;
  /** Cohort extension: calls of built-in server tools (src/server-tools/). */
  server_tool_calls?: ServerToolCallRecord[];
}

/**
 * One SSE event of a response stream: its type and its JSON payload (which
 * repeats `type`), a discriminated union as openai-node's ResponseStreamEvent
 * is — a consumer narrows on `type` instead of casting its fields.
 */
export type StreamEvent = StreamEventBody & { sequence_number: number };

/** A stream event before the translator numbers it. */
export type StreamEventBody =
  | { type: 'response.created' | 'response.in_progress' | 'response.completed' | 'response.incomplete' | 'response.failed'; response: ResponseObject }
  | { type: 'response.output_item.added' | 'response.output_item.done'; output_index: number; item: OutputItem }
  | { type: 'response.content_part.added' | 'response.content_part.done'; item_id: string; output_index: number; content_index: number; part: OutputTextPart }
  | { type: 'response.output_text.delta'; item_id: string; output_index: number; content_index: number; delta: string; logprobs: unknown[] }
  | { type: 'response.output_text.done'; item_id: string; output_index: number; content_index: number; text: string; logprobs: unknown[] }
  | { type: 'response.function_call_arguments.delta'; item_id: string; output_index: number; delta: string }
  | { type: 'response.function_call_arguments.done'; item_id: string; output_index: number; name: string; arguments: string }
  | { type: 'error'; code: string; message: string; param: string | null; error: { type: string; code: string; message: string; param: string | null } };

export type StreamEventType = StreamEvent['type'];
