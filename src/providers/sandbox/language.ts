/**
 * Small, dependency-free English helpers for the sandbox engine: words,
 * stopwords, a crude stemmer with a few concept groups (so "cheap" meets
 * "price"), topic extraction from a question, gerunds and pronoun swaps.
 * Good enough to make offline answers plausibly about what was asked.
 */

const STOPWORDS = new Set(
  `a about above actually after again against all almost also am an and any anybody anyone anything are aren't around as at
  be because been before being below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't
  done down during each either else enough etc even ever every everyone everything few for from further get gets getting give go
  going gonna got had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself him himself his how
  how's however i i'd i'll i'm i've if in into is isn't it it's its itself just kind let let's like likely lot lots make
  makes many maybe me might mine more most much must mustn't my myself need needs no nor not now of off often ok okay on once
  one only or other ought our ours ourselves out over own please pretty probably quite rather really right said same say says
  shall shan't she she'd she'll she's should shouldn't so some someone something sort still such sure tell than that that's
  the their theirs them themselves then there there's these they they'd they'll they're they've thing things think this those
  though through thus to too u under until up upon ur us use used using very via want wanna was wasn't way we we'd we'll
  we're we've well were weren't what what's whatever when when's where where's whether which while who who's whom whose why
  why's will with within without won't would wouldn't yeah yes yet you you'd you'll you're you've your yours yourself
  yourselves feel thoughts opinion opinions honest honestly hey hi hello thanks thank guys anyway overall`
    .split(/\s+/)
    .filter(Boolean),
);

/** Concept groups: any member's stem also yields the `#group` tag, so related words overlap. */
const CONCEPTS: Record<string, string[]> = {
  money: `price prices pricing cost costs costly expensive cheap cheaper afford affordable money budget pay paying paid dollar
    dollars subscription subscriptions fee fees discount discounts deal deals debt rent salary income spend spending value worth
    savings save refund premium dupe dupes`.split(/\s+/),
  trust: `trust trusted ad ads advert advertising marketing marketed authentic authenticity fake scripted influencer influencers
    review reviews rating ratings honest hype credible credibility proof transparency transparent`.split(/\s+/),
  green: `sustainable sustainability green eco environment environmental climate greenwashing recycled recycle carbon ethical
    planet waste`.split(/\s+/),
  health: `health healthy mental wellness wellbeing stress anxiety anxious fitness sleep burnout therapy diet`.split(/\s+/),
  tech: `app apps software tool tools platform platforms digital online phone mobile website ai automation device devices
    tech technology feature features`.split(/\s+/),
  work: `job jobs career work working office team teams manager boss employer employee hiring salary workplace colleague
    colleagues`.split(/\s+/),
  time: `time fast faster quick quickly slow busy convenience convenient schedule hours minutes`.split(/\s+/),
  social: `tiktok instagram youtube facebook linkedin twitter reddit snapchat discord social creator creators community
    friends`.split(/\s+/),
  brand: `brand brands loyalty loyal switch switching competitor competitors company companies`.split(/\s+/),
  shopping: `buy buying bought purchase purchases purchasing shop shopping checkout order store stores product products
    customer customers`.split(/\s+/),
};

const CONCEPT_OF = new Map<string, string[]>();
for (const [group, words] of Object.entries(CONCEPTS)) {
  for (const w of words) {
    const s = stem(w);
    const list = CONCEPT_OF.get(s) ?? [];
    list.push(`#${group}`);
    CONCEPT_OF.set(s, list);
  }
}

export interface Word {
  text: string;
  lower: string;
  index: number;
}

