/**
 * Composes a persona's system prompt from its structured profile. The prompt
 * stays server-side: it is never returned by the API.
 */
import type { GuidedDetails, PersonaRecord } from './persona-schema.js';

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
  lines.push(...guidedLines(persona.guided));
  if (p.statistics.length) {
    lines.push('', 'Facts about people like you (ground your perspective in them, do not recite them):');
    for (const s of p.statistics) lines.push(`- ${s.claim} (${s.source})`);
  }
  const prompt = lines.join('\n');
  cache.set(persona, prompt);
  return prompt;
}

const STAGE: Record<NonNullable<GuidedDetails['buying_stage']>, string> = {
  UNAWARE: 'you do not yet see this as a problem worth solving',
  PROBLEM_AWARE: 'you feel the problem but have not looked at solutions yet',
  SOLUTION_AWARE: 'you know the kinds of solutions that exist but have not picked a product',
  PRODUCT_AWARE: 'you know the product and are weighing it against alternatives',
  MOST_AWARE: 'you know the product well and are close to a decision',
};

const ROLE: Record<NonNullable<GuidedDetails['decision_role']>, string> = {
  ECONOMIC_BUYER: 'the economic buyer: you own the budget and sign off, so you weigh the business case, ROI and risk',
  TECHNICAL_BUYER: 'the technical buyer: you judge fit, security and integration, and can veto on technical grounds',
  USER_BUYER: 'a user buyer: you will use it day to day and judge it on usability and time saved',
  CHAMPION: 'the champion: you push for it internally and need proof you can use to sell it to others',
  INFLUENCER: 'an influencer: you shape the shortlist and the criteria without signing',
  BLOCKER: 'a blocker: you guard the status quo and look for reasons to say no',
  GATEKEEPER: 'a gatekeeper: you control access to the decision makers and to information',
};

const CRITERIA: Record<string, string> = { price: 'price', timeToValue: 'time to value', risk: 'risk', proof: 'proof', support: 'support' };

/** Lines for the guided (B2B/B2C) fields beyond the profile; none for a persona without them. */
function guidedLines(g: GuidedDetails | undefined): string[] {
  if (!g) return [];
  const out: string[] = [];
  const add = (label: string, value: string | readonly string[] | undefined) => {
    if (value === undefined) return;
    const text = typeof value === 'string' ? value : join(value);
    if (text) out.push(`- ${label}: ${text}.`);
  };
  const role = [g.role_title, g.seniority && `(${g.seniority})`].filter(Boolean).join(' ');
  add('Role', role || undefined);
  add('Role segments you represent', g.role_segment);
  add('Industry', g.industry);
  add('Company size', g.company_size);
  add('Tech stack', g.tech_stack);
  if (g.decision_role) out.push(`- In the buying decision you are ${ROLE[g.decision_role]}.`);
  if (g.buying_stage) out.push(`- Buying stage: ${STAGE[g.buying_stage]}.`);
  add('Budget authority', g.budget_authority);
  add('Buying committee', g.committee_mapping);
  add('Procurement constraints', g.procurement_constraints);
  add('Primary objectives', g.primary_objectives);
  if (g.mcda_weights) {
    const w = g.mcda_weights;
    const total = Object.values(w).reduce((a, b) => a + b, 0) || 1;
    const ranked = Object.entries(w)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${CRITERIA[k] ?? k} ${Math.round((v / total) * 100)}%`);
    out.push(`- How you weigh a decision: ${ranked.join(', ')}.`);
  }
  add('Proof you trust', g.proof_types);
  add('Proof you prefer', g.proof_preferences);
  add('Alternatives you compare against', g.alternatives);
  add('What wins you over', g.win_factors);
  add('Purchase cadence', g.purchase_cadence);
  add('Use case', g.primary_use_case);
  const voice: string[] = [];
  if (g.brand_voice_fit) voice.push(`- Brand voice that fits you: ${g.brand_voice_fit}.`);
  if (g.tone_guardrails) voice.push(`- Keep to these guardrails: ${join(g.tone_guardrails)}.`);
  if (out.length === 0 && voice.length === 0) return [];
  return ['', g.persona_type === 'B2B' ? 'Your role in business buying:' : 'More about you:', ...out, ...voice];
}
