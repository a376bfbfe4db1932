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

const TRAIT_NAMES: Record<string, string> = {
  openness: 'openness',
  conscientiousness: 'conscientiousness',
  extraversion: 'extraversion',
  agreeableness: 'agreeableness',
  neuroticism: 'neuroticism',
};

export function respondentSystemPrompt(personaPrompt: string, profile: RespondentProfile, def: Pick<StudyDefinition, 'instructions' | 'stimulus'>): string {
  const t = profile.traits;
  const big5 = Object.entries(TRAIT_NAMES)
    .filter(([k]) => t[k] !== undefined)
    .map(([k, name]) => `${name} ${t[k]}`);
  const lines = [
    personaPrompt,
    '',
    'You are taking part in a market research survey as one particular person of this group:',
    `- ${profile.name}, ${profile.age}, ${profile.gender}. Lives in ${profile.region} (${profile.country}); household: ${profile.household}.`,
    `- Work: ${profile.occupation}. Education: ${profile.education}. Income: ${profile.income}.`,
    ...(big5.length ? [`- Personality (0–100): ${big5.join(', ')}.`] : []),
    ...(t.price_sensitivity !== undefined || t.brand_loyalty !== undefined
      ? [`- Price sensitivity ${t.price_sensitivity ?? 50}/100; brand loyalty ${t.brand_loyalty ?? 50}/100.`]
      : []),
    'Answer every question as this person: honestly, from your own situation and tastes, doubts and dislikes included. You are one voice among many; do not try to please the researcher, and do not give the answer you think is expected.',
  ];
  if (def.instructions) lines.push('', "The researcher's instructions:", def.instructions);
  if (def.stimulus?.text) lines.push('', 'What you are shown (read it before you answer):', '<<<', def.stimulus.text, '>>>');
  if (def.stimulus?.images?.length) lines.push('', `You are also shown ${def.stimulus.images.length === 1 ? 'an image' : `${def.stimulus.images.length} images`}, attached to the first question.`);
  return lines.join('\n');
}

export const REPLY_FORMAT = 'Reply with a JSON object: "reasoning" first (why, in your own words, one to three sentences), then your answer.';

/** The user message of question `index` (0-based); `images` (data: URLs) go with the first question asked. */
export function questionItem(q: Question, index: number, total: number, images: readonly string[]): ConversationItem {
  const text = `Question ${index + 1} of ${total}.\n${typeOf(q).render(q)}\n\n${REPLY_FORMAT}`;
  const content: ContentPart[] = [{ type: 'text', text }, ...images.map((url): ContentPart => ({ type: 'image', url, detail: 'auto' }))];
  return { type: 'message', role: 'user', content };
}

/** The respondent's earlier answer as its turn of the conversation. */
export function answerItem(json: string): ConversationItem {
  return { type: 'message', role: 'assistant', content: [{ type: 'text', text: json }] };
}
