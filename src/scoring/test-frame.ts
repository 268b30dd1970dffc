import type { FeatureFrame } from '../features/frame.js';
import { FEATURE_SCHEMA } from '../features/schema.js';

/**
 * Test helpers: FeatureFrames built by hand.
 *
 * `makeFrame(rows)` takes partial feature objects: a count feature not given is 0, any other
 * numeric feature NaN (empty), a category null. `events_all` not given is 0 for an empty row and
 * 1 + purchases_all otherwise, so a row that says anything is a customer with events.
 */
export type Row = { customer_id?: string } & Record<string, number | string | null | undefined>;

export function makeFrame(rows: Row[]): FeatureFrame {
  const n = rows.length;
  const frame: FeatureFrame = {
    n,
    personIds: rows.map((_, i) => i + 1),
    customerIds: rows.map((r, i) => r.customer_id ?? `c${i + 1}`),
    numeric: {},
    categorical: {},
  };
  for (const spec of FEATURE_SCHEMA) {
    if (spec.type === 'category') {
      frame.categorical[spec.name] = rows.map((r) => (r[spec.name] as string | null | undefined) ?? null);
      continue;
    }
    const col = new Float64Array(n);
    rows.forEach((r, i) => {
      const v = r[spec.name];
      if (v === undefined || v === null) {
        if (spec.name === 'events_all') {
          const said = Object.keys(r).some((k) => k !== 'customer_id' && r[k] !== undefined);
          col[i] = said ? 1 + (Number(r.purchases_all) || 0) : 0;
        } else col[i] = spec.type === 'count' ? 0 : Number.NaN;
      } else col[i] = Number(v);
    });
    frame.numeric[spec.name] = col;
  }
  return frame;
}

/** Row i of a frame as a frame of its own (n = 1), as the single-customer feature path builds it. */
export function sliceFrame(frame: FeatureFrame, i: number): FeatureFrame {
  const numeric: Record<string, Float64Array> = {};
  for (const [name, column] of Object.entries(frame.numeric)) numeric[name] = Float64Array.of(column[i]!);
  const categorical: Record<string, (string | null)[]> = {};
  for (const [name, column] of Object.entries(frame.categorical)) categorical[name] = [column[i]!];
  return { n: 1, personIds: [frame.personIds[i]!], customerIds: [frame.customerIds[i]!], numeric, categorical };
}

/** A buyer: purchases and purchase days as given, recency and first purchase in days. */
export function buyer(recencyDays: number, purchaseDays: number, revenueAll: number, extra: Row = {}): Row {
  return {
    recency_days: recencyDays,
    days_since_first_purchase: recencyDays,
    purchases_all: purchaseDays,
    purchase_days_all: purchaseDays,
    revenue_all: revenueAll,
    ...extra,
  };
}
