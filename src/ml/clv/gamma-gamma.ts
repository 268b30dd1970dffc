/**
 * Gamma-Gamma model of monetary value (Fader & Hardie 2013, "The Gamma-Gamma Model of
 * Monetary Value", http://www.brucehardie.com/notes/025/), lifetimes' GammaGammaFitter
 * equivalent:
 *
 *   value of each transaction  z ~ Gamma(p, rate ν)
 *   across customers           ν ~ Gamma(q, rate v)
 *
 * fitted on the mean repeat-purchase value m of customers with x > 0. The model assumes
 * spend is independent of purchase frequency — check with `frequencyMonetaryCorrelation`.
 */

import { ClvFitError, type ClvInputIssue, throwIfIssues } from './errors.js';
import { invertSpd, minimize, numericHessian } from './optimize.js';
import { checkPenalizer, LOG_PARAM_HARD_LIMIT, LOG_PARAM_LIMIT, assertPositiveParams, finiteOrThrow } from './params.js';
import { logGamma } from './special.js';
import { type RfmMonetaryRow, validateRfmRows } from './summary.js';

export interface GammaGammaParams {
  p: number;
  q: number;
  v: number;
}

export interface GammaGammaFitOptions {
  /** L2 penalty coefficient on (p, q, v), as lifetimes' `penalizer_coef`. Default 0. */
  penalizer?: number;
  maxIterations?: number;
  tolerance?: number;
  initial?: Partial<GammaGammaParams>;
  /** Fewer repeat buyers than this is `too_few_customers`. Default 10. */
  minCustomers?: number;
  requireConvergence?: boolean;
  /**
   * What to do with repeat buyers whose monetaryValue ≤ 0 (e.g. net of refunds):
   * 'error' (default) raises invalid_input naming them; 'exclude' leaves them out of the fit.
   */
  nonPositiveMonetary?: 'error' | 'exclude';
  /** |Pearson correlation(frequency, monetary)| above this produces a warning. Default 0.3. */
  correlationWarningThreshold?: number;
}

export interface IndependenceCheck {
  /** Pearson correlation between frequency and monetary value among repeat buyers; null if undefined. */
  correlation: number | null;
  nCustomers: number;
  threshold: number;
  /** Non-null when the independence assumption looks violated (or cannot be checked). */
  warning: string | null;
}

export interface GammaGammaFit {
  model: 'gamma_gamma';
  params: GammaGammaParams;
  /** Total log-likelihood of the fitted customers' mean spends (penalty excluded). */
  logLikelihood: number;
  standardErrors: GammaGammaParams | null;
  /** Population mean spend per transaction p·v/(q−1). */
  populationMeanSpend: number;
  /** Repeat buyers used in the fit. */
  nCustomers: number;
  /** Customers left out: x = 0 (always), monetary ≤ 0 (only with nonPositiveMonetary: 'exclude'). */
  excluded: { noRepeatPurchase: number; nonPositiveMonetary: number };
  independence: IndependenceCheck;
  penalizer: number;
  iterations: number;
  converged: boolean;
  message: string;
}

/** Log-density of a customer's mean spend m over x transactions (Fader & Hardie 2013 eq. 1a). */
export function gammaGammaIndividualLogLikelihood(params: GammaGammaParams, x: number, m: number): number {
  const { p, q, v } = params;
  const px = p * x;
  return (
    logGamma(px + q) -
    logGamma(px) -
    logGamma(q) +
    q * Math.log(v) +
    (px - 1) * Math.log(m) +
    px * Math.log(x) -
    (px + q) * Math.log(x * m + v)
  );
}

/**
 * Pearson correlation between frequency and monetary value over repeat buyers
 * (x > 0, m > 0). The Gamma-Gamma model assumes these are independent; lifetimes'
 * docs advise checking that the correlation is close to 0 before using the model.
 */
