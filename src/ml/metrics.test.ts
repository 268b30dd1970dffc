import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  averagePrecision,
  baseRate,
  binaryReport,
  brierScore,
  calibrationTable,
  gainsCurve,
  liftAt,
  liftTopDecile,
  logLoss,
  pairedLogLossDifference,
  rocAuc,
  rocCurve,
} from './metrics.js';
import { createRng } from './random.js';

/** O(n²) definition: share of (positive, negative) pairs ranked correctly, ties ½. */
function bruteAuc(y: number[], s: number[]): number {
  let u = 0;
  let pairs = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 1) continue;
    for (let j = 0; j < y.length; j++) {
      if (y[j] !== 0) continue;
      pairs++;
      u += s[i]! > s[j]! ? 1 : s[i] === s[j] ? 0.5 : 0;
    }
  }
  return u / pairs;
}

/** scikit-learn's definition spelled out: for each distinct threshold t (descending), ΔR · P at t. */
function bruteAp(y: number[], s: number[]): number {
  const P = y.filter((v) => v === 1).length;
  const ts = [...new Set(s)].sort((a, b) => b - a);
  let prevR = 0;
  let ap = 0;
  for (const t of ts) {
    let tp = 0;
    let pp = 0;
    s.forEach((v, i) => {
      if (v >= t) {
        pp++;
        tp += y[i]!;
      }
    });
    const r = tp / P;
    ap += (r - prevR) * (tp / pp);
    prevR = r;
  }
  return ap;
}

const labelledScores = fc
  .array(fc.tuple(fc.constantFrom(0, 1), fc.integer({ min: 0, max: 6 })), { minLength: 2, maxLength: 60 })
  .filter((rows) => rows.some(([y]) => y === 1) && rows.some(([y]) => y === 0))
  .map((rows) => ({ y: rows.map(([y]) => y), s: rows.map(([, s]) => s / 6) }));

describe('rocAuc', () => {
  it('matches scikit-learn documented example y=[0,0,1,1], s=[0.1,0.4,0.35,0.8] → 0.75', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.75, 12);
  });

  it('counts a tied positive/negative pair as one half (hand-computed 3/9)', () => {
    // positives 0.9, 0.5, 0.2; negatives 0.9, 0.5, 0.8 → pairs won: 0.5+1+1 | 0+0.5+0 | 0 = 3 of 9.
    expect(rocAuc([1, 0, 1, 0, 1, 0], [0.9, 0.9, 0.5, 0.5, 0.2, 0.8])).toBeCloseTo(3 / 9, 12);
  });

  it('is 0.5 when every score is tied and NaN with one class only', () => {
    expect(rocAuc([0, 1, 0, 1], [0.3, 0.3, 0.3, 0.3])).toBe(0.5);
    expect(rocAuc([1, 1], [0.2, 0.4])).toBeNaN();
  });

  it('equals the O(n²) pairwise definition on random data with many ties, in any row order', () => {
    fc.assert(
      fc.property(labelledScores, ({ y, s }) => {
        const want = bruteAuc(y, s);
        expect(rocAuc(y, s)).toBeCloseTo(want, 12);
        const order = y.map((_, i) => i).reverse();
        expect(rocAuc(order.map((i) => y[i]!), order.map((i) => s[i]!))).toBeCloseTo(want, 12);
      }),
      { numRuns: 200 },
    );
  });

  it('rejects labels other than 0/1 and non-finite scores', () => {
    expect(() => rocAuc([0, 2], [0.1, 0.2])).toThrow(/labels must be 0 or 1/);
    expect(() => rocAuc([0, 1], [0.1, NaN])).toThrow(/finite/);
    expect(() => rocAuc([0, 1], [0.1])).toThrow(/differ in length/);
  });
});

