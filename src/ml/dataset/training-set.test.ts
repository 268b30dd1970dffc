import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addDays } from '../../features/as-of.js';
import { buildFeatures } from '../../features/build.js';
import type { FeatureFrame } from '../../features/frame.js';
import { NUMERIC_FEATURES } from '../../features/schema.js';
import type { OpenedStore } from '../../store/open.js';
import { ingestRows, testStore } from '../../../test/helpers.js';
import { DatasetError } from './errors.js';
import { LabelDefinitionSchema, labelsAt } from './labels.js';
import { buildTrainingSet, dataFingerprint, scoringMatrix, TrainingSetMetaSchema, type TrainingSet } from './training-set.js';

let opened: OpenedStore;
beforeEach(async () => {
  opened = await testStore();
});
afterEach(() => opened.store.close());

type Row = Record<string, string | null>;
const purchase = (customer_id: string, ts: string, amount = '10'): Row => ({ customer_id, type: 'purchase', ts, amount });
const visit = (customer_id: string, ts: string): Row => ({ customer_id, type: 'visit', ts });

/**
 * ~70 events, 2024-01-01 … 2024-06-30: eight customers buying on their own rhythm (every third one
 * stops in mid-April), plus two quiet ones used by the leakage tests:
 * q buys on 2024-01-10 and 2024-02-20 only; r buys on 2024-01-15 only.
 */
function history(): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < 8; i++) {
    const stop = i % 3 === 0 ? '2024-04-15' : '2024-06-30';
    for (let day = addDays('2024-01-01', i * 3); day <= stop; day = addDays(day, 12 + 5 * i)) {
      rows.push(purchase(`c${i}`, `${day}T10:00:00Z`, String(10 + i)));
      if (i % 2 === 0) rows.push(visit(`c${i}`, `${addDays(day, 2)}T18:00:00Z`));
    }
  }
  rows.push(purchase('q', '2024-01-10'), purchase('q', '2024-02-20'), purchase('r', '2024-01-15'));
  rows.push(visit('c1', '2024-06-30T20:00:00Z')); // the latest event day
  return rows;
}

const PURCHASE = { def: { target: 'purchase' as const }, asOf: '2024-06-30' };
const D = NUMERIC_FEATURES.length;

async function personOf(customerId: string): Promise<number> {
  return (await opened.store.one<{ person_id: number }>('SELECT person_id FROM persons WHERE customer_id = ?', [customerId]))!.person_id;
}

/** The training rows that came from one cutoff. */
function rowsOfCutoff(set: TrainingSet, k: number): { X: Float32Array; y: Uint8Array } {
  const rows = [...set.train.rowCutoff.keys()].filter((i) => set.train.rowCutoff[i] === k);
  return {
    X: Float32Array.from(rows.flatMap((i) => Array.from(set.train.X.subarray(i * D, (i + 1) * D)))),
    y: Uint8Array.from(rows, (i) => set.train.y[i]!),
  };
}

function featureOf(frame: FeatureFrame, personId: number, name: string): number {
  return frame.numeric[name]![frame.personIds.indexOf(personId)]!;
}

