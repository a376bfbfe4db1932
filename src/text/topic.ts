/**
 * Phrases from questions: the topic of a question as a phrase an answer can
 * repeat ("What do you think about our new app?" → "your new app"), gerunds
 * and pronoun swaps, the sentence that carries a question, keywords.
 */
import { contentWords, isStopword, stripTerminal, wordsOf } from './words.js';

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

/**
 * Question tails that say nothing about the topic. Each repetition parses one
 * way (whitespace, then at most one punctuation mark and its whitespace, then
 * a phrase): `\s*[,;:—–-]?\s*(…)\s*` split every space two ways and took
 * exponential time on "tbh tbh tbh … x" (50 characters: 3 s; 100: never).
 */
const TRAILS = /(?:\s*(?:[,;:—–-]\s*)?(?:for you|to you|in your opinion|honestly|at all|or not|though|then|tbh|ngl|right|and why|why or why not|be honest|(?:from|on a scale (?:of|from)|out of) \d+(?:\s*(?:to|-|–)\s*\d+)?))+\s*$/i;

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

/**
 * Longest sentence the topic rules look at. They are regexes run per message,
 * some unanchored (each start position is tried): on a bounded sentence each
 * costs a bounded time, whatever the message.
 */
const MAX_FOCUS_CHARS = 1000;

/** Picks the sentence of a message that carries the question (its first MAX_FOCUS_CHARS characters). */
export function focusSentence(message: string): string {
  const text = message.replace(/\s+/g, ' ').trim();
  if (!text) return '';
  const sentences = text.split(/(?<=[.!?…])\s+/u).filter((s) => s.trim());
  let idx = sentences.findIndex((s) => s.includes('?'));
  if (idx < 0) idx = 0;
  let chosen = (sentences[idx] ?? text).slice(0, MAX_FOCUS_CHARS);
  // "We're launching X. Thoughts?": the question carries no topic; use the sentence before it.
  if (contentWords(chosen).length === 0 && idx > 0) chosen = (sentences[idx - 1] ?? chosen).slice(0, MAX_FOCUS_CHARS);
  return chosen;
}

/**
 * The topic of a question as a phrase the answer can repeat: "What do you think
 * about our new app?" → "your new app"; "Would you buy a $30 plan?" → "buying a
 * $30 plan". Empty when the message carries no content words.
 */
export function extractTopic(message: string): string {
  const topic = topicOf(message);
  if (topic.length <= MAX_TOPIC_CHARS) return topic;
  const cut = topic.lastIndexOf(' ', MAX_TOPIC_CHARS);
  return `${topic.slice(0, cut > MAX_TOPIC_CHARS / 2 ? cut : MAX_TOPIC_CHARS)}…`;
}

/** Longest topic quoted back: an answer repeats its topic, and a run of a million letters is one "word". */
const MAX_TOPIC_CHARS = 160;

function topicOf(message: string): string {
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

/** Longer "words" (a run of letters without spaces) are not repeated in an answer. */
const MAX_KEYWORD_CHARS = 40;

/** Content words worth repeating in an answer: no numbers, amounts, weak adjectives/verbs or runs of letters. */
export function keywords(text: string, max = 4): string[] {
  const words = contentWords(text).filter((w) => !/^[$€£]?\d/.test(w.text) && !WEAK_WORDS.has(w.lower) && w.text.length <= MAX_KEYWORD_CHARS);
  return words.slice(0, max).map((w) => w.text);
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
