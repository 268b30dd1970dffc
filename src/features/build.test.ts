import { describe, expect, it } from 'vitest';
import { ingestCustomers } from '../ingest/ingest.js';
import type { OpenedStore } from '../store/open.js';
import { csv, freshStoreEachTest, ingestRows, writeFile } from '../../test/helpers.js';
import { buildFeatures } from './build.js';
import { CustomerFeatures } from './customer-features.js';
import { frameRow, indexOfPerson } from './frame.js';

let opened: OpenedStore;
let dir: string;
freshStoreEachTest((o, d) => ((opened = o), (dir = d)));

const row = (r: Record<string, string>) => r as Record<string, string | null>;

async function personOf(customerId: string): Promise<number> {
  const p = await opened.store.one<{ person_id: number }>('SELECT person_id FROM persons WHERE customer_id = ?', [customerId]);
  return p!.person_id;
}

async function featuresOf(customerId: string, asOf: string) {
  const frame = await buildFeatures(opened.store, asOf);
  const i = indexOfPerson(frame, await personOf(customerId));
  return i < 0 ? undefined : frameRow(frame, i);
}

const HISTORY = [
  row({ customer_id: 'A', type: 'purchase', ts: '2024-01-01T00:00:00Z', amount: '10', margin: '4', product_id: 'p1', category: 'books' }),
  row({ customer_id: 'A', type: 'purchase', ts: '2024-01-11T00:00:00Z', amount: '20', margin: '2', product_id: 'p2', category: 'books' }),
  row({ customer_id: 'A', type: 'purchase', ts: '2024-01-13T00:00:00Z', amount: '30', product_id: 'p2', category: 'toys' }), // Saturday
  row({ customer_id: 'A', type: 'refund', ts: '2024-01-14T00:00:00Z', amount: '5' }),
  row({ customer_id: 'A', type: 'visit', ts: '2024-01-20T12:00:00Z', duration_s: '60' }),
  row({ customer_id: 'A', type: 'referral', ts: '2024-01-05', related_customer_id: 'B' }),
  row({ customer_id: 'A', type: 'referral', ts: '2024-01-06', related_customer_id: 'C' }),
  row({ customer_id: 'A', type: 'support_ticket', ts: '2024-01-07', rating: '4' }),
  row({ customer_id: 'A', type: 'support_ticket', ts: '2024-01-08', rating: '2' }),
  row({ customer_id: 'A', type: 'campaign_sent', ts: '2024-01-02', campaign_id: 'c1' }),
  row({ customer_id: 'A', type: 'campaign_sent', ts: '2024-01-03', campaign_id: 'c2' }),
  row({ customer_id: 'A', type: 'campaign_opened', ts: '2024-01-03', campaign_id: 'c2' }),
  row({ customer_id: 'B', type: 'purchase', ts: '2024-01-15', amount: '7' }),
  row({ customer_id: 'C', type: 'visit', ts: '2024-01-15' }),
];

