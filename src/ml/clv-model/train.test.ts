import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ingestRows, testStore } from '../../../test/helpers.js';
import { addDays, latestEventDay } from '../../features/as-of.js';
import { buildFeatures } from '../../features/build.js';
import { generate } from '../../generate/generate.js';
import { ingestEvents } from '../../ingest/ingest.js';
import type { OpenedStore } from '../../store/open.js';
import { ClvFitError } from '../clv/index.js';
import { DatasetError } from '../dataset/errors.js';
import { ModelRegistry } from '../registry/registry.js';
import { runTraining, type TrainedTarget } from '../train/run.js';
import { beatsBaseline, holdoutErrors, holdoutWarnings, MAX_AGGREGATE_ERROR_SHARE, MIN_IDENTIFIED_DROPOUT_SHARE, pearson, trainClv } from './train.js';

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
    const error = await failure(trainClv(opened.store, { asOf: '2024-01-01' }));
    expect(error.code).toBe('too_few_customers');
    expect(error.message).toMatch(/CLV training as of 2024-01-01: no customer has a purchase/);
  });

  it('fewer buyers than minCustomers', async () => {
    await ingestRows(opened, Array.from({ length: 20 }, (_, i) => purchase(`C${i}`, '2024-01-0' + (1 + (i % 9)))));
    const error = await failure(trainClv(opened.store, { asOf: '2024-01-09' }));
    expect(error.code).toBe('too_few_customers');
    expect(error.message).toMatch(/CLV training as of 2024-01-09: fitBgNbd: only 20 customer\(s\).*at least 100/);
  });

  it('no repeat buyer', async () => {
    await ingestRows(opened, Array.from({ length: 30 }, (_, i) => purchase(`C${i}`, addDays('2024-01-01', i))));
    const error = await failure(trainClv(opened.store, { asOf: '2024-01-30', hyper: { minCustomers: 10 } }));
    expect(error.code).toBe('no_repeat_buyers');
    expect(error.message).toMatch(/none of the 30 customers made a repeat purchase/);
  });

  it('refuses an invalid as-of day or hyperparameter before touching the data', async () => {
    await expect(trainClv(opened.store, { asOf: '2024-13-01' })).rejects.toThrow(/as-of must be a date/);
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

  it('refuses an as-of after the latest stored event day as purchase and churn do (horizon_incomplete), so the holdout never reaches past the data', async () => {
    await smallBase();
    const latest = (await latestEventDay(opened.store))!;
    const late = addDays(latest, 389);
    const error = await trainClv(opened.store, { asOf: late }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatasetError);
    expect(error).toMatchObject({ code: 'horizon_incomplete', status: 422, issues: [{ path: ['as-of'] }] });
    expect((error as Error).message).toBe(
      `Cannot train clv as of ${late}: the store's latest event is on ${latest}, so the fit would count the 389 days after it as days without purchases, ` +
        `and its 90-day holdout (${addDays(late, -89)} to ${late}) would be checked against purchases not recorded yet. ` +
        `Use an as-of on or before ${latest}. Or ingest data through ${late}.`,
    );

    // `train --target all --as-of <after the data>`: every target refuses, and no CLV version is registered.
    const models = path.join(dir, 'models');
    const results = await runTraining(opened.store, models, { targets: ['purchase', 'churn', 'clv'], asOf: late, promote: 'never' }, () => undefined);
    for (const r of results) expect(r.error?.code, r.target).toBe('horizon_incomplete');
    expect((await new ModelRegistry(models).list('clv')).versions).toEqual([]);

    // On the latest day itself it trains, and the holdout ends there.
    const model = await trainClv(opened.store, { asOf: latest, hyper: { holdoutDays: 30 } });
    expect(model.evaluation.status).toBe('ok');
    if (model.evaluation.status === 'ok') expect(addDays(model.evaluation.calibration_end, 30)).toBe(latest);
  });

  it('carries its warnings into train --json and the model metadata, and logs them', async () => {
    await smallBase();
    const latest = (await latestEventDay(opened.store))!;
    // One extra purchase day on the last day for every customer who had bought before the holdout:
    // far more holdout purchases than any fit of the calibration period forecasts.
    const calibration = await buildFeatures(opened.store, addDays(latest, -90));
    const buyers = calibration.customerIds.filter((_, i) => !Number.isNaN(calibration.numeric.clv_frequency![i]!));
    await ingestRows(opened, buyers.map((id) => ({ ...purchase(id, latest), event_id: `surge-${id}` })));
    const logs: string[] = [];
    const models = path.join(dir, 'models');
    // One target: a failure would throw, so the result is a trained one.
    const result = (await runTraining(opened.store, models, { targets: ['clv'], promote: 'never' }, (m) => logs.push(m)))[0] as TrainedTarget;
    const warnings = (result.metrics!.holdout as { warnings: string[] }).warnings;
    expect(warnings).toContainEqual(expect.stringMatching(/^The aggregate forecast is off by −\d+%: [\d,]+ purchase days forecast over the 90 days after/));
    const registry = new ModelRegistry(models);
    const { metadata } = await registry.readMetadata('clv', result.version);
    expect((metadata.metrics.fit as { evaluation: { warnings: string[] } }).evaluation.warnings).toEqual(warnings);
    for (const w of warnings) expect(logs).toContain(`clv: holdout warning: ${w}`);
  });
});

describe('holdout warnings', () => {
  const errors = (predicted: number, actual: number) => ({ ...holdoutErrors([predicted], [actual]), total_predicted: predicted, total_actual: actual, total_relative_error: predicted / actual - 1 });

  it('flags the online-retail calibration fit: dropout not identified and a forecast 26% short of the actual total', () => {
    // The online-retail holdout (calibration up to 2011-09-10): a = 1.2e-6, b = 12,654; 3,326 purchase days forecast vs 4,483.
    const warnings = holdoutWarnings({ calibration_params: { a: 1.2e-6, b: 12654 }, model: errors(3326, 4483), holdout_days: 90, calibration_end: '2011-09-10' });
    expect(warnings).toEqual([
      "Dropout not identified: the calibration fit's dropout share a/(a+b) is 9.5e-11 (a = 1.2e-6, b = 12,654), below 0.0001, " +
        'so the fit is close to a plain NBD with P(alive) ≈ 1 for every customer and the holdout does not test dropout.',
      'The aggregate forecast is off by −26%: 3,326 purchase days forecast over the 90 days after 2011-09-10 against 4,483 actual (more than 20% either way).',
    ]);
  });

  it('says nothing for an identified dropout and an aggregate within the threshold, and flags each side of it', () => {
    const healthy = { calibration_params: { a: 0.0034, b: 6.75 }, holdout_days: 90, calibration_end: '2011-09-10' };
    expect(holdoutWarnings({ ...healthy, model: errors(4000, 4483) })).toEqual([]);
    expect(holdoutWarnings({ ...healthy, model: errors(4483 * (1 + MAX_AGGREGATE_ERROR_SHARE) + 10, 4483) })).toEqual([expect.stringMatching(/off by \+2\d%/)]);
    expect(holdoutWarnings({ ...healthy, model: { ...errors(0, 0), total_relative_error: null } })).toEqual([]);
    const edge = MIN_IDENTIFIED_DROPOUT_SHARE / 2;
    expect(holdoutWarnings({ ...healthy, calibration_params: { a: edge, b: 1 - edge }, model: errors(4483, 4483) })).toEqual([expect.stringMatching(/^Dropout not identified/)]);
  });
});
