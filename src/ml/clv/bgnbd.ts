/**
 * BG/NBD model (Fader, Hardie & Lee 2005, "Counting Your Customers the Easy Way"),
 * lifetimes' BetaGeoFitter equivalent:
 *
 *   while alive, purchases ~ Poisson(λ),      λ ~ Gamma(r, rate α)
 *   after each REPEAT purchase the customer drops out with probability p,
 *                                             p ~ Beta(a, b)
 *
 * Fitted by maximum likelihood on (x, t_x, T) per customer. Pure functions; the
 * fitted parameters are plain JSON.
 */

import { ClvFitError } from './errors.js';
import { invertSpd, minimize, numericHessian } from './optimize.js';
import { checkPenalizer, LOG_PARAM_HARD_LIMIT, LOG_PARAM_LIMIT, assertCustomer, assertHorizon, assertPositiveParams, finiteOrThrow } from './params.js';
import { expit, logAddExp, logGamma, sumRatioSeries } from './special.js';
import { type RfmRow, validateRfmRows } from './summary.js';

export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

export interface BgNbdFitOptions {
  /** L2 penalty coefficient on the parameters, as lifetimes' `penalizer_coef`. Default 0. */
  penalizer?: number;
  /** Nelder–Mead iteration budget per start (restarts included). Default 5000. */
  maxIterations?: number;
  /** Relative tolerance on the mean negative log-likelihood. Default 1e-10. */
  tolerance?: number;
  /** Starting values (in the data's time unit). Default: a couple of generic starts. */
  initial?: Partial<BgNbdParams>;
  /** Fewer customers than this is `too_few_customers`. Default 10. */
  minCustomers?: number;
  /** If false, a non-converged fit is returned with converged: false instead of throwing. Default true. */
  requireConvergence?: boolean;
}

export interface BgNbdFit {
  model: 'bg_nbd';
  params: BgNbdParams;
  /** Total log-likelihood Σ_i ln L_i at `params` (penalty excluded), in the data's time unit. */
  logLikelihood: number;
  /** Approximate standard errors from the observed information (delta method); null if not available. */
  standardErrors: BgNbdParams | null;
  nCustomers: number;
  nRepeatBuyers: number;
  penalizer: number;
  iterations: number;
  converged: boolean;
  message: string;
}

const PARAM_NAMES = ['r', 'alpha', 'a', 'b'] as const;

/** Individual BG/NBD log-likelihood ln L(r, α, a, b | x, t_x, T) (FHL 2005 eq. 6, log-sum-exp form). */
export function bgNbdIndividualLogLikelihood(params: BgNbdParams, x: number, tx: number, T: number): number {
  const { r, alpha, a, b } = params;
  const a1 = logGamma(r + x) - logGamma(r) + r * Math.log(alpha);
  const a2 = logGamma(a + b) + logGamma(b + x) - logGamma(b) - logGamma(a + b + x);
  const a3 = -(r + x) * Math.log(alpha + T);
  if (x === 0) return a1 + a2 + a3;
  const a4 = Math.log(a) - Math.log(b + x - 1) - (r + x) * Math.log(alpha + tx);
  return a1 + a2 + logAddExp(a3, a4);
}

/** Total log-likelihood Σ_i ln L_i over the rows (validated). */
export function bgNbdLogLikelihood(params: BgNbdParams, rows: readonly RfmRow[]): number {
  assertPositiveParams({ ...params }, 'BG/NBD');
  validateRfmRows(rows, 'bgNbdLogLikelihood');
  return new CompressedData(rows, 1).logLikelihood(params.r, params.alpha, params.a, params.b);
}

/** Rows grouped by frequency so the log-gamma terms are computed once per distinct x. */
class CompressedData {
  readonly xs: number[];
  readonly groups: { tx: Float64Array; T: Float64Array }[];
  readonly n: number;

  constructor(rows: readonly RfmRow[], timeScale: number) {
    const byX = new Map<number, { tx: number[]; T: number[] }>();
    for (const row of rows) {
      let g = byX.get(row.frequency);
      if (!g) {
        g = { tx: [], T: [] };
        byX.set(row.frequency, g);
      }
      g.tx.push(row.recency * timeScale);
      g.T.push(row.T * timeScale);
    }
    this.xs = [...byX.keys()].sort((p, q) => p - q);
    this.groups = this.xs.map((x) => {
      const g = byX.get(x) as { tx: number[]; T: number[] };
      return { tx: Float64Array.from(g.tx), T: Float64Array.from(g.T) };
    });
    this.n = rows.length;
  }

