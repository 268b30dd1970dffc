import { describe, expect, it } from 'vitest';
import type { BinaryReport } from '../metrics.js';
import { beatsBaseline } from './propensity-artifact.js';

const report = (rocAuc: number, logLoss: number) => ({ rocAuc, logLoss }) as BinaryReport;

describe('beatsBaseline (the promotion gate of purchase and churn)', () => {
  it('needs a higher AUC and a log loss no higher than the calibrated baseline', () => {
    expect(beatsBaseline(report(0.82, 0.40), report(0.75, 0.45))).toBe(true);
    expect(beatsBaseline(report(0.82, 0.45), report(0.75, 0.45))).toBe(true);
    // Ranks better, probabilities worse (seen on the online-retail churn model as of 2011-09-09).
    expect(beatsBaseline(report(0.82, 0.736), report(0.75, 0.662))).toBe(false);
    expect(beatsBaseline(report(0.75, 0.30), report(0.75, 0.45))).toBe(false);
    expect(beatsBaseline(report(Number.NaN, 0.30), report(0.75, 0.45))).toBe(false);
  });

  it('lets a higher log loss through only within two standard errors of the paired per-customer difference', () => {
    // A better ranking with a log loss 0.003 above the baseline's: noise when the difference's standard error is 0.002…
    expect(beatsBaseline(report(0.963, 0.214), report(0.944, 0.211), { mean: 0.003, standardError: 0.002 })).toBe(true);
    // …not when it is 0.001, nor the retail churn model's 0.074 with any plausible error.
    expect(beatsBaseline(report(0.963, 0.214), report(0.944, 0.211), { mean: 0.003, standardError: 0.001 })).toBe(false);
    expect(beatsBaseline(report(0.82, 0.736), report(0.75, 0.662), { mean: 0.074, standardError: 0.01 })).toBe(false);
    // The AUC comes first, whatever the log loss.
    expect(beatsBaseline(report(0.74, 0.2), report(0.75, 0.45), { mean: -0.25, standardError: 0.01 })).toBe(false);
  });

  it('judges on AUC alone when a log loss is undefined (one class in the validation rows)', () => {
    expect(beatsBaseline(report(0.82, Number.NaN), report(0.75, 0.45))).toBe(true);
  });
});
