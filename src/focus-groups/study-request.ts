/**
 * POST /v1/focus-groups: the request schema (zod: validates and renders
 * /openapi.json) and its normalization into a StudyDefinition — question ids
 * resolved (q1, q2, … by position), persona shares turned into respondent
 * counts (largest remainder), cross-field rules checked with the offending
 * `param` (`questions[2].when.question_id`, `personas[1].share`).
 */
import { z } from 'zod';
import { SCALE_TYPES, type ScaleType } from './stored-answer.js';
import { QUESTION_REGISTRY, questionSchema, type Question } from './questions/registry.js';
import { checkWhen } from './skip-logic.js';
import { DEFAULT_SESSION_SIZE, MAX_SESSION_SIZE, MIN_SESSION_SIZE } from './discussion/sessions.js';
import { ssrProblem } from './ssr-anchors.js';
import { normalizeTargets, targetsSchema } from './targets.js';
import type { PersonaAllocation, StudyDefinition } from './study.js';

export const MAX_RESPONDENTS = 10_000;
export const MAX_QUESTIONS = 50;
export const MAX_PERSONAS = 20;
export const MAX_STIMULUS_IMAGES = 4;

const personaEntry = z
  .strictObject({
    persona_id: z.string().min(1).max(100),
    respondents: z.number().int().min(1).max(MAX_RESPONDENTS).optional().meta({ description: 'Respondents drawn from this persona.' }),
    share: z.number().gt(0).max(100).optional().meta({ description: 'Or: its share of the total `respondents` (shares are normalized).' }),
  })
  .meta({ id: 'FocusGroupPersona', description: 'A persona of the sample: {persona_id, respondents} or {persona_id, share}.' });

const imageUrl = z
  .string()
  .max(30 * 1024 * 1024)
  .refine((u) => /^(https?:\/\/|data:)/i.test(u), 'must be an http(s) URL or a data: URL of an image');

export const createFocusGroupRequest = z
  .strictObject({
    name: z.string().trim().min(1).max(200),
    personas: z.array(personaEntry).min(1).max(MAX_PERSONAS),
    respondents: z.number().int().min(1).max(MAX_RESPONDENTS).optional().meta({ description: 'Total respondents; required with shares, else the sum of the counts.' }),
    questions: z.array(questionSchema).min(1).max(MAX_QUESTIONS),
    mode: z
      .enum(['survey', 'discussion'])
      .optional()
      .meta({
        description:
          "survey (default): each respondent answers the guide in order, as one conversation. discussion: moderated sessions of `session_size` respondents; the moderator asks each question, respondents answer in turn seeing the transcript, and where answers diverge the moderator probes once and everyone answers again (their position). Transcripts: GET /v1/focus-groups/{id}/transcripts.",
      }),
    session_size: z
      .number()
      .int()
      .min(MIN_SESSION_SIZE)
      .max(MAX_SESSION_SIZE)
      .optional()
      .meta({ description: `Discussion mode: respondents per session, ${MIN_SESSION_SIZE}–${MAX_SESSION_SIZE} (default ${DEFAULT_SESSION_SIZE}); the respondents are seated in ceil(respondents / session_size) sessions as equal as possible.` }),
    stimulus: z
      .strictObject({
        text: z.string().trim().min(1).max(20_000).optional(),
        images: z.array(imageUrl).min(1).max(MAX_STIMULUS_IMAGES).optional(),
      })
      .refine((s) => s.text !== undefined || s.images !== undefined, 'give text, images or both')
      .optional()
      .meta({ description: 'Shown to every respondent: a concept text and/or image URLs (fetched once, through the server\'s SSRF guard).' }),
    instructions: z.string().trim().min(1).max(10_000).optional().meta({ description: 'Context for every respondent (appended to the system prompt).' }),
    seed: z.number().int().min(0).max(2 ** 31 - 1).optional().meta({ description: 'Same seed, same respondents; on the sandbox, the same answers. Default: random (returned).' }),
    temperature: z.number().min(0).max(2).optional(),
    targets: targetsSchema.optional(),
    metadata: z
      .record(z.string().min(1).max(64), z.string().max(512))
      .refine((m) => Object.keys(m).length <= 16, 'at most 16 keys')
      .optional(),
    dry_run: z.boolean().optional().meta({ description: 'true: validate and return the estimate only; nothing is stored or held.' }),
  })
  .superRefine((req, ctx) => {
    checkPersonas(req, ctx);
    checkQuestions(req.questions, ctx);
    if (req.session_size !== undefined && req.mode !== 'discussion') ctx.addIssue({ code: 'custom', path: ['session_size'], message: "session_size applies to mode 'discussion'" });
    if (req.mode === 'discussion') {
      const total = req.respondents ?? req.personas.reduce((n, p) => n + (p.respondents ?? 0), 0);
      if (total > 0 && total < MIN_SESSION_SIZE) ctx.addIssue({ code: 'custom', path: [req.respondents !== undefined ? 'respondents' : 'personas'], message: `a discussion needs at least ${MIN_SESSION_SIZE} respondents, got ${total}` });
    }
  })
  .meta({ id: 'CreateFocusGroupRequest' });

