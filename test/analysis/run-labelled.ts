/**
 * The labelled-set check, by hand, against a live backend:
 *
 *   COHORT_UPSTREAM_URL=https://api.openai.com/v1 COHORT_UPSTREAM_MODEL=gpt-4o-mini \
 *   COHORT_UPSTREAM_API_KEY=sk-… node --import tsx test/analysis/run-labelled.ts
 *
 * Scores every answer of labelled-answers.json with the lexicon analyzer and,
 * when COHORT_UPSTREAM_URL is set, with the live pass (src/analysis/live.ts)
 * on that upstream (COHORT_UPSTREAM_API=chat, the default, or responses), then
 * prints each answer's scores and whether the orderings the labels promise
 * hold. Flags: --lexicon (skip the live pass), --json (machine-readable
 * output), --strict (exit 1 when an ordering fails).
 * Without COHORT_UPSTREAM_URL only the lexicon runs (offline).
 */
import { analyzeLive } from '../../src/analysis/live.js';
import { analyzeWithLexicon } from '../../src/analysis/lexicon.js';
import type { Analysis } from '../../src/analysis/types.js';
import type { Logger } from '../../src/logger.js';
import { loadPersonaDir } from '../../src/personas/library.js';
import { createOpenAIChatProvider } from '../../src/providers/openai/chat/index.js';
import { createOpenAIResponsesProvider } from '../../src/providers/openai/responses/index.js';
import type { Provider } from '../../src/providers/types.js';
import { allOrderings, biasRecall, loadLabelled, type Scored } from './labelled.js';

const args = new Set(process.argv.slice(2));
const personas = loadPersonaDir();
const items = loadLabelled();
const personaOf = (id: string) => personas.find((p) => p.id === id);

function liveProvider(): Provider | undefined {
  const url = process.env.COHORT_UPSTREAM_URL;
  if (!url || args.has('--lexicon')) return undefined;
  const model = process.env.COHORT_UPSTREAM_MODEL;
  if (!model) throw new Error('COHORT_UPSTREAM_MODEL must name the upstream model when COHORT_UPSTREAM_URL is set');
  const options = { baseURL: url, model, ...(process.env.COHORT_UPSTREAM_API_KEY ? { apiKey: process.env.COHORT_UPSTREAM_API_KEY } : {}) };
  return process.env.COHORT_UPSTREAM_API === 'responses' ? createOpenAIResponsesProvider(options) : createOpenAIChatProvider(options);
}

let fallbacks = 0;
const logger: Logger = {
  debug() {},
  info() {},
  warn(msg, fields) {
    fallbacks++;
    process.stderr.write(`warn ${msg} ${JSON.stringify(fields ?? {})}\n`);
  },
  error(msg, fields) {
    process.stderr.write(`error ${msg} ${JSON.stringify(fields ?? {})}\n`);
  },
};

async function score(name: string, analyze: (item: (typeof items)[number]) => Promise<Analysis>) {
  const scored: Scored[] = [];
  for (const item of items) scored.push({ item, analysis: await analyze(item) });
  const orderings = allOrderings(scored);
  const biases = biasRecall(scored);
  return { name, scored, orderings, biases };
}

const runs = [await score('lexicon', async (item) => analyzeWithLexicon({ persona: personaOf(item.persona_id), question: item.question, answer: item.answer }))];
const provider = liveProvider();
if (provider) {
  runs.push(
    await score(`live (${process.env.COHORT_UPSTREAM_MODEL} at ${new URL(process.env.COHORT_UPSTREAM_URL!).host})`, (item) =>
      analyzeLive(
        { persona: personaOf(item.persona_id), question: item.question, answer: item.answer, provider, mode: 'live', signal: AbortSignal.timeout(120_000) },
        { logger },
      ),
    ),
  );
}

if (args.has('--json')) {
  process.stdout.write(
    `${JSON.stringify(
      runs.map((r) => ({
        analyzer: r.name,
        orderings: r.orderings,
        biases: r.biases,
        answers: r.scored.map((s) => ({ id: s.item.id, labels: { valence: s.item.valence, confidence: s.item.confidence, arousal: s.item.arousal, dominance: s.item.dominance }, analysis: s.analysis })),
      })),
      null,
      2,
    )}\n`,
  );
} else {
  for (const r of runs) {
    console.log(`\n== ${r.name}`);
    console.log('id                        valence          confidence   arousal     dominance     biases');
    for (const s of r.scored) {
      const a = s.analysis;
      const cell = (n: number, label: string | null, width: number) => `${String(n).padStart(2)} ${label ? `(${label})` : ''}`.padEnd(width);
      console.log(
        `${s.item.id.padEnd(26)}${cell(a.emotion.emotional_valence, s.item.valence, 17)}${cell(a.confidence, s.item.confidence, 13)}${cell(a.emotion.arousal, s.item.arousal, 12)}${cell(a.emotion.dominance, s.item.dominance, 14)}${a.biases.map((b) => b.name).join(', ')}`,
      );
    }
    console.log('');
    for (const o of r.orderings) console.log(`${o.holds ? 'PASS' : 'FAIL'}  ${o.name}  ${o.detail}${o.violations.length ? `\n      ${o.violations.slice(0, 8).join('\n      ')}` : ''}`);
    console.log(`bias recall: ${r.biases.found}/${r.biases.expected}${r.biases.missing.length ? ` (missing: ${r.biases.missing.join('; ')})` : ''}`);
  }
  if (provider) console.log(`\nlive pass fell back to the lexicon ${fallbacks} time(s)`);
  else console.log('\n(COHORT_UPSTREAM_URL not set: lexicon only)');
}

if (args.has('--strict') && runs.some((r) => r.orderings.some((o) => !o.holds))) process.exitCode = 1;
