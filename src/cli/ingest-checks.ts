import { ValidationError } from '../domain/errors.js';
import type { IngestSummary } from '../ingest/summary.js';

/**
 * The ingest library names the file it reads `file`; on the command line it is `--events` or
 * `--customers`, so a missing or unreadable file is reported under the option that named it.
 */
export async function underOption<T>(flag: 'events' | 'customers', work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof ValidationError) || !error.issues.some((i) => i.path[0] === 'file')) throw error;
    throw new ValidationError(
      error.message,
      error.issues.map((i) => (i.path[0] === 'file' ? { ...i, path: [flag, ...i.path.slice(1)] } : i)),
    );
  }
}

/**
 * A warning when rows were read but every one was rejected: usually a wrong --ts-format, --map or
 * file for the kind, which the summary alone (exit 0, ingested 0) would let pass unnoticed.
 */
export function nothingIngestedWarning(s: IngestSummary, file: string): string | null {
  if (s.ingested > 0 || s.duplicates > 0 || s.rejected === 0) return null;
  const first = s.rejects[0];
  const example = first ? ` The first: line ${first.line}, ${first.field ? `${first.field}: ` : ''}${first.reason}.` : '';
  return `nothing from ${file} was ingested: all ${s.rejected} rows were rejected.${example}${s.rejects_file ? ` Every row and reason: ${s.rejects_file}` : ''}`;
}
