/**
 * Turns a validated create-response request into everything a run needs: the
 * persona, the resolved conversation (previous_response_id and item_reference
 * resolved against stored responses), the provider request and the initial
 * Response object. Every rejection here names its `param` and happens before
 * any model call or write.
 */
import { ApiError } from '../errors/api-error.js';
import type { PersonaRecord } from '../personas/persona-schema.js';
import type { PersonaStore, ResolvedPersona } from '../personas/persona-store.js';
import { composePersonaPrompt } from '../personas/compose-prompt.js';
import type { ContentPart, ConversationItem, FunctionToolDef, OutputFormat, ProviderRequest, ToolChoice } from '../providers/types.js';
import type { ContentPartInput, CreateResponseRequest, InputItem } from '../schemas/create-response.js';
import type { ResponsesStore, StoredResponse } from '../storage/responses-store.js';
import { checkClientSchema, SchemaRefusal, SCHEMA_LIMITS, schemaParam, type SchemaTally } from '../util/client-schema.js';
import { schemaProblem } from '../util/json-schema.js';
import type { ServerToolSpec } from '../server-tools/types.js';
import { INPUT_ITEM_BASE, itemId, responseIdOfItem } from '../util/ids.js';
import { conversationToApiItem, outputItemToConversation, partsToText } from './conversation.js';
import { loadFileUrls } from './files.js';
import { loadImages, type ImageFetchOptions } from './images.js';
import { resolveStrict } from './strict-schema.js';
import { DEFAULT_LIMITS, type RequestLimits } from '../limits/request-limits.js';
import { checkPromptTokens, checkRequestSize } from './input-limits.js';
import type { InputItemObject, OutputItem, ResponseObject } from './types.js';

/** What a request reads of the stored responses it refers to (previous_response_id, item references). */
const LOADED_PARTS = ['body', 'context', 'inputItems'] as const;
type LoadedResponse = StoredResponse<(typeof LOADED_PARTS)[number]>;

export interface PreparedRequest {
  persona: PersonaRecord | undefined;
  /** Provider request without its abort signal. */
  provider: Omit<ProviderRequest, 'signal'>;
  /** History + this request's input, stored for previous_response_id. */
  context: ConversationItem[];
  /** This request's input items as input_items returns them. */
  inputItems: InputItemObject[];
  hasImageInput: boolean;
  /** Built-in server tools the request enabled (see src/server-tools/). */
  serverTools: ServerToolSpec[];
  response: ResponseObject;
}

export interface PrepareDeps {
  personas: PersonaStore;
  responses: ResponsesStore;
  /** How image URLs are fetched (allow-list, limits); see images.ts. */
  imageFetch?: ImageFetchOptions;
  /** Request size limits (default: DEFAULT_LIMITS.request). */
  limits?: RequestLimits;
}

export interface PrepareOptions {
  /** The caller's workspace name, for per-workspace backend routes. */
  workspaceName?: string;
  /** The client's request: aborts image downloads when the client goes away. */
  signal: AbortSignal;
}

const EMPTY_PARAMS = { type: 'object', properties: {} };

