/**
 * The sandbox engine's plain-text answers. With a persona, the answer speaks
 * in its voice: it opens with one of its phrases, takes a stance on the topic
 * of the last user message, and backs it with the profile fields (values,
 * pains, objections, decision style, …) that best overlap the question.
 * Without a persona, a neutral assistant restates and addresses the question.
 * Length follows `verbosity`: low ≈ 1–2 sentences, medium 3–5, high 6–9.
 */
import type { PersonaRecord, PersonaProfile } from '../../personas/persona-schema.js';
import type { ToolResult } from './conversation.js';
import { summarizeOutput } from './conversation.js';
import { capitalize, extractSubject, extractTopic, keywords, overlap, questionKind, sentence, stemSet, stripTerminal, WEAK_WORDS } from './language.js';
import type { Rng } from './seed.js';

export type Verbosity = 'low' | 'medium' | 'high';
export type Stance = 'positive' | 'mixed' | 'skeptical';

export interface VoiceInput {
  persona?: PersonaRecord | undefined;
  /** Text of the last user message. */
  message: string;
  attachment?: 'image' | 'file' | null;
  /** Tool outputs that arrived after the last user message. */
  toolResults?: readonly ToolResult[];
  verbosity?: Verbosity | undefined;
  rng: Rng;
}

export interface VoiceAnswer {
  text: string;
  sentences: string[];
  /** The topic phrase the answer repeats. */
  topic: string;
  stance: Stance;
}

