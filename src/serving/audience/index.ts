/**
 * High-potential audiences for campaign tools: the scored base filtered (potential tier, model
 * probabilities, segments, tags, consent), in one fixed order, paged by an opaque cursor, and
 * exported as CSV or NDJSON in chunks so a million rows stream in flat memory.
 *
 * - Order: potential index descending, then customer_id ascending (code-unit order). The order of a
 *   base is sorted once and cached per ScoredBase object (with the filtered fields laid out by
 *   position, so a filter over a million customers reads typed arrays); a refresh makes a new base
 *   and a new order. The match count of a filter is remembered per base, so later pages scan only
 *   from their cursor.
 * - Cursor: the sort key (potential index, customer_id) of the last row served and a tag of the
 *   base's audience order, base64url-encoded. Paging seeks to the first key after it. A cursor from
 *   an order that has changed since is refused (409): a customer whose index moved in the rescoring
 *   would be seen twice or not at all, and a campaign list must not double-send or miss anyone. An
 *   export streams a whole audience from the one base it started with.
 * - Only customers with a potential tier (i.e. a super-user score) are in any audience.
 * - A filter on a value the customer does not have (no model, or an empty prediction) does not match.
 * - Rows carry customer ids and scores only, never contact data (the store holds no raw PII).
 *   Numbers are rounded as in the score file (AUDIENCE_DECIMALS); JSON, CSV and NDJSON agree.
 *
 * One concept per file; this index re-exports the public API (helpers exported between the files,
 * such as positionColumn or tagMask, are not part of it):
 *
 * - filter.ts — the filter spec (AudienceFilterSchema) and the page-size and tag limits
 * - query.ts  — query parameters (strings) → filter spec; the request checked as a whole
 * - format.ts — the output formats and content negotiation (Accept header)
 * - base.ts   — what the audience functions read from a scored base
 * - order.ts  — the audience order cached per base, sort keys, the cursor, seeking
 * - select.ts — the filter compiled to a test per position; page selection and match totals
 * - rows.ts   — the member projection, rounding, CSV and NDJSON lines
 * - export.ts — chunked export text, the byte stream over it, the file name
 */

export type { AudienceBase } from './base.js';
export {
  AudienceFilterSchema,
  DEFAULT_AUDIENCE_TIERS,
  DEFAULT_PAGE_SIZE,
  MAX_FILTER_TAGS,
  MAX_PAGE_SIZE,
  type AudienceFilter,
} from './filter.js';
export { AUDIENCE_CONTENT_TYPES, AUDIENCE_FORMATS, formatFromAccept, type AudienceFormat } from './format.js';
export {
  AudienceQuerySchema,
  filterFromQuery,
  resolveAudienceRequest,
  type AudienceQuery,
  type AudienceRequest,
} from './query.js';
export {
  audienceOrder,
  baseTag,
  compareKeys,
  decodeCursor,
  encodeCursor,
  keyOfRow,
  seek,
  type AudienceOrder,
  type SortKey,
} from './order.js';
export { compileFilter, selectAudience, type AudienceSelection } from './select.js';
export {
  AUDIENCE_CSV_COLUMNS,
  AUDIENCE_DECIMALS,
  AudienceMemberSchema,
  consentList,
  CSV_HEADER,
  csvCell,
  csvRow,
  decimalText,
  memberReader,
  ndjsonRow,
  roundTo,
  type AudienceMember,
} from './rows.js';
export { EXPORT_CHUNK_CHARS, exportChunks, exportFilename, textStream } from './export.js';
