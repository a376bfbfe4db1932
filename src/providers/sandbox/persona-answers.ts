/**
 * The persona's answer to each kind of question (question.ts), built from
 * the profile fields that fit: a routine from its habits, media from its
 * channels and sources, a price from its price sensitivity and currency, a
 * choice from its disposition, a rating from its lean, a reaction from its
 * triggers and values (for) or objections and deal-breakers (against).
 *
 * Each ask gets a head sentence that answers it directly (the number, the
 * option, the price, yes or no); supporting sentences follow, in the order
 * they should be kept when the answer is cut short. Wording is drawn from
 * several variants, so answers do not share an opening or closing formula.
 */
import type { PersonaRecord } from '../../personas/persona-schema.js';
import { capitalize, sentence, stemSet, stemSetOf, stripTerminal } from '../../text/words.js';
import type { Directives } from './directives.js';
import { formatMoney, perPeriod, willingnessToPay, type Currency, type PricePoint } from './money.js';
import { actionPhrase, bestOf, brands, habits, listPhrase, lowerFirst, own, sources, startsWithVerb, type Disposition, type Lean } from './profile-phrases.js';
import type { Ask, QuestionRead, Scale } from './question.js';
import { amountAnswer, favouriteAnswer, storyAnswer, type SpecificContext } from './own-specifics.js';
import { agree, asCondition, asNoun, phraseOf, type Phrase } from './phrase-form.js';
import type { Rng } from './seed.js';
import { tone } from '../../text/tone.js';

export type Stance = 'positive' | 'mixed' | 'skeptical';

export interface Memory {
  /** A rating given earlier in the conversation about the same subject, as a position in [0, 1]. */
  ratingPosition?: number;
  /** A price named earlier about the same subject. */
  price?: number;
}

export interface AnswerContext {
  persona: PersonaRecord;
  q: QuestionRead;
  d: Directives;
  lean: Lean;
  stance: Stance;
  disp: Disposition;
  rng: Rng;
  memory: Memory;
  /** The typed answer being built (JSON output). */
  data: Record<string, unknown>;
  /** Profile items already said, so one answer does not repeat them. */
  used: Set<string>;
  /** The persona's own currency. */
  currency: Currency;
  choiceWhy?: 'cheap' | 'premium' | 'stay' | 'leave' | 'fit';
}

export interface Composed {
  /** One or two sentences per ask, answering it directly. */
  heads: string[];
  /** Supporting sentences, most important first. */
  support: string[];
  /** Items, for list answers (rendered as bullets when asked). */
  items?: string[];
  /** The typed answer, for JSON output: rating, choice, price, yes/no, items. */
  data: Record<string, unknown>;
}

const NUMBER_NAMES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];

/** "a" or "an" before a phrase. */
export function article(phrase: string): string {
  return /^(?:[aeio]|u(?!ni|se|sa|ro)|hour|honest|MBA|RN|NP|LPN|X\b|F\b|S\b)/i.test(phrase.trim()) ? 'an' : 'a';
}

function pick<T>(rng: Rng, label: string, xs: readonly T[]): T {
  return rng.fork(label).pick(xs);
}

/** "as a nurse", "as someone who values family": who is speaking, for a clause. */
function as(ctx: AnswerContext): string {
  const occ = own(ctx.persona.profile.demographics.occupation.split(/[,;]/)[0] ?? '');
  const value = own(ctx.persona.profile.psychographics.values[0] ?? '');
  if (occ && occ.split(/\s+/).length <= 5 && !/\b(?:of|with|and|or)\b/.test(occ) && tone(occ) === 0) return `as ${article(occ)} ${occ}`;
  return value && tone(value) === 0 ? `as someone who puts ${value} first` : 'for someone like me';
}

/**
 * The subject as the answer can say it, or a pronoun — also when its words
 * would read against the stance ("your new loyalty program" sounds like
 * praise in a doubtful answer).
 */
function subj(ctx: AnswerContext, fallback = 'it'): string {
  const s = ctx.q.subject;
  if (!s) return fallback;
  const t = tone(s);
  if ((ctx.stance === 'skeptical' && t > 0) || (ctx.stance === 'positive' && t < 0)) return fallback;
  return s;
}

function stems(ctx: AnswerContext): ReadonlySet<string> {
  return stemSetOf(`${ctx.q.subject ?? ''} ${ctx.q.message}`);
}

// ------------------------------------------------------------ supporting sentences by stance

function goalSentence(goal: string, rng: Rng): string {
  const g = own(goal);
  return startsWithVerb(g)
    ? pick(rng, 'goal', [`It could help me ${g}, which is what I'm working toward.`, `Right now I'm trying to ${g}, so anything that helps with that is welcome.`, `I want to ${g}; this might help.`])
    : pick(rng, 'goal', [`Anything that helps with ${g} gets my attention.`, `What I'm working toward is ${g}, and this could fit.`, `My goal is ${g}, and this could help.`]);
}

/** One of two halves joined: many combinations, so the same idea is not said the same way twice. */
function combine(rng: Rng, label: string, firsts: readonly string[], seconds: readonly string[]): string {
  return `${pick(rng, `${label}-a`, firsts)}${pick(rng, `${label}-b`, seconds)}`;
}

/** A profile item in the first person, with its grammatical form (phrase-form.ts). */
export function item(raw: string): Phrase {
  const p = phraseOf(raw);
  return { ...p, text: p.form === 'question' ? `${own(p.text)}?` : own(p.text) };
}

/** "convenience matters", "experiences matter". */
function matters(noun: string): string {
  return `${noun} ${agree(phraseOf(noun), 'matters', 'matter')}`;
}

/** A purchase trigger said as what wins the persona over, in a frame its form fits. */
function triggerLine(t: Phrase, rng: Rng): string {
  const n = asNoun(t);
  if (n) {
    return pick(rng, 'trigger', [
      `What sells me: ${n}.`,
      `The thing that would seal it for me is ${n}.`,
      `${capitalize(n)}: that's exactly what I look for.`,
      `I get interested when I see ${n}, and this has a good chance.`,
      t.form === 'noun' ? `It helps that I care about ${n}.` : `I always notice ${n}.`,
      `My kind of thing, as long as ${asCondition(t)}.`,
    ]);
  }
  return pick(rng, 'trigger', [`I'm sold when ${t.text}.`, `If ${t.text}, I'm interested.`, `It clicks for me when ${t.text}.`]);
}

/** A value said as something the persona cares about (verbs agree with it: "experiences matter"). */
function valueLine(v: Phrase, rng: Rng): string {
  const matters = agree(v, 'matters', 'matter');
  return pick(rng, 'value', [
    `It fits what I care about: ${v.text}.`,
    `${capitalize(v.text)} ${matters} to me, and this seems to get that.`,
    `It lines up with something I care about, ${v.text}.`,
    `It speaks to ${v.text}, which I like.`,
    v.plural ? `It has ${v.text} in mind, and that counts with me.` : `There's a bit of ${v.text} in it, and that counts with me.`,
  ]);
}

