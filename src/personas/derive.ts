/**
 * Deterministic profile derivation (test keys, and the fallback when a live
 * model's answer is unusable): the built-in persona whose name, description
 * and demographics share the most words with the request is the template;
 * explicit words in the name and description then adapt its fields:
 *
 *   age            "aged 25-34", "25-34 year olds", "in their 30s", "over 65", "65+", "teen", "retiree", "college student"
 *   generation     Gen Z / Millennial / Gen X / Boomer / Silent (sets the age when none is given); else recomputed from the age
 *   life stage     retired, student, new/first-time parent, single parent, empty nester, newlywed, early career, parent
 *   occupation     C-level acronyms and "VP/Head/Director of …", or a role noun (nurse, engineer, farmer, …) with its modifiers
 *   income         an amount with $/£/€, or affluent / middle-income / low-income words
 *   education      the degree a licensed profession needs; "currently enrolled" for students
 *   place          country or city names (US, UK, Germany, India, Japan, Brazil, Nigeria, Canada, Australia, France, Mexico, Spain)
 *   urbanicity     rural / small town / suburban / urban / city
 *   gender         women/mothers → female, men/fathers → male
 * Guided fields (intermediate) then override what they name. The template's
 * statistics and population block are dropped: they describe the template's
 * population (the derived persona samples from the default, population.ts).
 * Same input, same profile.
 */
import { GUIDED_PROFILE_FIELDS, type GuidedDetails, type PersonaCategory, type PersonaProfile, type PersonaRecord, type PersonaType } from './persona-schema.js';
import { setProfileValue } from './custom-persona.js';
import { formatAgeRange, generationsFor, isExecutive, isStudent, licensedDegree, lifeStageForAge, namedGenerations, parseAgeRange, parseIncome, type CheckedField, type Range } from './consistency.js';
import { overlap, stemSet } from '../text/words.js';
import { mediaFor, scrubPlace, templatePlaceWords, textWithoutWords } from './derive-place.js';

export interface DeriveInput {
  name: string;
  description: string;
  type?: PersonaType | undefined;
  /** Guided fields given by the caller (they win over anything derived). */
  guided: GuidedDetails;
}

export interface Derived {
  profile: PersonaProfile;
  template: PersonaRecord;
  /** Fields set from explicit words (repairs change them last). */
  anchored: Set<CheckedField>;
  type: PersonaType;
  category: PersonaCategory;
  is_expert: boolean;
}

const B2B_GUIDED = ['role_segment', 'buying_stage', 'decision_role', 'mcda_weights', 'proof_types', 'alternatives', 'win_factors', 'seniority', 'industry', 'company_size', 'tech_stack', 'budget_authority', 'procurement_constraints', 'committee_mapping', 'role_title'] as const;
const B2C_GUIDED = ['life_stage', 'age_band', 'income_band', 'household_context', 'lifestyle_affinities', 'purchase_cadence'] as const;
const B2B_WORDS = /\b(?:b2b|buyer at|procurement|vendor|saas|enterprise|company|companies|firm|agency|cfo|ceo|cto|cio|ciso|cmo|coo|vp|vice president|director|head of|manager|executive|decision[- ]maker|purchasing|sourcing|it team|ops|revops)\b/i;

/** B2B when guided B2B fields or business-buying words are present, else B2C. */
export function inferType(text: string, guided: GuidedDetails): PersonaType {
  if (guided.persona_type) return guided.persona_type;
  if (B2B_GUIDED.some((k) => guided[k] !== undefined)) return 'B2B';
  if (B2C_GUIDED.some((k) => guided[k] !== undefined)) return 'B2C';
  return B2B_WORDS.test(text) ? 'B2B' : 'B2C';
}

const BUSINESS_TEMPLATE = /\b(?:company|business|manager|director|officer|chief|head|buyer|procurement|purchasing|founder|owner|engineer|analyst|strategist|counsel|consult|cfo|ciso|vp|it )/i;
const isB2BTemplate = (p: PersonaRecord) => p.category !== 'Generational' && p.category !== 'Lifestyle' && BUSINESS_TEMPLATE.test(p.profile.demographics.occupation);

function guidedText(g: GuidedDetails): string {
  return Object.entries(g)
    .filter(([k]) => k !== 'mcda_weights')
    .map(([, v]) => (Array.isArray(v) ? v.join(' ') : typeof v === 'string' ? v : ''))
    .join(' ');
}