const GREETING = /^(?:hi|hello|hey|yo|hiya|howdy|good (?:morning|afternoon|evening)|what'?s up|sup|greetings)\b/i;

export function composeAnswer(input: VoiceInput): VoiceAnswer {
  const rng = input.rng;
  const verbosity = input.verbosity ?? 'medium';
  const target = sentenceTarget(verbosity, rng.fork('length'));
  const message = input.message;
  let topic = extractTopic(message);
  if (!topic) {
    if (input.attachment === 'image') topic = 'the image you shared';
    else if (input.attachment === 'file') topic = 'the file you shared';
  }
  const greeting = !topic && GREETING.test(message.trim());
  if (!topic) topic = message.trim() ? 'that' : 'this';

  const results = input.toolResults ?? [];
  const resultSentence = results.length
    ? sentence(`Based on the result${results.length > 1 ? 's' : ''}: ${results.map((r) => stripTerminal(summarizeOutput(r.output))).join('; ')}`)
    : null;

  const persona = input.persona;
  const built = persona
    ? personaSentences(persona, { message, topic, greeting, target, verbosity, resultSentence, rng })
    : neutralSentences({ message, topic, greeting, target, verbosity, resultSentence, rng });
  const sentences = built.sentences.map((s) => s.trim()).filter(Boolean);
  return { text: sentences.join(' '), sentences, topic, stance: built.stance };
}

function sentenceTarget(verbosity: Verbosity, rng: Rng): number {
  switch (verbosity) {
    case 'low':
      return 2;
    case 'high':
      return rng.int(6, 9);
    default:
      return rng.int(3, 5);
  }
}

interface ComposeContext {
  message: string;
  topic: string;
  greeting: boolean;
  target: number;
  verbosity: Verbosity;
  resultSentence: string | null;
  rng: Rng;
}

// ---------------------------------------------------------------- persona voice

interface Facet {
  kind: string;
  text: string;
  score: number;
  /** values / pains / objections / decision style: at least one of these is always used. */
  core: boolean;
}

/** A phrase short enough to lead a sentence ("ngl", "honestly", "in my experience"). */
function isLeadPhrase(phrase: string): boolean {
  const p = phrase.trim();
  return p.split(/\s+/).length <= 3 && !/[?!]$/.test(p);
}

function register(profile: PersonaProfile): 'casual' | 'formal' {
  const t = `${profile.communication.tone} ${profile.communication.vocabulary}`.toLowerCase();
  const casual = /(casual|slang|playful|informal|relaxed|laid-back|conversational|witty|humou?r|irreverent|chatty|folksy|blunt|emoji)/.test(t);
  const formal = /(formal|professional|technical|precise|measured|academic|authoritative|polished|clinical|analytical|jargon|data)/.test(t);
  return formal && !casual ? 'formal' : 'casual';
}

function stanceOf(profile: PersonaProfile, q: ReadonlySet<string>, rng: Rng): Stance {
  const pos = [...profile.buying_behavior.purchase_triggers, ...profile.psychographics.values, ...profile.psychographics.interests, ...profile.goals];
  const neg = [...profile.buying_behavior.deal_breakers, ...profile.pains, ...profile.objections];
  const score =
    overlap(q, stemSet(pos.join(' '))) * 0.6 -
    overlap(q, stemSet(neg.join(' '))) * 0.6 +
    ((profile.psychographics.big_five.agreeableness - 50) / 50) * 0.4 +
    (profile.psychographics.big_five.openness - 50) / 200 +
    (rng.next() - 0.5) * 1.2;
  if (score > 0.45) return 'positive';
  if (score < -0.45) return 'skeptical';
  return 'mixed';
}

const STANCE_ADJ: Record<Stance, string[]> = {
  positive: ['genuinely interested', 'pretty into it', 'more interested than I expected to be'],
  mixed: ['interested but not sold yet', 'curious but cautious', 'honestly on the fence'],
  skeptical: ['pretty skeptical', 'not convinced yet', 'hard to win over'],
};

const VERDICT: Record<Stance, string[]> = {
  positive: ["I'd give it a real shot.", "I'm in, as long as it delivers."],
  mixed: ["I'm open to it, but it has to prove itself.", 'maybe, if the details check out.'],
  skeptical: ["I'd need a lot more convincing.", 'not yet, show me proof first.'],
};

function listPhrase(items: readonly string[]): string {
  if (items.length <= 1) return items[0] ?? '';
  if (items.length === 2) return `${items[0]} and ${items[1]}`;
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function lowerFirst(text: string): string {
  // keep acronyms, "I" and proper names ("Gen Z", "TikTok") as they are
  if (/^(?:I\b|[A-Z]{2,}|\p{Lu}\p{Ll}*\p{Lu}|\p{Lu}\p{Ll}*\s+\p{Lu})/u.test(text)) return text;
  return text.charAt(0).toLowerCase() + text.slice(1);
}

const NEGATIVE_PHRASE = /\b(?:red flag|no way|hard pass|pass|nope|nah|scam|sus|cringe|doubt|skeptic\w*|not|never|won't|can't|cannot|don't|wouldn't|ugh|yikes|mid|overpriced|too expensive|risky|concern\w*|worried|careful|hmm+)\b/i;
const POSITIVE_PHRASE = /\b(?:love|obsessed|slay\w*|fire|worth it|yes+|great|amazing|awesome|perfect|bet|goated|iconic|excited|win|solid|excellent|impressive|promising|brilliant|fantastic)\b/i;

/** -1 for phrases that sound negative ("that's a red flag"), 1 for positive ones, 0 otherwise. */
function polarity(phrase: string): number {
  if (NEGATIVE_PHRASE.test(phrase)) return -1;
  if (POSITIVE_PHRASE.test(phrase)) return 1;
  return 0;
}

/** The persona's phrases in a seeded order: ones that fit the stance first, lead-in phrases before sentences. */
function orderPhrases(phrases: readonly string[], stance: Stance, rng: Rng): string[] {
  const clean = phrases.map((p) => p.trim().replace(/[,;:]+$/, '')).filter(Boolean);
  const fits = (p: string) => {
    const pol = polarity(p);
    return stance === 'positive' ? pol >= 0 : stance === 'skeptical' ? pol <= 0 : true;
  };
  const shuffled = rng.shuffle(clean);
  const rank = (p: string) => (fits(p) ? 0 : 2) + (isLeadPhrase(p) ? 0 : 1);
  return shuffled.map((p, i) => ({ p, i })).sort((a, b) => rank(a.p) - rank(b.p) || a.i - b.i).map((x) => x.p);
}

/** The member of a list that best overlaps the question (ties broken by the rng). */
function bestMatch(xs: readonly string[], q: ReadonlySet<string>, rng: Rng, used: ReadonlySet<string> = new Set()): string {
  const pool = xs.filter((x) => !used.has(x));
  const list = pool.length ? pool : xs;
  let top = list[0] ?? '';
  let topScore = -1;
  for (const x of list) {
    const s = overlap(q, stemSet(x)) + rng.next() * 0.5;
    if (s > topScore) {
      topScore = s;
      top = x;
    }
  }
  return top;
}

function facetsOf(persona: PersonaRecord, q: ReadonlySet<string>, rng: Rng, used: ReadonlySet<string>): Facet[] {
  const p = persona.profile;
  const facets: Facet[] = [];
  const add = (kind: string, text: string, relevanceText: string, base: number, core = false) => {
    const rel = overlap(q, stemSet(relevanceText));
    facets.push({ kind, text, score: rel * 2 + base + rng.next() * 0.6, core });
  };
  const pick = <T>(xs: readonly T[], label: string): T => rng.fork(label).pick(xs);
  const best = (xs: readonly string[], label: string): string => bestMatch(xs, q, rng.fork(label), used);

  const value = best(p.psychographics.values, 'value');
  add('value', pick([`For me it really comes down to ${value}.`, `${capitalize(value)} matters a lot to me, so that's the lens I'd use here.`, `I'd judge it on ${value} first.`], 'value-t'), value, 0.6, true);

  const pain = best(p.pains, 'pain');
  add('pain', pick([`I'm already dealing with ${lowerFirst(stripTerminal(pain))}, so this would need to make that easier, not harder.`, `My biggest headache right now is ${lowerFirst(stripTerminal(pain))}, and this has to help with that.`], 'pain-t'), pain, 0.55, true);

  const objection = best(p.objections, 'objection');
  const objectionTemplates = /\?\s*$/.test(objection)
    ? [`My first question would be: ${sentence(objection)}`, `The first thing I'd ask is: ${sentence(objection)}`]
    : [`My gut reaction is: ${sentence(objection)}`, `The thing I'd push back on: ${sentence(objection)}`];
  add('objection', pick(objectionTemplates, 'objection-t'), objection, 0.6, true);

  const style = stripTerminal(p.buying_behavior.decision_style);
  add('decision', pick([`The way I decide is pretty simple: ${lowerFirst(style)}.`, `For context on how I decide: ${lowerFirst(style)}.`], 'decision-t'), `${style} ${p.buying_behavior.research_habits}`, 0.45, true);

  const breaker = best(p.buying_behavior.deal_breakers, 'breaker');
  add('breaker', `A deal-breaker for me would be ${lowerFirst(stripTerminal(breaker))}.`, breaker, 0.35);

  const trigger = best(p.buying_behavior.purchase_triggers, 'trigger');
  add('trigger', `What would actually push me to act: ${lowerFirst(stripTerminal(trigger))}.`, trigger, 0.35);

  const goal = best(p.goals, 'goal');
  add('goal', `Whatever it is, it has to fit what I'm working toward: ${lowerFirst(stripTerminal(goal))}.`, goal, 0.3);

  const sources = rng.fork('sources').shuffle(p.media.trusted_sources).slice(0, 2);
  add('sources', `Before deciding, I'd check ${listPhrase(sources.map((s) => lowerFirst(stripTerminal(s))))}.`, `${sources.join(' ')} review research trust`, 0.25);

  const priceText: Record<string, string> = {
    high: "Price matters a lot to me, so I'd compare it against cheaper options first.",
    medium: "Price matters, but I'll pay more if the value is clear.",
    low: "Price isn't the main thing for me if the quality is really there.",
  };
  add('price', priceText[p.buying_behavior.price_sensitivity] ?? priceText.medium ?? '', 'price cost money afford value', 0.2);

  const loyaltyText: Record<string, string> = {
    high: 'Once I trust a brand I tend to stick with it, so switching is a big ask.',
    medium: "I have brands I like, but I'll switch for something clearly better.",
    low: "I'm not loyal to any brand, so it would have to earn my attention.",
  };
  add('loyalty', loyaltyText[p.buying_behavior.brand_loyalty] ?? loyaltyText.medium ?? '', 'brand loyalty switch competitor', 0.1);

  const interest = best(p.psychographics.interests, 'interest');
  add('interest', `It would land better with me if it connected to ${lowerFirst(stripTerminal(interest))}.`, interest, 0.2);

  const platforms = rng.fork('platforms').shuffle(p.media.platforms).slice(0, 2);
  add('platforms', `I'd probably first hear about it on ${listPhrase(platforms)}.`, `${platforms.join(' ')} ${p.media.channels.join(' ')} social media`, 0.1);

  const stat = p.statistics.length ? best(p.statistics.map((s) => `${stripTerminal(s.claim)} (${s.source})`), 'stat') : '';
  if (stat) add('statistic', `For context: ${stat}.`, stat, persona.is_expert ? 0.55 : 0.05);

  return facets.sort((a, b) => b.score - a.score);
}

/** A sentence carrying a persona phrase: lead-ins open it ("Ngl, …"), full phrases close it ("… — was it pre-registered?"). */
function withPhrase(core: string, phrase: string | undefined): string {
  if (!phrase) return capitalize(core);
  if (isLeadPhrase(phrase)) return `${capitalize(stripTerminal(phrase))}, ${core}`;
  return `${capitalize(stripTerminal(core))} — ${lowerFirst(sentence(phrase))}`;
}

function personaSentences(persona: PersonaRecord, ctx: ComposeContext): { sentences: string[]; stance: Stance } {
  const profile = persona.profile;
  const rng = ctx.rng;
  const q = stemSet(ctx.message);
  const reg = register(profile);
  const kind = questionKind(ctx.message);
  const stance = kind === 'pain' ? 'skeptical' : stanceOf(profile, q, rng.fork('stance'));
  const phrases = orderPhrases(profile.communication.phrases, stance, rng.fork('phrases'));
  const phrase1 = phrases[0];
  const phrase2 = phrases[1];
  const out: string[] = [];
  const used = new Set<string>();

  if (ctx.resultSentence) out.push(ctx.resultSentence);

  if (ctx.greeting) {
    out.push(phrase1 && isLeadPhrase(phrase1) ? `${capitalize(stripTerminal(phrase1))}, hey!` : 'Hey!');
    const interests = profile.psychographics.interests.slice(0, 2).map((i) => lowerFirst(i));
    if (ctx.target >= 3) out.push(`A bit about me: ${lowerFirst(stripTerminal(profile.demographics.occupation))}, into ${listPhrase(interests)}.`);
    if (phrase1 && !isLeadPhrase(phrase1)) out.push(sentence(capitalize(phrase1)));
    out.push("What's on your mind?");
    return { sentences: out, stance };
  }

  // opening: one sentence with a phrase, about the topic of the question
  const subject = kind === 'evaluate' ? undefined : extractSubject(ctx.message);
  const about = `when it comes to ${subject ?? ctx.topic}, `;
  let opening: string;
  if (kind === 'pain') {
    const pain = bestMatch(profile.pains, q, rng.fork('open-pain'));
    used.add(pain);
    opening = `${about}the big one for me is ${lowerFirst(stripTerminal(pain))}.`;
  } else if (kind === 'want') {
    const value = bestMatch(profile.psychographics.values, q, rng.fork('open-value'));
    used.add(value);
    opening = `${about}what I care about most is ${lowerFirst(stripTerminal(value))}.`;
  } else {
    const adj = rng.fork('adj').pick(STANCE_ADJ[stance]);
    const frame = rng.fork('frame').pick(['when it comes to', 'as for', 'on']);
    opening = `${frame} ${ctx.topic}, I'm ${adj}.`;
  }
  out.push(withPhrase(opening, phrase1));

  const closingWanted = ctx.target >= 3;
  const secondPhraseWanted = ctx.verbosity === 'high' && phrase2 !== undefined;
  const bodySlots = Math.max(ctx.target >= 3 ? 1 : 0, ctx.target - out.length - (closingWanted ? 1 : 0) - (secondPhraseWanted && phrase2 && !isLeadPhrase(phrase2) ? 1 : 0));

  const facets = facetsOf(persona, q, rng.fork('facets'), used);
  const chosen = facets.slice(0, bodySlots);
  if (bodySlots > 0 && !chosen.some((f) => f.core)) {
    const firstCore = facets.find((f) => f.core);
    if (firstCore) chosen[chosen.length - 1] = firstCore;
  }
  for (const f of chosen) out.push(f.text);

  if (secondPhraseWanted && phrase2 && !isLeadPhrase(phrase2)) out.push(sentence(capitalize(phrase2)));

  if (closingWanted) {
    const prefixed = secondPhraseWanted && phrase2 !== undefined && isLeadPhrase(phrase2);
    let closing: string;
    if (kind === 'pain') {
      closing = reg === 'casual' ? `that's what makes ${subject ?? ctx.topic} hard for me.` : `that is the core of the problem with ${subject ?? ctx.topic} for me.`;
      closing = prefixed ? closing : `${reg === 'casual' ? 'So yeah' : 'Overall'}, ${closing}`;
    } else if (kind === 'want') {
      closing = `get that right with ${subject ?? ctx.topic} and you've got my attention.`;
      closing = prefixed ? closing : capitalize(closing);
    } else {
      const verdict = rng.fork('verdict').pick(VERDICT[stance]);
      const leads = prefixed ? (reg === 'casual' ? ['bottom line on'] : ['in short, on']) : reg === 'casual' ? ['So yeah, on', 'Bottom line on'] : ['Overall, on', 'In short, on'];
      closing = `${rng.fork('close').pick(leads)} ${ctx.topic}: ${verdict}`;
    }
    if (prefixed && phrase2) closing = `${capitalize(stripTerminal(phrase2))}, ${closing}`;
    out.push(closing);
  }
  return { sentences: out, stance };
}

// ---------------------------------------------------------------- neutral assistant


function neutralSentences(ctx: ComposeContext): { sentences: string[]; stance: Stance } {
  const rng = ctx.rng;
  const out: string[] = [];
  if (ctx.resultSentence) out.push(ctx.resultSentence);
  if (ctx.greeting) {
    out.push('Hello! How can I help you today?');
    return { sentences: out, stance: 'mixed' };
  }
  const focus = ctx.topic.replace(/^(?:your|my|our|the|a|an|this|that)\s+/i, '') || 'the topic';
  const kws = keywords(ctx.message, 8).filter((k) => !WEAK_WORDS.has(k.toLowerCase()));
  const kw1 = /^\S+ing\b/.test(focus) || /^\p{Lu}/u.test(focus) || /^\$?\d/.test(focus) ? focus : `the ${focus}`;
  const kw2 = kws.find((k) => !focus.toLowerCase().includes(k.toLowerCase())) ?? 'the wider context';
  out.push(
    rng.fork('open').pick([
      `Here's a quick take on ${ctx.topic}.`,
      `You asked about ${ctx.topic}, so here's a direct answer.`,
      `Good question about ${ctx.topic}.`,
    ]),
  );
  const closingWanted = ctx.target >= 3;
  const pool = [
    `The short answer is that it depends on your goals and constraints, especially around ${kw1}.`,
    `A good first step is to get clear on what you want from ${kw1}.`,
    `Look at ${kws[0] ?? kw1} and ${kw2} together, since each one affects the other.`,
    'Try a small, low-risk version first and measure the result before scaling up.',
    'Compare at least two options side by side on cost, effort and impact.',
    'Watch for common pitfalls such as unclear requirements and hidden costs.',
    'Write down what works so you can repeat it and explain it to others.',
    `If you share more details about ${kw1}, I can give a more specific recommendation.`,
  ];
  const first = pool[0] as string;
  const rest = rng.fork('body').shuffle(pool.slice(1));
  const body = [first, ...rest];
  const slots = Math.max(0, ctx.target - out.length - (closingWanted ? 1 : 0));
  out.push(...body.slice(0, slots));
  if (closingWanted) out.push(`In short: focus on ${kw1}, test early, and adjust as you learn.`);
  return { sentences: out, stance: 'mixed' };
}