/** A deal-breaker said as what would make the persona walk away. */
function breakerLine(b: Phrase, rng: Rng): string {
  const n = asNoun(b);
  if (!n) return pick(rng, 'breaker', [`If ${b.text}, I'm out.`, `I'd walk away the moment ${b.text}.`]);
  return pick(rng, 'breaker', [
    b.form === 'verb' ? `If it ${b.text}, I'm out.` : `If it comes with ${n}, I'm out.`,
    `${capitalize(n)} would be a deal-breaker for me.`,
    `One sign of ${n} and I'd walk away.`,
    `I've been burned by ${n} before.`,
    `I'd check for ${n} right away.`,
  ]);
}

/** An objection as the persona raises it: a question is asked, a statement is said. */
function objectionLine(o: Phrase, rng: Rng, soft: boolean): string {
  const said = o.form === 'question' ? o.text : sentence(o.text);
  const full = capitalize(said);
  if (o.form === 'question') {
    return soft
      ? pick(rng, 'objection', [`One thing I'd ask: ${said}`, `I'd want to know: ${said}`, `Still, ${said}`])
      : pick(rng, 'objection', [`My first worry: ${said}`, `One thing bothers me: ${said}`, `I have doubts. ${full}`, `The problem I see: ${said}`]);
  }
  return soft
    ? pick(rng, 'objection', [`Still, ${said}`, `Honestly, ${said}`, `The catch for me: ${said}`])
    : pick(rng, 'objection', [`My gut reaction is doubt: ${said}`, `I'd push back, sorry: ${said}`, `The problem: ${said}`]);
}

/** Sentences that support a favourable answer (no objections, pains or deal-breakers). */
function favourable(ctx: AnswerContext, used: Set<string>): string[] {
  const p = ctx.persona.profile;
  const q = stems(ctx);
  const rng = ctx.rng.fork('favourable');
  const trigger = item(bestOf(p.buying_behavior.purchase_triggers, q, rng.fork('t'), used));
  const value = item(bestOf(p.psychographics.values, q, rng.fork('v'), used));
  const interest = own(bestOf(p.psychographics.interests, q, rng.fork('i'), used));
  const goal = bestOf(p.goals, q, rng.fork('g'), used);
  const src = own(rng.fork('s').pick(p.media.trusted_sources));
  const brand = rng.fork('brand').pick(brands(ctx.persona).length ? brands(ctx.persona) : ['the brands I know']);
  const out = [
    triggerLine(trigger, rng),
    valueLine(value, rng),
    goalSentence(goal, rng.fork('goal')),
    pick(rng, 'source', [`I'd still check with ${src}, but I'm leaning yes.`, `A quick word with ${src} and I'd probably go for it.`, `If ${src} agrees, I'm in.`, `Once ${src} gives it a thumbs up, I'd sign up.`, `I'd run it past ${src}, then most likely say yes.`]),
    pick(rng, 'interest', [`Even better if it ties into ${interest}.`, `Bonus points if it has anything to do with ${interest}.`, `I'd like it more if it connected to ${interest}.`]),
    ctx.disp.priceSensitivity === 'high'
      ? combine(rng, 'price', ['As long as the price stays fair', 'If it stays affordable', 'At the right price'], [', I can see it being worth it.', ", I'm happy to try it.", ', I would use it.'])
      : combine(rng, 'price', ["I don't mind paying a bit more", 'I would pay for it', 'Paying a little extra is fine'], [' for something good.', ' if the quality holds up.', ' when it saves me time.']),
    ctx.disp.brandLoyalty === 'high'
      ? combine(rng, 'loyal', ['Once something works for me I stick with it', `I've stayed with ${brand} for years`, 'If it earns my trust'], [', so this could last.', ', and this could earn the same.', ', I stay loyal.'])
      : combine(rng, 'loyal', ["I'm happy to try something new", `I'm not attached to ${brand} or anyone else`, 'New is fine by me'], [' when it looks useful.', ', so why not.', " if it's good."]),
  ];
  return [out[0] as string, out[1] as string, ...rng.fork('order').shuffle(out.slice(2))];
}

/** Sentences that support an unfavourable answer. */
function unfavourable(ctx: AnswerContext, used: Set<string>, soft = false): string[] {
  const p = ctx.persona.profile;
  const q = stems(ctx);
  const rng = ctx.rng.fork('unfavourable');
  const objection = item(bestOf(p.objections, q, rng.fork('o'), used));
  const breaker = item(bestOf(p.buying_behavior.deal_breakers, q, rng.fork('b'), used));
  const pain = own(bestOf(p.pains, q, rng.fork('p'), used));
  const valueItem = item(bestOf(p.psychographics.values, q, rng.fork('v')));
  const value = valueItem.text;
  const src = own(rng.fork('s').pick(p.media.trusted_sources));
  const brand = rng.fork('brand').pick(brands(ctx.persona).length ? brands(ctx.persona) : ['what I have']);
  const out = [
    objectionLine(objection, rng, soft),
    breakerLine(breaker, rng),
    pick(rng, 'value', [`${capitalize(value)} ${agree(valueItem, 'matters', 'matter')} more to me than this.`, `I'd rather put my money toward ${value}.`, `What counts for me is ${value}, and this is not it.`, `This has nothing to do with ${value}, which is what I care about.`, `Show me how it serves ${value}; I don't see it.`]),
    pick(rng, 'pain', [`I already have enough problems, like ${pain}.`, `My real problem is ${pain}, and this doesn't solve it.`, `With ${pain} on my plate, this is not a priority.`, `It does nothing about ${pain}, which is what actually hurts.`]),
    combine(rng, 'source', [`Unless ${src} vouched for it`, `Without a word from ${src}`, `Until I hear good things from ${src}`, `If ${src} hasn't tried it`], [", I'd stay away.", ", it's a no.", ', I stay where I am.', ", I'm not interested."]),
    ctx.disp.priceSensitivity === 'high'
      ? combine(rng, 'price', ['Money is tight', 'Every expense gets questioned', 'My budget is stretched already'], [", and I'm not paying for extras I don't need.", ', and this would be one more bill.', ', so this is a hard no for now.'])
      : pick(rng, 'price', ['Even if the price were fine, that is not the problem.', 'It is not about the money; I doubt it works.']),
    ctx.disp.brandLoyalty === 'high'
      ? combine(rng, 'loyal', [`I'm happy with ${brand}`, 'What I have works', 'Switching is a hassle'], ['; why risk it?', ', and I see no reason to change.', ', and this does not change that.'])
      : combine(rng, 'loyal', ["I've tried things like this before", 'I have seen too many of these', 'Products like this come and go'], [', and they rarely deliver.', ' fail.', ', and most disappoint.']),
  ];
  return [out[0] as string, ...rng.fork('order').shuffle(out.slice(1))];
}

