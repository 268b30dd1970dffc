import type { AudienceBase } from './base.js';
import type { AudienceFilter } from './filter.js';
import type { AudienceFormat } from './format.js';
import { audienceOrder } from './order.js';
import { CSV_HEADER, csvRow, memberReader, ndjsonRow } from './rows.js';
import { compileFilter, type AudienceSelection } from './select.js';

// ---------------------------------------------------------------------------------------------
// Streaming export

/** Text per chunk of an export (≈ bytes: ids and scores are ASCII). */
export const EXPORT_CHUNK_CHARS = 64 * 1024;

/**
 * The export text in chunks of about `chunkChars`: the CSV header first, then the `selection.count`
 * matching rows from `selection.start` on. Lazy: each chunk is formatted when pulled, so only a
 * chunk is held at a time however large the audience.
 */
export function* exportChunks(
  base: AudienceBase,
  filter: AudienceFilter,
  selection: Pick<AudienceSelection, 'start' | 'count'>,
  format: Exclude<AudienceFormat, 'json'>,
  chunkChars = EXPORT_CHUNK_CHARS,
): Generator<string, void, undefined> {
  const { rows } = audienceOrder(base);
  const match = compileFilter(base, filter);
  const member = memberReader(base);
  const line = format === 'csv' ? csvRow : ndjsonRow;
  let chunk = format === 'csv' ? CSV_HEADER : '';
  let left = selection.count;
  for (let p = selection.start; p < rows.length && left > 0; p++) {
    const row = rows[p]!;
    if (!match(p)) continue;
    chunk += line(member(row));
    left--;
    if (chunk.length >= chunkChars) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

/**
 * A byte stream over text chunks, pulled one chunk at a time: the consumer's pace drives the
 * producer (backpressure), and cancelling it (a client that goes away) stops the generator.
 */
export function textStream(chunks: Iterator<string, void, undefined>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const next = chunks.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value));
      },
      cancel() {
        chunks.return?.();
      },
    },
    new CountQueuingStrategy({ highWaterMark: 1 }),
  );
}

/** `audience-<as_of>.csv` / `.ndjson`. */
export function exportFilename(asOf: string, format: Exclude<AudienceFormat, 'json'>): string {
  return `audience-${asOf.replace(/[^0-9A-Za-z_-]/g, '')}.${format}`;
}
