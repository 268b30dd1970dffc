import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  calibrationChart,
  escapeXml,
  gainsChart,
  importanceChart,
  interpolateAt,
  niceTicks,
  rocChart,
  topFeatures,
  type CalibrationBinInput,
  type XY,
} from './svg.js';
import { expectBalancedTags } from './test-helpers.js';

// ---------------------------------------------------------------------------------------------------------
// Helpers: read an SVG string back

function viewBox(svg: string): { w: number; h: number } {
  const m = /viewBox="0 0 ([\d.]+) ([\d.]+)"/.exec(svg);
  expect(m).not.toBeNull();
  return { w: Number(m![1]), h: Number(m![2]) };
}

/** Points of the path with data-series=name, or null when there is no such path. */
function seriesPoints(svg: string, name: string): [number, number][] | null {
  const m = new RegExp(`<path data-series="${name}" d="([^"]*)"`).exec(svg);
  if (!m) return null;
  return [...m[1]!.matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)].map((p) => [Number(p[1]), Number(p[2])]);
}

/** Every numeric coordinate-like attribute and path point. */
function allCoordinates(svg: string): { xs: number[]; ys: number[] } {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const m of svg.matchAll(/\s(x|x1|x2|cx)="(-?[\d.]+)"/g)) xs.push(Number(m[2]));
  for (const m of svg.matchAll(/\s(y|y1|y2|cy)="(-?[\d.]+)"/g)) ys.push(Number(m[2]));
  for (const m of svg.matchAll(/\sd="([^"]*)"/g)) {
    for (const p of m[1]!.matchAll(/[ML](-?[\d.]+),(-?[\d.]+)/g)) {
      xs.push(Number(p[1]));
      ys.push(Number(p[2]));
    }
  }
  // Rect extents.
  for (const m of svg.matchAll(/<rect[^>]*\sx="(-?[\d.]+)"[^>]*\sy="(-?[\d.]+)"[^>]*\swidth="(-?[\d.]+)"[^>]*\sheight="(-?[\d.]+)"/g)) {
    xs.push(Number(m[1]) + Number(m[3]));
    ys.push(Number(m[2]) + Number(m[4]));
    expect(Number(m[3])).toBeGreaterThanOrEqual(0);
    expect(Number(m[4])).toBeGreaterThanOrEqual(0);
  }
  return { xs, ys };
}

function expectInside(svg: string): void {
  const { w, h } = viewBox(svg);
  const { xs, ys } = allCoordinates(svg);
  expect(xs.length).toBeGreaterThan(0);
  for (const x of xs) {
    expect(x).toBeGreaterThanOrEqual(0);
    expect(x).toBeLessThanOrEqual(w);
  }
  for (const y of ys) {
    expect(y).toBeGreaterThanOrEqual(0);
    expect(y).toBeLessThanOrEqual(h);
  }
}

function expectAccessible(svg: string, id: string): void {
  expect(svg).toMatch(new RegExp(`^<svg [^>]*role="img"`));
  expect(svg).toContain(`aria-labelledby="${id}-title ${id}-desc"`);
  expect(svg).toMatch(new RegExp(`<title id="${id}-title">[^<]+</title>`));
  expect(svg).toMatch(new RegExp(`<desc id="${id}-desc">[^<]+</desc>`));
  expect(svg).not.toMatch(/NaN|undefined|Infinity/);
  expect(svg).not.toMatch(/https?:/);
  expect(svg.endsWith('</svg>')).toBe(true);
  expectBalancedTags(svg);
}

const curve = (n: number): XY[] => Array.from({ length: n }, (_, i) => [i / Math.max(1, n - 1), Math.sqrt(i / Math.max(1, n - 1))] as const);

// ---------------------------------------------------------------------------------------------------------

describe('escapeXml', () => {
  it('escapes markup characters and quotes', () => {
    expect(escapeXml(`<script>alert("x" & 'y')</script>`)).toBe('&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;');
  });
});

describe('niceTicks', () => {
  it('gives round steps covering the range', () => {
    expect(niceTicks(0, 1, 5).values).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(0, 0.05, 5)).toMatchObject({ values: [0, 0.01, 0.02, 0.03, 0.04, 0.05], decimals: 2 });
    expect(niceTicks(-0.002, 0.09, 4).values).toEqual([0, 0.025, 0.05, 0.075]);
    expect(niceTicks(0, 0.1, 4).decimals).toBe(3);
  });

  it('survives a degenerate range', () => {
    expect(niceTicks(0, 0).values).toEqual([0]);
    expect(niceTicks(Number.NaN, 1).values).toEqual([0]);
  });
});

describe('interpolateAt', () => {
  it('interpolates along a curve', () => {
    expect(interpolateAt([[0, 0], [0.2, 0.5], [1, 1]], 0.1)).toBeCloseTo(0.25);
    expect(interpolateAt([[0, 0], [0.1, 0.3], [1, 1]], 0.1)).toBe(0.3);
    expect(interpolateAt([], 0.1)).toBeNull();
    expect(interpolateAt([[0.5, 0.7]], 0.1)).toBe(0.7);
  });
});

