import { z } from 'zod';

/** Event types of the outside contract (CONTRACT.md §1). */
export const EVENT_TYPES = [
  'purchase',
  'refund',
  'visit',
  'app_session',
  'content_interaction',
  'event_participation',
  'referral',
  'share',
  'review',
  'feedback',
  'support_ticket',
  'signup',
  'trial',
  'campaign_sent',
  'campaign_opened',
  'campaign_clicked',
  'campaign_converted',
] as const;

export const EventTypeSchema = z.enum(EVENT_TYPES);
export type EventType = z.infer<typeof EventTypeSchema>;

/** Identifier columns; all identifiers on one row belong to one person (One ID). */
export const IDENTIFIER_COLUMNS = ['customer_id', 'member_id', 'email', 'phone'] as const;
export type IdentifierColumn = (typeof IDENTIFIER_COLUMNS)[number];

/** Every column of the events file format, in contract order. */
export const EVENT_COLUMNS = [
  'customer_id',
  'member_id',
  'email',
  'phone',
  'type',
  'ts',
  'event_id',
  'amount',
  'margin',
  'quantity',
  'product_id',
  'category',
  'channel',
  'duration_s',
  'rating',
  'related_customer_id',
  'campaign_id',
  'action_id',
] as const;
export type EventColumn = (typeof EVENT_COLUMNS)[number];

/** Columns of the optional customers (profile) file. */
export const CUSTOMER_COLUMNS = [
  'customer_id',
  'member_id',
  'email',
  'phone',
  'signup_ts',
  'consent_email',
  'consent_sms',
  'consent_line',
  'consent_push',
] as const;
export type CustomerColumn = (typeof CUSTOMER_COLUMNS)[number];

export const CONSENT_CHANNELS = ['email', 'sms', 'line', 'push'] as const;
export type ConsentChannel = (typeof CONSENT_CHANNELS)[number];
