/**
 * The GBNF the local engine splices into node-llama-cpp's JSON grammars
 * (issue 17.16): bounded integers and numbers, and regex patterns. Each
 * generated rule is translated to a JavaScript RegExp (the GBNF written here
 * is regular) and checked value by value against the JSON Schema meaning:
 * everything it accepts is valid, and every valid value in the plain JSON
 * form (no exponent, no leading zeros) is accepted.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { integerRange, numberRange, patternGbnf } from '../../src/providers/llama-cpp/gbnf-values.js';
import { grammarGaps, grammarPlan } from '../../src/providers/llama-cpp/grammar.js';

/** The regular subset of GBNF these rules use → an anchored RegExp. */
function toRegExp(gbnf: string): RegExp {
  let out = '';
  for (let i = 0; i < gbnf.length; ) {
    const c = gbnf[i]!;
    if (c === ' ' || c === '\n') {
      i++;
    } else if (c === '"') {
      let j = i + 1;
      let lit = '';
      while (gbnf[j] !== '"') {
        if (gbnf[j] === '\\') {
          const e = gbnf[j + 1]!;
          if (e === 'x') {
            lit += String.fromCharCode(parseInt(gbnf.slice(j + 2, j + 4), 16));
            j += 4;
          } else if (e === 'u') {
            lit += String.fromCharCode(parseInt(gbnf.slice(j + 2, j + 6), 16));
            j += 6;
          } else {
            lit += e;
            j += 2;
          }
        } else lit += gbnf[j++];
      }
      out += lit.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
      i = j + 1;
    } else if (c === '[') {
      let j = i + 1;
      while (gbnf[j] !== ']') j += gbnf[j] === '\\' ? 2 : 1;
      // JavaScript has no \U; code points above U+10FFFF cannot occur in its strings anyway.
      out += gbnf.slice(i, j + 1).replace(/\\U00110000-\\U001FFFFF/g, '');
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return new RegExp(`^(?:${out})$`);
}

describe('integerRange', () => {
  const cases: Array<[number | undefined, number | undefined]> = [
    [0, 9],
    [1, 10],
    [0, 0],
    [7, 7],
    [10, 37],
    [-250, 1234],
    [-9, -3],
    [-1000, -1],
    [5, undefined],
    [0, undefined],
    [123, undefined],
    [undefined, 0],
    [undefined, 42],
    [undefined, -17],
    [-5, undefined],
    [19, 1001],
    [100, 999],
  ];
  for (const [min, max] of cases) {
    it(`[${String(min)}, ${String(max)}]: exactly the integers in range, in JSON form`, () => {
      const gbnf = integerRange(min, max);
      assert.ok(gbnf, 'expressible');
      const re = toRegExp(gbnf);
      for (let v = -1500; v <= 1500; v++) {
        const inRange = (min === undefined || v >= min) && (max === undefined || v <= max);
        assert.equal(re.test(String(v)), inRange, `${v}`);
      }
      for (const v of [123456789, -123456789, 999999999999999]) {
        assert.equal(re.test(String(v)), (min === undefined || v >= min) && (max === undefined || v <= max), `${v}`);
      }
      for (const bad of ['01', '-0', '1.0', '1e2', '', '+1', ' 1']) assert.equal(re.test(bad), false, bad);
    });
  }

  it('an empty range or bounds beyond 15 digits is not expressed', () => {
    assert.equal(integerRange(5, 4), undefined);
    assert.equal(integerRange(0, 1e16), undefined);
  });
});

describe('numberRange', () => {
  const cases: Array<[number | undefined, number | undefined]> = [
    [0, 1],
    [0, undefined],
    [-1, 1],
    [undefined, 0],
    [1, 100],
    [-5, -2],
    [3, 3],
  ];
  const samples = ['0', '0.5', '0.0', '1', '1.0', '1.5', '1.00', '-0.5', '-1', '-1.0', '-1.5', '2', '2.25', '-2', '-2.5', '-5', '-5.0', '-5.1', '3', '3.0', '3.01', '10.25', '99.99', '100', '100.0', '100.5', '42'];
  for (const [min, max] of cases) {
    it(`[${String(min)}, ${String(max)}]: accepts exactly the in-range samples`, () => {
      const gbnf = numberRange(min, max);
      assert.ok(gbnf);
      const re = toRegExp(gbnf);
      for (const s of samples) {
        const v = Number(s);
        assert.equal(re.test(s), (min === undefined || v >= min) && (max === undefined || v <= max), s);
      }
      assert.equal(re.test('00.5'), false);
    });
  }

  it('fractional bounds and no bounds are left to node-llama-cpp / validation', () => {
    assert.equal(numberRange(0, 1.5), undefined);
    assert.equal(numberRange(undefined, undefined), undefined);
  });
});

describe('patternGbnf', () => {
  /** Matching is decided on the string; the grammar sees its JSON form (between the quotes). */
  const samples = ['ABC-12', 'abc-12', 'AB-123', 'yes', 'no', 'maybe', 'abc', 'xxabcxx', 'a"c', 'a\\c', 'a\nc', 'abc"', '', 'x', 'xxx', 'abab', 'aba', '-', 'a', '$12', '$12.50', '$12.5', 'joe@mail.com', 'é', 'a c', '"quoted"', 'tab\there'];
  const patterns = [
    '^[A-Z]{3}-\\d{2}$',
    '^(yes|no)$',
    '^a.c$',
    '^[^"]+$',
    '^[^a-z]*$',
    'abc',
    '^x*$',
    '^(?:ab)+$',
    '^[\\-a]$',
    '^\\$\\d+(\\.\\d{2})?$',
    '^\\w+@\\w+\\.com$',
    '^\\S+$',
    '^\\D{1,3}$',
    '^[a\\\\"]{3}$',
    '^.{2,3}?$',
    '^[é"]$',
    '^$',
  ];
  for (const pattern of patterns) {
    it(`${pattern}: the grammar accepts exactly the matching samples`, () => {
      const gbnf = patternGbnf(pattern);
      assert.ok(gbnf, 'expressible');
      const re = toRegExp(gbnf);
      const js = new RegExp(pattern, 'u');
      for (const s of samples) assert.equal(re.test(JSON.stringify(s).slice(1, -1)), js.test(s), JSON.stringify(s));
    });
  }

  it('what is beyond the subset is not expressed', () => {
    for (const p of ['^(?=a)b', '\\bword', '(a)\\1', 'a{1000}', '^\\p{L}+$', '[[a]]', 'a**', '(a', '^😀$', `^${'a'.repeat(600)}$`]) {
      assert.equal(patternGbnf(p), undefined, p);
    }
  });
});

describe('grammarPlan', () => {
  it('splices bounded numbers, patterns and uuid formats; lists what the grammar cannot enforce', () => {
    const schema = {
      type: 'object',
      properties: {
        score: { type: 'integer', minimum: 0, maximum: 9 },
        ratio: { type: 'number', minimum: 0, maximum: 1 },
        code: { type: 'string', pattern: '^[A-Z]{3}$' },
        id: { type: 'string', format: 'uuid' },
        when: { type: 'string', format: 'date' },
      },
      required: ['score', 'ratio', 'code', 'id', 'when'],
    };
    const plan = grammarPlan(schema);
    assert.deepEqual(plan.gaps, []);
    assert.equal(plan.splices.size, 4);
    const props = plan.schema.properties as Record<string, { const?: string }>;
    for (const k of ['score', 'ratio', 'code', 'id']) assert.match(props[k]!.const ?? '', /^cohort-splice-\d$/, k);
    assert.deepEqual(props.when, { type: 'string', format: 'date' });
    assert.equal(grammarPlan(schema), plan, 'memoized per schema object');
  });

  it('names the keywords it leaves to validation', () => {
    assert.deepEqual(
      grammarGaps({
        type: 'object',
        properties: {
          n: { type: 'integer', multipleOf: 5 },
          f: { type: 'number', minimum: 0.5 },
          e: { type: 'string', format: 'email' },
          p: { type: 'string', pattern: '(a)\\1' },
          u: { type: 'array', items: { type: 'string' }, uniqueItems: true },
          o: { oneOf: [{ type: 'string' }, { type: 'integer' }] },
          t: { type: ['integer', 'null'], maximum: 3 },
        },
      }),
      ['properties.n: multipleOf', 'properties.f: minimum/maximum', 'properties.e: format email', 'properties.p: pattern', 'properties.u: uniqueItems', 'properties.o: oneOf (exclusivity)'],
    );
  });

  it('a required property the schema does not list is generated too (any value, or additionalProperties)', () => {
    const plan = grammarPlan({ type: 'object', properties: { a: { type: 'string' } }, required: ['a', 'b'], additionalProperties: { type: 'boolean' } });
    assert.deepEqual(plan.schema, { type: 'object', properties: { a: { type: 'string' }, b: { type: 'boolean' } }, additionalProperties: { type: 'boolean' } });
    const any = grammarPlan({ type: 'object', required: ['id'] }).schema as { properties: Record<string, { oneOf?: unknown[] }>; additionalProperties?: unknown };
    assert.ok(Array.isArray(any.properties.id!.oneOf), 'any JSON value');
    assert.equal(any.additionalProperties, undefined);
  });

  it('a schema that already uses the placeholder prefix gets no splices', () => {
    const plan = grammarPlan({ type: 'object', properties: { a: { const: 'cohort-splice-0' }, n: { type: 'integer', minimum: 1 } } });
    assert.equal(plan.splices.size, 0);
    assert.deepEqual(plan.gaps, ['properties.n: minimum/maximum']);
  });
});
