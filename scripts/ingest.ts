import path from 'node:path';
import { UsageError } from '../src/cli/args.js';
import { log, runCli } from '../src/cli/common.js';
import { nothingIngestedWarning, underOption } from '../src/cli/ingest-checks.js';
import { progressBar } from '../src/cli/progress.js';
import { CUSTOMER_COLUMNS, EVENT_COLUMNS } from '../src/domain/event.js';
import { detectFormat, parseColumnMap } from '../src/ingest/format.js';
import { ORDER_LINE_COLUMNS } from '../src/ingest/lines.js';
import type { IngestSummary } from '../src/ingest/summary.js';

const USAGE = `Usage: npm run ingest -- --events FILE [--customers FILE] [options]
  --events FILE        behaviour events (CSV, NDJSON or Parquet; .gz read too)
  --customers FILE     customer profiles with consent flags
  --format F           csv | ndjson | parquet (default: from the file extension)
  --map T=S,...        rename columns of the events file (of the customers file when it is the only one)
  --customers-map T=S,...  rename columns of the customers file when both are given
  --lines              the events file holds order lines (order_id, quantity, unit_price per line)
  --ts-format FMT      strptime format for non-ISO timestamps (e.g. %d/%m/%Y %H:%M)
  --strict             any rejected row fails the whole file; nothing is written
  --rejects-dir DIR    where rejects files go (default: beside the store, in rejects/)
  --db PATH --models DIR --json`;

const OPTIONS = {
  events: { type: 'string' },
  customers: { type: 'string' },
  format: { type: 'string' },
  map: { type: 'string' },
  'customers-map': { type: 'string' },
  lines: { type: 'boolean', default: false },
  'ts-format': { type: 'string' },
  strict: { type: 'boolean', default: false },
  'rejects-dir': { type: 'string' },
} as const;

await runCli(process.argv.slice(2), OPTIONS, USAGE, async ({ common, values }) => {
  const eventsFile = values.events as string | undefined;
  const customersFile = values.customers as string | undefined;
  if (!eventsFile && !customersFile) {
    throw new UsageError('Give --events FILE and/or --customers FILE', [{ path: ['events'], message: 'required' }], USAGE);
  }
  // Loaded only now, so that a mistyped option is answered at once.
  const [{ openStore }, { ingestCustomers, ingestEvents }] = await Promise.all([import('../src/store/open.js'), import('../src/ingest/ingest.js')]);
  const { store, identity } = await openStore(common.db, common.env);
  try {
    const shared = {
      identity,
      origin: 'cli' as const,
      strict: Boolean(values.strict),
      tsFormat: values['ts-format'] as string | undefined,
      rejectsDir: (values['rejects-dir'] as string | undefined) ?? path.join(path.dirname(common.db), 'rejects'),
    };
    const summaries: IngestSummary[] = [];
    // Profiles first, so their identifiers are known when events arrive.
    if (customersFile) {
      // One --map belongs to one file: the events file when there is one, else the customers file.
      const spec = eventsFile ? (values['customers-map'] as string | undefined) : ((values['customers-map'] ?? values.map) as string | undefined);
      const map = parseColumnMap(spec, [...CUSTOMER_COLUMNS]);
      const source = { kind: 'file' as const, file: customersFile, format: detectFormat(customersFile, values.format as string | undefined), map };
      summaries.push(await underOption('customers', () => ingestCustomers(store, { ...shared, source })));
    }
    if (eventsFile) {
      const lines = Boolean(values.lines);
      const targets = lines ? ORDER_LINE_COLUMNS : EVENT_COLUMNS;
      const map = parseColumnMap(values.map as string | undefined, [...targets]);
      const bar = progressBar(`reading ${path.basename(eventsFile)}`);
      try {
        const source = { kind: 'file' as const, file: eventsFile, format: detectFormat(eventsFile, values.format as string | undefined), map };
        summaries.push(await underOption('events', () => ingestEvents(store, { ...shared, lines, onProgress: bar.update, source })));
      } finally {
        bar.stop();
      }
    }
    const summary = summaries.length === 1 ? summaries[0]! : combine(summaries);
    const warnings = summaries.flatMap((s) => nothingIngestedWarning(s, (s.kind === 'events' ? eventsFile : customersFile)!) ?? []);
    for (const w of warnings) log(`warning: ${w}`);
    // The summary is still printed; the exit code says the run did not do its job.
    return { summary, text: summaries.map(describe).join('\n'), exitCode: warnings.length > 0 ? 1 : 0 };
  } finally {
    store.close();
  }
});

/** Both files in one run: the contract's keys hold the events' figures; each file's own summary is kept. */
function combine(summaries: IngestSummary[]) {
  const events = summaries.find((s) => s.kind === 'events')!;
  const customers = summaries.find((s) => s.kind === 'customers')!;
  return { ...events, customers };
}

function describe(s: IngestSummary): string {
  const lines = [
    `${s.kind}: read ${s.read}, ingested ${s.ingested}, duplicates ${s.duplicates}, rejected ${s.rejected}` +
      `, new people ${s.persons_created}, merges ${s.merges} (batch ${s.batch_id})`,
  ];
  if (s.rejects_file) lines.push(`  rejected rows and reasons: ${s.rejects_file}`);
  for (const r of s.rejects.slice(0, 5)) lines.push(`  line ${r.line}: ${r.field ? r.field + ': ' : ''}${r.reason}`);
  return lines.join('\n');
}