  logLikelihood(r: number, alpha: number, a: number, b: number): number {
    const lgR = logGamma(r);
    const lgB = logGamma(b);
    const lgAB = logGamma(a + b);
    const rLogAlpha = r * Math.log(alpha);
    const logA = Math.log(a);
    let total = 0;
    for (let gi = 0; gi < this.xs.length; gi++) {
      const x = this.xs[gi] as number;
      const g = this.groups[gi] as { tx: Float64Array; T: Float64Array };
      const a12 = logGamma(r + x) - lgR + rLogAlpha + lgAB + logGamma(b + x) - lgB - logGamma(a + b + x);
      const rx = r + x;
      const m = g.T.length;
      let s = 0;
      if (x === 0) {
        for (let i = 0; i < m; i++) s -= rx * Math.log(alpha + (g.T[i] as number));
      } else {
        const c4 = logA - Math.log(b + x - 1);
        for (let i = 0; i < m; i++) {
          const a3 = -rx * Math.log(alpha + (g.T[i] as number));
          const a4 = c4 - rx * Math.log(alpha + (g.tx[i] as number));
          const mx = a3 > a4 ? a3 : a4;
          s += mx + Math.log1p(Math.exp(-Math.abs(a3 - a4)));
        }
      }
      total += m * a12 + s;
    }
    return total;
  }
}


/**
 * Fits the BG/NBD model by maximum likelihood (Nelder–Mead on log-parameters).
 *
 * Like lifetimes, times are internally rescaled by 10 / max(T) for conditioning, and the
 * objective is the mean negative log-likelihood + penalizer · (r² + α_scaled² + a² + b²);
 * with penalizer = 0 the result is the plain MLE in the data's time unit.
 *
 * @throws ClvFitError invalid_input | too_few_customers | no_repeat_buyers | not_converged | degenerate
 */
