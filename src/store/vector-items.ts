import type { DuckDBVector } from '@duckdb/node-api';

type TypedArrayOf<T> = T extends Float64ArrayConstructor ? Float64Array : T extends Uint32ArrayConstructor ? Uint32Array : never;

/**
 * The values of a DuckDB vector as the typed array the installed @duckdb/node-api keeps them in (its
 * `items`: DOUBLE as Float64Array, UINTEGER as Uint32Array), or undefined when it keeps them
 * otherwise. Not public API, hence the check; callers fall back to getItem. Only for columns
 * without NULLs: the validity bits are not looked at.
 */
export function vectorItems<T extends Float64ArrayConstructor | Uint32ArrayConstructor>(vector: DuckDBVector, type: T): TypedArrayOf<T> | undefined {
  const items = (vector as unknown as { items?: unknown }).items;
  return items instanceof type && items.length >= vector.itemCount ? (items as TypedArrayOf<T>) : undefined;
}

/** A vector's values as numbers: its typed items when kept so, else read one by one (no NULLs, as above). */
export function numbersOf(vector: DuckDBVector, type: Float64ArrayConstructor | Uint32ArrayConstructor): ArrayLike<number> {
  return vectorItems(vector, type) ?? Array.from({ length: vector.itemCount }, (_, r) => Number(vector.getItem(r)));
}
