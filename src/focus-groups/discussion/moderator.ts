/**
 * The moderator and the transcript. The moderator is a template, not a model
 * call: it asks each question in the guide's words and, where answers diverge
 * (./divergence.ts), probes once by naming two participants who disagree and
 * asking everyone where they stand now — coherent, free and deterministic on
 * every backend. A respondent reads the transcript so far (the last
 * TRANSCRIPT_TURNS turns) and the moderator's line to it, and answers under
 * the question type's strict schema, as in a survey.
 */
import type { ConversationItem, ContentPart } from '../../providers/types.js';
import type { Answer } from '../answer-types.js';
import { questionText, REPLY_FORMAT } from '../prompts.js';
import { typeOf, type Question } from '../questions/registry.js';

/** Turns of the transcript a respondent sees (the rest is summarised by its count). */
export const TRANSCRIPT_TURNS = 60;

export type TurnKind = 'question' | 'answer' | 'probe' | 'probe_answer';

export interface Turn {
  kind: TurnKind;
  question_index: number;
  /** null: the moderator. */
  respondent_index: number | null;
  text: string;
}

export function moderatorAsks(q: Question, index: number, total: number): string {
  return `Question ${index + 1} of ${total}: ${q.text}`;
}

/** How a position reads in the transcript: the respondent's reasoning, then the answer itself. */
export function positionText(q: Question, value: Answer): string {
  const reasoning = ((value as { reasoning?: string }).reasoning ?? '').trim();
  const said = q.type === 'open_ended' ? ((value as { text?: string }).text ?? '') : describe(q, value);
  return [reasoning, said ? `My answer: ${said}.` : ''].filter(Boolean).join(' ');
}

function describe(q: Question, value: Answer): string {
  const def = typeOf(q);
  const scale = def.scale?.(q as never);
  if (scale && q.type !== 'matrix') {
    const v = (value as { value: number }).value;
    return `${Math.round(v * 100) / 100} (from ${scale.min} to ${scale.max})`;
  }
  return def.tally(q as never, value as never).join(', ');
}

/** The probe: two participants who disagree, by name, and the question again to everyone. */
export function moderatorProbes(q: Question, positions: ReadonlyArray<{ name: string; value: Answer }>): string {
  const [a, b] = contrast(q, positions);
  return `I'm hearing quite different views on this. ${a.name}, you said ${describe(q, a.value)}; ${b.name}, you said ${describe(q, b.value)}. What is behind the difference, and what would change your mind? Having heard each other, where does each of you stand now on "${q.text}"?`;
}

/** The two positions furthest apart: lowest and highest on a scale, else the first two that differ. */
function contrast(q: Question, positions: ReadonlyArray<{ name: string; value: Answer }>) {
  const scale = typeOf(q).scale?.(q as never);
  if (scale && q.type !== 'matrix') {
    const sorted = [...positions].sort((x, y) => (x.value as { value: number }).value - (y.value as { value: number }).value);
    return [sorted[0]!, sorted[sorted.length - 1]!] as const;
  }
  const first = positions[0]!;
  const key = (p: { value: Answer }) => describe(q, p.value);
  return [first, positions.find((p) => key(p) !== key(first)) ?? positions[1]!] as const;
}

/** What a participant is told about the discussion, after its own system prompt. */
export function discussionNote(self: string, others: readonly string[]): string {
  return [
    '',
    `This is a moderated group discussion. You are ${self}; the others are ${others.join(', ')}.`,
    'You hear what the others say before your turn. React to them as yourself: agree, disagree, or change your mind when someone gives you a reason to — and say so.',
  ].join('\n');
}

/**
 * A participant's turn: the question first (what is being discussed), the transcript so
 * far, then the moderator's line to it and the reply format. `images` ride on the first
 * question's turn.
 */
export function turnMessage(input: {
  q: Question;
  index: number;
  total: number;
  transcript: readonly Turn[];
  names: ReadonlyMap<number, string>;
  self: number;
  probe?: string;
  images: readonly string[];
}): ConversationItem {
  const { q, transcript, names, self } = input;
  const shown = transcript.slice(-TRANSCRIPT_TURNS);
  const earlier = transcript.length - shown.length;
  const lines = shown.map((t) => `${t.respondent_index === null ? 'Moderator' : t.respondent_index === self ? `You (${names.get(self)})` : names.get(t.respondent_index)}: ${t.text}`);
  const ask = input.probe
    ? `Moderator (to you, ${names.get(self)}): ${input.probe}\nAnswer the question again, saying where you stand now.`
    : `Moderator (to you, ${names.get(self)}): ${questionText(q)}`;
  const text = [
    q.text,
    '',
    `The discussion so far (question ${input.index + 1} of ${input.total})${earlier > 0 ? `, after ${earlier} earlier turns` : ''}:`,
    ...lines,
    '',
    ask,
    '',
    REPLY_FORMAT,
  ].join('\n');
  const content: ContentPart[] = [{ type: 'text', text }, ...input.images.map((url): ContentPart => ({ type: 'image', url, detail: 'auto' }))];
  return { type: 'message', role: 'user', content };
}
