/**
 * Seeded pseudo-random numbers and the samplers the generator needs.
 *
 * Everything here is deterministic: a generator is a function of its seed words only, and each
 * sampler is a pure function of the generator's output. Nothing reads Math.random or the clock.
 *
 * - `createRng(...words)`: sfc32 (Chris Doty-Humphrey's Small Fast Counter, 128-bit state),
 *   seeded through a splitmix32-style hash of any number of 32-bit words, so independent streams
 *   are made from (seed, customer index, purpose) without sharing state.
 * - samplers take the generator as their first argument and use the usual parameterisations:
 *   gamma(shape, rate) has mean shape/rate; exponential(rate) has mean 1/rate.
 */

import { logGammaVariate, type VariateSource } from '../util/gamma-variate.js';

/** A source of uniform numbers in [0, 1). */
export type Rng = () => number;

/** Mixes one 32-bit word into a hash state (murmur3 finaliser on state ^ word). */
function mix32(h: number, word: number): number {
  h = Math.imul(h ^ (word >>> 0), 0x9e3779b1);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Splits any finite number into 32-bit words (integers beyond 2^32 and fractions stay distinct). */
function wordsOf(value: number): number[] {
  if (Number.isInteger(value) && value >= 0 && value < 2 ** 32) return [value >>> 0];
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  return [view.getUint32(0), view.getUint32(4)];
}

/** Hashes seed words (numbers or strings) into one 32-bit word. */
export function hashWords(...words: (number | string)[]): number {
  let h = 0x6a09e667;
  for (const w of words) {
    if (typeof w === 'string') {
      h = mix32(h, 0x5eed0000 ^ w.length);
      for (let i = 0; i < w.length; i++) h = mix32(h, w.charCodeAt(i));
    } else {
      for (const part of wordsOf(w)) h = mix32(h, part);
    }
  }
  return h;
}

/** sfc32 seeded from the given words; returns uniforms in [0, 1) with 32 bits of resolution. */
export function createRng(...words: (number | string)[]): Rng {
  let a = hashWords(1, ...words);
  let b = hashWords(2, ...words);
  let c = hashWords(3, ...words);
  let d = 1; // counter, as in the reference implementation
  // An anonymous function expression (not a named const): cheap to create under any transpiler.
  return warmUp(function (): number {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  });
}

/** Discards the first outputs: the state is well mixed only after a few rounds. */
function warmUp(rng: Rng): Rng {
  for (let i = 0; i < 12; i++) rng();
  return rng;
}

/** Uniform in [lo, hi). */
export function uniform(rng: Rng, lo = 0, hi = 1): number {
  return lo + (hi - lo) * rng();
}

/** Uniform integer in [0, n). */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/** True with probability p. */
export function bernoulli(rng: Rng, p: number): boolean {
  return rng() < p;
}

/** Uniform in (0, 1): never exactly 0, so logarithms stay finite. */
function openUniform(rng: Rng): number {
  let u = rng();
  while (u === 0) u = rng();
  return u;
}

/** Standard normal by the Box–Muller transform (one value per call; the second is discarded for purity). */
export function standardNormal(rng: Rng): number {
  const u = openUniform(rng);
  const v = rng();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Normal with the given mean and standard deviation. */
export function normal(rng: Rng, mean = 0, sd = 1): number {
  return mean + sd * standardNormal(rng);
}

/** Log-normal: exp(N(mu, sigma)); the median is exp(mu). */
export function logNormal(rng: Rng, mu: number, sigma: number): number {
  return Math.exp(normal(rng, mu, sigma));
}

/** Exponential with the given rate (mean 1/rate). */
export function exponential(rng: Rng, rate: number): number {
  return -Math.log(openUniform(rng)) / rate;
}

/** Gamma(shape, rate), mean shape/rate, variance shape/rate² (util/gamma-variate.ts). */
export function gamma(rng: Rng, shape: number, rate = 1): number {
  if (!(rate > 0)) throw new RangeError(`gamma needs rate > 0, got ${rate}`);
  return Math.exp(logGamma1(rng, shape)) / rate;
}

/** Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b), in logs; mean a/(a+b). */
export function beta(rng: Rng, a: number, b: number): number {
  const lx = logGamma1(rng, a);
  const ly = logGamma1(rng, b);
  return 1 / (1 + Math.exp(ly - lx));
}

/**
 * ln of a Gamma(shape, 1) draw. For shape < 1 the boost's uniform is drawn before the
 * Gamma(shape + 1) draw, as the generator always has: the order fixes every generated data set,
 * which tests hold known answers for.
 */
function logGamma1(rng: Rng, shape: number): number {
  if (!(shape > 0)) throw new RangeError(`gamma needs shape > 0, got ${shape}`);
  const logBoost = shape < 1 ? Math.log(openUniform(rng)) / shape : 0;
  return logGammaVariate(shape < 1 ? shape + 1 : shape, variateSource(rng)) + logBoost;
}

function variateSource(rng: Rng): VariateSource {
  return { uniform: () => openUniform(rng), normal: () => standardNormal(rng) };
}

/** log(k!) via a table for small k and Stirling's series beyond. */
const LOG_FACTORIAL_TABLE: number[] = (() => {
  const t = [0];
  for (let k = 1; k < 256; k++) t.push((t[k - 1] ?? 0) + Math.log(k));
  return t;
})();
function logFactorial(k: number): number {
  if (k < LOG_FACTORIAL_TABLE.length) return LOG_FACTORIAL_TABLE[k] ?? 0;
  const x = k + 1;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x * x * x);
}

/**
 * Poisson(mean). Knuth's multiplication method for mean < 30, otherwise Hörmann's PTRS
 * (transformed rejection with squeeze, 1993), which is exact and O(1) per draw.
 */
export function poisson(rng: Rng, mean: number): number {
  if (!(mean >= 0)) throw new RangeError(`poisson needs mean ≥ 0, got ${mean}`);
  if (mean === 0) return 0;
  if (mean < 30) {
    const limit = Math.exp(-mean);
    let k = 0;
    let prod = rng();
    while (prod > limit) {
      k++;
      prod *= rng();
    }
    return k;
  }
  const slam = Math.sqrt(mean);
  const loglam = Math.log(mean);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invalpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const u = rng() - 0.5;
    const v = openUniform(rng);
    const us = 0.5 - Math.abs(u);
    const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return k;
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (Math.log(v) + Math.log(invalpha) - Math.log(a / (us * us) + b) <= -mean + k * loglam - logFactorial(k)) return k;
  }
}

