/** The CSV exports' cells: RFC 4180 quoting, and no formula a spreadsheet would run. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { csvCell } from '../../src/focus-groups/answers-csv.js';

describe('CSV cells', () => {
  it('quote commas, quotes and line breaks (RFC 4180); JSON for non-strings; empty for null', () => {
    assert.equal(csvCell('plain'), 'plain');
    assert.equal(csvCell('a, b'), '"a, b"');
    assert.equal(csvCell('say "hi"'), '"say ""hi"""');
    assert.equal(csvCell('two\nlines'), '"two\nlines"');
    assert.equal(csvCell({ value: 3 }), '"{""value"":3}"');
    assert.equal(csvCell(null), '');
    assert.equal(csvCell(undefined), '');
  });

  it('neutralize text a spreadsheet would run as a formula, and leave numbers alone', () => {
    assert.equal(csvCell('=HYPERLINK("http://x.example","click")'), `"'=HYPERLINK(""http://x.example"",""click"")"`);
    assert.equal(csvCell('+1 more'), "'+1 more");
    assert.equal(csvCell('-sum(A1)'), "'-sum(A1)");
    assert.equal(csvCell('@cmd'), "'@cmd");
    assert.equal(csvCell('\tx'), "'\tx");
    assert.equal(csvCell(-5), '-5');
    assert.equal(csvCell(2.5), '2.5');
    assert.equal(csvCell('a = b'), 'a = b');
  });
});
