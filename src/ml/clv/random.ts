/**
 * Small deterministic PRNG and samplers used by the CLV simulator and tests.
 * (Local to src/ml/clv on purpose: no dependency on the data generator in src/generate/.)
 *
 * Generator: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator), seeded via
 * splitmix32 so that nearby integer seeds give unrelated streams.
 */
import { betaVariate, logGammaVariate } from '../../util/gamma-variate.js';

export interface Rng {
  /** Uniform on the open interval (0, 1); never returns exactly 0 or 1. */
  uniform(): number;
  /** Standard normal N(0, 1). */
  normal(): number;
  /** Exponential with the given rate (mean 1/rate). */
  exponential(rate: number): number;
  /** Gamma(shape, scale): mean shape·scale. */
  gamma(shape: number, scale: number): number;
  /** ln of a Gamma(shape, 1) draw, accurate even when the draw underflows (tiny shapes). */
  logGamma1(shape: number): number;
  /** Beta(a, b), computed from two gamma draws in log space (no 0/0 for tiny a, b). */
  beta(a: number, b: number): number;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Creates a seeded generator. Same seed ⇒ same stream, on every platform. */
export function createRng(seed: number): Rng {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  const init = splitmix32(Math.floor(seed) ^ Math.floor(seed / 2 ** 32));
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const next32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 15; i++) next32();

  const uniform = (): number => {
    // 53 random bits, shifted by half an ulp so the result is in (0, 1).
    const hi = next32() >>> 5; // 27 bits
    const lo = next32() >>> 6; // 26 bits
    return (hi * 67108864 + lo + 0.5) / 9007199254740992;
  };

  let spare: number | null = null;
  const normal = (): number => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    // Marsaglia polar method.
    for (;;) {
      const u = 2 * uniform() - 1;
      const v = 2 * uniform() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const m = Math.sqrt((-2 * Math.log(s)) / s);
        spare = v * m;
        return u * m;
      }
    }
  };

  const source = { uniform, normal };
  const logGamma1 = (shape: number): number => logGammaVariate(shape, source);

  return {
    uniform,
    normal,
    exponential(rate: number): number {
      if (!(rate > 0)) throw new RangeError(`exponential rate must be > 0, got ${rate}`);
      return -Math.log(uniform()) / rate;
    },
    gamma(shape: number, scale: number): number {
      if (!(scale > 0)) throw new RangeError(`gamma scale must be > 0, got ${scale}`);
      return Math.exp(logGamma1(shape)) * scale;
    },
    logGamma1,
    beta(alpha: number, beta: number): number {
      return betaVariate(alpha, beta, source);
    },
  };
}
