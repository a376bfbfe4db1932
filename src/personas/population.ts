/**
 * A persona's population model and the respondents sampled from it.
 *
 * A focus-group respondent is an individual of its persona, not a copy: it has
 * its own age within the persona's band, gender, region, income, household and
 * trait draws. `populationOf(profile)` is the complete model a study samples
 * from: the persona's own `population` block where it has one, the default
 * derived from the profile (`defaultPopulation`) for every part it leaves out.
 * `sampleRespondent(persona, rng)` draws one respondent from it.
 *
 * The default derivation (used for custom personas and any part a block omits):
 *   age        the profile's `age_range` (unreadable: 25–54; open-ended "65+": 20
 *              years wide) cut at 18/25/35/45/55/65/75, each band's share its
 *              width over the range's (age uniform over the range)
 *   gender     "female"/"women"/"mothers" → all female, "male"/"men"/"fathers" →
 *              all male, "mostly/predominantly female|male" → 0.75/0.25, else 0.5/0.5
 *   region     one band: the profile's `region`
 *   income     an amount range in $, £ or € (`parseIncome`) → three bands, the
 *              lower, middle and upper third of the range, shares 0.3/0.4/0.3; an
 *              open top ("$150k+") → [min, 2·min]; otherwise one band: the
 *              profile's `income_bracket` text
 *   household  one band: the profile's `household`
 *   traits     Big Five: mean = the profile's score, sd 15 (0–100 scale);
 *              price sensitivity and brand loyalty: low/medium/high → mean
 *              0.3/0.5/0.75, sd 0.15; tech adoption: 0.8 at age 25 falling 0.008 a
 *              year of the band's midpoint (0.25–0.85), sd 0.18; risk tolerance:
 *              0.5 + (openness − neuroticism)/250, sd 0.15
 * These are heuristics, not statistics: a built-in persona states its own
 * block with sources. Big Five spreads of 15 on 0–100 are about a standard
 * deviation of 0.6 on the 1–5 scale of the Big Five Inventory, the spread
 * its published norms report.
 *
 * Income bands are listed from the lowest to the highest (the price tilt reads
 * their order); age bands are sorted by age.
 *
 * Sampling: each dimension picks a band by its share; the age is uniform
 * within the band, an income amount log-uniform within the band's bounds (when
 * it has bounds). Traits are Beta draws with the stated mean and sd (bounded on
 * their scale, no clipping). Two tilts make traits move with the respondent's
 * place in the segment, as they do in surveys: price sensitivity rises by up to
 * 0.1 toward the bottom of the income bands and falls as much toward the top;
 * tech adoption falls by up to 0.1 toward the oldest ages of the band. Each tilt
 * is centred (its mean over the segment is zero), so the population mean of a
 * trait is the stated mean; the stated sd is the spread among respondents of
 * the same income and age.
 */
import fs from 'node:fs';
import path from 'node:path';
import { BEHAVIOUR_TRAITS, BIG_FIVE, type BehaviourTrait, type Gender, type PersonaProfile, type Population, type TraitDistribution } from './persona-schema.js';
import { parseAgeRange, parseIncome } from './consistency.js';
import { BUILTIN_PERSONA_DIR } from './library.js';

/** Any uniform source in [0, 1): the sandbox's `Rng`, or a study's seeded generator. */
export interface RandomSource {
  next(): number;
}

type Band<T> = T & { share: number };
interface TraitModel {
  mean: number;
  sd: number;
}

/** A population with every part present (what the sampler reads). */
export interface ResolvedPopulation {
  age: Band<{ min: number; max: number }>[];
  gender: Band<{ value: Gender }>[];
  region: Band<{ value: string }>[];
  income: { currency: string | null; period: 'year' | 'month' | null; basis: 'personal' | 'household' | 'business revenue' | null; bands: Band<{ label: string; min?: number | undefined; max?: number | undefined }>[] };
  household: Band<{ value: string }>[];
  attributes: Record<string, Band<{ value: string }>[]>;
  /** Big Five on 0–100. */
  big_five: Record<(typeof BIG_FIVE)[number], TraitModel>;
  /** Behavioural traits on 0–1. */
  traits: Record<BehaviourTrait, TraitModel>;
}

