import { setImmediate as nextTurn } from 'node:timers/promises';
import type { DuckDBResult } from '@duckdb/node-api';
import { chunksInTurns } from '../store/result-chunks.js';
import { vectorItems } from '../store/vector-items.js';
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

/**
 * A frame straight from a feature query's result, chunk by chunk: numeric features must come as
 * DOUBLE with NaN for empty (no NULLs, so no validity bits to test), ids as BIGINT, text as VARCHAR.
 * Several times faster than converting the result to JS columns first. Rows come out in person_id
 * order whatever order the result has them in.
 */
export async function frameFromResult(result: DuckDBResult): Promise<FeatureFrame> {
  const names = result.columnNames();
  const index = new Map(names.map((name, i) => [name, i]));
  const at = (name: string) => {
    const i = index.get(name);
    if (i === undefined) throw new Error(`feature query without column ${name}`);
    return i;
  };
  const personCol = at('person_id');
  const customerCol = at('customer_id');
  const numeric = FEATURE_SCHEMA.filter((f) => f.type !== 'category').map((f) => ({ name: f.name, col: at(f.name) }));
  const categorical = FEATURE_SCHEMA.filter((f) => f.type === 'category').map((f) => ({ name: f.name, col: at(f.name) }));

  const chunks = [];
  let n = 0;
  for await (const chunk of chunksInTurns(result, 1)) {
    chunks.push(chunk);
    n += chunk.rowCount;
  }
  // Rows go straight to their place in person_id order: row i of the result to position rank[i].
  const sourceIds = new Array<number>(n);
  let offset = 0;
  for (const chunk of chunks) {
    const persons = chunk.getColumnVector(personCol);
    for (let r = 0; r < chunk.rowCount; r++) sourceIds[offset + r] = Number(persons.getItem(r));
    offset += chunk.rowCount;
  }
  const rank = ranks(sourceIds);

  const frame: FeatureFrame = { n, personIds: new Array<number>(n), customerIds: new Array<string>(n), numeric: {}, categorical: {} };
  for (let i = 0; i < n; i++) frame.personIds[rank ? rank[i]! : i] = sourceIds[i]!;
  for (const f of numeric) frame.numeric[f.name] = new Float64Array(n);
  for (const f of categorical) frame.categorical[f.name] = new Array<string | null>(n);
  offset = 0;
  for (const chunk of chunks) {
    const rows = chunk.rowCount;
    const customers = chunk.getColumnVector(customerCol);
    for (let r = 0; r < rows; r++) frame.customerIds[rank ? rank[offset + r]! : offset + r] = customers.getItem(r) as string;
    for (const f of numeric) {
      const vector = chunk.getColumnVector(f.col);
      const out = frame.numeric[f.name]!;
      const items = vectorItems(vector, Float64Array);
      if (items && !rank) out.set(items.subarray(0, rows), offset);
      else if (items) for (let r = 0; r < rows; r++) out[rank![offset + r]!] = items[r]!;
      else for (let r = 0; r < rows; r++) out[rank ? rank[offset + r]! : offset + r] = (vector.getItem(r) as number | null) ?? Number.NaN;
    }
    for (const f of categorical) {
      const vector = chunk.getColumnVector(f.col);
      const out = frame.categorical[f.name]!;
      for (let r = 0; r < rows; r++) out[rank ? rank[offset + r]! : offset + r] = vector.getItem(r) as string | null;
    }
    offset += rows;
    // A chunk's ≈70 columns take a few ms to convert: a turn for requests after each one.
    await nextTurn();
  }
  return frame;
}

/** Where each id goes in ascending order (ids are distinct); undefined when already ascending. */
function ranks(ids: number[]): Uint32Array | undefined {
  let sorted = true;
  for (let i = 1; i < ids.length && sorted; i++) sorted = ids[i - 1]! < ids[i]!;
  if (sorted) return undefined;
  const order = sortOrder(ids);
  const rank = new Uint32Array(ids.length);
  for (let k = 0; k < order.length; k++) rank[order[k]!] = k;
  return rank;
}

/** Positions of `ids` in ascending order (ids are distinct). */
function sortOrder(ids: number[]): Uint32Array {
  const n = ids.length;
  const order = new Uint32Array(n);
  // Fast path: id and position packed into one exactly representable double, sorted natively.
  const shift = 2 ** Math.max(1, Math.ceil(Math.log2(n + 1)));
  if (ids.every((id) => Number.isInteger(id) && id >= 0 && id * shift < Number.MAX_SAFE_INTEGER)) {
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = ids[i]! * shift + i;
    keys.sort();
    for (let i = 0; i < n; i++) order[i] = keys[i]! % shift;
    return order;
  }
  for (let i = 0; i < n; i++) order[i] = i;
  return order.sort((a, b) => ids[a]! - ids[b]!);
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
