/**
 * The question types, by name. Adding one: a file next to these exporting a
 * QuestionTypeDef (see define.ts), its entry here, and its value in
 * AnswerValueByType (../answer-types.ts). Everything else (validation,
 * /openapi.json, the runner, skip logic, results) goes through this map.
 */
import { z } from 'zod';
import type { QuestionType } from '../answer-types.js';
import { conjoint, type ConjointQuestion } from './conjoint.js';
import type { BaseQuestion, QuestionTypeDef } from './define.js';
import { likert, type LikertQuestion } from './likert.js';
import { matrix, type MatrixQuestion } from './matrix.js';
import { maxdiff, type MaxDiffQuestion } from './maxdiff.js';
import { multipleChoice, type MultipleChoiceQuestion } from './multiple-choice.js';
import { nps, type NpsQuestion } from './nps.js';
import { openEnded, type OpenEndedQuestion } from './open-ended.js';
import { ranking, type RankingQuestion } from './ranking.js';
import { rating, type RatingQuestion } from './rating.js';
import { semanticDifferential, type SemanticDifferentialQuestion } from './semantic-differential.js';
import { slider, type SliderQuestion } from './slider.js';
import { yesNo, type YesNoQuestion } from './yes-no.js';

/** A question of any type, as the runner holds it (id resolved). */
export type Question =
  | NpsQuestion
  | LikertQuestion
  | MultipleChoiceQuestion
  | OpenEndedQuestion
  | RatingQuestion
  | YesNoQuestion
  | RankingQuestion
  | SliderQuestion
  | MatrixQuestion
  | SemanticDifferentialQuestion
  | ConjointQuestion
  | MaxDiffQuestion;

export type {
  ConjointQuestion,
  LikertQuestion,
  MatrixQuestion,
  MaxDiffQuestion,
  MultipleChoiceQuestion,
  NpsQuestion,
  OpenEndedQuestion,
  RankingQuestion,
  RatingQuestion,
  SemanticDifferentialQuestion,
  SliderQuestion,
  YesNoQuestion,
};

const DEFS = [nps, likert, multipleChoice, openEnded, rating, yesNo, ranking, slider, matrix, semanticDifferential, conjoint, maxdiff] as const;

export const QUESTION_REGISTRY: Record<QuestionType, QuestionTypeDef<QuestionType, BaseQuestion & { type: QuestionType }>> = Object.fromEntries(DEFS.map((d) => [d.type, d])) as never;

/** The definition of a question's type, typed for that question. */
export function typeOf<Q extends Question>(q: Q): QuestionTypeDef<Q['type'], Q> {
  return QUESTION_REGISTRY[q.type] as unknown as QuestionTypeDef<Q['type'], Q>;
}

/** Any question definition a client may send: one of the types' schemas, by `type`. */
export const questionSchema = z.discriminatedUnion('type', DEFS.map((d) => d.schema) as never).meta({ id: 'FocusGroupQuestion' }) as unknown as z.ZodType<Omit<Question, 'id'> & { id?: string | undefined }>;