/** One sampled respondent. */
export interface RespondentProfile {
  name: string;
  age: number;
  /** The age band drawn, "25-34". */
  age_band: string;
  gender: Gender;
  region: string;
  /** ISO 3166 code of the persona's country. */
  country: string;
  income: {
    band: string;
    /** An amount within the band's bounds (rounded to 3 significant digits), when the band has bounds. */
    amount: number | null;
    currency: string | null;
    period: 'year' | 'month' | null;
    basis: 'personal' | 'household' | 'business revenue' | null;
  };
  household: string;
  /** One value per extra dimension of the population (company size, …). */
  attributes: Record<string, string>;
  traits: {
    /** 0–100, integers. */
    big_five: Record<(typeof BIG_FIVE)[number], number>;
  } & Record<BehaviourTrait, number>;
}

// ------------------------------------------------------------ default derivation

const AGE_CUTS = [18, 25, 35, 45, 55, 65, 75] as const;
const LEVEL: Record<'low' | 'medium' | 'high', number> = { low: 0.3, medium: 0.5, high: 0.75 };
const BIG_FIVE_SD = 15;
const BEHAVIOUR_SD = 0.15;
const TECH_SD = 0.18;
/** How far the tilts move a trait's mean at either end of the segment. */
export const TILT = 0.1;

const round = (x: number, d = 4) => Math.round(x * 10 ** d) / 10 ** d;
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));

/** The persona's age range as integers (documented fallbacks for unreadable or open-ended ranges). */
export function ageRangeOf(profile: PersonaProfile): { min: number; max: number } {
  const r = parseAgeRange(profile.demographics.age_range);
  if (!r) return { min: 25, max: 54 };
  return { min: r.min, max: r.max >= 100 ? r.min + 20 : r.max };
}

function defaultAgeBands(profile: PersonaProfile): ResolvedPopulation['age'] {
  const { min, max } = ageRangeOf(profile);
  const edges = [min, ...AGE_CUTS.filter((c) => c > min && c <= max), max + 1];
  const width = max + 1 - min;
  const out: ResolvedPopulation['age'] = [];
  for (let i = 0; i + 1 < edges.length; i++) out.push({ min: edges[i]!, max: edges[i + 1]! - 1, share: round((edges[i + 1]! - edges[i]!) / width) });
  return out;
}

function defaultGender(profile: PersonaProfile): ResolvedPopulation['gender'] {
  const g = (profile.demographics.gender ?? '').toLowerCase();
  const female = /\b(?:female|wom[ae]n|mothers?|moms?)\b/.test(g);
  const male = /\b(?:male|m[ae]n|fathers?|dads?)\b/.test(g);
  const mostly = /\b(?:mostly|predominantly|majority|mainly|largely)\b/.test(g);
  if (female && !male) return mostly ? [{ value: 'female', share: 0.75 }, { value: 'male', share: 0.25 }] : [{ value: 'female', share: 1 }];
  if (male && !female) return mostly ? [{ value: 'male', share: 0.75 }, { value: 'female', share: 0.25 }] : [{ value: 'male', share: 1 }];
  return [{ value: 'female', share: 0.5 }, { value: 'male', share: 0.5 }];
}

const CURRENCY: Record<string, string> = { '$': 'USD', '£': 'GBP', '€': 'EUR' };
/** Countries whose "$" is their own dollar. */
const DOLLAR: Record<string, string> = { CA: 'CAD', AU: 'AUD', NZ: 'NZD', SG: 'SGD', HK: 'HKD', TW: 'TWD', MX: 'MXN' };

