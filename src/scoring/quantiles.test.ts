import { describe, expect, it } from 'vitest';
import { fmt } from './explain.js';
import { percentileRank, quantileGrid, quantileOfSorted, sortedFinite, valueAtQuantile } from './quantiles.js';

describe('quantile grid and percentile rank', () => {
  it('keeps finite values only, sorted', () => {
    expect([...sortedFinite([3, Number.NaN, 1, 2])]).toEqual([1, 2, 3]);
    expect([...sortedFinite([3, 1, 2], Uint8Array.from([0, 1, 1]))]).toEqual([1, 2]);
  });

  it('computes type-7 quantiles', () => {
    expect(quantileOfSorted([10, 20, 30, 40], 0.5)).toBe(25);
    expect(quantileOfSorted([0.1, 0.2, 0.3, 0.4, 0.5], 0.75)).toBeCloseTo(0.4, 12);
    expect(quantileOfSorted([], 0.5)).toBeNaN();
  });

  it('builds a grid whose points are the percentiles and reads them back exactly', () => {
    const grid = quantileGrid([0, 1, 2, 3, 4], 101)!;
    expect(grid).toHaveLength(101);
    expect(grid[0]).toBe(0);
    expect(grid[50]).toBe(2);
    expect(grid[100]).toBe(4);
    expect(valueAtQuantile(grid, 0.75)).toBe(3);
    expect(valueAtQuantile(grid, 0.755)).toBeCloseTo(3.02, 12);
    expect(quantileGrid([], 101)).toBeNull();
  });

  it('ranks linearly between grid points: for 0..4 the rank of v is v/4', () => {
    const grid = quantileGrid([0, 1, 2, 3, 4], 101)!;
    expect(percentileRank(grid, 2)).toBe(0.5);
    expect(percentileRank(grid, 1.5)).toBeCloseTo(0.375, 12);
    expect(percentileRank(grid, 3.3)).toBeCloseTo(0.825, 12);
  });

  it('gives 0 below the minimum and 1 above the maximum', () => {
    const grid = quantileGrid([0, 1, 2, 3, 4], 101)!;
    expect(percentileRank(grid, -1)).toBe(0);
    expect(percentileRank(grid, 9)).toBe(1);
    // a value only one customer has at an end is a plateau of one grid point
    expect(percentileRank(grid, 0)).toBe(0);
    expect(percentileRank(grid, 4)).toBe(1);
  });

  it('ranks everyone 0.5 when every customer has the same value (one plateau)', () => {
    const grid = quantileGrid([1, 1, 1, 1], 101)!;
    expect(percentileRank(grid, 1)).toBe(0.5);
    expect(percentileRank(grid, 1, 'anchored')).toBe(0.5);
    expect(percentileRank(grid, 0.5)).toBe(0);
    expect(percentileRank(grid, 2)).toBe(1);
  });

  it('gives a tie at the bottom or top the middle of its plateau, like any other tie', () => {
    // 0,0,0,0,4: 0 fills grid points 0..75 → (0 + 75)/2/100 = 0.375 (ranks 1–4 of 5 on the (k−1)/4 scale)
    const bottom = quantileGrid([0, 0, 0, 0, 4], 101)!;
    expect(percentileRank(bottom, 0)).toBe(0.375);
    expect(percentileRank(bottom, 4)).toBe(1);
    // 3,4,5,5: 5 fills grid points 67..100 (h = 3j/100 ≥ 2) → (67 + 100)/2/100 = 0.835
    const top = quantileGrid([3, 4, 5, 5], 101)!;
    expect(percentileRank(top, 5)).toBeCloseTo(0.835, 12);
    expect(percentileRank(top, 4)).toBeCloseTo(1 / 3, 12);
    expect(percentileRank(top, 3)).toBe(0);
  });

  it("anchors tied ends at 0 and 1 with ends 'anchored' (none at all scores 0, the best value 1)", () => {
    const bottom = quantileGrid([0, 0, 0, 0, 4], 101)!; // most customers have none
    expect(percentileRank(bottom, 0, 'anchored')).toBe(0);
    expect(percentileRank(bottom, -1, 'anchored')).toBe(0);
    expect(percentileRank(bottom, 4, 'anchored')).toBe(1);
    const top = quantileGrid([3, 4, 5, 5], 101)!;
    expect(percentileRank(top, 5, 'anchored')).toBe(1);
    expect(percentileRank(top, 4, 'anchored')).toBeCloseTo(1 / 3, 12);
  });

  it('gives a shared value in the middle the middle of its plateau', () => {
    // 0,1,1,1,2: the grid is 1 from 25% to 75% → rank 0.5
    const grid = quantileGrid([0, 1, 1, 1, 2], 101)!;
    expect(percentileRank(grid, 1)).toBe(0.5);
    expect(percentileRank(grid, 1, 'anchored')).toBe(0.5);
    expect(percentileRank(grid, 0.5)).toBeCloseTo(0.125, 12);
  });

  it('returns NaN for an empty value', () => {
    expect(percentileRank(quantileGrid([1, 1], 11)!, Number.NaN)).toBeNaN();
    expect(percentileRank(quantileGrid([1, 2], 11)!, Number.NaN)).toBeNaN();
  });
});

describe('number formatting for reasons', () => {
  it('rounds to at most two decimals', () => {
    expect([3, -2, 3.14159, -2.5, 0.05, 12.1, 12.999, -0.001, 1e21, Number.NaN].map(fmt)).toEqual([
      '3', '-2', '3.14', '-2.5', '0.05', '12.1', '13', '0', '1e+21', 'NaN',
    ]);
  });
});