export function fitBgNbd(rows: readonly RfmRow[], options: BgNbdFitOptions = {}): BgNbdFit {
  const penalizer = checkPenalizer(options.penalizer ?? 0);
  validateRfmRows(rows, 'fitBgNbd');
  const minCustomers = options.minCustomers ?? 10;
  if (rows.length < minCustomers) {
    throw new ClvFitError(
      'too_few_customers',
      `fitBgNbd: only ${rows.length} customer(s); the 4-parameter BG/NBD needs at least ${minCustomers} ` +
        '(realistically hundreds) to give stable estimates. Widen the observation window or pool segments.',
      { diagnostics: { nCustomers: rows.length, minCustomers } },
    );
  }
  const nRepeatBuyers = rows.reduce((k, r) => k + (r.frequency > 0 ? 1 : 0), 0);
  if (nRepeatBuyers === 0) {
    throw new ClvFitError(
      'no_repeat_buyers',
      `fitBgNbd: none of the ${rows.length} customers made a repeat purchase (all frequency = 0), so the ` +
        'dropout parameters a, b cannot be estimated. Use a longer observation window, a finer time unit, ' +
        'or check that repeat purchases are not being collapsed (purchases on the same day count once).',
      { diagnostics: { nCustomers: rows.length } },
    );
  }
  const maxT = rows.reduce((m, r) => Math.max(m, r.T), 0);
  if (!(maxT > 0)) {
    throw new ClvFitError(
      'degenerate',
      'fitBgNbd: every customer has T = 0 (all first purchases on the observation end day); there is no time ' +
        'to observe repeat purchases. Move the observation end later.',
    );
  }
  const scale = 10 / maxT;
  const data = new CompressedData(rows, scale);
  const n = rows.length;

  const objective = (theta: readonly number[]): number => {
    for (const t of theta) if (!(Math.abs(t) <= LOG_PARAM_HARD_LIMIT)) return Number.POSITIVE_INFINITY;
    const [r, alpha, a, b] = theta.map(Math.exp) as [number, number, number, number];
    const ll = data.logLikelihood(r, alpha, a, b);
    return -ll / n + penalizer * (r * r + alpha * alpha + a * a + b * b);
  };

  const starts: number[][] = [];
  if (options.initial) {
    const init = { r: 1, alpha: 1 / scale, a: 1, b: 1, ...options.initial };
    assertPositiveParams({ ...init }, 'fitBgNbd initial');
    starts.push([Math.log(init.r), Math.log(init.alpha * scale), Math.log(init.a), Math.log(init.b)]);
  } else {
    const meanX = rows.reduce((s, r) => s + r.frequency, 0) / n;
    const meanT = (rows.reduce((s, r) => s + r.T, 0) / n) * scale;
    const rate = Math.max(meanX / Math.max(meanT, 1e-12), 1e-6);
    starts.push([0, 0, 0, 0]);
    starts.push([0, Math.log(1 / rate), 0, Math.log(3)]);
  }

  const maxIterations = options.maxIterations ?? 5000;
  let best: ReturnType<typeof minimize> | null = null;
  let iterations = 0;
  for (const s of starts) {
    const res = minimize(objective, s, { maxIterations, tolerance: options.tolerance ?? 1e-10 });
    iterations += res.iterations;
    if (best === null || (Number.isFinite(res.fx) && (res.fx < best.fx || !Number.isFinite(best.fx)))) best = res;
  }
  const res = best as ReturnType<typeof minimize>;
  if (!Number.isFinite(res.fx)) {
    throw new ClvFitError(
      'degenerate',
      `fitBgNbd: the log-likelihood is not finite at the starting values (${res.message}). ` +
        'Pass `initial` parameters of the right order of magnitude for your time unit.',
      { diagnostics: { message: res.message } },
    );
  }
  const [r, alphaScaled, a, b] = res.x.map(Math.exp) as [number, number, number, number];
  const params: BgNbdParams = { r, alpha: alphaScaled / scale, a, b };
  const thetaScaled = res.x;

  const diverged = PARAM_NAMES.filter((_, k) => Math.abs(thetaScaled[k] as number) > LOG_PARAM_LIMIT);
  if (diverged.length > 0) {
    throw new ClvFitError('degenerate', degenerateMessage(thetaScaled, params, penalizer), {
      diagnostics: { params, diverged, penalizer, iterations },
    });
  }
  if (!res.converged && options.requireConvergence !== false) {
    throw new ClvFitError(
      'not_converged',
      `fitBgNbd did not converge: ${res.message} (after ${iterations} iterations; best params so far ` +
        `${fmtParams(params)}). Try: a larger maxIterations, a small penalizer (0.001–0.01) if parameters ` +
        'drift to extreme values, starting values via `initial`, or check the time unit (days vs weeks).',
      { diagnostics: { params, iterations, message: res.message } },
    );
  }

  const original = new CompressedData(rows, 1);
  const logLikelihood = original.logLikelihood(params.r, params.alpha, params.a, params.b);
  const standardErrors = bgNbdStandardErrors(original, params);
  return {
    model: 'bg_nbd',
    params,
    logLikelihood,
    standardErrors,
    nCustomers: n,
    nRepeatBuyers,
    penalizer,
    iterations,
    converged: res.converged,
    message: res.message,
  };
}

function fmtParams(p: BgNbdParams): string {
  return `r=${p.r.toPrecision(4)}, alpha=${p.alpha.toPrecision(4)}, a=${p.a.toPrecision(4)}, b=${p.b.toPrecision(4)}`;
}

function degenerateMessage(thetaScaled: readonly number[], p: BgNbdParams, penalizer: number): string {
  const [lr, lalpha, la, lb] = thetaScaled as [number, number, number, number];
  const high = (t: number): boolean => t > LOG_PARAM_LIMIT;
  const low = (t: number): boolean => t < -LOG_PARAM_LIMIT;
  const diverged = PARAM_NAMES.filter((_, k) => Math.abs(thetaScaled[k] as number) > LOG_PARAM_LIMIT);
  const hints: string[] = [];
  const meanDropout = p.a / (p.a + p.b);
  if (low(la) || (high(lb) && !high(la))) {
    hints.push(
      `the fitted dropout probability is ≈ 0 (mean a/(a+b) = ${meanDropout.toExponential(2)}): the data show no evidence ` +
        'that customers churn (repeat buyers\' last purchases are close to the observation end), so the BG/NBD ' +
        'degenerates to a plain NBD with P(alive) ≈ 1. A penalizer does not fix this (it also shrinks a towards 0). ' +
        'Use a longer observation window, and check that T is measured from the FIRST purchase to the observation ' +
        'end and recency from the first to the LAST purchase',
    );
  } else if (high(la) || high(lb)) {
    hints.push(
      `a and b are very large (mean dropout ${meanDropout.toPrecision(3)}): dropout probabilities look identical ` +
        'across customers. Try a penalizer (0.001–0.1, as in lifetimes)',
    );
  } else if (low(lb)) {
    hints.push('b → 0 means customers drop out almost surely after their first repeat purchase; check the data for duplicated customers or a wrong time unit');
  }
  if (high(lr) || high(lalpha)) {
    hints.push(
      `r and alpha are very large (mean rate r/alpha = ${(p.r / p.alpha).toPrecision(3)} per time unit): purchase ` +
        'rates look homogeneous (pure Poisson). Try a penalizer (0.001–0.1) or check the time unit (days vs weeks)',
    );
  } else if (low(lr) || low(lalpha)) {
    hints.push('r or alpha → 0: purchase rates are extremely heterogeneous or the time unit is far too coarse; check the time unit');
  }
  return (
    `fitBgNbd: the maximum-likelihood estimate is at the boundary of the parameter space ` +
    `(${diverged.join(', ')} diverged; ${fmtParams(p)}${penalizer > 0 ? `; penalizer ${penalizer}` : ''}). ` +
    `${hints.map((h) => h.charAt(0).toUpperCase() + h.slice(1)).join('. ')}.`
  );
}

