/**
 * A completed focus-group study written straight into a real database, for benchmarks of
 * what reads it (GET …/results, exports): the study row through the store, respondents
 * sampled from built-in personas' population models with the study's seed, and one answer
 * per respondent × question (with reasoning, as the runner stores them) inserted in
 * batched transactions. The answers are drawn here, leaning by persona so that segments
 * differ; no model is called.
 */
import type { Answer } from '../../src/focus-groups/answer-types.js';
import type { Question } from '../../src/focus-groups/questions/registry.js';
import { setsOf } from '../../src/focus-groups/questions/maxdiff.js';
import { sampleProfile } from '../../src/focus-groups/sample.js';
import { createFocusGroupRequest, normalizeStudy } from '../../src/focus-groups/study-request.js';
import type { StudyDefinition, StudyRecord } from '../../src/focus-groups/study.js';
import { loadPersonaDir } from '../../src/personas/library.js';
import type { Db } from '../../src/storage/db.js';
import { answerColumns } from '../../src/storage/answer-columns.js';
import { createFocusGroupsStore } from '../../src/storage/focus-groups-store.js';
import type { FocusGroupAnswersTable, FocusGroupRespondentsTable } from '../../src/storage/schema.js';
import { createRng } from '../../src/focus-groups/stats/index.js';

export const BENCH_PERSONAS = ['gen-z-digital-native', 'baby-boomer-active-retiree', 'millennial-suburban-parent', 'small-business-owner', 'first-gen-college-student'];

/** 20 questions of every type, as a client would send them. */
export const BENCH_QUESTIONS = [
  { id: 'likert_1', type: 'likert', text: 'The product is easy to use.' },
  { id: 'likert_2', type: 'likert', text: 'The price is fair.', scale: 7 },
  { id: 'likert_3', type: 'likert', text: 'I trust the brand.' },
  { id: 'likert_4', type: 'likert', text: 'I would switch from my current brand.', scale: 7 },
  { id: 'nps_1', type: 'nps', text: 'How likely are you to recommend it?' },
  { id: 'nps_2', type: 'nps', text: 'How likely are you to recommend the app?', reference: [0.05, 0.03, 0.04, 0.05, 0.05, 0.1, 0.1, 0.15, 0.18, 0.12, 0.13] },
  { id: 'rating_1', type: 'rating', text: 'Rate the design.' },
  { id: 'rating_2', type: 'rating', text: 'Rate the packaging.', min: 1, max: 5 },
  { id: 'slider_1', type: 'slider', text: 'How likely are you to buy it next month, in percent?' },
  { id: 'slider_2', type: 'slider', text: 'How much of your budget would go to it, in percent?' },
  { id: 'sd_1', type: 'semantic_differential', text: 'The brand feels…', left: 'Cheap', right: 'Premium' },
  { id: 'yes_1', type: 'yes_no', text: 'Would you subscribe?' },
  { id: 'yes_2', type: 'yes_no', text: 'Have you heard of it before?' },
  { id: 'mc_1', type: 'multiple_choice', text: 'Where would you buy it?', options: ['Online', 'Supermarket', 'Specialty store', 'Market', 'Pharmacy'] },
  { id: 'mc_2', type: 'multiple_choice', text: 'What would you use it for?', options: ['Work', 'Home', 'Travel', 'Sport', 'Gifts', 'Kids'], multiple: true },
  { id: 'rank_1', type: 'ranking', text: 'Rank what matters most.', options: ['Price', 'Taste', 'Convenience', 'Sustainability', 'Brand'] },
  { id: 'maxdiff_1', type: 'maxdiff', text: 'Which matters most and least?', options: ['Price', 'Taste', 'Speed', 'Packaging', 'Health', 'Brand', 'Service', 'Variety'] },
  {
    id: 'conjoint_1',
    type: 'conjoint',
    text: 'Which plan would you choose?',
    attributes: [
      { name: 'Price', levels: ['$5', '$10', '$15'] },
      { name: 'Size', levels: ['Small', 'Large'] },
    ],
    profiles: [{ levels: { Price: '$5', Size: 'Small' } }, { levels: { Price: '$10', Size: 'Large' } }, { levels: { Price: '$15', Size: 'Large' } }],
    allow_none: true,
  },
  { id: 'matrix_1', type: 'matrix', text: 'How do you rate these?', rows: ['Price', 'Variety', 'Delivery', 'Support', 'App'], scale: 5 },
  { id: 'open_1', type: 'open_ended', text: 'What would make you try it?' },
];

const WORDS = ['price', 'quality', 'delivery', 'taste', 'brand', 'support', 'app', 'design', 'value', 'packaging', 'speed', 'trust'];
const REASONING = 'Given my budget and how I shop, this is about where I land: it fits some of my habits, and the rest would need to prove itself first.';

export function benchDefinition(respondents: number, seed: number, personas = BENCH_PERSONAS, questions: unknown[] = BENCH_QUESTIONS): StudyDefinition {
  const per = Math.floor(respondents / personas.length);
  const req = createFocusGroupRequest.parse({
    name: `Bench ${respondents} × ${questions.length}`,
    personas: personas.map((persona_id, i) => ({ persona_id, respondents: per + (i < respondents - per * personas.length ? 1 : 0) })),
    questions,
    seed,
  });
  return normalizeStudy(req, seed);
}

