import type { AddressInfo } from 'node:net';
import v8 from 'node:v8';
import vm from 'node:vm';
import { serve } from '@hono/node-server';
import { createKey, KeyRing } from '../../src/auth/api-keys.js';
import { createApp } from '../../src/http/app.js';
import { LIFECYCLE_SEGMENTS, RFM_SEGMENTS, VALUE_TIERS, type CustomerScore, type PotentialTier } from '../../src/scoring/index.js';
import { audienceOrder, exportChunks, selectAudience, type AudienceBase } from '../../src/serving/audience/index.js';
import type { ScoredBase } from '../../src/serving/base-scores.js';
import { formatNumber, percentile, table } from './util.js';

/**
 * `npm run bench -- export [--rows 1000000] [--only csv|ndjson]`: streams the CSV and NDJSON export of
 * every row of a synthetic scored base (built in memory, no DuckDB) and reports throughput and memory
 * before and at peak (sampled every 50 ms). In the same run, for scale: formatting alone (the chunk
 * generator with no stream or HTTP), and the naive way — the whole export built as one string — whose
 * peak is what streaming avoids. Memory is flat when peak − before stays small next to the output size.
 */
export async function run(argv: string[]): Promise<void> {
  const rows = Number(flag(argv, '--rows') ?? 1_000_000);
  const only = flag(argv, '--only');
  const formats = (only ? [only] : ['csv', 'ndjson']) as ('csv' | 'ndjson')[];
  const gc = exposeGc();

  process.stderr.write(`building a synthetic scored base of ${formatNumber(rows)} customers ...\n`);
  const base = syntheticBase(rows);
  const { token, record } = createKey('bench', ['audiences:read']);
  // The route reads only scorer.current; nothing else of the deps is touched by an export.
  const app = createApp({ store: undefined as never, identity: undefined as never, keys: new KeyRing([record]), scorer: { current: base } as never });
  const headers = { authorization: `Bearer ${token}` };
  const query = 'tier=super_user,high,medium,low';

  gc();
  const sortStart = performance.now();
  audienceOrder(base); // sorted once per base; the first request pays for it
  const sortSeconds = (performance.now() - sortStart) / 1000;
  // JSON pages: the first request of a filter counts its matches over the whole base; the pages
  // after it (through next_cursor) scan only from the cursor.
  const pages: (string | number)[][] = [];
  for (const filter of [query, 'min_purchase_probability=0.5&consent=email&lifecycle_segment=core,new']) {
    const latencies: number[] = [];
    let cursor: string | null = null;
    let first = 0;
    let total = 0;
    for (let k = 0; k < 51; k++) {
      const start = performance.now();
      const res = await app.request(`/v1/audiences?${filter}&limit=100${cursor ? `&cursor=${cursor}` : ''}`, { headers });
      const body = (await res.json()) as { total: number; next_cursor: string | null };
      const ms = performance.now() - start;
      if (k === 0) (first = ms), (total = body.total);
      else latencies.push(ms);
      cursor = body.next_cursor;
      if (!cursor) break;
    }
    latencies.sort((a, b) => a - b);
    pages.push([`?${filter}`, total, first, percentile(latencies, 50), percentile(latencies, 99)]);
  }

  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const port = (server.address() as AddressInfo).port;

  const results: Result[] = [];
  for (const format of formats) {
    const all = selectAudience(base, { tiers: ['super_user', 'high', 'medium', 'low'] }, {});
    results.push(
      await measure(gc, `${format}: format only (chunk generator, no stream)`, async (sample) => {
        let bytes = 0;
        let n = 0;
        for (const chunk of exportChunks(base, { tiers: ['super_user', 'high', 'medium', 'low'] }, all, format)) {
          bytes += Buffer.byteLength(chunk);
          if (++n % 8 === 0) sample();
        }
        return bytes;
      }),
    );
    results.push(
      await measure(gc, `${format}: GET /v1/audiences in-process (app.request)`, async (sample) => {
        const res = await app.request(`/v1/audiences?${query}&format=${format}`, { headers });
        return drain(res, sample);
      }),
    );
    results.push(
      await measure(gc, `${format}: GET /v1/audiences over HTTP (node-server)`, async (sample) => {
        const res = await fetch(`http://127.0.0.1:${port}/v1/audiences?${query}&format=${format}`, { headers });
        return drain(res, sample);
      }),
    );
    results.push(
      await measure(gc, `${format}: baseline, whole export built as one string`, async (sample) => {
        const parts: string[] = [];
        let n = 0;
        for (const chunk of exportChunks(base, { tiers: ['super_user', 'high', 'medium', 'low'] }, all, format)) {
          parts.push(chunk);
          if (++n % 8 === 0) sample();
        }
        const text = parts.join('');
        sample();
        const bytes = Buffer.byteLength(text);
        sample();
        return bytes;
      }),
    );
  }
  await new Promise<void>((resolve) => server.close(() => resolve()));

  const mib = (b: number) => b / 1024 / 1024;
  process.stdout.write(
    table([
      ['run', 'rows', 'seconds', 'rows/s', 'MB/s', 'output MiB', 'RSS before', 'RSS peak', 'heap before', 'heap peak', 'heap peak − before'],
      ...results.map((r) => [
        r.name,
        rows,
        r.seconds,
        Math.round(rows / r.seconds),
        r.bytes / 1e6 / r.seconds,
        mib(r.bytes),
        mib(r.before.rss),
        mib(r.peak.rss),
        mib(r.before.heapUsed),
        mib(r.peak.heapUsed),
        mib(r.peak.heapUsed - r.before.heapUsed),
      ]),
    ]) +
      `\nmemory in MiB; sampled every 50 ms during each run (and between chunks). The synthetic base itself holds the "before" figures.\n` +
      `order of the base (sorted once per base, cached): ${sortSeconds.toFixed(2)} s\n\n` +
      table([['JSON pages of 100 (in-process)', 'matching', 'first page ms', 'next 50 pages p50 ms', 'p99 ms'], ...pages]) +
      '\n' +
      `node ${process.version}, ${gc === noop ? 'no forced GC (run with --expose-gc for steadier "before" figures)' : 'GC forced before each run'}\n`,
  );
}

