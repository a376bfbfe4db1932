/**
 * Special functions and distributions against published values: R (pnorm, qt, pchisq,
 * pgamma, pbeta) and Abramowitz & Stegun's tables agree to the digits given.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chiSquareSf, normalCdf, normalQuantile, normalTwoSidedP, studentTCdf, studentTQuantile, studentTTwoSidedP } from '../../../src/focus-groups/stats/distributions.js';
import { betaIncomplete, erfc, gammaP, gammaQ, logGamma } from '../../../src/focus-groups/stats/special-functions.js';

const close = (actual: number, expected: number, tol: number, what = ''): void =>
  assert.ok(Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected)), `${what} ${actual} vs ${expected} (tol ${tol})`);

describe('special functions', () => {
  it('logGamma: ln Γ(½) = ln √π, ln Γ(10) = ln 9!, ln Γ(100.5)', () => {
    close(logGamma(0.5), 0.5 * Math.log(Math.PI), 1e-14);
    close(logGamma(10), Math.log(362880), 1e-14);
    close(logGamma(1), 0, 1e-14);
    close(logGamma(100.5), 361.43554046777757, 1e-13); // R: lgamma(100.5)
  });
  it('incomplete gamma: P(3, 2.5) (R pgamma(2.5, 3) = 0.4561869), P + Q = 1, P(1, x) = 1 − e^−x', () => {
    close(gammaP(3, 2.5), 0.45618688411667035, 1e-13);
    close(gammaP(3, 2.5) + gammaQ(3, 2.5), 1, 1e-15);
    for (const x of [0.1, 1, 5, 30]) close(gammaP(1, x), -Math.expm1(-x), 1e-13, `x=${x}`);
    close(gammaQ(50, 100) / 1.1784500720979781e-8, 1, 1e-11); // R: pgamma(100, 50, lower.tail = FALSE)
  });
  it('incomplete beta: I_0.4(2, 3) = 0.5248 (by hand: Σ_{j=2..4} C(4,j)·0.4^j·0.6^(4−j)), symmetry', () => {
    close(betaIncomplete(2, 3, 0.4), 0.5248, 1e-13);
    close(betaIncomplete(3, 2, 0.6), 1 - 0.5248, 1e-13);
    close(betaIncomplete(0.5, 0.5, 0.5), 0.5, 1e-13);
  });
  it('erfc: erfc(0) = 1, erfc(1) = 0.157299207050285 (A&S table 7.1), erfc(−1) = 2 − erfc(1)', () => {
    close(erfc(0), 1, 1e-15);
    close(erfc(1), 0.15729920705028513, 1e-14);
    close(erfc(-1), 1.8427007929497148, 1e-14);
    close(erfc(5) / 1.5374597944280349e-12, 1, 1e-11);
  });
});

describe('normal', () => {
  it('Φ(1.96) = 0.9750021, Φ(−3) = 0.0013499, Φ(−8) = 6.22e−16 (tail precision kept)', () => {
    close(normalCdf(1.96), 0.9750021048517795, 1e-14);
    close(normalCdf(-3), 0.0013498980316300933, 1e-12);
    close(normalCdf(-8) / 6.220960574271785e-16, 1, 1e-10);
    close(normalTwoSidedP(1.959963984540054), 0.05, 1e-13);
  });
  it('quantiles: z_0.975 = 1.959963984540054, z_0.001 = −3.090232306167813', () => {
    close(normalQuantile(0.975), 1.959963984540054, 1e-14);
    close(normalQuantile(0.001), -3.090232306167813, 1e-13);
    close(normalQuantile(0.5), 0, 1e-15);
    for (const p of [1e-10, 0.01, 0.3, 0.9, 0.999999]) close(normalCdf(normalQuantile(p)), p, 1e-12, `p=${p}`);
  });
});

describe("Student's t", () => {
  it('quantiles: t_0.975,9 = 2.262157, t_0.975,1 = 12.7062 (tables), t_0.975,∞-like → z', () => {
    close(studentTQuantile(0.975, 9), 2.262157162798205, 1e-12);
    close(studentTQuantile(0.975, 1), 12.706204736174694, 1e-11);
    close(studentTQuantile(0.025, 30), -2.0422724563012373, 1e-12);
    close(studentTQuantile(0.975, 1e7), 1.959963984540054, 1e-6);
  });
  it('CDF and two-sided p: t = 2.228 with 10 df is the 5% two-sided critical value; t(1) is Cauchy', () => {
    close(studentTTwoSidedP(2.228138851986274, 10), 0.05, 1e-12);
    close(studentTCdf(1, 1), 0.75, 1e-14); // Cauchy: ½ + atan(1)/π
    close(studentTCdf(-1.5, 4.5), 1 - studentTCdf(1.5, 4.5), 1e-15);
  });
});

describe('chi-square', () => {
  it('upper tail: χ²=3.841459 on 1 df is 0.05; on 2 df it is e^(−x/2)', () => {
    close(chiSquareSf(3.841458820694124, 1), 0.05, 1e-12);
    close(chiSquareSf(30.07, 2), Math.exp(-30.07 / 2), 1e-12);
    close(chiSquareSf(18.307038053275146, 10), 0.05, 1e-12);
  });
});