function bgNbdStandardErrors(data: CompressedData, p: BgNbdParams): BgNbdParams | null {
  const theta = [Math.log(p.r), Math.log(p.alpha), Math.log(p.a), Math.log(p.b)];
  const nll = (t: readonly number[]): number => {
    const [r, alpha, a, b] = t.map(Math.exp) as [number, number, number, number];
    return -data.logLikelihood(r, alpha, a, b);
  };
  const cov = invertSpd(numericHessian(nll, theta));
  if (!cov) return null;
  const se = theta.map((t, k) => Math.exp(t) * Math.sqrt(((cov[k] as number[])[k] as number)));
  if (!se.every(Number.isFinite)) return null;
  return { r: se[0] as number, alpha: se[1] as number, a: se[2] as number, b: se[3] as number };
}

// ---------------------------------------------------------------------------------
// Predictions
// ---------------------------------------------------------------------------------

/**
 * P(customer still alive at T | x, t_x, T) (Fader, Hardie & Lee 2008 note 021):
 * 1 / (1 + δ_{x>0} · a/(b+x−1) · ((α+T)/(α+t_x))^{r+x}); exactly 1 when x = 0.
 */
export function probabilityAlive(params: BgNbdParams, x: number, tx: number, T: number): number {
  assertPositiveParams({ ...params }, 'BG/NBD');
  assertCustomer('probabilityAlive', x, tx, T);
  return pAlive(params, x, tx, T);
}

function pAlive(params: BgNbdParams, x: number, tx: number, T: number): number {
  if (x === 0) return 1;
  const { r, alpha, a, b } = params;
  const logOdds = (r + x) * Math.log((alpha + T) / (alpha + tx)) + Math.log(a / (b + x - 1));
  return expit(-logOdds);
}

/**
 * Expected purchases in (T, T + t] of a customer assumed ALIVE at T with x repeat purchases,
 * i.e. FHL eq. (10) without the P(alive) factor:
 *
 *   N = (a+b+x−1)/(a−1) · [1 − ((α+T)/(α+T+t))^{r+x} · 2F1(r+x, b+x; a+b+x−1; z)],  z = t/(α+T+t)
 *
 * Evaluated in a form that is stable for every a > 0 (including a → 1, where the textbook
 * form is 0/0) and for large x (where 2F1 overflows). With c = a+b+x−1, ε = a−1,
 * β = a+b−1−r and L = ln((α+T)/(α+T+t)), Euler's transformation gives
 * ((α+T)/(α+T+t))^{r+x}·2F1(...) = e^{εL}·2F1(β, ε; c; z) = e^{εL}·(1 + (ε/c)·S) with
 *
 *   S = Σ_{n≥1} (β)_n (a)_{n−1} / ((c+1)_{n−1} n!) z^n,
 *
 * hence N = c·(1 − e^{εL})/ε − e^{εL}·S, where (1 − e^{εL})/ε = −expm1(εL)/ε → −L as ε → 0.
 * S has no pole even when c ≤ 0 (x = 0, a + b < 1).
 */