export type CreateFocusGroupRequest = z.infer<typeof createFocusGroupRequest>;

type Ctx = z.core.$RefinementCtx;

function checkPersonas(req: { personas: z.infer<typeof personaEntry>[]; respondents?: number | undefined }, ctx: Ctx): void {
  const seen = new Map<string, number>();
  let byCount = 0;
  let byShare = 0;
  req.personas.forEach((p, i) => {
    if (seen.has(p.persona_id)) ctx.addIssue({ code: 'custom', path: ['personas', i, 'persona_id'], message: `'${p.persona_id}' is listed twice (personas[${seen.get(p.persona_id)}])` });
    seen.set(p.persona_id, i);
    if ((p.respondents === undefined) === (p.share === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['personas', i], message: 'give either respondents or share' });
      return;
    }
    if (p.respondents !== undefined) byCount += 1;
    else byShare += 1;
  });
  if (byCount > 0 && byShare > 0) {
    const i = req.personas.findIndex((p) => p.share !== undefined);
    ctx.addIssue({ code: 'custom', path: ['personas', i, 'share'], message: 'use respondents for every persona or share for every persona, not both' });
    return;
  }
  if (byShare > 0 && req.respondents === undefined) ctx.addIssue({ code: 'custom', path: ['respondents'], message: 'give the total number of respondents the shares divide' });
  if (byCount > 0) {
    const sum = req.personas.reduce((n, p) => n + (p.respondents ?? 0), 0);
    if (req.respondents !== undefined && req.respondents !== sum) ctx.addIssue({ code: 'custom', path: ['respondents'], message: `the personas' respondents add up to ${sum}, not ${req.respondents}` });
    if (sum > MAX_RESPONDENTS) ctx.addIssue({ code: 'custom', path: ['personas'], message: `at most ${MAX_RESPONDENTS} respondents in all, got ${sum}` });
  }
}

/** The id a question gets: its own, or q<position>. */
export const questionIdAt = (q: { id?: string | undefined }, index: number) => q.id ?? `q${index + 1}`;