export function frequencyMonetaryCorrelation(
  rows: readonly RfmMonetaryRow[],
  threshold = 0.3,
): IndependenceCheck {
  const xs: number[] = [];
  const ms: number[] = [];
  for (const r of rows) {
    if (r.frequency > 0 && r.monetaryValue > 0 && Number.isFinite(r.monetaryValue) && Number.isFinite(r.frequency)) {
      xs.push(r.frequency);
      ms.push(r.monetaryValue);
    }
  }
  const n = xs.length;
  const none = (warning: string): IndependenceCheck => ({ correlation: null, nCustomers: n, threshold, warning });
  if (n < 3) return none(`only ${n} repeat buyer(s): the frequency/monetary independence assumption cannot be checked.`);
  const mx = xs.reduce((s, v) => s + v, 0) / n;
  const mm = ms.reduce((s, v) => s + v, 0) / n;
  let sxx = 0;
  let smm = 0;
  let sxm = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    const dm = (ms[i] as number) - mm;
    sxx += dx * dx;
    smm += dm * dm;
    sxm += dx * dm;
  }
  if (sxx === 0 || smm === 0) {
    return none('frequency or monetary value is constant across repeat buyers: correlation is undefined.');
  }
  const correlation = sxm / Math.sqrt(sxx * smm);
  const warning =
    Math.abs(correlation) > threshold
      ? `frequency and monetary value are correlated (Pearson r = ${correlation.toFixed(3)}, |r| > ${threshold}); ` +
        'the Gamma-Gamma model assumes independence, so expected spend (and CLV) may be biased. ' +
        'Consider segmenting customers or a spend model with frequency as a covariate.'
      : null;
  return { correlation, nCustomers: n, threshold, warning };
}


/**
 * Fits the Gamma-Gamma spend model by maximum likelihood on the repeat buyers of `rows`
 * (customers with frequency 0 are skipped automatically).
 *
 * @throws ClvFitError invalid_input | too_few_customers | no_repeat_buyers | not_converged | degenerate
 */
