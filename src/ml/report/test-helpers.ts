import { expect } from 'vitest';
import type { EvaluationInput } from './evaluation.js';

const VOID = new Set(['meta', 'br', 'hr', 'img', 'input', 'link', 'wbr']);

/** Start/end tags of markup balance (self-closing and HTML void elements aside). */
export function expectBalancedTags(markup: string): void {
  const stack: string[] = [];
  const body = markup.replace(/<!doctype[^>]*>/i, '').replace(/<style>[\s\S]*?<\/style>/g, '<style></style>');
  for (const m of body.matchAll(/<(\/?)([a-zA-Z][a-zA-Z0-9-]*)\b[^>]*?(\/?)>/g)) {
    const [, close, name, selfClose] = m;
    if (selfClose || VOID.has(name!.toLowerCase())) continue;
    if (close) expect(stack.pop(), `closing </${name}>`).toBe(name);
    else stack.push(name!);
  }
  expect(stack).toEqual([]);
}

/** A valid evaluation with round, recognisable numbers (a fresh object each call, safe to mutate). */
export function sampleEvaluation(): EvaluationInput {
  return {
    target: 'purchase',
    version: '20261102-143015-a1b2',
    created_at: '2026-11-02T14:30:15.000Z',
    backend: 'cpu',
    label: 'at least one purchase in the 30 days after the cutoff, over every customer known at the cutoff',
    cutoff: '2026-10-02',
    horizon_days: 30,
    as_of: '2026-11-01',
    validation: { n: 20000, positives: 1200, base_rate: 0.06 },
    model: {
      kind: 'mlp',
      metrics: { auc: 0.8123, pr_auc: 0.3141, log_loss: 0.1987, brier: 0.0512, lift_top_decile: 3.456, base_rate: 0.06, ece: 0.0089 },
      roc: [
        { fpr: 0, tpr: 0 },
        { fpr: 0.05, tpr: 0.3 },
        { fpr: 0.1, tpr: 0.45 },
        { fpr: 0.3, tpr: 0.75 },
        { fpr: 0.6, tpr: 0.92 },
        { fpr: 1, tpr: 1 },
      ],
      gains: [
        { share: 0, captured: 0 },
        { share: 0.1, captured: 0.3456 },
        { share: 0.3, captured: 0.7 },
        { share: 0.6, captured: 0.9 },
        { share: 1, captured: 1 },
      ],
      calibration: [
        { bin: [0, 0.1], count: 15000, mean_predicted: 0.03, observed_rate: 0.032 },
        { bin: [0.1, 0.2], count: 3500, mean_predicted: 0.14, observed_rate: 0.13 },
        { bin: [0.2, 0.3], count: 1500, mean_predicted: 0.24, observed_rate: 0.26 },
        { bin: [0.3, 0.4], count: 0, mean_predicted: null, observed_rate: null },
      ],
    },
    baseline: {
      name: 'RFM score',
      description: 'probability by RFM quintile score',
      metrics: { auc: 0.7421, pr_auc: 0.2012, log_loss: 0.2213, brier: 0.0561, lift_top_decile: 2.61, base_rate: 0.06, ece: 0.0301 },
      roc: [
        { fpr: 0, tpr: 0 },
        { fpr: 0.2, tpr: 0.5 },
        { fpr: 0.5, tpr: 0.8 },
        { fpr: 1, tpr: 1 },
      ],
      gains: [
        { share: 0, captured: 0 },
        { share: 0.3, captured: 0.55 },
        { share: 1, captured: 1 },
      ],
      calibration: [{ bin: [0, 1], count: 20000, mean_predicted: 0.061, observed_rate: 0.06 }],
    },
    candidates: [
      { kind: 'logistic', auc: 0.8011, log_loss: 0.2034, chosen: false },
      { kind: 'mlp', auc: 0.8123, log_loss: 0.1987, chosen: true, params: 'hidden [32, 16]' },
    ],
    selection: 'lowest validation log loss',
    calibration_method: 'platt',
    calibration_reason: 'platt: 900 rows / 54 in the rarer class is too few for isotonic',
    feature_importance: [
      { feature: 'recency_days', importance: 0.0812, std: 0.004, description: 'days since the latest purchase' },
      { feature: 'purchases_90', importance: 0.0431, std: 0.003, description: 'purchases in the last 90 days' },
      { feature: 'revenue_all', importance: 0.0123 },
      { feature: 'support_tickets_180', importance: -0.0008, std: 0.001 },
    ],
    training: { cutoffs: ['2026-07-04', '2026-08-03', '2026-09-02'], rows: 61234, positives: 3701, seconds: 42.5 },
    data_fingerprint: 'events:1234567:2026-11-01:ab12cd34',
  };
}
