/**
 * The sandbox's pattern sampler (src/providers/sandbox/regex-sample.ts) on
 * what JSON Schema patterns use and randexp (0.6.1, the maintained library
 * considered in its place, issue 11.9) cannot generate: its parser (ret)
 * predates the `u` flag Ajv compiles patterns with, so `\p{…}` and `\u{…}`
 * come out as literal text, and it draws characters from printable ASCII, so
 * a class of other characters comes out as ASCII that does not match.
 * randexp's samples for these, e.g.: `^\p{Lu}\p{Ll}+$` → "p{Lu}p{Ll}}}}}",
 * `^\u{1F600}+$` → "u{1F600}}}}", `^[\u00e9-\u00ff]{3}$` → "Ks@".
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sampleFromPattern } from '../../src/providers/sandbox/regex-sample.js';
import { Rng } from '../../src/providers/sandbox/seed.js';

const UNICODE_PATTERNS = ['^\\p{Lu}\\p{Ll}+$', '^[\\p{L}]{2,5}$', '^\\u{1F600}+$', '^[\\u00e9-\\u00ff]{3}$', '^[à-ÿ]{4}$', '^\\P{N}{3}\\p{Nd}$'];

describe('regex sampler: Unicode patterns', () => {
  for (const pattern of UNICODE_PATTERNS) {
    it(`samples a match of ${pattern}, the same for the same seed`, () => {
      const s = sampleFromPattern(pattern, new Rng(`unicode ${pattern}`));
      assert.ok(s !== undefined && new RegExp(pattern, 'u').test(s), `${pattern} → ${s}`);
      assert.equal(sampleFromPattern(pattern, new Rng(`unicode ${pattern}`)), s);
    });
  }
});