export async function prepareRequest(
  deps: PrepareDeps,
  workspaceId: string,
  req: CreateResponseRequest,
  ids: { responseId: string; createdAt: number },
  options: PrepareOptions,
): Promise<PreparedRequest> {
  if (req.background && req.store === false) {
    throw new ApiError('invalid_request', 'Background responses must be stored: remove store:false or background:true.', { param: 'background' });
  }
  const limits = deps.limits ?? DEFAULT_LIMITS.request;
  checkRequestSize(req, limits);

  let persona: ResolvedPersona | undefined;
  if (req.persona_id !== undefined) {
    persona = await deps.personas.get(workspaceId, req.persona_id);
    // A deleted custom persona still serves the conversations that already used it.
    if (!persona && req.previous_response_id !== undefined && (await deps.responses.get(workspaceId, req.previous_response_id, []))?.personaId === req.persona_id) {
      persona = await deps.personas.get(workspaceId, req.persona_id, { includeDeleted: true });
    }
    if (!persona) {
      throw new ApiError('persona_not_found', `Persona '${req.persona_id}' not found. List personas with GET /v1/personas to find valid ids.`, {
        param: 'persona_id',
      });
    }
  }

  // Every schema of the request together is bounded (client-schema.ts); each is checked before anything runs.
  const tally: SchemaTally = { bytes: 0 };
  const { tools, echoed: echoedTools } = convertTools(req, tally);
  const toolChoice = convertToolChoice(req, tools);
  const { format, echoed: echoedFormat } = convertFormat(req, tally);

  // Stored responses read during this request, by id (previous + item references).
  const loaded = new Map<string, LoadedResponse | null>();
  const load = async (id: string) => {
    if (!loaded.has(id)) loaded.set(id, (await deps.responses.get(workspaceId, id, LOADED_PARTS)) ?? null);
    return loaded.get(id) ?? null;
  };

  const history: ConversationItem[] = [];
  if (req.previous_response_id !== undefined) {
    const prev = await load(req.previous_response_id);
    if (!prev) {
      throw new ApiError('previous_response_not_found', `Previous response with id '${req.previous_response_id}' not found.`, {
        param: 'previous_response_id',
      });
    }
    history.push(...prev.context, ...prev.body.output.map(outputItemToConversation));
  }

  const newItems: ConversationItem[] = [];
  /** Per new item, the field blamed for a bad image or file: `input[i].content` (+ `[j].image_url` / `[j].file_url`) or an item_reference's `input[i].id`. */
  const imageParams: Array<{ content: string } | { reference: string }> = [];
  const inputItems: InputItemObject[] = [];
  let hasImageInput = false;
  const rawItems: InputItem[] = typeof req.input === 'string' ? [{ type: 'message', role: 'user', content: req.input }] : req.input;
  for (let i = 0; i < rawItems.length; i++) {
    const raw = rawItems[i]!;
    const param = `input[${i}]`;
    let item: ConversationItem | undefined;
    let id = 'id' in raw && raw.id ? raw.id : itemId(raw.type === 'function_call_output' ? 'fco' : raw.type === 'function_call' ? 'fc' : 'msg', ids.responseId, INPUT_ITEM_BASE + i);
    switch (raw.type) {
      case 'message': {
        const content = convertContent(raw.content, `${param}.content`);
        if (content.some((p) => p.type === 'image')) hasImageInput = true;
        item = { type: 'message', role: raw.role, content };
        break;
      }
      case 'function_call':
        item = { type: 'function_call', callId: raw.call_id, name: raw.name, arguments: raw.arguments };
        break;
      case 'function_call_output':
        item = { type: 'function_call_output', callId: raw.call_id, output: partsToText(raw.output) };
        break;
      case 'item_reference': {
        item = await resolveReference(load, raw.id, `${param}.id`);
        id = raw.id;
        break;
      }
      case 'reasoning':
        break; // Reasoning items are echoed by some clients; they carry nothing a backend needs.
    }
    if (!item) continue;
    newItems.push(item);
    imageParams.push(raw.type === 'item_reference' ? { reference: `${param}.id` } : { content: `${param}.content` });
    inputItems.push(conversationToApiItem(item, id));
  }
  if (newItems.length === 0 && history.length === 0) {
    throw new ApiError('invalid_request', "'input' must contain at least one message or item.", { param: 'input' });
  }

  const context = [...history, ...newItems];
  const system = [persona ? composePersonaPrompt(persona) : undefined, req.instructions].filter((s): s is string => !!s).join('\n\n') || undefined;
  const verbosity = req.verbosity ?? req.text?.verbosity;
  const effort = req.reasoning_effort ?? req.reasoning?.effort;

  checkPromptTokens(system, context, history.length, limits);

  // Last, after every cheap check: images are downloaded and verified (images.ts), file URLs fetched (files.ts).
  const paramOf = (field: string) => (i: number, j: number) => {
    if (i < history.length) return 'previous_response_id';
    const at = imageParams[i - history.length];
    return !at ? 'input' : 'reference' in at ? at.reference : `${at.content}[${j}].${field}`;
  };
  const items = await loadFileUrls(await loadImages(context, paramOf('image_url'), deps.imageFetch ?? {}, options.signal), paramOf('file_url'), deps.imageFetch ?? {}, options.signal);

  const provider: Omit<ProviderRequest, 'signal'> = {
    ...(system !== undefined ? { system } : {}),
    ...(persona ? { persona } : {}),
    items,
    tools,
    toolChoice,
    parallelToolCalls: req.parallel_tool_calls ?? true,
    format,
    sampling: {
      ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
      ...(req.top_p !== undefined ? { topP: req.top_p } : {}),
      ...(req.frequency_penalty !== undefined ? { frequencyPenalty: req.frequency_penalty } : {}),
      ...(req.presence_penalty !== undefined ? { presencePenalty: req.presence_penalty } : {}),
      ...(req.max_output_tokens !== undefined ? { maxOutputTokens: req.max_output_tokens } : {}),
      ...(effort !== undefined ? { reasoningEffort: effort } : {}),
      ...(verbosity !== undefined ? { verbosity } : {}),
    },
    workspace: { id: workspaceId, ...(options.workspaceName !== undefined ? { name: options.workspaceName } : {}) },
  };

  const response: ResponseObject = {
    id: ids.responseId,
    object: 'response',
    created_at: ids.createdAt,
    completed_at: null,
    status: req.background ? 'queued' : 'in_progress',
    error: null,
    incomplete_details: null,
    instructions: req.instructions ?? null,
    max_output_tokens: req.max_output_tokens ?? null,
    max_tool_calls: req.max_tool_calls ?? null,
    model: req.model,
    output: [],
    output_text: '',
    parallel_tool_calls: req.parallel_tool_calls ?? true,
    previous_response_id: req.previous_response_id ?? null,
    reasoning: { effort: effort ?? null, summary: null },
    store: req.store ?? true,
    background: req.background ?? false,
    temperature: req.temperature ?? 1,
    top_p: req.top_p ?? 1,
    presence_penalty: req.presence_penalty ?? 0,
    frequency_penalty: req.frequency_penalty ?? 0,
    top_logprobs: req.top_logprobs ?? 0,
    text: { format: echoedFormat, verbosity: verbosity ?? 'medium' },
    tool_choice: echoToolChoice(req.tool_choice),
    tools: echoedTools,
    truncation: req.truncation ?? 'disabled',
    usage: null,
    service_tier: 'default',
    safety_identifier: req.safety_identifier ?? null,
    prompt_cache_key: req.prompt_cache_key ?? null,
    user: req.user ?? null,
    metadata: req.metadata ?? {},
    persona_id: persona?.id ?? null,
    // Custom personas are versioned: record the version this response used.
    ...(persona?.custom ? { persona_version: persona.custom.version } : {}),
  };

  return { persona, provider, context, inputItems, hasImageInput, serverTools: serverToolSpecs(req), response };
}

