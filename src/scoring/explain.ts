/** Small formatting helpers for the human reason strings that come with every score. */

/**
 * A number for a sentence: integers as they are, others rounded to at most 2 decimals
 * (built from integers: converting a fraction to text is the slow part of writing reasons).
 */
export function fmt(v: number): string {
  if (Number.isInteger(v)) return String(v);
  if (!Number.isFinite(v)) return String(v);
  const hundredths = Math.round(Math.abs(v) * 100);
  if (!Number.isSafeInteger(hundredths)) return String(v);
  const sign = v < 0 && hundredths > 0 ? '-' : '';
  const whole = Math.floor(hundredths / 100);
  const frac = hundredths % 100;
  if (frac === 0) return sign + whole;
  return sign + whole + (frac < 10 ? '.0' + frac : frac % 10 === 0 ? '.' + frac / 10 : '.' + frac);
}

/** A share as a percentage, e.g. 0.456 → "45.6%". */
export function pct(share: number): string {
  return `${fmt(Math.round(share * 1000) / 10)}%`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${fmt(n)} ${n === 1 ? one : many}`;
}

/** "1–2×" for a band between two multiples of the typical gap. */
export function band(lo: number, hi: number): string {
  return `${fmt(lo)}–${fmt(hi)}×`;
}
