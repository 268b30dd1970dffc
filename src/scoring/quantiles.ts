/**
 * Quantile grids: a base's distribution of one measure in a fixed number of points (plain JSON),
 * so that any single customer can later be placed in it exactly as in the batch.
 */

/** The finite values of `values` at the rows where `mask` is 1 (all rows without a mask), sorted ascending. */
export function sortedFinite(values: ArrayLike<number>, mask?: Uint8Array): Float64Array {
  const out = new Float64Array(values.length);
  let m = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isFinite(v) && (mask === undefined || mask[i] === 1)) out[m++] = v;
  }
  return out.subarray(0, m).sort();
}

/** The q-quantile of ascending `sorted` by linear interpolation between order statistics (Hyndman–Fan type 7, as numpy/R default). */
export function quantileOfSorted(sorted: ArrayLike<number>, q: number): number {
  const m = sorted.length;
  if (m === 0) return Number.NaN;
  const h = (m - 1) * q;
  const lo = Math.floor(h);
  if (lo >= m - 1) return sorted[m - 1]!;
  const a = sorted[lo]!;
  const b = sorted[lo + 1]!;
  return a === b ? a : a + (h - lo) * (b - a);
}

/** `points` evenly spaced quantiles (0, 1/(points−1), …, 1) of ascending `sorted`; null when it is empty. */
export function quantileGrid(sorted: ArrayLike<number>, points: number): number[] | null {
  const m = sorted.length;
  if (m === 0) return null;
  const last = points - 1;
  const grid = new Array<number>(points);
  for (let j = 0; j <= last; j++) {
    const h = ((m - 1) * j) / last;
    const lo = Math.floor(h);
    if (lo >= m - 1) grid[j] = sorted[m - 1]!;
    else {
      const a = sorted[lo]!;
      const b = sorted[lo + 1]!;
      grid[j] = a === b ? a : a + (h - lo) * (b - a);
    }
  }
  return grid;
}

/** The value at quantile q read from a grid (interpolated between its points; exact at multiples of its step). */
export function valueAtQuantile(grid: readonly number[], q: number): number {
  const last = grid.length - 1;
  let h = q * last;
  const r = Math.round(h);
  if (Math.abs(h - r) < 1e-9) h = r;
  const lo = Math.floor(h);
  if (lo >= last) return grid[last]!;
  const a = grid[lo]!;
  const b = grid[lo + 1]!;
  return a === b ? a : a + (h - lo) * (b - a);
}

/**
 * How `percentileRank` treats a value shared at the ends of the base:
 * - 'plateau' (default): like any other shared value — the middle of its plateau. A tie at the bottom
 *   held by 80% of the base ranks 0.4, a tie at the top held by 30% ranks 0.85, and a base where every
 *   customer has the same value ranks everyone 0.5 (neither low nor high).
 * - 'anchored': at or below the base's minimum 0, at or above its maximum 1, even when tied, so that
 *   "none at all" scores 0 even when most of the base has none and the best value scores 1 (the
 *   super-user sub-measures). A base of one value has no distinct ends: it ranks 0.5 as above.
 */
export type RankEnds = 'plateau' | 'anchored';

/**
 * Percentile rank of v in the base described by `grid`, in [0, 1], on the grid's scale (type-7:
 * the k-th of m ascending values is at (k − 1)/(m − 1)):
 * - below the base's minimum: 0; above its maximum: 1;
 * - on a plateau (a value many customers share, the grid points from a to b equal to v): the middle
 *   of the plateau, (a + b)/2 of the grid's step, so equal values always get the same rank. This holds
 *   at the bottom and top of the base too, unless `ends` is 'anchored' (see `RankEnds`); a value
 *   only one customer has is a plateau of one point, so a unique minimum ranks 0 and a unique maximum 1;
 * - otherwise linear interpolation between the grid points around v.
 * Uses nothing but the grid, so one customer alone gets the same rank as in the batch.
 */
export function percentileRank(grid: readonly number[], v: number, ends: RankEnds = 'plateau'): number {
  if (Number.isNaN(v)) return Number.NaN;
  const last = grid.length - 1;
  const min = grid[0]!;
  const max = grid[last]!;
  if (min === max) return v < min ? 0 : v > max ? 1 : 0.5; // one value: a single plateau
  if (v < min || (ends === 'anchored' && v === min)) return 0;
  if (v > max || (ends === 'anchored' && v === max)) return 1;
  // first index a with grid[a] >= v (exists: grid[last] >= v)
  let lo = 0;
  let hi = last;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (grid[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  const a = lo;
  if (grid[a] === v) {
    let b = a;
    while (b < last && grid[b + 1] === v) b++;
    return (a + b) / 2 / last;
  }
  const below = grid[a - 1]!;
  return (a - 1 + (v - below) / (grid[a]! - below)) / last;
}
