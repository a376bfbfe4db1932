/**
 * The built-in persona library as data: every file valid and named by its id,
 * every persona resting on at least three sourced statistics (publisher URL
 * and year) that fit its age band, a review date, a population block whose
 * bands lie inside the persona's ages and sum to 1, every category populated,
 * and at least 30 personas outside the US spread over the world's regions,
 * consumer and B2B.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseAgeRange } from '../../src/personas/consistency.js';
import { BUILTIN_PERSONA_DIR, loadPersonaDir } from '../../src/personas/library.js';
import { PERSONA_CATEGORIES, SHARE_TOLERANCE, type PersonaRecord } from '../../src/personas/persona-schema.js';
import { ageRangeOf, loadNameBook } from '../../src/personas/population.js';

const personas = loadPersonaDir();
const files = fs.readdirSync(BUILTIN_PERSONA_DIR).filter((f) => f.endsWith('.json'));

/** World regions the issue names, by ISO country code. */
const REGION_OF: Record<string, string> = {
  GB: 'Western Europe', IE: 'Western Europe', FR: 'Western Europe', DE: 'Western Europe', ES: 'Western Europe', IT: 'Western Europe', NL: 'Western Europe', BE: 'Western Europe', SE: 'Western Europe', PT: 'Western Europe', AT: 'Western Europe',
  PL: 'Eastern Europe', CZ: 'Eastern Europe', RO: 'Eastern Europe', HU: 'Eastern Europe', UA: 'Eastern Europe', TR: 'Eastern Europe',
  MX: 'Latin America', BR: 'Latin America', AR: 'Latin America', CO: 'Latin America', CL: 'Latin America', PE: 'Latin America',
  CN: 'East Asia', JP: 'East Asia', KR: 'East Asia', TW: 'East Asia', HK: 'East Asia',
  IN: 'South Asia', PK: 'South Asia', BD: 'South Asia', LK: 'South Asia',
  ID: 'Southeast Asia', VN: 'Southeast Asia', PH: 'Southeast Asia', SG: 'Southeast Asia', TH: 'Southeast Asia', MY: 'Southeast Asia',
  AE: 'Middle East', SA: 'Middle East', EG: 'Middle East', IL: 'Middle East',
  NG: 'Africa', KE: 'Africa', ZA: 'Africa', GH: 'Africa', MA: 'Africa',
  AU: 'Oceania', NZ: 'Oceania',
};
const B2B_CATEGORIES = new Set(['Professional', 'Industry', 'Expert']);

/** Age ranges a statistic's claim names ("aged 25-34", "18-24-year-olds", "teens"). */
function claimedAges(claim: string): { min: number; max: number }[] {
  const out: { min: number; max: number }[] = [];
  for (const m of claim.matchAll(/\b(?:aged?|ages)\s+(\d{1,2})\s*(?:-|–|to)\s*(\d{1,2})\b/gi)) out.push({ min: Number(m[1]), max: Number(m[2]) });
  for (const m of claim.matchAll(/\b(\d{1,2})\s*(?:-|–|to)\s*(\d{1,2})[- ]?year[- ]olds?\b/gi)) out.push({ min: Number(m[1]), max: Number(m[2]) });
  if (/\b(?:teens?|teenagers?)\b/i.test(claim)) out.push({ min: 13, max: 17 });
  return out;
}

