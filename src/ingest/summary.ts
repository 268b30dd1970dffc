import { z } from 'zod';

export const RejectedRowSchema = z.object({
  line: z.number().int().describe('1-based line in the file (CSV counts its header); index in an HTTP request'),
  field: z.string(),
  reason: z.string(),
});
export type RejectedRow = z.infer<typeof RejectedRowSchema>;

/** The `--json` summary of an ingest (CONTRACT.md §2: read, ingested, duplicates, rejected, rejects_file). */
export const IngestSummarySchema = z.object({
  batch_id: z.number().int(),
  kind: z.enum(['events', 'customers']),
  read: z.number().int().describe('rows read from the input'),
  ingested: z.number().int().describe('events (or profiles) written'),
  duplicates: z.number().int().describe('events skipped because their event_id was already stored or repeated'),
  rejected: z.number().int().describe('rows not ingested because they broke a rule'),
  rejects_file: z.string().nullable(),
  persons_created: z.number().int(),
  merges: z.number().int().describe('people merged because a row linked their identifiers'),
  rejects: z.array(RejectedRowSchema).describe('the first rejected rows, one entry per broken rule'),
});
export type IngestSummary = z.infer<typeof IngestSummarySchema>;

/** How many rejected rows a summary lists in full; the rejects file and table hold all. */
export const SUMMARY_REJECTS_LIMIT = 100;