const WORD_RE = /[\p{L}\p{N}$][\p{L}\p{N}'’$%.-]*/gu;

/** Words in order with their offsets; trailing apostrophes, dots and dashes are trimmed. */
export function wordsOf(text: string): Word[] {
  const out: Word[] = [];
  for (const m of text.matchAll(WORD_RE)) {
    const raw = m[0].replace(/['’.\-]+$/u, '');
    if (!raw) continue;
    out.push({ text: raw, lower: raw.toLowerCase().replace(/’/g, "'"), index: m.index ?? 0 });
  }
  return out;
}

export function isStopword(word: string): boolean {
  return STOPWORDS.has(word.toLowerCase().replace(/’/g, "'"));
}

/** A deliberately crude suffix stemmer: enough for "reviews" ~ "review", "pricing" ~ "price". */
export function stem(word: string): string {
  let w = word.toLowerCase().replace(/’/g, "'").replace(/'s$/, '');
  if (w.length <= 3) return w;
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`;
  else if (/(?:sses|xes|ches|shes|zes)$/.test(w)) w = w.slice(0, -2);
  else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) w = w.slice(0, -1);
  if (w.endsWith('ing') && w.length > 5) {
    w = w.slice(0, -3);
    if (/([b-df-hj-np-tv-z])\1$/.test(w)) w = w.slice(0, -1);
  } else if (w.endsWith('ed') && w.length > 4) {
    w = w.slice(0, -2);
    if (/([b-df-hj-np-tv-z])\1$/.test(w)) w = w.slice(0, -1);
  }
  if (w.endsWith('e') && w.length > 3) w = w.slice(0, -1);
  return w;
}

/** Content words (no stopwords, no 1–2 letter words unless digits) in order, without repeats. */
export function contentWords(text: string): Word[] {
  const seen = new Set<string>();
  const out: Word[] = [];
  for (const w of wordsOf(text)) {
    if (isStopword(w.lower)) continue;
    if (w.lower.length < 3 && !/\d/.test(w.lower)) continue;
    if (seen.has(w.lower)) continue;
    seen.add(w.lower);
    out.push(w);
  }
  return out;
}

/** Stems of the content words plus their concept tags. */
export function stemSet(text: string, withConcepts = true): Set<string> {
  const out = new Set<string>();
  for (const w of contentWords(text)) {
    const s = stem(w.lower);
    out.add(s);
    if (withConcepts) for (const c of CONCEPT_OF.get(s) ?? []) out.add(c);
    // hyphenated words also count by their parts: "eco-friendly" ~ "eco"
    if (w.lower.includes('-')) {
      for (const part of w.lower.split('-')) {
        if (part.length < 3 || isStopword(part)) continue;
        const ps = stem(part);
        out.add(ps);
        if (withConcepts) for (const c of CONCEPT_OF.get(ps) ?? []) out.add(c);
      }
    }
  }
  return out;
}

export function overlap(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let n = 0;
  for (const x of a) if (b.has(x)) n++;
  return n;
}

/** Identifier → lowercase words: `getWeather`, `get_weather`, `get-weather` → ['get', 'weather']. */
export function identifierWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .map((w) => w.toLowerCase())
    .filter(Boolean);
}

export function capitalize(text: string): string {
  const first = text.codePointAt(0);
  if (first === undefined) return text;
  const ch = String.fromCodePoint(first);
  return ch.toUpperCase() + text.slice(ch.length);
}

/** Ensures terminal punctuation. */
export function sentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  return /[.!?…]["'”’)]?$/u.test(t) ? t : `${t}.`;
}

export function stripTerminal(text: string): string {
  return text.trim().replace(/[\s.!?…,;:]+$/u, '');
}

/** "buy" → "buying", "price" → "pricing", "get" → "getting", "try" → "trying". */
export function gerund(verb: string): string {
  const v = verb.toLowerCase();
  const irregular: Record<string, string> = { be: 'being', see: 'seeing', lie: 'lying', die: 'dying', tie: 'tying', do: 'doing', go: 'going' };
  if (irregular[v]) return irregular[v];
  if (v.endsWith('ing') && v.length > 5) return verb;
  if (v.endsWith('ie')) return `${verb.slice(0, -2)}ying`;
  if (v.endsWith('e') && !/(?:ee|ye|oe)$/.test(v)) return `${verb.slice(0, -1)}ing`;
  if (v.length <= 4 && /^[^aeiou]*[aeiou][b-df-hj-np-tv-z]$/.test(v) && !/[wxy]$/.test(v)) return `${verb}${verb.slice(-1)}ing`;
  return `${verb}ing`;
}

const SWAP: Record<string, string> = {
  i: 'you', me: 'you', my: 'your', mine: 'yours', myself: 'yourself',
  we: 'you', us: 'you', our: 'your', ours: 'yours', ourselves: 'yourselves',
  "i'm": "you're", "we're": "you're", "i've": "you've", "we've": "you've", "i'd": "you'd", "we'd": "you'd", "i'll": "you'll", "we'll": "you'll",
  your: 'my', yours: 'mine', yourself: 'myself', ur: 'my',
  "you're": "I'm", "you've": "I've", "you'd": "I'd", "you'll": "I'll",
  am: 'are',
};
const SUBJECT_CONTEXT = new Set(['what', 'how', 'why', 'when', 'where', 'if', 'that', 'which', 'who', 'because', 'and', 'or', 'would', 'do', 'did', 'could', 'should', 'can', 'will', 'whether']);

/** Swaps first and second person so the answerer can repeat the asker's words. */
export function swapPronouns(text: string): string {
  const tokens = text.split(/(\s+)/);
  let prev = '';
  return tokens
    .map((tok) => {
      if (/^\s+$/.test(tok) || tok === '') return tok;
      const m = /^([("'“]*)([\p{L}'’]+)(.*)$/u.exec(tok);
      if (!m) {
        prev = tok.toLowerCase();
        return tok;
      }
      const [, pre = '', word = '', post = ''] = m;
      const lower = word.toLowerCase().replace(/’/g, "'");
      let out: string | undefined;
      if (lower === 'you' || lower === 'u') out = prev === '' || SUBJECT_CONTEXT.has(prev) ? 'I' : 'me';
      else if (lower === 'am') out = prev === 'i' ? 'are' : word;
      else out = SWAP[lower];
      prev = lower;
      if (out === undefined) return tok;
      return `${pre}${out}${post}`;
    })
    .join('');
}

interface LeadPattern {
  re: RegExp;
  /** The remainder starts with a bare verb that should become a gerund ("buy X" → "buying X"). */
  verbNext?: boolean;
}

const LEADS: LeadPattern[] = [
  { re: /^(?:so|ok(?:ay)?|hey|hi|hello|well|um+|hmm+|honestly|quick question|question|real talk|be honest|please|alright|right|also|and|but)\b[\s,:;!.—–-]*/i },
  { re: /^(?:in your opinion|as a customer|from your perspective|personally|be honest|honestly)\b[\s,:;—–-]*/i },
  { re: /^(?:what|how) (?:do|would|did|does|will) (?:you|u|people|customers|users) (?:honestly |really |personally |genuinely )?(?:think|feel) (?:about|of|regarding|on|towards?)\s+/i },
  { re: /^what(?:'s|’s| is| are| would be| was) (?:your|ur) (?:honest |first |overall |gut |initial |quick )?(?:take|thoughts?|opinion|view|views|impression|reaction|feeling|feelings|feedback|perspective|verdict|stance) (?:on|of|about|regarding|for|towards?)\s+/i },
  { re: /^(?:can|could|would|will) (?:you|u) (?:please )?(?:tell me|explain|describe|summarize|walk me through|help me (?:with|understand)|give me (?:your )?(?:thoughts|feedback|an overview|a summary|your take) (?:on|of|about)|share (?:your )?(?:thoughts|feedback) (?:on|about)|review|evaluate|assess|compare)\s*(?:about\s+|more about\s+)?/i },
  { re: /^(?:tell me|talk to me|explain|describe|summarize|review|evaluate|assess|compare|rate|critique|grade|score|judge|analy[sz]e|give me (?:your )?(?:thoughts|feedback|take) (?:on|about)|give (?:some )?feedback on)\s+(?:more\s+)?(?:about\s+)?/i },
  { re: /^how (?:likely|willing|interested|open|ready|excited|comfortable|inclined) (?:are|would|were) (?:you|u) (?:be )?(?:to )?/i, verbNext: true },
  { re: /^what would (?:make|get|convince|persuade|push) (?:you|u) (?:to )?/i, verbNext: true },
  { re: /^(?:are|were) (?:you|u) (?:planning|thinking|going|hoping|looking|trying|about|considering)(?: (?:on|to|of|about))?\s+/i, verbNext: true },
  { re: /^would (?:you|u) rather\s+/i, verbNext: true },
  { re: /^(?:are|would) (?:you|u) (?:be )?(?:interested in|into|excited about|open to|comfortable with|worried about|familiar with|a fan of|happy with|ok with|okay with|willing to)\s+/i },
  { re: /^(?:would|will|do|did|could|should|might|have) (?:you|u) (?:ever |actually |still |really |seriously |personally )?(?:consider )?(?:like|want|need|prefer|love|enjoy)\s+(?:to\s+)?/i },
  // "Would you consider new vendors?": what follows "consider" is its object, not a verb.
  { re: /^(?:would|will|do|did|could|should|might|have) (?:you|u) (?:ever |actually |still |really |seriously |personally )?consider\s+/i },
  { re: /^(?:would|will|do|did|could|should|might|have) (?:you|u) (?:ever |actually |still |really |seriously |personally )?/i, verbNext: true },
  { re: /^how (?:often|much|many times|frequently) (?:do|would|did|does|will|should|can) (?:you|u|people|customers|users|we|i|they)\s+/i, verbNext: true },
  { re: /^(?:should|can|could|would|shall|do) (?:i|we)\s+/i, verbNext: true },
  { re: /^(?:how|where|when) (?:should|do|can|could|would|might|will|to) (?:i|we|you|u|one|they|people)?\s*/i, verbNext: true },
  { re: /^how to\s+/i, verbNext: true },
  { re: /^(?:i|we)(?:'m|’m|'re|’re| am| are) (?:thinking (?:of|about)|planning (?:on|to)|considering|about to|going to|trying to|looking to|hoping to)\s+/i, verbNext: true },
  { re: /^(?:i|we)(?:'m|’m|'re|’re| am| are)\s+(?=\w+ing\b)/i },
  { re: /^(?:i|we)(?:'ve|’ve| have)?\s*(?:just\s+)?(?:built|made|created|designed|developed|launched|started|released|got|bought|found)\s+/i },
  { re: /^(?:please\s+)?(?:send|write|draft|compose|email|post|text|message|create|make|prepare|generate|plan)\b.*?\b(?:about|regarding|on the topic of)\s+/i },
  { re: /^(?:what|which) (?:is|are|was|were)\s+/i },
  { re: /^(?:what|which)(?:'s|’s)\s+/i },
  { re: /^(?:is|are) there\s+/i },
];

/** Question tails that say nothing about the topic. */
const TRAILS = /(?:\s*[,;:—–-]?\s*(?:for you|to you|in your opinion|honestly|at all|or not|though|then|tbh|ngl|right|and why|why or why not|be honest|(?:from|on a scale (?:of|from)|out of) \d+(?:\s*(?:to|-|–)\s*\d+)?)\s*)+$/i;

const WORTH_RE = /^(?:is|are|was|were|would|will) (.+?) (?:be )?(?:(worth\b.*)|a good idea|any good|good value|a good deal|overrated|overpriced|a scam|legit)$/i;

const AUX_START = /^(?:is|are|was|were|does|do|did|can|could|will|would|should|has|have|isn't|aren't|doesn't|don't)\s+/i;
/** Words that end the subject of a yes/no question ("Is TikTok | a good place…"). */
const PREDICATE_START = new Set(
  `a an the good bad great worth still really better worse best worst popular too actually any enough ready able going likely
  used use using need needed make made help helps worth overrated overpriced legit safe worth necessary important
  useful effective easy hard difficult better right wrong ok okay fine cool becoming getting`.split(/\s+/),
);

const DETERMINERS = new Set(['a', 'an', 'the', 'your', 'my', 'our', 'this', 'that', 'these', 'those', 'their', 'his', 'her', 'its']);
const ADVERBS = new Set(['really', 'actually', 'ever', 'still', 'honestly', 'even', 'already', 'usually', 'typically', 'generally', 'also', 'often', 'always', 'sometimes', 'normally', 'personally']);
const PAST: Record<string, string> = { used: 'using', bought: 'buying', been: 'being', had: 'having', made: 'making', seen: 'seeing', heard: 'hearing', paid: 'paying', got: 'getting', gotten: 'getting', done: 'doing', gone: 'going', taken: 'taking', tried: 'trying', thought: 'thinking', felt: 'feeling', found: 'finding', read: 'reading', sold: 'selling', spent: 'spending', built: 'building', left: 'leaving', chosen: 'choosing', known: 'knowing' };

/** Common words that start a noun phrase, never a verb to turn into a gerund ("new vendors", not "newing vendors"). */
const NOT_VERBS = new Set(
  `new old big small more less fewer cheap cheaper expensive free good bad better best worse other same different all some any
  every many much few local online premium extra public private green second electric digital`.split(/\s+/),
);
/** Stopwords that are verbs after "would you / should we" ("use X" → "using X"). */
const VERB_STOPWORDS = new Set(['use', 'get', 'give', 'go', 'make', 'need', 'want', 'say', 'tell', 'let', 'think', 'do', 'have']);

/** A verb form after "would you / have you ever / should we" as a gerund: "buy" → "buying", "used" → "using". */
function toGerund(word: string): string {
  const w = word.toLowerCase();
  if (PAST[w]) return PAST[w];
  if (w.endsWith('ing') && w.length > 5) return word;
  if (w.endsWith('ied') && w.length > 4) return `${word.slice(0, -3)}ying`;
  if (w.endsWith('ed') && w.length > 4) return `${word.slice(0, -2)}ing`;
  return gerund(word);
}

/** Verbs that often follow a subject of several words in a yes/no question. */
const COMMON_VERBS = new Set(
  `make makes help helps get gets let lets keep keeps change changes replace replaces improve improves affect affects cost costs
  need needs want wants work works become becomes matter matters save saves hurt hurts win wins sell sells offer offers use uses
  give gives take takes bring brings drive drives push pushes stop stops convince convinces encourage encourages`.split(/\s+/),
);

/** "Can AI replace designers" → "AI replacing designers"; "Does your team use Slack" → "your team using Slack". */
function modalClause(t: string): string | undefined {
  const words = t.replace(AUX_START, '').split(/\s+/).filter(Boolean);
  if (words.length < 3) return undefined;
  let i = 0;
  const subject: string[] = [];
  if (DETERMINERS.has((words[0] ?? '').toLowerCase())) subject.push(words[i++] as string);
  subject.push(words[i++] as string);
  // A longer subject ("a loyalty program | make you…"): up to the first common verb a few words on.
  const far = words.slice(i, i + 3).findIndex((w) => COMMON_VERBS.has(w.toLowerCase()));
  if (far > 0) {
    subject.push(...words.slice(i, i + far));
    i += far;
  }
  while (i < words.length && ADVERBS.has((words[i] ?? '').toLowerCase())) i++;
  const verb = words[i];
  if (!verb || !/^[a-z]+$/.test(verb) || DETERMINERS.has(verb)) return undefined;
  return [...subject, toGerund(verb), ...words.slice(i + 1)].join(' ');
}

/** "Is TikTok a good place to advertise" → "TikTok"; "Are subscription boxes still popular" → "subscription boxes". */
function yesNoSubject(t: string): string {
  if (/^(?:does|do|did|can|could|will|would|should|doesn't|don't)\s/i.test(t)) {
    const clause = modalClause(t);
    if (clause) return clause;
  }
  const rest = t.replace(AUX_START, '');
  const words = rest.split(/\s+/);
  const out: string[] = [];
  for (const [i, w] of words.entries()) {
    const lw = w.toLowerCase();
    if (i === 0 && ['a', 'an', 'the', 'your', 'my', 'our', 'this', 'that', 'these', 'those'].includes(lw)) {
      out.push(w);
      continue;
    }
    if (out.length > 0 && PREDICATE_START.has(lw) && out.some((x) => !isStopword(x))) break;
    out.push(w);
  }
  return out.join(' ');
}

/** Picks the sentence of a message that carries the question. */
export function focusSentence(message: string): string {
  const text = message.replace(/\s+/g, ' ').trim();
  if (!text) return '';
  const sentences = text.split(/(?<=[.!?…])\s+/u).filter((s) => s.trim());
  let idx = sentences.findIndex((s) => s.includes('?'));
  if (idx < 0) idx = 0;
  let chosen = sentences[idx] ?? text;
  // "We're launching X. Thoughts?": the question carries no topic; use the sentence before it.
  if (contentWords(chosen).length === 0 && idx > 0) chosen = sentences[idx - 1] ?? chosen;
  return chosen;
}

/**
 * The topic of a question as a phrase the answer can repeat: "What do you think
 * about our new app?" → "your new app"; "Would you buy a $30 plan?" → "buying a
 * $30 plan". Empty when the message carries no content words.
 */
export function extractTopic(message: string): string {
  let t = stripTerminal(focusSentence(message)).replace(/^["'“‘(]+|["'”’)]+$/gu, '').trim();
  if (!t) return '';
  let verbNext = false;
  for (let pass = 0; pass < 4; pass++) {
    let changed = false;
    for (const lead of LEADS) {
      const m = lead.re.exec(t);
      if (m && m[0].length > 0 && m[0].length < t.length) {
        t = t.slice(m[0].length).trim();
        if (lead.verbNext) verbNext = true;
        changed = true;
        break;
      }
    }
    // After "should we / would you …" comes the verb itself: "How should we evaluate X" → "evaluating X",
    // not another lead to strip ("evaluate" also starts imperative requests).
    if (!changed || verbNext) break;
  }
  t = t.replace(/^(.+?)\s+like(?=\s+(?:in|at|on|for|today|tomorrow|now|these days|right now)\b)/i, '$1');
  const worth = WORTH_RE.exec(t);
  if (worth?.[1]) {
    const amount = worth[2] ? /[$€£]\s?\d[\d,.]*(?:\s+(?:a|per)\s+\w+)?/.exec(worth[2])?.[0] : undefined;
    t = amount ? `${worth[1]} at ${amount}` : worth[1];
  } else if (AUX_START.test(t)) t = yesNoSubject(t);
  t = t.replace(TRAILS, '').trim();
  t = stripTerminal(t);
  if (verbNext) {
    // "usually discover new brands" → "discover new brands"
    const words = t.split(' ');
    while (words.length > 1 && ADVERBS.has((words[0] ?? '').toLowerCase())) words.shift();
    t = words.join(' ');
    const m = /^([A-Za-z]+)(\b.*)$/s.exec(t);
    const w = m?.[1];
    const lw = w?.toLowerCase() ?? '';
    if (w && !/ing$/i.test(w) && !NOT_VERBS.has(lw) && (!isStopword(w) || VERB_STOPWORDS.has(lw) || PAST[lw] || /ed$/i.test(w))) {
      t = `${toGerund(lw)}${m?.[2] ?? ''}`;
      // "rent or buy a home" → "renting or buying a home"
      t = t.replace(/^(\w+ing) or ([a-z]+)\b/, (all, first: string, second: string) =>
        isStopword(second) || NOT_VERBS.has(second) || second.endsWith('ing') ? all : `${first} or ${toGerund(second)}`,
      );
    }
  }
  t = swapPronouns(t);
  // lowercase a sentence-initial common word ("The new plan" → "the new plan"), keep proper nouns
  const first = /^([A-Za-z][a-z'’]*)(?![A-Za-z])/.exec(t)?.[1];
  if (first && (isStopword(first) || /ing$/.test(first)) && first !== 'I') t = t.charAt(0).toLowerCase() + t.slice(1);
  const words = wordsOf(t);
  if (words.length === 0 || contentWords(t).length === 0) return keywordPhrase(message, 5);
  if (words.length > 14) return keywordPhrase(message, 6);
  return t;
}

/** The first content words of a text, joined: a fallback topic. */
export function keywordPhrase(text: string, max: number): string {
  return contentWords(focusSentence(text) || text)
    .slice(0, max)
    .map((w) => w.text)
    .join(' ');
}

/** Adjectives and verbs that make poor stand-alone keywords. */
export const WEAK_WORDS = new Set(
  `new good best great big small better old first last next own real high low free full open main top easy hard long short little
  nice cool favorite favourite different important possible able pay paying buy buying price launch launching start build make use
  try sell worth cheap expensive month year week day today tomorrow tonight book find search show tell give send create check
  look list add set call help need want get order reserve schedule`.split(/\s+/),
);

/** Content words worth repeating in an answer: no numbers, amounts or weak adjectives/verbs. */
export function keywords(text: string, max = 4): string[] {
  const words = contentWords(text).filter((w) => !/^[$€£]?\d/.test(w.text) && !WEAK_WORDS.has(w.lower));
  return words.slice(0, max).map((w) => w.text);
}

const NOT_PLACES = new Set(
  `i what when where why how who which is are do does did can could would should will the a an and or but if please hey hi hello
  monday tuesday wednesday thursday friday saturday sunday january february march april may june july august september october
  november december today tomorrow yesterday celsius fahrenheit ok okay thanks thank also tell give show find get search look
  check compare list send book make create let use using ai api`.split(/\s+/),
);

export interface Place {
  text: string;
  index: number;
}

/**
 * Place-like names in a message: runs of capitalized words ("New York"), best
 * first when they follow "in/at/near/to/from/for"; lowercase words after those
 * prepositions are a fallback ("weather in paris" → "Paris").
 */
export function extractPlaces(message: string, exclude: ReadonlySet<string> = new Set()): Place[] {
  const found: Array<Place & { score: number }> = [];
  const re = /\b([A-Z][\p{L}'’.-]*(?:\s+(?:de|del|da|do|la|le|of|upon|am|sur)?\s*[A-Z][\p{L}'’.-]*)*)/gu;
  for (const m of message.matchAll(re)) {
    const text = (m[1] ?? '').replace(/['’]s$/u, '').replace(/[.'’-]+$/u, '').trim();
    const idx = m.index ?? 0;
    const words = text.split(/\s+/);
    // drop a leading non-place word ("What Paris" never happens, but "Is Paris" at sentence start can)
    while (words.length && (NOT_PLACES.has((words[0] ?? '').toLowerCase()) || exclude.has((words[0] ?? '').toLowerCase()))) words.shift();
    const clean = words.join(' ');
    if (!clean || clean.length < 2 || NOT_PLACES.has(clean.toLowerCase()) || exclude.has(clean.toLowerCase())) continue;
    if (/^[A-Z0-9]{2,}$/.test(clean) && clean.length <= 5) continue; // tickers and acronyms
    const before = message.slice(Math.max(0, idx - 8), idx).toLowerCase();
    const sentenceStart = idx === 0 || /[.!?]\s*$/.test(message.slice(0, idx));
    let score = /\b(?:in|at|near|to|from|for|around|visit|of)\s+$/.test(before) ? 3 : 1;
    if (sentenceStart && score === 1) score = 0.5;
    found.push({ text: clean, index: idx + (text.length - clean.length), score });
  }
  if (found.length === 0) {
    for (const m of message.matchAll(/\b(?:in|at|near|around)\s+([a-z][a-z'-]{2,}(?:\s+[a-z][a-z'-]{2,})?)/g)) {
      const raw = (m[1] ?? '').split(/\s+/).filter((w) => !isStopword(w) && !NOT_PLACES.has(w));
      if (raw.length === 0) continue;
      const text = raw.map((w) => capitalize(w)).join(' ');
      if (exclude.has(text.toLowerCase())) continue;
      found.push({ text, index: m.index ?? 0, score: 1 });
    }
  }
  return found.sort((a, b) => b.score - a.score || a.index - b.index).map(({ text, index }) => ({ text, index }));
}

/** Plain numbers in a message (not money amounts: see extractAmounts). */
export function extractNumbers(message: string): number[] {
  return [...message.matchAll(/(?<![\p{L}\d.$€£,])-?\d+(?:\.\d+)?(?![\p{L}\d%])/gu)]
    .filter((m) => !/^\s*(?:dollars?|usd|eur|euros?|bucks|gbp)\b/i.test(message.slice((m.index ?? 0) + m[0].length)))
    .map((m) => Number(m[0]))
    .filter((n) => Number.isFinite(n));
}

/** Money amounts: "$149", "€20", "49.99 dollars", "$1,200". */
export function extractAmounts(message: string): number[] {
  const out: number[] = [];
  for (const m of message.matchAll(/[$€£]\s?(\d[\d,]*(?:\.\d+)?)|(\d[\d,]*(?:\.\d+)?)\s*(?:dollars?|usd|eur|euros?|bucks|gbp)\b/giu)) {
    const n = Number((m[1] ?? m[2] ?? '').replace(/,/g, ''));
    if (Number.isFinite(n)) out.push(n);
  }
  return out;
}

export function extractEmail(message: string): string | undefined {
  return /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/.exec(message)?.[0];
}

export function extractUrl(message: string): string | undefined {
  return /\bhttps?:\/\/[^\s"'<>)]+/.exec(message)?.[0]?.replace(/[.,;:!?]+$/, '');
}

export function extractQuoted(message: string): string | undefined {
  const m = /["“']([^"“”']{2,200})["”']/.exec(message);
  return m?.[1]?.trim() || undefined;
}

/** "Can you search the docs for refund policy?" → "refund policy"; otherwise the message itself. */
export function extractQuery(message: string): string {
  const quoted = extractQuoted(message);
  if (quoted) return quoted;
  let t = message.replace(/\s+/g, ' ').trim();
  t = t.replace(/^(?:hey|hi|hello|please|ok(?:ay)?|so)\b[\s,!.]*/i, '');
  t = t.replace(/^(?:can|could|would|will) (?:you|u) (?:please )?/i, '');
  t = t.replace(/^please\s+/i, '');
  const m = /^(?:search|look up|lookup|find|google|query|research|check)\b(?:\s+(?:the web|online|the docs|the internet|our docs|the database|for me))?(?:\s+(?:for|about|on))?\s+(.+)$/i.exec(t);
  if (m?.[1]) t = m[1];
  t = stripTerminal(t);
  return t || message.trim();
}

export function slugify(text: string, max = 40): string {
  const s = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return s.slice(0, max).replace(/-+$/, '') || 'item';
}

/** Cuts at a word boundary to at most `max` characters (code points), without a trailing space. */
export function clipWords(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  const cut = chars.slice(0, max).join('');
  const sp = cut.lastIndexOf(' ');
  return (sp > max * 0.5 ? cut.slice(0, sp) : cut).replace(/[\s,;:]+$/u, '');
}

export type QuestionKind = 'evaluate' | 'pain' | 'want';

const WH_START = /^(?:(?:so|ok(?:ay)?|hey|honestly|and|but|quick question)[\s,]+)*(?:what|which|how|why|where|when|tell me|describe|name)\b/i;
const PAIN_WORDS = /\b(?:frustrat\w*|annoy\w*|worr\w*|bother\w*|concerns?|pain\s?points?|problems?|challenges?|struggl\w*|hate|dislike|fears?|afraid|stress\w*|hardest|difficult\w*|biggest issues?|complain\w*|drives? you crazy|keeps? you up|downsides?|headaches?)\b/i;
const WANT_WORDS = /\b(?:look(?:ing)? for|want|need|value|care about|matters?|important|priorit\w*|motivat\w*|excites?|convince|win you over|make you (?:buy|switch|try|choose)|ideal|dream|wish)\b/i;

/** What a question asks for: an evaluation of something (default), the asker's pains, or what they want. */
export function questionKind(message: string): QuestionKind {
  const focus = focusSentence(message);
  if (!WH_START.test(focus)) return 'evaluate';
  if (PAIN_WORDS.test(focus)) return 'pain';
  if (WANT_WORDS.test(focus)) return 'want';
  return 'evaluate';
}

/** The thing a wh-question is about: "What frustrates you about healthcare costs?" → "healthcare costs". */
export function extractSubject(message: string): string | undefined {
  const focus = stripTerminal(focusSentence(message));
  const m = /\b(?:about|with|in|when it comes to|from|for|regarding|around|of)\s+(.+)$/i.exec(focus);
  if (!m?.[1]) return undefined;
  let raw = m[1].replace(TRAILS, '').trim();
  for (let i = 0; i < 3; i++) raw = raw.replace(/^(?:in|on|at|with|about|for|from|of|when it comes to)\s+/i, '');
  const subject = swapPronouns(raw);
  return contentWords(subject).length ? subject : undefined;
}

/** A clock time in a message as HH:MM (24h): "7pm" → "19:00", "at 18:30" → "18:30". */
export function extractClockTime(message: string): string | undefined {
  const ampm = /\b(1[0-2]|0?[1-9])(?::([0-5]\d))?\s*(am|pm|a\.m\.|p\.m\.)(?![\p{L}])/iu.exec(message);
  if (ampm) {
    let h = Number(ampm[1]) % 12;
    if (/^p/i.test(ampm[3] ?? '')) h += 12;
    return `${String(h).padStart(2, '0')}:${ampm[2] ?? '00'}`;
  }
  const h24 = /\b([01]?\d|2[0-3]):([0-5]\d)\b/.exec(message);
  if (h24) return `${String(Number(h24[1])).padStart(2, '0')}:${h24[2]}`;
  if (/\bnoon\b/i.test(message)) return '12:00';
  return undefined;
}