/**
 * Function tools as the backends get them, and `tools` as the Response echoes
 * them: every function tool complete (`description`, `parameters` and
 * `strict`, null when absent; see strict-schema.ts for `strict`), server
 * tools as sent. `parameters: null` (or absent) is a function without
 * arguments: the backends get an empty object schema.
 */
function convertTools(req: CreateResponseRequest, tally: SchemaTally): { tools: FunctionToolDef[]; echoed: unknown[] } {
  const tools: FunctionToolDef[] = [];
  const echoed: unknown[] = [];
  (req.tools ?? []).forEach((t, i) => {
    if (t.type !== 'function') {
      echoed.push(t);
      return;
    }
    if (tools.length === SCHEMA_LIMITS.functionTools) throw new ApiError('validation_error', `At most ${SCHEMA_LIMITS.functionTools} function tools are accepted in one request.`, { param: `tools[${i}]` });
    const given = t.parameters ?? EMPTY_PARAMS;
    // Not compiled here: a live backend gets the schema as is, and whoever validates against it compiles it then.
    checkClientSchema(given, `tools[${i}].parameters`, tally, `schema for function '${t.name}'`);
    const resolved = resolveStrict(given, t.strict, true);
    if (!resolved.ok) {
      throw new ApiError('invalid_request', `Invalid schema for function '${t.name}': ${resolved.problem} Set strict to false to use the schema as it is.`, { param: `tools[${i}].parameters` });
    }
    tools.push({ name: t.name, ...(t.description !== undefined ? { description: t.description } : {}), parameters: resolved.schema, strict: resolved.strict });
    echoed.push({
      type: 'function',
      name: t.name,
      description: t.description ?? null,
      parameters: t.parameters === undefined ? null : resolved.schema,
      strict: resolved.strict,
    });
  });
  return { tools, echoed };
}

