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

  it('judges on AUC alone when a log loss is undefined (one class in the validation rows)', () => {
    expect(beatsBaseline(report(0.82, Number.NaN), report(0.75, 0.45))).toBe(true);
  });
});
