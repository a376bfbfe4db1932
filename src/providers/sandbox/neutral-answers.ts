/**
 * Answers without a persona: a neutral assistant that still answers in the
 * kind asked (a number for a rating, one option for a choice, a price for a
 * price question), repeats the subject only when it can say it
 * grammatically, and otherwise gives general, practical advice.
 */
import { capitalize, sentence } from '../../text/words.js';
import type { AnswerContext, Composed } from './persona-answers.js';
import { formatMoney, perPeriod, willingnessToPay } from './money.js';
import { listPhrase } from './profile-phrases.js';
import type { Rng } from './seed.js';

function pick<T>(rng: Rng, label: string, xs: readonly T[]): T {
  return rng.fork(label).pick(xs);
}

export type NeutralContext = Omit<AnswerContext, 'persona'>;

export function composeNeutral(ctx: NeutralContext): Composed {
  const rng = ctx.rng;
  const s = ctx.q.subject;
  const focus = s ? s.replace(/^(?:your|my|our|the|a|an|this|that)\s+/i, '') : undefined;
  const the = focus ? (/^\S+ing\b/.test(focus) || /^\p{Lu}/u.test(focus) || /^\$?\d/.test(focus) ? focus : `the ${focus}`) : 'it';
  const heads: string[] = [];
  for (const ask of ctx.q.asks) {
    switch (ask.kind) {
      case 'greeting':
        heads.push('Hello! How can I help you today?');
        break;
      case 'rating': {
        const scale = ctx.d.scale ?? ask.scale ?? { min: 1, max: 10 };
        const pos = ctx.memory.ratingPosition ?? Math.max(0, Math.min(1, (ctx.lean.value + 1) / 2));
        const n = Math.round(scale.min + pos * (scale.max - scale.min));
        ctx.memory.ratingPosition ??= pos;
        Object.assign(ctx.data, { rating: n, scale: `${scale.min}-${scale.max}` });
        heads.push(ctx.d.only ? String(n) : pick(rng, 'r', [`I'd put ${s ?? 'it'} at ${n} out of ${scale.max}.`, `${n} out of ${scale.max}${s ? ` for ${s}` : ''}.`]));
        break;
      }
      case 'price': {
        const pp = willingnessToPay(ctx.q, ctx.q.message, 'medium', ctx.currency, 0, 0.5);
        if (ctx.memory.price !== undefined) pp.value = ctx.memory.price;
        const money = formatMoney(pp.value, pp.currency);
        Object.assign(ctx.data, { price: Number(money.replace(/[^\d.]/g, '')), currency: pp.currency.code });
        heads.push(ctx.d.only ? `${money}${perPeriod(pp.period)}` : pick(rng, 'p', [`A fair price would be around ${money}${perPeriod(pp.period)}.`, `Most people would expect to pay about ${money}${perPeriod(pp.period)}${s ? ` for ${s}` : ''}.`]));
        break;
      }
      case 'choice': {
        const options = ask.options ?? [];
        const choice = options[Math.floor(((ctx.lean.jitter * 997) % 1) * options.length)] ?? options[0] ?? 'the first option';
        ctx.data.choice = choice;
        heads.push(ctx.d.only ? capitalize(choice) : `If I had to pick, ${ask.verbOptions ? `I'd ${choice}` : choice.replace(/^(?:a|an)\s+/i, 'the ')}.`);
        heads.push(`It depends on your priorities, though: ${listPhrase(options.map((o) => o.replace(/^(?:a|an)\s+/i, 'the ')), 'or')} can each be the right call.`);
        break;
      }
      case 'list': {
        const items = ['cost', 'convenience', 'reliability', 'customer support', 'reviews from people you trust'].slice(0, Math.max(1, ctx.d.bullets || ask.count || 3));
        ctx.data.items = items;
        heads.push(`A few things to weigh: ${listPhrase(items)}.`);
        break;
      }
      case 'life':
      case 'amount':
      case 'favourite':
      case 'story':
        heads.push(pick(rng, 'l', ["I don't have a routine of my own, but I can describe a typical one.", 'I can only speak in general terms here.']));
        break;
      case 'yesno':
        ctx.data.answer = ctx.lean.value > 0.2 ? 'yes' : ctx.lean.value < -0.2 ? 'no' : 'depends';
        heads.push(ctx.lean.value > 0.2 ? 'Usually, yes.' : ctx.lean.value < -0.2 ? 'Usually not.' : 'It depends.');
        break;
      default:
        heads.push(
          s
            ? pick(rng, 'o', [`Here's a quick take on ${s}.`, `On ${s}: it depends on your goals and constraints.`, `A few thoughts on ${s}.`, `${capitalize(s)} can work, with the right approach.`])
            : pick(rng, 'o', ["Here's a quick take.", 'A few thoughts.', 'It depends on your goals and constraints.']),
        );
    }
  }
  const kws = ctx.q.message.match(/\b[a-z]{5,}\b/gi)?.filter((w) => !/^(?:would|should|could|about|think|there|their|which|where|these|those|price|really)$/i.test(w)) ?? [];
  const support = rng.fork('body').shuffle([
    `A good first step is to get clear on what you want from ${the}.`,
    `Look at ${kws[0] ?? 'the costs'} and ${kws[1] ?? 'the benefits'} together, since each one affects the other.`,
    'Try a small, low-risk version first and measure the result before scaling up.',
    'Compare at least two options side by side on cost, effort and impact.',
    'Watch for common pitfalls such as unclear requirements and hidden costs.',
    'Write down what works so you can repeat it and explain it to others.',
    `If you share more details${focus ? ` about ${the}` : ''}, I can give a more specific recommendation.`,
    'Talk to a few people who have done it before; their mistakes are cheaper than yours.',
  ]);
  const first = sentence(`The short answer is that it depends on your goals and constraints${focus ? `, especially around ${the}` : ''}`);
  return { heads, support: heads.some((h) => /depends/.test(h)) ? support : [first, ...support], data: ctx.data };
}