describe('persona library data', () => {
  it('every file validates, is named by its id, and ids are unique', () => {
    assert.equal(personas.length, files.length, 'every file loads');
    for (const p of personas) assert.ok(files.includes(`${p.id}.json`), p.id);
    assert.equal(new Set(personas.map((p) => p.id)).size, personas.length, 'no duplicate ids');
  });

  it('every category is populated', () => {
    for (const c of PERSONA_CATEGORIES) assert.ok(personas.filter((p) => p.category === c).length >= 5, `category ${c}`);
  });

  it('every persona rests on at least 3 statistics, each with a source, a year and the publisher URL, and carries a review date', () => {
    for (const p of personas) {
      const stats = p.profile.statistics;
      assert.ok(stats.length >= 3, `${p.id}: ${stats.length} statistics`);
      for (const s of stats) {
        assert.ok(s.source.trim().length > 3, `${p.id}: source`);
        assert.match(s.url ?? '', /^https?:\/\/[a-z0-9.-]+\.[a-z]{2,}(?:[/?#]|$)/i, `${p.id}: url of "${s.claim}"`);
        assert.ok(s.year !== undefined && s.year >= 1990 && s.year <= 2026, `${p.id}: year of "${s.claim}"`);
      }
      assert.equal(new Set(stats.map((s) => s.claim)).size, stats.length, `${p.id}: no statistic twice`);
      assert.match(p.reviewed ?? '', /^\d{4}-\d{2}-\d{2}$/, `${p.id}: reviewed`);
    }
  });

  it('a statistic that names an age range overlaps the persona’s own ages', () => {
    for (const p of personas) {
      const own = parseAgeRange(p.profile.demographics.age_range);
      assert.ok(own, `${p.id}: readable age range`);
      for (const s of p.profile.statistics) {
        for (const r of claimedAges(s.claim)) assert.ok(r.min <= own.max && r.max >= own.min, `${p.id} (${p.profile.demographics.age_range}) cites ages ${r.min}-${r.max}: "${s.claim}"`);
      }
    }
  });

  it('the age check catches a statistic about teenagers on an adult persona', () => {
    assert.deepEqual(claimedAges('About 6 in 10 US teens use TikTok'), [{ min: 13, max: 17 }]);
    assert.deepEqual(claimedAges('Among US adults aged 18-29, 78% use Instagram'), [{ min: 18, max: 29 }]);
    assert.deepEqual(claimedAges('18-24-year-olds were the most online'), [{ min: 18, max: 24 }]);
  });

  it('every persona has a population block: shares sum to 1, ages inside the persona’s band, bands and spreads that vary', () => {
    const sum = (xs: readonly { share: number }[]) => xs.reduce((a, b) => a + b.share, 0);
    for (const p of personas) {
      const pop = p.profile.population;
      assert.ok(pop, `${p.id}: population`);
      const { age, gender, region, income, household, traits } = pop;
      assert.ok(age && gender && region && income && household && traits, `${p.id}: age, gender, region, income, household and traits are all given`);
      for (const [dim, bands] of [['age', age.bands], ['gender', gender.bands], ['region', region.bands], ['income', income.bands], ['household', household.bands], ...Object.entries(pop.attributes ?? {}).map(([k, v]) => [k, v.bands] as const)] as const) {
        assert.ok(Math.abs(sum(bands) - 1) <= SHARE_TOLERANCE, `${p.id}: ${dim} shares sum to ${sum(bands)}`);
      }
      const own = ageRangeOf(p.profile);
      const sorted = [...age.bands].sort((a, b) => a.min - b.min);
      for (const [i, b] of sorted.entries()) {
        assert.ok(b.min >= own.min && b.max <= own.max, `${p.id}: age band ${b.min}-${b.max} inside ${p.profile.demographics.age_range}`);
        if (i > 0) assert.ok(b.min > sorted[i - 1]!.max, `${p.id}: age bands do not overlap`);
      }
      assert.ok(age.bands.length >= 2, `${p.id}: at least two age bands`);
      assert.ok(region.bands.length >= 2 && household.bands.length >= 2 && income.bands.length >= 2, `${p.id}: regions, households and incomes vary`);
      for (const [i, b] of income.bands.entries()) {
        if (i > 0 && b.min !== undefined && income.bands[i - 1]!.min !== undefined) assert.ok(b.min >= income.bands[i - 1]!.min!, `${p.id}: income bands listed low to high`);
      }
      assert.ok(traits.big_five && Object.keys(traits.big_five).length === 5, `${p.id}: Big Five spreads`);
      assert.ok(traits.price_sensitivity && traits.brand_loyalty, `${p.id}: price sensitivity and brand loyalty`);
    }
  });

  it('names can be drawn for every persona’s country', () => {
    const book = loadNameBook();
    for (const p of personas) assert.ok(book[p.profile.demographics.country], `${p.id}: a name pool for ${p.profile.demographics.country}`);
  });

  it('at least 30 personas live outside the US, covering every world region, consumer and B2B', () => {
    const abroad = personas.filter((p) => p.profile.demographics.country !== 'US');
    assert.ok(abroad.length >= 30, `${abroad.length} personas outside the US`);
    const regions = new Map<string, PersonaRecord[]>();
    for (const p of abroad) {
      const r = REGION_OF[p.profile.demographics.country];
      assert.ok(r, `${p.id}: country ${p.profile.demographics.country} has a region`);
      regions.set(r, [...(regions.get(r) ?? []), p]);
    }
    for (const r of ['Western Europe', 'Eastern Europe', 'Latin America', 'East Asia', 'South Asia', 'Southeast Asia', 'Middle East', 'Africa', 'Oceania']) assert.ok(regions.get(r)?.length, `region ${r}`);
    assert.ok(abroad.filter((p) => B2B_CATEGORIES.has(p.category)).length >= 10, 'B2B personas abroad');
    assert.ok(abroad.filter((p) => !B2B_CATEGORIES.has(p.category)).length >= 10, 'consumer personas abroad');
    assert.ok(new Set(abroad.map((p) => p.profile.demographics.country)).size >= 25, 'many countries');
  });

  it('the names file sits beside the personas without being read as one', () => {
    assert.ok(fs.existsSync(path.join(BUILTIN_PERSONA_DIR, 'names', 'by-country.json')));
    assert.ok(!files.some((f) => f.includes('names')));
  });
});
