/** Tokenizing, TF-IDF, k-means / silhouette and themes of open-ended answers. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { meanSilhouette } from '../../../src/focus-groups/stats/kmeans.js';
import { createRng } from '../../../src/focus-groups/stats/random.js';
import { tfidf } from '../../../src/focus-groups/stats/text/tfidf.js';
import { foldPlural, surfaceForm, tokenize } from '../../../src/focus-groups/stats/text/tokenize.js';
import { extractThemes, type ThemeDocument } from '../../../src/focus-groups/stats/themes.js';

const close = (actual: number, expected: number, tol: number, what = ''): void =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what} ${actual} vs ${expected} (tol ${tol})`);

describe('text', () => {
  it('tokenizes: lower case, stop words and fillers out, plurals folded, spellings kept for labels', () => {
    const surface = new Map<string, Map<string, number>>();
    assert.deepEqual(tokenize("I really don't think the Batteries last; prices are too high!", surface), ['battery', 'last', 'price', 'high']);
    assert.equal(surfaceForm('battery', surface), 'batteries');
    assert.equal(foldPlural('glass'), 'glass');
    assert.equal(foldPlural('bonus'), 'bonus');
    assert.deepEqual(tokenize('Café prix élevés 2024'), ['café', 'prix', 'élevé']);
  });
  it('tokenizes ASCII text (scanned without a regex) as the Unicode word pattern does', () => {
    // A non-ASCII word at the end sends the text through the Unicode pattern, and adds one term.
    const reference = (text: string): string[] => tokenize(`${text} éé`).slice(0, -1);
    const rng = createRng(8);
    const alphabet = "aZ09 _-'.,;!?\t\nsiesxyQbatterypricesBONUS";
    for (let n = 0; n < 400; n++) {
      const text = Array.from({ length: rng.nextInt(40) }, () => alphabet[rng.nextInt(alphabet.length)]).join('');
      const surface = new Map<string, Map<string, number>>();
      assert.deepEqual(tokenize(text, surface), reference(text), JSON.stringify(text));
    }
    assert.deepEqual(tokenize('A1 2b 22 price2 PRICES x'), ['a1', '2b', 'price2', 'price']);
  });
  it('TF-IDF by hand: two documents; a term in both has idf ln(3/3) + 1 = 1, a term in one ln(3/2) + 1', () => {
    const m = tfidf([['price', 'price', 'delivery'], ['price']], { minDf: 1 });
    const i = m.terms.indexOf('price');
    const j = m.terms.indexOf('delivery');
    close(m.idf[i]!, 1, 1e-15);
    close(m.idf[j]!, Math.log(1.5) + 1, 1e-15);
    // Row 0: price (1 + ln 2)·1, delivery 1·(ln 1.5 + 1), normalized.
    const a = 1 + Math.log(2);
    const b = Math.log(1.5) + 1;
    const row = m.rows[0]!;
    close(row.values[Array.from(row.indices).indexOf(i)]!, a / Math.hypot(a, b), 1e-15);
    close(m.rows[1]!.values[0]!, 1, 1e-15);
  });
});

describe('silhouette', () => {
  it('by hand: clusters {0, 1} and {2, 3} with d01 = d23 = 1, d02 = 4, d03 = 5, d12 = 3, d13 = 4 → mean of (7/9, 5/7, 5/7, 7/9)', () => {
    const d = [
      [0, 1, 4, 5],
      [1, 0, 3, 4],
      [4, 3, 0, 1],
      [5, 4, 1, 0],
    ];
    const s = meanSilhouette(Float64Array.from(d.flat()), 4, Int32Array.from([0, 0, 1, 1]), 2);
    close(s, (7 / 9 + 5 / 7 + 5 / 7 + 7 / 9) / 4, 1e-15);
  });
});

/** 3 topics × 30 answers, built from each topic's words with filler and variation. */
function corpus(): ThemeDocument[] {
  const topics = [
    ['price', 'expensive', 'cost', 'money', 'budget', 'afford'],
    ['delivery', 'shipping', 'late', 'arrived', 'courier', 'package'],
    ['taste', 'flavor', 'delicious', 'bland', 'recipe', 'spicy'],
  ];
  const fillers = ['honestly I think', 'for me', 'overall', 'the main thing is', 'my view:'];
  const rng = createRng(3);
  const docs: ThemeDocument[] = [];
  for (let i = 0; i < 90; i++) {
    const t = topics[i % 3]!;
    const words = [0, 1, 2].map(() => t[rng.nextInt(t.length)]!);
    docs.push({ text: `${fillers[rng.nextInt(fillers.length)]} the ${words.join(' and the ')} matter`, respondentId: `r${i}` });
  }
  return docs;
}

