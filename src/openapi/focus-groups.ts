/**
 * /openapi.json for /v1/focus-groups: the response shapes (zod, like the
 * rest of the document) and the paths. document.ts passes its helpers in,
 * so the schemas land in components like every other.
 */
import { z } from 'zod';
import { QUESTION_TYPES } from '../focus-groups/answer-types.js';
import { createFocusGroupRequest } from '../focus-groups/study-request.js';
import { exportQuery, listFocusGroupsQuery, listRespondentsQuery, resultsQuery } from '../focus-groups/service.js';
import { STUDY_STATUSES } from '../focus-groups/study.js';
import { listTranscriptsQuery } from '../focus-groups/discussion/transcript-view.js';

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
    targets: z.record(z.string(), z.record(z.string(), z.number())).nullable().meta({ description: 'Target marginals the results rake to (shares normalized to sum to 1), or null.' }),
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

const interval = z.tuple([z.number(), z.number()]).nullable();
const distributionEntry = z
  .object({
    value: z.union([z.number(), z.string()]).meta({ description: 'The scale point, option, item, theme id, or profile position.' }),
    label: z.string().optional(),
    count: z.number().meta({ description: 'Respondents (unweighted); for maxdiff and conjoint, choices.' }),
    share: z.number().meta({ description: 'Weighted share, 0–1.' }),
    ci: interval.optional().meta({ description: "Wilson score interval of the share (Kish's effective n when weighted): yes_no, multiple_choice, and ranking's first-choice shares." }),
  })
  .meta({ id: 'FocusGroupDistributionEntry' });
const segmentTest = z
  .object({
    test: z.enum(['chi_square', 'mann_whitney_u', 'kruskal_wallis', 'welch_t', 'two_proportion_z', 'nps_difference_z', 'likelihood_ratio']),
    metric: z.string(),
    groups: z.array(z.string()),
    statistic: z.number(),
    df: z.number().optional(),
    p_value: z.number(),
    p_adjusted: z.number().meta({ description: "Holm's adjustment over all the question's tests." }),
    significant: z.boolean(),
    effect_size: z.object({ measure: z.string(), value: z.number() }).nullable(),
    difference: z.number().optional(),
    warning: z.string().optional(),
  })
  .meta({ id: 'FocusGroupSegmentTest' });
const statistics = {
  n: z.number().int(),
  n_effective: z.number().optional().meta({ description: "Kish's effective n, when the study is weighted." }),
  distribution: z.array(distributionEntry),
  mean: z.number().nullable().optional(),
  median: z.number().nullable().optional(),
  sd: z.number().nullable().optional(),
  ci: z
    .record(z.string(), interval)
    .optional()
    .meta({ description: "Intervals by statistic: mean (percentile bootstrap), mean_t (t-interval), median (bootstrap), nps (bootstrap), nps_normal (normal, multinomial variance), and the proportions top2box, bottom2box, yes (Wilson score interval on Kish's effective n)." }),
  top2box: z.number().nullable().optional(),
  bottom2box: z.number().nullable().optional(),
  nps: z.object({ score: z.number(), promoters: z.number(), passives: z.number(), detractors: z.number(), se: z.number().nullable() }).nullable().optional(),
  yes: z.number().nullable().optional(),
};
const segment = z
  .object({
    by: z.string().meta({ description: "The attribute: 'persona', or one asked for with segment_by." }),
    groups: z.array(z.object({ key: z.string(), ...statistics }).catchall(z.unknown())),
    tests: z.array(segmentTest),
  })
  .meta({ id: 'FocusGroupSegment' });

export const focusGroupQuestionResultSchema = z
  .object({
    question_id: z.string(),
    type: z.enum(QUESTION_TYPES),
    text: z.string(),
    ...statistics,
    skipped: z.number().int().meta({ description: 'Respondents without an answer: not asked (skip logic) or outside the scale.' }),
    failed: z.number().int().meta({ description: 'Answers that failed (no valid answer within the repair budget).' }),
    reference: z
      .object({ wasserstein: z.number().nullable(), representativeness: z.number().nullable(), jensen_shannon: z.number(), sd_ratio: z.number().nullable() })
      .optional()
      .meta({ description: "With a question's reference distribution: normalized Wasserstein distance (1 − representativeness), Jensen–Shannon divergence (bits), sd ratio." }),
    other_answers: z.array(z.object({ text: z.string(), count: z.number() })).optional(),
    options: z.array(z.record(z.string(), z.unknown())).optional().meta({ description: 'ranking: per option mean_rank, sd_rank, ci, first_choice, rank_distribution, borda, borda_share.' }),
    items: z.array(z.record(z.string(), z.unknown())).optional().meta({ description: 'maxdiff: per item shown, score (best − worst), best_share, worst_share.' }),
    attributes: z.array(z.record(z.string(), z.unknown())).optional().meta({ description: 'conjoint: per attribute importance (percent) and levels with part_worth, se, ci, choice_share.' }),
    rows: z.array(z.record(z.string(), z.unknown())).optional().meta({ description: 'matrix: per row the scale statistics.' }),
    themes: z
      .array(z.object({ id: z.string(), label: z.string(), terms: z.array(z.string()), count: z.number(), share: z.number(), quotes: z.array(z.object({ text: z.string(), respondent_id: z.string().optional() })), sentiment: z.number().nullable().optional() }))
      .optional()
      .meta({ description: 'open_ended: themes with counts, shares, representative quotes and mean sentiment (−1 … 1).' }),
    unthemed: z.object({ count: z.number(), share: z.number() }).optional(),
    segments: z.array(segment),
  })
  .catchall(z.unknown())
  .meta({ id: 'FocusGroupQuestionResult', description: 'One question\'s statistics; which fields appear depends on its type (src/focus-groups/stats/results/result-types.ts).' });

