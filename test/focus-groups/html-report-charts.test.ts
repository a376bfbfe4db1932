/** The HTML report's text pieces: p-values escaped, chart labels using the label column's room. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pValueHtml } from '../../src/focus-groups/report/html-report.js';
import { heatmap, horizontalBars, labelLines, stackedBars } from '../../src/focus-groups/report/svg-charts.js';

describe('html-report: p-values', () => {
  it('below 0.001 is written &lt; 0.001 (an unescaped < is markup); others to three decimals', () => {
    assert.equal(pValueHtml(0.0000123), '&lt; 0.001');
    assert.equal(pValueHtml(0.0412), '0.041');
    assert.equal(pValueHtml(1), '1.000');
  });
});

describe('html-report: chart labels', () => {
  it('one line when it fits, else two broken between words, clipped only past that', () => {
    assert.deepEqual(labelLines('Mix of cooking', 30), ['Mix of cooking']);
    assert.deepEqual(labelLines('Mix of cooking and takeaway during the week', 30), ['Mix of cooking and takeaway', 'during the week']);
    assert.deepEqual(labelLines('Mix of cooking and takeaway during the week, and on weekends something else entirely', 30), ['Mix of cooking and takeaway', 'during the week, and on weeke…']);
    assert.deepEqual(labelLines('x'.repeat(40), 30), ['x'.repeat(30), 'x'.repeat(10)]);
  });

  it('a bar, stacked bar and heatmap row show the whole label in two lines, the rows taller', () => {
    const label = 'Mix of cooking and takeaway during the week';
    const bars = horizontalBars(
      't',
      [
        { label, value: 0.4 },
        { label: 'Cook', value: 0.6 },
      ],
      { max: 1, format: (x) => `${x}` },
    );
    assert.ok(bars.includes('<tspan x="194">Mix of cooking and takeaway</tspan><tspan x="194" dy="14">during the week</tspan>'), bars);
    assert.ok(!bars.includes('…'));
    assert.match(bars, /viewBox="0 0 640 76"/, 'two rows of 36');
    const short = horizontalBars('t', [{ label: 'Cook', value: 0.6 }], { max: 1, format: (x) => `${x}` });
    assert.ok(short.includes('<text x="194" y="17" text-anchor="end" font-size="12">Cook</text>'), 'one line: as before');
    assert.match(short, /viewBox="0 0 640 34"/);
    assert.ok(stackedBars('t', [{ label, shares: [0.5, 0.5] }], ['a', 'b'], ['#000', '#fff']).includes('<tspan x="194" dy="14">during the week</tspan>'));
    assert.ok(heatmap('t', [{ label, shares: [0.5, 0.5] }], ['a', 'b']).includes('dy="14">'));
  });
});
