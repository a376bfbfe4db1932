/**
 * Custom personas derived on the sandbox are built from the request's own
 * description — its age, occupation, place and values — and keep nothing of
 * their template's own place (issue 13: "Texas rancher, 55" came out a
 * retired Cherokee couple on Social Security; a Berlin nurse read Dutch news).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deriveProfile } from '../../src/personas/derive.js';
import { loadPersonaDir } from '../../src/personas/library.js';
import { parseAgeRange } from '../../src/personas/consistency.js';

const library = loadPersonaDir();
const derive = (name: string, description: string) => deriveProfile(library, { name, description, guided: {} }, 2026);

describe('derived personas follow their description', () => {
  it('Texas rancher, 55: a working rancher of that age in Texas, with the values the text states', () => {
    const { profile, template } = derive('Texas rancher, 55', 'A cattle rancher in West Texas who runs a family operation and values independence and tradition.');
    const d = profile.demographics;
    const ages = parseAgeRange(d.age_range)!;
    assert.ok(ages.min <= 55 && ages.max >= 55 && ages.max - ages.min <= 6, d.age_range);
    assert.match(d.occupation, /rancher/i);
    assert.doesNotMatch(d.occupation, /Texas/, 'a place is not part of the job title');
    assert.doesNotMatch(d.life_stage, /retire/i);
    assert.doesNotMatch(d.income_bracket, /social security|pension/i);
    assert.equal(d.country, 'US');
    assert.match(d.region, /Texas/);
    assert.equal(d.urbanicity, 'rural');
    assert.deepEqual(profile.psychographics.values.slice(0, 2), ['independence', 'tradition']);
    assert.doesNotMatch(JSON.stringify(profile), /Cherokee|Oklahoma|Tulsa|Iowa|Nebraska/, `nothing of ${template.id}'s own place`);
  });

  it('a Berlin ICU nurse: German, the occupation of the description, no Dutch media or institutions', () => {
    const { profile, template } = derive('Berlin nurse', 'A 29-year-old ICU nurse in Berlin who cycles to work and cares about sustainability.');
    const d = profile.demographics;
    assert.equal(d.country, 'DE');
    assert.equal(d.region, 'Berlin, Germany');
    assert.equal(d.occupation, 'ICU nurse');
    const ages = parseAgeRange(d.age_range)!;
    assert.ok(ages.min <= 29 && ages.max >= 29, d.age_range);
    assert.equal(profile.psychographics.values[0], 'sustainability');
    const text = JSON.stringify(profile);
    if (template.profile.demographics.country !== 'DE') {
      // Every proper noun of a foreign template (its brands, media, institutions) is gone.
      for (const w of JSON.stringify(template.profile.media).match(/\b\p{Lu}[\p{L}]{2,}/gu) ?? []) {
        if (['YouTube', 'WhatsApp', 'Facebook', 'Instagram', 'LinkedIn', 'TikTok'].includes(w)) continue;
        assert.ok(!new RegExp(`\\b${w}\\b`).test(text), `${w} (of ${template.id}) is not in the derived profile`);
      }
    }
  });

  it('an age given after a comma in the description, a place from the library, its media', () => {
    const { profile } = derive('Rural Kenyan farmer', 'Smallholder maize farmer in western Kenya, 45, uses M-Pesa.');
    const ages = parseAgeRange(profile.demographics.age_range)!;
    assert.ok(ages.min <= 45 && ages.max >= 45 && ages.max - ages.min <= 6, profile.demographics.age_range);
    assert.equal(profile.demographics.country, 'KE');
    assert.match(profile.demographics.occupation, /farmer/i);
  });

  it('no derived persona names another country than its own (12 descriptions)', () => {
    const cases: [string, string, string][] = [
      ['Lagos tech founder', 'Founder of a fintech startup in Lagos, 31, raising a seed round.', 'NG'],
      ['Tokyo office worker', 'A 34-year-old salaried office worker in Tokyo who commutes by train.', 'JP'],
      ['Paris student', 'A university student in Paris, 21, on a tight budget.', 'FR'],
      ['Mumbai small business owner', 'Runs a textile shop in Mumbai, 42, sells on WhatsApp.', 'IN'],
      ['Toronto teacher', 'A high school teacher in Toronto, 38, with two kids.', 'CA'],
      ['Madrid retiree', 'A retired bus driver in Madrid who looks after grandchildren.', 'ES'],
      ['São Paulo gamer', 'A 19-year-old gamer in São Paulo who streams on Twitch.', 'BR'],
      ['Sydney nurse', 'A 45-year-old nurse in Sydney who surfs on weekends.', 'AU'],
      ['Mexico City mom', 'A mother of three in Mexico City, 36, who shops at markets.', 'MX'],
      ['London fintech CFO', 'CFO of a 300-person fintech in London evaluating spend-management software.', 'GB'],
      ['Munich engineer', 'A mechanical engineer in Munich, 50, who loves hiking.', 'DE'],
      ['Texas rancher, 55', 'A cattle rancher in West Texas.', 'US'],
    ];
    const demonyms: Record<string, RegExp> = {
      NL: /\bDutch\b/, DE: /\bGerman\b/, FR: /\bFrench\b/, ES: /\bSpanish\b/, IN: /\bIndian\b/, JP: /\bJapanese\b/, BR: /\bBrazilian\b/, NG: /\bNigerian\b/,
      CA: /\bCanadian\b/, AU: /\bAustralian\b/, MX: /\bMexican\b/, GB: /\bBritish\b/, KE: /\bKenyan\b/, SE: /\bSwedish\b/, IT: /\bItalian\b/, PL: /\bPolish\b/,
    };
    for (const [name, description, country] of cases) {
      const { profile, template } = derive(name, description);
      assert.equal(profile.demographics.country, country, name);
      const text = JSON.stringify(profile);
      for (const [other, re] of Object.entries(demonyms)) {
        if (other === country) continue;
        assert.doesNotMatch(text, re, `${name} (template ${template.id}) says ${re}`);
      }
    }
  });
});
