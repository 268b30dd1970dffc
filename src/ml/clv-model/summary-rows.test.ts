import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ingestRows, testStore } from '../../../test/helpers.js';
import { buildFeatures } from '../../features/build.js';
import type { OpenedStore } from '../../store/open.js';
import { createRng, summaryFromTransactions, type Transaction } from '../clv/index.js';
import { clvSummaryRows } from './summary-rows.js';

/**
 * Cross-check of the two repeat-purchase summary implementations: the feature builder's clv_* features
 * (SQL over the store, what training and serving use) and src/ml/clv's summaryFromTransactions (lifetimes'
 * summary_data_from_transaction_data) on the same purchases.
 */

let opened: OpenedStore;
beforeEach(async () => {
  opened = await testStore();
});
afterEach(() => opened.store.close());

type Row = Record<string, string | null>;

const AS_OF = '2024-03-31';

const HAND_MADE: Row[] = [
  // A: four purchases on three days (two on Jan 10, amounts summed), a refund (spread over the spend), a visit.
  { customer_id: 'A', type: 'purchase', ts: '2024-01-01T08:00:00Z', amount: '100' },
  { customer_id: 'A', type: 'purchase', ts: '2024-01-10T09:00:00Z', amount: '20.5' },
  { customer_id: 'A', type: 'purchase', ts: '2024-01-10T18:00:00Z', amount: '30.25' },
  { customer_id: 'A', type: 'refund', ts: '2024-01-12T10:00:00Z', amount: '30.25' },
  { customer_id: 'A', type: 'visit', ts: '2024-03-30T10:00:00Z' },
  { customer_id: 'A', type: 'purchase', ts: '2024-02-29T23:59:59Z', amount: '10' },
  // B: one day with two purchases: frequency 0.
  { customer_id: 'B', type: 'purchase', ts: '2024-02-15T00:00:00Z', amount: '5' },
  { customer_id: 'B', type: 'purchase', ts: '2024-02-15T23:59:00Z', amount: '7' },
  // C: a zone offset moves a purchase to the next UTC day (both sides use UTC days); last purchase on the as-of day.
  { customer_id: 'C', type: 'purchase', ts: '2024-03-01T23:30:00-02:00', amount: '8' },
  { customer_id: 'C', type: 'purchase', ts: '2024-03-02T12:00:00Z', amount: '9' },
  { customer_id: 'C', type: 'purchase', ts: '2024-03-31T23:59:59Z', amount: '11' },
  // D: purchases before and after the as-of day; the later one is ignored.
  { customer_id: 'D', type: 'purchase', ts: '2024-03-20', amount: '3' },
  { customer_id: 'D', type: 'purchase', ts: '2024-04-01T00:00:00Z', amount: '999' },
  // E: only after the as-of day → no summary; F: no purchases at all → no summary.
  { customer_id: 'E', type: 'purchase', ts: '2024-04-02', amount: '1' },
  { customer_id: 'F', type: 'visit', ts: '2024-01-05' },
];

/**
 * Per customer, the share of purchased amount kept after refunds before the end of `asOf` (the
 * features spread refunds over every purchase: lifetimes' summary takes the purchases as given).
 */
function keptShare(rows: Row[], asOf: string): Map<string, number> {
  const end = Date.parse(`${asOf}T00:00:00Z`) + 86_400_000;
  const sums = new Map<string, { bought: number; refunded: number }>();
  for (const r of rows) {
    const ts = Date.parse(r.ts!.length === 10 ? `${r.ts}T00:00:00Z` : r.ts!);
    if (ts >= end || (r.type !== 'purchase' && r.type !== 'refund')) continue;
    const s = sums.get(r.customer_id!) ?? { bought: 0, refunded: 0 };
    if (r.type === 'purchase') s.bought += Number(r.amount);
    else s.refunded += Number(r.amount);
    sums.set(r.customer_id!, s);
  }
  return new Map([...sums].map(([id, s]) => [id, Math.max(0, 1 - s.refunded / s.bought)]));
}