export const transcriptSchema = z
  .object({
    id: z.string(),
    object: z.literal('focus_group.transcript'),
    session: z.number().int().meta({ description: 'The session, from 0.' }),
    status: z.enum(['pending', 'in_progress', 'completed']),
    members: z.array(z.object({ respondent_id: z.string(), name: z.string().nullable() })),
    turns: z.array(
      z.object({
        seq: z.number().int(),
        question_id: z.string().nullable(),
        kind: z.enum(['question', 'answer', 'probe', 'probe_answer']).meta({ description: "The moderator's question or probe, a member's answer or its answer after the probe." }),
        speaker: z.string().meta({ description: "'moderator' or the respondent's id." }),
        name: z.string().nullable(),
        text: z.string(),
        answer: z.unknown().optional().meta({ description: "A member's structured answer (the question type's Answer): the last one is its position, stored with the respondent's answers." }),
      }),
    ),
  })
  .meta({ id: 'FocusGroupTranscript' });

export const focusGroupResultsSchema = z
  .object({
    object: z.literal('focus_group.results'),
    focus_group_id: z.string(),
    status: z.enum(STUDY_STATUSES),
    respondents: z.number().int(),
    segment_by: z.array(z.string()),
    weighting: z
      .object({
        targets: z.record(z.string(), z.record(z.string(), z.number())),
        applied: z.boolean(),
        iterations: z.number().int().optional(),
        converged: z.boolean().optional(),
        max_deviation: z.number().optional(),
        effective_n: z.number().optional(),
        design_effect: z.number().optional(),
        trim: z.object({ min: z.number(), max: z.number() }).optional(),
        error: z.object({ code: z.string(), message: z.string(), param: z.string() }).optional(),
      })
      .nullable()
      .meta({ description: 'Raking to the study\'s targets, or null without targets. applied: false when the sample cannot meet them (error says why); the results are then unweighted.' }),
    methods: z.record(z.string(), z.unknown()).meta({ description: 'How the numbers were computed (interval level, bootstrap replicates, `intervals`: which interval each statistic gets, tests, correction).' }),
    questions: z.array(focusGroupQuestionResultSchema),
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
    FocusGroupTranscriptList: h.schemaOf(list(transcriptSchema, 'FocusGroupTranscriptList')),
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
    '/focus-groups/{focus_group_id}/transcripts': {
      get: {
        operationId: 'listFocusGroupTranscripts',
        summary: "A discussion study's sessions in order, each with its members and transcript (the moderator's questions and probes, every answer). 400 for a survey.",
        parameters: [id, ...h.queryParams(listTranscriptsQuery)],
        responses: { '200': h.json('FocusGroupTranscriptList'), ...h.errorResponses(400, 404, 422), ...h.common },
      },
    },
    '/focus-groups/{focus_group_id}/results': {
      get: {
        operationId: 'getFocusGroupResults',
        summary:
          "Per question, overall and per segment (persona, plus segment_by attributes): n, distribution, mean/median/sd and NPS with seeded-bootstrap 95% intervals, top-2-box, yes share and option shares with Wilson intervals, ranking, MaxDiff, conjoint part-worths and importance, matrix rows, themes with quotes and sentiment, the distance to a question's reference; tests between groups with Holm-adjusted p-values; weighted by raking when the study has targets. Partial while the study runs; computed once when it has ended.",
        parameters: [id, ...h.queryParams(resultsQuery)],
        responses: { '200': h.json('FocusGroupResults'), ...h.errorResponses(400, 404, 422), ...h.common },
      },
    },
    '/focus-groups/{focus_group_id}/export': {
      get: {
        operationId: 'exportFocusGroup',
        summary:
          "format=json: the study with its results and, for a discussion study, every session's transcript (streamed); format=csv: one row per answer, or with part=transcripts one row per turn of a discussion's transcripts; format=html: one self-contained report (inline CSS and SVG charts, a discussion's sessions as collapsible transcripts up to 20,000 turns, no script, nothing loaded) to mail.",
        parameters: [id, ...h.queryParams(exportQuery)],
        responses: {
          '200': {
            description: 'The export (content-disposition: attachment)',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    focus_group: { $ref: '#/components/schemas/FocusGroup' },
                    results: { $ref: '#/components/schemas/FocusGroupResults' },
                    transcripts: { type: 'array', items: { $ref: '#/components/schemas/FocusGroupTranscript' }, description: "A discussion study's sessions in order, as GET …/transcripts gives them (absent for a survey)." },
                  },
                  required: ['focus_group', 'results'],
                },
              },
              'text/csv': {
                schema: {
                  type: 'string',
                  description: 'part=answers: respondent_id,respondent_index,persona_id,question_id,type,status,answer,reasoning,credits. part=transcripts: session,seq,question_id,kind,speaker_id,speaker_name,text,answer (answer: the structured answer as JSON, without its reasoning; speaker_id "moderator" or a respondent id).',
                },
              },
              'text/html': { schema: { type: 'string' } },
            },
          },
          ...h.errorResponses(400, 404, 422),
          ...h.common,
        },
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
