/**
 * Special functions needed by the CLV models: log-gamma, log-sum-exp and the
 * Gaussian hypergeometric function 2F1 (by a carefully terminated power series).
 * Plain TypeScript, no dependencies.
 */

const LANCZOS_G = 7;
const LANCZOS_COEF = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
] as const;
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * ln Γ(x) for x > 0 (Lanczos approximation, g = 7, ~15 significant digits).
 * Returns NaN for x <= 0 or non-finite x (callers validate first).
 */
export function logGamma(x: number): number {
  if (!(x > 0) || !Number.isFinite(x)) return Number.NaN;
  if (x < 0.5) {
    // Reflection: Γ(x)Γ(1-x) = π / sin(πx); for 0 < x < 0.5 sin(πx) > 0.
    return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  }
  const z = x - 1;
  let sum = LANCZOS_COEF[0];
  for (let k = 1; k < LANCZOS_COEF.length; k++) sum += (LANCZOS_COEF[k] as number) / (z + k);
  const t = z + LANCZOS_G + 0.5;
  return HALF_LOG_2PI + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b). */
export function logBeta(a: number, b: number): number {
  return logGamma(a) + logGamma(b) - logGamma(a + b);
}

/** ln(e^u + e^v) without overflow; handles -Infinity operands. */
export function logAddExp(u: number, v: number): number {
  if (u === Number.NEGATIVE_INFINITY) return v;
  if (v === Number.NEGATIVE_INFINITY) return u;
  const m = Math.max(u, v);
  return m + Math.log1p(Math.exp(-Math.abs(u - v)));
}

/** Logistic function 1 / (1 + e^{-u}), stable for large |u|. */
export function expit(u: number): number {
  if (u >= 0) return 1 / (1 + Math.exp(-u));
  const e = Math.exp(u);
  return e / (1 + e);
}

export interface SeriesResult {
  sum: number;
  terms: number;
}

/** Hard cap on the number of series terms; beyond it the caller gets an error, never a silent approximation. */
export const MAX_SERIES_TERMS = 2_000_000;

/**
 * Sums a hypergeometric-type series Σ_{n≥n0} u_n given the first term and the term
 * ratio u_{n+1}/u_n = ratio(n). `zAbs` is the limit of |ratio(n)| as n → ∞ (must be < 1).
 * `settleAfter` is the index from which |ratio(n)| is monotone towards zAbs (for a
 * ratio (a+n)(b+n)/((c+n)(n+1))·z, any n beyond max(|a|,|b|,|c|) + 1).
 *
 * Termination is based on a tail bound rather than "the last term was small":
 * once the ratio has settled (|ratio| ≤ ρ̂ < 1 with ρ̂ = max(|ratio(n)|, zAbs)),
 * the remaining tail is at most |u_n|·ρ̂/(1−ρ̂), and we stop when that is below
 * 1e-17·|sum| (or an absolute floor). Kahan compensated summation keeps rounding
 * error from accumulating over long series (z close to 1).
 */
export function sumRatioSeries(
  firstTerm: number,
  ratio: (n: number) => number,
  n0: number,
  zAbs: number,
  settleAfter: number,
  maxTerms: number = MAX_SERIES_TERMS,
): SeriesResult {
  if (!(zAbs < 1)) throw new RangeError(`series limit ratio ${zAbs} must be < 1`);
  let sum = firstTerm;
  let comp = 0;
  let term = firstTerm;
  for (let k = 0; k < maxTerms; k++) {
    const n = n0 + k;
    const rho = ratio(n);
    const next = term * rho;
    if (next === 0) return { sum, terms: k + 1 }; // terminating (polynomial) series
    if (!Number.isFinite(next)) throw new RangeError('hypergeometric series overflowed');
    // Kahan summation.
    const y = next - comp;
    const t = sum + y;
    comp = t - sum - y;
    sum = t;
    term = next;
    const rhoStar = Math.max(Math.abs(rho), zAbs);
    if (n >= settleAfter && rhoStar < 1) {
      const tail = (Math.abs(term) * rhoStar) / (1 - rhoStar);
      if (tail <= 1e-17 * Math.abs(sum) || tail < 1e-300) return { sum, terms: k + 2 };
    }
  }
  throw new RangeError(`hypergeometric series did not converge within ${maxTerms} terms (|z| = ${zAbs})`);
}

function isNonPositiveInteger(v: number): boolean {
  return v <= 0 && Number.isInteger(v);
}

/**
 * Gaussian hypergeometric function 2F1(a, b; c; z) for real parameters and −1 < z < 1.
 *
 *  - 0 ≤ z < 1: direct power series Σ (a)_n (b)_n / ((c)_n n!) z^n. When a + b − c > 0 the
 *    terms decay only like n^{a+b−c−1} z^n and the function blows up like (1−z)^{c−a−b};
 *    there we use Euler's transformation 2F1(a,b;c;z) = (1−z)^{c−a−b} 2F1(c−a, c−b; c; z),
 *    whose series decays faster and stays O(1).
 *  - −1 < z < 0: Pfaff's transformation 2F1(a,b;c;z) = (1−z)^{−a} 2F1(a, c−b; c; z/(z−1))
 *    when it maps to a smaller |argument|, else the direct (alternating) series.
 *
 * Throws RangeError for |z| ≥ 1 (unless the series terminates), for c a non-positive
 * integer (pole), or if the series fails to converge / overflows. Never returns NaN
 * for finite inputs.
 */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  if (![a, b, c, z].every(Number.isFinite)) throw new RangeError('hyp2f1: non-finite argument');
  if (z === 0 || a === 0 || b === 0) return 1;
  const terminates = isNonPositiveInteger(a) || isNonPositiveInteger(b);
  if (isNonPositiveInteger(c)) {
    const m = Math.min(isNonPositiveInteger(a) ? -a : Infinity, isNonPositiveInteger(b) ? -b : Infinity);
    if (!(m < -c)) throw new RangeError(`hyp2f1: c = ${c} is a non-positive integer (pole)`);
  }
  if (!terminates && !(Math.abs(z) < 1)) throw new RangeError(`hyp2f1: |z| = ${Math.abs(z)} must be < 1`);

  if (!terminates && z < -0.5) {
    // Pfaff: w = z/(z-1) ∈ (1/3, 1/2) for z ∈ (-1, -1/2).
    const w = z / (z - 1);
    return Math.pow(1 - z, -a) * hyp2f1(a, c - b, c, w);
  }
  if (!terminates && z > 0 && a + b - c > 0 && !isNonPositiveInteger(c - a) && !isNonPositiveInteger(c - b)) {
    return Math.pow(1 - z, c - a - b) * directSeries(c - a, c - b, c, z);
  }
  return directSeries(a, b, c, z);
}

function directSeries(a: number, b: number, c: number, z: number): number {
  const ratio = (n: number): number => (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
  const settle = Math.ceil(Math.max(Math.abs(a), Math.abs(b), Math.abs(c))) + 1;
  return sumRatioSeries(1, ratio, 0, Math.abs(z), settle).sum;
}
