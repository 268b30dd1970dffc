import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyCalibration, CalibrationSchema, chooseCalibration, fitIsotonic, fitPlatt } from './calibration.js';
import { expectedCalibrationError, logLoss, rocAuc } from './metrics.js';
import { createRng } from './random.js';

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** True probabilities σ(z), z ~ N(−1, 1.5²); labels drawn from them; the model's score is a distortion. */
function simulate(n: number, seed: number, distort: (p: number) => number): { score: number[]; y: number[]; p: number[] } {
  const rng = createRng(seed);
  const p: number[] = [];
  const y: number[] = [];
  const score: number[] = [];
  for (let i = 0; i < n; i++) {
    const pi = sigmoid(-1 + 1.5 * rng.normal());
    p.push(pi);
    y.push(rng.next() < pi ? 1 : 0);
    score.push(distort(pi));
  }
  return { score, y, p };
}

describe('Platt scaling', () => {
  it('recovers a known logit-linear distortion: score = σ(2·z + 1) → a ≈ 0.5, b ≈ −0.5', () => {
    const d = simulate(40_000, 1, (p) => sigmoid(2 * Math.log(p / (1 - p)) + 1));
    const params = fitPlatt(d.score, d.y);
    expect(params.a).toBeCloseTo(0.5, 1);
    expect(params.b).toBeCloseTo(-0.5, 1);
  });

  it("uses Platt's smoothed targets: perfectly separated 2+2 rows fit towards 3/4 and 1/4, not 1 and 0", () => {
    // Targets (N₊+1)/(N₊+2) = 0.75 and 1/(N₋+2) = 0.25; plain 0/1 targets would send the slope to infinity.
    const params = fitPlatt([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]);
    expect(Number.isFinite(params.a)).toBe(true);
    expect(params.a).toBeGreaterThan(0);
    const [lo, hi] = applyCalibration(params, [0.1, 0.9]);
    expect(hi).toBeGreaterThan(0.75);
    expect(hi).toBeLessThan(0.85);
    expect(lo).toBeGreaterThan(0.15);
    expect(lo).toBeLessThan(0.25);
  });
});

