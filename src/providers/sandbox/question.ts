/**
 * What a message asks, read the way a person would before answering: the
 * kind of answer wanted (a routine described, a reaction to an offer, a
 * price, one of named options, a number on a scale, a yes or no, a list,
 * frustrations, priorities) and what the answer needs from the question —
 * its subject as a phrase that can be repeated grammatically (or none), the
 * options, the scale, the amounts and their currency.
 *
 * A message may ask several things ("Would you stay, downgrade, or switch?
 * At what price would you leave?"): each question sentence is one `Ask`, in
 * order. Survey boilerplate around a focus-group question ("Question 3 of
 * 10.", "Reply with a JSON object…") is not part of the question.
 */
import { extractTopic, focusSentence, keywordPhrase, swapPronouns } from '../../text/topic.js';
import { contentWords, stemSet, stripTerminal } from '../../text/words.js';

export type AskKind = 'greeting' | 'life' | 'amount' | 'favourite' | 'story' | 'likes' | 'reaction' | 'price' | 'choice' | 'rating' | 'yesno' | 'list' | 'pain' | 'want' | 'open';

/** Which part of the persona's own life a `life` question is about. */
export type LifeDomain = 'routine' | 'media' | 'shopping' | 'decide' | 'weekend' | 'work' | 'money' | 'food' | 'regret' | 'tech' | 'self';

/** What a list question wants listed. */
export type ListTopic = 'brands' | 'apps' | 'concerns' | 'wants' | 'sources' | 'interests' | 'values' | 'goals' | 'things';

export interface Scale {
  min: number;
  max: number;
}

export interface Amount {
  value: number;
  /** '$', '€', '£', '₹', … or an ISO code as written ("USD"); '' when none was written. */
  symbol: string;
}

export interface Ask {
  kind: AskKind;
  /** The sentence this ask was read from. */
  text: string;
  /** A price ask: the most the person would pay ('max'), or where they would walk away ('leave'). */
  price?: 'max' | 'leave' | 'accept';
  /** A reaction that wants a decision ("Would you try …?"). */
  decide?: boolean;
  options?: string[];
  /** The options are verbs ("stay, downgrade, or switch"), not things. */
  verbOptions?: boolean;
  scale?: Scale;
  /** "how likely are you to recommend" (a 0–10 likelihood). */
  recommend?: boolean;
  domain?: LifeDomain;
  /** An `amount` ask: what is counted ("money" spent, "hours", a "count" of things) and of what ("groceries", "work"). */
  quantity?: { unit: 'money' | 'hours' | 'count'; what: string };
  /** A `favourite` ask: the kind of thing to name ("family vacation spot", "social media app"), and whether it asks for the favourite or the most used. */
  thing?: string;
  /** A `story` ask: "bad" (disappointed, went wrong), "good" (impressed), or either; a `likes` ask: what is liked ("good") or disliked ("bad"). */
  valence?: 'bad' | 'good' | 'any';
  listTopic?: ListTopic;
  count?: number;
}

export interface QuestionRead {
  /** The message without survey boilerplate. */
  message: string;
  asks: Ask[];
  /** The first ask's kind. */
  kind: AskKind;
  /**
   * What the question is about, in the answerer's words ("your new app" →
   * "my new app" is not done: the answerer says "your new app"), only when
   * it reads as a grammatical phrase; otherwise undefined.
   */
  subject?: string;
  /** Stems of what the question is about (seeds the person's stable opinion of it). */
  subjectKey: string;
  amounts: Amount[];
  /** The period an amount or a price question names. */
  period?: 'month' | 'week' | 'year' | 'day';
  /** The message talks about money (price, cost, fee, an amount). */
  priced: boolean;
  /** Only pronouns point at the subject ("Would you buy it?"): it comes from earlier in the conversation. */
  anaphoric: boolean;
}