describe('rocChart', () => {
  it('draws one path point per curve point, plus the diagonal', () => {
    const svg = rocChart({ id: 'roc', model: { label: 'model', points: curve(37) }, baseline: { label: 'rule', points: curve(4) } });
    expectAccessible(svg, 'roc');
    expect(seriesPoints(svg, 'model')).toHaveLength(37);
    expect(seriesPoints(svg, 'baseline')).toHaveLength(4);
    expect(svg).toContain('data-series="random"');
    expect(svg).toContain('False positive rate');
    expect(svg).toContain('True positive rate');
    expect(svg).toContain('>0.2</text>');
    expectInside(svg);
  });

  it('maps (0, 0) to the bottom left and (1, 1) to the top right', () => {
    const svg = rocChart({ id: 'roc', model: { label: 'm', points: [[0, 0], [1, 1]] }, baseline: { label: 'b', points: [] } });
    const [p0, p1] = seriesPoints(svg, 'model')!;
    expect(p0![0]).toBeLessThan(p1![0]);
    expect(p0![1]).toBeGreaterThan(p1![1]);
  });

  it('handles empty curves', () => {
    const svg = rocChart({ id: 'empty', model: { label: 'm', points: [] }, baseline: { label: 'b', points: [] } });
    expectAccessible(svg, 'empty');
    expect(seriesPoints(svg, 'model')).toBeNull();
    expect(seriesPoints(svg, 'baseline')).toBeNull();
    expect(svg).toContain('no ROC curve recorded');
    expectInside(svg);
  });

  it('marks a single-point curve and keeps out-of-range points inside', () => {
    const svg = rocChart({
      id: 'odd',
      model: { label: 'm', points: [[0.5, 0.5]] },
      baseline: { label: 'b', points: [[-1, 2], [0.5, Number.NaN], [3, -4]] },
    });
    expect(seriesPoints(svg, 'model')).toHaveLength(1);
    expect(svg).toMatch(/<circle data-series="model"/);
    expect(seriesPoints(svg, 'baseline')).toHaveLength(3);
    expect(svg).not.toContain('NaN');
    expectInside(svg);
  });

  it('escapes labels', () => {
    const svg = rocChart({ id: 'x', model: { label: '<b>m</b>', points: curve(3) }, baseline: { label: 'R&D "rule"', points: curve(3) } });
    expect(svg).toContain('&lt;b&gt;m&lt;/b&gt;');
    expect(svg).toContain('R&amp;D &quot;rule&quot;');
    expect(svg).not.toContain('<b>');
  });

  it('stays inside the viewBox for any curve in the unit square', () => {
    const pt = fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 1, noNaN: true }));
    fc.assert(
      fc.property(fc.array(pt, { maxLength: 50 }), fc.array(pt, { maxLength: 50 }), (a, b) => {
        const svg = rocChart({ id: 'p', model: { label: 'm', points: a }, baseline: { label: 'b', points: b } });
        expect(seriesPoints(svg, 'model')?.length ?? 0).toBe(a.length);
        expect(seriesPoints(svg, 'baseline')?.length ?? 0).toBe(b.length);
        expectInside(svg);
      }),
      { numRuns: 60 },
    );
  });
});

describe('gainsChart', () => {
  it('draws model, baseline, random and perfect curves with the top-decile mark', () => {
    const model: XY[] = [[0, 0], [0.1, 0.35], [0.5, 0.85], [1, 1]];
    const baseline: XY[] = [[0, 0], [0.3, 0.55], [1, 1]];
    const svg = gainsChart({ id: 'gains', model: { label: 'model', points: model }, baseline: { label: 'rule', points: baseline }, baseRate: 0.06 });
    expectAccessible(svg, 'gains');
    expect(seriesPoints(svg, 'model')).toHaveLength(4);
    expect(seriesPoints(svg, 'baseline')).toHaveLength(3);
    expect(seriesPoints(svg, 'perfect')).toHaveLength(3);
    expect(svg).toContain('35% · 3.5×');
    expect(svg).toContain('18% · 1.8×'); // 0.55 · 0.1 / 0.3 = 0.183
    expect(svg).toContain('top 10%');
    expect(svg).toContain('>100%</text>');
    expectInside(svg);
  });

  it('handles empty curves and no base rate', () => {
    const svg = gainsChart({ id: 'g', model: { label: 'm', points: [] }, baseline: { label: 'b', points: [] }, baseRate: null });
    expectAccessible(svg, 'g');
    expect(seriesPoints(svg, 'model')).toBeNull();
    expect(seriesPoints(svg, 'perfect')).toBeNull();
    expect(svg).toContain('no gains curve recorded');
    expectInside(svg);
  });
});