describe('isotonic regression', () => {
  it('pools adjacent violators and interpolates between run end points', () => {
    const params = fitIsotonic([0.25, 0.3, 0.35, 0.4, 0.5, 0.6, 0.7, 0.8], [0, 0, 0, 1, 0, 1, 1, 1]);
    // Runs: three negatives, then 0.4–0.5 pooled to 1/2, then three positives.
    expect(params.x).toEqual([0.25, 0.35, 0.4, 0.5, 0.6, 0.8]);
    // The pure runs take the rule of succession, (0 + 1)/(3 + 2) and (3 + 1)/(3 + 2), not 0 and 1.
    expect(params.y).toEqual([0.2, 0.2, 0.5, 0.5, 0.8, 0.8]);
    const out = applyCalibration(params, [0.1, 0.3, 0.45, 0.55, 0.9]);
    expect(out[0]).toBeCloseTo(0.2, 12); // below the fitted range: its first value
    expect(out[1]).toBeCloseTo(0.2, 12);
    expect(out[2]).toBeCloseTo(0.5, 12);
    expect(out[3]).toBeCloseTo(0.65, 12); // halfway from 0.5 (at 0.5) to 0.8 (at 0.6)
    expect(out[4]).toBeCloseTo(0.8, 12);
  });

  it("keeps a pure end run below (above) its neighbour's rate when the rule of succession would pass it", () => {
    // One negative, then a run of 1 positive in 10: (0 + 1)/(1 + 2) = 1/3 would pass 0.1, so it stops at 0.1.
    const p = [0.05, ...Array.from({ length: 10 }, (_, i) => 0.1 + i * 0.01)];
    const y = [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const params = fitIsotonic(p, y);
    expect(params.y[0]).toBeCloseTo(0.1, 12);
    expect(Math.min(...params.y)).toBeGreaterThan(0);
    // Every row the same class: one run, moved off certainty.
    expect(fitIsotonic([0.1, 0.2, 0.3], [1, 1, 1]).y).toEqual([0.8, 0.8]);
  });

  it('averages labels of tied inputs before pooling', () => {
    const params = fitIsotonic([0.3, 0.3, 0.3, 0.6], [1, 0, 0, 1]);
    expect(params.x).toEqual([0.3, 0.6]);
    expect(params.y[0]).toBeCloseTo(1 / 3, 12);
  });

  it('stays monotone between subnormal end points (the interpolation must not underflow)', () => {
    const rows = [[1.5e-323, 0], [1.5e-323, 0], [1.5e-323, 0], [1.5e-323, 1], [3.5e-323, 0], [3.5e-323, 1]] as const;
    const params = fitIsotonic(rows.map(([p]) => p), rows.map(([, y]) => y));
    const [below, at] = applyCalibration(params, [3e-323, 3.5e-323]);
    expect(at!).toBeGreaterThanOrEqual(below!);
    expect(below!).toBeCloseTo(0.4375, 12); // three quarters of the way from 1.5e-323 (rate 1/4) to 3.5e-323 (rate 1/2)
  });

  it('is monotone non-decreasing for any data', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(0, 1)), { minLength: 1, maxLength: 80 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 2, maxLength: 30 }),
        (rows, queries) => {
          const params = fitIsotonic(rows.map(([p]) => p), rows.map(([, y]) => y));
          const q = [...queries].sort((a, b) => a - b);
          const out = applyCalibration(params, q);
          for (let i = 1; i < out.length; i++) expect(out[i]!).toBeGreaterThanOrEqual(out[i - 1]! - 1e-15);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('calibrating a mis-calibrated score (p³)', () => {
  const fit = simulate(20_000, 7, (p) => p ** 3);
  const test = simulate(20_000, 8, (p) => p ** 3);

  it('starts badly calibrated', () => {
    expect(expectedCalibrationError(test.y, test.score)).toBeGreaterThan(0.1);
  });

  it.each(['platt', 'isotonic'] as const)('%s brings held-out ECE below 0.03 without hurting AUC', (method) => {
    const params = method === 'platt' ? fitPlatt(fit.score, fit.y) : fitIsotonic(fit.score, fit.y);
    const calibrated = applyCalibration(params, test.score);
    expect(expectedCalibrationError(test.y, calibrated)).toBeLessThan(0.03);
    expect(logLoss(test.y, calibrated)).toBeLessThan(logLoss(test.y, test.score));
    expect(rocAuc(test.y, calibrated)).toBeGreaterThan(rocAuc(test.y, test.score) - 0.005);
  });

  it('chooseCalibration compares out-of-fold log loss and its choice also gets ECE below 0.03', () => {
    const choice = chooseCalibration(fit.score, fit.y);
    expect(choice.cvLogLoss).not.toBeNull();
    const { platt, isotonic } = choice.cvLogLoss!;
    expect(choice.params.method).toBe(isotonic < platt ? 'isotonic' : 'platt');
    expect(expectedCalibrationError(test.y, applyCalibration(choice.params, test.score))).toBeLessThan(0.03);
  });
});

describe('chooseCalibration', () => {
  it('uses Platt without comparing when samples are few', () => {
    const d = simulate(300, 3, (p) => p ** 2);
    const choice = chooseCalibration(d.score, d.y);
    expect(choice.params.method).toBe('platt');
    expect(choice.cvLogLoss).toBeNull();
    expect(choice.reason).toMatch(/too few/);
  });

  it('produces parameters that survive a JSON round trip through CalibrationSchema', () => {
    const d = simulate(5000, 4, (p) => Math.sqrt(p));
    const { params } = chooseCalibration(d.score, d.y);
    const back = CalibrationSchema.parse(JSON.parse(JSON.stringify(params)));
    expect(Array.from(applyCalibration(back, [0.1, 0.5, 0.9]))).toEqual(Array.from(applyCalibration(params, [0.1, 0.5, 0.9])));
    expect(() => CalibrationSchema.parse({ method: 'platt', a: 'x' })).toThrow();
  });
});
