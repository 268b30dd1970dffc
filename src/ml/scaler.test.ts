import { describe, expect, it } from 'vitest';
import { fitScaler, isScaler, transform, unscaleLinear } from './scaler.js';

describe('fitScaler / transform', () => {
  it('standardises each column to mean 0, population sd 1', () => {
    const rows = [
      [1, 10],
      [2, 20],
      [3, 60],
    ];
    const s = fitScaler(rows, ['a', 'b']);
    expect(s.mean).toEqual([2, 30]);
    expect(s.std[0]).toBeCloseTo(Math.sqrt(2 / 3), 12);
    const z = transform(s, rows);
    expect(z).toBeInstanceOf(Float32Array);
    expect(Array.from(z.filter((_, k) => k % 2 === 0)).reduce((a, b) => a + b, 0)).toBeCloseTo(0, 6);
    expect(z[0]).toBeCloseTo((1 - 2) / Math.sqrt(2 / 3), 5);
  });

  it('gives a constant column std 1 and names it, so it scales to 0 rather than NaN', () => {
    const s = fitScaler([[5, 1], [5, 2], [5, 3]], ['const', 'x']);
    expect(s.std[0]).toBe(1);
    expect(s.constant).toEqual(['const']);
    expect(Array.from(transform(s, [[5, 2]]))).toEqual([0, 0]);
  });

  it('ignores missing values when fitting, counts them, and imputes the training mean (→ 0) when transforming', () => {
    const s = fitScaler([[1, null], [3, 4], [NaN, 8], [5, undefined]], ['a', 'b']);
    expect(s.mean).toEqual([3, 6]);
    expect(s.missing).toEqual([1, 2]);
    expect(s.n).toBe(4);
    const z = transform(s, [[null, Infinity]]);
    expect(Array.from(z)).toEqual([0, 0]);
  });

  it('accepts a flat row-major array and uses only the training fit for new data', () => {
    const s = fitScaler([0, 0, 2, 4], ['a', 'b']); // rows (0,0), (2,4)
    expect(s.mean).toEqual([1, 2]);
    expect(Array.from(transform(s, [3, 6]))).toEqual([2, 2]);
  });

  it('rejects rows of the wrong width and duplicate names', () => {
    expect(() => fitScaler([[1, 2], [3]], ['a', 'b'])).toThrow(/row 1/);
    expect(() => fitScaler([[1, 2]], ['a', 'a'])).toThrow(/unique/);
  });

  it('round-trips through JSON and validates the shape', () => {
    const s = fitScaler([[1], [2]], ['a']);
    expect(isScaler(JSON.parse(JSON.stringify(s)))).toBe(true);
    expect(isScaler({ ...s, std: [0] })).toBe(false);
  });
});

describe('unscaleLinear', () => {
  it('maps coefficients on scaled inputs back to raw units with the same logits', () => {
    const rows = [
      [1, 100],
      [2, 300],
      [4, 200],
    ];
    const s = fitScaler(rows, ['a', 'b']);
    const w = [0.7, -1.3];
    const b = 0.2;
    const raw = unscaleLinear(s, w, b);
    const z = transform(s, rows);
    rows.forEach((r, i) => {
      const scaled = b + w[0]! * z[i * 2]! + w[1]! * z[i * 2 + 1]!;
      const unscaled = raw.bias + raw.weights[0]! * r[0]! + raw.weights[1]! * r[1]!;
      expect(unscaled).toBeCloseTo(scaled, 5);
    });
  });
});
