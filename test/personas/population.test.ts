/**
 * Persona population models: the schema's checks, the documented default
 * derivation (hand-computed bands), and the respondent sampler (deterministic
 * per seed; shares and trait means hold in a large sample within bounds
 * computed from the standard error).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { personaProfileSchema, populationSchema, type PersonaProfile, type Population } from '../../src/personas/persona-schema.js';
import { betaDraw, defaultPopulation, loadNameBook, populationOf, resolvePopulation, sampleRespondent, TILT } from '../../src/personas/population.js';
import { Rng } from '../../src/providers/sandbox/seed.js';
import { personas } from '../helpers/app.js';

const base = personas.find((p) => p.id === 'hospital-cfo')!;
function profileWith(demographics: Partial<PersonaProfile['demographics']>, population?: Population): PersonaProfile {
  const p = structuredClone(base.profile);
  Object.assign(p.demographics, demographics);
  delete p.population;
  if (population) p.population = population;
  return p;
}

/** |observed − expected| ≤ z standard errors; z = 4.5 puts a false alarm near 1 in 150,000 per check. */
const Z = 4.5;
function assertShare(observed: number, n: number, p: number, what: string) {
  const se = Math.sqrt((p * (1 - p)) / n);
  assert.ok(Math.abs(observed / n - p) <= Z * se + 1e-12, `${what}: ${observed}/${n} = ${(observed / n).toFixed(4)}, expected ${p} ± ${(Z * se).toFixed(4)}`);
}

const STUDY: Population = {
  age: { bands: [{ min: 18, max: 24, share: 0.2 }, { min: 25, max: 34, share: 0.5 }, { min: 35, max: 44, share: 0.3 }] },
  gender: { bands: [{ value: 'female', share: 0.52 }, { value: 'male', share: 0.46 }, { value: 'non-binary', share: 0.02 }] },
  region: { bands: [{ value: 'North', share: 0.1 }, { value: 'South', share: 0.6 }, { value: 'West', share: 0.3 }] },
  income: {
    currency: 'EUR',
    period: 'year',
    basis: 'household',
    bands: [
      { label: 'under €20k', max: 20000, share: 0.25 },
      { label: '€20k–€50k', min: 20000, max: 50000, share: 0.5 },
      { label: '€50k+', min: 50000, share: 0.25 },
    ],
  },
  household: { bands: [{ value: 'lives alone', share: 0.35 }, { value: 'couple', share: 0.4 }, { value: 'with children', share: 0.25 }] },
  attributes: { company_size: { bands: [{ value: '1–9', share: 0.7 }, { value: '10–49', share: 0.3 }] } },
  traits: {
    big_five: { openness: { mean: 60, sd: 15 } },
    price_sensitivity: { mean: 0.6, sd: 0.15 },
    brand_loyalty: { mean: 0.4, sd: 0.2 },
    tech_adoption: { mean: 0.7, sd: 0.12 },
  },
};

describe('population schema', () => {
  it('accepts a full block and rejects shares that do not sum to 1, duplicate bands, impossible spreads', () => {
    assert.ok(populationSchema.safeParse(STUDY).success);
    const issue = (p: unknown) => {
      const r = populationSchema.safeParse(p);
      assert.ok(!r.success, 'rejected');
      return `${r.error.issues[0]!.path.join('.')}: ${r.error.issues[0]!.message}`;
    };
    assert.match(issue({ gender: { bands: [{ value: 'female', share: 0.5 }, { value: 'male', share: 0.45 }] } }), /^gender\.bands: the shares must sum to 1 \(±0\.01\), got 0\.95/);
    assert.ok(populationSchema.safeParse({ gender: { bands: [{ value: 'female', share: 0.505 }, { value: 'male', share: 0.5 }] } }).success, 'within the tolerance');
    assert.match(issue({ region: { bands: [{ value: 'North', share: 0.5 }, { value: 'north', share: 0.5 }] } }), /^region\.bands\.1: band 'north' is listed twice/);
    assert.match(issue({ age: { bands: [{ min: 40, max: 30, share: 1 }] } }), /^age\.bands\.0\.max/);
    assert.match(issue({ traits: { price_sensitivity: { mean: 0.9, sd: 0.35 } } }), /^traits\.price_sensitivity\.sd: sd too large/);
    assert.match(issue({ traits: { big_five: { openness: { mean: 100, sd: 5 } } } }), /^traits\.big_five\.openness\.mean/);
    assert.match(issue({ income: { currency: 'euro', period: 'year', basis: 'household', bands: [{ label: 'x', share: 1 }] } }), /^income\.currency/);
    assert.match(issue({ age: { bands: [{ min: 18, max: 30, share: 1 }] }, extra: 1 }), /extra|Unrecognized/);
    // The profile schema carries the block, and custom personas share it.
    assert.ok(personaProfileSchema.safeParse({ ...base.profile, population: STUDY }).success);
  });
});

