/**
 * Small seeded PRNG for everything in src/ml that must be reproducible: shuffles, splits, permutation
 * importance, dropout seeds. Math.random is never used for these.
 *
 * Generator: sfc32 seeded through splitmix32, 2^128 state, passes PractRand to many GB — far more than
 * shuffling a few million rows needs.
 */

export interface Rng {
  /** Uniform in [0, 1), 32 bits of randomness. */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** A new 32-bit seed drawn from this stream, for seeding something else (tf ops, sub-streams). */
  seed(): number;
  /** Fisher–Yates shuffle in place; returns the same array. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T;
  /** A random permutation of 0..n-1. */
  permutation(n: number): Uint32Array;
}

/** splitmix32 step: turns any 32-bit value into a well-mixed one (used for seeding and hashing). */
export function mix32(x: number): number {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Derive a stable 32-bit seed from a base seed and a list of integers (e.g. epoch, batch, layer). */
export function deriveSeed(base: number, ...parts: number[]): number {
  let h = mix32(base >>> 0);
  for (const p of parts) h = mix32((h ^ Math.imul(p | 0, 0x27d4eb2d)) >>> 0);
  return h;
}

export function createRng(seed: number): Rng {
  let a = mix32(seed >>> 0);
  let b = mix32(a ^ 0x6a09e667);
  let c = mix32(b ^ 0xbb67ae85);
  let d = mix32(c ^ 0x3c6ef372);
  let spare: number | undefined;

  const u32 = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  // Warm up so that nearby seeds diverge immediately.
  for (let i = 0; i < 12; i++) u32();

  const next = (): number => u32() / 4294967296;
  const int = (n: number): number => {
    if (!(n > 0)) throw new RangeError(`int(n) needs n > 0, got ${n}`);
    return Math.floor(next() * n);
  };

  return {
    next,
    int,
    normal() {
      if (spare !== undefined) {
        const s = spare;
        spare = undefined;
        return s;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    seed: u32,
    shuffle(arr) {
      for (let i = arr.length - 1; i > 0; i--) {
        const j = int(i + 1);
        const tmp = arr[i];
        arr[i] = arr[j];
        arr[j] = tmp;
      }
      return arr;
    },
    permutation(n) {
      const p = new Uint32Array(n);
      for (let i = 0; i < n; i++) p[i] = i;
      for (let i = n - 1; i > 0; i--) {
        const j = int(i + 1);
        const tmp = p[i]!;
        p[i] = p[j]!;
        p[j] = tmp;
      }
      return p;
    },
  };
}