describe('themes', () => {
  it('finds the three topics of a lexical corpus: k = 3 by silhouette, pure clusters, labels from their words, quotes with respondent ids', () => {
    const docs = corpus();
    const r = extractThemes(docs, { seed: 1 });
    assert.equal(r.method, 'lexical');
    assert.equal(r.themes.length, 3);
    for (const theme of r.themes) {
      const topics = new Set<number>();
      docs.forEach((_, i) => r.assignment[i] === r.themes.indexOf(theme) && topics.add(i % 3));
      assert.equal(topics.size, 1, `theme ${theme.label} mixes topics`);
      close(theme.share, 1 / 3, 1e-12);
      assert.equal(theme.quotes.length, 3);
      assert.ok(theme.quotes.every((q) => q.respondent_id?.startsWith('r')));
    }
    const labels = r.themes.map((t) => t.terms.join(' '));
    assert.ok(labels.some((l) => /price|expensive|cost/.test(l)));
    assert.ok(labels.some((l) => /delivery|shipping|courier/.test(l)));
    assert.ok(labels.some((l) => /taste|flavor|delicious/.test(l)));
    assert.ok(r.silhouette! > 0);
  });
  it('is deterministic per seed; weights set the shares; a sentiment scorer is averaged per theme', () => {
    const docs = corpus().map((d, i) => ({ ...d, weight: i % 3 === 0 ? 2 : 1 }));
    const a = extractThemes(docs, { seed: 9, sentiment: (t) => (/delicious/.test(t) ? 1 : 0) });
    const b = extractThemes(docs, { seed: 9, sentiment: (t) => (/delicious/.test(t) ? 1 : 0) });
    assert.deepEqual(a, b);
    const heavy = a.themes[0]!;
    close(heavy.share, 0.5, 1e-12, 'topic 0 carries weight 2 of 4');
    assert.ok(a.themes.every((t) => t.sentiment !== undefined));
  });
  it('uses embeddings when every answer has one: three directions in 16 dimensions → three themes', () => {
    const rng = createRng(4);
    const docs: ThemeDocument[] = Array.from({ length: 60 }, (_, i) => {
      const v = Array.from({ length: 16 }, () => (rng.next() - 0.5) * 0.3);
      v[i % 3] = v[i % 3]! + 3;
      return { text: `answer ${i} about topic ${i % 3}`, embedding: v };
    });
    const r = extractThemes(docs, { seed: 2 });
    assert.equal(r.method, 'embeddings');
    assert.equal(r.themes.length, 3);
    r.themes.forEach((_, t) => assert.equal(new Set(docs.map((_, i) => i).filter((i) => r.assignment[i] === t).map((i) => i % 3)).size, 1));
  });
  it('answers with nothing left after stop words are unthemed; few answers make one theme; long quotes are cut', () => {
    const long = `Price ${'very '.repeat(100)}expensive`;
    const r = extractThemes([{ text: 'Yes.' }, { text: 'ok' }, { text: 'too expensive price' }, { text: long }], { seed: 1 });
    assert.equal(r.unthemed.count, 2);
    close(r.unthemed.share, 0.5, 1e-15);
    assert.equal(r.themes.length, 1);
    assert.ok(r.themes[0]!.quotes.every((q) => q.text.length <= 280));
    assert.deepEqual(Array.from(r.assignment), [-1, -1, 0, 0]);
    assert.deepEqual(extractThemes([], { seed: 1 }).themes, []);
  });
});
