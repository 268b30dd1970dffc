/**
 * Special functions used by the generator: log-gamma and the regularised lower incomplete gamma
 * function, which is the CDF of the gamma distribution. The generator uses the CDF to place a
 * customer's drawn purchase rate and spend in population quantiles (see process.ts, "types").
 */

const LANCZOS = [
  676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059, 12.507343278686905,
  -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7, ~15 significant digits). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const z = x - 1;
  let s = 0.99999999999980993;
  for (let i = 0; i < LANCZOS.length; i++) s += (LANCZOS[i] ?? 0) / (z + i + 1);
  const t = z + LANCZOS.length - 0.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(s);
}

/**
 * Regularised lower incomplete gamma P(s, x) = γ(s, x) / Γ(s): the probability that a
 * Gamma(shape s, rate 1) variable is ≤ x. Series for x < s + 1, Lentz continued fraction beyond
 * (Numerical Recipes §6.2).
 */
export function gammaP(s: number, x: number): number {
  if (!(s > 0)) throw new RangeError(`gammaP needs s > 0, got ${s}`);
  if (x <= 0) return 0;
  if (!Number.isFinite(x)) return 1;
  const logPrefix = s * Math.log(x) - x - logGamma(s);
  if (x < s + 1) {
    let term = 1 / s;
    let sum = term;
    for (let n = 1; n < 1000; n++) {
      term *= x / (s + n);
      sum += term;
      if (Math.abs(term) < Math.abs(sum) * 1e-15) break;
    }
    return Math.min(1, sum * Math.exp(logPrefix));
  }
  const tiny = 1e-300;
  let b = x + 1 - s;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - s);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.max(0, 1 - Math.exp(logPrefix) * h);
}

/** CDF of Gamma(shape, rate) at x. */
export function gammaCdf(x: number, shape: number, rate: number): number {
  return gammaP(shape, rate * x);
}
