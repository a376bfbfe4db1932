/**
 * Small, dependency-free English word helpers shared by the sandbox engine,
 * the lexicon analyzer and persona derivation: words, stopwords, a crude
 * stemmer with a few concept groups (so "cheap" meets "price"), overlap of
 * stem sets, and sentence-level punctuation helpers.
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
    const raw = m[0].replace(/['’.-]+$/u, '');
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

/** Texts whose stemSetOf is kept, and the longest kept. */
const STEM_SET_CACHE_SIZE = 2048;
const STEM_SET_CACHE_CHARS = 2000;
const stemSets = new Map<string, ReadonlySet<string>>();

/**
 * stemSet(text) with concept tags, remembered: the sandbox engine asks for the same profile
 * phrases and question texts on every answer (a focus group: every respondent of a persona,
 * every question), and each call built the set again. Read-only: a caller that adds to the
 * set uses stemSet. At most STEM_SET_CACHE_SIZE texts of up to STEM_SET_CACHE_CHARS are kept
 * (emptied when full).
 */
export function stemSetOf(text: string): ReadonlySet<string> {
  let set = stemSets.get(text);
  if (set !== undefined) return set;
  set = stemSet(text);
  if (text.length <= STEM_SET_CACHE_CHARS) {
    if (stemSets.size >= STEM_SET_CACHE_SIZE) stemSets.clear();
    stemSets.set(text, set);
  }
  return set;
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
