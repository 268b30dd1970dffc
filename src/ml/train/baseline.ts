import type { LabelTarget } from '../dataset/labels.js';

/**
 * The rule baseline each model must beat: a ranking anyone could build without a model.
 * purchase: the more recent the last purchase, the likelier the next (RFM's R), ties broken by
 *   frequency in the last year; never-buyers last.
 * churn: the longer since the last event of any kind, the likelier the customer has left, ties
 *   broken by low recent activity.
 * Scores are monotone maps into [0, 1], not probabilities; they are calibrated (isotonic) on the
 * same rows as the model before log loss and Brier are compared.
 */
export const BASELINE_DESCRIPTION: Record<LabelTarget, string> = {
  purchase: 'recency ranking: days since the last purchase (RFM recency), ties by purchases in the last 365 days',
  churn: 'inactivity ranking: days since the last event of any kind, ties by fewer events in the last 90 days',
};

export function baselineScores(target: LabelTarget, X: Float32Array, n: number, featureNames: readonly string[]): Float64Array {
  const col = (name: string) => {
    const j = featureNames.indexOf(name);
    if (j < 0) throw new Error(`baseline needs feature ${name}`);
    return j;
  };
  const d = featureNames.length;
  const out = new Float64Array(n);
  if (target === 'purchase') {
    const recency = col('recency_days');
    const frequency = col('purchases_365');
    for (let i = 0; i < n; i++) {
      const r = X[i * d + recency]!;
      const f = X[i * d + frequency]!;
      out[i] = Number.isNaN(r) ? 0 : Math.min(1, 1 / (1 + r) + 1e-9 * Math.min(f, 1000));
    }
  } else {
    const idle = col('days_since_last_event');
    const recent = col('events_90');
    for (let i = 0; i < n; i++) {
      const s = Number.isNaN(X[i * d + idle]!) ? 1e6 : X[i * d + idle]!;
      out[i] = Math.max(0, s / (1 + s) - 1e-9 * Math.min(X[i * d + recent]!, 1000));
    }
  }
  return out;
}