/** `tool_choice` as echoed: allowed_tools with its `mode` (default auto). */
function echoToolChoice(tc: CreateResponseRequest['tool_choice']): unknown {
  if (tc === undefined) return 'auto';
  if (typeof tc === 'object' && tc.type === 'allowed_tools') return { type: 'allowed_tools', mode: tc.mode ?? 'auto', tools: tc.tools };
  return tc;
}

/**
 * An engine's refusal of one of the request's schemas (Provider.preflight) as
 * the 422 naming its param (`tools[2].parameters.properties.x.minItems`).
 * Anything else, and a refusal of one of the server's own tool schemas (the
 * server's fault), is returned as is.
 */
export function schemaRefusalError(err: unknown, req: CreateResponseRequest): unknown {
  if (!(err instanceof SchemaRefusal) || !err.origin) return err;
  let base: string | undefined;
  if (err.origin.kind === 'format') base = 'text.format.schema';
  else {
    const functions: number[] = [];
    (req.tools ?? []).forEach((t, i) => t.type === 'function' && functions.push(i));
    const at = functions[err.origin.index];
    if (at !== undefined) base = `tools[${at}].parameters`;
  }
  if (base === undefined) return err;
  const reason = err.reason.replace(/^sandbox: /, '');
  return new ApiError('validation_error', `The sandbox engine (test keys) cannot answer with this schema: ${reason}`, { param: schemaParam(base, err.path), cause: err });
}

/** Built-in server tools enabled in `tools` (type + settings); the rest of the keys are settings. */
function serverToolSpecs(req: CreateResponseRequest): ServerToolSpec[] {
  const out: ServerToolSpec[] = [];
  (req.tools ?? []).forEach((t, index) => {
    if (t.type === 'function') return;
    const { type, ...settings } = t;
    out.push({ type, settings, index });
  });
  return out;
}

function convertToolChoice(req: CreateResponseRequest, tools: FunctionToolDef[]): ToolChoice {
  const tc = req.tool_choice;
  if (tc === undefined || tc === 'auto') return { mode: 'auto' };
  if (tc === 'none') return { mode: 'none' };
  if (tc === 'required') {
    if (tools.length === 0) throw new ApiError('validation_error', "tool_choice 'required' needs at least one tool in 'tools'.", { param: 'tool_choice' });
    return { mode: 'required' };
  }
  const names = new Set(tools.map((t) => t.name));
  if (tc.type === 'function') {
    if (!names.has(tc.name)) throw new ApiError('validation_error', `Tool choice '${tc.name}' is not one of the functions in 'tools'.`, { param: 'tool_choice.name' });
    return { mode: 'function', name: tc.name };
  }
  tc.tools.forEach((t, i) => {
    if (!names.has(t.name)) throw new ApiError('validation_error', `Allowed tool '${t.name}' is not one of the functions in 'tools'.`, { param: `tool_choice.tools[${i}].name` });
  });
  return { mode: 'allowed', required: tc.mode === 'required', names: tc.tools.map((t) => t.name) };
}

