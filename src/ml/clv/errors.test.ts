import { describe, expect, it } from 'vitest';
import { fitBgNbd } from './bgnbd.js';
import { customerLifetimeValues } from './clv.js';
import { ClvFitError, type ClvErrorCode } from './errors.js';
import { fitGammaGamma } from './gamma-gamma.js';
import { simulateCustomers } from './simulate.js';
import { summaryFromTransactions } from './summary.js';

/** Runs f and returns the ClvFitError it throws (fails the test if it throws anything else or nothing). */
function clvError(f: () => unknown): ClvFitError {
  try {
    f();
  } catch (e) {
    if (e instanceof ClvFitError) return e;
    throw new Error(`expected a ClvFitError, got ${String(e)}`);
  }
  throw new Error('expected a ClvFitError, but nothing was thrown');
}

function expectCode(f: () => unknown, code: ClvErrorCode, ...messageParts: (string | RegExp)[]): ClvFitError {
  const err = clvError(f);
  expect(err.code).toBe(code);
  expect(err).toBeInstanceOf(Error);
  expect(err.name).toBe('ClvFitError');
  for (const part of messageParts) expect(err.message).toMatch(part);
  return err;
}

const good = simulateCustomers({
  bgnbd: { r: 0.5, alpha: 5, a: 0.8, b: 2.5 },
  gammaGamma: { p: 6, q: 4, v: 15 },
  nCustomers: 300,
  T: { min: 20, max: 40 },
  seed: 3,
}).map(({ customerId, frequency, recency, T, monetaryValue }) => ({ customerId, frequency, recency, T, monetaryValue }));

describe('empty input', () => {
  it('fitBgNbd([]) → invalid_input saying the summary is empty', () => {
    expectCode(() => fitBgNbd([]), 'invalid_input', /empty/, /0 customers/);
  });
  it('fitGammaGamma([]) and summaryFromTransactions([]) → invalid_input', () => {
    expectCode(() => fitGammaGamma([]), 'invalid_input', /empty/);
    expectCode(() => summaryFromTransactions([], { observationEnd: Date.UTC(2024, 0, 1) }), 'invalid_input', /empty/);
  });
});

describe('no repeat buyers', () => {
  const noRepeat = good.map((r) => ({ ...r, frequency: 0, recency: 0, monetaryValue: 0 }));
  it('fitBgNbd with every frequency = 0 → no_repeat_buyers, explaining a/b are not identifiable', () => {
    expectCode(() => fitBgNbd(noRepeat), 'no_repeat_buyers', /none of the 300 customers/, /dropout parameters/);
  });
  it('fitGammaGamma with every frequency = 0 → no_repeat_buyers', () => {
    expectCode(() => fitGammaGamma(noRepeat), 'no_repeat_buyers', /300 have no repeat purchase/);
  });
});

