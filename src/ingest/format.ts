import { ValidationError } from '../domain/errors.js';

export const INPUT_FORMATS = ['csv', 'ndjson', 'parquet'] as const;
export type InputFormat = (typeof INPUT_FORMATS)[number];

/** Format from `--format` or the file extension; `.gz` is looked through for CSV and NDJSON. */
export function detectFormat(file: string, override?: string): InputFormat {
  if (override) {
    if ((INPUT_FORMATS as readonly string[]).includes(override)) return override as InputFormat;
    throw new ValidationError(`--format must be one of ${INPUT_FORMATS.join(', ')}, got '${override}'`, [
      { path: ['format'], message: `unknown format '${override}'` },
    ]);
  }
  const name = file.toLowerCase().replace(/\.gz$/, '');
  if (name.endsWith('.csv') || name.endsWith('.tsv') || name.endsWith('.txt')) return 'csv';
  if (name.endsWith('.ndjson') || name.endsWith('.jsonl') || name.endsWith('.json')) return 'ndjson';
  if (name.endsWith('.parquet') || name.endsWith('.pq')) return 'parquet';
  throw new ValidationError(`Cannot tell the format of ${file} from its name; pass --format csv|ndjson|parquet`, [
    { path: ['format'], message: 'unknown file extension' },
  ]);
}

/** Parses `--map target=source,target2=source2` into target → source. */
export function parseColumnMap(spec: string | undefined, allowedTargets: readonly string[]): Record<string, string> {
  const map: Record<string, string> = {};
  if (!spec) return map;
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const target = part.slice(0, eq).trim();
    const source = part.slice(eq + 1).trim();
    if (eq <= 0 || !source) {
      throw new ValidationError(`--map entry '${part}' must look like target=source`, [{ path: ['map'], message: part }]);
    }
    if (!allowedTargets.includes(target)) {
      throw new ValidationError(`--map names unknown column '${target}'; known columns: ${allowedTargets.join(', ')}`, [
        { path: ['map', target], message: 'unknown target column' },
      ]);
    }
    // The last of two sources for one column would silently win; one source may feed two columns.
    if (Object.hasOwn(map, target)) {
      throw new ValidationError(`--map names '${target}' twice (${target}=${map[target]} and ${target}=${source}); give each column one source`, [
        { path: ['map', target], message: 'repeated target column' },
      ]);
    }
    map[target] = source;
  }
  return map;
}