/**
 * The output format as the backends get it, and `text.format` as echoed: a
 * json_schema format complete (`description` null when absent, `strict`
 * resolved: default false, as OpenAI; true must be strict-compatible).
 */
function convertFormat(req: CreateResponseRequest, tally: SchemaTally): { format: OutputFormat; echoed: Record<string, unknown> } {
  const f = req.text?.format;
  if (!f || f.type === 'text') return { format: { type: 'text' }, echoed: { type: 'text' } };
  if (f.type === 'json_object') return { format: { type: 'json_object' }, echoed: { type: 'json_object' } };
  checkClientSchema(f.schema, 'text.format.schema', tally, `JSON schema for format '${f.name}'`);
  // Compiled now: every answer is validated against it at the end of the run.
  const problem = schemaProblem(f.schema);
  if (problem) throw new ApiError('validation_error', `Invalid JSON schema for format '${f.name}': ${problem}`, { param: 'text.format.schema' });
  const resolved = resolveStrict(f.schema, f.strict, false);
  if (!resolved.ok) {
    throw new ApiError('invalid_request', `Invalid schema for response_format '${f.name}': ${resolved.problem} Set strict to false to use the schema as it is.`, { param: 'text.format.schema' });
  }
  return {
    format: { type: 'json_schema', name: f.name, schema: resolved.schema, strict: resolved.strict, ...(f.description !== undefined ? { description: f.description } : {}) },
    echoed: { type: 'json_schema', name: f.name, description: f.description ?? null, schema: resolved.schema, strict: resolved.strict },
  };
}

/** The shape checks; the bytes are checked by loadImages (images.ts). */
const IMAGE_URL = /^(https?:\/\/|data:image\/[a-z0-9.+-]+;base64,)/i;

function convertContent(content: string | ContentPartInput[], param: string): ContentPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  const parts: ContentPart[] = [];
  content.forEach((p, j) => {
    switch (p.type) {
      case 'input_text':
      case 'output_text':
        parts.push({ type: 'text', text: p.text });
        break;
      case 'refusal':
        parts.push({ type: 'text', text: p.refusal });
        break;
      case 'input_image':
        if (p.image_url === undefined) {
          throw new ApiError('validation_error', 'Image input by file_id is not supported yet: pass image_url (an https or data: URL).', {
            param: `${param}[${j}].${p.file_id !== undefined ? 'file_id' : 'image_url'}`,
          });
        }
        if (!IMAGE_URL.test(p.image_url)) {
          throw new ApiError('validation_error', 'image_url must be an http(s) URL or a data: URL of a PNG, JPEG, GIF or WebP image.', {
            param: `${param}[${j}].image_url`,
          });
        }
        parts.push({ type: 'image', url: p.image_url, detail: p.detail ?? 'auto' });
        break;
      case 'input_file':
        if (p.file_data === undefined && p.file_url === undefined) {
          throw new ApiError('validation_error', 'input_file needs file_data or file_url; uploaded file ids are not supported yet.', { param: `${param}[${j}]` });
        }
        parts.push({
          type: 'file',
          ...(p.filename !== undefined ? { filename: p.filename } : {}),
          ...(p.file_data !== undefined ? { data: p.file_data } : {}),
          ...(p.file_url !== undefined ? { url: p.file_url } : {}),
        });
        break;
    }
  });
  return parts;
}

async function resolveReference(load: (id: string) => Promise<LoadedResponse | null>, id: string, param: string): Promise<ConversationItem> {
  const responseId = responseIdOfItem(id);
  const stored = responseId ? await load(responseId) : null;
  if (stored) {
    const out = stored.body.output.find((o: OutputItem) => o.id === id);
    if (out) return outputItemToConversation(out);
    const inputs = stored.inputItems;
    const idx = inputs.findIndex((x) => x.id === id);
    if (idx >= 0) {
      const ctx = stored.context;
      const item = ctx[ctx.length - inputs.length + idx];
      if (item) return item;
    }
  }
  throw new ApiError('invalid_request', `Item with id '${id}' not found.`, { param });
}
