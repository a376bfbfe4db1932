/**
 * What a respondent reads. The system prompt: the persona's own (composed
 * from its profile, src/personas/compose-prompt.ts), then who this
 * particular respondent is (the sampled profile), the researcher's
 * instructions and the stimulus text. Each question is one user message
 * (the type's rendering plus the reply format); the stimulus images ride on
 * the first question asked, so they stay in the conversation for the rest.
 */
import type { ContentPart, ConversationItem } from '../providers/types.js';
import type { Question } from './questions/registry.js';
import { typeOf } from './questions/registry.js';
import type { RespondentProfile } from './respondent-profile.js';
import type { StudyDefinition } from './study.js';
import { ssrRender } from './ssr-anchors.js';

/** A 0–1 trait in words a person would use about themselves. */
function level(x: number): string {
  return x >= 0.67 ? 'high' : x <= 0.33 ? 'low' : 'medium';
}

export function respondentSystemPrompt(personaPrompt: string, profile: RespondentProfile, def: Pick<StudyDefinition, 'instructions' | 'stimulus'>): string {
  const t = profile.traits;
  const big5 = Object.entries(t.big_five).map(([k, v]) => `${k} ${v}`);
  const income = profile.income.amount !== null ? `${profile.income.band} (about ${profile.income.currency ?? ''}${profile.income.amount.toLocaleString('en-US')}${profile.income.period ? ` a ${profile.income.period}` : ''})` : profile.income.band;
  const attributes = Object.entries(profile.attributes).map(([k, v]) => `${k.replace(/_/g, ' ')}: ${v}`);
  const lines = [
    personaPrompt,
    '',
    'You are taking part in a market research survey as one particular person of this group:',
    `- ${profile.name}, ${profile.age}, ${profile.gender}. Lives in ${profile.region} (${profile.country}); household: ${profile.household}.`,
    `- Income: ${income}.${attributes.length ? ` ${attributes.join('; ')}.` : ''}`,
    `- Personality (0–100): ${big5.join(', ')}.`,
    `- Price sensitivity ${level(t.price_sensitivity)}; brand loyalty ${level(t.brand_loyalty)}; tech adoption ${level(t.tech_adoption)}; risk tolerance ${level(t.risk_tolerance)}.`,
    'Answer every question as this person: honestly, from your own situation and tastes, doubts and dislikes included. You are one voice among many; do not try to please the researcher, and do not give the answer you think is expected.',
  ];
  if (def.instructions) lines.push('', "The researcher's instructions:", def.instructions);
  if (def.stimulus?.text) lines.push('', 'What you are shown (read it before you answer):', '<<<', def.stimulus.text, '>>>');
  if (def.stimulus?.images?.length) lines.push('', `You are also shown ${def.stimulus.images.length === 1 ? 'an image' : `${def.stimulus.images.length} images`}, attached to the first question.`);
  return lines.join('\n');
}

/** How a question reads: its type's rendering, or, elicited by SSR, asking for words. */
export const questionText = (q: Question): string => (q.elicitation === 'ssr' ? ssrRender(q) : typeOf(q).render(q));

export const REPLY_FORMAT = 'Reply with a JSON object: "reasoning" first (why, in your own words, one to three sentences), then your answer.';

/** The user message of question `index` (0-based); `images` (data: URLs) go with the first question asked. */
export function questionItem(q: Question, index: number, total: number, images: readonly string[]): ConversationItem {
  const text = `Question ${index + 1} of ${total}.\n${questionText(q)}\n\n${REPLY_FORMAT}`;
  const content: ContentPart[] = [{ type: 'text', text }, ...images.map((url): ContentPart => ({ type: 'image', url, detail: 'auto' }))];
  return { type: 'message', role: 'user', content };
}

/** The respondent's earlier answer as its turn of the conversation. */
export function answerItem(json: string): ConversationItem {
  return { type: 'message', role: 'assistant', content: [{ type: 'text', text: json }] };
}