/** Sentences for an answer that could go either way: a condition, something for it, then something against. */
function balanced(ctx: AnswerContext, used: Set<string>): string[] {
  const p = ctx.persona.profile;
  const q = stems(ctx);
  const rng = ctx.rng.fork('balanced');
  const plain = p.buying_behavior.purchase_triggers.filter((t) => tone(t) <= 0);
  const trigger = item(bestOf(plain.length ? plain : p.buying_behavior.purchase_triggers, q, rng.fork('t'), used));
  const fav = favourable(ctx, used);
  const unf = unfavourable(ctx, used, true);
  const n = asNoun(trigger);
  const condition = n
    ? pick(rng, 'condition', [`Before I'd say yes I'd need to see this: ${n}.`, `It would depend on one thing: ${n}.`, `My condition is simple: ${n}.`, `Give me ${n} and we can talk.`, `The deciding factor would be ${n}.`, `What would tip it: ${n}.`])
    : pick(rng, 'condition', [`It would depend on whether ${trigger.text}.`, `If ${trigger.text}, we can talk.`, `What would tip it: knowing ${trigger.text}.`]);
  // One point for it among the points against: a mixed answer that reads mixed.
  const out = [condition, unf[0] as string, fav[1] as string, ...unf.slice(1), ...neutralFacts(ctx)];
  return out;
}

export function stanceSupport(ctx: AnswerContext, used: Set<string>, stance: Stance = ctx.stance): string[] {
  return stance === 'positive' ? favourable(ctx, used) : stance === 'skeptical' ? unfavourable(ctx, used) : balanced(ctx, used);
}

// ------------------------------------------------------------ heads by kind

function reactionHead(ctx: AnswerContext, ask: Ask): string {
  const rng = ctx.rng.fork('reaction');
  const s = subj(ctx);
  const has = s !== 'it';
  if (ask.decide || ctx.d.yesNo) {
    const verb = /\b(try|buy|use|sign up for|sign up|sign|subscribe to|subscribe|switch to|switch|pay for|get|order|download|recommend|consider|join|choose|pick|go for|invest in|renew|commit to|agree to|accept|lease|book|hire|upgrade to|upgrade)\b/i.exec(ask.text)?.[1]?.toLowerCase() ?? 'try';
    const object = ctx.q.subject ? objectAfterVerb(ctx.q.subject, verb) : 'it';
    if (ctx.stance === 'positive') return pick(rng, 'yes', [`Yes, I'd ${verb} ${object}.`, `I would, yes: I'd happily ${verb} ${object}.`, `Yes, I'd give ${object} a real shot.`]);
    if (ctx.stance === 'skeptical') return pick(rng, 'no', [`Probably not; I doubt I'd ${verb} ${object}.`, `No, I don't think I'd ${verb} ${object}.`, `Not for me; I wouldn't ${verb} ${object}.`]);
    return pick(rng, 'maybe', [`Maybe; I'd like to ${verb} ${object}, but I'm not sure yet.`, `Maybe. I might ${verb} ${object}; it sounds good, but I have doubts.`, `Possibly: I'd ${verb} ${object} if my doubts get answered, and I like the idea.`]);
  }
  if (ctx.stance === 'positive') {
    return has
      ? combine(rng, 'pos', [`I like the sound of ${s}`, `I'm pretty into ${s}`, `${capitalize(s)}: I'd be interested`, `${capitalize(s)} sounds good to me`, `I'm genuinely interested in ${s}`], ['.', ', honestly.', ', more than I expected.', `, ${as(ctx)}.`, ', actually.'])
      : pick(rng, 'pos', ["I like it, honestly.", "I'm pretty into it.", 'Sounds good to me.']);
  }
  if (ctx.stance === 'skeptical') {
    return has
      ? combine(rng, 'neg', [`I'm skeptical about ${s}`, `${capitalize(s)} doesn't convince me`, `I doubt I'd go for ${s}`, `I'm not convinced by ${s}`, `${capitalize(s)} is a hard sell for me`], ['.', ', honestly.', `, ${as(ctx)}.`, ', to be blunt.', ', sorry.'])
      : pick(rng, 'neg', ["I'm not convinced.", "I'm skeptical, to be honest.", 'I doubt it would work for me.']);
  }
  return has
    ? combine(rng, 'mixed', [`I'm on the fence about ${s}`, `I could go either way on ${s}`, `${capitalize(s)}: maybe`, `I'm undecided on ${s}`], (tone(s) > 0 ? [": I like parts of it, but I'm worried about a few things.", "; it's interesting, but I'm worried about the details.", ', good in theory, but I am worried about it.'] : [": I like parts of it, but I'm concerned about a few things.", "; it's interesting, but I'm concerned about the details.", ', good in theory, but I am concerned about it.']))
    : pick(rng, 'mixed', ["I'm on the fence: I like parts of it, but I have doubts.", "Maybe; it's interesting, but I'm not sure.", 'I could go either way; good in theory, but I have my doubts.']);
}

/** "buying the new Aurora headphones" → "the new Aurora headphones" (the object of the question's verb). */
function objectAfterVerb(subject: string, verb: string): string {
  const stripped = subject.replace(/^(?:\w+ing)\s+/i, (g) => (g.trim().toLowerCase().startsWith(verb.split(' ')[0]!.slice(0, 3)) ? '' : g)).trim();
  const noPrice = stripped.replace(/\s+(?:for|at)\s+(?:[$€£₹]|\d).*$/i, '');
  return noPrice || 'it';
}

function ratingOf(ctx: AnswerContext, scale: Scale): number {
  const pos = ctx.memory.ratingPosition ?? Math.max(0, Math.min(1, (ctx.lean.value + 1) / 2 + (ctx.lean.jitter - 0.5) * 0.12));
  return Math.round(scale.min + pos * (scale.max - scale.min));
}

function ratingHead(ctx: AnswerContext, ask: Ask): string {
  const scale = ctx.d.scale ?? ask.scale ?? { min: 1, max: 10 };
  const n = ratingOf(ctx, scale);
  ctx.memory.ratingPosition ??= (n - scale.min) / (scale.max - scale.min);
  const position = (n - scale.min) / (scale.max - scale.min);
  ctx.stance = position >= 0.65 ? 'positive' : position <= 0.4 ? 'skeptical' : 'mixed';
  const rng = ctx.rng.fork('rating');
  const of = `${n} out of ${scale.max}`;
  Object.assign(ctx.data, { rating: n, scale: `${scale.min}-${scale.max}` });
  if (ctx.d.only) return String(n);
  // A low score names no subject: "2 out of 5." (its name may carry words that read as praise).
  const s = position <= 0.4 ? undefined : ctx.q.subject;
  if (ask.recommend) return pick(rng, 'nps', [`${capitalize(of)}, ${as(ctx)}.`, `${capitalize(of)}.`, `I'd say ${of}.`, `Probably a ${n}${s ? ` for ${s}` : ''}, out of ${scale.max}.`]);
  return pick(rng, 'r', [`I'd give ${s ?? 'it'} ${article(String(n)) === 'an' && n === 8 ? 'an' : 'a'} ${of}.`, `${capitalize(of)}${s ? ` for ${s}` : ''}.`, `${n}/${scale.max}.`, `Call it ${article(String(n)) === 'an' && [8, 11, 18].includes(n) ? 'an' : 'a'} ${n} out of ${scale.max}.`]);
}

