/** Client patterns on the linear-time engine: the same answers as JavaScript's RegExp where both run, refusals with reasons. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { patternProblem, safePattern, MAX_PATTERN_CHARS } from '../../src/util/safe-regex.js';
import { validateAgainst } from '../../src/util/json-schema.js';

const SAMPLES: [string, string[]][] = [
  ['^[A-Z]{3}$', ['ABC', 'AB', 'ABCD', 'abc', '']],
  ['^\\d{3}-\\d{4}$', ['555-0100', '5550100', '555-010']],
  ['^[^\\s@]+@[^\\s@]+\\.[a-z]{2,}$', ['a@b.io', 'a b@c.io', 'a@b.c']],
  ['^\\p{Lu}\\p{Ll}+$', ['Émile', 'émile', 'Zoë', 'ZOË']],
  ['^(?<year>\\d{4})-(?<month>\\d{2})$', ['2025-01', '2025-1']],
  ['^\\u00e9+$', ['éé', 'e']],
  ['^\\u{1F600}$', ['😀', '😃']],
  ['^https?:\\/\\/[\\w.-]+(?:\\/[^\\s]*)?$', ['https://example.com/a', 'ftp://x', 'http://a.b/c d']],
  ['(?<=\\$)\\d+', ['$12', '12']],
  ['^(a+)+$', ['aaaa', 'aaaa!']],
  ['[^]', ['', 'x']],
  ['^.$', ['😀', 'ab']],
  ['colou?r', ['the color', 'the colour', 'the colr']],
];

describe('safe patterns', () => {
  it('answer as JavaScript RegExp (u) does on the patterns schemas use', () => {
    for (const [pattern, inputs] of SAMPLES) {
      const native = new RegExp(pattern, 'u');
      const safe = safePattern(pattern);
      for (const input of inputs) assert.equal(safe.test(input), native.test(input), `${pattern} on ${JSON.stringify(input)}`);
    }
  });

  it('match a catastrophic pattern in linear time', () => {
    // a backtracking engine takes longer than the test's lifetime on this
    const input = `${'a'.repeat(100_000)}!`;
    assert.equal(safePattern('^(a+)+$').test(input), false);
    assert.equal(validateAgainst({ type: 'string', pattern: '^(a+)+$' }, input).valid, false);
    assert.equal(validateAgainst({ type: 'object', patternProperties: { '^(a|aa)+$': { type: 'integer' } } }, { [`${'a'.repeat(40)}b`]: 'x' }).valid, true);
  });

  it('refuse what cannot run in linear time, saying why', () => {
    const cases: [string, RegExp][] = [
      ['^(\\w+\\s?)*\\1$', /back-reference \(\\1\)/],
      ['^(?<w>a)\\k<w>$', /back-reference \(\\k<w>\)/],
      ['^(?=.*\\d).{8,}$', /lookahead/],
      ['^(?!x).*$', /lookahead/],
      ['^a{1000000}$', /invalid repeat count/],
      ['^(?:a{1000}){1000}$', /linear-time engine/],
      ['^(', /not a valid regular expression/],
      ['a{,3}', /not a valid regular expression/],
      ['x'.repeat(MAX_PATTERN_CHARS + 1), /at most 1000/],
    ];
    for (const [pattern, reason] of cases) assert.match(patternProblem(pattern) ?? 'accepted', reason, pattern.slice(0, 40));
    // a back-reference-like escape in a class is just a character
    assert.equal(patternProblem('^[\\d\\-]+$'), null);
  });
});
