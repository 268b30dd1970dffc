import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildFeatures } from '../../features/build.js';
import { frameRow, type FeatureFrame } from '../../features/frame.js';
import { ingestCustomers } from '../../ingest/ingest.js';
import type { OpenedStore } from '../../store/open.js';
import { csv, ingestRows, tempDir, testStore, writeFile } from '../../../test/helpers.js';
import { DatasetError } from './errors.js';
import { checkHorizon, horizonComplete, inLabelPopulation, LabelDefinitionSchema, labelsAt, labelWindow, type LabelSet } from './labels.js';

let opened: OpenedStore;
beforeEach(async () => {
  opened = await testStore();
});
afterEach(() => opened.store.close());

const ev = (customer_id: string, type: string, ts: string) => ({ customer_id, type, ts, amount: type === 'purchase' ? '10' : null });

// Cutoff 2024-03-31: features use ts < 2024-04-01T00:00Z.
// purchase (30 d): label window 2024-04-01T00:00Z ≤ ts < 2024-05-01T00:00Z.
// churn (90 d): label window up to ts < 2024-06-30T00:00Z; active window ts ≥ 2024-01-02T00:00Z (90 days before the end of C).
const CUTOFF = '2024-03-31';
const EVENTS = [
  ev('A', 'purchase', '2024-03-10'), ev('A', 'purchase', '2024-04-15'), // buys again: purchase 1, churn 0
  ev('B', 'visit', '2024-03-20'), ev('B', 'visit', '2024-04-05'), // only a visit after: purchase 0, churn 0
  ev('C', 'purchase', '2023-10-01'), ev('C', 'purchase', '2024-04-10'), // inactive before C: not in the churn population
  ev('D', 'purchase', '2024-03-01'), // nothing after: purchase 0, churn 1
  ev('E', 'purchase', '2024-03-15'), ev('E', 'purchase', '2024-04-30T23:59:59Z'), // last second of the horizon: counts
  ev('F', 'purchase', '2024-03-15'), ev('F', 'purchase', '2024-05-01T00:00:00Z'), // a second later: does not
  ev('G', 'visit', '2024-03-30'), ev('G', 'visit', '2024-06-30T00:00:00Z'), // just after the churn horizon: churned
  ev('H', 'visit', '2024-03-30'), ev('H', 'visit', '2024-06-29T23:59:59Z'), // last second of the churn horizon: retained
  ev('I', 'visit', '2024-03-25'), ev('I', 'purchase', '2024-04-01T00:00:00Z'), // at the end of C itself: a label, not a feature
  ev('J', 'purchase', '2024-04-10'), // first seen after C: in no population
  ev('K', 'visit', '2024-01-02T00:00:00Z'), // first instant of the active window: in the churn population
  ev('L', 'visit', '2024-01-01T23:59:59Z'), // a second before it: not
];

async function setup(): Promise<FeatureFrame> {
  await ingestRows(opened, EVENTS);
  // M: known only from a profile (signed up before C, no events): in the purchase population.
  const dir = tempDir();
  await ingestCustomers(opened.store, {
    source: { kind: 'file', file: writeFile(dir, 'c.csv', csv([{ customer_id: 'M', signup_ts: '2024-02-01' }])), format: 'csv' },
    identity: opened.identity,
    origin: 'cli',
  });
  return buildFeatures(opened.store, CUTOFF);
}

function byCustomer(frame: FeatureFrame, set: LabelSet): Record<string, number> {
  const out: Record<string, number> = {};
  set.rowIndexes.forEach((i, k) => {
    out[frame.customerIds[i]!] = set.labels[k]!;
  });
  return out;
}

describe('label definition', () => {
  it('fills the contract defaults: purchase 30 days; churn 90 days over customers active in the 90 days before', () => {
    expect(LabelDefinitionSchema.parse({ target: 'purchase' })).toEqual({ target: 'purchase', horizonDays: 30 });
    expect(LabelDefinitionSchema.parse({ target: 'churn' })).toEqual({ target: 'churn', horizonDays: 90, activeWindowDays: 90 });
    expect(LabelDefinitionSchema.parse({ target: 'churn', horizonDays: 60, activeWindowDays: 30 })).toEqual({
      target: 'churn',
      horizonDays: 60,
      activeWindowDays: 30,
    });
  });

  it('rejects unknown targets, non-positive horizons and options of another target', () => {
    expect(LabelDefinitionSchema.safeParse({ target: 'clv' }).success).toBe(false);
    expect(LabelDefinitionSchema.safeParse({ target: 'purchase', horizonDays: 0 }).success).toBe(false);
    expect(LabelDefinitionSchema.safeParse({ target: 'purchase', horizonDays: 7.5 }).success).toBe(false);
    expect(LabelDefinitionSchema.safeParse({ target: 'purchase', activeWindowDays: 30 }).success).toBe(false);
  });

  it('puts the label window right after the end of the cutoff day, through the end of the last horizon day', () => {
    expect(labelWindow('2024-03-31', 30)).toEqual({
      firstDay: '2024-04-01',
      lastDay: '2024-04-30',
      start: '2024-04-01 00:00:00',
      end: '2024-05-01 00:00:00',
    });
  });
});

