/**
 * Library entry point of the demo-data generator: runs the generative process (process.ts) one
 * customer at a time and streams events, profiles and the truth file to disk.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { CUSTOMER_COLUMNS, EVENT_COLUMNS, EVENT_TYPES, type EventType } from '../domain/event.js';
import {
  CUSTOMER_TYPES,
  parseGeneratorParams,
  RunOptionsSchema,
  type GeneratorParamsInput,
  type RunOptionsInput,
} from './params.js';
import { createContext, drawLatent, simulateCustomer, type CustomerProfile, type EventRow } from './process.js';
import { openTruthWriter, truthPath } from './truth.js';
import { openTableWriter, type TableWriter } from './write.js';

/** Longest stretch of synchronous generation between turns of the event loop. */
const YIELD_EVERY_MS = 10;

export interface GenerateOptions extends RunOptionsInput {
  /** Events file: .csv, .ndjson or .jsonl, optionally .gz. */
  out: string;
  /** Optional customers (profile) file, same formats. */
  customersOut?: string | undefined;
  /** Overrides of the generator parameters (defaults in params.ts). */
  params?: GeneratorParamsInput | undefined;
  /** zlib level for .gz outputs (default 6). */
  gzipLevel?: number | undefined;
  /** Called every few thousand customers and at the end. */
  onProgress?: ((customersDone: number, customersTotal: number, events: number) => void) | undefined;
}

export interface GenerateSummary {
  customers: number;
  events: number;
  out: string;
  truth: string;
  customers_out: string | null;
  bytes: number;
  seed: number;
  days: number;
  start: string;
  by_type: Record<EventType, number>;
  customer_types: Record<string, number>;
  elapsed_ms: number;
}

export async function generate(opts: GenerateOptions): Promise<GenerateSummary> {
  const began = performance.now();
  const options = RunOptionsSchema.parse({ customers: opts.customers, days: opts.days, seed: opts.seed, start: opts.start });
  const params = parseGeneratorParams(opts.params ?? {});
  const ctx = createContext(params, options);

  const truthFile = truthPath(opts.out);
  for (const p of [opts.out, opts.customersOut, truthFile]) if (p) mkdirSync(dirname(p), { recursive: true });
  const writerOptions = opts.gzipLevel === undefined ? {} : { gzipLevel: opts.gzipLevel };
  const events = openTableWriter<EventRow>(opts.out, EVENT_COLUMNS, writerOptions);
  const profiles: TableWriter<CustomerProfile> | null = opts.customersOut
    ? openTableWriter<CustomerProfile>(opts.customersOut, CUSTOMER_COLUMNS, writerOptions)
    : null;
  const truth = openTruthWriter(truthFile, params, options, { events: opts.out, customers: opts.customersOut ?? null });

  const byType = Object.fromEntries(EVENT_TYPES.map((t) => [t, 0])) as Record<EventType, number>;
  const customerTypes: Record<string, number> = Object.fromEntries([...CUSTOMER_TYPES, 'prospect'].map((t) => [t, 0]));
  let eventCount = 0;
  let droppedOut = 0;
  let unlinked = 0;
  let referred = 0;
  const total = options.customers;
  const progressEvery = Math.max(1, Math.min(5000, Math.ceil(total / 100)));

  let lastYield = performance.now();
  for (let i = 0; i < total; i++) {
    const c = simulateCustomer(ctx, drawLatent(ctx, i));
    for (const e of c.events) {
      events.write(e);
      byType[e.type]++;
      if (e.type === 'referral') referred++;
    }
    eventCount += c.events.length;
    profiles?.write(c.profile);
    truth.add(c.truth, c.unlinked);
    customerTypes[c.truth.type] = (customerTypes[c.truth.type] ?? 0) + 1;
    if (c.truth.dropout_day !== null) droppedOut++;
    if (c.unlinked) unlinked++;
    if (performance.now() - lastYield > YIELD_EVERY_MS) {
      // Let stream callbacks run (gzip compresses on the thread pool but is fed from this thread).
      await new Promise<void>((resolve) => setImmediate(resolve));
      lastYield = performance.now();
    }
    if (events.needsDrain) await events.drain();
    if (profiles?.needsDrain) await profiles.drain();
    if (truth.needsDrain) await truth.drain();
    if ((i + 1) % progressEvery === 0) opts.onProgress?.(i + 1, total, eventCount);
  }

  const written = await events.close();
  await profiles?.close();
  await truth.close({
    customers: total,
    events: eventCount,
    by_type: byType,
    customer_types: customerTypes,
    dropped_out: droppedOut,
    referrals: referred,
    unlinked_identities: unlinked,
    campaigns: ctx.campaigns.length,
  });
  opts.onProgress?.(total, total, eventCount);

  return {
    customers: total,
    events: eventCount,
    out: opts.out,
    truth: truthFile,
    customers_out: opts.customersOut ?? null,
    bytes: written.bytes,
    seed: options.seed,
    days: options.days,
    start: options.start,
    by_type: byType,
    customer_types: customerTypes,
    elapsed_ms: Math.round(performance.now() - began),
  };
}