function ratingReason(ctx: AnswerContext, n: number, scale: Scale): string {
  const pos = (n - scale.min) / (scale.max - scale.min);
  const rng = ctx.rng.fork('rating-why');
  const p = ctx.persona.profile;
  const value = own(bestOf(p.psychographics.values, stems(ctx), rng.fork('v')));
  if (pos >= 0.65) return combine(rng, 'hi', ['I like how it works', 'It gets the basics right, and I like that', 'I like it', 'It has been good to me'], [`, and ${matters(value)} to me.`, ', happy overall.', ', so I would tell a friend.', '; nothing major to complain about.']);
  if (pos <= 0.4) return combine(rng, 'lo', ["It's not good enough for me, and I'm disappointed", 'Too many problems and too little value', 'I have real doubts and a few complaints', 'It has disappointed me more than once'], [', sorry.', ` and ${value} is not what it delivers.`, ', so I cannot score it higher.', '; it would need to change a lot.']);
  return combine(rng, 'mid', ['It does the job', 'It works', 'Some parts are good', 'It is okay'], [', but I have complaints too.', ', but it has problems.', `, but I'm not impressed on ${value}.`, ', but nothing special, and I have doubts.']);
}

function pricePoint(ctx: AnswerContext): PricePoint {
  const p = willingnessToPay(ctx.q, ctx.q.message, ctx.disp.priceSensitivity, ctx.currency, ctx.lean.value, ctx.lean.jitter);
  if (ctx.memory.price !== undefined) p.value = ctx.memory.price;
  return p;
}

function priceHeads(ctx: AnswerContext, ask: Ask): string[] {
  const pp = pricePoint(ctx);
  ctx.memory.price ??= pp.value;
  const rng = ctx.rng.fork('price');
  const per = perPeriod(pp.period);
  const money = formatMoney(pp.value, pp.currency);
  Object.assign(ctx.data, { price: Number(money.replace(/[^\d.]/g, '')), currency: pp.currency.code, ...(pp.period ? { period: pp.period } : {}) });
  if (ctx.d.only) return [`${money}${per}`];
  const sens = ctx.disp.priceSensitivity;
  if (ask.price === 'leave') {
    const asked = pp.asked;
    if (asked !== undefined && pp.value < asked) {
      return [pick(rng, 'gone', [`Honestly, ${formatMoney(asked, pp.currency)} is already past my limit; anything over about ${money}${per} and I'm gone.`, `I'd leave at anything above ${money}${per}, so ${formatMoney(asked, pp.currency)} already does it.`])];
    }
    return [pick(rng, 'stay', [`I'd put up with ${asked !== undefined ? formatMoney(asked, pp.currency) : 'a small increase'}, but past about ${money}${per} I'd leave.`, `My line is around ${money}${per}. Above that, I walk.`])];
  }
  if (ask.price === 'accept') {
    const asked = pp.asked ?? pp.value;
    const askedText = formatMoney(asked, pp.currency);
    const what = ctx.q.subject ? ` for ${ctx.q.subject.replace(/^(?:paying|buying)\s+/i, '').replace(/^(?:[$€£₹]|\d)\S*\s+(?:(?:a|per)\s+\w+\s+)?(?:for\s+)?/i, '')}` : '';
    ctx.data.answer = pp.value >= asked ? 'yes' : 'no';
    ctx.stance = pp.value >= asked ? 'positive' : 'skeptical';
    if (pp.value >= asked) return [pick(rng, 'ok', [`Yes, ${askedText}${per}${what} is fine by me.`, `I would: ${askedText}${per}${what} seems fair.`])];
    return [pick(rng, 'no', [`No, ${askedText}${per}${what} is more than I'd pay; about ${money} is my limit.`, `Not at ${askedText}${per}${what}; I'd go to ${money} at most.`])];
  }
  const tail = sens === 'high' ? pick(rng, 'hi', [', and honestly that is pushing it', ', no more', '']) : sens === 'low' ? pick(rng, 'lo', [', maybe more if it is really good', '', ' without thinking twice']) : '';
  return [pick(rng, 'max', [`About ${money}${per}${tail}.`, `I'd pay around ${money}${per}${tail}.`, `${money}${per} at most${tail}.`, `Something like ${money}${per}${tail}.`])];
}

function priceReason(ctx: AnswerContext): string {
  const rng = ctx.rng.fork('price-why');
  const p = ctx.persona.profile;
  const sens = ctx.disp.priceSensitivity;
  const pain = own(bestOf(p.pains, stems(ctx), rng.fork('p')));
  const unit = ctx.currency.code === 'USD' ? 'dollar' : ctx.currency.code === 'EUR' ? 'euro' : ctx.currency.code === 'GBP' ? 'pound' : ctx.currency.code === 'INR' ? 'rupee' : 'bit of money';
  if (sens === 'high') return combine(rng, 'hi', [`Every ${unit} counts for me`, 'Money is tight', 'I keep a close eye on anything that renews', 'I compare prices on everything'], [`, and ${pain} doesn't help.`, ', so I stop there.', ', especially now.', ', and that is my ceiling.']);
  if (sens === 'low') return combine(rng, 'lo', ["Price isn't the main thing for me", "I'll pay for something good", 'Quality matters more to me than price'], [' if the quality is there.', '; what I will not pay for is hassle.', ', within reason.']);
  return combine(rng, 'mid', ["I'll pay more if the value is clear", 'I do compare', 'I look at what I get for it'], [', but I do compare.', ', then decide.', ' before I pay anything.']);
}

const CHEAP = /\b(?:cheap\w*|budget|basic|ads|downgrade\w*|lower|free|discount\w*|generic|store[- ]brand|used|smaller|less)\b/i;
const PREMIUM = /\b(?:premium|pricier|expensive|without ads|ad[- ]free|pro|upgrade\w*|brand[- ]name|quality|organic|luxury|bigger|more)\b/i;
const STAY = /\b(?:stay|keep|same|current|renew|remain|stick)\b/i;
const LEAVE = /\b(?:switch\w*|change|leave|cancel|quit|new|different|another|move)\b/i;

