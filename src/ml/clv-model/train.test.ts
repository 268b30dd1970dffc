import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ingestRows, testStore } from '../../../test/helpers.js';
import { addDays } from '../../features/as-of.js';
import { generate } from '../../generate/generate.js';
import { ingestEvents } from '../../ingest/ingest.js';
import type { OpenedStore } from '../../store/open.js';
import { ClvFitError } from '../clv/index.js';
import { beatsBaseline, holdoutErrors, pearson, trainClv } from './train.js';

let opened: OpenedStore;
beforeEach(async () => {
  opened = await testStore();
});
afterEach(() => opened.store.close());

type Row = Record<string, string | null>;
const purchase = (id: string, day: string, amount = '10'): Row => ({ customer_id: id, type: 'purchase', ts: `${day}T12:00:00Z`, amount });

async function failure(promise: Promise<unknown>): Promise<ClvFitError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ClvFitError);
  return error as ClvFitError;
}

describe('trainClv fitting errors surface with their codes and messages', () => {
  it('no purchases at all', async () => {
    await ingestRows(opened, [{ customer_id: 'A', type: 'visit', ts: '2024-01-01' }]);
    const error = await failure(trainClv(opened.store, { asOf: '2024-02-01' }));
    expect(error.code).toBe('too_few_customers');
    expect(error.message).toMatch(/CLV training as of 2024-02-01: no customer has a purchase/);
  });

  it('fewer buyers than minCustomers', async () => {
    await ingestRows(opened, Array.from({ length: 20 }, (_, i) => purchase(`C${i}`, '2024-01-0' + (1 + (i % 9)))));
    const error = await failure(trainClv(opened.store, { asOf: '2024-02-01' }));
    expect(error.code).toBe('too_few_customers');
    expect(error.message).toMatch(/CLV training as of 2024-02-01: fitBgNbd: only 20 customer\(s\).*at least 100/);
  });

  it('no repeat buyer', async () => {
    await ingestRows(opened, Array.from({ length: 30 }, (_, i) => purchase(`C${i}`, addDays('2024-01-01', i))));
    const error = await failure(trainClv(opened.store, { asOf: '2024-03-01', hyper: { minCustomers: 10 } }));
    expect(error.code).toBe('no_repeat_buyers');
    expect(error.message).toMatch(/none of the 30 customers made a repeat purchase/);
  });

  it('refuses an invalid as-of day or hyperparameter before touching the data', async () => {
    await expect(trainClv(opened.store, { asOf: '2024-13-01' })).rejects.toThrow(/as_of must be a date/);
    await expect(trainClv(opened.store, { asOf: '2024-01-01', hyper: { margin: -1 } })).rejects.toThrow(/margin/);
  });
});

describe('trainClv holdout evaluation', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'propel-clv-train-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function smallBase(): Promise<string> {
    const out = path.join(dir, 'events.csv');
    const g = await generate({ customers: 500, days: 150, seed: 3, out });
    await ingestEvents(opened.store, { source: { kind: 'file', file: out, format: 'csv' }, identity: opened.identity, origin: 'cli' });
    return addDays(g.start, 149);
  }

  it('is skipped with the calibration error when too little history precedes the holdout; the served fit still trains', async () => {
    const asOf = await smallBase();
    const model = await trainClv(opened.store, { asOf, hyper: { holdoutDays: 140 } });
    expect(model.evaluation).toMatchObject({ status: 'skipped', code: 'too_few_customers', calibration_end: addDays(asOf, -140), holdout_days: 140 });
    if (model.evaluation.status === 'skipped') expect(model.evaluation.reason).toMatch(/calibration fit on purchases up to .* failed.*at least 100/);
    expect(model.params.bgnbd.r).toBeGreaterThan(0);

    const off = await trainClv(opened.store, { asOf, hyper: { holdoutDays: 0 } });
    expect(off.evaluation).toMatchObject({ status: 'skipped', code: null, holdout_days: 0 });
    // Same data and hyperparameters for the served fit: the same parameters (up to the last bits of
    // DuckDB's parallel sums in clv_monetary, which the optimiser can amplify to ~1e-7).
    const a = { ...off.params.bgnbd, ...off.params.gamma_gamma };
    const b = { ...model.params.bgnbd, ...model.params.gamma_gamma };
    for (const k of Object.keys(a) as (keyof typeof a)[]) expect(a[k] / b[k], k).toBeCloseTo(1, 4);

    // The BG/NBD penalizer leaves the spend fit alone: its penalty on v is in currency units.
    const penalized = await trainClv(opened.store, { asOf, hyper: { holdoutDays: 0, penalizer: 0.01 } });
    expect(penalized.params.bgnbd.r / off.params.bgnbd.r).not.toBeCloseTo(1, 3);
    for (const k of ['p', 'q', 'v'] as const) expect(penalized.params.gamma_gamma[k] / off.params.gamma_gamma[k], k).toBeCloseTo(1, 4);
    const spend = await trainClv(opened.store, { asOf, hyper: { holdoutDays: 0, spendPenalizer: 0.0001 } });
    expect(spend.params.gamma_gamma.v / off.params.gamma_gamma.v).not.toBeCloseTo(1, 3);
  });

  it('judges the forecast of expected counts on squared error, so a naive 0 for non-buyers cannot win on absolute error alone', () => {
    // Nine customers buy nothing in the holdout and one buys 10: the naive rate says 0 for all.
    const actual = [0, 0, 0, 0, 0, 0, 0, 0, 0, 10];
    const naive = holdoutErrors(new Array(10).fill(0), actual);
    const model = holdoutErrors([0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 6], actual);
    expect(model.mae).toBeCloseTo(1.03, 12);
    expect(naive.mae).toBe(1);
    expect(model.rmse).toBeCloseTo(Math.sqrt(2.041), 12);
    expect(beatsBaseline(model, naive)).toBe(true); // RMSE 1.43 vs 3.16, though MAE 1.03 vs 1
    expect(beatsBaseline(naive, model)).toBe(false);
  });

  it('measures errors the usual way', () => {
    const e = holdoutErrors([1, 2, 3], [1, 3, 5]);
    expect(e.mae).toBeCloseTo(1, 12);
    expect(e.rmse).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(e.total_predicted).toBe(6);
    expect(e.total_actual).toBe(9);
    expect(e.total_relative_error).toBeCloseTo(-1 / 3, 12);
    expect(e.correlation).toBeCloseTo(1, 12);
    expect(pearson([1, 1, 1], [1, 2, 3])).toBeNull();
    expect(holdoutErrors([0, 0], [0, 0]).total_relative_error).toBeNull();
  });
});
