import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../domain/errors.js';
import { addDays } from '../../features/as-of.js';
import type { OpenedStore } from '../../store/open.js';
import { ingestRows, testStore } from '../../../test/helpers.js';
import { planCutoffs, resolveCutoffs, type DataSpan } from './cutoffs.js';
import { DatasetError } from './errors.js';
import { LabelDefinitionSchema } from './labels.js';
import { buildTrainingSet } from './training-set.js';

const PURCHASE = LabelDefinitionSchema.parse({ target: 'purchase' });
const CHURN = LabelDefinitionSchema.parse({ target: 'churn' });
const SPAN: DataSpan = { firstEventDay: '2024-01-01', latestEventDay: '2024-06-30' };

function errorOf(fn: () => unknown): DatasetError | ValidationError {
  try {
    fn();
  } catch (error) {
    return error as DatasetError;
  }
  throw new Error('expected an error');
}

describe('rolling cutoffs', () => {
  it('validates on as-of − horizon and trains on 4 earlier cutoffs one horizon apart, oldest first', () => {
    const plan = planCutoffs(PURCHASE, {}, SPAN);
    expect(plan.asOf).toBe('2024-06-30'); // the latest event day
    expect(plan.validation).toBe('2024-05-31');
    expect(plan.training).toEqual(['2024-02-01', '2024-03-02', '2024-04-01', '2024-05-01']);
    expect(plan.step).toBe(30);
    expect(plan.lastLabelDay).toBe('2024-06-30');
    expect(plan.skipped).toEqual([]);
  });

  it('keeps every training label window on or before the validation cutoff', () => {
    for (const step of [30, 31, 45]) {
      const plan = planCutoffs(PURCHASE, { step }, SPAN);
      for (const t of plan.training) {
        expect(t < plan.validation).toBe(true);
        expect(addDays(t, PURCHASE.horizonDays) <= plan.validation).toBe(true);
      }
    }
    expect(planCutoffs(PURCHASE, { step: 45, trainingCutoffs: 3 }, SPAN).training).toEqual(['2024-01-17', '2024-03-02', '2024-04-16']);
  });

  it('holds the invariant for any horizon, step ≥ horizon, k and data span (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 0, max: 900 }),
        (horizon, extra, k, days) => {
          const def = LabelDefinitionSchema.parse({ target: 'purchase', horizonDays: horizon });
          const span = { firstEventDay: '2023-01-01', latestEventDay: addDays('2023-01-01', days) };
          let plan;
          try {
            plan = planCutoffs(def, { step: horizon + extra, trainingCutoffs: k }, span);
          } catch (error) {
            return error instanceof DatasetError; // not enough data is a clear refusal, never a leaky plan
          }
          const all = [...plan.training, plan.validation];
          return (
            plan.training.length + plan.skipped.length === k &&
            all.every((t, i) => i === 0 || all[i - 1]! < t) &&
            plan.training.every((t) => addDays(t, horizon) <= plan.validation && t >= span.firstEventDay) &&
            plan.lastLabelDay <= span.latestEventDay
          );
        },
      ),
    );
  });

  it('refuses a step shorter than the horizon', () => {
    const error = errorOf(() => planCutoffs(CHURN, { step: 60 }, { firstEventDay: '2022-01-01', latestEventDay: '2024-12-31' }));
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues[0]?.path).toEqual(['step']);
    expect(error.message).toContain('90');
  });

  it('takes --cutoff and --as-of: the cutoff is the validation cutoff, as-of bounds its label window', () => {
    expect(planCutoffs(PURCHASE, { cutoff: '2024-04-30' }, SPAN).validation).toBe('2024-04-30');
    expect(planCutoffs(PURCHASE, { cutoff: '2024-04-30' }, SPAN).training.at(-1)).toBe('2024-03-31');
    expect(planCutoffs(PURCHASE, { asOf: '2024-05-15' }, SPAN).validation).toBe('2024-04-15');
    const error = errorOf(() => planCutoffs(PURCHASE, { asOf: '2024-05-15', cutoff: '2024-04-20' }, SPAN));
    expect(error.code).toBe('horizon_incomplete');
    expect(error.message).toContain('2024-05-20'); // the label window's last day
    expect(error.message).toContain('2024-05-15'); // past the as-of day
  });

  it('skips training cutoffs before the data starts, and refuses when none is left', () => {
    const plan = planCutoffs(CHURN, {}, { firstEventDay: '2024-01-01', latestEventDay: '2024-12-31' });
    expect(plan.validation).toBe('2024-10-02');
    expect(plan.training).toEqual(['2024-01-06', '2024-04-05', '2024-07-04']);
    expect(plan.skipped).toEqual(['2023-10-08']);
    const error = errorOf(() => planCutoffs(CHURN, {}, { firstEventDay: '2024-01-01', latestEventDay: '2024-05-31' }));
    expect(error.code).toBe('insufficient_history');
    expect(error.message).toContain('2024-01-01');
  });

  it('names --as-of, not a cutoff nobody gave, when the cutoff derived from as-of falls outside the data', () => {
    const early = errorOf(() => planCutoffs(PURCHASE, { asOf: '2023-12-15' }, SPAN));
    expect(early.code).toBe('insufficient_history');
    expect(early.issues[0]?.path).toEqual(['as-of']);
    expect(early.message).toContain('(as-of 2023-12-15 − 30 days)');
    const late = errorOf(() => planCutoffs(PURCHASE, { asOf: '2024-08-01' }, SPAN));
    expect(late.code).toBe('horizon_incomplete');
    expect(late.issues[0]?.path).toEqual(['as-of']);
    // A cutoff given explicitly is named as such.
    expect(errorOf(() => planCutoffs(PURCHASE, { cutoff: '2023-11-01' }, SPAN)).issues[0]?.path).toEqual(['cutoff']);
  });

  it('rejects malformed options with the option named', () => {
    expect(errorOf(() => planCutoffs(PURCHASE, { cutoff: '2024-02-30' }, SPAN)).issues[0]?.path).toEqual(['cutoff']);
    expect(errorOf(() => planCutoffs(PURCHASE, { trainingCutoffs: 0 }, SPAN)).issues[0]?.path).toEqual(['trainingCutoffs']);
  });
});