/** A few family words the stemmer does not relate. */
const SYNONYMS: Record<string, string[]> = {
  mom: ['parent', 'famili'],
  mother: ['parent', 'famili'],
  dad: ['parent', 'famili'],
  father: ['parent', 'famili'],
  parent: ['famili'],
  toddler: ['child'],
  kid: ['child'],
  baby: ['child'],
  retire: ['retir'],
  grandparent: ['retir'],
  rancher: ['farmer', 'farm'],
  ranch: ['farm'],
  cattl: ['farm', 'livestock'],
  livestock: ['farm'],
};

function words(text: string): Set<string> {
  const out = stemSet(text, false);
  for (const w of [...out]) for (const s of SYNONYMS[w] ?? []) out.add(s);
  return out;
}

/**
 * The built-in persona closest to the text: word overlap with its name,
 * description, occupation and life stage (name words count three times),
 * plus one for an age range that overlaps an age the text gives (three less
 * for one that does not), a half for the same B2B/B2C kind, three for the
 * country the text names (same kind), three less for a retired template when
 * the text names an occupation, five for a template of the occupation the
 * text names. Ties go to the first id.
 */
export interface TemplateHints {
  /** The country the text names (ISO code): a template of that country and kind scores 3 more. */
  country?: string | null;
  /** The text names an occupation: a retired template scores 3 less. */
  working?: boolean;
  /** The occupation the text names: a template whose occupation has its last word scores 5 more. */
  occupation?: string | null;
}

export function pickTemplate(builtins: readonly PersonaRecord[], name: string, text: string, type: PersonaType, ages: Range | null = null, hints: TemplateHints = {}): PersonaRecord {
  const nameWords = words(name);
  const all = words(text);
  const head = hints.occupation?.split(' ').pop()?.toLowerCase();
  const role = head && head.length > 2 ? new RegExp(`\\b${head.replace(/[.*+?^${}()|[\]\\]/g, '')}s?\\b`, 'i') : null;
  let best: PersonaRecord | undefined;
  let bestScore = -1;
  for (const p of [...builtins].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    const d = p.profile.demographics;
    const own = words(`${p.name} ${p.description} ${d.occupation} ${d.life_stage} ${d.generation ?? ''} ${p.category}`);
    const r = parseAgeRange(d.age_range);
    const score =
      overlap(all, own) +
      2 * overlap(nameWords, words(`${p.name} ${d.occupation}`)) +
      (ages && r ? (r.min <= ages.max && r.max >= ages.min ? 1 : -3) : 0) +
      ((type === 'B2B') === isB2BTemplate(p) ? 0.5 : 0) +
      (hints.country && d.country === hints.country && (type === 'B2B') === isB2BTemplate(p) ? 3 : 0) +
      (hints.working && RETIRED.test(d.life_stage) ? -3 : 0) +
      (role?.test(d.occupation) ? 5 : 0);
    if (score > bestScore) {
      best = p;
      bestScore = score;
    }
  }
  if (!best) throw new Error('no built-in personas to derive from');
  return best;
}

// ------------------------------------------------------------ keyword readers

/** An age given bare: "Texas rancher, 55", "Maria (34)", "a founder in Lagos, 31, raising…". */
function bareAge(name: string, description: string): Range | null {
  const m = /(?:,\s*|\(|\s-\s)(\d{2})\)?\s*$/.exec(name.trim()) ?? /,\s*(\d{2})\s*(?:,|\.|$)/.exec(description);
  const age = m ? Number(m[1]) : NaN;
  return age >= 16 && age <= 99 ? { min: age - 2, max: age + 2 } : null;
}