function choiceHead(ctx: AnswerContext, ask: Ask): string {
  const options = ask.options ?? [];
  const sens = ctx.disp.priceSensitivity === 'high' ? 1 : ctx.disp.priceSensitivity === 'low' ? -0.6 : 0.15;
  const loyal = ctx.disp.brandLoyalty === 'high' ? 0.5 : ctx.disp.brandLoyalty === 'low' ? -0.4 : 0;
  const p = ctx.persona.profile;
  const pos = stemSetOf([...p.buying_behavior.purchase_triggers, ...p.psychographics.values, ...p.goals].join(' '));
  const neg = stemSetOf([...p.buying_behavior.deal_breakers, ...p.pains].join(' '));
  // A price increase past what they would bear pushes away from staying.
  const pp = ctx.q.priced && ctx.q.amounts.length >= 2 ? pricePoint(ctx) : undefined;
  const tooMuch = pp?.asked !== undefined && pp.value < pp.asked;
  const scored = options.map((o, i) => {
    const taste = ctx.rng.fork(`taste-${ctx.persona.id}`).fork(o.toLowerCase()).next();
    let s = taste * 0.4;
    if (CHEAP.test(o)) s += 0.6 * sens;
    if (PREMIUM.test(o)) s -= 0.6 * sens;
    if (STAY.test(o)) s += loyal + (tooMuch ? -1.2 : 0.3);
    if (LEAVE.test(o)) s += -loyal * 0.6 + ((ctx.disp.openness - 50) / 100) * 0.5 + (tooMuch && ctx.disp.brandLoyalty === 'low' ? 0.4 : 0);
    const os = stemSetOf(o);
    for (const x of os) {
      if (pos.has(x)) s += 0.25;
      if (neg.has(x)) s -= 0.25;
    }
    return { o, i, s };
  });
  const best = [...scored].sort((a, b) => b.s - a.s || a.i - b.i)[0] ?? { o: options[0] ?? 'the first one', i: 0, s: 0 };
  const rng = ctx.rng.fork('choice');
  ctx.data.choice = best.o;
  if (ctx.d.only) return capitalize(best.o);
  const label = ask.verbOptions ? best.o : best.o.replace(/^(?:a|an)\s+/i, 'the ');
  const head = ask.verbOptions
    ? combine(rng, 'v', [`I'd ${label}`, `Honestly, I'd ${label}`, `${capitalize(label)}, probably`, `I would ${label}`], ['.', `, ${as(ctx)}.`, ', no question.', ', I think.'])
    : combine(rng, 'n', [`I'd go with ${label}`, `${capitalize(label)}, easily`, `I'd pick ${label}`, `${capitalize(label)} for me`], ['.', `, ${as(ctx)}.`, ', no contest.', ', I think.']);
  ctx.choiceWhy = CHEAP.test(best.o) && sens > 0 ? 'cheap' : PREMIUM.test(best.o) && sens < 0.5 ? 'premium' : STAY.test(best.o) ? 'stay' : LEAVE.test(best.o) ? 'leave' : 'fit';
  return head;
}

function choiceReason(ctx: AnswerContext): string {
  const rng = ctx.rng.fork('choice-why');
  const p = ctx.persona.profile;
  const value = own(bestOf(p.psychographics.values, stems(ctx), rng.fork('v')));
  const goal = own(bestOf(p.goals, stems(ctx), rng.fork('g')));
  switch (ctx.choiceWhy) {
    case 'cheap':
      return combine(rng, 'c', ['I watch every expense', 'Saving money beats a few extras', 'The cheaper option wins for me', 'Price decides it'], ['; I can live with the trade-off.', `, and I'm trying to ${startsWithVerb(goal) ? goal : 'save'}.`, ' every time.', ', simple as that.']);
    case 'premium':
      return combine(rng, 'p', ["I'd rather pay a bit more", 'The extra cost is worth it to me', 'Paying more is fine'], [' and not be annoyed every day.', ' for the better experience.', ` when it serves ${value}.`]);
    case 'stay':
      return combine(rng, 'st', ['Switching is a hassle', 'What I have works, mostly', 'I trust what I know'], [", and I'd rather not start over.", ', and I trust it.', `, and ${matters(value)} to me.`]);
    case 'leave':
      return combine(rng, 'l', ["There's no point staying loyal to something that isn't working", "I'm not attached to it", 'Loyalty has to go both ways'], [', so I would move on.', '; I would go elsewhere.', ', and right now it does not.']);
    default:
      return pick(rng, 'f', [`It fits what I care about: ${value}.`, `It matches how I live, and ${matters(value)} to me.`, `It's closer to what I want, which is to ${startsWithVerb(goal) ? goal : `focus on ${goal}`}.`]);
  }
}

function listItems(ctx: AnswerContext, ask: Ask): string[] {
  const p = ctx.persona.profile;
  const n = Math.max(1, Math.min(8, ctx.d.bullets || ask.count || 3));
  const rng = ctx.rng.fork('list');
  const q = stems(ctx);
  const ranked = (xs: readonly string[]) => {
    const used = new Set<string>();
    const out: string[] = [];
    while (out.length < xs.length) out.push(bestOf(xs, q, rng.fork(out.length), used));
    return out;
  };
  const clean = (xs: readonly string[]) => xs.map((x) => stripTerminal(x));
  let pool: readonly string[];
  switch (ask.listTopic) {
    case 'brands':
    case 'apps':
      pool = brands(ctx.persona);
      break;
    case 'concerns':
      pool = [...ranked(p.objections), ...ranked(p.buying_behavior.deal_breakers)];
      break;
    case 'sources':
      pool = [...p.media.trusted_sources, ...p.media.channels];
      break;
    case 'interests':
      pool = ranked(p.psychographics.interests);
      break;
    case 'values':
      pool = ranked(p.psychographics.values);
      break;
    case 'goals':
      pool = ranked(p.goals);
      break;
    case 'wants':
      pool = [...ranked(p.buying_behavior.purchase_triggers), ...ranked(p.psychographics.values)];
      break;
    default:
      pool = [...ranked(p.psychographics.values), ...ranked(p.buying_behavior.purchase_triggers)];
  }
  const items = [...new Set(clean(pool))].slice(0, n);
  return items.map((x, i) => (i === 0 || /^\p{Lu}{2}|^\p{Lu}\p{Ll}+\p{Lu}/u.test(x) ? x : x));
}

function listHead(ctx: AnswerContext, items: string[], ask: Ask): string {
  const rng = ctx.rng.fork('list-head');
  const named = items.map((x) => (ask.listTopic === 'brands' || ask.listTopic === 'apps' ? x : lowerFirst(x)));
  const n = items.length;
  const count = NUMBER_NAMES[n] ?? String(n);
  if (ask.listTopic === 'concerns') return named.map((x) => sentence(capitalize(x))).join(' ');
  return pick(rng, 'h', [`${capitalize(listPhrase(named))}.`, `${capitalize(count)} that come to mind: ${listPhrase(named)}.`, `Off the top of my head: ${listPhrase(named)}.`]);
}

function listReason(ctx: AnswerContext, items: string[], ask: Ask): string {
  const rng = ctx.rng.fork('list-why');
  const first = items[0] ?? '';
  if (ask.listTopic === 'brands' || ask.listTopic === 'apps') return pick(rng, 'b', [`I use ${first} more than anything else.`, `${first} is the one I'd miss most.`, `${first} has never let me down so far.`]);
  if (ask.listTopic === 'concerns') return pick(rng, 'c', ['Answer those and we can talk.', "Those are the questions I'd need answered first."]);
  return pick(rng, 'o', [`The first one matters most to me.`, `If I had to pick one, ${lowerFirst(first)}.`]);
}