describe('rolling cutoffs on a store', () => {
  let opened: OpenedStore;
  beforeEach(async () => {
    opened = await testStore();
  });
  afterEach(() => opened.store.close());

  it('refuses to plan on an empty store', async () => {
    await expect(resolveCutoffs(opened.store, PURCHASE, {})).rejects.toMatchObject({ code: 'no_data' });
  });

  it('refuses to train on an incomplete horizon, naming the cutoff, the horizon end and the latest data day', async () => {
    await ingestRows(opened, [
      { customer_id: 'A', type: 'purchase', ts: '2024-01-05', amount: '10' },
      { customer_id: 'A', type: 'purchase', ts: '2024-06-30T12:00:00Z', amount: '10' },
    ]);
    const build = buildTrainingSet(opened.store, { def: { target: 'purchase' }, cutoff: '2024-06-15' });
    await expect(build).rejects.toBeInstanceOf(DatasetError);
    const error = (await build.catch((e: unknown) => e)) as DatasetError;
    expect(error.code).toBe('horizon_incomplete');
    expect(error.message).toContain('2024-06-15'); // the cutoff
    expect(error.message).toContain('2024-07-15'); // where its 30-day label window ends
    expect(error.message).toContain('2024-06-30'); // the latest event day
    expect(error.message).toContain('2024-05-31'); // the latest cutoff that would work
    // An as-of later than the data moves the default cutoff past what the data can label.
    await expect(buildTrainingSet(opened.store, { def: { target: 'purchase' }, asOf: '2024-07-31' })).rejects.toMatchObject({
      code: 'horizon_incomplete',
      message: expect.stringContaining('2024-07-31'),
    });
  });
});
