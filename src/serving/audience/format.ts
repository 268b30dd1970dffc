// ---------------------------------------------------------------------------------------------
// Content negotiation

export const AUDIENCE_FORMATS = ['json', 'csv', 'ndjson'] as const;
export type AudienceFormat = (typeof AUDIENCE_FORMATS)[number];

const MEDIA = new Map<string, AudienceFormat>([
  ['application/json', 'json'],
  ['text/csv', 'csv'],
  ['application/x-ndjson', 'ndjson'],
  ['application/ndjson', 'ndjson'],
]);

/**
 * The format an Accept header asks for: the supported media type of highest q (`*\/*` and
 * `application/*` mean JSON, `text/*` CSV; on a tie the more specific, then the first listed).
 * No header, or none of ours: JSON.
 */
export function formatFromAccept(accept: string | undefined): AudienceFormat {
  if (!accept) return 'json';
  let best: { format: AudienceFormat; q: number; specific: number } | undefined;
  for (const part of accept.split(',')) {
    const [rawType, ...params] = part.split(';');
    const type = rawType!.trim().toLowerCase();
    let q = 1;
    for (const p of params) {
      const [k, v] = p.split('=').map((s) => s.trim());
      if (k?.toLowerCase() === 'q') q = Number.isFinite(Number(v)) ? Number(v) : 0;
    }
    if (!(q > 0)) continue;
    const exact = MEDIA.get(type);
    const format = exact ?? (type === '*/*' || type === 'application/*' ? 'json' : type === 'text/*' ? 'csv' : undefined);
    if (!format) continue;
    const specific = exact ? 2 : type === '*/*' ? 0 : 1;
    if (!best || q > best.q || (q === best.q && specific > best.specific)) best = { format, q, specific };
  }
  return best?.format ?? 'json';
}

export const AUDIENCE_CONTENT_TYPES: Record<AudienceFormat, string> = {
  json: 'application/json',
  csv: 'text/csv; charset=utf-8',
  ndjson: 'application/x-ndjson',
};