export function fitGammaGamma(rows: readonly RfmMonetaryRow[], options: GammaGammaFitOptions = {}): GammaGammaFit {
  const penalizer = checkPenalizer(options.penalizer ?? 0);
  validateRfmRows(rows, 'fitGammaGamma');
  const mode = options.nonPositiveMonetary ?? 'error';
  const issues: ClvInputIssue[] = [];
  const xs: number[] = [];
  const ms: number[] = [];
  let noRepeat = 0;
  let nonPositive = 0;
  rows.forEach((row, index) => {
    const m = row.monetaryValue;
    const base = row.customerId === undefined ? { index } : { index, customerId: row.customerId };
    if (typeof m !== 'number' || !Number.isFinite(m)) {
      issues.push({ ...base, field: 'monetaryValue', value: m, problem: 'must be a finite number' });
      return;
    }
    if (row.frequency === 0) {
      noRepeat++;
      return;
    }
    if (m <= 0) {
      if (mode === 'exclude') {
        nonPositive++;
        return;
      }
      issues.push({
        ...base,
        field: 'monetaryValue',
        value: m,
        problem: 'must be > 0 for a repeat buyer (the Gamma-Gamma model needs positive spend)',
      });
      return;
    }
    xs.push(row.frequency);
    ms.push(m);
  });
  throwIfIssues(
    issues,
    'fitGammaGamma',
    "Fix these rows, or pass { nonPositiveMonetary: 'exclude' } to leave non-positive spenders out of the fit.",
  );
  const n = xs.length;
  if (n === 0) {
    throw new ClvFitError(
      'no_repeat_buyers',
      `fitGammaGamma: no customer with frequency > 0 and monetaryValue > 0 among ${rows.length} rows ` +
        `(${noRepeat} have no repeat purchase${nonPositive ? `, ${nonPositive} non-positive spend excluded` : ''}). ` +
        'The Gamma-Gamma model is fitted on repeat purchases only; use a longer observation window.',
      { diagnostics: { nRows: rows.length, noRepeat, nonPositive } },
    );
  }
  const minCustomers = options.minCustomers ?? 10;
  if (n < minCustomers) {
    throw new ClvFitError(
      'too_few_customers',
      `fitGammaGamma: only ${n} repeat buyer(s) with positive spend; need at least ${minCustomers} ` +
        '(realistically hundreds) for stable estimates of p, q, v.',
      { diagnostics: { nCustomers: n, minCustomers } },
    );
  }

  // Rescale money to O(1) for conditioning; v is equivariant (v_original = v_scaled · scale).
  const scale = ms.reduce((s, m) => s + m, 0) / n;
  const xArr = Float64Array.from(xs);
  const mArr = Float64Array.from(ms, (m) => m / scale);
  const logX = Float64Array.from(xs, Math.log);
  const logM = Float64Array.from(mArr, Math.log);
  // Distinct frequencies: the log-gamma terms depend on x only, so compute them once per x.
  const distinctX = [...new Set(xs)];
  const xIndex = new Map(distinctX.map((x, k) => [x, k]));
  const xSlot = Int32Array.from(xs, (x) => xIndex.get(x) as number);
  const xCount = new Float64Array(distinctX.length);
  for (let i = 0; i < n; i++) xCount[xSlot[i] as number] = (xCount[xSlot[i] as number] as number) + 1;
  const ll = (p: number, q: number, v: number, mScale: number): number => {
    const lgQ = logGamma(q);
    const qLogV = q * Math.log(v);
    const logScale = Math.log(mScale);
    let total = 0;
    for (let k = 0; k < distinctX.length; k++) {
      const px = p * (distinctX[k] as number);
      total += (xCount[k] as number) * (logGamma(px + q) - logGamma(px) - lgQ + qLogV);
    }
    for (let i = 0; i < n; i++) {
      const x = xArr[i] as number;
      const px = p * x;
      total +=
        (px - 1) * ((logM[i] as number) + logScale) +
        px * (logX[i] as number) -
        (px + q) * Math.log(x * (mArr[i] as number) * mScale + v);
    }
    return total;
  };
  const objective = (theta: readonly number[]): number => {
    for (const t of theta) if (!(Math.abs(t) <= LOG_PARAM_HARD_LIMIT)) return Number.POSITIVE_INFINITY;
    const [p, q, vs] = theta.map(Math.exp) as [number, number, number];
    const v = vs * scale;
    return -ll(p, q, vs, 1) / n + penalizer * (p * p + q * q + v * v);
  };

  const starts: number[][] = [];
  if (options.initial) {
    const init = { p: 1, q: 2, v: scale, ...options.initial };
    assertPositiveParams({ ...init }, 'fitGammaGamma initial');
    starts.push([Math.log(init.p), Math.log(init.q), Math.log(init.v / scale)]);
  } else {
    starts.push([0, Math.log(2), 0]);
    starts.push([Math.log(5), Math.log(4), Math.log(3)]);
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
      `fitGammaGamma: the log-likelihood is not finite at the starting values (${res.message}). ` +
        'Pass `initial` parameters.',
    );
  }
  const [p, q, vs] = res.x.map(Math.exp) as [number, number, number];
  const params: GammaGammaParams = { p, q, v: vs * scale };
  const fmt = `p=${p.toPrecision(4)}, q=${q.toPrecision(4)}, v=${params.v.toPrecision(4)}`;
  const diverged = (['p', 'q', 'v'] as const).filter((_, k) => Math.abs(res.x[k] as number) > LOG_PARAM_LIMIT);
  if (diverged.length > 0) {
    throw new ClvFitError(
      'degenerate',
      `fitGammaGamma: the estimate is at the boundary of the parameter space (${diverged.join(', ')} diverged; ${fmt}). ` +
        'q and v diverging together means average spend looks identical across customers (no heterogeneity to ' +
        'model); p diverging means almost no within-customer spend variation. Try a penalizer (0.001–0.1) or ' +
        'simply use the overall mean spend.',
      { diagnostics: { params, diverged } },
    );
  }
  if (!res.converged && options.requireConvergence !== false) {
    throw new ClvFitError(
      'not_converged',
      `fitGammaGamma did not converge: ${res.message} (after ${iterations} iterations; best so far ${fmt}). ` +
        'Try a larger maxIterations, a small penalizer, `initial` values, or remove extreme monetary outliers.',
      { diagnostics: { params, iterations, message: res.message } },
    );
  }
  if (!(q > 1)) {
    throw new ClvFitError(
      'degenerate',
      `fitGammaGamma: fitted q = ${q.toPrecision(4)} ≤ 1, so the implied mean spend p·v/(q−1) is infinite/negative ` +
        `(${fmt}). This is usually caused by a few extreme monetary values (check for data errors or mixed ` +
        'currencies/units); winsorise monetary values or use a penalizer.',
      { diagnostics: { params } },
    );
  }

  const logLikelihood = ll(p, q, params.v, scale);
  const se = (() => {
    const theta = [Math.log(p), Math.log(q), Math.log(vs)];
    const cov = invertSpd(numericHessian((t) => {
      const [pp, qq, vv] = t.map(Math.exp) as [number, number, number];
      return -ll(pp, qq, vv, 1);
    }, theta));
    if (!cov) return null;
    const s = theta.map((t, k) => Math.exp(t) * Math.sqrt(((cov[k] as number[])[k] as number)));
    if (!s.every(Number.isFinite)) return null;
    return { p: s[0] as number, q: s[1] as number, v: (s[2] as number) * scale };
  })();

  return {
    model: 'gamma_gamma',
    params,
    logLikelihood,
    standardErrors: se,
    populationMeanSpend: (p * params.v) / (q - 1),
    nCustomers: n,
    excluded: { noRepeatPurchase: noRepeat, nonPositiveMonetary: nonPositive },
    independence: frequencyMonetaryCorrelation(
      rows.filter((r) => r.frequency > 0 && r.monetaryValue > 0),
      options.correlationWarningThreshold,
    ),
    penalizer,
    iterations,
    converged: res.converged,
    message: res.message,
  };
}

