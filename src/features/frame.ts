import { FEATURE_SCHEMA } from './schema.js';

/**
 * Features of n customers, column-wise: numeric features as Float64Array (NaN = empty),
 * category features as string arrays. Column-wise because 200k × 60 row objects are slow to build.
 */
export interface FeatureFrame {
  n: number;
  personIds: number[];
  customerIds: string[];
  numeric: Record<string, Float64Array>;
  categorical: Record<string, (string | null)[]>;
}

export function frameFromColumns(names: string[], columns: unknown[][]): FeatureFrame {
  const index = new Map(names.map((name, i) => [name, i]));
  // A result without rows may come back without columns at all.
  const column = (name: string) => columns[index.get(name)!] ?? [];
  const n = columns[0]?.length ?? 0;
  const frame: FeatureFrame = {
    n,
    personIds: column('person_id').map(Number),
    customerIds: column('customer_id') as string[],
    numeric: {},
    categorical: {},
  };
  for (const spec of FEATURE_SCHEMA) {
    const values = column(spec.name);
    if (spec.type === 'category') {
      frame.categorical[spec.name] = values as (string | null)[];
    } else {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        out[i] = v === null || v === undefined ? Number.NaN : Number(v);
      }
      frame.numeric[spec.name] = out;
    }
  }
  return frame;
}

/** One customer's features as a plain object (empty values as null), e.g. for an API response. */
export function frameRow(frame: FeatureFrame, i: number): Record<string, number | string | null> {
  const row: Record<string, number | string | null> = {};
  for (const spec of FEATURE_SCHEMA) {
    if (spec.type === 'category') row[spec.name] = frame.categorical[spec.name]![i] ?? null;
    else {
      const v = frame.numeric[spec.name]![i]!;
      row[spec.name] = Number.isNaN(v) ? null : v;
    }
  }
  return row;
}

export function indexOfPerson(frame: FeatureFrame, personId: number): number {
  return frame.personIds.indexOf(personId);
}

/** Row i of a frame as a frame of its own (n = 1). */
export function sliceFrame(frame: FeatureFrame, i: number): FeatureFrame {
  return {
    n: 1,
    personIds: [frame.personIds[i]!],
    customerIds: [frame.customerIds[i]!],
    numeric: Object.fromEntries(Object.entries(frame.numeric).map(([k, v]) => [k, v.slice(i, i + 1)])),
    categorical: Object.fromEntries(Object.entries(frame.categorical).map(([k, v]) => [k, v.slice(i, i + 1)])),
  };
}
