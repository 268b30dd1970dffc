import { describe, expect, it } from 'vitest';
import { binaryReport } from '../metrics.js';
import {
  buildEvaluation,
  compareMetric,
  EvaluationError,
  formatDifference,
  formatMetric,
  parseEvaluation,
  sideFromReport,
  verdictOf,
  type EvaluationInput,
} from './evaluation.js';
import { sampleEvaluation } from './test-helpers.js';

/** The EvaluationError thrown for an input, or fails. */
function errorOf(input: unknown): EvaluationError {
  try {
    parseEvaluation(input);
  } catch (error) {
    expect(error).toBeInstanceOf(EvaluationError);
    return error as EvaluationError;
  }
  throw new Error('expected parseEvaluation to throw');
}

function expectBadField(mutate: (e: EvaluationInput) => void, path: (string | number)[]): EvaluationError {
  const e = sampleEvaluation();
  mutate(e);
  const error = errorOf(e);
  expect(error.issues.map((i) => i.path)).toContainEqual(path);
  expect(error.message).toContain(path.join('.'));
  return error;
}

describe('parseEvaluation', () => {
  it('accepts a valid evaluation', () => {
    const e = parseEvaluation(sampleEvaluation());
    expect(e.model.metrics.auc).toBe(0.8123);
    expect(e.calibration_method).toBe('platt');
  });

  it("accepts calibration.ts's 'identity' as 'none'", () => {
    expect(parseEvaluation({ ...sampleEvaluation(), calibration_method: 'identity' }).calibration_method).toBe('none');
  });

  it('accepts null metrics (undefined values)', () => {
    const e = sampleEvaluation();
    e.baseline.metrics.log_loss = null;
    expect(parseEvaluation(e).baseline.metrics.log_loss).toBeNull();
  });

  it('names the bad field', () => {
    expectBadField((e) => (e.model.metrics.auc = 1.3), ['model', 'metrics', 'auc']);
    expectBadField((e) => (e.baseline.metrics.brier = Number.NaN), ['baseline', 'metrics', 'brier']);
    expectBadField((e) => (e.model.roc[2]!.tpr = -0.1), ['model', 'roc', 2, 'tpr']);
    expectBadField((e) => (e.model.gains = [{ share: 0.5 } as never]), ['model', 'gains', 0, 'captured']);
    expectBadField((e) => (e.model.calibration[1]!.bin = [0.3, 0.2]), ['model', 'calibration', 1, 'bin']);
    expectBadField((e) => (e.baseline.name = ''), ['baseline', 'name']);
    expectBadField((e) => (e.created_at = 'yesterday'), ['created_at']);
    expectBadField((e) => (e.cutoff = '2026-13-45'), ['cutoff']);
    expectBadField((e) => (e.model.kind = 'forest' as never), ['model', 'kind']);
    expectBadField((e) => (e.validation.positives = 20001), ['validation', 'positives']);
    expectBadField((e) => (e.training.positives = 70000), ['training', 'positives']);
    expectBadField((e) => (e.training.cutoffs = ['2026-07-04', 'soon']), ['training', 'cutoffs', 1]);
    expectBadField((e) => (e.feature_importance[1]!.feature = 'recency_days'), ['feature_importance', 1, 'feature']);
    expectBadField((e) => (e.feature_importance[0]!.importance = Number.POSITIVE_INFINITY), ['feature_importance', 0, 'importance']);
  });

  it('checks the candidates against the model', () => {
    expectBadField((e) => (e.candidates![0]!.chosen = true), ['candidates']);
    expectBadField((e) => (e.candidates![1]!.chosen = false), ['candidates']);
    expectBadField((e) => (e.model.kind = 'logistic'), ['candidates', 1, 'kind']);
  });

  it('lists every problem in one error', () => {
    const e = sampleEvaluation();
    e.model.metrics.auc = 2;
    e.horizon_days = 0;
    const error = errorOf(e);
    expect(error.code).toBe('invalid_evaluation');
    expect(error.message).toMatch(/model\.metrics\.auc/);
    expect(error.message).toMatch(/horizon_days/);
  });

  it('names the root for a non-object', () => {
    expect(errorOf(null).message).toContain('(root)');
  });
});