describe('labels at a cutoff', () => {
  it('labels purchase over every customer known at the cutoff, hand-computed', async () => {
    const frame = await setup();
    const set = await labelsAt(opened.store, LabelDefinitionSchema.parse({ target: 'purchase' }), CUTOFF, frame);
    expect(byCustomer(frame, set)).toEqual({ A: 1, B: 0, C: 1, D: 0, E: 1, F: 0, G: 0, H: 0, I: 1, K: 0, L: 0, M: 0 });
    expect(set.rowIndexes.length).toBe(frame.n); // the whole frame is the population
    expect(set.positives).toBe(4);
  });

  it('labels churn over customers active in the 90 days before the cutoff, hand-computed', async () => {
    const frame = await setup();
    const set = await labelsAt(opened.store, LabelDefinitionSchema.parse({ target: 'churn' }), CUTOFF, frame);
    // C and L (inactive in the window), M (no events) and J (unknown at C) are not in the population.
    expect(byCustomer(frame, set)).toEqual({ A: 0, B: 0, D: 1, E: 0, F: 0, G: 1, H: 0, I: 0, K: 1 });
    expect(set.positives).toBe(3);
  });

  it('uses the same activity boundary as the events_90 feature', async () => {
    const frame = await setup();
    const set = await labelsAt(opened.store, LabelDefinitionSchema.parse({ target: 'churn' }), CUTOFF, frame);
    const active = frame.numeric.events_90!;
    const expected = [...active.keys()].filter((i) => active[i]! > 0);
    expect(Array.from(set.rowIndexes)).toEqual(expected);
  });

  it('reads the same population from the features as the labels have, for each active window and for purchase', async () => {
    const frame = await setup();
    for (const input of [{ target: 'churn' }, { target: 'churn', activeWindowDays: 30 }, { target: 'purchase' }] as const) {
      const def = LabelDefinitionSchema.parse(input);
      const set = await labelsAt(opened.store, def, CUTOFF, frame);
      const fromFeatures = [...frame.customerIds.keys()].filter((i) => inLabelPopulation(def, frame, i));
      expect(fromFeatures, JSON.stringify(input)).toEqual(Array.from(set.rowIndexes));
    }
    // M, known from a profile only, is outside every churn population: no event at all.
    expect(inLabelPopulation(LabelDefinitionSchema.parse({ target: 'churn' }), frame, frame.customerIds.indexOf('M'))).toBe(false);
  });

  it('counts an event at exactly the end of the cutoff day as a label, never as a feature', async () => {
    const frame = await setup();
    const i = frame.customerIds.indexOf('I');
    expect(frameRow(frame, i).purchases_all).toBe(0);
    const set = await labelsAt(opened.store, LabelDefinitionSchema.parse({ target: 'purchase' }), CUTOFF, frame);
    expect(byCustomer(frame, set).I).toBe(1);
  });

  it('follows the horizon length: a 10-day purchase horizon drops later purchases', async () => {
    const frame = await setup();
    const set = await labelsAt(opened.store, LabelDefinitionSchema.parse({ target: 'purchase', horizonDays: 10 }), CUTOFF, frame);
    const labels = byCustomer(frame, set);
    expect(labels.C).toBe(1); // 2024-04-10, the 10th day
    expect(labels.A).toBe(0); // 2024-04-15
    expect(labels.E).toBe(0);
  });

  it('follows the active window: a 30-day window leaves out customers last seen 31 or more days before', async () => {
    const frame = await setup();
    const set = await labelsAt(opened.store, LabelDefinitionSchema.parse({ target: 'churn', activeWindowDays: 30 }), CUTOFF, frame);
    // The window starts at 2024-03-02T00:00Z: D (2024-03-01) and K (2024-01-02) fall out, B (2024-03-20) stays.
    expect(byCustomer(frame, set)).toEqual({ A: 0, B: 0, E: 0, F: 0, G: 1, H: 0, I: 0 });
  });
});

describe('horizon completeness', () => {
  it('is complete when the latest event day reaches cutoff + horizon, and not a day later', async () => {
    await setup(); // latest event: 2024-06-30
    expect(await horizonComplete(opened.store, '2024-04-01', 90)).toBe(true); // through 2024-06-30
    expect(await horizonComplete(opened.store, '2024-04-02', 90)).toBe(false); // would need 2024-07-01
    expect(await horizonComplete(opened.store, '2024-05-31', 30)).toBe(true);
    expect(await horizonComplete(opened.store, '2024-06-01', 30)).toBe(false);
  });

  it('is never complete on an empty store', async () => {
    expect(await horizonComplete(opened.store, '2024-01-01', 1)).toBe(false);
  });

  it('refuses an incomplete horizon, naming the cutoff, the window and the latest data day', () => {
    expect(() => checkHorizon('churn', '2024-04-02', 90, '2024-06-30', '2024-06-30')).toThrow(DatasetError);
    try {
      checkHorizon('churn', '2024-04-02', 90, '2024-06-30', '2024-07-31');
      expect.unreachable();
    } catch (error) {
      const e = error as DatasetError;
      expect(e.code).toBe('horizon_incomplete');
      for (const date of ['2024-04-02', '2024-04-03', '2024-07-01', '2024-06-30', '2024-04-01']) expect(e.message).toContain(date);
    }
    expect(() => checkHorizon('churn', '2024-04-01', 90, '2024-06-30', '2024-06-30')).not.toThrow();
  });
});
