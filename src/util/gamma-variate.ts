/** The draws a gamma sampler consumes: each generator family supplies its own. */
export interface VariateSource {
  /** Uniform on the open interval (0, 1). */
  uniform(): number;
  /** Standard normal N(0, 1). */
  normal(): number;
}

/**
 * ln of a Gamma(shape, 1) draw by Marsaglia & Tsang (2000), "A simple method for generating gamma
 * variables"; for shape < 1 the boost Gamma(shape) = Gamma(shape + 1) · U^(1/shape). In logs so a
 * tiny shape, whose draw underflows to 0, still gives a usable value (Beta from two such draws).
 * The one gamma sampler of the project: the data generator, the CLV simulator and Thompson
 * sampling draw through it with their own seeded generators.
 */
export function logGammaVariate(shape: number, source: VariateSource): number {
  if (!(shape > 0) || !Number.isFinite(shape)) throw new RangeError(`gamma shape must be finite and > 0, got ${shape}`);
  if (shape < 1) return logGammaVariate(shape + 1, source) + Math.log(source.uniform()) / shape;
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = source.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = source.uniform();
    const x2 = x * x;
    if (u < 1 - 0.0331 * x2 * x2 || Math.log(u) < 0.5 * x2 + d * (1 - v + Math.log(v))) return Math.log(d) + Math.log(v);
  }
}

/**
 * Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b), computed as 1 / (1 + e^(ln Y − ln X))
 * so two underflowed draws still give a value.
 */
export function betaVariate(a: number, b: number, source: VariateSource): number {
  const lx = logGammaVariate(a, source);
  const ly = logGammaVariate(b, source);
  return 1 / (1 + Math.exp(ly - lx));
}