describe('calibrationChart', () => {
  const bins: CalibrationBinInput[] = [
    { bin: [0, 0.1], count: 900, mean_predicted: 0.03, observed_rate: 0.035 },
    { bin: [0.1, 0.2], count: 80, mean_predicted: 0.14, observed_rate: 0.12 },
    { bin: [0.2, 0.3], count: 0, mean_predicted: null, observed_rate: null },
    { bin: [0.3, 0.4], count: 20, mean_predicted: 0.33, observed_rate: 0.4 },
  ];

  it('plots one point per non-empty bin, the diagonal and a bar per non-empty bin', () => {
    const svg = calibrationChart({ id: 'cal', bins, label: 'model' });
    expectAccessible(svg, 'cal');
    expect(seriesPoints(svg, 'model')).toHaveLength(3);
    expect(svg.match(/<circle data-bin/g)).toHaveLength(3);
    expect(svg.match(/<rect data-count/g)).toHaveLength(3);
    expect(svg).toContain('data-series="diagonal"');
    expect(svg).toContain('900 rows');
    expect(svg).toContain('Mean predicted probability');
    expect(svg).toContain('Observed positive rate');
    expectInside(svg);
  });

  it('zooms both axes to the populated range (0.4 × 1.1 → 0.5)', () => {
    const svg = calibrationChart({ id: 'cal', bins, label: 'model' });
    expect(svg).toContain('>0.5</text>');
    expect(svg).not.toContain('>1.0</text>');
    expect(svg).toContain('zoomed to 0–0.5');
  });

  it('handles a single bin', () => {
    const svg = calibrationChart({ id: 'one', bins: [{ bin: [0, 1], count: 500, mean_predicted: 0.2, observed_rate: 0.21 }], label: 'm' });
    expectAccessible(svg, 'one');
    expect(seriesPoints(svg, 'model')).toHaveLength(1);
    expect(svg.match(/<rect data-count/g)).toHaveLength(1);
    expectInside(svg);
  });

  it('handles no bins and only empty bins', () => {
    for (const b of [[], [{ bin: [0, 0.5], count: 0, mean_predicted: null, observed_rate: null }]] as CalibrationBinInput[][]) {
      const svg = calibrationChart({ id: 'none', bins: b, label: 'm' });
      expectAccessible(svg, 'none');
      expect(seriesPoints(svg, 'model')).toBeNull();
      expect(svg).toContain('no calibration bins recorded');
      expectInside(svg);
    }
  });

  it('keeps extreme points (0 and 1) inside', () => {
    const svg = calibrationChart({
      id: 'ext',
      bins: [
        { bin: [0, 0.5], count: 1, mean_predicted: 0, observed_rate: 1 },
        { bin: [0.5, 1], count: 1_000_000, mean_predicted: 1, observed_rate: 0 },
      ],
      label: 'm',
    });
    expect(seriesPoints(svg, 'model')).toHaveLength(2);
    expectInside(svg);
  });
});

describe('importanceChart', () => {
  const many = Array.from({ length: 20 }, (_, i) => ({ feature: `f${i}`, importance: (20 - i) / 200, std: 0.003 }));

  it('shows the top 15 by importance, largest first', () => {
    const shuffled = [...many].reverse();
    const svg = importanceChart({ id: 'imp', features: shuffled });
    expectAccessible(svg, 'imp');
    const shown = [...svg.matchAll(/<g class="bar" data-feature="([^"]+)"/g)].map((m) => m[1]);
    expect(shown).toEqual(many.slice(0, 15).map((f) => f.feature));
    expect(svg).toContain('top 15 of 20');
    expectInside(svg);
  });

  it('draws negative importances left of zero', () => {
    const svg = importanceChart({ id: 'neg', features: [{ feature: 'a', importance: 0.05 }, { feature: 'b', importance: -0.01 }] });
    const rects = [...svg.matchAll(/<rect x="([\d.]+)" y="[\d.]+" width="([\d.]+)"/g)].map((m) => ({ x: Number(m[1]), w: Number(m[2]) }));
    expect(rects).toHaveLength(2);
    expect(rects[1]!.x + rects[1]!.w).toBeCloseTo(rects[0]!.x, 0); // b ends where a starts: at zero
    expectInside(svg);
  });

  it('handles all-zero importances and no features', () => {
    const zero = importanceChart({ id: 'z', features: [{ feature: 'a', importance: 0 }, { feature: 'b', importance: 0 }] });
    expectAccessible(zero, 'z');
    expect(zero).toMatch(/width="0"/);
    expectInside(zero);
    const none = importanceChart({ id: 'n', features: [] });
    expectAccessible(none, 'n');
    expect(none).toContain('no feature importance recorded');
    expectInside(none);
  });

  it('escapes feature names and descriptions', () => {
    const svg = importanceChart({ id: 'e', features: [{ feature: '<script>alert(1)</script>', importance: 0.1, description: 'a "quoted" & <b>bold</b>' }] });
    expect(svg).not.toContain('<script>');
    expect(svg).not.toContain('<b>');
    expect(svg).toContain('data-feature="&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(svg).toContain('&lt;script&gt;alert(1)&lt;/script&gt;</text>');
    expect(svg).toContain('a &quot;quoted&quot; &amp; &lt;b&gt;bold&lt;/b&gt;');
    expectBalancedTags(svg);
  });

  it('topFeatures keeps input order on ties', () => {
    expect(topFeatures([{ feature: 'a', importance: 0 }, { feature: 'b', importance: 1 }, { feature: 'c', importance: 0 }], 2).map((f) => f.feature)).toEqual(['b', 'a']);
  });
});