function defaultIncome(profile: PersonaProfile): ResolvedPopulation['income'] {
  const text = profile.demographics.income_bracket;
  const r = parseIncome(text);
  const symbol = /[$£€]/.exec(text)?.[0];
  if (!r || !symbol || r.max === 0) return { currency: null, period: null, basis: null, bands: [{ label: text, share: 1 }] };
  const currency = symbol === '$' ? (DOLLAR[profile.demographics.country] ?? 'USD') : CURRENCY[symbol]!;
  const basis = /household|family|combined/i.test(text) ? 'household' : /revenue|turnover|sales/i.test(text) ? 'business revenue' : 'personal';
  const lo = r.min;
  const hi = Number.isFinite(r.max) ? r.max : Math.max(lo * 2, 1);
  if (hi <= lo) return { currency, period: 'year', basis, bands: [{ label: text, min: lo, max: lo, share: 1 }] };
  const a = lo + (hi - lo) / 3;
  const b = lo + ((hi - lo) * 2) / 3;
  const fmt = (x: number) => `${symbol}${x >= 1000 ? `${Math.round(x / 1000)}k` : Math.round(x)}`;
  return {
    currency,
    period: 'year',
    basis,
    bands: [
      { label: `${fmt(lo)}–${fmt(a)}`, min: Math.round(lo), max: Math.round(a), share: 0.3 },
      { label: `${fmt(a)}–${fmt(b)}`, min: Math.round(a), max: Math.round(b), share: 0.4 },
      { label: `${fmt(b)}–${fmt(hi)}${Number.isFinite(r.max) ? '' : '+'}`, min: Math.round(b), max: Math.round(hi), share: 0.3 },
    ],
  };
}

/** The documented default population of a profile (see the file comment). Pure. */
export function defaultPopulation(profile: PersonaProfile): ResolvedPopulation {
  const b5 = profile.psychographics.big_five;
  const { min, max } = ageRangeOf(profile);
  const mid = (min + max) / 2;
  const bb = profile.buying_behavior;
  return {
    age: defaultAgeBands(profile),
    gender: defaultGender(profile),
    region: [{ value: profile.demographics.region, share: 1 }],
    income: defaultIncome(profile),
    household: [{ value: profile.demographics.household, share: 1 }],
    attributes: {},
    big_five: Object.fromEntries(BIG_FIVE.map((k) => [k, { mean: clamp(b5[k], 3, 97), sd: BIG_FIVE_SD }])) as ResolvedPopulation['big_five'],
    traits: {
      price_sensitivity: { mean: LEVEL[bb.price_sensitivity], sd: BEHAVIOUR_SD },
      brand_loyalty: { mean: LEVEL[bb.brand_loyalty], sd: BEHAVIOUR_SD },
      tech_adoption: { mean: round(clamp(0.8 - 0.008 * (mid - 25), 0.25, 0.85)), sd: TECH_SD },
      risk_tolerance: { mean: round(clamp(0.5 + (b5.openness - b5.neuroticism) / 250, 0.15, 0.85)), sd: BEHAVIOUR_SD },
    },
  };
}

const trait = (t: TraitDistribution | undefined, fallback: TraitModel): TraitModel => (t ? { mean: t.mean, sd: t.sd } : fallback);

/** The persona's block over its default: every part the block gives replaces the default's. Pure. */
export function resolvePopulation(profile: PersonaProfile, block: Population | undefined = profile.population): ResolvedPopulation {
  const d = defaultPopulation(profile);
  if (!block) return d;
  const t = block.traits;
  return {
    age: block.age ? block.age.bands.map((b) => ({ min: b.min, max: b.max, share: b.share })).sort((a, b) => a.min - b.min) : d.age,
    gender: block.gender ? block.gender.bands.map((b) => ({ value: b.value, share: b.share })) : d.gender,
    region: block.region ? block.region.bands.map((b) => ({ value: b.value, share: b.share })) : d.region,
    income: block.income ? { currency: block.income.currency, period: block.income.period, basis: block.income.basis, bands: block.income.bands.map((b) => ({ label: b.label, min: b.min, max: b.max, share: b.share })) } : d.income,
    household: block.household ? block.household.bands.map((b) => ({ value: b.value, share: b.share })) : d.household,
    attributes: Object.fromEntries(Object.entries(block.attributes ?? {}).map(([k, v]) => [k, v.bands.map((b) => ({ value: b.value, share: b.share }))])),
    big_five: Object.fromEntries(BIG_FIVE.map((k) => [k, trait(t?.big_five?.[k], d.big_five[k])])) as ResolvedPopulation['big_five'],
    traits: Object.fromEntries(BEHAVIOUR_TRAITS.map((k) => [k, trait(t?.[k], d.traits[k])])) as ResolvedPopulation['traits'],
  };
}