/** The purchases of `rows` as summaryFromTransactions input. */
function transactions(rows: Row[]): Transaction[] {
  return rows.filter((r) => r.type === 'purchase').map((r) => ({ customerId: r.customer_id!, ts: Date.parse(r.ts!.length === 10 ? `${r.ts}T00:00:00Z` : r.ts!), amount: Number(r.amount) }));
}

async function compare(rows: Row[], asOf: string) {
  await ingestRows(opened, rows);
  const frame = await buildFeatures(opened.store, asOf);
  const fromFeatures = clvSummaryRows(frame);
  const reference = summaryFromTransactions(transactions(rows), { observationEnd: Date.parse(`${asOf}T12:00:00Z`) });
  const byId = new Map(fromFeatures.map((r) => [r.customerId, r]));
  const kept = keptShare(rows, asOf);
  expect(fromFeatures.length).toBe(reference.length);
  for (const ref of reference) {
    const mine = byId.get(String(ref.customerId));
    expect(mine, String(ref.customerId)).toBeDefined();
    expect({ id: mine!.customerId, x: mine!.frequency, tx: mine!.recency, T: mine!.T }).toEqual({ id: ref.customerId, x: ref.frequency, tx: ref.recency, T: ref.T });
    expect(mine!.monetaryValue).toBeCloseTo(ref.monetaryValue * kept.get(String(ref.customerId))!, 9);
  }
  return { frame, fromFeatures };
}

describe('clv_* features = summaryFromTransactions on the same purchases', () => {
  it('agree on a hand-made event set (same-day purchases, zone offsets, day boundaries, refunds, later purchases)', async () => {
    const { frame, fromFeatures } = await compare(HAND_MADE, AS_OF);
    const byId = Object.fromEntries(fromFeatures.map((r) => [r.customerId, r]));
    // Hand-checked: A's days Jan 1, Jan 10 (50.75), Feb 29 (10) → x 2, t_x 59, T 90, monetary (50.75 + 10) / 2
    // = 30.375 before refunds; the refund of 30.25 out of 160.75 bought leaves each purchase 130.5 / 160.75.
    expect(byId.A).toMatchObject({ frequency: 2, recency: 59, T: 90 });
    expect(byId.A!.monetaryValue).toBeCloseTo(30.375 * (130.5 / 160.75), 12);
    expect(byId.B).toMatchObject({ frequency: 0, recency: 0, T: 45, monetaryValue: 0 });
    expect(byId.C).toMatchObject({ frequency: 1, recency: 29, T: 29, monetaryValue: 11 }); // Mar 2 (8 + 9), Mar 31
    expect(byId.D).toMatchObject({ frequency: 0, recency: 0, T: 11 });
    // E and F are customers in the frame, without a summary row (empty clv_* features).
    for (const id of ['E', 'F']) {
      const i = frame.customerIds.indexOf(id);
      if (i >= 0) expect(frame.numeric.clv_frequency![i]).toBeNaN();
      expect(byId[id]).toBeUndefined();
    }
  });

  it('agree on 40 random customers with random purchase times and amounts', async () => {
    const rng = createRng(20240611);
    const start = Date.parse('2023-01-01T00:00:00Z');
    const rows: Row[] = [];
    for (let c = 0; c < 40; c++) {
      const k = 1 + Math.floor(rng.uniform() * 12);
      for (let j = 0; j < k; j++) {
        // Clustered times so some fall on the same day; a few after the as-of day.
        const ms = start + Math.floor(rng.uniform() * 400 * 86_400_000 * (j % 3 === 0 ? 1 : 0.05 + rng.uniform() * 0.3));
        rows.push({ customer_id: `R${c}`, type: 'purchase', ts: new Date(ms).toISOString(), amount: (rng.uniform() * 200).toFixed(2), event_id: `r-${c}-${j}` });
      }
    }
    await compare(rows, '2023-12-31');
  });
});