describe('buildEvaluation', () => {
  const y = [1, 0, 1, 0, 0, 1, 0, 0, 0, 1, 0, 0];
  const pm = [0.9, 0.2, 0.7, 0.4, 0.1, 0.8, 0.3, 0.2, 0.6, 0.5, 0.1, 0.05];
  const pb = [0.5, 0.3, 0.5, 0.5, 0.3, 0.3, 0.3, 0.1, 0.5, 0.3, 0.1, 0.1];

  it('turns BinaryReports into the model and baseline parts', () => {
    const { model, baseline, validation, ...rest } = sampleEvaluation();
    void model;
    void baseline;
    void validation;
    const mr = binaryReport(y, pm, { calibrationBins: 5 });
    const e = buildEvaluation({
      ...rest,
      model: { kind: 'mlp', report: mr },
      baseline: { name: 'rule', description: 'a rule', report: binaryReport(y, pb) },
    });
    expect(e.validation).toEqual({ n: 12, positives: 4, base_rate: 4 / 12 });
    expect(e.model.metrics.auc).toBe(mr.rocAuc);
    expect(e.model.metrics.lift_top_decile).toBe(mr.liftTopDecile);
    expect(e.model.roc).toHaveLength(mr.roc.length);
    expect(e.model.gains[1]).toEqual({ share: mr.gains[1]!.targeted, captured: mr.gains[1]!.captured });
    expect(e.model.calibration).toHaveLength(5);
    expect(e.model.calibration[0]!.bin).toEqual([0, 0.2]);
  });

  it('maps undefined (NaN) metrics to null', () => {
    const side = sideFromReport(binaryReport([0, 0, 0], [0.1, 0.2, 0.3]));
    expect(side.metrics.auc).toBeNull();
    expect(side.metrics.pr_auc).toBeNull();
    expect(side.metrics.lift_top_decile).toBeNull();
    expect(side.metrics.brier).toBeCloseTo((0.01 + 0.04 + 0.09) / 3);
  });

  it('maps NaN candidate metrics to null', () => {
    const { model, baseline, validation, candidates, ...rest } = sampleEvaluation();
    void model;
    void baseline;
    void validation;
    const e = buildEvaluation({
      ...rest,
      candidates: [{ ...candidates![1]!, auc: Number.NaN, log_loss: Number.POSITIVE_INFINITY }],
      model: { kind: 'mlp', report: binaryReport(y, pm) },
      baseline: { name: 'rule', description: '', report: binaryReport(y, pb) },
    });
    expect(e.candidates![0]).toMatchObject({ auc: null, log_loss: null, chosen: true });
  });

  it('refuses a baseline scored on other rows', () => {
    const { model, baseline, validation, ...rest } = sampleEvaluation();
    void model;
    void baseline;
    void validation;
    expect(() =>
      buildEvaluation({
        ...rest,
        model: { kind: 'mlp', report: binaryReport(y, pm) },
        baseline: { name: 'rule', description: '', report: binaryReport(y.slice(1), pb.slice(1)) },
      }),
    ).toThrow(EvaluationError);
  });

  it('validates what it builds', () => {
    const { model, baseline, validation, ...rest } = sampleEvaluation();
    void model;
    void baseline;
    void validation;
    expect(() =>
      buildEvaluation({
        ...rest,
        version: '',
        model: { kind: 'mlp', report: binaryReport(y, pm) },
        baseline: { name: 'rule', description: '', report: binaryReport(y, pb) },
      }),
    ).toThrow(/version/);
  });
});

describe('formatting and comparison', () => {
  it('formats metrics at fixed precision, null as a dash', () => {
    expect(formatMetric('auc', 0.8123)).toBe('0.812');
    expect(formatMetric('brier', 0.05123)).toBe('0.0512');
    expect(formatMetric('lift_top_decile', 3.456)).toBe('3.46×');
    expect(formatMetric('auc', null)).toBe('—');
  });

  it('signs differences and treats lower-is-better metrics right', () => {
    const e = parseEvaluation(sampleEvaluation());
    const auc = compareMetric(e, 'auc');
    expect(auc.outcome).toBe('better');
    expect(formatDifference('auc', auc.difference)).toBe('+0.070');
    const brier = compareMetric(e, 'brier');
    expect(brier.outcome).toBe('better');
    expect(formatDifference('brier', brier.difference)).toBe('−0.0049');
    expect(compareMetric(e, 'base_rate').outcome).toBeNull();
  });

  it("calls a difference below the printed precision 'same'", () => {
    const input = sampleEvaluation();
    input.baseline.metrics.auc = 0.81226;
    const c = compareMetric(parseEvaluation(input), 'auc');
    expect(c.outcome).toBe('same');
    expect(formatDifference('auc', c.difference)).toBe('±0.000');
  });
});

describe('verdictOf', () => {
  it('beats the baseline when the AUC is higher', () => {
    const v = verdictOf(parseEvaluation(sampleEvaluation()));
    expect(v.beats).toBe(true);
    expect(v.aucGain).toBeCloseTo(0.0702);
    expect(v.text).toBe('beats the rule baseline on AUC by 0.070 (0.812 vs 0.742)');
  });

  it('flips when the model is worse', () => {
    const input = sampleEvaluation();
    input.model.metrics.auc = 0.7;
    const v = verdictOf(parseEvaluation(input));
    expect(v.beats).toBe(false);
    expect(v.headline).toBe('does NOT beat the baseline — will not be promoted without --force');
    expect(v.detail).toBe('AUC 0.700 vs 0.742, −0.042');
  });

  it('does not beat on a tie or an undefined AUC', () => {
    const tie = sampleEvaluation();
    tie.model.metrics.auc = 0.7421;
    expect(verdictOf(parseEvaluation(tie)).beats).toBe(false);
    const none = sampleEvaluation();
    none.model.metrics.auc = null;
    const v = verdictOf(parseEvaluation(none));
    expect(v.beats).toBe(false);
    expect(v.detail).toBe('AUC — vs 0.742');
  });

  it('says the probabilities are worse when the trainer refused a version that ranks better', () => {
    const input = { ...sampleEvaluation(), beats_baseline: false };
    input.model.metrics.log_loss = 0.736;
    input.baseline.metrics.log_loss = 0.662;
    const v = verdictOf(parseEvaluation(input));
    expect(v.beats).toBe(false);
    expect(v.detail).toBe('AUC 0.812 vs 0.742, +0.070; but log loss 0.7360 vs 0.6620: its probabilities are worse');
  });

  it("follows the trainer's recorded decision", () => {
    const input = { ...sampleEvaluation(), beats_baseline: false };
    expect(verdictOf(parseEvaluation(input)).beats).toBe(false);
    const worse = { ...sampleEvaluation(), beats_baseline: true };
    worse.model.metrics.auc = 0.7;
    const v = verdictOf(parseEvaluation(worse));
    expect(v.beats).toBe(true);
    expect(v.text).toContain("trainer's decision");
  });
});
