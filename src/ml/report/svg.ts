/**
 * Inline SVG charts for the evaluation report: pure functions from data to an `<svg>` string, no library, no
 * external fonts or scripts. Every chart has a viewBox (it scales to its container), a `<title>` and `<desc>`
 * referenced by aria-labelledby, axes with ticks and labels, and a legend. All text is escaped; all coordinates
 * are clamped to the plot area, so odd inputs (empty curves, out-of-range values, all-zero importances) never
 * draw outside the viewBox. Series paths carry `data-series` and are written as "Mx,y Lx,y …", one pair per
 * input point.
 */

export const COLORS = {
  model: '#2563eb',
  baseline: '#ea580c',
  reference: '#9ca3af',
  grid: '#e5e7eb',
  axis: '#4b5563',
  text: '#1f2937',
  muted: '#6b7280',
  negative: '#9ca3af',
} as const;

const FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif";

/** Escapes text for XML/HTML content and (double- or single-quoted) attribute values. */
export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

/** A coordinate rounded to 0.1 px. */
const r = (v: number): string => String(Math.round(v * 10) / 10);
const clamp = (v: number, lo: number, hi: number): number => (Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : lo);
/** Fixed decimals with a typographic minus sign ("−0.0008"). */
export const signed = (v: number, decimals: number): string => v.toFixed(decimals).replace(/^-/, '−');
const truncate = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

// ---------------------------------------------------------------------------------------------------------
// Scales and ticks

export interface Ticks {
  values: number[];
  step: number;
  /** Decimals that print every tick exactly. */
  decimals: number;
}

/** About `target` round tick values covering [lo, hi] (steps of 1, 2, 2.5 or 5 × 10^k). */
export function niceTicks(lo: number, hi: number, target = 5): Ticks {
  if (!(Number.isFinite(lo) && Number.isFinite(hi)) || !(hi > lo)) return { values: [Number.isFinite(lo) ? lo : 0], step: 1, decimals: 0 };
  const raw = (hi - lo) / Math.max(1, target);
  const exp = Math.floor(Math.log10(raw));
  const mag = 10 ** exp;
  const norm = raw / mag;
  const mult = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 2.5 ? 2.5 : norm <= 5 ? 5 : 10;
  const step = mult * mag;
  const decimals = Math.max(0, -exp + (mult === 2.5 ? 1 : 0) - (mult === 10 ? 1 : 0));
  const values: number[] = [];
  for (let k = Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) values.push(Number((k * step).toFixed(12)));
  return { values, step, decimals };
}

interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** Linear map of [d0, d1] onto [p0, p1], clamped to the range. */
function linear(d0: number, d1: number, p0: number, p1: number): (v: number) => number {
  const span = d1 - d0 || 1;
  const lo = Math.min(p0, p1);
  const hi = Math.max(p0, p1);
  return (v) => clamp(p0 + ((v - d0) / span) * (p1 - p0), lo, hi);
}

// ---------------------------------------------------------------------------------------------------------
// Shared pieces

export type XY = readonly [number, number];

export interface CurveSeries {
  label: string;
  points: readonly XY[];
}

interface LegendItem {
  label: string;
  color: string;
  dash?: string;
  kind?: 'line' | 'dot' | 'bar';
}

const approxTextWidth = (s: string, fontSize: number): number => s.length * fontSize * 0.56;

function svgOpen(id: string, width: number, height: number, title: string, desc: string): string {
  const tid = escapeXml(`${id}-title`);
  const did = escapeXml(`${id}-desc`);
  return (
    `<svg class="chart" id="${escapeXml(id)}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" ` +
    `aria-labelledby="${tid} ${did}" font-family="${FONT}" font-size="11" fill="${COLORS.text}">` +
    `<title id="${tid}">${escapeXml(title)}</title><desc id="${did}">${escapeXml(desc)}</desc>`
  );
}

