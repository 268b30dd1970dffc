import {
  compareMetric,
  formatDifference,
  formatMetric,
  METRICS,
  parseEvaluation,
  verdictOf,
  type Candidate,
  type Evaluation,
  type EvaluationInput,
  type MetricComparison,
  type MetricKey,
  METRIC_KEYS,
} from './evaluation.js';
import { calibrationChart, escapeXml as esc, gainsChart, importanceChart, rocChart, signed, topFeatures, type XY } from './svg.js';

/**
 * renderReport: one self-contained HTML page (inline CSS and SVG; no scripts, links, fonts or images from
 * anywhere) that shows whether a purchase/churn model version beats the rule baseline and everything needed to
 * trust that answer. Written by the trainer as models/<target>/<version>/report.html.
 */

/** Metrics shown as headline cards, in order. */
export const HEADLINE_METRICS: readonly MetricKey[] = ['auc', 'pr_auc', 'lift_top_decile', 'brier', 'log_loss', 'ece'];

const TARGET_TITLE: Record<Evaluation['target'], string> = { purchase: 'Purchase propensity', churn: 'Churn risk' };
const TARGET_POSITIVES: Record<Evaluation['target'], string> = { purchase: 'customers who go on to buy', churn: 'customers who go on to churn' };

const int = (v: number): string => v.toLocaleString('en-US');
const pct = (v: number | null, decimals = 1): string => (v === null || !Number.isFinite(v) ? '—' : `${(v * 100).toFixed(decimals)}%`);
const num = (v: number | null, decimals: number): string => (v === null ? '—' : v.toFixed(decimals));
const raw = (v: number | null): string => (v === null ? '' : String(v));

function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

function duration(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds - m * 60);
  if (m < 60) return `${m} min ${s} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

const modelName = (e: Evaluation): string => (e.model.kind === 'mlp' ? 'MLP' : 'logistic');
const modelLabel = (e: Evaluation): string => `model (${modelName(e)})`;
const baselineLabel = (e: Evaluation): string => `baseline (${e.baseline.name})`;

function outcomeClass(c: MetricComparison): string {
  return c.outcome ?? 'na';
}

// ---------------------------------------------------------------------------------------------------------
// Sections

function header(e: Evaluation): string {
  const facts: [string, string][] = [
    ['Target', e.target],
    ['Version', e.version],
    ['Model', `${modelName(e)}${e.calibration_method !== 'none' ? `, ${e.calibration_method} calibration` : ', uncalibrated'}`],
    ['Backend', e.backend],
    ['Created', when(e.created_at)],
    ['Validation cutoff', e.cutoff],
    ['Label horizon', `${e.horizon_days} days after the cutoff`],
  ];
  if (e.as_of) facts.push(['As of', e.as_of]);
  facts.push(['Validation rows', `${int(e.validation.n)} (${int(e.validation.positives)} positive, ${pct(e.validation.base_rate)})`]);
  return `<header class="top">
<div class="eyebrow">Propel · model evaluation report</div>
<h1>${esc(TARGET_TITLE[e.target])} <span class="version">${esc(e.version)}</span></h1>
<p class="label-def"><span class="tag">Label</span> ${esc(e.label)}</p>
<dl class="facts">${facts.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${esc(v)}</dd></div>`).join('')}</dl>
</header>`;
}