// ------------------------------------------------------------ own life

const NOT_DAILY = /\b(?:annual|conferences?|monthly|weekly|yearly|quarterly|once a|twice a year|seasonal)\b/i;
const MORNING = /\b(?:morning|first thing|wake|breakfast|commute|dawn|daily|every day|each day|before work|opens)\b/i;

function lifeSentences(ctx: AnswerContext, ask: Ask): string[] {
  const persona = ctx.persona;
  const p = persona.profile;
  const rng = ctx.rng.fork('life');
  const hs = habits(persona);
  const verbClauses = hs.filter((h) => h.verb).map((h) => h.text);
  const nounClauses = hs.filter((h) => !h.verb).map((h) => lowerFirst(h.text));
  const { channels, trusted } = sources(persona);
  const occupation = own(p.demographics.occupation.split(/[,;]/)[0] ?? p.demographics.occupation);
  const research = actionPhrase(p.buying_behavior.research_habits);
  const decision = own(p.buying_behavior.decision_style);
  const interests = rng.fork('interests').shuffle(p.psychographics.interests).slice(0, 2).map((x) => own(x));
  const q = stems(ctx);
  const about = (re: RegExp) => verbClauses.filter((c) => re.test(c));
  const nounAbout = (re: RegExp) => nounClauses.filter((c) => re.test(c));
  const also = (xs: string[]) => (xs.length ? `${pick(rng, 'its', ['Otherwise it is', "Then there's", 'Add to that', 'Plus'])} ${listPhrase(xs.slice(0, 2))}.` : '');
  const clause = (c: string | undefined) => (c ? sentence(capitalize(c)) : '');
  const job = `${article(occupation)} ${occupation}`;
  const researchLine = research.verb
    ? pick(rng, 'res', [`Before I buy anything that matters, I ${research.text}.`, `I ${research.text} first.`, `My homework: I ${research.text}.`])
    : pick(rng, 'res', [`Before I buy anything that matters, I go through ${lowerFirst(research.text)}.`, `I lean on ${lowerFirst(research.text)}.`]);
  const priceLine =
    ctx.disp.priceSensitivity === 'high'
      ? pick(rng, 'pl', ['Price decides most things for me.', 'I always check the price first.', 'The budget has the final word.'])
      : ctx.disp.priceSensitivity === 'low'
        ? pick(rng, 'pl', ["I'd rather pay for quality than chase the cheapest option.", 'I buy the good version and keep it.'])
        : pick(rng, 'pl', ['I look for fair value more than the lowest price.', 'Value matters more to me than the sticker price.']);
  const trustedLine = trusted.length ? pick(rng, 'tr', [`When it really matters, I trust ${listPhrase(trusted.slice(0, 2))}.`, `For the big stuff, I ask ${trusted[0]}.`, `I give ${trusted[0]} the last word.`]) : '';
  const nonEmpty = (xs: string[]) => xs.filter((x) => x?.trim());

  switch (ask.domain) {
    case 'routine': {
      const daily = verbClauses.filter((c) => !NOT_DAILY.test(c));
      const ordered = [...daily.filter((c) => MORNING.test(c)), ...daily.filter((c) => !MORNING.test(c))];
      const first = ordered[0];
      const head = first
        ? pick(rng, 'rh', [`Most days start the same way: ${lowerFirst(first)}.`, `${capitalize(first)}, first thing.`, `Pretty simple, really: ${lowerFirst(first)}.`, clause(first)])
        : `My days revolve around ${listPhrase(nounClauses.slice(0, 2))}.`;
      return nonEmpty([head, ordered[1] ? pick(rng, 'r2', [`After that, ${lowerFirst(ordered[1])}.`, `Then ${lowerFirst(ordered[1])}.`, clause(ordered[1])]) : '', also(first ? nounClauses : nounClauses.slice(2)), `Work-wise, I'm ${job}.`, clause(ordered[2])]);
    }
    case 'media':
      return nonEmpty([
        pick(rng, 'm', [`Mostly from ${listPhrase(channels.slice(0, 2))}.`, `${capitalize(listPhrase(channels.slice(0, 3)))}, mostly.`, `I get most of it from ${listPhrase(channels.slice(0, 2))}.`]),
        brands(persona).length ? pick(rng, 'pf', [`On my phone it's ${listPhrase(brands(persona).slice(0, 2))}.`, `${brands(persona)[0]} is where I see most things.`]) : '',
        trustedLine,
        clause(about(/\b(?:read|watch|listen|scroll|check|skim|follow|stream)\b/i)[0]),
        also(nounAbout(/news|radio|tv|podcast|youtube|whatsapp|facebook|tiktok|instagram/i)),
      ]);
    case 'decide':
      return nonEmpty([
        pick(rng, 'd', [`Carefully: ${decision}.`, `${capitalize(decision)}, that's me.`, `My way of deciding: ${decision}.`]),
        researchLine,
        trustedLine,
        breakerLine(item(bestOf(p.buying_behavior.deal_breakers, q, rng.fork('b'))), rng.fork('db')),
        priceLine,
      ]);
    case 'shopping':
    case 'food': {
      const shopClauses = about(/\b(?:shop|order|buy|grocer|cook|eat|pay|compare)\w*/i);
      return nonEmpty([
        shopClauses.length ? clause(shopClauses[0]) : researchLine,
        priceLine,
        shopClauses.length ? researchLine : '',
        buyLine(item(bestOf(p.buying_behavior.purchase_triggers, q, rng.fork('t'))), rng),
        also(nounAbout(/shop|grocer|order|delivery|market|store|pay/i)),
        trustedLine,
      ]);
    }
    case 'weekend':
      return nonEmpty([
        pick(rng, 'w', [`Weekends are for ${listPhrase(interests)}.`, `If I get time off, it goes to ${listPhrase(interests)}.`, `${capitalize(listPhrase(interests))}, when I can.`]),
        clause(about(/\b(?:attend|watch|stream|spend|go|walk|visit|cook|host|meet)\b/i)[0]),
        pick(rng, 'cu', [`Where I come from shapes it too: ${own(p.demographics.culture)}.`, `Home life: ${own(p.demographics.household)}.`]),
        `The rest of the week, I'm ${job}.`,
      ]);
    case 'regret': {
      const breaker = own(bestOf(p.buying_behavior.deal_breakers, q, rng.fork('b')));
      const src = trusted[0] ?? 'anyone';
      return nonEmpty([
        pick(rng, 'g', [`Something I bought in a hurry without asking ${src} first.`, `Probably something I got on impulse that turned out to come with ${breaker}.`, `A thing I bought because it was on sale, not because I needed it.`]),
        pick(rng, 'l', [`Lesson learned: ${breaker} is a deal-breaker for me now.`, `Since then I watch out for ${breaker}.`]),
        researchLine,
        priceLine,
      ]);
    }
    case 'money':
      return nonEmpty([priceLine, goalSentence(bestOf(p.goals, q, rng.fork('g')), rng.fork('goal')), `What worries me is ${own(bestOf(p.pains, q, rng.fork('p')))}.`, researchLine]);
    case 'tech':
      return nonEmpty([`On my phone it's mostly ${listPhrase(brands(persona).slice(0, 3))}.`, clause(about(/\b(?:use|check|scroll|stream|track|pay|log)\b/i)[0]), priceLine]);
    case 'work':
      return nonEmpty([`I'm ${job}.`, `The hard part is ${own(bestOf(p.pains, q, rng.fork('p')))}.`, goalSentence(bestOf(p.goals, q, rng.fork('g')), rng.fork('goal')), clause(verbClauses[0])]);
    default:
      return nonEmpty([`I'm ${job} in ${p.demographics.region}.`, `What I care about most: ${listPhrase(p.psychographics.values.slice(0, 2).map((v) => own(v)))}.`, goalSentence(bestOf(p.goals, q, rng.fork('g')), rng.fork('goal')), `In my free time: ${listPhrase(interests)}.`]);
  }
}