interface Usage {
  rss: number;
  heapUsed: number;
}
interface Result {
  name: string;
  seconds: number;
  bytes: number;
  before: Usage;
  peak: Usage;
}

const noop = () => {};

/** A forced GC for steady "before" figures (v8's gc made reachable without a command-line flag). */
function exposeGc(): () => void {
  try {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    return typeof gc === 'function' ? gc : noop;
  } catch {
    return noop;
  }
}

/** Runs `work`, sampling memory every 50 ms on a timer and whenever `sample` is called at least 50 ms after the last sample. */
async function measure(gc: () => void, name: string, work: (sample: () => void) => Promise<number>): Promise<Result> {
  gc();
  gc();
  const before = usage();
  const peak = { ...before };
  let last = 0;
  const take = () => {
    const u = usage();
    peak.rss = Math.max(peak.rss, u.rss);
    peak.heapUsed = Math.max(peak.heapUsed, u.heapUsed);
    last = performance.now();
  };
  // The timer catches what happens between I/O turns; `sample` what happens inside a run of
  // microtasks (an in-process stream read loop never yields to timers).
  const timer = setInterval(take, 50);
  const sample = () => {
    if (performance.now() - last >= 50) take();
  };
  const start = performance.now();
  const bytes = await work(sample);
  const seconds = (performance.now() - start) / 1000;
  take();
  clearInterval(timer);
  process.stderr.write(`${name}: ${seconds.toFixed(2)} s\n`);
  return { name, seconds, bytes, before, peak };
}

function usage(): Usage {
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed };
}

async function drain(res: Response, sample: () => void): Promise<number> {
  if (res.status !== 200 || !res.body) throw new Error(`export answered ${res.status}: ${await res.text()}`);
  const reader = res.body.getReader();
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return bytes;
    bytes += value.byteLength;
    sample();
  }
}

function flag(argv: string[], name: string): string | undefined {
  const k = argv.indexOf(name);
  return k >= 0 ? argv[k + 1] : undefined;
}

/** A scored base of n customers with the fields an audience reads, drawn from a seeded generator. */
function syntheticBase(n: number): AudienceBase & Pick<ScoredBase, 'frame'> {
  let seed = 0x9e3779b9;
  const r = () => {
    seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return seed / 2 ** 32;
  };
  const TAGS = ['referrer', 'app_heavy', 'campaign_responder', 'review_writer', 'weekend_shopper', 'high_margin_lover', 'category_fan:books', 'category_fan:toys'];
  const scores: CustomerScore[] = new Array(n);
  const customerIds: string[] = new Array(n);
  const personIds: number[] = new Array(n);
  const col = () => new Float64Array(n);
  const predictions = { purchase_probability: col(), churn_probability: col(), predicted_clv: col(), expected_purchases: col(), p_alive: col() };
  const consents = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const id = `C${String(i + 1).padStart(7, '0')}`;
    const superUser = r() * 100;
    const index = Math.min(100, Math.max(0, superUser * 0.6 + r() * 40));
    const tier: PotentialTier = index >= 80 ? 'super_user' : index >= 60 ? 'high' : index >= 40 ? 'medium' : 'low';
    const tags = TAGS.filter(() => r() < 0.15).map((tag) => ({ tag, id: tag.split(':')[0]!, strength: null, reason: null }));
    const rfm = `${1 + Math.floor(r() * 5)}${1 + Math.floor(r() * 5)}${1 + Math.floor(r() * 5)}`;
    customerIds[i] = id;
    personIds[i] = i + 1;
    scores[i] = {
      customer_id: id,
      person_id: i + 1,
      rfm_score: rfm,
      rfm_r: Number(rfm[0]),
      rfm_f: Number(rfm[1]),
      rfm_m: Number(rfm[2]),
      rfm_segment: RFM_SEGMENTS[Math.floor(r() * RFM_SEGMENTS.length)]!,
      lifecycle_segment: LIFECYCLE_SEGMENTS[Math.floor(r() * LIFECYCLE_SEGMENTS.length)]!,
      value_tier: VALUE_TIERS[Math.floor(r() * VALUE_TIERS.length)]!,
      pareto_top: false,
      super_user_score: superUser,
      super_user: null,
      potential_tier: tier,
      potential: { tier, index, strategy: '', predictions: null },
      funnel_stage: null,
      tags,
      reasons: null,
    };
    predictions.purchase_probability[i] = r() < 0.1 ? Number.NaN : r();
    predictions.churn_probability[i] = r() < 0.1 ? Number.NaN : r();
    predictions.predicted_clv[i] = r() < 0.2 ? Number.NaN : r() * 2000;
    predictions.expected_purchases[i] = r() * 10;
    predictions.p_alive[i] = r();
    consents[i] = Math.floor(r() * 16);
  }
  const frame = { n, personIds, customerIds, numeric: {}, categorical: {} };
  return { asOf: '2024-12-31', frame, scores, predictions, consents };
}