function verdictSection(e: Evaluation): string {
  const v = verdictOf(e);
  const comps = HEADLINE_METRICS.map((k) => compareMetric(e, k)).filter((c) => c.outcome !== null);
  const better = comps.filter((c) => c.outcome === 'better').length;
  const liftM = e.model.metrics.lift_top_decile;
  const liftB = e.baseline.metrics.lift_top_decile;
  const reach =
    liftM !== null
      ? `<p>Targeting the top 10% of customers by score reaches <strong>${pct(liftM * 0.1, 0)}</strong> of the ${esc(TARGET_POSITIVES[e.target])}` +
        (liftB !== null ? ` — the baseline reaches ${pct(liftB * 0.1, 0)}` : '') +
        ` (random targeting: 10%).</p>`
      : '';
  return `<section class="verdict ${v.beats ? 'good' : 'bad'}" data-beats="${v.beats}">
<div class="verdict-mark" aria-hidden="true">${v.beats ? '✓' : '✗'}</div>
<div class="verdict-body">
<p class="verdict-text">This version <strong>${esc(v.headline)}</strong> <span class="verdict-detail">(${esc(v.detail)})</span>.</p>
<p>Better than the baseline on ${better} of ${comps.length} headline metrics. Baseline: <strong>${esc(e.baseline.name)}</strong>${e.baseline.description ? ` — ${esc(e.baseline.description)}` : ''}.</p>
${reach}
</div>
</section>`;
}

function cards(e: Evaluation): string {
  const items = HEADLINE_METRICS.map((k) => {
    const info = METRICS[k];
    const c = compareMetric(e, k);
    return `<div class="card ${outcomeClass(c)}" data-metric="${k}" data-model="${raw(c.model)}" data-baseline="${raw(c.baseline)}">
<div class="card-label">${esc(info.label)}<span class="dir">${info.higherIsBetter ? 'higher is better' : 'lower is better'}</span></div>
<div class="card-value">${esc(formatMetric(k, c.model))}</div>
<div class="card-base">baseline <span class="base-value">${esc(formatMetric(k, c.baseline))}</span> <span class="delta ${outcomeClass(c)}">${esc(formatDifference(k, c.difference))}</span></div>
</div>`;
  });
  return `<section class="cards" aria-label="Headline metrics, model vs baseline">${items.join('')}</section>`;
}

const toXY = <T>(points: readonly T[], f: (p: T) => XY): XY[] => points.map(f);

function charts(e: Evaluation): string {
  const m = modelLabel(e);
  const b = baselineLabel(e);
  const auc = `${m}: AUC ${formatMetric('auc', e.model.metrics.auc)}; ${b}: AUC ${formatMetric('auc', e.baseline.metrics.auc)}.`;
  const roc = rocChart({
    id: 'chart-roc',
    model: { label: `${m} · AUC ${formatMetric('auc', e.model.metrics.auc)}`, points: toXY(e.model.roc, (p) => [p.fpr, p.tpr]) },
    baseline: { label: `${b} · AUC ${formatMetric('auc', e.baseline.metrics.auc)}`, points: toXY(e.baseline.roc, (p) => [p.fpr, p.tpr]) },
    desc: `ROC curve, true positive rate against false positive rate. ${auc} The diagonal is a random ranking.`,
  });
  const gains = gainsChart({
    id: 'chart-gains',
    model: { label: m, points: toXY(e.model.gains, (p) => [p.share, p.captured]) },
    baseline: { label: b, points: toXY(e.baseline.gains, (p) => [p.share, p.captured]) },
    baseRate: e.validation.base_rate,
  });
  const calib = calibrationChart({
    id: 'chart-calibration',
    bins: e.model.calibration,
    label: `${m}${e.calibration_method !== 'none' ? `, ${e.calibration_method}` : ''} · ECE ${formatMetric('ece', e.model.metrics.ece)}`,
  });
  const imp = importanceChart({ id: 'chart-importance', features: e.feature_importance, top: 15 });
  const fig = (svg: string, caption: string): string => `<figure class="chart-box">${svg}<figcaption>${caption}</figcaption></figure>`;
  return `<section class="charts" aria-label="Charts">
${fig(roc, 'How well the score <em>ranks</em> customers: the further the curve bows to the top left, the better. The area under it is the AUC.')}
${fig(gains, 'Share of all positives reached when contacting the highest-scored customers first. The dot marks the top 10%: captured share and lift over random.')}
${fig(calib, 'Whether the probabilities can be taken at face value: points on the diagonal mean “predicted 20%” really is 20%. Bars show how many rows fall in each bin.')}
${fig(imp, 'What the model relies on: how much validation AUC drops when one feature is shuffled (permutation importance). Whiskers: ±1 std over repeats.')}
</section>`;
}

