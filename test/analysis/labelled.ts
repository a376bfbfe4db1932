/**
 * The labelled answer set (labelled-answers.json) and the ordering checks run
 * on it: by the lexicon test and by run-labelled.ts against a live backend.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Analysis } from '../../src/analysis/types.js';

export type ValenceClass = 'enthusiastic' | 'neutral' | 'hostile';
export type ConfidenceClass = 'hedged' | 'certain';
export type ArousalClass = 'calm' | 'intense';
export type DominanceClass = 'in-control' | 'powerless';

export interface LabelledAnswer {
  id: string;
  persona_id: string;
  question: string;
  answer: string;
  valence: ValenceClass | null;
  confidence: ConfidenceClass | null;
  arousal: ArousalClass | null;
  dominance: DominanceClass | null;
  biases: string[];
}

export function loadLabelled(): LabelledAnswer[] {
  const file = path.join(import.meta.dirname, 'labelled-answers.json');
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { answers: LabelledAnswer[] }).answers;
}

export interface Scored {
  item: LabelledAnswer;
  analysis: Analysis;
}

type Dimension = 'valence' | 'confidence' | 'arousal' | 'dominance';

export function value(s: Scored, d: Dimension): number {
  const a = s.analysis;
  return d === 'valence' ? a.emotion.emotional_valence : d === 'confidence' ? a.confidence : d === 'arousal' ? a.emotion.arousal : a.emotion.dominance;
}

export const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

export interface Ordering {
  name: string;
  /** What held: `low` entries all below every `high` entry. */
  holds: boolean;
  detail: string;
  violations: string[];
}

/** Every item of class `low` scores strictly below every item of class `high` on the dimension. */
export function pairwise(scored: Scored[], d: Dimension, low: string, high: string): Ordering {
  const lows = scored.filter((s) => s.item[d] === low);
  const highs = scored.filter((s) => s.item[d] === high);
  const violations: string[] = [];
  for (const l of lows) for (const h of highs) if (!(value(l, d) < value(h, d))) violations.push(`${l.item.id} (${value(l, d)}) ≥ ${h.item.id} (${value(h, d)})`);
  const lv = lows.map((s) => value(s, d));
  const hv = highs.map((s) => value(s, d));
  return {
    name: `${d}: every ${low} < every ${high}`,
    holds: violations.length === 0 && lows.length > 0 && highs.length > 0,
    detail: `${low} [${lv.join(', ')}] max ${Math.max(...lv)} · ${high} [${hv.join(', ')}] min ${Math.min(...hv)}`,
    violations,
  };
}

/** mean valence: enthusiastic > neutral > hostile. */
export function valenceMeans(scored: Scored[]): Ordering & { means: Record<ValenceClass, number> } {
  const m = (c: ValenceClass) => mean(scored.filter((s) => s.item.valence === c).map((s) => value(s, 'valence')));
  const means = { enthusiastic: m('enthusiastic'), neutral: m('neutral'), hostile: m('hostile') };
  const holds = means.enthusiastic > means.neutral && means.neutral > means.hostile;
  const fmt = (n: number) => n.toFixed(2);
  return {
    name: 'valence: mean enthusiastic > mean neutral > mean hostile',
    holds,
    detail: `${fmt(means.enthusiastic)} > ${fmt(means.neutral)} > ${fmt(means.hostile)}`,
    violations: holds ? [] : ['means out of order'],
    means,
  };
}

export function allOrderings(scored: Scored[]): Ordering[] {
  return [
    valenceMeans(scored),
    pairwise(scored, 'valence', 'hostile', 'enthusiastic'),
    pairwise(scored, 'confidence', 'hedged', 'certain'),
    pairwise(scored, 'arousal', 'calm', 'intense'),
    pairwise(scored, 'dominance', 'powerless', 'in-control'),
  ];
}

/** Expected bias names found, with evidence quoted from the answer. */
export function biasRecall(scored: Scored[]): { expected: number; found: number; missing: string[] } {
  let expected = 0;
  let found = 0;
  const missing: string[] = [];
  for (const s of scored) {
    for (const name of s.item.biases) {
      expected++;
      const hit = s.analysis.biases.find((b) => b.name.toLowerCase().includes(name.toLowerCase()) || name.toLowerCase().includes(b.name.toLowerCase()));
      if (hit && s.item.answer.includes(hit.evidence)) found++;
      else missing.push(`${s.item.id}: ${name}`);
    }
  }
  return { expected, found, missing };
}
