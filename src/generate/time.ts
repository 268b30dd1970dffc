/**
 * Time in the generator: a position is a float number of days since the window start (UTC
 * midnight of `start`). This module turns positions into ISO 8601 timestamps and gives each
 * customer's weekly/daily activity profile, used to modulate Poisson processes by thinning.
 */

import { categorical, type Rng } from './random.js';

const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const SECONDS_PER_DAY = 86_400;

export interface Calendar {
  readonly start: string;
  readonly days: number;
  /** UTC day of week of day 0 (0 = Sunday … 6 = Saturday). */
  readonly startDow: number;
  /** `2024-03-05T14:22:10Z` for a position in days; whole seconds, clamped into the window. */
  formatTs(t: number): string;
  /** Whole seconds since the window start of a position (the resolution of written timestamps). */
  secondOf(t: number): number;
}

export function createCalendar(start: string, days: number): Calendar {
  const startMs = Date.parse(`${start}T00:00:00Z`);
  if (Number.isNaN(startMs)) throw new RangeError(`bad start date ${start}`);
  const prefixes: string[] = [];
  for (let d = 0; d < days; d++) prefixes.push(new Date(startMs + d * SECONDS_PER_DAY * 1000).toISOString().slice(0, 11));
  const lastSecond = days * SECONDS_PER_DAY - 1;
  const secondOf = (t: number): number => Math.min(lastSecond, Math.max(0, Math.floor(t * SECONDS_PER_DAY)));
  return {
    start,
    days,
    startDow: new Date(startMs).getUTCDay(),
    secondOf,
    formatTs(t: number): string {
      const s = secondOf(t);
      const d = Math.floor(s / SECONDS_PER_DAY);
      let r = s - d * SECONDS_PER_DAY;
      const h = Math.floor(r / 3600);
      r -= h * 3600;
      const m = Math.floor(r / 60);
      return `${prefixes[d]}${TWO_DIGITS[h]}:${TWO_DIGITS[m]}:${TWO_DIGITS[r - m * 60]}Z`;
    },
  };
}

/** One second, in days. */
export const ONE_SECOND = 1 / SECONDS_PER_DAY;

/**
 * A customer's relative activity by local day of week and hour, with mean 1 over a week, so a
 * Poisson process of rate λ modulated by it still has λ events per day on average.
 */
export class ActivityProfile {
  private readonly weekend: number;
  private readonly weekday: number;
  /** Upper bound of `at(t)`: the thinning envelope. */
  readonly max: number;

  /** Days to add to a position to get local time. */
  private readonly offset: number;

  /** `hours`: 24 local-hour weights with mean 1 (see `HourProfile`), shared by all customers. */
  constructor(
    private readonly startDow: number,
    weekendBoost: number,
    private readonly hours: HourProfile,
    utcOffsetHours = 0,
  ) {
    this.offset = utcOffsetHours / 24;
    this.weekend = weekendBoost;
    this.weekday = (7 - 2 * weekendBoost) / 5;
    this.max = Math.max(this.weekend, this.weekday) * hours.max;
  }

  /** Relative intensity at position t (days since start, UTC), by local day of week and hour. */
  at(t: number): number {
    const local = t + this.offset;
    const day = Math.floor(local);
    const dow = (((this.startDow + day) % 7) + 7) % 7;
    const hour = Math.min(23, Math.floor((local - day) * 24));
    return (dow === 0 || dow === 6 ? this.weekend : this.weekday) * (this.hours.weights[hour] ?? 0);
  }
}

/** Hour-of-day weights scaled to mean 1, with their maximum. */
export interface HourProfile {
  readonly weights: Float64Array;
  readonly max: number;
}

export function hourProfile(weights: readonly number[]): HourProfile {
  const normalised = normaliseHours(weights);
  return { weights: Float64Array.from(normalised), max: Math.max(...normalised) };
}

/** Scales hour weights to mean 1. */
export function normaliseHours(weights: readonly number[]): number[] {
  const mean = weights.reduce((a, b) => a + b, 0) / weights.length;
  return weights.map((w) => w / mean);
}

/**
 * The same local day as position t, at a time of day drawn from the hour weights: puts one-off
 * events (acquisition, signup, refund…) at plausible hours without moving them to another day.
 */
export function atLocalHour(rng: Rng, t: number, hourWeights: readonly number[] | Float64Array, utcOffsetHours: number): number {
  const offset = utcOffsetHours / 24;
  const day = Math.floor(t + offset);
  const hour = categorical(rng, hourWeights as readonly number[]);
  return day - offset + (hour + rng()) / 24;
}