/** Legend items flowed left to right from (x, y), wrapping at maxX. Returns markup and the height used. */
function legend(items: LegendItem[], x: number, y: number, maxX: number): { svg: string; height: number } {
  const parts: string[] = ['<g class="legend">'];
  let cx = x;
  let cy = y;
  for (const item of items) {
    const label = truncate(item.label, 48);
    const w = 22 + approxTextWidth(label, 11) + 16;
    if (cx > x && cx + w > maxX) {
      cx = x;
      cy += 16;
    }
    if (item.kind === 'dot') {
      parts.push(`<circle cx="${r(cx + 8)}" cy="${r(cy)}" r="3.5" fill="${item.color}"/>`);
    } else if (item.kind === 'bar') {
      parts.push(`<rect x="${r(cx + 2)}" y="${r(cy - 5)}" width="14" height="10" fill="${item.color}"/>`);
    } else {
      parts.push(
        `<line x1="${r(cx)}" y1="${r(cy)}" x2="${r(cx + 18)}" y2="${r(cy)}" stroke="${item.color}" stroke-width="2.5"${item.dash ? ` stroke-dasharray="${item.dash}"` : ''}/>`,
      );
    }
    parts.push(`<text x="${r(cx + 22)}" y="${r(cy + 4)}">${escapeXml(label)}</text>`);
    cx += w;
  }
  parts.push('</g>');
  return { svg: parts.join(''), height: cy - y + 16 };
}

interface AxisSpec {
  ticks: Ticks;
  label: string;
  format: (v: number, decimals: number) => string;
}

/** Grid lines, axis lines, tick labels and axis titles for a box. */
function axes(box: Box, sx: (v: number) => number, sy: (v: number) => number, x: AxisSpec, y: AxisSpec, xLabelY: number): string {
  const parts: string[] = ['<g class="axes">'];
  for (const v of x.ticks.values) {
    const px = r(sx(v));
    parts.push(`<line x1="${px}" y1="${r(box.top)}" x2="${px}" y2="${r(box.bottom)}" stroke="${COLORS.grid}"/>`);
    parts.push(`<line x1="${px}" y1="${r(box.bottom)}" x2="${px}" y2="${r(box.bottom + 4)}" stroke="${COLORS.axis}"/>`);
    const label = x.format(v, x.ticks.decimals);
    if (label) parts.push(`<text x="${px}" y="${r(box.bottom + 16)}" text-anchor="middle" fill="${COLORS.muted}">${escapeXml(label)}</text>`);
  }
  for (const v of y.ticks.values) {
    const py = r(sy(v));
    parts.push(`<line x1="${r(box.left)}" y1="${py}" x2="${r(box.right)}" y2="${py}" stroke="${COLORS.grid}"/>`);
    parts.push(`<line x1="${r(box.left - 4)}" y1="${py}" x2="${r(box.left)}" y2="${py}" stroke="${COLORS.axis}"/>`);
    parts.push(`<text x="${r(box.left - 7)}" y="${r(sy(v) + 4)}" text-anchor="end" fill="${COLORS.muted}">${escapeXml(y.format(v, y.ticks.decimals))}</text>`);
  }
  parts.push(
    `<line x1="${r(box.left)}" y1="${r(box.bottom)}" x2="${r(box.right)}" y2="${r(box.bottom)}" stroke="${COLORS.axis}"/>`,
    `<line x1="${r(box.left)}" y1="${r(box.top)}" x2="${r(box.left)}" y2="${r(box.bottom)}" stroke="${COLORS.axis}"/>`,
    x.label ? `<text x="${r((box.left + box.right) / 2)}" y="${r(xLabelY)}" text-anchor="middle" font-weight="600">${escapeXml(x.label)}</text>` : '',
    `<text transform="translate(14 ${r((box.top + box.bottom) / 2)}) rotate(-90)" text-anchor="middle" font-weight="600">${escapeXml(y.label)}</text>`,
    '</g>',
  );
  return parts.join('');
}