function metricsTable(e: Evaluation): string {
  const rows = METRIC_KEYS.map((k) => {
    const info = METRICS[k];
    const c = compareMetric(e, k);
    return `<tr data-metric="${k}"><th scope="row">${esc(info.label)}</th><td class="num">${esc(formatMetric(k, c.model))}</td><td class="num">${esc(formatMetric(k, c.baseline))}</td>` +
      `<td class="num"><span class="delta ${outcomeClass(c)}">${esc(info.higherIsBetter === null ? '' : formatDifference(k, c.difference))}</span></td><td class="help">${esc(info.help)}</td></tr>`;
  });
  return `<section class="block"><h2>Metrics on the validation rows</h2>
<p class="note">${int(e.validation.n)} customers at cutoff ${esc(e.cutoff)}, labels over the next ${e.horizon_days} days; model and baseline scored on the same rows.</p>
<div class="table-wrap"><table class="metrics"><thead><tr><th scope="col">Metric</th><th scope="col" class="num">Model (${esc(modelName(e))})</th><th scope="col" class="num">Baseline</th><th scope="col" class="num">Difference</th><th scope="col">Meaning</th></tr></thead>
<tbody>${rows.join('')}</tbody></table></div></section>`;
}

function calibrationSection(e: Evaluation): string {
  const total = e.model.calibration.reduce((s, b) => s + b.count, 0);
  const method =
    e.calibration_method === 'none' ? 'The model’s probabilities are not recalibrated.' : `Probabilities are recalibrated with <strong>${esc(e.calibration_method)}</strong> scaling.`;
  const reason = e.calibration_reason ? ` ${esc(e.calibration_reason)}.`.replace(/\.\.$/, '.') : '';
  const rows = e.model.calibration.map((b) => {
    const gap = b.mean_predicted !== null && b.observed_rate !== null ? b.observed_rate - b.mean_predicted : null;
    // Flag a gap only when it is beyond sampling noise: > 2 binomial standard errors (and > 0.01).
    const se = b.mean_predicted !== null && b.count > 0 ? Math.sqrt((b.mean_predicted * (1 - b.mean_predicted)) / b.count) : 0;
    const gapClass = gap === null ? 'na' : Math.abs(gap) > Math.max(0.01, 2 * se) ? 'worse' : 'same';
    return `<tr><td>${b.bin[0].toFixed(3)} – ${b.bin[1].toFixed(3)}</td><td class="num">${int(b.count)}</td><td class="num">${total > 0 ? pct(b.count / total) : '—'}</td>` +
      `<td class="num">${num(b.mean_predicted, 4)}</td><td class="num">${num(b.observed_rate, 4)}</td><td class="num"><span class="delta ${gapClass}">${gap === null ? '—' : `${gap >= 0 ? '+' : '−'}${Math.abs(gap).toFixed(4)}`}</span></td></tr>`;
  });
  return `<section class="block"><h2>Calibration</h2>
<p class="note">${method}${reason} ECE ${esc(formatMetric('ece', e.model.metrics.ece))} (baseline ${esc(formatMetric('ece', e.baseline.metrics.ece))}). Gap = observed − predicted; a positive gap means the model under-predicts in that bin. Gaps in red exceed 2 standard errors of the bin’s observed rate (and 0.01).</p>
${
  rows.length === 0
    ? '<p class="empty">No calibration bins recorded.</p>'
    : `<div class="table-wrap"><table class="calibration"><thead><tr><th scope="col">Predicted probability bin</th><th scope="col" class="num">Rows</th><th scope="col" class="num">Share</th><th scope="col" class="num">Mean predicted</th><th scope="col" class="num">Observed rate</th><th scope="col" class="num">Gap</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`
}</section>`;
}

const candidateName = (c: Candidate): string => (c.params ? `${c.kind} (${c.params})` : c.kind);