function yesNoLife(ctx: AnswerContext, ask: Ask): string[] {
  const p = ctx.persona.profile;
  const rng = ctx.rng.fork('yn-life');
  const profileText = `${p.media.habits} ${p.media.platforms.join(' ')} ${p.media.channels.join(' ')} ${p.psychographics.interests.join(' ')} ${p.buying_behavior.research_habits} ${p.buying_behavior.decision_style}`;
  const q = new Set([...stemSet(ask.text, false)].filter((w) => !['shop', 'use', 'buy', 'get', 'ever', 'usual'].includes(w)));
  const profileStems = stemSet(profileText, false);
  const hits = [...q].filter((s) => profileStems.has(s));
  const hs = habits(ctx.persona);
  const related = hs.filter((h) => [...stemSet(h.text, false)].some((s) => q.has(s)));
  const yes = hits.length >= 1 || ctx.lean.value > 0.25;
  ctx.data.answer = yes ? 'yes' : 'no';
  const head = yes
    ? pick(rng, 'y', related.length ? ['Yes.', 'I do, yes.', 'All the time.'] : ['Yes, now and then.', 'Sometimes, yes.'])
    : pick(rng, 'n', ['Not really.', 'No, not much.', 'Hardly ever.']);
  const usual = hs.find((h) => h.verb)?.text;
  const support = related.length
    ? sentence(capitalize(related[0]!.text))
    : yes
      ? pick(rng, 'ys', ['When it saves me time, sure.', 'It depends on the week.'])
      : usual
        ? `It's just not part of my routine; ${lowerFirst(usual)}, that's more my speed.`
        : "It's just not part of my routine.";
  return [head, support];
}

function yesNoOpinion(ctx: AnswerContext): string {
  const rng = ctx.rng.fork('yn');
  const s = ctx.q.subject;
  ctx.data.answer = ctx.stance === 'positive' ? 'yes' : ctx.stance === 'skeptical' ? 'no' : 'depends';
  if (ctx.stance === 'positive') return pick(rng, 'y', [`Yes, I think so.`, `Yes${s ? `, ${s} is worth it to me` : ''}.`, 'For me, yes.']);
  if (ctx.stance === 'skeptical') return pick(rng, 'n', ['No, not for me.', `Not really${s ? `, not ${s}` : ''}.`, "No. I don't think so."]);
  return pick(rng, 'm', ['Maybe; it can be worth it, but I have my doubts.', 'Maybe. It depends: good in some cases, but I have my doubts.', 'Yes and no; I like the idea, but I have doubts.']);
}

const PAIN_SUBJECTS: [RegExp, string[]][] = [
  [/customer service|support|call cent|help ?desk/i, ['being passed from one person to the next', 'waiting on hold and repeating myself', 'scripted answers that do not solve anything']],
  [/deliver|shipping|order/i, ['late deliveries with no updates', 'missing parcels and slow refunds']],
  [/bank|fees?|insurance/i, ['hidden fees', 'small print that changes every year']],
  [/apps?|software|tech|website/i, ['apps that ask for everything and do little', 'constant updates that move things around']],
  [/price|cost|inflation|bills?/i, ['prices going up faster than my income', 'paying more for less']],
];

function painHeads(ctx: AnswerContext, ask: Ask): string {
  const p = ctx.persona.profile;
  const rng = ctx.rng.fork('pain');
  const q = stems(ctx);
  const matched = p.pains.filter((x) => [...stemSet(x, false)].some((w) => q.has(w)));
  const pain = own(bestOf(matched.length ? matched : p.pains, q, rng.fork('p'), ctx.used));
  const generic = PAIN_SUBJECTS.find(([re]) => re.test(ask.text));
  if (!matched.length && generic) {
    const g = rng.fork('g').pick(generic[1]);
    return pick(rng, 'hs', [`Honestly, ${g}.`, `${capitalize(g)}, hands down.`, `The worst part is ${g}.`]);
  }
  return pick(rng, 'h', [`The big one for me is ${pain}.`, `Honestly, it's ${pain}.`, `It's ${pain}, hands down.`, `What gets to me most is ${pain}.`]);
}

function wantHead(ctx: AnswerContext): string {
  const p = ctx.persona.profile;
  const rng = ctx.rng.fork('want');
  const value = own(bestOf(p.psychographics.values, stems(ctx), rng.fork('v'), ctx.used));
  const trigger = item(bestOf(p.buying_behavior.purchase_triggers, stems(ctx), rng.fork('t'), ctx.used));
  const n = asNoun(trigger);
  if (!n) return pick(rng, 'h', [`${capitalize(value)} first of all; after that, it helps when ${trigger.text}.`, `For me it starts with ${value}, and it's even better when ${trigger.text}.`]);
  return pick(rng, 'h', [`${capitalize(value)} first of all, and after that, ${n}.`, `Two things: ${value}, and ${n}.`, `For me it starts with ${value}, then ${n}.`]);
}

/** What gets the persona to buy, for answers about how it shops. */
function buyLine(t: Phrase, rng: Rng): string {
  const n = asNoun(t);
  return n ? pick(rng, 'tg', [`What gets me to buy: ${n}.`, `I'm quick to buy when I see ${n}.`]) : pick(rng, 'tg', [`I'm quick to buy when ${t.text}.`, `What gets me to buy is when ${t.text}.`]);
}

function greeting(ctx: AnswerContext): string[] {
  const rng = ctx.rng.fork('greet');
  const p = ctx.persona.profile;
  const occupation = lowerFirst(stripTerminal(p.demographics.occupation));
  return [pick(rng, 'h', ['Hey!', 'Hi there.', 'Hello!']), `I'm ${article(occupation)} ${occupation}, into ${listPhrase(p.psychographics.interests.slice(0, 2).map((x) => lowerFirst(x)))}.`, pick(rng, 'q', ["What's on your mind?", 'What do you want to know?'])];
}

// ------------------------------------------------------------ per ask