function expectedIfAlive(params: BgNbdParams, t: number, x: number, T: number): number {
  if (t === 0) return 0;
  const { r, alpha, a, b } = params;
  const c = a + b + x - 1;
  const eps = a - 1;
  const beta = a + b - 1 - r;
  const L = -Math.log1p(t / (alpha + T));
  const z = t / (alpha + T + t);
  const epsL = eps * L;
  const d1 = Math.abs(epsL) < 1e-8 ? -L * (1 + epsL / 2) : -Math.expm1(epsL) / eps;
  let S = 0;
  if (beta !== 0) {
    const ratio = (n: number): number => (((beta + n) * (a + n - 1)) / ((c + n) * (n + 1))) * z;
    const settle = Math.ceil(Math.max(Math.abs(beta), a, Math.abs(c))) + 2;
    try {
      S = sumRatioSeries(beta * z, ratio, 1, z, settle).sum;
    } catch (e) {
      throw new ClvFitError(
        'degenerate',
        `BG/NBD expectation series failed for t=${t}, x=${x}, T=${T} (z=${z}): ${(e as Error).message}. ` +
          'The horizon is extremely long relative to alpha + T; use a shorter horizon.',
        { diagnostics: { params, t, x, T } },
      );
    }
  }
  return c * d1 - Math.exp(epsL) * S;
}

/**
 * E[X(T, T+t] | x, t_x, T]: expected number of purchases in the next t time units for a
 * customer with history (x, t_x, T) — lifetimes' `conditional_expected_number_of_purchases_up_to_time`.
 */
export function conditionalExpectedPurchases(params: BgNbdParams, t: number, x: number, tx: number, T: number): number {
  assertPositiveParams({ ...params }, 'BG/NBD');
  assertHorizon('conditionalExpectedPurchases', t);
  assertCustomer('conditionalExpectedPurchases', x, tx, T);
  const v = pAlive(params, x, tx, T) * expectedIfAlive(params, t, x, T);
  return finiteOrThrow('conditionalExpectedPurchases', v, { params, t, x, tx, T });
}

/**
 * E[X(t)]: expected number of repeat purchases in the first t time units after a new
 * customer's first purchase (FHL eq. 9):
 * (a+b−1)/(a−1) · [1 − (α/(α+t))^r · 2F1(r, b; a+b−1; t/(α+t))], evaluated via the same
 * stable series as the conditional expectation (x = 0, T = 0).
 */
export function expectedPurchasesNewCustomer(params: BgNbdParams, t: number): number {
  assertPositiveParams({ ...params }, 'BG/NBD');
  assertHorizon('expectedPurchasesNewCustomer', t);
  return finiteOrThrow('expectedPurchasesNewCustomer', expectedIfAlive(params, t, 0, 0), { params, t });
}

export interface TimeToNextPurchaseOptions {
  /** Largest horizon searched, in model time units. Default 100 · (alpha + T). */
  maxHorizon?: number;
  /** Relative precision of the returned horizon. Default 1e-8. */
  relativeTolerance?: number;
}

/**
 * Smallest horizon t (model time units) at which the conditional expected number of
 * purchases reaches 1, i.e. E[X(T, T+t] | x, t_x, T] = 1; null if it is not reached
 * within `maxHorizon` (e.g. the customer has most likely churned).
 */
export function expectedTimeToNextPurchase(
  params: BgNbdParams,
  x: number,
  tx: number,
  T: number,
  options: TimeToNextPurchaseOptions = {},
): number | null {
  assertPositiveParams({ ...params }, 'BG/NBD');
  assertCustomer('expectedTimeToNextPurchase', x, tx, T);
  const cap = options.maxHorizon ?? 100 * (params.alpha + T);
  assertHorizon('expectedTimeToNextPurchase (maxHorizon)', cap);
  const tol = options.relativeTolerance ?? 1e-8;
  const pa = pAlive(params, x, tx, T);
  const f = (t: number): number => pa * expectedIfAlive(params, t, x, T) - 1;
  if (cap === 0 || f(cap) < 0) return null;
  // Bracket the root by doubling from a natural time scale, then bisect (E is increasing in t).
  let lo = 0;
  let hi = Math.min(cap, (params.alpha + T) / Math.max(params.r + x, 1e-3));
  while (f(hi) < 0) {
    lo = hi;
    hi = Math.min(cap, hi * 2);
  }
  for (let i = 0; i < 200 && hi - lo > tol * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (f(mid) < 0) lo = mid;
    else hi = mid;
  }
  return finiteOrThrow('expectedTimeToNextPurchase', 0.5 * (lo + hi), { params, x, tx, T });
}
