/**
 * The o200k token counter: the library's tokens for ordinary text, and a cost
 * linear in the text whatever it holds. gpt-tokenizer's merge is quadratic in
 * a pre-token's length: before the chunked merge, 200 KB of `a` took ~136 s and
 * 2 MB of combining marks never ended; each case below would time the test out.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import { truncateToTokens } from '../../src/providers/sandbox/usage.js';
import { MAX_PIECE_BYTES, countTokens, decodeTokens, encodeTokens } from '../../src/util/tokens.js';

const library = createRequire(import.meta.url)('gpt-tokenizer/cjs/encoding/o200k_base') as {
  encode(text: string): number[];
  default: { bytePairEncodingCoreProcessor: { bytePairEncode(piece: string): number[] } };
};

/** A generous bound: the quadratic merge takes minutes on these inputs, the linear one milliseconds. */
const BOUND = { timeout: 20_000 };

/** Runs `fn` and returns the longest piece (UTF-8 bytes) the library's quadratic merge was given meanwhile. */
function longestMerged(fn: () => void): number {
  const core = library.default.bytePairEncodingCoreProcessor;
  const original = core.bytePairEncode;
  let longest = 0;
  core.bytePairEncode = function (piece: string) {
    longest = Math.max(longest, Buffer.byteLength(piece));
    return original.call(this, piece);
  };
  try {
    fn();
  } finally {
    core.bytePairEncode = original;
  }
  return longest;
}

describe('o200k token counting', () => {
  it('gives the library’s tokens for ordinary text (README, code, several scripts)', () => {
    const readme = fs.readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const samples = [
      readme,
      'def f(x):\n    return x**2\n\n\tindented\r\n',
      'naïve café — 日本語のテキスト, Ελληνικά, русский текст, עברית, العربية',
      "I'm sure they've done it; we'll see. 12345678 3.14159",
      'https://example.com/a/b?c=d&e=f#g 😀👍🏽',
      ' '.repeat(MAX_PIECE_BYTES),
    ];
    for (const text of samples) assert.deepEqual(encodeTokens(text), library.encode(text), text.slice(0, 40));
    assert.equal(countTokens(readme), library.encode(readme).length);
  });

  it('splits mixed text into the same pieces as the library (letters, contractions, digits, spaces, line breaks, marks, scripts, emoji)', () => {
    let seed = 11;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n;
    const atoms = [
      'a',
      'Z',
      'é',
      'ß',
      'Ω',
      'я',
      '日',
      '本',
      'ش',
      '\u0301',
      '7',
      '42',
      ' ',
      '  ',
      '\n',
      '\r\n',
      '\t',
      "'s",
      "'LL",
      '!',
      '?!',
      '...',
      '/',
      '—',
      '😀',
      '👍🏽',
      'https://x.io/a',
      'The',
      'quick',
      'naïve',
    ];
    for (let n = 0; n < 300; n++) {
      const text = Array.from({ length: 1 + rnd(60) }, () => atoms[rnd(atoms.length)]).join('');
      assert.deepEqual(encodeTokens(text), library.encode(text), JSON.stringify(text));
    }
  });

  it('counts special-token strings in text as ordinary text (the library throws on them)', () => {
    assert.throws(() => library.encode('a <|endoftext|> b'));
    const ids = encodeTokens('a <|endoftext|> b');
    assert.ok(ids.length > 3);
    assert.equal(decodeTokens(ids), 'a <|endoftext|> b');
    assert.ok(!ids.includes(199_999), 'not the control token');
  });

  it('never hands the quadratic merge more than MAX_PIECE_BYTES (it was given whole runs: 200 KB of a)', () => {
    const text = 'b'.repeat(20_000) + ' ' + '\u0302'.repeat(20_000) + ' ' + '\n'.repeat(20_000) + '?'.repeat(20_000);
    const longest = longestMerged(() => countTokens(text));
    assert.ok(longest > 0 && longest <= MAX_PIECE_BYTES, `merged a piece of ${longest} bytes`);
  });

  it('200 KB of one letter: linear, and about one token per 8 letters like the real encoding', BOUND, () => {
    const text = 'a'.repeat(200_000);
    const n = countTokens(text);
    assert.equal(n, encodeTokens(text).length);
    // The library's exact answer for 8,000 a's (quadratic, but small enough here) gives the ratio.
    const ratio = library.encode('a'.repeat(8_000)).length / 8_000;
    assert.ok(Math.abs(n / 200_000 - ratio) < 0.01, `${n} tokens`);
    assert.equal(decodeTokens(encodeTokens(text)), text);
  });

  it('2 MB of combining marks, 1 MB of spaces, of newlines, of punctuation, of digits', BOUND, () => {
    for (const text of ['\u0301'.repeat(1_000_000), ' '.repeat(1_000_000), '\n'.repeat(1_000_000), '!'.repeat(1_000_000), '7'.repeat(1_000_000)]) {
      const ids = encodeTokens(text);
      assert.ok(ids.length > 0 && ids.length <= Buffer.byteLength(text));
      assert.equal(decodeTokens(ids), text);
    }
  });

  it('unique text without spaces (random letters, CJK, astral characters) round-trips, pairs never split', BOUND, () => {
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const gen = (n: number, f: () => string) => Array.from({ length: n }, f).join('');
    for (const text of [
      gen(200_000, () => String.fromCharCode(97 + Math.floor(rnd() * 26))),
      gen(100_000, () => String.fromCharCode(0x4e00 + Math.floor(rnd() * 20_000))),
      gen(50_000, () => String.fromCodePoint(0x1f300 + Math.floor(rnd() * 500))),
    ]) {
      const ids = encodeTokens(text);
      assert.equal(decodeTokens(ids), text);
      assert.equal(countTokens(text), ids.length);
    }
  });

  it('a cut inside a character decodes to U+FFFD, and truncation drops it', () => {
    const ids = encodeTokens('𓀀');
    assert.equal(ids.length, 4, 'a hieroglyph is four byte tokens');
    assert.equal(decodeTokens(ids.slice(0, 2)), '\uFFFD');
    assert.equal(decodeTokens([...ids.slice(0, 2), ...encodeTokens(' x')]), '\uFFFD x', 'a cut run ends where whole characters follow');
    assert.deepEqual(truncateToTokens('ab 𓀀𓀀𓀀 cd', 8), { text: 'ab 𓀀', tokens: 6, truncated: true });
  });
});
