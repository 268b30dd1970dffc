/**
 * Small, dependency-free minimiser for the CLV likelihoods: Nelder–Mead (adaptive
 * coefficients of Gao & Han 2012) with restarts from the best point, meant to be
 * run on log-parameters (so every point is a valid positive parameter vector).
 *
 * Non-finite objective values are treated as +Infinity (the simplex steps away from
 * them). Nothing fails silently: the result always says whether the tolerances were
 * met and why it stopped.
 */

export interface MinimizeOptions {
  /** Max iterations summed over all restarts. Default 5000. */
  maxIterations?: number;
  /** Convergence when the simplex's objective spread ≤ tolerance·(1 + |f_best|). Default 1e-10. */
  tolerance?: number;
  /** ...and its largest vertex distance from the best vertex (∞-norm) ≤ xTolerance. Default 1e-7. */
  xTolerance?: number;
  /** Edge length of the initial simplex (same units as x; log-units for log-params). Default 0.5. */
  initialStep?: number;
  /** Restarts after the first convergence (each from the best point, with a fresh simplex). Default 4. */
  maxRestarts?: number;
}

export interface MinimizeResult {
  x: number[];
  fx: number;
  iterations: number;
  evaluations: number;
  restarts: number;
  converged: boolean;
  message: string;
}

type Objective = (x: readonly number[]) => number;

function safeEval(f: Objective, x: readonly number[]): number {
  const v = f(x);
  return Number.isFinite(v) ? v : Number.POSITIVE_INFINITY;
}

interface RunResult {
  x: number[];
  fx: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
}

function nelderMeadRun(
  f: Objective,
  x0: readonly number[],
  f0: number,
  step: number,
  maxIter: number,
  ftol: number,
  xtol: number,
): RunResult {
  const n = x0.length;
  // Adaptive coefficients (Gao & Han 2012) – better than the classic ones beyond 2-D.
  const alpha = 1;
  const beta = 1 + 2 / n;
  const gamma = 0.75 - 1 / (2 * n);
  const delta = 1 - 1 / n;

  const simplex: number[][] = [Array.from(x0)];
  const values: number[] = [f0];
  let evaluations = 0;
  for (let i = 0; i < n; i++) {
    const v = Array.from(x0);
    v[i] = (v[i] as number) + step;
    simplex.push(v);
    values.push(safeEval(f, v));
    evaluations++;
  }

  const order = (): void => {
    const idx = simplex.map((_, i) => i).sort((i, j) => (values[i] as number) - (values[j] as number));
    const s = idx.map((i) => simplex[i] as number[]);
    const v = idx.map((i) => values[i] as number);
    for (let i = 0; i <= n; i++) {
      simplex[i] = s[i] as number[];
      values[i] = v[i] as number;
    }
  };

  let iterations = 0;
  let converged = false;
  while (iterations < maxIter) {
    order();
    const best = values[0] as number;
    const worst = values[n] as number;
    let xSpread = 0;
    const b = simplex[0] as number[];
    for (let i = 1; i <= n; i++) {
      const v = simplex[i] as number[];
      for (let k = 0; k < n; k++) xSpread = Math.max(xSpread, Math.abs((v[k] as number) - (b[k] as number)));
    }
    if (Number.isFinite(worst) && worst - best <= ftol * (1 + Math.abs(best)) && xSpread <= xtol) {
      converged = true;
      break;
    }
    iterations++;

    const centroid = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) {
      const v = simplex[i] as number[];
      for (let k = 0; k < n; k++) centroid[k] = (centroid[k] as number) + (v[k] as number) / n;
    }
    const worstV = simplex[n] as number[];
    const along = (t: number): number[] =>
      centroid.map((c, k) => c + t * (c - (worstV[k] as number)));

    const xr = along(alpha);
    const fr = safeEval(f, xr);
    evaluations++;
    if (fr < (values[0] as number)) {
      const xe = along(alpha * beta);
      const fe = safeEval(f, xe);
      evaluations++;
      if (fe < fr) {
        simplex[n] = xe;
        values[n] = fe;
      } else {
        simplex[n] = xr;
        values[n] = fr;
      }
      continue;
    }
    if (fr < (values[n - 1] as number)) {
      simplex[n] = xr;
      values[n] = fr;
      continue;
    }
    // Contraction (outside if the reflected point is better than the worst, else inside).
    const outside = fr < (values[n] as number);
    const xc = along(outside ? alpha * gamma : -gamma);
    const fc = safeEval(f, xc);
    evaluations++;
    if (outside ? fc <= fr : fc < (values[n] as number)) {
      simplex[n] = xc;
      values[n] = fc;
      continue;
    }
    // Shrink towards the best vertex.
    const bestV = simplex[0] as number[];
    for (let i = 1; i <= n; i++) {
      const v = simplex[i] as number[];
      const shrunk = v.map((vk, k) => (bestV[k] as number) + delta * (vk - (bestV[k] as number)));
      simplex[i] = shrunk;
      values[i] = safeEval(f, shrunk);
      evaluations++;
    }
  }
  order();
  return { x: simplex[0] as number[], fx: values[0] as number, iterations, evaluations, converged };
}

