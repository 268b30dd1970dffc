/**
 * Shapes of what the generator produces for one customer: event rows (exactly the contract's
 * columns), the profile row, the per-customer truth and unlinked identities.
 */
import type { EventColumn, EventType } from '../domain/event.js';
import type { CustomerType } from './params.js';

/** One row of the events file; keys are exactly the contract's EVENT_COLUMNS. */
export interface EventRow {
  customer_id?: string;
  member_id?: string;
  email?: string;
  phone?: string;
  type: EventType;
  ts: string;
  event_id: string;
  amount?: number;
  margin?: number;
  quantity?: number;
  product_id?: string;
  category?: string;
  channel?: string;
  duration_s?: number;
  rating?: number;
  related_customer_id?: string;
  campaign_id?: string;
  action_id?: string;
}
// Compile-time guard: EventRow has exactly the contract's columns.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _columnsMatch: Same<keyof EventRow, EventColumn> = true;
void _columnsMatch;

/** One row of the customers (profile) file. */
export interface CustomerProfile {
  customer_id: string;
  member_id?: string;
  email?: string;
  phone?: string;
  signup_ts?: string;
  consent_email: boolean;
  consent_sms: boolean;
  consent_line: boolean;
  consent_push: boolean;
}

export type IdentifierKind = 'member_id' | 'email' | 'phone';

/** What the generator knows about one customer (written to the truth file). */
export interface CustomerTruth {
  customer_id: string;
  type: CustomerType | 'prospect';
  /** Day (since start) of the first purchase; null for prospects. */
  acquisition_day: number | null;
  /** Day of the customer's first event. */
  first_touch_day: number;
  /** BG/NBD length of observation in days (days − acquisition); null for prospects. */
  T: number | null;
  lambda: number | null;
  p: number | null;
  nu: number | null;
  /** Day after which the customer is inactive (the purchase at which they dropped out; for prospects the day interest ended); null if active at the end. */
  dropout_day: number | null;
  /** Repeat purchases (BG/NBD x) and the day of the last one after acquisition (t_x); 0 and 0 without repeats. */
  x: number;
  t_x: number;
  purchases: number;
  referrals: number;
  /** Engagement multiplier of the customer (rates are base × this). */
  engagement: number;
  unlinked: IdentifierKind | null;
}

/** An identifier that no row links to the customer. */
export interface UnlinkedIdentity {
  customer_id: string;
  kind: IdentifierKind;
  /** Canonical value (rows may carry a normaliser-equivalent variant). */
  value: string;
}

export interface SimulatedCustomer {
  events: EventRow[];
  profile: CustomerProfile;
  truth: CustomerTruth;
  unlinked: UnlinkedIdentity | null;
}
