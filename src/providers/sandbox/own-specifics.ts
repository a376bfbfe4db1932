/**
 * Answers to questions about specifics of the persona's own life, each with
 * the thing asked for first and a short reason after it:
 *
 * - `amount`: a number — money spent ("How much do you spend on groceries a
 *   week?"), hours ("How many hours do you work?"), a count — from its
 *   income, household size, kind of work and price sensitivity
 *   (persona-facts.ts), in its currency;
 * - `favourite`: one named thing of the kind asked ("favourite family
 *   vacation spot", "Which social media app do you use most?"), from the
 *   persona's own platforms, sources and interests when the kind is one of
 *   those, else from a small table of ordinary answers tagged by who they
 *   suit (family, budget, premium, young, older, outdoors);
 * - `story`: a short first-person anecdote ("Tell me about a time a vendor
 *   disappointed you") built from its deal-breakers (a bad experience) or
 *   purchase triggers (a good one) and the lesson it took from it.
 *
 * None pastes a profile field whole: numbers and names are chosen from the
 * profile, the words around them are the engine's.
 */
import type { PersonaRecord } from '../../personas/persona-schema.js';
import { capitalize, stemSetOf, stripTerminal } from '../../text/words.js';
import { formatMoney, type Currency } from './money.js';
import { asNoun, type Phrase } from './phrase-form.js';
import { ageOf, hasKids, householdSize, shortRole, workKind, yearlyIncome, type WorkKind } from './persona-facts.js';
import { bestOf, brands, lowerFirst, own } from './profile-phrases.js';
import type { Ask } from './question.js';
import type { Rng } from './seed.js';
import type { Sensitivity } from './money.js';

export interface SpecificContext {
  persona: PersonaRecord;
  rng: Rng;
  sensitivity: Sensitivity;
  currency: Currency;
  period: 'week' | 'month' | 'year' | 'day' | undefined;
  /** A stable draw in [0, 1) for this person and subject. */
  jitter: number;
  /** The profile item as a typed phrase (persona-answers.ts `item`). */
  item: (raw: string) => Phrase;
  data: Record<string, unknown>;
}