describe('averagePrecision', () => {
  it('matches scikit-learn documented example → 0.8333', () => {
    expect(averagePrecision([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBeCloseTo(0.8333333333, 9);
  });

  it('treats tied scores as one threshold (hand-computed 0.25 + 0.5·2/3)', () => {
    expect(averagePrecision([1, 0, 1], [0.5, 0.5, 0.3])).toBeCloseTo(0.25 + 0.5 * (2 / 3), 12);
  });

  it('equals the threshold-by-threshold definition on random tied data', () => {
    fc.assert(
      fc.property(labelledScores, ({ y, s }) => {
        expect(averagePrecision(y, s)).toBeCloseTo(bruteAp(y, s), 12);
      }),
      { numRuns: 200 },
    );
  });
});

describe('pairedLogLossDifference', () => {
  it('gives the difference of the two log losses and the standard error of the per-row differences, by hand', () => {
    const y = [1, 0, 1, 0];
    const p = [0.9, 0.2, 0.6, 0.3];
    const q = [0.8, 0.1, 0.7, 0.4];
    const d = y.map((yi, i) => (yi === 1 ? -Math.log(p[i]!) + Math.log(q[i]!) : -Math.log(1 - p[i]!) + Math.log(1 - q[i]!)));
    const mean = d.reduce((a, b) => a + b, 0) / 4;
    const sd = Math.sqrt(d.reduce((a, b) => a + (b - mean) ** 2, 0) / 3);
    const out = pairedLogLossDifference(y, p, q);
    expect(out.mean).toBeCloseTo(logLoss(y, p) - logLoss(y, q), 14);
    expect(out.mean).toBeCloseTo(mean, 14);
    expect(out.standardError).toBeCloseTo(sd / 2, 14);
    expect(pairedLogLossDifference([1], [0.5], [0.4]).standardError).toBeNaN();
  });
});

describe('logLoss and brierScore', () => {
  it('match a hand computation on four rows', () => {
    const y = [1, 0, 1, 0];
    const p = [0.9, 0.1, 0.8, 0.35];
    const want = -(Math.log(0.9) + Math.log(0.9) + Math.log(0.8) + Math.log(0.65)) / 4;
    expect(logLoss(y, p)).toBeCloseTo(want, 12);
    expect(brierScore(y, p)).toBeCloseTo((0.01 + 0.01 + 0.04 + 0.1225) / 4, 12);
  });

  it('clips a confident mistake to −ln(1e-15) instead of Infinity', () => {
    // (1 − 1e-15 is not exact in float64, hence 2 decimals.)
    expect(logLoss([1, 0], [0, 1])).toBeCloseTo(-Math.log(1e-15), 2);
  });

  it('refuses probabilities outside [0, 1]', () => {
    expect(() => logLoss([1], [1.2])).toThrow(/\[0, 1\]/);
    expect(() => brierScore([1], [-0.1])).toThrow(/\[0, 1\]/);
  });
});

describe('lift', () => {
  it('is the top-decile positive rate over the base rate (5 of top 10, base 10%) → 5', () => {
    const y = new Array<number>(100).fill(0);
    const s = Array.from({ length: 100 }, (_, i) => 1 - i / 100); // row i has rank i
    for (const i of [0, 2, 4, 6, 8]) y[i] = 1; // 5 positives in the top 10
    for (const i of [20, 40, 60, 80, 99]) y[i] = 1; // 5 more below
    expect(baseRate(y)).toBe(0.1);
    expect(liftTopDecile(y, s)).toBeCloseTo(5, 12);
  });

  it('splits a tied group at the cut pro rata, whatever the row order', () => {
    // 5 distinct top rows with 3 positives, then 10 tied rows with 4 positives, then 85 negatives below.
    // Top 10 = 5 + 5 of the tied group → 3 + 5·0.4 = 5 positives; base rate 7/100 → lift (5/10)/0.07.
    const y: number[] = [1, 1, 1, 0, 0, ...[1, 1, 1, 1, 0, 0, 0, 0, 0, 0], ...new Array<number>(85).fill(0)];
    const s: number[] = [0.99, 0.98, 0.97, 0.96, 0.95, ...new Array<number>(10).fill(0.5), ...new Array<number>(85).fill(0.1)];
    const want = 0.5 / 0.07;
    expect(liftAt(y, s, 0.1)).toBeCloseTo(want, 12);
    expect(liftAt([...y].reverse(), [...s].reverse(), 0.1)).toBeCloseTo(want, 12);
  });
});

describe('calibrationTable', () => {
  it('bins on [0,1] with counts, mean predicted, observed rate, and ECE as the count-weighted gap', () => {
    const p = [0.05, 0.05, 0.15, 0.95, 0.95, 1];
    const y = [0, 1, 0, 1, 1, 0];
    const t = calibrationTable(y, p, { bins: 10 });
    expect(t.bins).toHaveLength(10);
    expect(t.bins[0]).toMatchObject({ count: 2, observedRate: 0.5 });
    expect(t.bins[0]!.meanPredicted).toBeCloseTo(0.05, 12);
    expect(t.bins[1]).toMatchObject({ count: 1, observedRate: 0 });
    expect(t.bins[5]).toMatchObject({ count: 0, meanPredicted: null, observedRate: null });
    expect(t.bins[9]!.count).toBe(3); // p = 1 belongs to the last bin
    const gap9 = Math.abs(2 / 3 - (0.95 + 0.95 + 1) / 3);
    expect(t.ece).toBeCloseTo((2 / 6) * 0.45 + (1 / 6) * 0.15 + (3 / 6) * gap9, 12);
  });

  it('quantile strategy puts about equal counts in each bin', () => {
    const rng = createRng(3);
    const p = Array.from({ length: 1000 }, () => rng.next() ** 4);
    const y = p.map((v) => (rng.next() < v ? 1 : 0));
    const t = calibrationTable(y, p, { bins: 10, strategy: 'quantile' });
    for (const b of t.bins) expect(b.count).toBeGreaterThanOrEqual(95);
  });
});

describe('curves', () => {
  it('ROC is downsampled to ≤ 200 points from (0,0) to (1,1), monotone, with area ≈ AUC', () => {
    const rng = createRng(11);
    const n = 20_000;
    const y = Array.from({ length: n }, () => (rng.next() < 0.1 ? 1 : 0));
    const s = y.map((v) => rng.normal() + v);
    const roc = rocCurve(y, s);
    expect(roc.length).toBeLessThanOrEqual(200);
    expect(roc[0]).toEqual({ fpr: 0, tpr: 0, threshold: null });
    expect(roc[roc.length - 1]).toMatchObject({ fpr: 1, tpr: 1 });
    let area = 0;
    for (let i = 1; i < roc.length; i++) {
      expect(roc[i]!.fpr).toBeGreaterThanOrEqual(roc[i - 1]!.fpr);
      expect(roc[i]!.tpr).toBeGreaterThanOrEqual(roc[i - 1]!.tpr);
      area += ((roc[i]!.fpr - roc[i - 1]!.fpr) * (roc[i]!.tpr + roc[i - 1]!.tpr)) / 2;
    }
    expect(area).toBeCloseTo(rocAuc(y, s), 2);
    const full = rocCurve(y, s, n + 1);
    expect(full.length).toBe(n + 1);
  });

  it('gains curve runs from (0,0) to (1,1) and at 10% targeted captures lift·10% of positives', () => {
    const y = Array.from({ length: 1000 }, (_, i) => (i % 10 === 0 || i < 50 ? 1 : 0));
    const s = Array.from({ length: 1000 }, (_, i) => 1000 - i);
    const g = gainsCurve(y, s, 1001);
    expect(g[0]).toEqual({ targeted: 0, captured: 0, threshold: null });
    expect(g[g.length - 1]).toMatchObject({ targeted: 1, captured: 1 });
    const at10 = g.find((pt) => Math.abs(pt.targeted - 0.1) < 1e-12)!;
    expect(at10.captured).toBeCloseTo((liftTopDecile(y, s) * 0.1 * baseRate(y) * 1000) / y.filter((v) => v === 1).length, 12);
  });
});

describe('binaryReport', () => {
  it('handles 1M rows in well under a few seconds', () => {
    const rng = createRng(5);
    const n = 1_000_000;
    const y = new Uint8Array(n);
    const p = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      y[i] = rng.next() < 0.05 ? 1 : 0;
      p[i] = 1 / (1 + Math.exp(-(rng.normal() + 1.5 * y[i]! - 3)));
    }
    // Speed is for benchmarks; this checks a million rows come out right.
    const r = binaryReport(y, p);
    expect(r.n).toBe(n);
    expect(r.rocAuc).toBeGreaterThan(0.8);
    expect(r.roc.length).toBeLessThanOrEqual(200);
    expect(r.gains.length).toBeLessThanOrEqual(200);
    expect(r.calibration).toHaveLength(10);
  });
});