function explicitAge(text: string): Range | null {
  const t = text.toLowerCase();
  let m = /\b(?:aged?|ages)\s+(\d{1,2})\s*(?:-|–|to)\s*(\d{1,3})\b/.exec(t) ?? /\b(\d{1,2})\s*(?:-|–|to)\s*(\d{1,2})[- ]?(?:year[- ]olds?|yo|years? old)\b/.exec(t);
  if (m) return parseAgeRange(`${m[1]}-${m[2]}`);
  m = /\bin (?:their|his|her) ((?:early|mid|late)[- ])?(\d)0s\b/.exec(t);
  if (m) return parseAgeRange(`${m[1] ?? ''}${m[2]}0s`);
  m = /\b(?:aged?|over|above|older than)\s+(\d{2})\b(?!\s*(?:%|percent|employees|people|seats|locations|countries|years? of))/.exec(t) ?? /(?<![\d$£€.,])\b(\d{2})\+(?!\s*(?:employees|people|seats|years? of))/.exec(t);
  if (m) return { min: Number(m[1]), max: Math.max(Number(m[1]) + 13, 80) };
  m = /\b(\d{2})[- ]year[- ]old\b/.exec(t);
  if (m) return { min: Math.max(0, Number(m[1]) - 2), max: Number(m[1]) + 2 };
  if (/\bteen(?:ager)?s?\b/.test(t)) return { min: 13, max: 17 };
  if (/\b(?:college|university|undergrad(?:uate)?) students?\b/.test(t)) return { min: 18, max: 23 };
  if (/\b(?:retirees?|retired|pensioners?|seniors|senior citizens?|elderly)\b/.test(t)) return { min: 65, max: 78 };
  return null;
}

const RETIRED = /\bretire/i;

const LIFE_STAGES: [RegExp, string][] = [
  [/\b(?:retirees?|retired|pensioners?)\b/i, 'retired'],
  [/\bsingle (?:parents?|moms?|mothers?|dads?|fathers?)\b/i, 'single parent with children at home'],
  [/\b(?:new|first[- ]time|expecting) (?:parents?|moms?|mothers?|dads?|fathers?)\b/i, 'young family with a first child'],
  [/\bempty[- ]nesters?\b/i, 'empty nest, children grown'],
  [/\bnewlyweds?\b/i, 'newly married'],
  [/\b(?:students?|undergrad(?:uate)?s?)\b/i, 'full-time student'],
  [/\b(?:early[- ]career|entry[- ]level|new grads?|recent graduates?)\b/i, 'early career'],
  [/\b(?:parents?|moms?|mothers?|dads?|fathers?|families)\b/i, 'parent with children at home'],
];

const ACRONYMS: Record<string, string> = {
  ceo: 'Chief Executive Officer',
  cfo: 'Chief Financial Officer',
  cto: 'Chief Technology Officer',
  cio: 'Chief Information Officer',
  ciso: 'Chief Information Security Officer',
  cmo: 'Chief Marketing Officer',
  coo: 'Chief Operating Officer',
  cro: 'Chief Revenue Officer',
  chro: 'Chief Human Resources Officer',
  cpo: 'Chief Product Officer',
};

const ROLE_NOUNS =
  'nurse practitioner|physician assistant|sales rep(?:resentative)?|small business owner|business owner|store owner|shop owner|manager|director|engineer|developer|designer|nurse|teacher|physician|doctor|surgeon|lawyer|attorney|pharmacist|dentist|veterinarian|farmer|rancher|founder|owner|driver|accountant|analyst|consultant|researcher|officer|executive|buyer|administrator|specialist|scientist|architect|technician|electrician|plumber|contractor|marketer|strategist|recruiter|planner|coordinator|representative|rep|professor|clinician|therapist|pilot|chef|cook|cashier|clerk|economist|journalist|writer|creator|influencer|freelancer|trucker|mechanic|programmer|entrepreneur|investor|banker|advisor|adviser|realtor|agent|salesperson|student|retiree|homemaker|caregiver|worker|operator|leader|lead|supervisor|principal|librarian|firefighter|paramedic|soldier|veteran|shopper|gamer|traveler|traveller|parent|mom|dad|mother|father';
const ROLE_RE = new RegExp(`\\b(${ROLE_NOUNS})s?\\b`, 'i');
/** Words that end a role's modifiers ("for", "who", "in", "rural", …). */
const BREAK = /^(?:a|an|the|for|who|that|with|in|at|of|and|or|to|from|on|by|is|are|our|their|his|her|my|your|busy|typical|young|old|older|aged?|rural|urban|suburban|small-town|local|working|retired|former|new|first-time|gen|millennial|boomer|affluent|wealthy|low-income|american|british|german|indian|japanese|brazilian|nigerian|canadian|australian|french|spanish|mexican)$/i;
/** Roles that are not occupations (they describe the person, not their job). */
const NOT_OCCUPATION = /^(?:shopper|gamer|traveler|traveller|parent|mom|dad|mother|father|retiree|student|veteran|investor|influencer|creator)$/i;

