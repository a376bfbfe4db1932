/**
 * /openapi.json for /v1/focus-groups: the response shapes (zod, like the
 * rest of the document) and the paths. document.ts passes its helpers in,
 * so the schemas land in components like every other.
 */
import { z } from 'zod';
import { QUESTION_TYPES } from '../focus-groups/answer-types.js';
import { createFocusGroupRequest } from '../focus-groups/study-request.js';
import { exportQuery, listFocusGroupsQuery, listRespondentsQuery } from '../focus-groups/service.js';
import { STUDY_STATUSES } from '../focus-groups/study.js';

type Json = Record<string, unknown>;

const progress = z.object({
  respondents_total: z.number().int(),
  respondents_completed: z.number().int(),
  answers_total: z.number().int(),
  answers_completed: z.number().int(),
  answers_failed: z.number().int(),
  answers_skipped: z.number().int(),
  percent: z.number(),
});

export const focusGroupSchema = z
  .object({
    id: z.string(),
    object: z.literal('focus_group'),
    name: z.string(),
    status: z.enum(STUDY_STATUSES),
    mode: z.enum(['survey', 'discussion']),
    livemode: z.boolean().meta({ description: 'true: created with a live key (charged); false: a test key (sandbox, free).' }),
    created_at: z.number().int(),
    started_at: z.number().int().nullable(),
    completed_at: z.number().int().nullable(),
    personas: z.array(z.object({ persona_id: z.string(), respondents: z.number().int(), share: z.number().optional(), persona_version: z.number().int().optional() })),
    respondents: z.number().int(),
    questions: z.array(z.record(z.string(), z.unknown())).meta({ description: 'The guide as given, with ids resolved (q1, q2, … by default).' }),
    stimulus: z.object({ text: z.string().optional(), images: z.array(z.string()).optional() }).nullable(),
    instructions: z.string().nullable(),
    seed: z.number().int(),
    temperature: z.number().nullable(),
    metadata: z.record(z.string(), z.string()),
    progress,
    estimate: z.object({ credits: z.number().int(), max_credits: z.number().int() }),
    credits_held: z.number().int().meta({ description: 'Live keys: credits still reserved for the answers to come.' }),
    credits_used: z.number().int().meta({ description: 'What the answers so far cost (test keys: what they would have cost).' }),
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
  })
  .meta({ id: 'FocusGroup' });

const list = (item: z.ZodType, id: string) => z.object({ object: z.literal('list'), data: z.array(item), has_more: z.boolean(), first_id: z.string().nullable(), last_id: z.string().nullable() }).meta({ id });

export const focusGroupEstimateSchema = z
  .object({
    object: z.literal('focus_group.estimate'),
    respondents: z.number().int(),
    questions: z.number().int(),
    answers: z.number().int(),
    credits: z.number().int().meta({ description: 'Expected credits (every question asked).' }),
    max_credits: z.number().int().meta({ description: 'The most it can cost: what a live key holds.' }),
    livemode: z.boolean(),
  })
  .meta({ id: 'FocusGroupEstimate' });

const answer = z.object({
  question_id: z.string(),
  type: z.enum(QUESTION_TYPES),
  status: z.enum(['answered', 'skipped', 'failed']),
  answer: z
    .record(z.string(), z.unknown())
    .nullable()
    .meta({
      description:
        'The answer with its reasoning; null when skipped or failed. By type: {value} a point (nps, likert, rating, slider, semantic_differential) or a boolean (yes_no); {selected, other?} (multiple_choice); {text} (open_ended); {order} (ranking); {rows: {row: {value}}} (matrix); {tasks: [{shown, chosen}]} (conjoint, chosen null for none); {tasks: [{shown, best, worst}]} (maxdiff).',
    }),
  credits: z.number().int(),
  error: z.string().optional(),
});

export const respondentSchema = z
  .object({
    id: z.string(),
    object: z.literal('focus_group.respondent'),
    index: z.number().int(),
    persona_id: z.string(),
    status: z.enum(['in_progress', 'completed']),
    profile: z
      .object({
        name: z.string(),
        age: z.number().int(),
        age_band: z.string(),
        gender: z.string(),
        region: z.string(),
        country: z.string(),
        income: z.object({ band: z.string(), amount: z.number().nullable(), currency: z.string().nullable(), period: z.string().nullable(), basis: z.string().nullable() }),
        household: z.string(),
        attributes: z.record(z.string(), z.string()),
        traits: z.record(z.string(), z.unknown()).meta({ description: 'big_five (0–100 each), price_sensitivity, brand_loyalty, tech_adoption, risk_tolerance (0–1).' }),
      })
      .meta({ description: "Drawn from the persona's population model (src/personas/population.ts) with the study's seed." }),
    answers: z.array(answer),
  })
  .meta({ id: 'FocusGroupRespondent' });

export const focusGroupResultsSchema = z
  .object({
    object: z.literal('focus_group.results'),
    focus_group_id: z.string(),
    status: z.enum(STUDY_STATUSES),
    questions: z.array(
      z.object({
        question_id: z.string(),
        type: z.enum(QUESTION_TYPES),
        text: z.string(),
        n: z.number().int(),
        skipped: z.number().int(),
        failed: z.number().int(),
        distribution: z.record(z.string(), z.number().int()),
        mean: z.number().nullable().optional(),
      }),
    ),
  })
  .meta({ id: 'FocusGroupResults' });