/**
 * E[Z | p, q, v, x, m]: expected value of a future transaction of a customer with x repeat
 * purchases of mean value m (Fader & Hardie 2013 eq. 5) — a credibility-weighted average
 * of the population mean p·v/(q−1) and the customer's own mean m:
 *   (p·v + p·x·m) / (p·x + q − 1).
 * For x = 0, m is ignored and the population mean is returned.
 */
export function conditionalExpectedSpend(params: GammaGammaParams, x: number, monetaryValue: number): number {
  assertPositiveParams({ ...params }, 'Gamma-Gamma');
  if (!(params.q > 1)) {
    throw new ClvFitError('degenerate', `Gamma-Gamma q = ${params.q} ≤ 1: the expected spend is infinite. Refit.`);
  }
  if (typeof x !== 'number' || !Number.isInteger(x) || x < 0) {
    throw new ClvFitError('invalid_input', `conditionalExpectedSpend: frequency (x) = ${String(x)} must be a whole number >= 0.`);
  }
  if (x > 0 && !(typeof monetaryValue === 'number' && Number.isFinite(monetaryValue) && monetaryValue > 0)) {
    throw new ClvFitError(
      'invalid_input',
      `conditionalExpectedSpend: monetaryValue = ${String(monetaryValue)} must be a finite number > 0 for a repeat buyer (x = ${x}).`,
    );
  }
  const { p, q, v } = params;
  const m = x > 0 ? monetaryValue : 0;
  return finiteOrThrow('conditionalExpectedSpend', (p * v + p * x * m) / (p * x + q - 1), { params, x, monetaryValue });
}