describe('default population', () => {
  it('cuts the age range at 18/25/35/45/55/65/75 with shares by width', () => {
    assert.deepEqual(defaultPopulation(profileWith({ age_range: '25-44' })).age, [{ min: 25, max: 34, share: 0.5 }, { min: 35, max: 44, share: 0.5 }]);
    // 30–49: widths 5, 10, 5 of 20.
    assert.deepEqual(defaultPopulation(profileWith({ age_range: '30-49' })).age, [{ min: 30, max: 34, share: 0.25 }, { min: 35, max: 44, share: 0.5 }, { min: 45, max: 49, share: 0.25 }]);
    // 65+: read as 65–85 (21 years): 65–74 is 10/21, 75–85 is 11/21.
    assert.deepEqual(defaultPopulation(profileWith({ age_range: '65+' })).age, [{ min: 65, max: 74, share: 0.4762 }, { min: 75, max: 85, share: 0.5238 }]);
    assert.deepEqual(defaultPopulation(profileWith({ age_range: 'varies' })).age.map((b) => [b.min, b.max]), [[25, 34], [35, 44], [45, 54]]);
  });

  it('reads gender, income and the rest from the profile', () => {
    assert.deepEqual(defaultPopulation(profileWith({ gender: 'female' })).gender, [{ value: 'female', share: 1 }]);
    assert.deepEqual(defaultPopulation(profileWith({ gender: 'mostly male' })).gender, [{ value: 'male', share: 0.75 }, { value: 'female', share: 0.25 }]);
    assert.deepEqual(defaultPopulation(profileWith({ gender: 'any' })).gender, [{ value: 'female', share: 0.5 }, { value: 'male', share: 0.5 }]);
    const income = defaultPopulation(profileWith({ income_bracket: '$60,000-$90,000 household income', country: 'US' })).income;
    assert.deepEqual(income, {
      currency: 'USD',
      period: 'year',
      basis: 'household',
      bands: [
        { label: '$60k–$70k', min: 60000, max: 70000, share: 0.3 },
        { label: '$70k–$80k', min: 70000, max: 80000, share: 0.4 },
        { label: '$80k–$90k', min: 80000, max: 90000, share: 0.3 },
      ],
    });
    assert.equal(defaultPopulation(profileWith({ income_bracket: '$80,000-$100,000 a year', country: 'CA' })).income.currency, 'CAD');
    assert.deepEqual(defaultPopulation(profileWith({ income_bracket: 'comfortable pension' })).income.bands, [{ label: 'comfortable pension', share: 1 }]);
    const d = defaultPopulation(profileWith({ age_range: '25-35', region: 'Leeds', household: 'couple' }));
    assert.deepEqual([d.region, d.household], [[{ value: 'Leeds', share: 1 }], [{ value: 'couple', share: 1 }]]);
    assert.equal(d.traits.tech_adoption.mean, 0.76, '0.8 − 0.008 × (30 − 25)');
    const b5 = base.profile.psychographics.big_five;
    assert.deepEqual(d.big_five.openness, { mean: b5.openness, sd: 15 });
    assert.equal(d.traits.risk_tolerance.mean, Math.round((0.5 + (b5.openness - b5.neuroticism) / 250) * 1e4) / 1e4);
    assert.equal(d.traits.price_sensitivity.mean, { low: 0.3, medium: 0.5, high: 0.75 }[base.profile.buying_behavior.price_sensitivity]);
  });

  it('a block replaces only the parts it gives', () => {
    const profile = profileWith({ age_range: '25-44' }, { gender: { bands: [{ value: 'male', share: 1 }] } });
    const r = resolvePopulation(profile);
    assert.deepEqual(r.gender, [{ value: 'male', share: 1 }]);
    assert.deepEqual(r.age, defaultPopulation(profile).age);
    assert.equal(populationOf(profile), populationOf(profile), 'computed once per profile');
  });
});

