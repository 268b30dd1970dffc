import type { FeatureFrame } from '../features/frame.js';

/** A numeric feature column of the frame; a missing column is a programming error, so it throws. */
export function numericColumn(frame: FeatureFrame, name: string): Float64Array {
  const column = frame.numeric[name];
  if (column === undefined) throw new Error(`Feature frame has no numeric column "${name}"`);
  if (column.length !== frame.n) throw new Error(`Feature column "${name}" has ${column.length} values for ${frame.n} customers`);
  return column;
}

export function categoricalColumn(frame: FeatureFrame, name: string): (string | null)[] {
  const column = frame.categorical[name];
  if (column === undefined) throw new Error(`Feature frame has no category column "${name}"`);
  return column;
}

/**
 * Who the scores speak about. A customer with no events at all (only a profile, or nothing) has
 * every behaviour score empty; a customer with events but no purchase has the non-purchase ones.
 */
export const hasEvents = (eventsAll: number): boolean => eventsAll > 0;
export const hasPurchase = (purchasesAll: number): boolean => purchasesAll > 0;

/** The "has events" flags of a frame (used to pick the base of every base-relative statistic). */
export function eventMask(frame: FeatureFrame): Uint8Array {
  const events = numericColumn(frame, 'events_all');
  const mask = new Uint8Array(frame.n);
  for (let i = 0; i < frame.n; i++) mask[i] = hasEvents(events[i]!) ? 1 : 0;
  return mask;
}
