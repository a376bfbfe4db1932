/**
 * A study as the focus-groups domain holds it: the normalized definition (what
 * the client asked, ids and allocations resolved) and the record around it
 * (status, progress counters, money, ownership). The store returns these
 * parsed; the API view (./views.ts) renders them.
 */
import type { Question } from './questions/registry.js';

export const STUDY_STATUSES = ['pending', 'processing', 'completed', 'cancelled', 'failed'] as const;
export type StudyStatus = (typeof STUDY_STATUSES)[number];
/** Statuses of a study that still runs (counts against the plan's focus_groups concurrency). */
export const ACTIVE_STATUSES: readonly StudyStatus[] = ['pending', 'processing'];
export const isTerminal = (s: StudyStatus) => s === 'completed' || s === 'cancelled' || s === 'failed';

export type StudyMode = 'survey' | 'discussion';

/** One persona's part of the sample. */
export interface PersonaAllocation {
  persona_id: string;
  /** Respondents drawn from this persona. */
  respondents: number;
  /** The share the client asked for, when it gave shares. */
  share?: number;
  /** A custom persona's version at creation: every respondent sees the same one. */
  version?: number;
}

export interface StudyDefinition {
  name: string;
  mode: StudyMode;
  personas: PersonaAllocation[];
  questions: Question[];
  /** Shown to every respondent: text in the system prompt, images in the first question's message. */
  stimulus?: { text?: string; images?: string[] };
  instructions?: string;
  /** Discussion mode: respondents per moderated session (4–12; default 6). */
  session_size?: number;
  /** Reproducibility: the same seed on the sandbox reproduces the study exactly. */
  seed: number;
  temperature?: number;
  /** Target marginals (attribute → category → share, each attribute's shares summing to 1): the results rake to them. */
  targets?: Record<string, Record<string, number>>;
  /** The workspace's name when created, for per-workspace backend routes (not shown by the API). */
  workspace_name?: string;
}

export interface StudyError {
  code: string;
  message: string;
}

export interface StudyRecord {
  id: string;
  workspaceId: string;
  keyId: string | null;
  keyMode: 'live' | 'test';
  name: string;
  status: StudyStatus;
  mode: StudyMode;
  definition: StudyDefinition;
  metadata: Record<string, string>;
  respondentsTotal: number;
  questionsTotal: number;
  respondentsDone: number;
  answersDone: number;
  answersFailed: number;
  answersSkipped: number;
  creditsEstimated: number;
  creditsMax: number;
  creditsUsed: number;
  holdId: string | null;
  owner: string | null;
  idempotencyKey: string | null;
  requestHash: string | null;
  error: StudyError | null;
  createdAt: number;
  startedAt: number | null;
  completedAt: number | null;
  updatedAt: number;
}

/** A sampled respondent as stored. */
export interface RespondentRecord {
  studyId: string;
  index: number;
  personaId: string;
  profile: import('./respondent-profile.js').RespondentProfile;
  status: 'in_progress' | 'completed';
  createdAt: number;
  completedAt: number | null;
}