describe('training set', () => {
  it('stacks the training cutoffs and holds out the latest cutoff, with consistent shapes and counts', async () => {
    await ingestRows(opened, history());
    const set = await buildTrainingSet(opened.store, PURCHASE);
    expect(set.featureNames).toEqual(NUMERIC_FEATURES);
    expect(set.train.cutoffs).toEqual(['2024-02-01', '2024-03-02', '2024-04-01', '2024-05-01']);
    expect(set.validation.cutoff).toBe('2024-05-31');
    expect(set.train.X.length).toBe(set.train.n * D);
    expect(set.train.y.length).toBe(set.train.n);
    expect(set.validation.X.length).toBe(set.validation.n * D);
    expect(set.validation.personIds.length).toBe(set.validation.n);
    expect(set.validation.customerIds).toEqual(expect.arrayContaining(['c0', 'q', 'r']));

    const counts = set.meta.counts;
    expect(counts.map((c) => c.role)).toEqual(['train', 'train', 'train', 'train', 'validation']);
    expect(counts.filter((c) => c.role === 'train').reduce((s, c) => s + c.population, 0)).toBe(set.train.n);
    expect(set.train.y.reduce((s, v) => s + v, 0)).toBe(counts.slice(0, 4).reduce((s, c) => s + c.positives, 0));
    expect(set.meta.baseRates.validation).toBeCloseTo(set.validation.y.reduce((s, v) => s + v, 0) / set.validation.n, 12);
    expect(set.meta.baseRates.train).toBeGreaterThan(0);
    expect(set.meta.baseRates.train).toBeLessThan(1);
    expect(set.meta.lastLabelDay).toBe('2024-06-30');
    expect(set.meta.def).toEqual({ target: 'purchase', horizonDays: 30 });
    // The metadata is plain JSON a model artifact can store and read back.
    expect(TrainingSetMetaSchema.parse(JSON.parse(JSON.stringify(set.meta)))).toEqual(set.meta);
  });

  it('builds every row with the serving path: scoringMatrix of the features as of its cutoff, labels of that cutoff', async () => {
    await ingestRows(opened, history());
    const set = await buildTrainingSet(opened.store, { ...PURCHASE, trainingCutoffs: 2 });
    const def = LabelDefinitionSchema.parse(PURCHASE.def);
    const frame = await buildFeatures(opened.store, set.validation.cutoff);
    expect(set.validation.X).toEqual(scoringMatrix(frame, NUMERIC_FEATURES)); // purchase: every customer known
    expect(set.validation.y).toEqual((await labelsAt(opened.store, def, set.validation.cutoff, frame)).labels);
    for (const [k, cutoff] of set.train.cutoffs.entries()) {
      const f = await buildFeatures(opened.store, cutoff);
      const labels = await labelsAt(opened.store, def, cutoff, f);
      const rows = rowsOfCutoff(set, k);
      expect(rows.X).toEqual(scoringMatrix(f, NUMERIC_FEATURES, labels.rowIndexes));
      expect(rows.y).toEqual(labels.labels);
    }
  });

  it('records skipped cutoffs and the churn population for a churn set', async () => {
    await ingestRows(opened, history());
    const set = await buildTrainingSet(opened.store, { def: { target: 'churn' }, asOf: '2024-06-30' });
    expect(set.validation.cutoff).toBe('2024-04-01');
    expect(set.train.cutoffs).toEqual(['2024-01-02']);
    expect(set.meta.cutoffs.skipped).toEqual(['2023-04-07', '2023-07-06', '2023-10-04']); // default k = 4, data starts 2024-01-01
    expect(set.meta.def).toEqual({ target: 'churn', horizonDays: 90, activeWindowDays: 90 });
    // Active window 2024-01-03 … 2024-04-01, label window 2024-04-02 … 2024-06-30. Hand-computed from history():
    // c3 buys every 27 days from 2024-01-10 and last on 2024-03-31; q and r stopped in February and January.
    // c0 (last 2024-04-06) and c6 (last 2024-04-14) stop in April, after the cutoff, so they did not churn.
    const churners = set.validation.customerIds.filter((_, i) => set.validation.y[i] === 1).sort();
    expect(churners).toEqual(['c3', 'q', 'r']);
    expect(set.validation.n).toBe(10);
    // At 2024-01-02 only c0 (first purchase 2024-01-01) is active, and it stays active.
    expect(set.meta.counts[0]).toMatchObject({ cutoff: '2024-01-02', role: 'train', population: 1, positives: 0 });
  });

  it('refuses an empty validation population', async () => {
    // a is active in January only: in the churn population at the training cutoff 2024-01-31, but nobody is
    // active in the 30 days before the validation cutoff 2024-04-30 (b's visit only completes the horizon).
    await ingestRows(opened, [purchase('a', '2024-01-01'), purchase('a', '2024-01-02'), visit('b', '2024-12-31')]);
    const options = { def: { target: 'churn' as const, activeWindowDays: 30 }, cutoff: '2024-04-30', trainingCutoffs: 1 };
    await expect(buildTrainingSet(opened.store, options)).rejects.toMatchObject({
      code: 'empty_population',
      message: expect.stringContaining('validation cutoff 2024-04-30'),
    });
  });
});