describe('feature builder', () => {
  it('computes hand-checked recency, frequency, monetary, gaps, diversity, social and campaign features', async () => {
    await ingestRows(opened, HISTORY);
    const f = (await featuresOf('A', '2024-01-20'))!;
    // The end of 2024-01-20 is 2024-01-21T00:00Z.
    expect(f.recency_days).toBe(8); // last purchase 2024-01-13
    expect(f.days_since_first_purchase).toBe(20);
    expect(f.purchases_all).toBe(3);
    expect(f.purchases_30).toBe(3);
    expect(f.revenue_all).toBe(55); // 60 purchased − 5 refunded
    expect(f.avg_order_value_all).toBe(20);
    expect(f.refund_share_all).toBeCloseTo(5 / 60, 12);
    expect(f.margin_rate_all).toBeCloseTo(6 / 30, 12); // only purchases that carry a margin
    expect(f.mean_gap_days).toBe(6); // purchase days 1st, 11th, 13th: (13 − 1) / 2
    expect(f.distinct_products_all).toBe(2);
    expect(f.distinct_categories_all).toBe(2);
    expect(f.top_category).toBe('books');
    expect(f.top_category_share).toBeCloseTo(2 / 3, 12);
    expect(f.weekend_purchase_share).toBeCloseTo(1 / 3, 12);
    expect(f.visits_all).toBe(1);
    expect(f.referrals_all).toBe(2);
    expect(f.referred_buyers_all).toBe(1); // B bought, C did not
    expect(f.support_tickets_all).toBe(2);
    expect(f.support_satisfaction).toBe(3);
    expect(f.campaigns_sent_365).toBe(2);
    expect(f.campaign_open_rate_365).toBe(0.5);
    expect(f.campaign_click_rate_365).toBe(0);
    expect(f.avg_review_rating).toBeNull();
    expect(f.tenure_days).toBe(20);
    // Repeat-purchase summary (lifetimes' summary_data_from_transaction_data, in days, as of 2024-01-20).
    expect(f.clv_frequency).toBe(2);
    expect(f.clv_recency).toBe(12);
    expect(f.clv_t).toBe(19);
    // (20 + 30) / 2 (the first day is not a repeat), each purchase keeping 1 − 5/60 of its amount.
    expect(f.clv_monetary).toBeCloseTo(25 * (55 / 60), 12);
  });

  it('takes refunds off the Gamma-Gamma spend: a repeat order refunded in full leaves almost nothing', async () => {
    await ingestRows(opened, [
      row({ customer_id: 'R', type: 'purchase', ts: '2024-01-01T10:00:00Z', amount: '2.90' }),
      row({ customer_id: 'R', type: 'purchase', ts: '2024-01-09T10:00:00Z', amount: '168469.60' }),
      row({ customer_id: 'R', type: 'refund', ts: '2024-01-09T10:12:00Z', amount: '168469.60' }),
      row({ customer_id: 'S', type: 'purchase', ts: '2024-01-01', amount: '10' }),
      row({ customer_id: 'S', type: 'purchase', ts: '2024-01-05', amount: '10' }),
      row({ customer_id: 'S', type: 'refund', ts: '2024-01-06', amount: '50' }), // refunds above purchases: no spend left
    ]);
    const r = (await featuresOf('R', '2024-01-20'))!;
    expect(r.clv_frequency).toBe(1);
    expect(r.revenue_all).toBeCloseTo(2.9, 9);
    // 168,469.60 × (2.90 / 168,472.50): the net spend spread over both orders.
    expect(r.clv_monetary).toBeCloseTo(168469.6 * (2.9 / 168472.5), 9);
    expect((await featuresOf('S', '2024-01-20'))!.clv_monetary).toBe(0);
  });

  it('changes no feature as of T when events after T are added', async () => {
    await ingestRows(opened, HISTORY);
    const before = await buildFeatures(opened.store, '2024-01-20');
    await ingestRows(opened, [
      row({ customer_id: 'A', type: 'purchase', ts: '2024-01-21T00:00:00Z', amount: '99' }),
      row({ customer_id: 'A', type: 'visit', ts: '2024-02-01' }),
      row({ customer_id: 'C', type: 'purchase', ts: '2024-01-22', amount: '3' }), // the referral converts after T
      row({ customer_id: 'D', type: 'purchase', ts: '2024-03-01', amount: '3' }), // a customer who appears later
    ]);
    const after = await buildFeatures(opened.store, '2024-01-20');
    expect(after).toEqual(before);
    const later = (await featuresOf('A', '2024-01-22'))!;
    expect(later.referred_buyers_all).toBe(2);
    expect(later.purchases_all).toBe(4);
  });

  it('gives the same features for one customer as the batch does', async () => {
    await ingestRows(opened, HISTORY);
    const batch = await buildFeatures(opened.store, '2024-01-20');
    const single = new CustomerFeatures(opened.store);
    for (let i = 0; i < batch.n; i++) {
      const one = await single.build([batch.personIds[i]!], '2024-01-20');
      expect(one.n).toBe(1);
      expect(frameRow(one, 0)).toEqual(frameRow(batch, i));
      expect(one.customerIds[0]).toBe(batch.customerIds[i]);
    }
  });

  it('includes a customer known only from a profile, with zero counts and empty rates', async () => {
    await ingestCustomers(opened.store, {
      source: { kind: 'file', file: writeFile(dir, 'c.csv', csv([{ customer_id: 'P', signup_ts: '2024-01-10' }])), format: 'csv' },
      identity: opened.identity,
      origin: 'cli',
    });
    const f = (await featuresOf('P', '2024-01-20'))!;
    expect(f.purchases_all).toBe(0);
    expect(f.revenue_all).toBe(0);
    expect(f.recency_days).toBeNull();
    expect(f.signed_up).toBe(1);
    expect(f.tenure_days).toBe(11);
    expect(await featuresOf('P', '2024-01-05')).toBeUndefined(); // not yet signed up
  });

  it('counts a profile without a signup date as known from the day it was loaded, not at earlier cutoffs', async () => {
    await ingestCustomers(opened.store, {
      source: { kind: 'file', file: writeFile(dir, 'c.csv', csv([{ customer_id: 'Q', consent_email: 'true' }])), format: 'csv' },
      identity: opened.identity,
      origin: 'cli',
    });
    expect(await featuresOf('Q', '2024-01-20')).toBeUndefined();
    const today = new Date().toISOString().slice(0, 10);
    expect((await featuresOf('Q', today))!.purchases_all).toBe(0);
  });
});
