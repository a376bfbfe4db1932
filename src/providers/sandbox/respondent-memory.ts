/**
 * What a survey respondent already said, so a later open question agrees
 * with it: the respondent sees its own earlier answers in the conversation
 * (focus-groups/runner.ts puts each question and its JSON answer back in),
 * and one who gave a 9 out of 10 does not then say "I'm in two minds" when
 * asked what they like most. Each earlier answer with a number on the
 * question's stated range (NPS 0–10, a rating 1–5, a likert 1–7, a slider)
 * or a yes/no becomes a position in [0, 1]; their mean is the prior.
 */
import type { Turn } from './persona-voice.js';

type Schema = Record<string, unknown>;

/** Whether an answer schema asks for words only (an open-ended question): every field but `reasoning` a free string. */
export function openText(schema: Schema): boolean {
  const props = schema.properties as Record<string, Schema> | undefined;
  if (!props) return false;
  const fields = Object.entries(props).filter(([k]) => k !== 'reasoning');
  return (
    fields.length > 0 &&
    fields.every(([, s]) => !Array.isArray(s.enum) && (s.type === 'string' || (Array.isArray(s.type) && s.type.includes('string') && !s.type.includes('number') && !s.type.includes('integer'))))
  );
}

/** The position of one answer on its question's range, if it has one. */
function positionOf(question: string, answer: string): number | undefined {
  let value: unknown;
  try {
    value = JSON.parse(answer);
  } catch {
    return undefined;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const field = Object.entries(value as Record<string, unknown>).find(([k, v]) => k !== 'reasoning' && (typeof v === 'number' || typeof v === 'boolean'));
  if (!field) return undefined;
  const v = field[1];
  if (typeof v === 'boolean') return v ? 0.75 : 0.25;
  // the range the question states: the smallest and the largest small whole number after its first line
  const body = question
    .replace(/^\s*question \d+ of \d+[.:]?\s*/i, '')
    .split('\n')
    .slice(1)
    .join(' ');
  const numbers = [...body.matchAll(/(?<![\d.])(\d{1,3})(?![\d.])/g)].map((m) => Number(m[1])).filter((n) => n <= 100);
  if (numbers.length < 2) return undefined;
  const min = Math.min(...numbers);
  const max = Math.max(...numbers);
  if (max <= min || (v as number) < min || (v as number) > max) return undefined;
  return ((v as number) - min) / (max - min);
}

/** The mean position of the respondent's earlier answers that have one, in [0, 1]; undefined when none has. */
export function priorPosition(history: readonly Turn[]): number | undefined {
  const positions: number[] = [];
  for (let i = 0; i + 1 < history.length; i++) {
    const q = history[i];
    const a = history[i + 1];
    if (q?.role !== 'user' || a?.role !== 'assistant') continue;
    const p = positionOf(q.text, a.text);
    if (p !== undefined) positions.push(p);
  }
  return positions.length ? positions.reduce((s, x) => s + x, 0) / positions.length : undefined;
}

/** A lean in [-1, 1] pulled most of the way to the earlier answers' position (a prior of 0.9 → about 0.6 and up). */
export function withPrior(lean: number, prior: number | undefined): number {
  if (prior === undefined) return lean;
  return Math.max(-1, Math.min(1, 0.25 * lean + 0.75 * (prior * 2 - 1)));
}