const NUMBER_NAMES = ['none', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight'];
const pick = <T>(rng: Rng, label: string, xs: readonly T[]): T => rng.fork(label).pick(xs);

// ------------------------------------------------------------ amounts

type Period = 'day' | 'week' | 'month' | 'year';
const PER_WEEK: Record<Period, number> = { day: 1 / 7, week: 1, month: 4.33, year: 52 };

interface Spend {
  re: RegExp;
  /** US dollars a week at a $70k household income, per person when `perPerson`. */
  usdWeek: number;
  perPerson?: boolean;
  /** How strongly the amount follows income (0 essentials … 1 luxuries). */
  elasticity: number;
  period: Period;
  why: (s: SpecificContext, size: number) => string;
}

const who = (size: number) => (size <= 1 ? "It's just me" : `There are ${NUMBER_NAMES[size] ?? size} of us at home`);
const careful = (s: SpecificContext) =>
  s.sensitivity === 'high' ? 'I plan around what is on sale and stick to the list' : s.sensitivity === 'low' ? "I don't count every dollar there" : 'I try to keep it steady';

const SPENDS: Spend[] = [
  { re: /\bgrocer\w*|\bfood shop\w*|\bsupermarket\b|\bfood\b/i, usdWeek: 75, perPerson: true, elasticity: 0.2, period: 'week', why: (s, n) => `${who(n)}, and ${careful(s)}.` },
  {
    re: /\beat(?:ing)? out\b|\brestaurants?\b|\btake-?out\b|\btakeaway\b|\bdelivery\b|\bdining\b/i,
    usdWeek: 35,
    perPerson: true,
    elasticity: 0.7,
    period: 'week',
    why: (s) => (s.sensitivity === 'high' ? 'Eating out is a treat for us, not a habit.' : 'Some weeks more, when work is busy and nobody wants to cook.'),
  },
  { re: /\brent\b|\bmortgage\b|\bhousing\b/i, usdWeek: 0, elasticity: 1, period: 'month', why: () => 'Housing is the biggest bill every month, no way around it.' },
  {
    re: /\bcoffee\b/i,
    usdWeek: 15,
    elasticity: 0.5,
    period: 'week',
    why: (s) => (s.sensitivity === 'high' ? 'Mostly I make it at home; buying it every day adds up.' : "It's a small daily thing I don't want to give up."),
  },
  {
    re: /\bcloth\w*|\bfashion\b|\bshoes\b/i,
    usdWeek: 30,
    elasticity: 0.8,
    period: 'month',
    why: (s) => (s.sensitivity === 'high' ? 'I buy what we need when it wears out, usually on sale.' : 'I buy fewer, better things.'),
  },
  {
    re: /\bsubscriptions?\b|\bstreaming\b/i,
    usdWeek: 12,
    elasticity: 0.4,
    period: 'month',
    why: (s) => (s.sensitivity === 'high' ? 'I cancel anything I stop using.' : 'It creeps up if I am not careful.'),
  },
  { re: /\bgas\b|\bfuel\b|\bpetrol\b|\bcommut\w*|\btransport\w*/i, usdWeek: 45, elasticity: 0.2, period: 'week', why: () => 'Getting to work and back is most of it.' },
  { re: /\bphone\b|\bmobile\b|\binternet\b/i, usdWeek: 17, elasticity: 0.2, period: 'month', why: () => 'It is not something I can go without.' },
  { re: /\butilit\w*|\belectric\w*|\bpower\b|\bheating\b/i, usdWeek: 45, elasticity: 0.2, period: 'month', why: () => 'It depends on the season.' },
  { re: /\bchildcare\b|\bdaycare\b|\bbabysit\w*/i, usdWeek: 280, elasticity: 0.5, period: 'month', why: () => 'Childcare costs almost as much as housing.' },
  {
    re: /\bentertain\w*|\bfun\b|\bgoing out\b|\bhobb\w*|\bnights? out\b/i,
    usdWeek: 40,
    elasticity: 0.8,
    period: 'week',
    why: (s) => (s.sensitivity === 'high' ? 'Free things count too: the park, church events, friends over.' : "It's where my money goes when I have some left."),
  },
  { re: /\bgifts?\b|\bholidays?\b|\bchristmas\b/i, usdWeek: 17, elasticity: 0.6, period: 'year', why: () => 'I set it aside through the year so December is not a shock.' },
];

function periodOf(ctx: SpecificContext, fallback: Period): Period {
  return ctx.period ?? fallback;
}

function perPeriodText(p: Period): string {
  return `a ${p}`;
}

/** Money: what the persona's household plausibly spends on `what`. */
function moneyAmount(ctx: SpecificContext, what: string): string[] {
  const income = yearlyIncome(ctx.persona);
  const usdIncome = income !== undefined ? income / ctx.currency.ppp : 70_000;
  const size = householdSize(ctx.persona);
  const spend = SPENDS.find((s) => s.re.test(what));
  const period = periodOf(ctx, spend?.period ?? 'month');
  const factor = { high: 0.85, medium: 1, low: 1.2 }[ctx.sensitivity] * (0.92 + 0.16 * ctx.jitter);
  let usdWeek: number;
  if (spend?.re.source.includes('rent')) usdWeek = ((usdIncome * (usdIncome < 60_000 ? 0.35 : usdIncome > 200_000 ? 0.18 : 0.27)) / 52) * (ctx.sensitivity === 'high' ? 1 : 1);
  else if (spend) usdWeek = spend.usdWeek * (spend.perPerson ? Math.max(1, size - (size > 2 ? 0.5 : 0)) : 1) * Math.max(0.4, Math.min(4, usdIncome / 70_000)) ** spend.elasticity;
  else usdWeek = 25 * Math.max(0.4, Math.min(4, usdIncome / 70_000)) ** 0.5;
  if (spend?.re.source.includes('childcare') && !hasKids(ctx.persona)) {
    ctx.data.amount = 0;
    return ["Nothing; I don't have kids at home.", pick(ctx.rng, 'nk', ['So that one is easy.', 'Not something on my budget.'])];
  }
  const value = usdWeek * factor * PER_WEEK[period] * ctx.currency.ppp;
  const money = formatMoney(value, ctx.currency);
  Object.assign(ctx.data, { amount: Number(money.replace(/[^\d.]/g, '')), currency: ctx.currency.code, period });
  const head = pick(ctx.rng, 'mh', [
    `About ${money} ${perPeriodText(period)}.`,
    `Somewhere around ${money} ${perPeriodText(period)}.`,
    `Roughly ${money} ${perPeriodText(period)}, give or take.`,
    `I'd say ${money} ${perPeriodText(period)}.`,
  ]);
  const why = spend ? spend.why(ctx, size) : `${who(size)}, and ${careful(ctx)}.`;
  return [head, why];
}

const HOURS: Record<WorkKind, [number, number, string[]]> = {
  executive: [52, 62, ['At my level the job does not stop at five; evenings go to email.', 'Board meetings, budget season and late calls add up.']],
  professional: [45, 55, ['Deadlines decide it, and some weeks are longer.', 'A normal week is long; crunch weeks are longer.']],
  shift: [36, 44, ['It goes by shifts, and I pick up extra when I can.', 'My shifts are set, but overtime comes up a lot.']],
  owner: [55, 68, ["When it's your own business you never really clock out.", 'The work does not stop because the week is over.']],
  student: [12, 22, ['Around classes, that is what I can fit in.', 'School comes first, so I keep it part-time.']],
  parttime: [18, 28, ['Part-time is what works with everything else.', 'It is part-time, and that suits me right now.']],
  retired: [0, 0, ["I'm retired, so only what I choose to do.", 'These days my time is my own.']],
  standard: [40, 45, ['A regular full-time week, with overtime now and then.', 'Full-time, and the odd longer week.']],
};

function hoursAmount(ctx: SpecificContext, what: string): string[] {
  const age = ageOf(ctx.persona);
  const period = periodOf(ctx, /\bwork|job|shift|office\b/i.test(what) ? 'week' : 'day');
  let perWeek: number;
  let why: string;
  if (/\bwork|job|shift|office|business|clock\b/i.test(what) || what.trim() === '') {
    const kind = workKind(ctx.persona);
    const [lo, hi, whys] = HOURS[kind];
    if (kind === 'retired') {
      ctx.data.amount = 0;
      return [pick(ctx.rng, 'hr', ["None; I'm retired.", "Zero these days, I'm retired."]), pick(ctx.rng, 'hrw', whys)];
    }
    perWeek = Math.round(lo + (hi - lo) * ctx.jitter);
    why = pick(ctx.rng, 'hw', whys);
  } else if (/\bsleep\b/i.test(what)) {
    perWeek = (hasKids(ctx.persona) ? 6 : age < 30 ? 7.5 : 7) * 7;
    why = hasKids(ctx.persona) ? 'With the kids, a full night is rare.' : 'I try to protect it.';
  } else if (/\bphone|screen|social|scroll|tiktok|instagram|online|internet|tv|netflix|stream|gam\w*/i.test(what)) {
    perWeek = (age < 26 ? 5.5 : age < 40 ? 3.5 : 2.5) * 7 * (0.85 + 0.3 * ctx.jitter);
    why = age < 26 ? "More than I'd like to admit; it's where everyone is." : 'Mostly in the evening, once the day is done.';
  } else if (/\bexercis\w*|gym|work(?:ing)? out|train\w*|run\w*|sport/i.test(what)) {
    perWeek = ageOf(ctx.persona) < 40 ? 5 : 3;
    why = 'It keeps me sane.';
  } else if (/\bcook\w*|kitchen|meal/i.test(what)) {
    perWeek = hasKids(ctx.persona) ? 9 : 5;
    why = hasKids(ctx.persona) ? 'Dinner every night for the family adds up.' : 'Mostly quick things on weeknights.';
  } else {
    perWeek = 4 + 4 * ctx.jitter;
    why = 'Some weeks more, some less.';
  }
  const n = perWeek * (PER_WEEK[period] ?? 1);
  const shown = n < 10 ? Math.round(n * 2) / 2 : Math.round(n);
  ctx.data.amount = shown;
  ctx.data.unit = 'hours';
  ctx.data.period = period;
  const head = pick(ctx.rng, 'hh', [
    `About ${shown} hours ${perPeriodText(period)}.`,
    `Around ${shown} hours ${perPeriodText(period)}.`,
    `Usually ${shown} hours ${perPeriodText(period)}, give or take.`,
  ]);
  return [head, why];
}

function countAmount(ctx: SpecificContext, what: string): string[] {
  let n: number;
  let why: string;
  if (/\b(?:kids|children)\b/i.test(what)) {
    n = hasKids(ctx.persona) ? Math.max(1, householdSize(ctx.persona) - (/\bsingle\b/i.test(ctx.persona.profile.demographics.household) ? 1 : 2)) : 0;
    why = n ? 'They keep me busy.' : 'None yet.';
  } else if (/\b(?:subscriptions?|streaming|services)\b/i.test(what)) {
    n = ctx.sensitivity === 'high' ? 2 : ctx.sensitivity === 'low' ? 7 : 4;
    why = ctx.sensitivity === 'high' ? 'I cut everything else.' : 'Probably one or two more than I actually use.';
  } else if (/\bapps?\b/i.test(what)) {
    n = ageOf(ctx.persona) < 30 ? 40 + Math.round(30 * ctx.jitter) : 25 + Math.round(20 * ctx.jitter);
    why = 'But I only open a handful every day.';
  } else if (/\btimes\b/i.test(what)) {
    const rest = what.toLowerCase();
    n = /\bcook/.test(rest)
      ? 5
      : /\beat out|restaurant|take-?out|order/.test(rest)
        ? ctx.sensitivity === 'high'
          ? 1
          : 3
        : /\bgym|work out|exercis|run/.test(rest)
          ? 3
          : /\bshop|grocer|store/.test(rest)
            ? 2
            : 2;
    why = 'That is about what fits into a normal week.';
    ctx.data.amount = n;
    return [
      pick(ctx.rng, 'ct', [
        `About ${NUMBER_NAMES[n] ?? n} ${n === 1 ? 'time' : 'times'} ${perPeriodText(periodOf(ctx, 'week'))}.`,
        `${capitalize(NUMBER_NAMES[n] ?? String(n))}, usually, ${perPeriodText(periodOf(ctx, 'week'))}.`,
      ]),
      why,
    ];
  } else {
    n = 2 + Math.round(3 * ctx.jitter);
    why = 'Enough for what I need.';
  }
  ctx.data.amount = n;
  const said = n <= 8 ? NUMBER_NAMES[n] : String(n);
  return [n === 0 ? `None.` : pick(ctx.rng, 'cn', [`${capitalize(said ?? String(n))}.`, `About ${said}.`, `${capitalize(said ?? String(n))}, last time I counted.`]), why];
}

export function amountAnswer(ctx: SpecificContext, ask: Ask): string[] {
  const q = ask.quantity ?? { unit: 'count', what: '' };
  if (q.unit === 'money') return moneyAmount(ctx, q.what || ask.text);
  if (q.unit === 'hours') return hoursAmount(ctx, q.what);
  return countAmount(ctx, q.what);
}

// ------------------------------------------------------------ favourites

type Tag = 'family' | 'budget' | 'premium' | 'young' | 'older' | 'outdoors' | 'us' | 'urban';
interface Option {
  text: string;
  tags: Tag[];
}

const VACATIONS: Option[] = [
  { text: 'a lake cabin a couple of hours from home', tags: ['family', 'budget', 'outdoors'] },
  { text: 'the beach on the Gulf Coast', tags: ['family', 'us'] },
  { text: 'Disney World, as tiring as it is', tags: ['family', 'us'] },
  { text: 'a road trip to a national park', tags: ['family', 'outdoors', 'us'] },
  { text: 'camping at a state park', tags: ['budget', 'outdoors', 'us'] },
  { text: 'visiting family back home', tags: ['budget', 'family'] },
  { text: 'a long weekend in Mexico City', tags: ['young', 'urban'] },
  { text: 'Lisbon', tags: ['young', 'premium', 'urban'] },
  { text: 'Tokyo', tags: ['young', 'premium', 'urban'] },
  { text: 'a quiet beach resort', tags: ['premium', 'older'] },
  { text: 'the mountains', tags: ['outdoors', 'older'] },
  { text: 'the coast, somewhere quiet', tags: ['older', 'budget'] },
];
const FOODS: Option[] = [
  { text: 'pizza night at home', tags: ['family', 'budget'] },
  { text: 'tacos from a little place near us', tags: ['budget', 'young', 'us'] },
  { text: 'a good bowl of pho', tags: ['young', 'urban'] },
  { text: 'sushi', tags: ['premium', 'young', 'urban'] },
  { text: 'a proper steakhouse dinner', tags: ['premium', 'older'] },
  { text: 'a home-cooked stew', tags: ['budget', 'older', 'family'] },
  { text: 'barbecue', tags: ['family', 'us', 'outdoors'] },
];
const RESTAURANTS: Option[] = [
  { text: 'a family-run taqueria near us', tags: ['budget', 'family', 'us'] },
  { text: 'the Thai place around the corner', tags: ['young', 'urban'] },
  { text: 'the diner down the road', tags: ['budget', 'older', 'us'] },
  { text: 'a little omakase counter downtown', tags: ['premium', 'young', 'urban'] },
  { text: 'an old-school steakhouse', tags: ['premium', 'older'] },
  { text: 'the pizzeria in our neighbourhood', tags: ['family', 'budget'] },
  { text: 'a small family-run place near home', tags: ['budget', 'older'] },
];
const SHOPPING =
  /^(?:Amazon|Walmart(?: app)?|Target(?: Circle)?|Costco|eBay|Etsy|Flipkart|Meesho|Shopee|Lazada|Temu|Shein|Mercado Libre|Zalando|Bol|Otto|Ibotta|Instacart|Tokopedia|Jumia|Noon|Rakuten|Coupang|Taobao|JD|Pinduoduo|Depop|Vinted|Poshmark|Udaan|Jumbotail)/i;
const ACTIVITIES: Option[] = [
  { text: 'a long walk with no phone', tags: ['older', 'budget', 'outdoors'] },
  { text: 'a day at the park with the kids', tags: ['family', 'budget', 'outdoors'] },
  { text: 'dinner out with friends', tags: ['young', 'urban'] },
  { text: 'a weekend hike', tags: ['outdoors', 'young'] },
];

const SOCIAL =
  /^(?:TikTok|Instagram|Facebook|YouTube|Snapchat|X|Twitter|LinkedIn|WhatsApp|Reddit|Pinterest|Discord|Threads|BeReal|Nextdoor|WeChat|LINE|KakaoTalk|Telegram|Weibo|Douyin|Xiaohongshu|Bilibili|Twitch|Bluesky|Mastodon|Tumblr|VK)$/i;
const WHY_TAG: Record<Tag, string[]> = {
  family: ['The kids love it, and nobody has to dress up.', 'It works for the whole family.'],
  budget: ["It doesn't cost much, and that's half the fun.", 'It fits the budget without feeling cheap.'],
  premium: ["It's worth the splurge.", 'I save up for it, and it always delivers.'],
  young: ['Great food, and you can walk everywhere.', 'There is always something new to try.'],
  older: ["It's calm, and nobody rushes you.", 'Quiet, easy, and I come back rested.'],
  outdoors: ['Being outside all day resets me.', 'Fresh air and no screens.'],
  us: ['Easy to get to, too.', 'No passport needed.'],
  urban: ['I love a city I can get lost in.', 'There is always something going on.'],
};

function tagsOf(ctx: SpecificContext): Set<Tag> {
  const tags = new Set<Tag>();
  if (hasKids(ctx.persona)) tags.add('family');
  if (ctx.sensitivity === 'high') tags.add('budget');
  if (ctx.sensitivity === 'low') tags.add('premium');
  const age = ageOf(ctx.persona);
  if (age < 36) tags.add('young');
  if (age > 52) tags.add('older');
  if ((ctx.persona.profile.demographics.country ?? 'US').toUpperCase() === 'US') tags.add('us');
  if (/\burban\b/i.test(ctx.persona.profile.demographics.urbanicity ?? '')) tags.add('urban');
  if (/\b(?:rural|outdoor\w*|hik\w*|camp\w*|fish\w*|hunt\w*|garden\w*)\b/i.test(`${ctx.persona.profile.demographics.urbanicity} ${ctx.persona.profile.psychographics.interests.join(' ')}`))
    tags.add('outdoors');
  return tags;
}

function bestOption(ctx: SpecificContext, options: Option[], asked: string): Option {
  const mine = tagsOf(ctx);
  if (/\bfamil/i.test(asked)) mine.add('family');
  let best = options[0]!;
  let top = -Infinity;
  for (const o of options) {
    let s = ctx.rng.fork(`opt-${o.text}`).next() * 0.8;
    for (const t of o.tags) if (mine.has(t)) s += 1;
    if (o.tags.includes('us') && !mine.has('us')) s -= 2;
    if (o.tags.includes('family') && !mine.has('family')) s -= 0.7;
    if (o.tags.includes('premium') && ctx.sensitivity === 'high') s -= 1.5;
    if (o.tags.includes('budget') && ctx.sensitivity === 'low') s -= 0.5;
    if (s > top) {
      top = s;
      best = o;
    }
  }
  return best;
}

function whyOf(ctx: SpecificContext, option: Option): string {
  const mine = tagsOf(ctx);
  const tag = option.tags.find((t) => mine.has(t)) ?? option.tags[0] ?? 'budget';
  return pick(ctx.rng, 'fw', WHY_TAG[tag]);
}

/** One named thing of the kind asked, and a short why (see the file comment). */
export function favouriteAnswer(ctx: SpecificContext, ask: Ask): string[] {
  const thing = (ask.thing ?? '').toLowerCase();
  const mostUsed = !/\b(?:favou?rite|fave|go-to|preferred)\b/i.test(ask.text);
  const fav = /\bfavourite\b/i.test(ask.text) ? 'favourite' : 'favorite';
  const p = ctx.persona.profile;
  const say = (name: string, why: string): string[] => {
    ctx.data.choice = stripTerminal(name);
    const head = mostUsed
      ? pick(ctx.rng, 'mu', [`${capitalize(name)}, by far.`, `Probably ${name}.`, `${capitalize(name)}, no contest.`, `Easily ${name}.`])
      : pick(ctx.rng, 'fv', [`${capitalize(name)}, easily.`, `I'd have to say ${name}.`, `My ${fav} ${thing || 'one'} is ${name}.`, `Probably ${name}.`]);
    return [head, why];
  };
  if (/\b(?:vacation|holiday|trip|travel|getaway|destination|spot|place to (?:go|visit))\b/.test(thing)) {
    const o = bestOption(ctx, VACATIONS, ask.text);
    return say(o.text, whyOf(ctx, o));
  }
  if (/\b(?:restaurant|place to eat|diner|cafe|café|spot to eat)\b/.test(thing)) {
    const o = bestOption(ctx, RESTAURANTS, ask.text);
    return say(o.text, whyOf(ctx, o));
  }
  if (/\b(?:food|meal|dish|cuisine|dinner|snack|lunch|breakfast)\b/.test(thing)) {
    const o = bestOption(ctx, FOODS, ask.text);
    return say(o.text, whyOf(ctx, o));
  }
  const platforms = p.media.platforms.map((x) => stripTerminal(x.replace(/\s*\([^)]*\)/g, '').trim()));
  if (/\b(?:social|app|platform|site|network)\b/.test(thing)) {
    const social = platforms.filter((x) => SOCIAL.test(x));
    const shops = platforms.filter((x) => SHOPPING.test(x));
    const shopping = /\b(?:shop\w*|buy\w*|deals?|groceries)\b/.test(thing);
    const pool = shopping
      ? shops.length
        ? shops
        : [(ctx.persona.profile.demographics.country ?? 'US').toUpperCase() === 'IN' ? 'Flipkart' : 'Amazon']
      : /\bsocial\b/.test(thing) && social.length
        ? social
        : platforms.length
          ? platforms
          : [...brands(ctx.persona)];
    // the first listed is the one most used; a little jitter among the first two
    const name = pool[ctx.jitter < 0.75 || pool.length < 2 ? 0 : 1] ?? 'YouTube';
    const work = /\bLinkedIn\b|\bSlack\b|\bTeams\b/i.test(name);
    if (shopping) return say(name, ctx.sensitivity === 'high' ? 'I can compare prices fast and wait for a deal.' : 'It is quick, and returns are easy.');
    return say(
      name,
      work
        ? "It's where work actually happens for me."
        : SOCIAL.test(name)
          ? pick(ctx.rng, 'sw', ["It's where my people actually post.", "It's the first thing I open in the morning.", 'Everything I care about ends up there.'])
          : 'I use it every day without thinking about it.',
    );
  }
  if (/\b(?:news|source|podcast|newspaper|magazine|channel|show|newsletter|blog|youtuber|creator)\b/.test(thing)) {
    const pool = (
      /\b(?:podcast|show|channel|youtuber|creator)\b/.test(thing) ? [...p.media.channels, ...p.media.trusted_sources] : p.media.trusted_sources.length ? p.media.trusted_sources : p.media.channels
    ).map((x) => own(x));
    const name = bestOf(pool, stemSetOf(thing), ctx.rng.fork('src'));
    return say(name, pick(ctx.rng, 'srw', ['I trust it more than most.', 'It has not steered me wrong yet.']));
  }
  if (/\b(?:brand|store|shop|supermarket|retailer|company|bank|car|phone)\b/.test(thing)) {
    const named = [...brands(ctx.persona)].filter((b) => !SOCIAL.test(b));
    const fromText = [...`${p.media.habits} ${p.psychographics.interests.join(' ')} ${p.buying_behavior.purchase_triggers.join(' ')}`.matchAll(/\b([A-Z][a-zA-Z]+(?:\s[A-Z][a-zA-Z]+)?)\b/g)]
      .map((m) => m[1]!)
      .filter((n) => !/^(?:I|The|A|An|My|On|In|At)$/.test(n) && !SOCIAL.test(n));
    const name = fromText[0] ?? named[0];
    if (name) return say(name, ctx.sensitivity === 'high' ? 'The prices are fair and they have what I need.' : 'They have never let me down.');
  }
  // hobbies and the like: the persona's interests that are pastimes, not work topics ("energy costs")
  const pastimes = p.psychographics.interests.filter((x) => !WORK_TOPIC.test(x));
  if (pastimes.length && /\b(?:hobby|hobbies|thing to do|activity|pastime|relax|unwind|interest|weekend|sport|free time)\b/.test(thing)) {
    const interest = own(bestOf(pastimes, stemSetOf(thing), ctx.rng.fork('int')).replace(/\s*\([^)]*\)/g, ''));
    return say(interest, pick(ctx.rng, 'iw', ['It is the one thing that clears my head.', 'I lose track of time doing it.']));
  }
  const o = bestOption(ctx, ACTIVITIES, ask.text);
  return say(o.text, whyOf(ctx, o));
}