const resolved = new WeakMap<PersonaProfile, ResolvedPopulation>();

/** `resolvePopulation`, computed once per profile object. */
export function populationOf(profile: PersonaProfile): ResolvedPopulation {
  let p = resolved.get(profile);
  if (!p) {
    p = resolvePopulation(profile);
    resolved.set(profile, p);
  }
  return p;
}

// ------------------------------------------------------------ sampling primitives

/** Index of the band drawn by share (shares normalized by their sum). */
export function pickBand(shares: readonly number[], rng: RandomSource): number {
  const total = shares.reduce((a, b) => a + b, 0);
  let u = rng.next() * total;
  for (let i = 0; i < shares.length; i++) {
    u -= shares[i]!;
    if (u < 0) return i;
  }
  return shares.length - 1;
}

function normal(rng: RandomSource): number {
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Gamma(shape, 1) by Marsaglia and Tsang (shape < 1 boosted by U^(1/shape)). */
function gamma(shape: number, rng: RandomSource): number {
  if (shape < 1) return gamma(shape + 1, rng) * (1 - rng.next()) ** (1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (let i = 0; i < 1000; i++) {
    const x = normal(rng);
    const v = (1 + c * x) ** 3;
    if (v <= 0) continue;
    const u = 1 - rng.next();
    if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
  }
  return shape; // unreachable in practice: acceptance is above 95% per try
}

/**
 * A Beta draw on [0, 1] with the given mean and sd. When sd² ≥ mean(1 − mean)
 * (impossible for a Beta) the sd is reduced to 90% of that bound.
 */
export function betaDraw(mean: number, sd: number, rng: RandomSource): number {
  const m = clamp(mean, 0.005, 0.995);
  const maxVar = m * (1 - m);
  const v = Math.min(sd * sd, 0.9 * maxVar);
  const k = maxVar / v - 1;
  const x = gamma(m * k, rng);
  const y = gamma((1 - m) * k, rng);
  return x + y === 0 ? m : x / (x + y);
}

/** The midpoint quantile of each band (cumulative share before it + half its own): mean over the bands is exactly 0.5. */
function midQuantiles(shares: readonly number[]): number[] {
  const total = shares.reduce((a, b) => a + b, 0) || 1;
  let cum = 0;
  return shares.map((s) => {
    const q = (cum + s / 2) / total;
    cum += s;
    return q;
  });
}

function logUniform(min: number, max: number, rng: RandomSource): number {
  if (min <= 0) return min + (max - min) * rng.next();
  return Math.exp(Math.log(min) + (Math.log(max) - Math.log(min)) * rng.next());
}

const sig3 = (x: number) => (x === 0 ? 0 : Number(x.toPrecision(3)));

// ------------------------------------------------------------ names

interface NamePool {
  share: number;
  female: string[];
  male: string[];
  family: string[];
  /** Family name first (East Asian and Hungarian order). */
  family_first?: boolean;
  /** Patronymics: `family` holds fathers' names, joined by the connector of the respondent's gender ("bin" / "binti"). */
  connector?: { female: string; male: string };
}
type NameBook = Record<string, NamePool[]>;

/** `personas/names/by-country.json`: name pools per ISO country code, `default` for the rest. */
export const NAMES_FILE = path.join(BUILTIN_PERSONA_DIR, 'names', 'by-country.json');
let nameBook: NameBook | undefined;

/** The name pools, read once. */
export function loadNameBook(file: string = NAMES_FILE): NameBook {
  if (file === NAMES_FILE && nameBook) return nameBook;
  const book = JSON.parse(fs.readFileSync(file, 'utf8')) as NameBook;
  if (!book.default?.length) throw new Error(`${file}: a 'default' name pool is required`);
  if (file === NAMES_FILE) nameBook = book;
  return book;
}

/** A name fitting the country and gender (non-binary: either list). */
export function sampleName(country: string, gender: Gender, rng: RandomSource, book: NameBook = loadNameBook()): string {
  const pools = book[country.toUpperCase()] ?? book.default!;
  const pool = pools[pickBand(pools.map((p) => p.share), rng)]!;
  const givenList = gender === 'female' ? pool.female : gender === 'male' ? pool.male : rng.next() < 0.5 ? pool.female : pool.male;
  const given = givenList[Math.floor(rng.next() * givenList.length)]!;
  let family = pool.family[Math.floor(rng.next() * pool.family.length)]!;
  if (pool.connector) family = `${givenList === pool.female ? pool.connector.female : pool.connector.male} ${family}`;
  return pool.family_first ? `${family} ${given}` : `${given} ${family}`;
}

// ------------------------------------------------------------ the sampler

/**
 * One respondent of the persona, drawn with `rng`. The same persona and the
 * same sequence from `rng` give the same respondent; give each respondent its
 * own seeded source (e.g. the study seed and the respondent's index).
 */
export function sampleRespondent(persona: { profile: PersonaProfile }, rng: RandomSource): RespondentProfile {
  const profile = persona.profile;
  const pop = populationOf(profile);

  const ageIndex = pickBand(pop.age.map((b) => b.share), rng);
  const ageBand = pop.age[ageIndex]!;
  const age = ageBand.min + Math.floor(rng.next() * (ageBand.max - ageBand.min + 1));
  const gender = pop.gender[pickBand(pop.gender.map((b) => b.share), rng)]!.value;
  const region = pop.region[pickBand(pop.region.map((b) => b.share), rng)]!.value;
  const incomeShares = pop.income.bands.map((b) => b.share);
  const incomeIndex = pickBand(incomeShares, rng);
  const incomeBand = pop.income.bands[incomeIndex]!;
  const lo = incomeBand.min ?? (incomeBand.max !== undefined ? incomeBand.max / 2 : undefined);
  const hi = incomeBand.max ?? (incomeBand.min !== undefined ? Math.max(incomeBand.min * 2, 1) : undefined);
  const amount = lo !== undefined && hi !== undefined ? sig3(logUniform(lo, hi, rng)) : null;
  const household = pop.household[pickBand(pop.household.map((b) => b.share), rng)]!.value;
  const attributes: Record<string, string> = {};
  for (const [k, bands] of Object.entries(pop.attributes)) attributes[k] = bands[pickBand(bands.map((b) => b.share), rng)]!.value;
  const name = sampleName(profile.demographics.country, gender, rng);

  const big_five = {} as Record<(typeof BIG_FIVE)[number], number>;
  for (const k of BIG_FIVE) big_five[k] = Math.round(100 * betaDraw(pop.big_five[k].mean / 100, pop.big_five[k].sd / 100, rng));

  // Tilts: centred on the segment (see the file comment).
  const incomeQ = incomeShares.length > 1 ? midQuantiles(incomeShares)[incomeIndex]! : 0.5;
  const ageShares = pop.age.map((b) => b.share);
  const ageQ = ageQuantile(pop.age, ageShares, ageIndex, age);
  const tilt: Record<BehaviourTrait, number> = { price_sensitivity: 2 * TILT * (0.5 - incomeQ), tech_adoption: 2 * TILT * (0.5 - ageQ), brand_loyalty: 0, risk_tolerance: 0 };
  const traits = {} as Record<BehaviourTrait, number>;
  for (const k of BEHAVIOUR_TRAITS) traits[k] = round(betaDraw(pop.traits[k].mean + tilt[k], pop.traits[k].sd, rng), 2);

  return {
    name,
    age,
    age_band: `${ageBand.min}-${ageBand.max}`,
    gender,
    region,
    country: profile.demographics.country,
    income: { band: incomeBand.label, amount, currency: pop.income.currency, period: pop.income.period, basis: pop.income.basis },
    household,
    attributes,
    traits: { big_five, ...traits },
  };
}

/**
 * The respondent's age quantile in the segment: cumulative share of the bands
 * below plus its place within its own band (the age's centre within the band),
 * so that over the segment it averages 0.5.
 */
function ageQuantile(bands: ResolvedPopulation['age'], shares: readonly number[], index: number, age: number): number {
  const total = shares.reduce((a, b) => a + b, 0) || 1;
  let below = 0;
  for (let i = 0; i < index; i++) below += shares[i]!;
  const band = bands[index]!;
  const within = (age - band.min + 0.5) / (band.max - band.min + 1);
  return (below + shares[index]! * within) / total;
}