describe('sampleRespondent', () => {
  const persona = { profile: profileWith({ age_range: '18-44', country: 'ES' }, STUDY) };

  it('is deterministic per seed and varies across seeds', () => {
    const a = sampleRespondent(persona, new Rng('study-1/0'));
    assert.deepEqual(sampleRespondent(persona, new Rng('study-1/0')), a);
    const others = Array.from({ length: 20 }, (_, i) => sampleRespondent(persona, new Rng(`study-1/${i + 1}`)));
    assert.ok(new Set(others.map((r) => r.name)).size >= 15, 'names vary');
    assert.ok(new Set(others.map((r) => r.age)).size >= 10, 'ages vary');
    assert.deepEqual(Object.keys(a).sort(), ['age', 'age_band', 'attributes', 'country', 'gender', 'household', 'income', 'name', 'region', 'traits']);
    assert.deepEqual(Object.keys(a.traits).sort(), ['big_five', 'brand_loyalty', 'price_sensitivity', 'risk_tolerance', 'tech_adoption']);
  });

  it('respects the shares, the bands and the trait means in a large sample', () => {
    const n = 20_000;
    const rng = new Rng('large-sample');
    const counts = new Map<string, number>();
    const bump = (k: string) => counts.set(k, (counts.get(k) ?? 0) + 1);
    const sums = { openness: 0, price: 0, loyalty: 0, tech: 0 };
    const sq = { loyalty: 0 };
    const book = loadNameBook();
    const given = new Set([...book.ES!.flatMap((p) => [...p.female, ...p.male])]);
    for (let i = 0; i < n; i++) {
      const r = sampleRespondent(persona, rng);
      const band = STUDY.age!.bands.find((b) => `${b.min}-${b.max}` === r.age_band)!;
      assert.ok(r.age >= band.min && r.age <= band.max, `age ${r.age} in ${r.age_band}`);
      bump(`age:${r.age_band}`);
      bump(`gender:${r.gender}`);
      bump(`region:${r.region}`);
      bump(`income:${r.income.band}`);
      bump(`household:${r.household}`);
      bump(`company_size:${r.attributes.company_size}`);
      const ib = STUDY.income!.bands.find((b) => b.label === r.income.band)!;
      assert.ok(r.income.amount !== null && r.income.amount >= (ib.min ?? ib.max! / 2) * 0.995 && r.income.amount <= (ib.max ?? ib.min! * 2) * 1.005, `${r.income.amount} in ${ib.label}`);
      assert.equal(r.income.currency, 'EUR');
      assert.ok(given.has(r.name.split(' ')[0]!), r.name);
      sums.openness += r.traits.big_five.openness;
      sums.price += r.traits.price_sensitivity;
      sums.loyalty += r.traits.brand_loyalty;
      sq.loyalty += r.traits.brand_loyalty ** 2;
      sums.tech += r.traits.tech_adoption;
    }
    for (const b of STUDY.age!.bands) assertShare(counts.get(`age:${b.min}-${b.max}`) ?? 0, n, b.share, `age ${b.min}-${b.max}`);
    for (const [dim, bands] of [
      ['gender', STUDY.gender!.bands],
      ['region', STUDY.region!.bands],
      ['household', STUDY.household!.bands],
      ['company_size', STUDY.attributes!.company_size!.bands],
    ] as const) {
      for (const b of bands) assertShare(counts.get(`${dim}:${b.value}`) ?? 0, n, b.share, `${dim} ${b.value}`);
    }
    for (const b of STUDY.income!.bands) assertShare(counts.get(`income:${b.label}`) ?? 0, n, b.share, `income ${b.label}`);

    // Means: within Z standard errors of the stated mean. The SE of a tilted
    // trait includes the tilt's spread (at most TILT·2/√12 for a uniform quantile).
    const meanOk = (sum: number, mean: number, sd: number, what: string) => {
      const se = sd / Math.sqrt(n);
      assert.ok(Math.abs(sum / n - mean) <= Z * se, `${what}: ${(sum / n).toFixed(4)} vs ${mean} ± ${(Z * se).toFixed(4)}`);
    };
    // Big Five are rounded to integers: add the rounding's variance (1/12).
    meanOk(sums.openness, 60, Math.sqrt(15 ** 2 + 1 / 12), 'openness');
    const tiltSd = (TILT * 2) / Math.sqrt(12);
    meanOk(sums.price, 0.6, Math.hypot(0.15, tiltSd), 'price sensitivity (income tilt)');
    meanOk(sums.tech, 0.7, Math.hypot(0.12, tiltSd), 'tech adoption (age tilt)');
    meanOk(sums.loyalty, 0.4, 0.2, 'brand loyalty');
    // The spread: the sample sd of an untilted trait within 5% of the stated sd.
    const sd = Math.sqrt(sq.loyalty / n - (sums.loyalty / n) ** 2);
    assert.ok(Math.abs(sd - 0.2) / 0.2 < 0.05, `brand loyalty sd ${sd.toFixed(4)}`);
  });

  it('tilts price sensitivity by income and tech adoption by age', () => {
    const rng = new Rng('tilts');
    const by = new Map<string, { sum: number; n: number }>();
    const add = (k: string, v: number) => {
      const e = by.get(k) ?? { sum: 0, n: 0 };
      e.sum += v;
      e.n++;
      by.set(k, e);
    };
    for (let i = 0; i < 6000; i++) {
      const r = sampleRespondent(persona, rng);
      add(`income:${r.income.band}`, r.traits.price_sensitivity);
      add(`age:${r.age_band}`, r.traits.tech_adoption);
    }
    const mean = (k: string) => by.get(k)!.sum / by.get(k)!.n;
    // Income quantiles 0.125, 0.5, 0.875 → price tilt +0.075, 0, −0.075.
    assert.ok(mean('income:under €20k') - mean('income:€50k+') > 0.1, `${mean('income:under €20k')} vs ${mean('income:€50k+')}`);
    assert.ok(mean('age:18-24') - mean('age:35-44') > 0.1, `${mean('age:18-24')} vs ${mean('age:35-44')}`);
  });

  it('every built-in persona samples valid respondents', () => {
    for (const p of personas) {
      const rng = new Rng(`builtin/${p.id}`);
      for (let i = 0; i < 20; i++) {
        const r = sampleRespondent(p, rng);
        assert.ok(r.name.trim().split(/\s+/).length >= 2, `${p.id}: ${r.name}`);
        assert.ok(Number.isInteger(r.age) && r.age >= 0 && r.age <= 120, `${p.id}: ${r.age}`);
        for (const v of Object.values(r.traits.big_five)) assert.ok(v >= 0 && v <= 100);
        for (const v of [r.traits.price_sensitivity, r.traits.brand_loyalty, r.traits.tech_adoption, r.traits.risk_tolerance]) assert.ok(v >= 0 && v <= 1, `${p.id}: ${v}`);
      }
    }
  });

  it('Beta draws keep the mean and the sd', () => {
    const rng = new Rng('beta');
    const n = 20_000;
    for (const [m, s] of [[0.1, 0.05], [0.5, 0.25], [0.85, 0.1]] as const) {
      let sum = 0;
      let sumSq = 0;
      for (let i = 0; i < n; i++) {
        const x = betaDraw(m, s, rng);
        assert.ok(x >= 0 && x <= 1);
        sum += x;
        sumSq += x * x;
      }
      const mean = sum / n;
      assert.ok(Math.abs(mean - m) <= (Z * s) / Math.sqrt(n), `mean ${mean} vs ${m}`);
      const sd = Math.sqrt(sumSq / n - mean * mean);
      assert.ok(Math.abs(sd - s) / s < 0.05, `sd ${sd} vs ${s}`);
    }
  });
});