const isPlaceWord = (w: string): boolean => PLACES.some((p) => p.pattern.test(w));

/** The occupation the name or description gives; the description's when it says more of the same role ("ICU nurse" over "nurse"). */
function explicitOccupation(name: string, description: string): string | null {
  const fromName = occupationIn(name);
  const fromDescription = occupationIn(description);
  if (fromName && fromDescription) {
    const noun = (o: string) => o.split(' ').pop()!.toLowerCase();
    return noun(fromName) === noun(fromDescription) && fromDescription.length > fromName.length ? fromDescription : fromName;
  }
  return fromName ?? fromDescription;
}

function occupationIn(text: string): string | null {
  const acr = /\b(ceo|cfo|cto|cio|ciso|cmo|coo|cro|chro|cpo)s?\b/i.exec(text);
  if (acr) return ACRONYMS[acr[1]!.toLowerCase()]!;
  const vp = /\b((?:senior |executive )?(?:vp|vice president|head|director|manager|lead) of [A-Za-z&/ -]{2,40}?)(?=[,.;:()]|\s+(?:at|in|for|who|with|and)\b|$)/i.exec(text);
  if (vp) return capitalize(vp[1]!.trim());
  const m = ROLE_RE.exec(text);
  if (m && !NOT_OCCUPATION.test(m[1]!)) {
    const before = text.slice(0, m.index).split(/\s+/).filter(Boolean);
    const mods: string[] = [];
    for (let i = before.length - 1; i >= 0 && mods.length < 2; i--) {
      const w = before[i]!.replace(/[^\p{L}\p{N}&-]/gu, '');
      if (!w || BREAK.test(w) || isPlaceWord(w) || /[,.;:]$/.test(before[i]!) || /^\d/.test(w)) break;
      mods.unshift(w);
    }
    return capitalize([...mods, m[1]!.toLowerCase()].join(' '));
  }
  return null;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

function explicitIncome(text: string): string | null {
  const m = /((?:under|less than|below|over|more than|above|around|about|earning|making|income of|salary of)?\s*[$£€]\s?\d[\d,.]*\s*[km]?\+?(?:\s*(?:-|–|to)\s*[$£€]?\s?\d[\d,.]*\s*[km]?)?(?:\s*(?:a|per) (?:year|month|hour))?(?:\s*(?:household|personal|family))?(?:\s*income)?)/i.exec(text);
  if (m && parseIncome(m[1]!)) return m[1]!.trim().replace(/^(?:earning|making|income of|salary of)\s*/i, '');
  if (/\b(?:affluent|wealthy|high[- ]net[- ]worth|high[- ]income|luxury|rich)\b/i.test(text)) return '$200,000+ household income';
  if (/\b(?:low[- ]income|budget[- ]conscious|paycheck to paycheck|struggling|frugal|on a budget)\b/i.test(text)) return '$25,000-$45,000 household income';
  if (/\b(?:middle[- ]income|middle[- ]class)\b/i.test(text)) return '$50,000-$100,000 household income';
  return null;
}

interface Place {
  pattern: RegExp;
  country: string;
  name: string;
  demonym: string;
}

const PLACES: Place[] = [
  { pattern: /\b(?:uk|u\.k\.|british|britain|england|scotland|scottish|wales|welsh|london|manchester)\b/i, country: 'GB', name: 'United Kingdom', demonym: 'British' },
  { pattern: /\b(?:germany|german|berlin|munich|hamburg)\b/i, country: 'DE', name: 'Germany', demonym: 'German' },
  { pattern: /\b(?:france|french|paris|lyon)\b/i, country: 'FR', name: 'France', demonym: 'French' },
  { pattern: /\b(?:spain|spanish|madrid|barcelona)\b/i, country: 'ES', name: 'Spain', demonym: 'Spanish' },
  { pattern: /\b(?:india|indian|mumbai|delhi|bangalore|bengaluru|hyderabad|chennai)\b/i, country: 'IN', name: 'India', demonym: 'Indian' },
  { pattern: /\b(?:japan|japanese|tokyo|osaka)\b/i, country: 'JP', name: 'Japan', demonym: 'Japanese' },
  { pattern: /\b(?:brazil|brazilian|são paulo|sao paulo|rio de janeiro)\b/i, country: 'BR', name: 'Brazil', demonym: 'Brazilian' },
  { pattern: /\b(?:nigeria|nigerian|lagos|abuja)\b/i, country: 'NG', name: 'Nigeria', demonym: 'Nigerian' },
  { pattern: /\b(?:canada|canadian|toronto|vancouver|montreal)\b/i, country: 'CA', name: 'Canada', demonym: 'Canadian' },
  { pattern: /\b(?:australia|australian|sydney|melbourne)\b/i, country: 'AU', name: 'Australia', demonym: 'Australian' },
  { pattern: /\b(?:mexico|mexican|guadalajara)\b/i, country: 'MX', name: 'Mexico', demonym: 'Mexican' },
  { pattern: /\b(?:US|USA|U\.S\.)(?![a-z])|\b(?:American|United States|New York|California|Texas|Chicago|Florida)\b/, country: 'US', name: 'United States', demonym: 'American' },
];

// ------------------------------------------------------------ derivation

export function deriveProfile(builtins: readonly PersonaRecord[], input: DeriveInput, year: number): Derived {
  const text = `${input.name}. ${input.description}. ${guidedText(input.guided)}`;
  const type = input.type ?? inferType(text, input.guided);
  const own = `${input.name}. ${input.description}`;
  const generation = namedGenerations(own, year)[0];
  let ages = explicitAge(own) ?? bareAge(input.name, input.description);
  const place = PLACES.find((p) => p.pattern.test(own));
  const occupation = explicitOccupation(input.name, input.description);
  const retiree = RETIRED.test(own);
  const template = pickTemplate(builtins, input.name, text, type, ages ?? (generation ? generation.ages : null), {
    country: place?.country ?? null,
    working: occupation !== null && !retiree,
    occupation,
  });
  const profile = structuredClone(template.profile);
  profile.statistics = [];
  delete profile.population;
  const d = profile.demographics;
  const anchored = new Set<CheckedField>();
  // What of the template belongs to its own place and identity (derive-place.ts).
  const placeWords = templatePlaceWords(template, own, place && place.country === d.country ? [place.demonym, place.name] : [], Boolean(place && place.country !== d.country));

  // Age and generation.
  if (ages) anchored.add('demographics.age_range');
  else if (generation) {
    const min = Math.max(18, generation.ages.min);
    ages = { min, max: Math.max(min + 5, Math.min(generation.ages.max, min + 15)) };
    anchored.add('demographics.age_range');
  }
  const templateAges = parseAgeRange(d.age_range);
  if (ages) d.age_range = formatAgeRange(ages);
  if (generation) {
    d.generation = generation.name;
    anchored.add('demographics.generation');
  } else if (ages) d.generation = generationsFor(ages, year);

  // Life stage: the text's, else the template's unless the ages or the work say otherwise.
  const stage = LIFE_STAGES.find(([re]) => re.test(own));
  const templateRetired = RETIRED.test(d.life_stage);
  if (stage) {
    d.life_stage = stage[1];
    anchored.add('demographics.life_stage');
  } else if (ages && templateAges && (ages.max < templateAges.min || ages.min > templateAges.max)) d.life_stage = lifeStageForAge(ages);
  else if (templateRetired && occupation && !retiree) d.life_stage = lifeStageForAge(ages ?? { min: 35, max: 60 }).replace(/^retired.*/, 'working, late career');
  if (templateRetired && !RETIRED.test(d.life_stage) && /social security|pension|retire/i.test(d.income_bracket)) {
    d.income_bracket = place && place.country !== 'US' ? 'middle income for the country' : '$50,000-$100,000 household income';
  }

  // Occupation, and what a profession implies.
  // The text's own words: a template's fuller title would bring its employer along (a hospital for a manufacturer's CFO).
  if (occupation && occupation.toLowerCase() !== d.occupation.toLowerCase()) {
    d.occupation = occupation;
    anchored.add('demographics.occupation');
    const degree = licensedDegree(occupation);
    if (degree) d.education = degree;
    if (isExecutive(occupation) && (parseIncome(d.income_bracket)?.max ?? Infinity) < 150_000) d.income_bracket = '$200,000-$450,000 total compensation';
  }
  if (isStudent(d.life_stage) || isStudent(d.occupation)) {
    if (!isStudent(d.occupation)) d.occupation = `student${/\b(?:work|job)/i.test(own) ? ' with a part-time job' : ''}`;
    if (!/enrolled|pursuing|student/i.test(d.education)) d.education = 'currently enrolled in a degree program';
    if ((parseIncome(d.income_bracket)?.min ?? 0) >= 40_000) d.income_bracket = 'under $25,000 personal income';
  }

  // Income.
  const income = explicitIncome(own);
  if (income) {
    d.income_bracket = income;
    anchored.add('demographics.income_bracket');
  }

  // Place: the text's region; another country brings its own culture and media.
  if (place) {
    const city = own.match(place.pattern)?.[0];
    const generic = [place.demonym, place.name].map((x) => x.toLowerCase());
    const specific = city && /^[A-Z][a-z]/.test(city) && !generic.includes(city.toLowerCase()) && !/^(?:American|British|Britain|England|Scotland|Wales)$/.test(city) ? `${city}, ${place.name}` : null;
    if (place.country !== d.country) {
      d.country = place.country;
      d.region = specific ?? place.name;
      d.culture = place.demonym;
      // The template's household ways beyond its first clause are its own country's.
      d.household = d.household.split(/\s*;\s*/)[0] || 'varies';
      profile.media = mediaFor(place.country, builtins, isB2BTemplate, type === 'B2B');
      if (!licensedDegree(d.occupation)) d.education = 'varies; secondary school, vocational training or university';
      if (!income && parseIncome(d.income_bracket) && place.country !== 'US') d.income_bracket = `local equivalent of ${d.income_bracket}`;
    } else if (specific) {
      d.region = specific;
      d.culture = textWithoutWords(d.culture, placeWords, place.demonym);
    }
  }
  scrubPlace(profile, placeWords);
  if (/\b(?:rural|countryside|small[- ]town|farm(?:ing)? communit|ranch)/i.test(own)) d.urbanicity = 'rural';
  else if (/\bsuburb(?:s|an)?\b/i.test(own)) d.urbanicity = 'suburban';
  else if (/\b(?:urban|city|cities|downtown|metro(?:politan)?)\b/i.test(own)) d.urbanicity = 'urban';

  // Gender and household.
  if (/\b(?:women|woman|female|moms?|mothers?|she|her|ladies)\b/i.test(own)) d.gender = 'female';
  else if (/\b(?:men|man|male|dads?|fathers?|he|his)\b/i.test(own)) d.gender = 'male';
  else if (/couple/i.test(d.gender ?? '')) d.gender = 'any';
  if (stage && /parent|family|child/.test(stage[1]) && !/child|kid/i.test(d.household)) d.household = stage[1].startsWith('single') ? 'single-parent household with children' : 'household with children';
  if (!/grand/i.test(own) && !RETIRED.test(d.life_stage) && /grandchild/i.test(d.household)) d.household = d.household.split(/\s*;\s*/).filter((part) => !/grandchild/i.test(part)).join('; ') || 'varies';

  // Values the text states come first.
  const stated = statedValues(own);
  if (stated.length) profile.psychographics.values = [...new Set([...stated, ...profile.psychographics.values])].slice(0, 25);

  applyGuided(profile, input.guided, { derived: true });

  const category = categoryFor(template, own, type);
  return { profile, template, anchored, type, category, is_expert: category === 'Expert' };
}

/** "values independence and tradition", "cares (deeply) about X", "prioritizes X, Y": the values a text states. */
function statedValues(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\b(?:values|valuing|cares (?:deeply |a lot )?about|prioriti[sz]es)\s+([^.;:!?()]{3,120})/gi)) {
    for (const part of m[1]!.split(/\s*,\s*|\s+(?:and|&)\s+/)) {
      const v = part.replace(/^(?:his|her|their|its|the)\s+/i, '').replace(/\s+(?:above all|most|first)$/i, '').trim().toLowerCase();
      if (v.length >= 3 && v.length <= 60 && !/\b(?:who|which|that)\b/.test(v)) out.push(v);
    }
  }
  return out.slice(0, 6);
}