/** Facts about the persona that take no stance (for answers about its own life and lists). */
function neutralFacts(ctx: AnswerContext): string[] {
  const p = ctx.persona.profile;
  const rng = ctx.rng.fork('facts');
  const occupation = own(p.demographics.occupation.split(/[,;]/)[0] ?? p.demographics.occupation);
  const research = actionPhrase(p.buying_behavior.research_habits);
  const clauses = habits(ctx.persona).filter((h) => h.verb).map((h) => sentence(capitalize(h.text)));
  const f = (label: string, xs: string[]) => pick(rng, label, xs);
  return rng.shuffle([
    ...clauses.slice(0, 2),
    f('job', [`Work-wise, I'm ${article(occupation)} ${occupation}.`, `For context, I'm ${article(occupation)} ${occupation}.`, `My day job: ${occupation}.`]),
    f('home', [`Home is ${own(p.demographics.household)}.`, `At home: ${own(p.demographics.household)}.`]),
    research.verb ? f('res', [`Before buying, I ${research.text}.`, `I usually ${research.text} first.`]) : f('res', [`Before buying, I look at ${lowerFirst(research.text)}.`, `My sources before buying: ${lowerFirst(research.text)}.`]),
    f('dec', [`How I decide: ${own(p.buying_behavior.decision_style)}.`, `My style: ${own(p.buying_behavior.decision_style)}.`]),
    f('media', [`I mostly follow ${listPhrase(sources(ctx.persona).channels.slice(0, 2))}.`, `Most of what I hear comes through ${listPhrase(sources(ctx.persona).channels.slice(0, 2))}.`]),
  ]);
}

/**
 * What the person likes most (or least) about what they were shown: the purchase
 * triggers and values it speaks to, or the objections it raises. A person who does
 * not like it much says so first.
 */
function likesLines(ctx: AnswerContext, ask: Ask): string[] {
  const p = ctx.persona.profile;
  const rng = ctx.rng.fork('likes');
  const q = stems(ctx);
  if (ask.valence === 'bad') {
    ctx.stance = 'skeptical';
    const c = item(bestOf([...p.objections, ...p.buying_behavior.deal_breakers], q, rng.fork('c'), ctx.used));
    const n = asNoun(c);
    const head = c.form === 'question' ? pick(rng, 'hq', [`My question would be: ${c.text}`, `I'd want an answer to this: ${c.text}`]) : n ? pick(rng, 'hn', [`What I'd change is ${n}.`, `The weak spot for me is ${n}.`]) : pick(rng, 'hs', [`What I'd change: ${sentence(c.text)}`, `The weak spot for me: ${sentence(c.text)}`]);
    return [head];
  }
  const t = item(bestOf(p.buying_behavior.purchase_triggers, q, rng.fork('t'), ctx.used));
  const v = item(bestOf(p.psychographics.values, q, rng.fork('v'), ctx.used));
  const n = asNoun(t);
  const liked = n ? n : `that ${t.form === 'verb' ? `it ${t.text}` : t.text}`;
  if (ctx.lean.value <= -0.2) {
    ctx.stance = 'skeptical';
    return [pick(rng, 'few', ['Not a lot, honestly.', "Honestly, not much stands out for me."]), `If I had to pick one thing, ${liked}.`];
  }
  ctx.stance = 'positive';
  return [
    pick(rng, 'h', [`What I like most is ${liked}.`, `The best part for me is ${liked}.`, `Mostly ${liked}.`]),
    pick(rng, 'v', [`It also speaks to ${v.text}, which ${agree(v, 'matters', 'matter')} to me.`, `And it fits ${v.text}, which I care about.`]),
  ];
}

function specificContext(ctx: AnswerContext): SpecificContext {
  return { persona: ctx.persona, rng: ctx.rng.fork('specific'), sensitivity: ctx.disp.priceSensitivity, currency: ctx.currency, period: ctx.q.period, jitter: ctx.lean.jitter, item, data: ctx.data };
}

/** Heads and supporting sentences for every ask of the question. */
export function composePersona(ctx: AnswerContext): Composed {
  const heads: string[] = [];
  const support: string[] = [];
  let items: string[] | undefined;
  const used = ctx.used;
  for (const [i, ask] of ctx.q.asks.entries()) {
    const first = i === 0;
    switch (ask.kind) {
      case 'greeting': {
        const g = greeting(ctx);
        heads.push(g[0] as string);
        support.push(...g.slice(1));
        break;
      }
      case 'life': {
        const lines = lifeSentences(ctx, ask);
        heads.push(lines[0] ?? 'Not much to tell.');
        support.push(...lines.slice(1));
        break;
      }
      case 'amount':
      case 'favourite':
      case 'story': {
        const lines = (ask.kind === 'amount' ? amountAnswer : ask.kind === 'favourite' ? favouriteAnswer : storyAnswer)(specificContext(ctx), ask);
        heads.push(lines[0] as string);
        support.push(...lines.slice(1));
        break;
      }
      case 'likes': {
        const lines = likesLines(ctx, ask);
        heads.push(lines[0] as string);
        support.push(...lines.slice(1));
        break;
      }
      case 'price': {
        heads.push(...priceHeads(ctx, ask));
        if (first) support.push(priceReason(ctx));
        break;
      }
      case 'choice':
        heads.push(choiceHead(ctx, ask));
        support.push(choiceReason(ctx));
        break;
      case 'rating': {
        heads.push(ratingHead(ctx, ask));
        const scale = ctx.d.scale ?? ask.scale ?? { min: 1, max: 10 };
        support.push(ratingReason(ctx, Number(ctx.data.rating), scale));
        break;
      }
      case 'list': {
        items = listItems(ctx, ask);
        ctx.data.items = items;
        heads.push(listHead(ctx, items, ask));
        support.push(listReason(ctx, items, ask));
        break;
      }
      case 'yesno':
        if (ask.domain) {
          const yn = yesNoLife(ctx, ask);
          heads.push(yn[0] as string);
          support.push(...yn.slice(1));
        } else heads.push(yesNoOpinion(ctx));
        break;
      case 'pain':
        heads.push(painHeads(ctx, ask));
        break;
      case 'want':
        heads.push(wantHead(ctx));
        break;
      default:
        heads.push(reactionHead(ctx, ask));
    }
  }
  const primary = ctx.q.asks[0]?.kind;
  const named = ctx.q.asks[0]?.kind === 'price' && ctx.q.asks[0].price !== 'accept';
  if (primary === 'amount' || primary === 'favourite' || primary === 'story') {
    // the answer's own reasons are enough: no stance on a subject, no profile lines pasted after them
  } else if (primary === 'pain') support.push(...unfavourable(ctx, used));
  else if (named) support.push(...neutralFacts(ctx));
  else if (primary !== 'life' && primary !== 'greeting' && primary !== 'list') support.push(...stanceSupport(ctx, used));
  else support.push(...neutralFacts(ctx));
  const out: Composed = { heads, support: [...new Set(support)].filter((s) => !heads.includes(s)), data: ctx.data };
  if (items) out.items = items;
  return out;
}
