/**
 * Results of open_ended questions: themes over all answers (../themes.ts; embeddings when
 * every answer has one, words otherwise), then each answer counts as its theme (or
 * `unthemed`): `distribution` and the segment breakdowns are theme shares, and the groups
 * are compared with a chi-square test of theme × group.
 *
 * Themes need every answer before any is assigned, so the stream form keeps each answer's
 * text (and embedding), weight, segments and respondent id — not the rest of the answer.
 */
import type { OpenEndedAnswer } from '../../answer-types.js';
import { seedFrom } from '../random.js';
import { extractThemes, type ThemeDocument } from '../themes.js';
import { addCategory, categoricalDistribution, compareCategoricalGroups, createCategoricalSummary, type CategoricalSummary } from './categorical-summary.js';
import type { AnalysisOptions, OpenEndedQuestionSpec, RespondentAnswer, RespondentAnswers } from './inputs.js';
import type { OpenEndedResult, OpenEndedStatistics } from './result-types.js';
import { analyze, sizeFields, type QuestionModel, type ResultStream } from './segments.js';

const hasText = (answer: OpenEndedAnswer | null): answer is OpenEndedAnswer => answer !== null && typeof answer.text === 'string' && answer.text.trim() !== '';

export function openEndedResults(question: OpenEndedQuestionSpec, answers: RespondentAnswers<'open_ended'>, options: AnalysisOptions): OpenEndedResult {
  const answered = answers.filter((r) => hasText(r.answer));
  const documents = answered.map((r): ThemeDocument => {
    const doc: ThemeDocument = { text: r.answer!.text };
    if (r.answer!.embedding) doc.embedding = r.answer!.embedding;
    if (r.weight !== undefined) doc.weight = r.weight;
    if (r.respondent_id !== undefined) doc.respondentId = r.respondent_id;
    return doc;
  });
  const themes = extractThemes(documents, {
    seed: seedFrom(options.seed, question.id, 'themes'),
    ...(options.maxThemes !== undefined ? { maxThemes: options.maxThemes } : {}),
    ...(options.sentiment ? { sentiment: options.sentiment } : {}),
  });
  const unthemed = themes.themes.length;
  const themeOf = new Map<RespondentAnswer<OpenEndedAnswer>, number>();
  answered.forEach((r, i) => themeOf.set(r, themes.assignment[i]! < 0 ? unthemed : themes.assignment[i]!));
  const categories = [...themes.themes.map((t) => ({ value: t.id, label: t.label })), { value: 'unthemed' }];
  const model: QuestionModel<OpenEndedAnswer, number, CategoricalSummary, OpenEndedStatistics> = {
    prepare: (_answer, record) => themeOf.get(record) ?? null,
    create: () => createCategoricalSummary(categories.length),
    add: addCategory,
    stats: (s, ctx) => ({ ...sizeFields(s, ctx.weighted), distribution: categoricalDistribution(s, categories, ctx, false) }),
    compare: (groups) => compareCategoricalGroups(groups, 'themes'),
  };
  const a = analyze(model, question.id, answers, options);
  return {
    question_id: question.id,
    type: 'open_ended',
    ...a.overall,
    skipped: a.skipped,
    themes: themes.themes,
    unthemed: themes.unthemed,
    method: themes.method,
    silhouette: themes.silhouette,
    segments: a.segments,
  };
}

export function openEndedStream(question: OpenEndedQuestionSpec, options: AnalysisOptions): ResultStream<OpenEndedAnswer, OpenEndedResult> {
  const held: RespondentAnswer<OpenEndedAnswer>[] = [];
  return {
    add(record) {
      // Only what the themes and the analysis read; an answer without text is skipped there too.
      const a = record.answer;
      const kept: RespondentAnswer<OpenEndedAnswer> = { answer: hasText(a) ? (a.embedding ? { text: a.text, embedding: a.embedding } : { text: a.text }) : null };
      if (record.weight !== undefined) kept.weight = record.weight;
      if (record.segments !== undefined) kept.segments = record.segments;
      if (record.respondent_id !== undefined) kept.respondent_id = record.respondent_id;
      held.push(kept);
    },
    result: () => openEndedResults(question, held, options),
  };
}