// ------------------------------------------------------------ stories

const WORK_TOPIC =
  /\b(?:costs?|pric\w+|markets?|regulat\w*|compliance|supply|supplier\w*|procurement|revenue|margin\w*|contracts?|governance|payer|capital|rates?|policy|digitali[sz]ation|development|performance|strategy|models?|analytics|cycle|negotiations?|management|operations?|logistics|tax\w*|industry|business)\b/i;
const PRODUCT = /\b(?:product|app|phone|gadget|device|item|purchase|appliance|car|laptop|tool|brand)\b/i;
const SERVICE = /\b(?:service|support|store|shop|company|bank|airline|restaurant|provider|insurer|carrier)\b/i;
const BUSINESS = /\b(?:vendor|supplier|partner|contractor|agency|consultant|client|distributor|wholesaler|software|platform|system)\b/i;

/** Who the story is about, from the question: "a vendor", "customer service", "a brand". */
function actorOf(text: string): string {
  const m =
    /\b(?:time|experience|moment)\s+(?:when\s+|that\s+|where\s+)?((?:(?:a|an|the|your|some|one)\s+)?(?:\w+\s+){0,2}?\w+?)\s+(?:really\s+|actually\s+|truly\s+|completely\s+|totally\s+)?(?:disappoint\w*|let|impress\w*|surpris\w*|fail\w*|went|did|got|made|exceed\w*|helped|won|treated|messed|broke|was|were)\b/i.exec(
      text,
    ) ?? /\bexperience with\s+((?:a|an|the|your)?\s*(?:\w+\s+){0,2}?\w+)\b/i.exec(text);
  const a = m?.[1]?.trim().replace(/^your\b/i, 'my') ?? 'a company';
  return /^(?:a|an|the|my|one|some)\b/i.test(a) || /\b(?:service|support|staff)$/i.test(a) ? a : `a ${a}`;
}