describe('NaN / invalid values name the customer and the field', () => {
  it('NaN recency → invalid_input naming the index, the id and "recency"', () => {
    const rows = good.map((r, i) => (i === 7 ? { ...r, recency: Number.NaN } : r));
    const err = expectCode(() => fitBgNbd(rows), 'invalid_input', /customer #7 \(id "sim-7"\)/, /"recency"/, /NaN/);
    expect(err.issues).toEqual([
      { index: 7, customerId: 'sim-7', field: 'recency', value: Number.NaN, problem: expect.stringContaining('finite') },
    ]);
  });

  it('NaN monetary value of a repeat buyer → invalid_input in fitGammaGamma', () => {
    const idx = good.findIndex((r) => r.frequency > 0);
    const rows = good.map((r, i) => (i === idx ? { ...r, monetaryValue: Number.NaN } : r));
    expectCode(() => fitGammaGamma(rows), 'invalid_input', new RegExp(`customer #${idx}`), /"monetaryValue"/);
  });

  it('t_x > T → invalid_input saying recency must be <= T', () => {
    const rows = good.map((r, i) => (i === 12 ? { ...r, frequency: 2, recency: r.T + 1 } : r));
    const err = expectCode(() => fitBgNbd(rows), 'invalid_input', /customer #12/, /"recency"/, /must be <= T/);
    expect(err.issues[0]?.field).toBe('recency');
  });

  it('negative or non-integer frequency, and recency ≠ 0 with frequency 0, are reported together', () => {
    const rows = good.map((r, i) =>
      i === 1 ? { ...r, frequency: -1 } : i === 2 ? { ...r, frequency: 1.5 } : i === 3 ? { ...r, frequency: 0, recency: 4 } : r,
    );
    const err = expectCode(() => fitBgNbd(rows), 'invalid_input', /3 invalid value/, /must be >= 0/, /whole number/);
    expect(err.issues.map((i) => [i.index, i.field])).toEqual([
      [1, 'frequency'],
      [2, 'frequency'],
      [3, 'recency'],
    ]);
  });

  it('monetary value <= 0 for a repeat buyer → invalid_input, unless nonPositiveMonetary: "exclude"', () => {
    const idx = good.findIndex((r) => r.frequency > 0);
    const rows = good.map((r, i) => (i === idx ? { ...r, monetaryValue: -5 } : r));
    expectCode(() => fitGammaGamma(rows), 'invalid_input', /must be > 0 for a repeat buyer/, /exclude/);
    const fit = fitGammaGamma(rows, { nonPositiveMonetary: 'exclude' });
    expect(fit.excluded.nonPositiveMonetary).toBe(1);
  });

  it('invalid transaction timestamps and amounts name the transaction index and customer', () => {
    const tx = [
      { customerId: 'a', ts: new Date('2024-01-01'), amount: 10 },
      { customerId: 'b', ts: new Date('not a date'), amount: 10 },
      { customerId: 'c', ts: Date.UTC(2024, 0, 2), amount: Number.NaN },
    ];
    const err = expectCode(
      () => summaryFromTransactions(tx, { observationEnd: Date.UTC(2024, 1, 1) }),
      'invalid_input',
      /customer #1 \(id "b"\): field "ts"/,
      /customer #2 \(id "c"\): field "amount"/,
    );
    expect(err.issues).toHaveLength(2);
  });

  it('customerLifetimeValues validates every row before scoring', () => {
    const rows = good.slice(0, 5).map((r, i) => (i === 4 ? { ...r, T: Number.POSITIVE_INFINITY } : r));
    expectCode(
      () => customerLifetimeValues({ r: 0.5, alpha: 5, a: 0.8, b: 2.5 }, { p: 6, q: 4, v: 15 }, rows, { horizonMonths: 12 }),
      'invalid_input',
      /customer #4/,
      /"T"/,
    );
  });
});

describe('fitting problems are explained', () => {
  it('too few customers → too_few_customers with the count', () => {
    expectCode(() => fitBgNbd(good.slice(0, 5)), 'too_few_customers', /only 5 customer/);
  });

  it('an exhausted iteration budget → not_converged, with best-so-far params and what to try', () => {
    const err = expectCode(() => fitBgNbd(good, { maxIterations: 5 }), 'not_converged', /maxIterations/, /penalizer/);
    expect(err.diagnostics['params']).toBeDefined();
    // ...or returned, flagged, when the caller opts out of the check.
    const fit = fitBgNbd(good, { maxIterations: 5, requireConvergence: false });
    expect(fit.converged).toBe(false);
  });

  it('a boundary optimum (every repeat buyer active at the end: no dropout signal) → degenerate', () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({ customerId: `c${i}`, frequency: 10, recency: 20, T: 20 }));
    expectCode(() => fitBgNbd(rows), 'degenerate', /boundary/, /no evidence\s+that customers churn/, /observation window/);
    expectCode(() => fitBgNbd(rows, { penalizer: 0.01 }), 'degenerate', /a diverged/, /penalizer does not fix this/);
  });
});