/** Why the chosen candidate won, from the numbers (and the trainer's rule when given). */
export function candidateReason(candidates: readonly Candidate[], selection?: string): string {
  const chosen = candidates.find((c) => c.chosen);
  if (!chosen) return selection ? `Selection rule: ${selection}.` : '';
  const others = candidates.filter((c) => c !== chosen);
  const rule = selection ? ` Selection rule: ${selection.replace(/\.$/, '')}.` : '';
  if (others.length === 0) return `Only one candidate was trained: ${candidateName(chosen)}.${rule}`;
  const best = (pick: (c: Candidate) => number | null, higher: boolean): Candidate | undefined =>
    others.filter((c) => pick(c) !== null).sort((a, b) => (higher ? pick(b)! - pick(a)! : pick(a)! - pick(b)!))[0];
  const parts: string[] = [];
  const rivalAuc = best((c) => c.auc, true);
  if (chosen.auc !== null && rivalAuc) {
    parts.push(
      chosen.auc >= rivalAuc.auc!
        ? `the highest AUC (${chosen.auc.toFixed(3)} vs ${rivalAuc.auc!.toFixed(3)} for ${candidateName(rivalAuc)})`
        : `AUC ${chosen.auc.toFixed(3)}, below ${candidateName(rivalAuc)}’s ${rivalAuc.auc!.toFixed(3)}`,
    );
  }
  const rivalLl = best((c) => c.log_loss, false);
  if (chosen.log_loss !== null && rivalLl) {
    parts.push(
      chosen.log_loss <= rivalLl.log_loss!
        ? `the lowest log loss (${chosen.log_loss.toFixed(4)} vs ${rivalLl.log_loss!.toFixed(4)})`
        : `log loss ${chosen.log_loss.toFixed(4)}, above ${candidateName(rivalLl)}’s ${rivalLl.log_loss!.toFixed(4)}`,
    );
  }
  const facts = parts.length > 0 ? ` with ${parts.join(' and ')}` : '';
  return `${candidateName(chosen)} was chosen from ${candidates.length} candidates${facts}.${rule}`;
}

function candidatesSection(e: Evaluation): string {
  const cands = e.candidates ?? [];
  if (cands.length === 0) {
    return `<section class="block"><h2>Candidate models</h2><p class="note">No candidate comparison recorded; the trainer fitted a ${esc(modelName(e))} model.${e.selection ? ` Selection rule: ${esc(e.selection)}.` : ''}</p></section>`;
  }
  const rows = cands.map(
    (c) =>
      `<tr class="${c.chosen ? 'chosen' : ''}"><th scope="row">${esc(c.kind)}</th><td>${esc(c.params ?? '')}</td><td class="num">${esc(formatMetric('auc', c.auc))}</td><td class="num">${esc(formatMetric('log_loss', c.log_loss))}</td><td>${c.chosen ? '<span class="pill good">chosen</span>' : ''}</td></tr>`,
  );
  return `<section class="block"><h2>Candidate models</h2>
<p class="note">${esc(candidateReason(cands, e.selection))}</p>
<div class="table-wrap"><table><thead><tr><th scope="col">Kind</th><th scope="col">Settings</th><th scope="col" class="num">AUC</th><th scope="col" class="num">Log loss</th><th scope="col"></th></tr></thead><tbody>${rows.join('')}</tbody></table></div></section>`;
}

function featuresSection(e: Evaluation): string {
  const top = topFeatures(e.feature_importance, 15);
  if (top.length === 0) return '';
  const rows = top.map(
    (f, i) =>
      `<tr><td class="num">${i + 1}</td><th scope="row"><code>${esc(f.feature)}</code></th><td class="num">${esc(signed(f.importance, 4))}</td><td class="num">${f.std !== undefined ? f.std.toFixed(4) : '—'}</td><td>${esc(f.description ?? '')}</td></tr>`,
  );
  const more = e.feature_importance.length > top.length ? ` Top ${top.length} of ${e.feature_importance.length} features.` : '';
  return `<section class="block"><h2>Most important features</h2>
<p class="note">Permutation importance: drop in validation AUC when the feature’s column is shuffled. Near zero or negative means the model does not rely on it.${more}</p>
<div class="table-wrap"><table><thead><tr><th scope="col" class="num">#</th><th scope="col">Feature</th><th scope="col" class="num">Importance</th><th scope="col" class="num">Std</th><th scope="col">Description</th></tr></thead><tbody>${rows.join('')}</tbody></table></div></section>`;
}