export interface DocHelpers {
  schemaOf(s: z.ZodType): Json;
  queryParams(s: z.ZodObject): Json[];
  idParam(name: string): Json;
  errorResponses(...statuses: number[]): Json;
  json(ref: string, description?: string): Json;
  body(ref: string): Json;
  common: Json;
}

export function focusGroupComponents(h: DocHelpers): Record<string, Json> {
  return {
    CreateFocusGroupRequest: h.schemaOf(createFocusGroupRequest),
    FocusGroup: h.schemaOf(focusGroupSchema),
    FocusGroupList: h.schemaOf(list(focusGroupSchema, 'FocusGroupList')),
    FocusGroupEstimate: h.schemaOf(focusGroupEstimateSchema),
    FocusGroupRespondentList: h.schemaOf(list(respondentSchema, 'FocusGroupRespondentList')),
    FocusGroupResults: h.schemaOf(focusGroupResultsSchema),
    DeletedFocusGroup: h.schemaOf(z.object({ id: z.string(), object: z.literal('focus_group.deleted'), deleted: z.literal(true) }).meta({ id: 'DeletedFocusGroup' })),
  };
}

export function focusGroupPaths(h: DocHelpers): Record<string, Json> {
  const id = h.idParam('focus_group_id');
  return {
    '/focus-groups': {
      post: {
        operationId: 'createFocusGroup',
        summary:
          'Start a focus group: a guide of typed questions put to sampled respondents of 1–20 personas (up to 10,000), in the background. Live keys: the most it can cost is held first (402 when short). dry_run: true returns the estimate only. An Idempotency-Key header makes a retried create return the same study (200, idempotent-replayed: true); the same key with another body is a 422. Needs the focus_groups scope; the plan limits studies in progress (429).',
        parameters: [{ name: 'Idempotency-Key', in: 'header', required: false, schema: { type: 'string', maxLength: 255 } }],
        requestBody: h.body('CreateFocusGroupRequest'),
        responses: {
          '202': h.json('FocusGroup', 'The study, pending'),
          '200': { description: 'A replayed create (the same study), or with dry_run the estimate', content: { 'application/json': { schema: { oneOf: [{ $ref: '#/components/schemas/FocusGroup' }, { $ref: '#/components/schemas/FocusGroupEstimate' }] } } } },
          ...h.errorResponses(400, 402, 404, 413, 422, 503),
          ...h.common,
        },
      },
      get: {
        operationId: 'listFocusGroups',
        summary: 'The workspace’s focus groups, newest first.',
        parameters: h.queryParams(listFocusGroupsQuery),
        responses: { '200': h.json('FocusGroupList'), ...h.errorResponses(422), ...h.common },
      },
    },
    '/focus-groups/{focus_group_id}': {
      get: { operationId: 'getFocusGroup', summary: 'A study with its status and progress counts.', parameters: [id], responses: { '200': h.json('FocusGroup'), ...h.errorResponses(404), ...h.common } },
      delete: {
        operationId: 'deleteFocusGroup',
        summary: 'Delete a study with its respondents and answers (a running one is cancelled first; the ledger keeps what it was charged).',
        parameters: [id],
        responses: { '200': h.json('DeletedFocusGroup'), ...h.errorResponses(404), ...h.common },
      },
    },
    '/focus-groups/{focus_group_id}/events': {
      get: {
        operationId: 'streamFocusGroupEvents',
        summary: 'Server-Sent Events: focus_group.progress (id: answers settled; answers/s, ETA), then focus_group.completed / cancelled / failed with the study, then data: [DONE]. Resume with Last-Event-ID.',
        parameters: [id, { name: 'Last-Event-ID', in: 'header', required: false, schema: { type: 'string' } }, { name: 'after', in: 'query', required: false, schema: { type: 'string' } }],
        responses: { '200': { description: 'text/event-stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, ...h.errorResponses(404), ...h.common },
      },
    },
    '/focus-groups/{focus_group_id}/respondents': {
      get: {
        operationId: 'listFocusGroupRespondents',
        summary: 'The sampled respondents in order: profile, answers and reasoning.',
        parameters: [id, ...h.queryParams(listRespondentsQuery)],
        responses: { '200': h.json('FocusGroupRespondentList'), ...h.errorResponses(404, 422), ...h.common },
      },
    },
    '/focus-groups/{focus_group_id}/results': {
      get: { operationId: 'getFocusGroupResults', summary: 'Per question: answered, skipped and failed counts, the distribution, and the mean of scale questions.', parameters: [id], responses: { '200': h.json('FocusGroupResults'), ...h.errorResponses(404), ...h.common } },
    },
    '/focus-groups/{focus_group_id}/export': {
      get: {
        operationId: 'exportFocusGroup',
        summary: 'format=json: the study with its results; format=csv: one row per answer.',
        parameters: [id, ...h.queryParams(exportQuery)],
        responses: { '200': { description: 'The export', content: { 'application/json': { schema: { type: 'object' } }, 'text/csv': { schema: { type: 'string' } } } }, ...h.errorResponses(404, 422), ...h.common },
      },
    },
    '/focus-groups/{focus_group_id}/cancel': {
      post: {
        operationId: 'cancelFocusGroup',
        summary: 'Stop a running study: it keeps (and pays for) the answers it got; the rest of its hold is released. Idempotent.',
        parameters: [id],
        responses: { '200': h.json('FocusGroup'), ...h.errorResponses(400, 404), ...h.common },
      },
    },
  };
}