/** The template's category, unless the text does not claim expertise (Expert) or the persona is B2B (Professional). */
export function categoryFor(template: PersonaRecord, text: string, type: PersonaType): PersonaCategory {
  let category: PersonaCategory = template.category;
  if (category === 'Expert' && !/\b(?:expert|specialist|scientist|economist|researcher|professor|strategist|lawyer|counsel)\b/i.test(text)) category = type === 'B2B' ? 'Professional' : 'Lifestyle';
  if (type === 'B2B' && (category === 'Generational' || category === 'Lifestyle')) category = 'Professional';
  return category;
}

const DECISION_STYLE: Record<NonNullable<GuidedDetails['decision_role']>, string> = {
  ECONOMIC_BUYER: 'owns the budget and signs off: weighs the business case, ROI and risk',
  TECHNICAL_BUYER: 'evaluates fit, security and integration; can veto on technical grounds',
  USER_BUYER: 'will use it daily; judges on usability and time saved',
  CHAMPION: 'pushes for the purchase internally and needs proof to sell it to others',
  INFLUENCER: 'shapes the shortlist and the criteria without signing',
  BLOCKER: 'guards the status quo and looks for reasons to say no',
  GATEKEEPER: 'controls access to the decision makers and to information',
};

/**
 * Writes guided fields into a profile: the mirrored ones (GUIDED_PROFILE_FIELDS)
 * replace their profile field; role_title (with company_size and industry) sets
 * the occupation (unless `occupation: false`). With `derived`, a few profile fields the caller did not give
 * are adapted too: decision_role → decision style, mcda price weight → price
 * sensitivity. Returns the profile paths the guided fields set.
 */