function trainingSection(e: Evaluation): string {
  const t = e.training;
  const cutoffs = t.cutoffs.length === 0 ? '—' : t.cutoffs.map((c) => `<span class="chip">${esc(c)}</span>`).join(' ');
  const facts: [string, string][] = [
    ['Training cutoffs', `${cutoffs} <span class="muted">(${t.cutoffs.length})</span>`],
    ['Training rows', `${int(t.rows)}`],
    ['Positive labels', `${int(t.positives)} <span class="muted">(${t.rows > 0 ? pct(t.positives / t.rows) : '—'})</span>`],
    ['Training time', esc(duration(t.seconds))],
    [
      'Validation rows',
      `${int(e.validation.n)} at cutoff ${esc(e.cutoff)} <span class="muted">(${int(e.validation.positives)} positive, ${pct(e.validation.base_rate)})</span>`,
    ],
    ['Backend', esc(e.backend)],
    ['Data fingerprint', `<code class="fingerprint">${esc(e.data_fingerprint)}</code>`],
  ];
  return `<section class="block"><h2>Training data</h2>
<dl class="kv">${facts.map(([k, v]) => `<div><dt>${esc(k)}</dt><dd>${v}</dd></div>`).join('')}</dl></section>`;
}

const CSS = `
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:#f3f4f6;color:#1f2937;font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
.page{max-width:1120px;margin:0 auto;padding:28px 24px 40px}
h1{font-size:28px;line-height:1.2;margin:4px 0 10px;font-weight:700;letter-spacing:-.01em}
h2{font-size:17px;margin:0 0 6px}
.eyebrow{text-transform:uppercase;letter-spacing:.08em;font-size:11px;color:#6b7280;font-weight:600}
.version{font:600 18px/1 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;color:#374151;background:#e5e7eb;border-radius:6px;padding:3px 8px;vertical-align:middle}
.label-def{margin:0 0 14px;font-size:15px;color:#374151}
.tag{display:inline-block;font-size:11px;font-weight:700;text-transform:uppercase;letter-spacing:.06em;background:#1f2937;color:#fff;border-radius:4px;padding:1px 6px;margin-right:4px;vertical-align:1px}
.facts{display:flex;flex-wrap:wrap;gap:6px 22px;margin:0;font-size:13px}
.facts div{display:flex;gap:6px}
.facts dt{color:#6b7280}
.facts dd{margin:0;font-weight:600}
.verdict{display:flex;gap:16px;align-items:flex-start;border-radius:12px;padding:16px 20px;margin:20px 0 16px;border:1px solid}
.verdict.good{background:#ecfdf5;border-color:#86efac}
.verdict.bad{background:#fef2f2;border-color:#fca5a5}
.verdict-mark{flex:none;width:44px;height:44px;border-radius:50%;display:flex;align-items:center;justify-content:center;font-size:26px;font-weight:700;color:#fff}
.good .verdict-mark{background:#16a34a}
.bad .verdict-mark{background:#dc2626}
.verdict-body p{margin:2px 0}
.verdict-text{font-size:19px;line-height:1.35}
.good .verdict-text strong{color:#166534}
.bad .verdict-text strong{color:#991b1b}
.verdict-detail{color:#4b5563;font-size:16px}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(165px,1fr));gap:12px;margin-bottom:16px}
.card{background:#fff;border:1px solid #e5e7eb;border-top:4px solid #d1d5db;border-radius:10px;padding:12px 14px}
.card.better{border-top-color:#16a34a}
.card.worse{border-top-color:#dc2626}
.card-label{font-size:12px;font-weight:600;color:#374151;display:flex;flex-direction:column}
.dir{font-weight:400;color:#9ca3af;font-size:11px}
.card-value{font-size:28px;font-weight:700;letter-spacing:-.02em;margin:4px 0 2px;font-variant-numeric:tabular-nums}
.card-base{font-size:12px;color:#6b7280;font-variant-numeric:tabular-nums}
.delta{display:inline-block;border-radius:999px;padding:0 7px;font-weight:700;font-variant-numeric:tabular-nums;white-space:nowrap}
.delta.better{background:#dcfce7;color:#166534}
.delta.worse{background:#fee2e2;color:#991b1b}
.delta.same,.delta.na{background:#f3f4f6;color:#4b5563}
.charts{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:14px;margin-bottom:16px;align-items:start}
.chart-box{margin:0;background:#fff;border:1px solid #e5e7eb;border-radius:10px;padding:12px 12px 10px}
.chart-box svg{display:block;width:100%;height:auto}
figcaption{font-size:12.5px;color:#4b5563;margin-top:6px;padding:0 4px}
.block{background:#fff;border:1px solid #e5e7eb;border-radius:10px;padding:16px 18px;margin-bottom:14px}
.note{margin:0 0 10px;color:#4b5563;font-size:13px}
.empty{color:#6b7280;font-style:italic}
.table-wrap{overflow-x:auto}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{text-align:left;padding:6px 10px;border-bottom:1px solid #f0f1f3;vertical-align:top}
thead th{font-size:11.5px;text-transform:uppercase;letter-spacing:.04em;color:#6b7280;border-bottom:1px solid #d1d5db;font-weight:600}
tbody th{font-weight:600}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.help{color:#6b7280;font-size:12px}
tr.chosen{background:#f0fdf4}
.pill{display:inline-block;border-radius:999px;padding:0 8px;font-size:12px;font-weight:700}
.pill.good{background:#dcfce7;color:#166534}
code{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.fingerprint{word-break:break-all;background:#f3f4f6;border-radius:4px;padding:1px 5px}
.chip{display:inline-block;background:#eef2ff;color:#3730a3;border-radius:4px;padding:0 6px;margin:1px 0;font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.muted{color:#6b7280}
.kv{display:grid;grid-template-columns:max-content 1fr;gap:6px 18px;margin:0}
.kv div{display:contents}
.kv dt{color:#6b7280}
.kv dd{margin:0}
footer{color:#9ca3af;font-size:12px;text-align:center;margin-top:18px}
@media (max-width:760px){.charts{grid-template-columns:1fr}.page{padding:16px 12px}}
@page{size:A4;margin:12mm}
@media print{
  *{-webkit-print-color-adjust:exact;print-color-adjust:exact}
  body{background:#fff;font-size:11.5px}
  .page{max-width:none;padding:0}
  .cards{grid-template-columns:repeat(3,1fr)}
  .charts{grid-template-columns:repeat(2,minmax(0,1fr))}
  .card,.chart-box,.verdict,.block,tr{break-inside:avoid}
  .block,.chart-box,.card{border-color:#d1d5db}
  .table-wrap{overflow:visible}
}
`;

/** The report page for one evaluation; validates it first (throws EvaluationError naming the bad field). */
export function renderReport(input: EvaluationInput | Evaluation): string {
  const e = parseEvaluation(input);
  const title = `${TARGET_TITLE[e.target]} ${e.version} — evaluation`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="Propel">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
<main class="page">
${header(e)}
${verdictSection(e)}
${cards(e)}
${charts(e)}
${metricsTable(e)}
${calibrationSection(e)}
${candidatesSection(e)}
${featuresSection(e)}
${trainingSection(e)}
<footer>Generated by Propel for ${esc(e.target)} ${esc(e.version)} on ${esc(when(e.created_at))}. Self-contained: views and prints offline.</footer>
</main>
</body>
</html>
`;
}