/** A drawn answer for `q`, leaning by `tilt` (−1 … 1). */
export function drawAnswer(q: Question, tilt: number, rng: ReturnType<typeof createRng>): Answer {
  const point = (lo: number, hi: number): number => {
    const k = hi - lo + 1;
    return Math.min(hi, Math.max(lo, lo + Math.round((k - 1) / 2 + tilt * (k / 4) + (rng.next() - 0.5) * k * 0.8)));
  };
  const shuffle = <T>(xs: T[]): T[] => {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = rng.nextInt(i + 1);
      [xs[i], xs[j]] = [xs[j]!, xs[i]!];
    }
    return xs;
  };
  switch (q.type) {
    case 'nps':
      return { value: point(0, 10), reasoning: REASONING };
    case 'likert':
      return { value: point(1, q.labels?.length ?? q.scale), reasoning: REASONING };
    case 'rating':
      return { value: point(q.min, q.max), reasoning: REASONING };
    case 'semantic_differential':
      return { value: point(1, q.scale), reasoning: REASONING };
    case 'slider':
      return { value: Math.min(q.max, Math.max(q.min, Math.round(50 + tilt * 20 + (rng.next() - 0.5) * 60))), reasoning: REASONING };
    case 'yes_no':
      return { value: rng.next() < 0.5 + tilt * 0.2, reasoning: REASONING };
    case 'multiple_choice':
      return { selected: q.multiple ? q.options.filter(() => rng.next() < 0.35) : [q.options[rng.nextInt(q.options.length)]!], reasoning: REASONING };
    case 'ranking':
      return { order: shuffle([...q.options]), reasoning: REASONING };
    case 'maxdiff':
      return {
        tasks: setsOf(q).map((set) => {
          const order = shuffle([...set]);
          return { shown: set, best: order[0]!, worst: order[order.length - 1]! };
        }),
        reasoning: REASONING,
      };
    case 'conjoint': {
      const r = rng.next();
      return { tasks: [{ shown: q.profiles.map((p) => ({ ...p.levels })), chosen: r < 0.1 ? null : r < 0.5 + tilt * 0.2 ? 0 : rng.nextInt(q.profiles.length) }], reasoning: REASONING };
    }
    case 'matrix':
      return { rows: Object.fromEntries(q.rows.map((row) => [row, { value: point(1, q.scale) }])), reasoning: REASONING };
    case 'open_ended':
      return { text: `I care about the ${WORDS[rng.nextInt(WORDS.length)]} and the ${WORDS[rng.nextInt(WORDS.length)]}, mostly the ${WORDS[rng.nextInt(WORDS.length)]}.`, reasoning: REASONING };
  }
}

/** Writes a completed study of `respondents` × the bench questions into `db`; returns its record. */
export async function seedCompletedStudy(db: Db, options: { respondents: number; seed?: number; workspaceId?: string; id?: string; definition?: StudyDefinition }): Promise<StudyRecord> {
  const seed = options.seed ?? 7;
  const def = options.definition ?? benchDefinition(options.respondents, seed);
  const store = createFocusGroupsStore(db, { now: () => Date.now() });
  const library = new Map(loadPersonaDir().map((p) => [p.id, p]));
  const now = Math.floor(Date.now() / 1000);
  const total = def.personas.reduce((n, p) => n + p.respondents, 0);
  const study: StudyRecord = {
    id: options.id ?? `fg_bench_${Date.now().toString(36)}`,
    workspaceId: options.workspaceId ?? 'ws_bench',
    keyId: null,
    keyMode: 'test',
    name: def.name,
    status: 'completed',
    mode: 'survey',
    definition: def,
    metadata: {},
    respondentsTotal: total,
    questionsTotal: def.questions.length,
    respondentsDone: total,
    answersDone: total * def.questions.length,
    answersFailed: 0,
    answersSkipped: 0,
    creditsEstimated: 0,
    creditsMax: 0,
    creditsUsed: 0,
    holdId: null,
    owner: null,
    idempotencyKey: null,
    requestHash: null,
    error: null,
    createdAt: now,
    startedAt: now,
    completedAt: now,
    updatedAt: now,
  };
  await store.create({ study, images: null, concurrencyLimit: null, hold: null });
  const rng = createRng(seed);
  const personaOf: string[] = def.personas.flatMap((p) => Array.from({ length: p.respondents }, () => p.persona_id));
  const BATCH = 250;
  for (let from = 0; from < total; from += BATCH) {
    const to = Math.min(total, from + BATCH);
    await db.transaction().execute(async (trx) => {
      const respondents: FocusGroupRespondentsTable[] = [];
      const answers: FocusGroupAnswersTable[] = [];
      for (let i = from; i < to; i++) {
        const personaId = personaOf[i]!;
        const persona = library.get(personaId);
        if (!persona) throw new Error(`no built-in persona '${personaId}'`);
        respondents.push({ study_id: study.id, idx: i, persona_id: personaId, profile: JSON.stringify(sampleProfile(persona, seed, i)), status: 'completed', created_at: now, completed_at: now });
        const tilt = BENCH_PERSONAS.indexOf(personaId) / 2 - 1;
        def.questions.forEach((q, qi) => {
          const value = drawAnswer(q, tilt, rng);
          answers.push({
            study_id: study.id,
            respondent_idx: i,
            question_idx: qi,
            question_id: q.id,
            type: q.type,
            status: 'answered',
            ...answerColumns(value, value.reasoning ?? null),
            raw: null,
            credits: 0,
            input_tokens: 0,
            output_tokens: 0,
            attempts: 1,
            error: null,
            created_at: now,
          });
        });
      }
      await trx.insertInto('focus_group_respondents').values(respondents).execute();
      // SQLite binds at most 32,766 parameters per statement: 15 columns × 1,000 rows.
      for (let k = 0; k < answers.length; k += 1000) await trx.insertInto('focus_group_answers').values(answers.slice(k, k + 1000)).execute();
    });
    // What completing each respondent does: its answer slots packed onto its row.
    await store.packAnswers(study.id, from, to);
  }
  return study;
}
