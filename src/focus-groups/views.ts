/**
 * The API shapes of studies, estimates and respondents (documented in
 * /openapi.json through src/openapi/focus-group-schemas.ts). Built from the
 * domain records; nothing internal (owner, hold id, request hash, the
 * stimulus bytes, the workspace name) leaks.
 */
import { itemId } from '../util/ids.js';
import type { StoredAnswer } from './stored-answer.js';
import type { StudyEstimate } from './estimate.js';
import type { RespondentProfile } from './respondent-profile.js';
import { isTerminal, type RespondentRecord, type StudyRecord } from './study.js';

export function progressOf(s: StudyRecord) {
  const answersTotal = s.respondentsTotal * s.questionsTotal;
  const settled = s.answersDone + s.answersFailed + s.answersSkipped;
  return {
    respondents_total: s.respondentsTotal,
    respondents_completed: s.respondentsDone,
    answers_total: answersTotal,
    answers_completed: s.answersDone,
    answers_failed: s.answersFailed,
    answers_skipped: s.answersSkipped,
    /** Answer slots settled (answered, failed or skipped), 0–100. */
    percent: answersTotal === 0 ? 100 : Math.floor((settled / answersTotal) * 1000) / 10,
  };
}

export function studyView(s: StudyRecord) {
  const def = s.definition;
  return {
    id: s.id,
    object: 'focus_group' as const,
    name: s.name,
    status: s.status,
    mode: s.mode,
    livemode: s.keyMode === 'live',
    created_at: s.createdAt,
    started_at: s.startedAt,
    completed_at: s.completedAt,
    personas: def.personas.map((p) => ({ persona_id: p.persona_id, respondents: p.respondents, ...(p.share !== undefined ? { share: p.share } : {}), ...(p.version !== undefined ? { persona_version: p.version } : {}) })),
    respondents: s.respondentsTotal,
    questions: def.questions,
    stimulus: def.stimulus ?? null,
    instructions: def.instructions ?? null,
    seed: def.seed,
    temperature: def.temperature ?? null,
    targets: def.targets ?? null,
    metadata: s.metadata,
    progress: progressOf(s),
    estimate: { credits: s.creditsEstimated, max_credits: s.creditsMax },
    /** Live keys: credits still reserved for the answers to come (released when the study ends). */
    credits_held: s.keyMode === 'live' && !isTerminal(s.status) ? s.creditsMax - s.creditsUsed : 0,
    /** What the answers so far cost (test keys: what they would have cost; never charged). */
    credits_used: s.creditsUsed,
    error: s.error,
  };
}

export type StudyView = ReturnType<typeof studyView>;

export function estimateView(e: StudyEstimate, input: { respondents: number; questions: number; live: boolean }) {
  return {
    object: 'focus_group.estimate' as const,
    respondents: input.respondents,
    questions: input.questions,
    answers: e.answers,
    credits: e.credits,
    max_credits: e.max_credits,
    livemode: input.live,
  };
}

export const respondentId = (studyId: string, index: number) => itemId('fgr', studyId, index);

/** The respondent index an id names in this study, or undefined. */
export function respondentIndexOf(studyId: string, id: string): number | undefined {
  const prefix = respondentId(studyId, 0).slice(0, -4);
  if (!id.startsWith(prefix) || id.length !== prefix.length + 4 || !/^[0-9a-f]{4}$/.test(id.slice(-4))) return undefined;
  return parseInt(id.slice(-4), 16);
}

/** An answer slot: `answer` is the Answer of ../answer-types.ts (reasoning included), null when skipped or failed. */
export function answerView(a: StoredAnswer) {
  return {
    question_id: a.question_id,
    type: a.type,
    status: a.status,
    answer: a.value,
    credits: a.credits,
    ...(a.error ? { error: a.error } : {}),
  };
}

export function respondentView(r: RespondentRecord & { answers: StoredAnswer[] }) {
  return {
    id: respondentId(r.studyId, r.index),
    object: 'focus_group.respondent' as const,
    index: r.index,
    persona_id: r.personaId,
    status: r.status,
    profile: r.profile satisfies RespondentProfile,
    answers: r.answers.map(answerView),
  };
}
