/**
 * /openapi.json, generated from the same zod schemas that validate requests
 * (so the document cannot drift from what the server accepts).
 */
import { z } from 'zod';
import { chatCompletionObject, chatCompletionRequest } from '../chat-completions/schema.js';
import { ERRORS } from '../errors/registry.js';
import { createResponseRequest } from '../schemas/create-response.js';
import { usageQuery } from '../routes/account.js';
import { createKeyRequest, createWorkspaceRequest, creditChangeRequest, setPlanRequest } from '../routes/admin.js';
import { inputItemsQuery, listPersonasQuery, retrieveResponseQuery } from '../schemas/queries.js';
import { clonePersonaRequest, createPersonaRequest, customPersonaSchema, deletedPersonaSchema, getPersonaQuery, patchPersonaRequest, PERSONA_CREDITS, personaExportDocument } from '../personas/custom-persona.js';
import { focusGroupComponents, focusGroupPaths, type DocHelpers } from './focus-groups.js';
import { responseObjectSchema, personaSummarySchema, errorBodySchema, inputItemListSchema, personaListSchema, deletedResponseSchema, modelListSchema } from './response-schemas.js';

type Json = Record<string, unknown>;

/** Named sub-schemas (zod `.meta({id})`) collected into components.schemas. */
const shared: Record<string, Json> = {};

function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value === null || typeof value !== 'object') return value;
  const out: Json = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = k === '$ref' && typeof v === 'string' ? v.replace('#/$defs/', '#/components/schemas/') : rewriteRefs(v);
  }
  return out;
}

function schemaOf(s: z.ZodType): Json {
  const out = rewriteRefs(z.toJSONSchema(s, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' })) as Json;
  delete out.$schema;
  const defs = (out.$defs ?? {}) as Record<string, Json>;
  delete out.$defs;
  Object.assign(shared, defs);
  // A schema that is only a reference to its own named definition: inline it.
  if (typeof out.$ref === 'string' && Object.keys(out).length === 1) {
    const name = out.$ref.replace('#/components/schemas/', '');
    const own = defs[name];
    if (own) {
      delete shared[name];
      return own;
    }
  }
  return out;
}

function queryParams(s: z.ZodObject): Json[] {
  const shape = s.shape as Record<string, z.ZodType>;
  return Object.entries(shape).map(([name, field]) => {
    const js = schemaOf(field);
    const description = typeof js.description === 'string' ? js.description : undefined;
    return { name, in: 'query', required: false, schema: js, ...(description ? { description } : {}) };
  });
}

const idParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });

function errorResponses(...statuses: number[]): Json {
  const out: Json = {};
  for (const status of statuses) {
    const codes = Object.entries(ERRORS).filter(([, e]) => e.status === status).map(([c]) => c);
    out[String(status)] = {
      description: `Error: ${codes.join(', ')}`,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
    };
  }
  return out;
}

const body = (ref: string) => ({ required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });
const json = (ref: string, description = 'OK') => ({ description, content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } } });

export function buildOpenApiDocument(): Json {
  const schemas = {
    CreateResponseRequest: schemaOf(createResponseRequest),
    ChatCompletionRequest: schemaOf(chatCompletionRequest),
    ChatCompletion: schemaOf(chatCompletionObject),
    Response: schemaOf(responseObjectSchema),
    Persona: schemaOf(personaSummarySchema),
    PersonaList: schemaOf(personaListSchema),
    InputItemList: schemaOf(inputItemListSchema),
    DeletedResponse: schemaOf(deletedResponseSchema),
    ModelList: schemaOf(modelListSchema),
    Error: schemaOf(errorBodySchema),
    CreateWorkspaceRequest: schemaOf(createWorkspaceRequest),
    SetPlanRequest: schemaOf(setPlanRequest),
    CreateKeyRequest: schemaOf(createKeyRequest),
    CreditChangeRequest: schemaOf(creditChangeRequest),
    CreatePersonaRequest: schemaOf(createPersonaRequest),
    PatchPersonaRequest: schemaOf(patchPersonaRequest),
    ClonePersonaRequest: schemaOf(clonePersonaRequest),
    PersonaExport: schemaOf(personaExportDocument),
    CustomPersona: schemaOf(customPersonaSchema),
    DeletedPersona: schemaOf(deletedPersonaSchema),
  };
  const common = errorResponses(401, 403, 429, 500);
  const helpers: DocHelpers = { schemaOf, queryParams, idParam, errorResponses, json, body, common };
  Object.assign(schemas, focusGroupComponents(helpers));
  return {
    openapi: '3.1.0',
    info: {
      title: 'Cohort API',
      version: '1.0.0',
      description:
        'Persona intelligence API, drop-in compatible with the OpenAI Responses API (model "mavera-1"). Every path is also served under /api/v1. Authenticate with "Authorization: Bearer mvra_live_…" or a mvra_test_ key (sandbox engine, offline and free).',
    },
    servers: [{ url: '/v1' }, { url: '/api/v1' }],
    security: [{ bearer: [] }],
    paths: {
      '/responses': {
        post: {
          operationId: 'createResponse',
          summary: 'Create a response, optionally from a persona’s perspective; streams with stream:true.',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/CreateResponseRequest' } } } },
          responses: {
            '200': {
              description: 'The Response (or, with stream:true, text/event-stream of Responses events ending in data: [DONE]).',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Response' } }, 'text/event-stream': { schema: { type: 'string' } } },
            },
            ...errorResponses(400, 404, 413, 422, 503),
            ...common,
          },
        },
      },
      '/chat/completions': {
        post: {
          operationId: 'createChatCompletion',
          summary:
            'Legacy Chat Completions, served by the Responses pipeline (persona_id and analysis_mode accepted; never stored). stop, seed and service_tier are accepted and ignored; n must be 1 and logprobs false.',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/ChatCompletionRequest' } } } },
          responses: {
            '200': {
              description: 'The chat.completion (or, with stream:true, text/event-stream of chat.completion.chunk data frames ending in data: [DONE]).',
              content: { 'application/json': { schema: { $ref: '#/components/schemas/ChatCompletion' } }, 'text/event-stream': { schema: { type: 'string' } } },
            },
            ...errorResponses(400, 404, 413, 422, 503),
            ...common,
          },
        },
      },
      '/responses/{response_id}': {
        get: {
          operationId: 'getResponse',
          summary: 'Retrieve a stored response; with stream=true, replay its events after starting_after.',
          parameters: [idParam('response_id'), ...queryParams(retrieveResponseQuery)],
          responses: { '200': json('Response'), ...errorResponses(404, 422), ...common },
        },
        delete: {
          operationId: 'deleteResponse',
          parameters: [idParam('response_id')],
          responses: { '200': json('DeletedResponse'), ...errorResponses(404), ...common },
        },
      },
      '/responses/{response_id}/cancel': {
        post: {
          operationId: 'cancelResponse',
          summary: 'Cancel a background response (idempotent).',
          parameters: [idParam('response_id')],
          responses: { '200': json('Response'), ...errorResponses(400, 404), ...common },
        },
      },
      '/responses/{response_id}/input_items': {
        get: {
          operationId: 'listInputItems',
          parameters: [idParam('response_id'), ...queryParams(inputItemsQuery)],
          responses: { '200': json('InputItemList'), ...errorResponses(404, 422), ...common },
        },
      },
      '/personas': {
        get: {
          operationId: 'listPersonas',
          summary: 'List built-in and custom personas in one id-sorted, cursor-paged list (free). The persona prompt is never returned.',
          parameters: queryParams(listPersonasQuery),
          responses: { '200': json('PersonaList'), ...errorResponses(422), ...common },
        },
        post: {
          operationId: 'createPersona',
          summary: `Create a custom persona (${PERSONA_CREDITS.create} credits; test keys are not charged). pipeline_type north_star: name + description, the rest generated; intermediate: guided fields, the rest filled in; advanced: the full profile. Needs the personas:write scope.`,
          requestBody: body('CreatePersonaRequest'),
          responses: { '200': json('CustomPersona'), ...errorResponses(400, 402, 413, 422, 503), ...common },
        },
      },
      '/personas/import': {
        post: {
          operationId: 'importPersona',
          summary: `Create a custom persona from an export document (validated like an advanced create; ${PERSONA_CREDITS.create} credits).`,
          requestBody: body('PersonaExport'),
          responses: { '200': json('CustomPersona'), ...errorResponses(400, 402, 413, 422), ...common },
        },
      },
      '/personas/{persona_id}': {
        get: {
          operationId: 'getPersona',
          summary: 'One persona with its profile as details. Custom personas add version, pipeline_type, type and the guided fields; ?version=N reads an earlier version.',
          parameters: [idParam('persona_id'), ...queryParams(getPersonaQuery)],
          responses: { '200': { description: 'The persona', content: { 'application/json': { schema: { oneOf: [{ $ref: '#/components/schemas/Persona' }, { $ref: '#/components/schemas/CustomPersona' }] } } } }, ...errorResponses(404, 422), ...common },
        },
        patch: {
          operationId: 'updatePersona',
          summary: 'Change a custom persona: writes a new version (responses keep the version they used). Built-in personas cannot be changed (400; clone them). Free.',
          parameters: [idParam('persona_id')],
          requestBody: body('PatchPersonaRequest'),
          responses: { '200': json('CustomPersona'), ...errorResponses(400, 404, 413, 422), ...common },
        },
        delete: {
          operationId: 'deletePersona',
          summary: 'Delete a custom persona (soft: gone from listings and new requests; stored responses and conversations that used it keep working).',
          parameters: [idParam('persona_id')],
          responses: { '200': json('DeletedPersona'), ...errorResponses(400, 404), ...common },
        },
      },
      '/personas/{persona_id}/clone': {
        post: {
          operationId: 'clonePersona',
          summary: `Copy a built-in or custom persona into a new custom persona (${PERSONA_CREDITS.clone} credits). The body is optional.`,
          parameters: [idParam('persona_id')],
          requestBody: { required: false, content: { 'application/json': { schema: { $ref: '#/components/schemas/ClonePersonaRequest' } } } },
          responses: { '200': json('CustomPersona'), ...errorResponses(402, 404, 422), ...common },
        },
      },
      '/personas/{persona_id}/export': {
        get: {
          operationId: 'exportPersona',
          summary: 'A portable JSON document of the persona (no ids, no workspace), accepted by POST /personas/import.',
          parameters: [idParam('persona_id')],
          responses: { '200': json('PersonaExport'), ...errorResponses(404), ...common },
        },
      },
      '/session': {
        post: {
          operationId: 'createSession',
          summary:
            "The web console's sign-in: exchanges the Bearer key for a session cookie (HttpOnly, SameSite=Strict, 12 h). The cookie then authenticates /v1 requests like the key, with its workspace and scopes; a request that changes state with it needs the session's csrf_token in the x-cohort-csrf header.",
          responses: { '201': { description: 'Session (csrf_token, workspace, key prefix, mode and scopes, expires_at); sets the cohort_session cookie' }, ...errorResponses(400), ...common },
        },
        get: { operationId: 'getSession', summary: 'The console session of the cookie: who is signed in, and its csrf_token.', responses: { '200': { description: 'Session' }, ...common } },
        delete: { operationId: 'deleteSession', summary: 'Signs out: ends the session and clears the cookie (needs x-cohort-csrf).', responses: { '200': { description: 'Deleted' }, ...common } },
      },
      '/credits': {
        get: { operationId: 'getCredits', summary: 'Balance, credits held by requests in progress, monthly budget and spend.', responses: { '200': { description: 'Credits' }, ...common } },
      },
      '/usage': {
        get: {
          operationId: 'getUsage',
          summary: 'Requests, tokens and credits debited, by day, key, persona or operation, over a date range; rows of test keys have mode "test" and 0 credits.',
          parameters: queryParams(usageQuery),
          responses: { '200': { description: 'Usage report' }, ...errorResponses(422), ...common },
        },
      },
      '/admin/workspaces': {
        get: { operationId: 'adminListWorkspaces', responses: { '200': { description: 'Workspaces (an admin key: its own)' }, ...common } },
        post: { operationId: 'adminCreateWorkspace', requestBody: body('CreateWorkspaceRequest'), responses: { '201': { description: 'Workspace' }, ...errorResponses(400, 422), ...common } },
      },
      '/admin/workspaces/{name}': {
        get: { operationId: 'adminGetWorkspace', parameters: [idParam('name')], responses: { '200': { description: 'Workspace with credits' }, ...errorResponses(404), ...common } },
      },
      '/admin/workspaces/{name}/plan': {
        post: { operationId: 'adminSetPlan', parameters: [idParam('name')], requestBody: body('SetPlanRequest'), responses: { '200': { description: 'Workspace' }, ...errorResponses(404, 422), ...common } },
      },
      '/admin/workspaces/{name}/keys': {
        get: { operationId: 'adminListKeys', parameters: [idParam('name')], responses: { '200': { description: 'Keys (never their secrets)' }, ...errorResponses(404), ...common } },
        post: { operationId: 'adminCreateKey', parameters: [idParam('name')], requestBody: body('CreateKeyRequest'), responses: { '201': { description: 'The key, with its secret shown once' }, ...errorResponses(404, 422), ...common } },
      },
      '/admin/keys/{id}/revoke': {
        post: { operationId: 'adminRevokeKey', parameters: [idParam('id')], responses: { '200': { description: 'Revoked' }, ...errorResponses(404), ...common } },
      },
      '/admin/workspaces/{name}/credits': {
        get: { operationId: 'adminGetCredits', parameters: [idParam('name')], responses: { '200': { description: 'Credits and the latest ledger rows' }, ...errorResponses(404), ...common } },
        post: { operationId: 'adminChangeCredits', parameters: [idParam('name')], requestBody: body('CreditChangeRequest'), responses: { '200': { description: 'Credits' }, ...errorResponses(404, 422), ...common } },
      },
      '/admin/workspaces/{name}/usage': {
        get: { operationId: 'adminGetUsage', parameters: [idParam('name'), ...queryParams(usageQuery)], responses: { '200': { description: 'Usage report' }, ...errorResponses(404, 422), ...common } },
      },
      ...focusGroupPaths(helpers),
      '/models': { get: { operationId: 'listModels', responses: { '200': json('ModelList'), ...common } } },
      '/models/{model}': {
        get: { operationId: 'getModel', parameters: [idParam('model')], responses: { '200': { description: 'The model' }, ...errorResponses(404), ...common } },
      },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'mvra_live_… or mvra_test_… key' } },
      schemas: { ...shared, ...schemas },
    },
  };
}