describe('no leakage', () => {
  it('keeps every feature identical when purchases are added after the validation cutoff, while the label flips', async () => {
    await ingestRows(opened, history());
    const before = await buildTrainingSet(opened.store, PURCHASE);
    const q = await personOf('q');
    const qRow = before.validation.personIds.indexOf(q);
    expect(before.validation.y[qRow]).toBe(0);

    // Ten purchases by q in the validation label window (2024-06-01 … 2024-06-30).
    await ingestRows(opened, Array.from({ length: 10 }, (_, i) => purchase('q', `2024-06-${String(2 + 2 * i).padStart(2, '0')}T09:00:00Z`, '500')));
    // They would change q's features if they leaked in: as of 2024-06-30 q has 12 purchases instead of 2.
    expect(featureOf(await buildFeatures(opened.store, '2024-06-30'), q, 'purchases_all')).toBe(12);

    const after = await buildTrainingSet(opened.store, PURCHASE);
    expect(after.validation.X).toEqual(before.validation.X);
    expect(after.train.X).toEqual(before.train.X);
    expect(after.train.y).toEqual(before.train.y); // training labels end on or before the validation cutoff
    expect(after.validation.y[qRow]).toBe(1);
    expect([...after.validation.y].filter((v, i) => v !== before.validation.y[i])).toHaveLength(1);
  });

  it('keeps the features of a training cutoff identical when purchases are added after it; later cutoffs see them', async () => {
    await ingestRows(opened, history());
    const before = await buildTrainingSet(opened.store, PURCHASE);
    // r bought once, on 2024-01-15; add five purchases in the label window of the first training cutoff (2024-02-01).
    await ingestRows(opened, ['02-03', '02-07', '02-11', '02-15', '02-19'].map((d) => purchase('r', `2024-${d}T12:00:00Z`, '300')));
    const after = await buildTrainingSet(opened.store, PURCHASE);

    const b0 = rowsOfCutoff(before, 0);
    const a0 = rowsOfCutoff(after, 0);
    expect(a0.X).toEqual(b0.X);
    expect([...a0.y].reduce((s, v) => s + v, 0)).toBe([...b0.y].reduce((s, v) => s + v, 0) + 1); // r: 0 → 1
    // At the next cutoff (2024-03-02) those purchases are history, and the features show them.
    expect(rowsOfCutoff(after, 1).X).not.toEqual(rowsOfCutoff(before, 1).X);
  });
});

describe('scoring matrix', () => {
  it('lays out the requested columns row-major in the requested order, keeps empty values as NaN and selects rows', async () => {
    await ingestRows(opened, [purchase('a', '2024-01-01', '5'), purchase('a', '2024-01-03', '7'), visit('b', '2024-01-02')]);
    const frame = await buildFeatures(opened.store, '2024-01-10');
    const a = frame.customerIds.indexOf('a');
    const b = frame.customerIds.indexOf('b');
    const X = scoringMatrix(frame, ['revenue_all', 'purchases_all', 'recency_days'], [b, a]);
    expect(Array.from(X)).toEqual([0, 0, Number.NaN, 12, 2, 8]);
    expect(scoringMatrix(frame, ['purchases_all']).length).toBe(frame.n);
    expect(() => scoringMatrix(frame, ['purchases_all', 'no_such_feature'])).toThrow(DatasetError);
    expect(() => scoringMatrix(frame, ['top_category'])).toThrow(/top_category/); // categorical: not a model input
  });
});

describe('data fingerprint', () => {
  it('changes when data up to the last label day changes and stays when only later data arrives', async () => {
    await ingestRows(opened, history());
    const base = (await buildTrainingSet(opened.store, PURCHASE)).meta;
    expect(base.dataFingerprint).toMatch(/^[0-9a-f]{16}$/);

    await ingestRows(opened, [purchase('c2', '2024-07-01T00:00:00Z', '99'), visit('z', '2024-08-15')]); // after 2024-06-30
    const later = (await buildTrainingSet(opened.store, PURCHASE)).meta;
    expect(later.dataFingerprint).toBe(base.dataFingerprint);
    expect(later.dataSummary).toEqual(base.dataSummary);

    await ingestRows(opened, [visit('c5', '2024-06-30T23:59:59Z')]); // the last second of the last label day
    const edited = await dataFingerprint(opened.store, base.lastLabelDay); // what buildTrainingSet records
    expect(edited.fingerprint).not.toBe(base.dataFingerprint);
    expect(edited.summary.events).toBe(base.dataSummary.events + 1);
  });

  it('tells apart data differing only in an amount or a timestamp', async () => {
    const day = '2024-03-31';
    const print = async (rows: Row[]) => {
      const o = await testStore();
      try {
        await ingestRows(o, rows);
        return (await dataFingerprint(o.store, day)).fingerprint;
      } finally {
        o.store.close();
      }
    };
    const base = await print([purchase('a', '2024-01-01'), purchase('a', '2024-02-01'), purchase('a', '2024-03-01')]);
    expect(await print([purchase('a', '2024-01-01'), purchase('a', '2024-02-01'), purchase('a', '2024-03-01')])).toBe(base);
    expect(await print([purchase('a', '2024-01-01'), purchase('a', '2024-02-01', '10.01'), purchase('a', '2024-03-01')])).not.toBe(base);
    expect(await print([purchase('a', '2024-01-01'), purchase('a', '2024-02-02'), purchase('a', '2024-03-01')])).not.toBe(base);
  });
});
