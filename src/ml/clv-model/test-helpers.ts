import type { FeatureFrame } from '../../features/frame.js';
import { parseClvHyperparams, type ClvHyperparamsInput } from './hyper.js';
import { CLV_MODEL_FORMAT, CLV_MODEL_FORMAT_VERSION, CLV_MODEL_KIND, ClvModelSchema, type ClvModel } from './model.js';

/** Parameters of the same order as the demo generator's (days). */
export const EXAMPLE_BGNBD = { r: 0.8, alpha: 40, a: 0.8, b: 2.5 };
export const EXAMPLE_GG = { p: 6, q: 4, v: 50 };

/** A valid model with the given parameters/hyperparameters (fit statistics are placeholders). */
export function exampleModel(
  options: { hyper?: ClvHyperparamsInput; bgnbd?: Partial<typeof EXAMPLE_BGNBD>; gammaGamma?: Partial<typeof EXAMPLE_GG> } = {},
): ClvModel {
  const bgnbd = { ...EXAMPLE_BGNBD, ...options.bgnbd };
  const gg = { ...EXAMPLE_GG, ...options.gammaGamma };
  return ClvModelSchema.parse({
    format: CLV_MODEL_FORMAT,
    format_version: CLV_MODEL_FORMAT_VERSION,
    kind: CLV_MODEL_KIND,
    as_of: '2024-12-30',
    trained_at: '2025-01-01T00:00:00.000Z',
    hyper: parseClvHyperparams(options.hyper ?? {}),
    params: { bgnbd, gamma_gamma: gg, time_unit: 'days' },
    fit: {
      bgnbd: { logLikelihood: -1000, converged: true, iterations: 100, nCustomers: 500, nRepeatBuyers: 300, standardErrors: null, penalizer: 0, message: 'converged' },
      gamma_gamma: {
        logLikelihood: -500,
        converged: true,
        iterations: 80,
        nCustomers: 300,
        standardErrors: null,
        populationMeanSpend: (gg.p * gg.v) / (gg.q - 1),
        excluded: { noRepeatPurchase: 200, nonPositiveMonetary: 0, missingMonetary: 0 },
        independence: { correlation: 0.01, nCustomers: 300, threshold: 0.3, warning: null },
        penalizer: 0,
        message: 'converged',
      },
    },
    evaluation: { status: 'skipped', reason: 'example', code: null, calibration_end: null, holdout_days: 0 },
    data: { customers: 600, buyers: 500, repeat_buyers: 300, seconds: 1 },
  });
}

/** A frame holding only the clv_* columns; a row of `null` is a customer without purchases. */
export function clvFrame(rows: ({ x: number; tx: number; T: number; m: number } | null)[]): FeatureFrame {
  const col = (pick: (r: { x: number; tx: number; T: number; m: number }) => number) => Float64Array.from(rows, (r) => (r ? pick(r) : NaN));
  return {
    n: rows.length,
    personIds: rows.map((_, i) => i + 1),
    customerIds: rows.map((_, i) => `C${i + 1}`),
    numeric: { clv_frequency: col((r) => r.x), clv_recency: col((r) => r.tx), clv_t: col((r) => r.T), clv_monetary: col((r) => r.m) },
    categorical: {},
  };
}