/** "Mx,y Lx,y …" through every point (clamped into the plot by the scales); '' for no points. */
export function pathData(points: readonly XY[], sx: (v: number) => number, sy: (v: number) => number): string {
  return points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${r(sx(x))},${r(sy(y))}`).join(' ');
}

function seriesPath(name: string, title: string, points: readonly XY[], sx: (v: number) => number, sy: (v: number) => number, color: string, dash?: string): string {
  if (points.length === 0) return '';
  const d = pathData(points, sx, sy);
  const marker =
    points.length === 1 ? `<circle data-series="${escapeXml(name)}" cx="${r(sx(points[0]![0]))}" cy="${r(sy(points[0]![1]))}" r="3" fill="${color}"/>` : '';
  return (
    `<path data-series="${escapeXml(name)}" d="${d}" fill="none" stroke="${color}" stroke-width="2.25" stroke-linejoin="round" stroke-linecap="round"` +
    `${dash ? ` stroke-dasharray="${dash}"` : ''}><title>${escapeXml(title)}</title></path>${marker}`
  );
}

const fmtFraction = (v: number, decimals: number): string => v.toFixed(Math.max(1, decimals));
const fmtPercent = (v: number, decimals: number): string => `${(v * 100).toFixed(Math.max(0, decimals - 2))}%`;

/** Linear interpolation of y at x along a curve sorted by x; null for no points. */
export function interpolateAt(points: readonly XY[], x: number): number | null {
  if (points.length === 0) return null;
  let best: number | null = null;
  for (let i = 0; i < points.length; i++) {
    const [x1, y1] = points[i]!;
    if (x1 === x) best = best === null ? y1 : Math.max(best, y1);
    if (i > 0) {
      const [x0, y0] = points[i - 1]!;
      if (x0 < x && x < x1) return y0 + ((x - x0) / (x1 - x0)) * (y1 - y0);
    }
  }
  if (best !== null) return best;
  const first = points[0]!;
  const last = points[points.length - 1]!;
  return x < first[0] ? first[1] : last[1];
}

function noData(box: Box, text: string): string {
  return `<text x="${r((box.left + box.right) / 2)}" y="${r((box.top + box.bottom) / 2)}" text-anchor="middle" fill="${COLORS.muted}" font-style="italic">${escapeXml(text)}</text>`;
}

// ---------------------------------------------------------------------------------------------------------
// ROC and gains

export interface CurveChartOptions {
  /** Unique within the page; used for the title/desc ids. */
  id: string;
  model: CurveSeries;
  baseline: CurveSeries;
  title?: string;
  /** Text alternative; a summary is generated when absent. */
  desc?: string;
}

const CURVE_W = 440;
const CURVE_H = 420;

function curveFrame(legendHeight: number): Box {
  return { left: 56, right: CURVE_W - 18, top: 20 + legendHeight, bottom: CURVE_H - 50 };
}

/** ROC curve: model vs baseline vs the random diagonal, on [0, 1]². Points are (FPR, TPR). */
export function rocChart(o: CurveChartOptions): string {
  const title = o.title ?? 'ROC curve';
  const items: LegendItem[] = [
    { label: o.model.label, color: COLORS.model },
    { label: o.baseline.label, color: COLORS.baseline, dash: '6 3' },
    { label: 'random', color: COLORS.reference, dash: '2 3' },
  ];
  const lg = legend(items, 56, 14, CURVE_W - 10);
  const box = curveFrame(lg.height);
  const sx = linear(0, 1, box.left, box.right);
  const sy = linear(0, 1, box.bottom, box.top);
  const ticks = niceTicks(0, 1, 5);
  const desc =
    o.desc ??
    `ROC curve: true positive rate against false positive rate. ${o.model.label}: ${o.model.points.length} points; ${o.baseline.label}: ${o.baseline.points.length} points; the diagonal is a random ranking.`;
  return [
    svgOpen(o.id, CURVE_W, CURVE_H, title, desc),
    axes(box, sx, sy, { ticks, label: 'False positive rate', format: fmtFraction }, { ticks, label: 'True positive rate', format: fmtFraction }, CURVE_H - 14),
    `<line data-series="random" x1="${r(sx(0))}" y1="${r(sy(0))}" x2="${r(sx(1))}" y2="${r(sy(1))}" stroke="${COLORS.reference}" stroke-width="1.5" stroke-dasharray="2 3"/>`,
    seriesPath('baseline', `${o.baseline.label} ROC curve`, o.baseline.points, sx, sy, COLORS.baseline, '6 3'),
    seriesPath('model', `${o.model.label} ROC curve`, o.model.points, sx, sy, COLORS.model),
    o.model.points.length === 0 && o.baseline.points.length === 0 ? noData(box, 'no ROC curve recorded') : '',
    lg.svg,
    '</svg>',
  ].join('');
}

export interface GainsChartOptions extends CurveChartOptions {
  /** Positive rate; when given, the "perfect ranking" curve is drawn too. */
  baseRate?: number | null;
  /** Share targeted marked with a guide and the captured shares / lifts there (default 0.1, null for none). */
  mark?: number | null;
}

/** Cumulative gains: share of positives captured vs share of customers targeted (highest scores first). */
export function gainsChart(o: GainsChartOptions): string {
  const title = o.title ?? 'Cumulative gains';
  const perfect = o.baseRate !== undefined && o.baseRate !== null && o.baseRate > 0 && o.baseRate <= 1;
  const items: LegendItem[] = [
    { label: o.model.label, color: COLORS.model },
    { label: o.baseline.label, color: COLORS.baseline, dash: '6 3' },
    { label: 'random', color: COLORS.reference, dash: '2 3' },
  ];
  if (perfect) items.push({ label: 'perfect', color: COLORS.reference, dash: '1 4' });
  const lg = legend(items, 56, 14, CURVE_W - 10);
  const box = curveFrame(lg.height);
  const sx = linear(0, 1, box.left, box.right);
  const sy = linear(0, 1, box.bottom, box.top);
  const ticks = niceTicks(0, 1, 5);
  const mark = o.mark === undefined ? 0.1 : o.mark;
  const atModel = mark === null ? null : interpolateAt(o.model.points, mark);
  const atBase = mark === null ? null : interpolateAt(o.baseline.points, mark);
  const pct = (v: number): string => `${(v * 100).toFixed(0)}%`;
  const desc =
    o.desc ??
    `Cumulative gains: share of all positives captured when targeting the highest-scored share of customers.` +
      (mark !== null && atModel !== null ? ` Top ${pct(mark)}: ${o.model.label} captures ${pct(atModel)}` : '') +
      (mark !== null && atBase !== null ? `, ${o.baseline.label} ${pct(atBase)}.` : '.');

  const parts = [
    svgOpen(o.id, CURVE_W, CURVE_H, title, desc),
    axes(box, sx, sy, { ticks, label: 'Customers targeted (highest scores first)', format: fmtPercent }, { ticks, label: 'Positives captured', format: fmtPercent }, CURVE_H - 14),
    `<line data-series="random" x1="${r(sx(0))}" y1="${r(sy(0))}" x2="${r(sx(1))}" y2="${r(sy(1))}" stroke="${COLORS.reference}" stroke-width="1.5" stroke-dasharray="2 3"/>`,
  ];
  if (perfect) {
    const b = o.baseRate!;
    parts.push(
      `<path data-series="perfect" d="M${r(sx(0))},${r(sy(0))} L${r(sx(b))},${r(sy(1))} L${r(sx(1))},${r(sy(1))}" fill="none" stroke="${COLORS.reference}" stroke-width="1.5" stroke-dasharray="1 4"><title>perfect ranking</title></path>`,
    );
  }
  if (mark !== null && mark > 0 && mark < 1) {
    parts.push(
      `<line x1="${r(sx(mark))}" y1="${r(box.top)}" x2="${r(sx(mark))}" y2="${r(box.bottom)}" stroke="${COLORS.axis}" stroke-width="1" stroke-dasharray="3 3" opacity="0.6"/>`,
    );
  }
  parts.push(
    seriesPath('baseline', `${o.baseline.label} gains curve`, o.baseline.points, sx, sy, COLORS.baseline, '6 3'),
    seriesPath('model', `${o.model.label} gains curve`, o.model.points, sx, sy, COLORS.model),
  );
  if (mark !== null && mark > 0 && mark < 1) {
    // Markers and labels at the mark; the higher one is labelled above, the lower one below.
    const marks: { v: number; color: string; name: string }[] = [];
    if (atModel !== null) marks.push({ v: atModel, color: COLORS.model, name: o.model.label });
    if (atBase !== null) marks.push({ v: atBase, color: COLORS.baseline, name: o.baseline.label });
    marks.sort((a, b) => b.v - a.v);
    marks.forEach((m, i) => {
      const cx = sx(mark);
      const cy = sy(m.v);
      const ly = clamp(i === 0 ? cy - 9 : cy + 16, box.top + 10, box.bottom - 4);
      parts.push(
        `<circle cx="${r(cx)}" cy="${r(cy)}" r="4" fill="${m.color}" stroke="#fff" stroke-width="1.5"><title>${escapeXml(`${m.name}: top ${pct(mark)} captures ${pct(m.v)} of positives (lift ${(m.v / mark).toFixed(2)}×)`)}</title></circle>`,
        `<text x="${r(cx + 7)}" y="${r(ly)}" fill="${m.color}" font-weight="600" stroke="#fff" stroke-width="3" stroke-linejoin="round" paint-order="stroke">${escapeXml(`${pct(m.v)} · ${(m.v / mark).toFixed(1)}×`)}</text>`,
      );
    });
    parts.push(`<text x="${r(sx(mark) + 4)}" y="${r(box.bottom - 6)}" fill="${COLORS.muted}">${escapeXml(`top ${pct(mark)}`)}</text>`);
  }
  if (o.model.points.length === 0 && o.baseline.points.length === 0) parts.push(noData(box, 'no gains curve recorded'));
  parts.push(lg.svg, '</svg>');
  return parts.join('');
}

// ---------------------------------------------------------------------------------------------------------
// Calibration

export interface CalibrationBinInput {
  bin: readonly [number, number];
  count: number;
  mean_predicted: number | null;
  observed_rate: number | null;
}

export interface CalibrationChartOptions {
  id: string;
  bins: readonly CalibrationBinInput[];
  /** Legend label of the plotted model, e.g. "mlp (platt)". */
  label: string;
  title?: string;
  desc?: string;
}

const ZOOM_STEPS = [0.01, 0.02, 0.03, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1];

/**
 * Reliability plot: observed positive rate against mean predicted probability per bin, with the diagonal of
 * perfect calibration, and the rows per bin as a histogram strip under the x axis. Both axes share one range,
 * zoomed to the populated bins (rare events put every prediction near 0), so the diagonal stays at 45°.
 */
export function calibrationChart(o: CalibrationChartOptions): string {
  const W = 440;
  const H = 450;
  const title = o.title ?? 'Calibration (reliability)';
  const filled = o.bins.filter((b) => b.count > 0 && b.mean_predicted !== null && b.observed_rate !== null);
  let hi = 0;
  for (const b of filled) hi = Math.max(hi, b.mean_predicted!, b.observed_rate!);
  const dom = filled.length === 0 ? 1 : (ZOOM_STEPS.find((s) => s >= Math.min(1, hi * 1.1)) ?? 1);

  const items: LegendItem[] = [
    { label: o.label, color: COLORS.model, kind: 'line' },
    { label: 'perfectly calibrated', color: COLORS.reference, dash: '2 3' },
    { label: 'rows per bin', color: '#bfdbfe', kind: 'bar' },
  ];
  const lg = legend(items, 56, 14, W - 10);
  const box: Box = { left: 56, right: W - 18, top: 20 + lg.height, bottom: H - 126 };
  const strip: Box = { left: box.left, right: box.right, top: box.bottom + 22, bottom: box.bottom + 72 };
  const sx = linear(0, dom, box.left, box.right);
  const sy = linear(0, dom, box.bottom, box.top);
  const ticks = niceTicks(0, dom, 5);
  const maxCount = o.bins.reduce((m, b) => Math.max(m, b.count), 0);
  const total = o.bins.reduce((m, b) => m + b.count, 0);
  const desc =
    o.desc ??
    `Reliability plot of ${o.label}: ${filled.length} non-empty bins of ${o.bins.length}, ${total} rows.` +
      (dom < 1 ? ` Axes zoomed to 0–${dom}.` : '') +
      ' Points on the diagonal are perfectly calibrated; above it the model under-predicts, below it over-predicts.';

  const parts = [
    svgOpen(o.id, W, H, title, desc),
    // Plot axes without an x axis title (it goes under the strip).
    axes(box, sx, sy, { ticks, label: '', format: () => '' }, { ticks, label: 'Observed positive rate', format: fmtFraction }, 0),
    `<line data-series="diagonal" x1="${r(sx(0))}" y1="${r(sy(0))}" x2="${r(sx(dom))}" y2="${r(sy(dom))}" stroke="${COLORS.reference}" stroke-width="1.5" stroke-dasharray="2 3"/>`,
  ];
  const points: XY[] = filled.map((b) => [b.mean_predicted!, b.observed_rate!]);
  parts.push(seriesPath('model', `${o.label} reliability curve`, points, sx, sy, COLORS.model));
  for (const b of filled) {
    const tip = `bin ${b.bin[0].toFixed(3)}–${b.bin[1].toFixed(3)}: ${b.count.toLocaleString('en-US')} rows, mean predicted ${b.mean_predicted!.toFixed(4)}, observed ${b.observed_rate!.toFixed(4)}`;
    // Area grows with the bin's rows, so sparse (noisy) bins catch the eye less.
    const radius = 2.5 + 4.5 * Math.sqrt(b.count / (maxCount || 1));
    parts.push(
      `<circle data-bin="1" cx="${r(sx(b.mean_predicted!))}" cy="${r(sy(b.observed_rate!))}" r="${r(radius)}" fill-opacity="0.85" fill="${COLORS.model}" stroke="#fff" stroke-width="1"><title>${escapeXml(tip)}</title></circle>`,
    );
  }
  if (filled.length === 0) parts.push(noData(box, 'no calibration bins recorded'));

  // Histogram strip of rows per bin, on the same x scale (bars clipped to the zoomed range).
  const hy = linear(0, maxCount || 1, strip.bottom, strip.top);
  parts.push(`<g class="counts"><line x1="${r(strip.left)}" y1="${r(strip.bottom)}" x2="${r(strip.right)}" y2="${r(strip.bottom)}" stroke="${COLORS.axis}"/>`);
  for (const v of ticks.values) {
    const px = r(sx(v));
    parts.push(
      `<line x1="${px}" y1="${r(strip.bottom)}" x2="${px}" y2="${r(strip.bottom + 4)}" stroke="${COLORS.axis}"/>`,
      `<text x="${px}" y="${r(strip.bottom + 16)}" text-anchor="middle" fill="${COLORS.muted}">${escapeXml(fmtFraction(v, ticks.decimals))}</text>`,
    );
  }
  for (const b of o.bins) {
    if (b.count <= 0) continue;
    let x0 = sx(b.bin[0]);
    let x1 = sx(b.bin[1]);
    if (x1 - x0 < 2) {
      const mid = (x0 + x1) / 2;
      x0 = clamp(mid - 1, strip.left, strip.right - 2);
      x1 = x0 + 2;
    }
    const y0 = hy(b.count);
    parts.push(
      `<rect data-count="${b.count}" x="${r(x0 + 0.5)}" y="${r(y0)}" width="${r(Math.max(1, x1 - x0 - 1))}" height="${r(strip.bottom - y0)}" fill="#bfdbfe" stroke="#93c5fd" stroke-width="0.5">` +
        `<title>${escapeXml(`bin ${b.bin[0].toFixed(3)}–${b.bin[1].toFixed(3)}: ${b.count.toLocaleString('en-US')} rows`)}</title></rect>`,
    );
  }
  parts.push(
    `<text x="${r(strip.left - 7)}" y="${r(strip.top + 8)}" text-anchor="end" fill="${COLORS.muted}">${escapeXml(maxCount.toLocaleString('en-US'))}</text>`,
    `<text x="${r(strip.left - 7)}" y="${r(strip.bottom)}" text-anchor="end" fill="${COLORS.muted}">0</text>`,
    '</g>',
    `<text x="${r((box.left + box.right) / 2)}" y="${r(H - 14)}" text-anchor="middle" font-weight="600">Mean predicted probability (bars: rows per bin)</text>`,
    lg.svg,
    '</svg>',
  );
  return parts.join('');
}

// ---------------------------------------------------------------------------------------------------------
// Feature importance

export interface ImportanceInput {
  feature: string;
  importance: number;
  std?: number | undefined;
  description?: string | undefined;
}

export interface ImportanceChartOptions {
  id: string;
  features: readonly ImportanceInput[];
  /** Bars shown, largest importance first (default 15). */
  top?: number;
  title?: string;
  desc?: string;
  /** x axis title (default: permutation importance as AUC drop). */
  axisLabel?: string;
}

/** The `top` features by importance, largest first (ties keep input order). */
export function topFeatures<T extends ImportanceInput>(features: readonly T[], top = 15): T[] {
  return features
    .map((f, i) => ({ f, i }))
    .sort((a, b) => b.f.importance - a.f.importance || a.i - b.i)
    .slice(0, Math.max(0, top))
    .map(({ f }) => f);
}

/** Horizontal bars of permutation importance (negative values drawn left of zero, in grey), with ±std whiskers. */
export function importanceChart(o: ImportanceChartOptions): string {
  const W = 440;
  const rows = topFeatures(o.features, o.top ?? 15);
  const rowH = 22;
  const top = 18;
  const H = top + Math.max(1, rows.length) * rowH + 56;
  const box: Box = { left: 172, right: W - 60, top, bottom: top + Math.max(1, rows.length) * rowH };
  let lo = 0;
  let hi = 0;
  for (const f of rows) {
    const s = f.std ?? 0;
    lo = Math.min(lo, f.importance - s);
    hi = Math.max(hi, f.importance + s);
  }
  if (!(hi > lo)) hi = lo + 0.01;
  const t0 = niceTicks(lo, hi, 4);
  const d0 = Math.floor(lo / t0.step - 1e-9) * t0.step;
  const d1 = Math.ceil(hi / t0.step - 1e-9) * t0.step;
  const ticks = niceTicks(d0, d1, 4);
  const sx = linear(d0, d1, box.left, box.right);
  const title = o.title ?? 'Feature importance';
  const shown = rows.length < o.features.length ? ` (top ${rows.length} of ${o.features.length})` : '';
  const desc =
    o.desc ??
    (rows.length === 0
      ? 'No feature importance recorded.'
      : `Permutation importance${shown}: ` + rows.map((f) => `${f.feature} ${signed(f.importance, 4)}`).join(', ') + '.');

  const parts = [svgOpen(o.id, W, H, title, desc), '<g class="axes">'];
  for (const v of ticks.values) {
    const px = r(sx(v));
    parts.push(
      `<line x1="${px}" y1="${r(box.top)}" x2="${px}" y2="${r(box.bottom)}" stroke="${COLORS.grid}"/>`,
      `<line x1="${px}" y1="${r(box.bottom)}" x2="${px}" y2="${r(box.bottom + 4)}" stroke="${COLORS.axis}"/>`,
      `<text x="${px}" y="${r(box.bottom + 16)}" text-anchor="middle" fill="${COLORS.muted}">${escapeXml(signed(v, ticks.decimals))}</text>`,
    );
  }
  parts.push(
    `<line x1="${r(box.left)}" y1="${r(box.bottom)}" x2="${r(box.right)}" y2="${r(box.bottom)}" stroke="${COLORS.axis}"/>`,
    `<text x="${r((box.left + box.right) / 2)}" y="${r(H - 14)}" text-anchor="middle" font-weight="600">${escapeXml(o.axisLabel ?? 'Drop in validation AUC when the feature is shuffled')}</text>`,
    '</g>',
  );
  const zero = sx(0);
  rows.forEach((f, i) => {
    const yc = box.top + i * rowH + rowH / 2;
    const v = f.importance;
    const x0 = Math.min(zero, sx(v));
    const x1 = Math.max(zero, sx(v));
    const tip = `${f.feature}: ${signed(v, 4)}${f.std !== undefined ? ` ± ${f.std.toFixed(4)}` : ''}${f.description ? ` — ${f.description}` : ''}`;
    parts.push(
      `<g class="bar" data-feature="${escapeXml(f.feature)}"><title>${escapeXml(tip)}</title>`,
      `<text x="${r(box.left - 8)}" y="${r(yc + 4)}" text-anchor="end">${escapeXml(truncate(f.feature, 28))}</text>`,
      `<rect x="${r(x0)}" y="${r(yc - 7)}" width="${r(x1 - x0)}" height="14" rx="2" fill="${v < 0 ? COLORS.negative : COLORS.model}"/>`,
    );
    if (f.std !== undefined && f.std > 0) {
      parts.push(
        `<line x1="${r(sx(v - f.std))}" y1="${r(yc)}" x2="${r(sx(v + f.std))}" y2="${r(yc)}" stroke="${COLORS.text}" stroke-width="1" opacity="0.55"/>`,
      );
    }
    const labelX = Math.max(x1, f.std !== undefined && f.std > 0 ? sx(v + f.std) : x1) + 4;
    parts.push(`<text x="${r(Math.min(labelX, box.right + 4))}" y="${r(yc + 4)}" fill="${COLORS.muted}">${escapeXml(signed(v, 4))}</text>`, '</g>');
  });
  parts.push(`<line x1="${r(zero)}" y1="${r(box.top)}" x2="${r(zero)}" y2="${r(box.bottom)}" stroke="${COLORS.axis}"/>`);
  if (rows.length === 0) parts.push(noData(box, 'no feature importance recorded'));
  parts.push('</svg>');
  return parts.join('');
}