export function applyGuided(profile: PersonaProfile, g: GuidedDetails, options: { derived: boolean; occupation?: boolean }): Set<CheckedField> {
  const set = new Set<CheckedField>();
  for (const [field, path] of Object.entries(GUIDED_PROFILE_FIELDS)) {
    const v = g[field as keyof typeof GUIDED_PROFILE_FIELDS];
    if (v === undefined) continue;
    setProfileValue(profile, path, Array.isArray(v) ? [...v] : v);
    set.add(path as CheckedField);
  }
  if (options.occupation !== false && (g.role_title !== undefined || (options.derived && g.role_segment !== undefined))) {
    const title = g.role_title ?? g.role_segment!.join(' or ');
    const at = [g.company_size, g.industry].filter(Boolean).join(' ');
    profile.demographics.occupation = at ? `${title} at a ${at} company` : title;
    if (g.role_title !== undefined) set.add('demographics.occupation');
  }
  if (options.derived) {
    if (g.decision_role) {
      profile.buying_behavior.decision_style = `${DECISION_STYLE[g.decision_role]}; ${profile.buying_behavior.decision_style}`;
    }
    if (g.mcda_weights) {
      const w = g.mcda_weights;
      const total = w.price + w.timeToValue + w.risk + w.proof + w.support || 1;
      const share = w.price / total;
      profile.buying_behavior.price_sensitivity = share >= 0.35 ? 'high' : share <= 0.15 ? 'low' : 'medium';
    }
    if (g.primary_objectives && g.goals === undefined) profile.goals = [...g.primary_objectives, ...profile.goals].slice(0, 8);
    if (g.tone_guardrails && !profile.communication.avoids.some((a) => g.tone_guardrails!.includes(a))) profile.communication.avoids = [...profile.communication.avoids, ...g.tone_guardrails].slice(0, 10);
  }
  return set;
}

/** A description for an intermediate persona created without one. */
export function describeGuided(type: PersonaType, g: GuidedDetails, profile: PersonaProfile): string {
  let text = `${type} persona: ${g.role_title ?? g.role_segment?.join(' / ') ?? profile.demographics.occupation}`;
  if (g.industry || g.company_size) text += ` at a ${[g.company_size, g.industry].filter(Boolean).join(' ')} company`;
  if (g.decision_role) text += `, ${g.decision_role.toLowerCase().replace(/_/g, ' ')}`;
  if (g.buying_stage) text += `, ${g.buying_stage.toLowerCase().replace(/_/g, ' ')}`;
  const out = [text, `Goals: ${profile.goals.slice(0, 2).join('; ')}`, `Pains: ${profile.pains.slice(0, 2).join('; ')}`];
  return `${out.join('. ')}.`;
}