const GREETING = /^(?:hi|hello|hey|yo|hiya|howdy|good (?:morning|afternoon|evening)|what'?s up|sup|greetings)\b[\s,!.]*(?:there|everyone|all|folks)?[\s,!.]*$/i;
const BOILERPLATE = [/^question \d+ of \d+\.?$/i, /^reply with a json object\b.*$/i, /^(?:please )?(?:answer|respond) (?:in|with) (?:json|a json object)\b.*$/i];

const NUMBER_WORDS: Record<string, number> = { one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, a: 1, 'a few': 3, some: 3, several: 4, couple: 2, 'a couple': 2, 'a couple of': 2 };

/** Number written as digits or a word ("three" → 3). */
export function numberWord(word: string): number | undefined {
  const w = word.toLowerCase();
  if (/^\d+$/.test(w)) return Number(w);
  return NUMBER_WORDS[w];
}

/** "on a scale of 1 to 10", "from 1-5", "out of 10", "0–100" → the scale. */
export function readScale(text: string): Scale | undefined {
  const range = /\b(?:scale\s+(?:of|from)\s+|from\s+|between\s+|rate\b[^.?!]*?\b|score\b[^.?!]*?\b|number\s+(?:from|between)\s+|\()?(-?\d{1,3})\s*(?:to|-|–|—|and)\s*(\d{1,3})\b/i.exec(text);
  if (range && /scale|rate|rating|score|number|from|between|\(/i.test(range[0])) {
    const min = Number(range[1]);
    const max = Number(range[2]);
    if (max > min && max <= 100) return { min, max };
  }
  const outOf = /\bout of (\d{1,3})\b|\/\s?(\d{1,3})\b/i.exec(text);
  if (outOf) {
    const max = Number(outOf[1] ?? outOf[2]);
    if (max >= 2 && max <= 100) return { min: max === 100 ? 0 : 1, max };
  }
  return undefined;
}

const CURRENCY_SIGN = /(US\$|A\$|NZ\$|C\$|S\$|R\$|MX\$|[$€£₹¥₩₦₱₺₫]|Rs\.?|KSh|zł|Kč|kr|AED|SAR|EGP|ZAR|INR|EUR|USD|GBP)\s?(\d[\d,]*(?:\.\d+)?)(\s?[km]\b)?|(\d[\d,]*(?:\.\d+)?)(\s?[km]\b)?\s?(dollars?|bucks|euros?|pounds|rupees|pesos|reais|yen|naira|shillings|rand|dirhams?|riyals?|USD|EUR|GBP|INR|€|zł|Kč|kr)\b/gi;

const SIGN_OF_WORD: Record<string, string> = { dollar: '$', dollars: '$', bucks: '$', euro: '€', euros: '€', pound: '£', pounds: '£', rupees: '₹', pesos: '$', reais: 'R$', yen: '¥', naira: '₦', shillings: 'KSh', rand: 'R', dirham: 'AED', dirhams: 'AED', riyal: 'SAR', riyals: 'SAR', usd: '$', eur: '€', gbp: '£', inr: '₹' };

/** Money amounts with the sign they were written with: "$45", "€20", "1,200 rupees", "$2k". */
export function readAmounts(text: string): Amount[] {
  const out: Amount[] = [];
  for (const m of text.matchAll(CURRENCY_SIGN)) {
    const raw = m[2] ?? m[4] ?? '';
    const mult = /k/i.test(m[3] ?? m[5] ?? '') ? 1000 : /m/i.test(m[3] ?? m[5] ?? '') ? 1_000_000 : 1;
    const value = Number(raw.replace(/,/g, '')) * mult;
    if (!Number.isFinite(value)) continue;
    let symbol = m[1] ?? m[6] ?? '';
    symbol = SIGN_OF_WORD[symbol.toLowerCase()] ?? (symbol.toUpperCase() === 'USD' || symbol === 'US$' ? '$' : symbol.replace(/\.$/, ''));
    out.push({ value, symbol });
  }
  return out;
}

function periodOf(text: string): QuestionRead['period'] {
  if (/\b(?:per|a|each|every|\/)\s?(?:month|mo)\b|\bmonthly\b|\/mo\b/i.test(text)) return 'month';
  if (/\b(?:per|a|each|every|\/)\s?week\b|\bweekly\b/i.test(text)) return 'week';
  if (/\b(?:per|a|each|every|\/)\s?(?:year|yr)\b|\bannual(?:ly)?\b|\byearly\b/i.test(text)) return 'year';
  if (/\b(?:per|a|each|every)\s?day\b|\bdaily\b/i.test(text)) return 'day';
  return undefined;
}

const PRICED = /\b(?:price[sd]?|pricing|cost[s]?|costly|expensive|cheap\w*|afford\w*|pay|paying|paid|fee[s]?|subscription|worth|budget|discount\w*|spend|extra)\b|[$€£₹¥₩₦₱]\s?\d/i;

/** Splits into sentences, dropping survey boilerplate lines. */
function sentencesOf(message: string): string[] {
  const lines = message
    .split(/\n+/)
    .map((l) => l.trim())
    .filter((l) => l && !BOILERPLATE.some((re) => re.test(l)));
  return lines.flatMap((l) => l.split(/(?<=[.!?…])\s+(?=[A-Z0-9"'“])/u)).map((s) => s.trim()).filter(Boolean);
}

const AUX = /^(?:do|does|did|are|is|was|were|would|will|can|could|should|have|has|had|might|may|shall)\b/i;
const QUESTIONISH = /\?\s*$|^(?:describe|tell|list|name|rate|score|give|share|walk|explain|pick|choose|rank|compare|imagine|react|evaluate|talk)\b/i;

/** Options in "A, B, or C" / "A or B" (nothing but the options in `part`). */
function splitOptions(part: string): string[] {
  const cleaned = part.replace(/^[\s:,-]+|[\s?.!]+$/g, '');
  const pieces = cleaned.split(/\s*,\s*(?:or\s+)?|\s+or\s+/i).map((p) => p.trim().replace(/^(?:either|to)\s+/i, '')).filter(Boolean);
  if (pieces.length < 2 || pieces.length > 6) return [];
  if (pieces.some((p) => p.split(/\s+/).length > 9 || /^(?:not|no)$/i.test(p))) return [];
  return pieces;
}

function readChoice(s: string): Pick<Ask, 'options' | 'verbOptions'> | undefined {
  if (!/\bor\b/i.test(s) || /\bor not\b|\bor no\b|\bwhether or\b/i.test(s)) return undefined;
  const body = stripTerminal(s);
  const colon = /:\s*(.+)$/.exec(body);
  if (colon?.[1]) {
    const options = splitOptions(colon[1]);
    if (options.length >= 2) return { options, verbOptions: false };
  }
  const verbLead = /^(?:so,?\s+)?(?:would|will|do|did|should|could) (?:you|u|i|we)\s+(?:rather\s+|prefer to\s+|choose to\s+|want to\s+)?(.+)$/i.exec(body);
  if (verbLead?.[1]) {
    const rest = verbLead[1];
    const nounLead = /^(?:prefer|choose|pick|take|want|go with|get|buy)\s+(.+)$/i.exec(rest);
    const options = splitOptions(nounLead?.[1] ?? rest);
    if (options.length >= 2) return { options, verbOptions: !nounLead };
  }
  const which = /^(?:which|what)\b(?:\s+\w+)?\s+(?:would|do|will|should) (?:you|u)\s+(?:rather\s+)?(?:choose|pick|prefer|take|go with|want|buy|use)\b[\s,:-]*(.*)$/i.exec(body);
  if (which) {
    const options = splitOptions(which[1] ?? '');
    if (options.length >= 2) return { options, verbOptions: false };
  }
  const prefer = /\b(?:prefer|choose between|pick between|rather have)\s+(.+)$/i.exec(body);
  if (prefer?.[1]) {
    const options = splitOptions(prefer[1].replace(/^between\s+/i, ''));
    if (options.length >= 2) return { options, verbOptions: false };
  }
  return undefined;
}

const LIST_COUNT = /\b(?:list|name|give me|share|what are|which are|tell me)\b[^?.!]*?\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten|a few|some|a couple of|several)\b/i;
const LIST_NOUN = /\b(\d+|two|three|four|five|six|seven|eight|nine|ten|a few|some|a couple of|several)\s+(?:\w+\s+)?(brands|things|apps|ways|reasons|words|features|tips|places|stores|shops|products|companies|tools|sources|concerns|priorities|websites|sites|habits|hobbies|goals|services|factors|questions|items|benefits|worries|names)\b/i;

function listTopicOf(s: string): ListTopic {
  const t = s.toLowerCase();
  if (/\bbrands?\b|\bcompan(?:y|ies)\b|\bstores?\b|\bshops?\b|\bproducts?\b/.test(t)) return 'brands';
  if (/\bapps?\b|\btools?\b|\bplatforms?\b|\bwebsites?\b|\bsites?\b|\bservices?\b/.test(t)) return 'apps';
  if (/\bconcerns?\b|\bworr(?:y|ies)\b|\bproblems?\b|\bdownsides?\b|\brisks?\b|\bobjections?\b|\bfrustrat\w*|\bdeal[- ]?breakers?\b|\bquestions?\b/.test(t)) return 'concerns';
  if (/\bsources?\b|\bnews\b|\btrust\b|\binformation\b|\badvice\b/.test(t)) return 'sources';
  if (/\bhobb(?:y|ies)\b|\binterests?\b|\bfree time\b|\bfun\b/.test(t)) return 'interests';
  if (/\bvalues?\b|\bprinciples?\b/.test(t)) return 'values';
  if (/\bgoals?\b|\bpriorit\w*\b|\bplans?\b/.test(t)) return 'goals';
  if (/\blook for\b|\bfeatures?\b|\bmatters?\b|\bwant\b|\bbenefits?\b|\bfactors?\b|\bimportant\b/.test(t)) return 'wants';
  return 'things';
}

const LIFE_PATTERNS: [RegExp, LifeDomain][] = [
  [/\b(?:last thing you bought|regret\w*|worst purchase|best purchase|last (?:big )?purchase)\b/i, 'regret'],
  [/\b(?:morning|routine|typical day|daily life|day look like|evening|bedtime|wake up|your day)\b/i, 'routine'],
  [/\b(?:weekend|free time|spare time|day off|hobb(?:y|ies)|for fun|relax|vacation|holiday)\b/i, 'weekend'],
  [/\b(?:news|information|media|podcasts?|social media|watch|read|listen|follow|scroll|hear about|find out about|learn about|keep up)\b/i, 'media'],
  [/\b(?:decide|decision|choose|choosing|research|compare|evaluate|big purchase)\b/i, 'decide'],
  [/\b(?:groceries|grocery|eat|food|cook|cooking|meal|meals|dinner|lunch|breakfast|restaurant)\b/i, 'food'],
  [/\b(?:shop|shopping|buy|bought|purchase\w*|store|stores|order|online)\b/i, 'shopping'],
  [/\b(?:money|budget|save|saving|savings|spend|spending|bank|bills|finances|income|afford)\b/i, 'money'],
  [/\b(?:apps?|phone|technology|tech|devices?|software|tools?|computer|laptop)\b/i, 'tech'],
  [/\b(?:job|work|career|office|boss|colleagues|team|business|customers)\b/i, 'work'],
];

function lifeDomain(s: string): LifeDomain {
  for (const [re, d] of LIFE_PATTERNS) if (re.test(s)) return d;
  return 'self';
}

const PAIN_WORDS = /\b(?:frustrat\w*|annoy\w*|worr\w*|bother\w*|concerns?|pain\s?points?|problems?|challenges?|struggl\w*|hate|dislike|fears?|afraid|stress\w*|hardest|difficult\w*|biggest issues?|complain\w*|drives? you crazy|keeps? you up|downsides?|headaches?|wrong with)\b/i;
const WANT_WORDS = /\b(?:look(?:ing)? for|matters? (?:most )?to you|what matters|important to you|most important|priorit\w*|motivat\w*|care (?:most )?about|win you over|convince you|make you (?:buy|switch|try|choose)|ideal|dream|wish|need from|want from|what would it take)\b/i;
const WH = /^(?:(?:so|ok(?:ay)?|and|but|honestly|quick question)[\s,]+)*(?:what|which|how|why|where|when|who)\b/i;
const ABOUT_YOU = /\b(?:you|your|yourself|u|ur)\b/i;
const REACTION = /\b(?:what do you (?:think|feel) (?:about|of)|how do you feel about|thoughts on|(?:your|ur) (?:honest |first |gut |overall |initial )?(?:take|opinion|reaction|impression|view|verdict) (?:on|of|to|about)|react to|what would you say (?:about|to)|how would you feel about)\b/i;
const DECIDE_VERBS = /^(?:so,?\s+)?(?:would|will|could|do|did|might) (?:you|u) (?:ever |actually |still |really |seriously |personally )?(?:try|buy|use|sign up|sign|subscribe|switch|pay for|get|order|download|recommend|consider|join|choose|pick|go for|invest|renew|commit to|agree to|accept|lease|book|hire|upgrade)\b/i;

const AMOUNT_MONEY = /\bhow much (?:money )?(?:do|did) (?:you|u) (?:usually |typically |normally |currently |roughly |actually )?(?:spend|pay|put)\b(?:\s+(?:on|for|toward|towards|into)\s+(.+?))?(?:\s+(?:a|per|each|every|in a)\s+(?:week|month|year|day)|\s+(?:weekly|monthly|yearly))?\s*\??$|\bwhat do (?:you|u) (?:usually |typically )?(?:spend|pay) (?:on|for)\s+(.+?)(?:\s+(?:a|per|each|every)\s+(?:week|month|year|day))?\s*\??$/i;
const AMOUNT_HOURS = /\bhow many hours (?:(?:a|per|each) (?:day|week|month) )?(?:do|did) (?:you|u) (?:usually |typically |normally |actually )?(?:spend (?:on|with|in)?\s*)?(.+?)\s*\??$/i;
const AMOUNT_COUNT = /\bhow many\s+(.+?)\s+(?:do|did|have|are) (?:you|u)\b\s*(.*?)\s*\??$/i;
const FAVOURITE = /\b(?:your|ur) (?:all-time |absolute |personal )?(?:favou?rite|fave|go-to|preferred)\s+(.+?)\s*(?:and why|right now|these days|ever|of all time)?\s*[?.!]*$/i;
const MOST_USED = /^(?:so,?\s+)?(?:which|what)\s+((?:\w[\w'-]*\s+){0,3}?\w[\w'-]*)\s+(?:do|did|would) (?:you|u)\s+(?:use|watch|read|listen to|shop at|go to|buy|visit|trust|open|check|play|follow|prefer|like)\b\s*(?:the\s+)?(?:most|best|more|usually|most often|every day|daily)\b/i;
const STORY = /^(?:(?:can|could) (?:you|u) )?(?:tell me|tell us|describe|share|walk me through|talk about)\b[^?.!]*?\b(?:a|the|one|an)\s+(?:specific\s+|recent\s+|particular\s+)?(?:time|moment|experience|occasion|situation|story)\b|\bwhat was the (?:worst|best|last) (?:experience|time)\b|\bhave you ever had an? (?:bad|good|great|terrible|awful) experience\b/i;
const BAD_STORY = /\b(?:disappoint\w*|let you down|went wrong|frustrat\w*|bad|worst|terrible|awful|annoy\w*|fail\w*|burn\w*|regret\w*|problem|complain\w*|angry|upset|mistake)\b/i;
const GOOD_STORY = /\b(?:impress\w*|delight\w*|surpris\w*|exceed\w*|great|best|good|love[d]?|happy|helped|went right|won you over)\b/i;

const LIKES = /\bwhat (?:do|did) (?:you|u) (?:like|love|enjoy|appreciate|value)\s+(?:most|best|the most|about)\b|\bwhat(?:'s| is| was) (?:the )?(?:best thing|best part|most appealing|nicest|strongest|biggest plus)\b|\bwhat (?:appeals|stands out)\b|\b(?:your )?favou?rite (?:thing|part|feature|aspect) (?:about|of)\b/i;
const DISLIKES = /\bwhat (?:do|did) (?:you|u) (?:like|enjoy) (?:least|the least)\b|\bwhat would you (?:improve|change)\b|\bwhat(?:'s| is) (?:the )?(?:worst thing|worst part|least appealing|weakest|biggest minus)\b|\bwhat do (?:you|u) dislike\b/i;

/** An `amount`, `favourite` or `story` ask about the person's own life, if the sentence is one. */
function ownSpecific(text: string): Ask | undefined {
  if (STORY.test(text)) {
    const valence = BAD_STORY.test(text) ? 'bad' : GOOD_STORY.test(text) ? 'good' : 'any';
    return { kind: 'story', text, valence, domain: lifeDomain(text) };
  }
  const money = AMOUNT_MONEY.exec(text);
  if (money && !/\b(?:would|will|willing|worth)\b/i.test(text)) return { kind: 'amount', text, quantity: { unit: 'money', what: tidyThing(money[1] ?? money[2] ?? '') } };
  const hours = AMOUNT_HOURS.exec(text);
  if (hours) return { kind: 'amount', text, quantity: { unit: 'hours', what: tidyThing(hours[1] ?? '') } };
  const count = AMOUNT_COUNT.exec(text);
  if (count && !/\bhow many (?:people|of you)\b/i.test(text) && !/\bwould\b/i.test(text.slice(0, 30))) return { kind: 'amount', text, quantity: { unit: 'count', what: tidyThing(`${count[1] ?? ''} ${count[2] ?? ''}`) } };
  const fav = FAVOURITE.exec(text);
  if (fav?.[1] && fav[1].split(/\s+/).length <= 6 && !/\b(?:or|between)\b/i.test(fav[1])) return { kind: 'favourite', text, thing: tidyThing(fav[1]) };
  const most = MOST_USED.exec(text);
  if (most?.[1] && !/^(?:do|did|would|kind of|kinds of|sort of)$/i.test(most[1])) return { kind: 'favourite', text, thing: tidyThing(most[1]) };
  return undefined;
}

/** "groceries a week?" → "groceries"; "on your phone" → "my phone". */
function tidyThing(s: string): string {
  return swapPronouns(stripTerminal(s.trim()).replace(/\s+(?:a|per|each|every|in a)\s+(?:week|month|year|day)$/i, '').replace(/^(?:on|for|with|in)\s+/i, '').trim());
}

function classify(s: string): Ask {
  const text = s.trim();
  const lower = text.toLowerCase();
  if (GREETING.test(text)) return { kind: 'greeting', text };
  if (DISLIKES.test(text)) return { kind: 'likes', text, valence: 'bad' };
  if (LIKES.test(text)) return { kind: 'likes', text, valence: 'good' };
  const specific = ownSpecific(text);
  if (specific) return specific;
  const scale = readScale(text);
  const recommend = /\bhow likely\b.*\brecommend\b|\brecommend\b.*\b(?:scale|0|1)\b/i.test(text);
  if (scale || /^(?:rate|score|grade)\b|\b(?:rate|rating|score)\b.*\b(?:scale|out of)\b|\bon a scale\b|\bhow likely\b/i.test(text)) {
    return { kind: 'rating', text, scale: scale ?? (recommend ? { min: 0, max: 10 } : { min: 1, max: 10 }), ...(recommend ? { recommend } : {}) };
  }
  if (/\bat what price\b|\bwhat price would\b|\bhow (?:high|expensive) would\b.*\b(?:leave|stop|switch|quit|cancel)\b|\bprice (?:at which|where) you(?:'d| would)\b/i.test(text)) return { kind: 'price', text, price: 'leave' };
  if (/\bhow much (?:would|will|do|did|are) you (?:willing to |be willing to )?(?:pay|spend)\b|\bwhat (?:would|will) you (?:pay|spend)\b|\bthe most (?:you(?:'d| would)|you would) pay\b|\bmaximum (?:you(?:'d| would)|price)\b|\bwilling(?:ness)? to pay\b|\bhow much (?:is|are|would) .+ (?:be )?worth to you\b|\bfair price\b|\bwhat should (?:it|this|that|we) (?:cost|charge)\b|\bhow much should\b/i.test(text)) {
    return { kind: 'price', text, price: 'max' };
  }
  const choice = readChoice(text);
  if (choice?.options) return { kind: 'choice', text, ...choice };
  const listCount = LIST_NOUN.exec(text) ?? LIST_COUNT.exec(text);
  if (/^(?:list|name)\b/i.test(text) || (listCount && /\b(?:list|name|what are|which|give me|share|tell me)\b/i.test(text) && LIST_NOUN.test(text))) {
    const n = listCount ? numberWord(listCount[1] ?? '') : undefined;
    return { kind: 'list', text, listTopic: listTopicOf(text), ...(n !== undefined ? { count: n } : {}) };
  }
  if (/\b(?:would|will) you pay\b|\bpay (?:[$€£₹]|\d)|\bworth (?:it )?(?:at |for )?[$€£₹]?\d/i.test(text) && readAmounts(text).length > 0) return { kind: 'price', text, price: 'accept' };
  if (WH.test(text) && PAIN_WORDS.test(text) && ABOUT_YOU.test(text)) return { kind: 'pain', text };
  if (WH.test(text) && WANT_WORDS.test(text)) return { kind: 'want', text };
  if (REACTION.test(text)) return { kind: 'reaction', text };
  if (DECIDE_VERBS.test(text)) return { kind: 'reaction', text, decide: true };
  const aboutSelf = /\b(?:describe|tell me about|walk me through)\s+(?:your|yourself|a typical|what)\b|\b(?:your|a) typical\b|\bwhat does (?:a|your) .+ look like\b|\bhow do you (?:usually|typically|normally|generally)\b|\bwhere do you (?:get|buy|shop|find|hear|go|learn|read|watch)\b|\bhow often do you\b|\bwhat(?:'s| is| was) the last\b|\bwhat (?:apps?|brands?|stores?|sites?|websites?|podcasts?|shows?) do you\b|\bwhen do you\b|\bhow do you (?:get|spend|decide|choose|pick|find|keep|manage|handle|shop|pay|buy|save|start|end|plan)\b|\bwhat do you do\b/i;
  if (aboutSelf.test(text)) return { kind: 'life', text, domain: lifeDomain(text) };
  if (AUX.test(text) && /\?\s*$/.test(text)) {
    // "Do you shop online?" is about the person's life; "Is it worth …?" asks an opinion.
    return /^(?:do|did|have|are|were) (?:you|u)\b/i.test(text) ? { kind: 'yesno', text, domain: lifeDomain(text) } : { kind: 'yesno', text };
  }
  if (/^(?:describe|tell me about)\b/i.test(lower)) return { kind: 'life', text, domain: lifeDomain(text) };
  return { kind: 'open', text };
}

/** Words that make a topic phrase unusable as a repeated phrase. */
const BAD_SUBJECT = /\b(?:what|which|how|why|would|could|should|do|does|did|me|list|name|describe|scale|rate|choose|pick)\b|^(?:i|you)\b|\bmy (?:\w+ )?(?:morning|routine|day|weekend|news)\b/i;

/** A grammatical subject phrase for `sentence`, or undefined when the engine could only mangle it. */
export function subjectOf(sentence: string): string | undefined {
  const topic = extractTopic(sentence);
  if (!topic) return undefined;
  if (topic === keywordPhrase(sentence, 5) || topic === keywordPhrase(sentence, 6)) {
    // extractTopic fell back to a bag of keywords: not a phrase
    if (!/^(?:[A-Z][\w-]*\s?)+$/.test(topic) || topic.split(/\s+/).length > 3) return undefined;
  }
  const words = topic.split(/\s+/);
  if (words.length > 12 || BAD_SUBJECT.test(topic)) return undefined;
  if (/\b(?:me|I)\s+\w+$/.test(topic) && !/ing$/.test(topic)) return undefined;
  if (/[?:;]/.test(topic)) return undefined;
  return topic;
}

const PRONOUN_ONLY = /^(?:so,?\s+|and\s+|but\s+)?(?:would|will|do|did|could|how|what|is|are|was|why)\b[^.?!]*\b(?:it|this|that|them|they|these|those|one)\b[^.?!]*[?.!]?$/i;

/** Reads one user message (see the file comment). */
export function readQuestion(message: string): QuestionRead {
  const sentences = sentencesOf(message);
  const cleaned = sentences.join(' ');
  const asks: Ask[] = [];
  const context: string[] = [];
  for (const s of sentences) {
    if (QUESTIONISH.test(s) || GREETING.test(s)) asks.push(classify(s));
    else context.push(s);
  }
  if (asks.length === 0) asks.push(classify(cleaned || message));
  // A greeting followed by a real question answers the question.
  const real = asks.filter((a) => a.kind !== 'greeting');
  const finalAsks = real.length ? real : asks;
  const first = finalAsks[0] as Ask;

  // The subject: the first ask's own object, else the context sentence's ("Your phone plan goes from …").
  let subject: string | undefined;
  if (!['life', 'list', 'greeting', 'amount', 'favourite', 'story', 'likes'].includes(first.kind)) {
    subject = subjectOf(first.text);
    if (first.kind === 'choice' || first.kind === 'price' || first.kind === 'rating') {
      const ctx = context.map((c) => contextSubject(c)).find(Boolean);
      if (ctx) subject = ctx;
      else if (first.kind !== 'price' || !subject) subject = objectOf(first.text) ?? (first.kind === 'price' ? subject : undefined);
    }
  }
  const anaphoric = !subject && PRONOUN_ONLY.test(first.text);
  const keySource = subject ?? (first.kind === 'life' ? `life ${first.domain ?? ''}` : contentWords(cleaned).map((w) => w.lower).join(' '));
  const subjectKey = [...stemSet(keySource, false)].sort().join(' ');
  const read: QuestionRead = {
    message: cleaned || message.trim(),
    asks: finalAsks,
    kind: first.kind,
    subjectKey,
    amounts: readAmounts(cleaned),
    priced: PRICED.test(cleaned),
    anaphoric,
  };
  if (subject) read.subject = subject;
  const period = periodOf(cleaned);
  if (period) read.period = period;
  return read;
}

/** "Your phone plan goes from $45 to $55." → "your phone plan" (in the answerer's words: "my phone plan"). */
function contextSubject(sentence: string): string | undefined {
  const m = /^((?:your|our|the|this|a|an|my)\s+(?:[\w'-]+\s+){0,4}?[\w'-]+)\s+(?:goes|went|is going|will go|costs?|is|are|was|has|have|just|now|increases?|rises?|drops?|launch\w*|will)\b/i.exec(sentence.trim());
  if (!m?.[1]) return undefined;
  return swapPronouns(m[1]).replace(/^(\w)/, (c) => c.toLowerCase());
}

/** The object of "… for an app that tracks …" / "rate our new loyalty program" (a grammatical noun phrase), if any. */
export function objectOf(sentence: string): string | undefined {
  const body = stripTerminal(sentence);
  const m =
    /\b(?:for|about|of|on|rate|score|grade|recommend|with)\s+((?:a|an|the|your|our|this|that|my)\s+[^,;:?]+?)(?:\s+(?:to a friend|to friends|to others|from \d.*|on a scale.*|out of \d.*|at all|per month|a month|each month|per year|a year))?$/i.exec(body) ??
    /\b(?:for|about|of|on|rate|score|grade|recommend)\s+((?:a|an|the|your|our|this|that|my)\s+[^,;:?]+?)(?:\s+(?:to|from|on|out|per|a)\b.*)?$/i.exec(body);
  if (!m?.[1]) return undefined;
  const phrase = swapPronouns(m[1].trim());
  if (phrase.split(/\s+/).length > 12 || BAD_SUBJECT.test(phrase)) return undefined;
  return phrase;
}

/** The sentence of a message that carries the question (re-exported for callers that want only that). */
export { focusSentence };
