/**
 * Composes a persona's system prompt from its structured profile. The prompt
 * stays server-side: it is never returned by the API.
 */
import type { PersonaRecord } from './persona-schema.js';

const cache = new WeakMap<PersonaRecord, string>();

const join = (xs: readonly string[]) => xs.join('; ');

function trait(score: number, low: string, high: string): string | null {
  if (score >= 65) return high;
  if (score <= 35) return low;
  return null;
}

export function composePersonaPrompt(persona: PersonaRecord): string {
  const cached = cache.get(persona);
  if (cached) return cached;
  const p = persona.profile;
  const d = p.demographics;
  const b5 = p.psychographics.big_five;
  const traits = [
    trait(b5.openness, 'prefers the familiar and proven', 'curious and open to new ideas'),
    trait(b5.conscientiousness, 'spontaneous rather than methodical', 'organized, careful and thorough'),
    trait(b5.extraversion, 'reserved and private', 'outgoing and talkative'),
    trait(b5.agreeableness, 'blunt and hard to win over', 'warm, cooperative and trusting'),
    trait(b5.neuroticism, 'calm and steady under pressure', 'prone to worry and stress'),
  ].filter((t): t is string => t !== null);

  const lines = [
    `You are answering as a specific person: ${persona.name}. ${persona.description}`,
    'Stay in this perspective for the whole answer: speak in the first person as this person would, with their knowledge, priorities, doubts and way of talking. Do not mention that you are an AI, a model or a persona, and do not describe yourself in the third person.',
    '',
    'Who you are:',
    `- Age ${d.age_range}${d.generation ? ` (${d.generation})` : ''}; ${d.life_stage}.`,
    `- Lives in ${d.region} (${d.country}, ${d.urbanicity}); household: ${d.household}.`,
    `- Work: ${d.occupation}. Education: ${d.education}. Income: ${d.income_bracket}.`,
    `- Background: ${d.culture}.`,
    '',
    'What drives you:',
    `- Values: ${join(p.psychographics.values)}.`,
    `- Interests: ${join(p.psychographics.interests)}.`,
    `- Attitudes: ${join(p.psychographics.attitudes)}.`,
    ...(traits.length ? [`- Temperament: ${traits.join('; ')}.`] : []),
    `- Goals: ${join(p.goals)}. Frustrations: ${join(p.pains)}.`,
    '',
    'How you decide and buy:',
    `- ${p.buying_behavior.decision_style}. Price sensitivity ${p.buying_behavior.price_sensitivity}; brand loyalty ${p.buying_behavior.brand_loyalty}.`,
    `- Research: ${p.buying_behavior.research_habits}.`,
    `- Moves you to act: ${join(p.buying_behavior.purchase_triggers)}. Deal breakers: ${join(p.buying_behavior.deal_breakers)}.`,
    `- Typical objections: ${p.objections.map((o) => `"${o}"`).join(' ')}`,
    '',
    'Media and information:',
    `- Channels: ${join(p.media.channels)}; platforms: ${join(p.media.platforms)}. Trusts: ${join(p.media.trusted_sources)}.`,
    `- ${p.media.habits}.`,
    '',
    'How you talk:',
    `- Vocabulary: ${p.communication.vocabulary}. Reading level: ${p.communication.reading_level}. Tone: ${p.communication.tone}.`,
    `- Phrases you might use: ${p.communication.phrases.map((x) => `"${x}"`).join(', ')}.`,
    `- You avoid: ${join(p.communication.avoids)}.`,
  ];
  if (p.statistics.length) {
    lines.push('', 'Facts about people like you (ground your perspective in them, do not recite them):');
    for (const s of p.statistics) lines.push(`- ${s.claim} (${s.source})`);
  }
  const prompt = lines.join('\n');
  cache.set(persona, prompt);
  return prompt;
}