/** A short first-person anecdote (see the file comment). */
export function storyAnswer(ctx: SpecificContext, ask: Ask): string[] {
  const p = ctx.persona.profile;
  const rng = ctx.rng.fork('story');
  const actor = actorOf(ask.text);
  const q = stemSetOf(ask.text);
  const business = BUSINESS.test(actor) || (['executive', 'owner', 'professional'].includes(workKind(ctx.persona)) && ctx.persona.is_expert === true);
  const we = business ? 'we' : 'I';
  const role = shortRole(ctx.persona);
  const when = pick(rng, 'when', ['A couple of years ago', 'Last year', 'Not long ago', 'A while back']);
  const good = ask.valence === 'good';
  const thing = PRODUCT.test(actor);
  if (good) {
    const t = ctx.item(bestOf(p.buying_behavior.purchase_triggers, q, rng.fork('t')));
    const n = asNoun(t);
    const what = n ? `${thing ? 'it came with' : 'they came through with'} ${n}` : `${t.text}`;
    const met = thing ? `${we} bought ${actor} that actually delivered` : SERVICE.test(actor) ? `I dealt with ${actor} that actually delivered` : `${we} worked with ${actor} that actually delivered`;
    return [
      `${when}, ${met}: ${what}.`,
      pick(rng, 'gl', [`That is rare, so ${we} stuck with ${thing ? 'it' : 'them'}.`, `I still recommend ${thing ? 'it' : 'them'} when people ask.`, 'It set the bar for everything since.']),
      business ? `As ${/^[aeiou]/i.test(role) ? 'an' : 'a'} ${role}, I remember the ones who keep their word.` : pick(rng, 'gp', ['It made my week, honestly.', 'Small thing, but it stuck with me.']),
    ];
  }
  const b = ctx.item(bestOf(p.buying_behavior.deal_breakers, q, rng.fork('b')));
  const n = asNoun(b);
  const wrong = n ? `the problem turned out to be ${n}` : b.form === 'verb' ? `it turned out it ${b.text}` : `it turned out that ${b.text}`;
  const bare = !/^(?:a|an|the|my|one|some)\b/i.test(actor);
  const bought = thing
    ? `${we} bought ${actor} that looked great online`
    : bare && SERVICE.test(actor)
      ? `I needed help from ${actor} at a company I had used for years`
      : business
        ? `${we} signed with ${actor} that looked good on paper`
        : `I went with ${actor} that looked fine at first`;
  const cost = business
    ? pick(rng, 'bc', ['It cost us months and a lot of goodwill with the team.', 'We spent the rest of the year cleaning it up.', 'It ate into a budget that was already tight.'])
    : pick(rng, 'pc', ['I lost money and a whole weekend sorting it out.', 'It took weeks of calls to get it fixed.', 'I ended up paying twice.']);
  const objection = ctx.item(bestOf(p.objections, q, rng.fork('o')));
  const lesson =
    objection.form === 'question'
      ? pick(rng, 'lq', [`Now the first thing I ask is: ${objection.text}`, `Since then I always ask: ${objection.text}`])
      : pick(rng, 'ls', [`Since then I watch for it${n ? ` and ask about ${lowerFirst(n)} up front` : ''}.`, 'Lesson learned: I check before I sign anything.']);
  return [`${when}, ${bought}, and ${wrong}.`, cost, lesson, ...(business && role ? [`As ${/^[aeiou]/i.test(role) ? 'an' : 'a'} ${role}, I can't afford that twice.`] : [])].map((s) =>
    s.replace(/\s+/g, ' '),
  );
}