/** Index drawn with probability proportional to `weights` (non-negative, not all zero). */
export function categorical(rng: Rng, weights: readonly number[]): number {
  let total = 0;
  for (const w of weights) total += w;
  let x = rng() * total;
  for (let i = 0; i < weights.length; i++) {
    x -= weights[i] ?? 0;
    if (x < 0) return i;
  }
  // Rounding left x ≥ 0: return the last index with positive weight.
  for (let i = weights.length - 1; i >= 0; i--) if ((weights[i] ?? 0) > 0) return i;
  throw new RangeError('categorical needs at least one positive weight');
}

/** One element of a non-empty list, drawn with probability proportional to `weights`. */
export function pick<T>(rng: Rng, items: readonly T[], weights?: readonly number[]): T {
  const i = weights ? categorical(rng, weights) : randomInt(rng, items.length);
  const item = items[i];
  if (item === undefined) throw new RangeError('pick from an empty list');
  return item;
}

/** Dirichlet(alpha, …, alpha) of the given size: normalised Gamma(alpha) draws. */
export function dirichlet(rng: Rng, size: number, concentration: number): number[] {
  const g = Array.from({ length: size }, () => gamma(rng, concentration));
  const s = g.reduce((x, y) => x + y, 0);
  return s > 0 ? g.map((x) => x / s) : g.map(() => 1 / size);
}