/**
 * Minimises `f` starting at `x0`. Runs Nelder–Mead to convergence, then restarts
 * from the best point with a fresh (smaller) simplex until a restart no longer
 * improves the objective by more than the tolerance — this guards against the
 * well-known premature collapse of the simplex.
 */
export function minimize(f: Objective, x0: readonly number[], options: MinimizeOptions = {}): MinimizeResult {
  const maxIterations = options.maxIterations ?? 5000;
  const ftol = options.tolerance ?? 1e-10;
  const xtol = options.xTolerance ?? 1e-7;
  const step0 = options.initialStep ?? 0.5;
  const maxRestarts = options.maxRestarts ?? 4;
  if (x0.length === 0) throw new RangeError('minimize: x0 must have at least one coordinate');
  if (!x0.every(Number.isFinite)) {
    return {
      x: Array.from(x0),
      fx: Number.NaN,
      iterations: 0,
      evaluations: 0,
      restarts: 0,
      converged: false,
      message: `initial point contains non-finite values: [${x0.join(', ')}]`,
    };
  }
  const f0 = safeEval(f, x0);
  if (!Number.isFinite(f0)) {
    return {
      x: Array.from(x0),
      fx: f0,
      iterations: 0,
      evaluations: 1,
      restarts: 0,
      converged: false,
      message: 'objective is not finite at the initial point',
    };
  }

  let x = Array.from(x0);
  let fx = f0;
  let iterations = 0;
  let evaluations = 1;
  let restarts = 0;
  let step = step0;
  for (;;) {
    const run = nelderMeadRun(f, x, fx, step, maxIterations - iterations, ftol, xtol);
    iterations += run.iterations;
    evaluations += run.evaluations;
    const improvement = fx - run.fx;
    if (run.fx <= fx) {
      x = run.x;
      fx = run.fx;
    }
    if (!run.converged) {
      return {
        x,
        fx,
        iterations,
        evaluations,
        restarts,
        converged: false,
        message: `iteration limit (${maxIterations}) reached before the simplex met the tolerances`,
      };
    }
    // A restart that did not move the optimum means we are done.
    if (restarts > 0 && improvement <= ftol * (1 + Math.abs(fx))) {
      return { x, fx, iterations, evaluations, restarts, converged: true, message: 'converged' };
    }
    if (restarts >= maxRestarts) {
      return {
        x,
        fx,
        iterations,
        evaluations,
        restarts,
        converged: false,
        message: `objective still improving after ${maxRestarts} restarts (last improvement ${improvement.toExponential(2)})`,
      };
    }
    restarts++;
    step = Math.max(step * 0.5, 0.05);
  }
}

/**
 * Central finite-difference Hessian of f at x (step h·max(1,|x_i|)). Used for
 * approximate standard errors (inverse observed information).
 */
export function numericHessian(f: Objective, x: readonly number[], h = 1e-4): number[][] {
  const n = x.length;
  const H: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const f0 = f(x);
  const steps = x.map((xi) => h * Math.max(1, Math.abs(xi)));
  const at = (di: number, si: number, dj: number, sj: number): number => {
    const y = Array.from(x);
    y[di] = (y[di] as number) + si;
    y[dj] = (y[dj] as number) + sj;
    return f(y);
  };
  for (let i = 0; i < n; i++) {
    const hi = steps[i] as number;
    (H[i] as number[])[i] = (at(i, hi, i, 0) - 2 * f0 + at(i, -hi, i, 0)) / (hi * hi);
    for (let j = i + 1; j < n; j++) {
      const hj = steps[j] as number;
      const v = (at(i, hi, j, hj) - at(i, hi, j, -hj) - at(i, -hi, j, hj) + at(i, -hi, j, -hj)) / (4 * hi * hj);
      (H[i] as number[])[j] = v;
      (H[j] as number[])[i] = v;
    }
  }
  return H;
}

/** Inverse of a symmetric positive-definite matrix via Cholesky; null if not SPD. */
export function invertSpd(A: readonly (readonly number[])[]): number[][] | null {
  const n = A.length;
  const L: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = (A[i] as readonly number[])[j] as number;
      for (let k = 0; k < j; k++) s -= ((L[i] as number[])[k] as number) * ((L[j] as number[])[k] as number);
      if (i === j) {
        if (!(s > 0) || !Number.isFinite(s)) return null;
        (L[i] as number[])[i] = Math.sqrt(s);
      } else {
        (L[i] as number[])[j] = s / ((L[j] as number[])[j] as number);
      }
    }
  }
  // Solve L L^T X = I column by column.
  const inv: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let c = 0; c < n; c++) {
    const y = new Array<number>(n).fill(0);
    for (let i = 0; i < n; i++) {
      let s = i === c ? 1 : 0;
      for (let k = 0; k < i; k++) s -= ((L[i] as number[])[k] as number) * (y[k] as number);
      y[i] = s / ((L[i] as number[])[i] as number);
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = y[i] as number;
      for (let k = i + 1; k < n; k++) s -= ((L[k] as number[])[i] as number) * ((inv[k] as number[])[c] as number);
      (inv[i] as number[])[c] = s / ((L[i] as number[])[i] as number);
    }
  }
  return inv;
}
