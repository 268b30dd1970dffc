import { describe, expect, it } from 'vitest';
import { EvaluationError, formatMetric, METRIC_KEYS, type EvaluationInput, type MetricKey } from './evaluation.js';
import { candidateReason, HEADLINE_METRICS, renderReport } from './html.js';
import { expectBalancedTags, sampleEvaluation } from './test-helpers.js';

/** The markup of the headline card for a metric. */
function card(html: string, key: MetricKey): string {
  const m = new RegExp(`<div class="card [a-z]+" data-metric="${key}"[\\s\\S]*?</div>\\s*</div>`).exec(html);
  expect(m, `card ${key}`).not.toBeNull();
  return m![0];
}

const text = (markup: string): string => markup.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim();

describe('renderReport', () => {
  const input = sampleEvaluation();
  const html = renderReport(input);

  it('is one self-contained, well-formed page', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|\ssrc=|\shref=|xlink/i);
    expect(html).not.toMatch(/NaN|undefined|Infinity|\[object /);
    expect(html.match(/<svg /g)).toHaveLength(4);
    expect(html).toContain('@media print');
    expectBalancedTags(html);
  });

  it('shows the header facts', () => {
    const t = text(html);
    expect(t).toContain('Purchase propensity');
    expect(t).toContain(input.version);
    expect(t).toContain(input.label);
    expect(t).toContain('Validation cutoff 2026-10-02');
    expect(t).toContain('30 days after the cutoff');
    expect(t).toContain('Backend cpu');
    expect(t).toContain('2026-11-02 14:30 UTC');
    expect(t).toContain('20,000 (1,200 positive, 6.0%)');
  });

  it('shows every headline metric exactly as in the input, with the baseline and the difference', () => {
    const expected: Record<string, [string, string, string]> = {
      auc: ['0.812', '0.742', '+0.070'],
      pr_auc: ['0.314', '0.201', '+0.113'],
      lift_top_decile: ['3.46×', '2.61×', '+0.85×'],
      brier: ['0.0512', '0.0561', '−0.0049'],
      log_loss: ['0.1987', '0.2213', '−0.0226'],
      ece: ['0.0089', '0.0301', '−0.0212'],
    };
    for (const key of HEADLINE_METRICS) {
      const c = card(html, key);
      const [model, baseline, diff] = expected[key]!;
      expect(c).toContain(`data-model="${input.model.metrics[key]}"`);
      expect(c).toContain(`data-baseline="${input.baseline.metrics[key]}"`);
      expect(c).toContain(`<div class="card-value">${model}</div>`);
      expect(c).toContain(`<span class="base-value">${baseline}</span>`);
      expect(c).toContain(`<span class="delta better">${diff}</span>`);
      expect(c).toMatch(/^<div class="card better"/);
    }
  });

  it('marks a worse metric red and an undefined one neutral', () => {
    const e = sampleEvaluation();
    e.model.metrics.brier = 0.06;
    e.baseline.metrics.log_loss = null;
    const out = renderReport(e);
    expect(card(out, 'brier')).toMatch(/^<div class="card worse"/);
    expect(card(out, 'brier')).toContain('<span class="delta worse">+0.0039</span>');
    expect(card(out, 'log_loss')).toMatch(/^<div class="card na"/);
    expect(card(out, 'log_loss')).toContain('<span class="base-value">—</span>');
  });

  it('lists every metric in the metrics table with the same numbers', () => {
    for (const key of METRIC_KEYS) {
      const row = new RegExp(`<tr data-metric="${key}">([\\s\\S]*?)</tr>`).exec(html);
      expect(row, key).not.toBeNull();
      expect(row![1]).toContain(`>${formatMetric(key, input.model.metrics[key])}<`);
      expect(row![1]).toContain(`>${formatMetric(key, input.baseline.metrics[key])}<`);
    }
  });

  it('says the model beats the baseline, and by how much', () => {
    expect(html).toContain('class="verdict good" data-beats="true"');
    expect(text(html)).toContain('This version beats the rule baseline on AUC by 0.070 (0.812 vs 0.742)');
    expect(text(html)).toContain('Better than the baseline on 6 of 6 headline metrics');
    expect(text(html)).toContain('reaches 35% of the customers who go on to buy — the baseline reaches 26%');
  });

  it('flips the verdict when the model is worse than the baseline', () => {
    const e = sampleEvaluation();
    e.model.metrics.auc = 0.7012;
    const out = renderReport(e);
    expect(out).toContain('class="verdict bad" data-beats="false"');
    expect(text(out)).toContain('does NOT beat the baseline — will not be promoted without --force (AUC 0.701 vs 0.742, −0.041)');
    expect(out).not.toContain('beats the rule baseline on AUC');
  });

  it('escapes every piece of text from the input', () => {
    const e: EvaluationInput = sampleEvaluation();
    e.feature_importance.push({ feature: '<script>alert(1)</script>', importance: 0.5, description: '<img src=x onerror=alert(2)>' });
    e.baseline.name = 'R&D "rule" <b>';
    e.label = 'bought </p><h1>pwned</h1>';
    e.version = 'v<1>';
    e.data_fingerprint = '<fp>';
    e.training.cutoffs = ['2026-07-04'];
    e.selection = '<i>lowest</i> log loss';
    const out = renderReport(e);
    expect(out).not.toContain('<script>');
    expect(out).not.toContain('<img');
    expect(out).not.toContain('<h1>pwned');
    expect(out).not.toContain('<b>');
    expect(out).not.toContain('<i>');
    expect(out).not.toContain('<fp>');
    expect(out).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(out).toContain('R&amp;D &quot;rule&quot; &lt;b&gt;');
    expect(out).toContain('bought &lt;/p&gt;&lt;h1&gt;pwned&lt;/h1&gt;');
    expect(out).toContain('&lt;i&gt;lowest&lt;/i&gt;');
    expectBalancedTags(out);
  });

  it('has a calibration table row per bin and a candidates table naming the winner', () => {
    const cal = /<table class="calibration">([\s\S]*?)<\/table>/.exec(html)![1]!;
    expect(cal.match(/<tr>/g)).toHaveLength(input.model.calibration.length + 1);
    expect(text(cal)).toContain('0.000 – 0.100 15,000 75.0% 0.0300 0.0320 +0.0020');
    expect(text(html)).toContain('mlp (hidden [32, 16]) was chosen from 2 candidates with the highest AUC (0.812 vs 0.801 for logistic)');
    expect(html).toMatch(/<tr class="chosen"><th scope="row">mlp<\/th>/);
  });

  it('shows training data facts', () => {
    const t = text(html);
    expect(t).toContain('2026-07-04 2026-08-03 2026-09-02 (3)');
    expect(t).toContain('Training rows 61,234');
    expect(t).toContain('Positive labels 3,701 (6.0%)');
    expect(t).toContain('Training time 42.5 s');
    expect(t).toContain(input.data_fingerprint);
  });

  it('renders edge inputs without broken numbers', () => {
    const e = sampleEvaluation();
    e.model.roc = [];
    e.model.gains = [];
    e.baseline.roc = [];
    e.baseline.gains = [];
    e.model.calibration = [{ bin: [0, 1], count: 20000, mean_predicted: 0.06, observed_rate: 0.06 }];
    e.feature_importance = [];
    delete e.candidates;
    e.model.metrics.lift_top_decile = null;
    e.training = { cutoffs: [], rows: 0, positives: 0, seconds: 0 };
    const out = renderReport(e);
    expect(out).not.toMatch(/NaN|undefined|Infinity/);
    expect(out).toContain('no ROC curve recorded');
    expect(out).toContain('no feature importance recorded');
    expect(out).toContain('No candidate comparison recorded');
    expectBalancedTags(out);
  });

  it('refuses an invalid evaluation, naming the field', () => {
    const e = sampleEvaluation();
    e.model.metrics.pr_auc = 1.5;
    expect(() => renderReport(e)).toThrow(EvaluationError);
    expect(() => renderReport(e)).toThrow(/model\.metrics\.pr_auc/);
  });

  it('is deterministic', () => {
    expect(renderReport(sampleEvaluation())).toBe(html);
  });
});

describe('candidateReason', () => {
  it('says when the winner is not best on every number', () => {
    expect(
      candidateReason(
        [
          { kind: 'logistic', auc: 0.81, log_loss: 0.2, chosen: true },
          { kind: 'mlp', auc: 0.815, log_loss: 0.21, chosen: false },
        ],
        'lowest log loss.',
      ),
    ).toBe(
      'logistic was chosen from 2 candidates with AUC 0.810, below mlp’s 0.815 and the lowest log loss (0.2000 vs 0.2100). Selection rule: lowest log loss.',
    );
    expect(candidateReason([{ kind: 'mlp', auc: null, log_loss: null, chosen: true }])).toBe('Only one candidate was trained: mlp.');
  });
});
