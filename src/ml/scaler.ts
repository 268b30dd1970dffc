/**
 * Standard scaler: z = (x − mean) / std per feature, fitted on training rows only and stored as plain JSON
 * next to the model. Missing values (null, undefined, NaN, ±Infinity) are imputed with the training mean,
 * i.e. become 0 after scaling, and the number imputed per feature at fit time is recorded.
 */

/** Input rows: an array of rows, or one flat row-major array with featureNames.length columns. */
export type MatrixInput =
  | ReadonlyArray<ArrayLike<number | null | undefined>>
  | ArrayLike<number | null | undefined>;

export interface Scaler {
  version: 1;
  names: string[];
  mean: number[];
  /** Population standard deviation (ddof 0); 1 where the training column is constant or all missing. */
  std: number[];
  /** Rows fitted on. */
  n: number;
  /** Missing values seen per feature when fitting (imputed with the mean). */
  missing: number[];
  /** Features whose training variance was zero (std set to 1, so they scale to 0). */
  constant: string[];
}

/** A column with std below this (relative to its scale) is treated as constant. */
const CONSTANT_EPS = 1e-12;

function isRows(x: MatrixInput): x is ReadonlyArray<ArrayLike<number | null | undefined>> {
  if (x.length === 0) return Array.isArray(x);
  const first = (x as ArrayLike<unknown>)[0];
  return typeof first === 'object' && first !== null;
}

/** Number of rows in X for d features, checking shape. */
export function rowCount(x: MatrixInput, d: number): number {
  if (isRows(x)) {
    for (let i = 0; i < x.length; i++) {
      if (x[i]!.length !== d) throw new RangeError(`row ${i} has ${x[i]!.length} values, expected ${d}`);
    }
    return x.length;
  }
  if (d === 0 || x.length % d !== 0) throw new RangeError(`flat input of length ${x.length} is not a multiple of ${d} features`);
  return x.length / d;
}

function reader(x: MatrixInput, d: number): (i: number, j: number) => number | null | undefined {
  if (isRows(x)) return (i, j) => x[i]![j];
  return (i, j) => x[i * d + j];
}

const finite = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

export function fitScaler(x: MatrixInput, featureNames: readonly string[]): Scaler {
  const d = featureNames.length;
  if (d === 0) throw new RangeError('fitScaler needs at least one feature');
  if (new Set(featureNames).size !== d) throw new RangeError('feature names must be unique');
  const n = rowCount(x, d);
  const get = reader(x, d);

  // Two passes in float64: mean, then centred sum of squares (stable, unlike E[x²] − E[x]²).
  const sum = new Float64Array(d);
  const cnt = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const v = get(i, j);
      if (finite(v)) {
        sum[j]! += v;
        cnt[j]!++;
      }
    }
  }
  const mean = new Float64Array(d);
  for (let j = 0; j < d; j++) mean[j] = cnt[j]! > 0 ? sum[j]! / cnt[j]! : 0;
  const ss = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const v = get(i, j);
      if (finite(v)) {
        const c = v - mean[j]!;
        ss[j]! += c * c;
      }
    }
  }
  const std: number[] = [];
  const constant: string[] = [];
  for (let j = 0; j < d; j++) {
    const s = cnt[j]! > 0 ? Math.sqrt(ss[j]! / cnt[j]!) : 0;
    if (!(s > CONSTANT_EPS * Math.max(1, Math.abs(mean[j]!)))) {
      std.push(1);
      constant.push(featureNames[j]!);
    } else {
      std.push(s);
    }
  }
  return {
    version: 1,
    names: [...featureNames],
    mean: Array.from(mean),
    std,
    n,
    missing: Array.from(cnt, (c) => n - c),
    constant,
  };
}

/** Scale rows with a fitted scaler → Float32Array, row-major n × d. Missing values become 0 (the mean). */
export function transform(scaler: Scaler, x: MatrixInput): Float32Array {
  const d = scaler.names.length;
  const n = rowCount(x, d);
  const get = reader(x, d);
  const out = new Float32Array(n * d);
  const mean = scaler.mean;
  const inv = scaler.std.map((s) => 1 / s);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    for (let j = 0; j < d; j++) {
      const v = get(i, j);
      out[o + j] = finite(v) ? (v - mean[j]!) * inv[j]! : 0;
    }
  }
  return out;
}

/**
 * Turn a linear model on scaled inputs (logit = b + Σ w_j z_j) into one on raw inputs:
 * w_raw_j = w_j / std_j, b_raw = b − Σ w_j · mean_j / std_j.
 */
export function unscaleLinear(
  scaler: Scaler,
  weights: ArrayLike<number>,
  bias: number,
): { weights: number[]; bias: number } {
  if (weights.length !== scaler.names.length) {
    throw new RangeError(`${weights.length} weights for ${scaler.names.length} features`);
  }
  const w: number[] = [];
  let b = bias;
  for (let j = 0; j < weights.length; j++) {
    const wr = weights[j]! / scaler.std[j]!;
    w.push(wr);
    b -= wr * scaler.mean[j]!;
  }
  return { weights: w, bias: b };
}

/** Check that a JSON value read back from disk is a usable scaler (shape and finiteness). */
export function isScaler(v: unknown): v is Scaler {
  if (typeof v !== 'object' || v === null) return false;
  const s = v as Partial<Scaler>;
  const d = s.names?.length;
  return (
    s.version === 1 &&
    Array.isArray(s.names) &&
    s.names.every((x) => typeof x === 'string') &&
    Array.isArray(s.mean) &&
    Array.isArray(s.std) &&
    s.mean.length === d &&
    s.std.length === d &&
    s.mean.every((x) => Number.isFinite(x)) &&
    s.std.every((x) => Number.isFinite(x) && x > 0)
  );
}