function checkQuestions(questions: ReadonlyArray<Omit<Question, 'id'> & { id?: string | undefined }>, ctx: Ctx): void {
  const index = new Map<string, number>();
  questions.forEach((q, i) => {
    const id = questionIdAt(q, i);
    if (index.has(id)) ctx.addIssue({ code: 'custom', path: ['questions', i, 'id'], message: `'${id}' is already the id of questions[${index.get(id)}]` });
    else index.set(id, i);
    if (q.elicitation === 'ssr') {
      const problem = ssrProblem(q as Question);
      if (problem) ctx.addIssue({ code: 'custom', path: ['questions', i, 'elicitation'], message: problem });
    }
    if (q.reference) {
      const def = QUESTION_REGISTRY[q.type] as (typeof QUESTION_REGISTRY)[Question['type']];
      const size = def.referenceSize?.({ ...q, id } as never);
      if (!size) ctx.addIssue({ code: 'custom', path: ['questions', i, 'reference'], message: `a reference distribution is not available for ${q.type} questions` });
      else if (q.reference.length < size.min || q.reference.length > size.max) {
        const want = size.min === size.max ? `${size.min}` : `${size.min} to ${size.max}`;
        ctx.addIssue({ code: 'custom', path: ['questions', i, 'reference'], message: `give ${want} shares (one per ${q.type === 'multiple_choice' ? 'option, then other' : q.type === 'yes_no' ? 'answer: yes, no' : 'point of the scale, lowest first'}), got ${q.reference.length}` });
      }
    }
    if (q.when) {
      const at = index.get(q.when.question_id);
      if (at === undefined || at >= i) {
        ctx.addIssue({ code: 'custom', path: ['questions', i, 'when', 'question_id'], message: `'${q.when.question_id}' is not the id of an earlier question` });
        return;
      }
      const target = { ...questions[at]!, id: q.when.question_id } as Question;
      const def = QUESTION_REGISTRY[target.type] as (typeof QUESTION_REGISTRY)[Question['type']];
      const problems = checkWhen(q.when, {
        type: target.type,
        kind: def.condition,
        ...(def.choices ? { choices: def.choices(target as never) } : {}),
        multiple: target.type === 'multiple_choice' && target.multiple === true,
      });
      for (const [field, message] of problems) ctx.addIssue({ code: 'custom', path: ['questions', i, 'when', ...fieldPath(field)], message });
    }
  });
}

/** "in[2]" → ['in', 2]. */
function fieldPath(field: string): Array<string | number> {
  const m = /^(\w+)\[(\d+)\]$/.exec(field);
  return m ? [m[1]!, Number(m[2])] : [field];
}

/** Largest-remainder (Hamilton) apportionment of `total` by `weights`, ties to the earlier entry. */
export function apportion(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (w / sum) * total);
  const out = exact.map(Math.floor);
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    out[i]! += 1;
    left -= 1;
  }
  return out;
}

/** The request (already valid) as the definition the study keeps. `images` are the stimulus images as given (data: URLs shortened). */
export function normalizeStudy(req: CreateFocusGroupRequest, seed: number): StudyDefinition {
  let personas: PersonaAllocation[];
  if (req.personas[0]!.share !== undefined) {
    const counts = apportion(req.respondents!, req.personas.map((p) => p.share!));
    personas = req.personas.map((p, i) => ({ persona_id: p.persona_id, respondents: counts[i]!, share: p.share! }));
  } else personas = req.personas.map((p) => ({ persona_id: p.persona_id, respondents: p.respondents! }));
  const questions = req.questions.map((q, i) => ({ ...q, id: questionIdAt(q, i) }) as Question);
  const def: StudyDefinition = { name: req.name, mode: req.mode ?? 'survey', personas, questions, seed };
  if (req.stimulus) {
    def.stimulus = {
      ...(req.stimulus.text !== undefined ? { text: req.stimulus.text } : {}),
      ...(req.stimulus.images ? { images: req.stimulus.images.map(describeImage) } : {}),
    };
  }
  if (req.instructions !== undefined) def.instructions = req.instructions;
  if (def.mode === 'discussion') def.session_size = req.session_size ?? DEFAULT_SESSION_SIZE;
  if (req.temperature !== undefined) def.temperature = req.temperature;
  if (req.targets && Object.keys(req.targets).length > 0) def.targets = normalizeTargets(req.targets);
  return def;
}

/** An image URL as the study shows it: http(s) URLs as given, data: URLs by type and size (the bytes stay with the runner). */
export function describeImage(url: string): string {
  if (!/^data:/i.test(url)) return url;
  const type = /^data:([^;,]+)/i.exec(url)?.[1] ?? 'image';
  return `data:${type};base64,… (${Buffer.byteLength(url.slice(url.indexOf(',') + 1), 'base64')} bytes)`;
}

export const isScale = (t: string): t is ScaleType => (SCALE_TYPES as readonly string[]).includes(t);
