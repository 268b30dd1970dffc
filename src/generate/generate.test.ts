import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTOMER_COLUMNS, EVENT_COLUMNS, EVENT_TYPES } from '../domain/event.js';
import { generate, type GenerateSummary } from './generate.js';
import { normaliseEmail, normalisePhone } from './identity.js';
import { parseCsv, readCsvObjects, readNdjson, readText } from './test-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'propel-generate-'));
const CUSTOMERS = 1200;
const SEED = 7;
const START_MS = Date.parse('2024-01-01T00:00:00Z');
const END_MS = START_MS + 365 * 86_400_000;
const TS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const CUSTOMER_ID = /^C\d{6}$/;

interface Truth {
  model: { bgnbd: { r: number; alpha: number; a: number; b: number; time_unit: string }; gamma_gamma: { p: number; q: number; v: number } };
  customers: {
    customer_id: string;
    type: string;
    lambda: number | null;
    p: number | null;
    nu: number | null;
    T: number | null;
    dropout_day: number | null;
    referrals: number;
  }[];
  unlinked_identities: { customer_id: string; kind: 'member_id' | 'email' | 'phone'; value: string }[];
  realized: { events: number };
}

let csvSummary: GenerateSummary;
let csvRows: Record<string, string>[];
let ndRows: Record<string, unknown>[];
let truth: Truth;

beforeAll(async () => {
  const base = { customers: CUSTOMERS, days: 365, seed: SEED };
  csvSummary = await generate({ ...base, out: join(dir, 'ev.csv'), customersOut: join(dir, 'cust.csv') });
  await generate({ ...base, out: join(dir, 'ev.ndjson'), customersOut: join(dir, 'cust.ndjson') });
  csvRows = readCsvObjects(join(dir, 'ev.csv'));
  ndRows = readNdjson(join(dir, 'ev.ndjson'));
  truth = JSON.parse(readFileSync(join(dir, 'ev.csv.truth.json'), 'utf8')) as Truth;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('determinism', () => {
  it('writes byte-identical files for the same seed and different ones for another seed', async () => {
    const run = async (name: string, seed: number) => {
      const out = join(dir, name);
      await generate({ customers: 300, days: 120, seed, out, customersOut: join(dir, `c-${name}`) });
      return { events: readFileSync(out), truth: readFileSync(`${out}.truth.json`), customers: readFileSync(join(dir, `c-${name}`)) };
    };
    const a = await run('a.csv.gz', 1);
    const b = await run('b.csv.gz', 1);
    const c = await run('c.csv.gz', 2);
    expect(a.events.equals(b.events)).toBe(true);
    expect(a.customers.equals(b.customers)).toBe(true);
    // The truth names its own file; everything else must match.
    expect(a.truth.toString().replaceAll('a.csv.gz', 'X')).toBe(b.truth.toString().replaceAll('b.csv.gz', 'X'));
    expect(a.events.equals(c.events)).toBe(false);
    expect(readText(join(dir, 'a.csv.gz'))).not.toBe(readText(join(dir, 'c.csv.gz')));
  });
});

describe('events file', () => {
  it('has exactly the contract columns as CSV header, and as many rows as the summary says', () => {
    const [header] = parseCsv(readText(join(dir, 'ev.csv')).split('\n', 1)[0] + '\n');
    expect(header).toEqual([...EVENT_COLUMNS]);
    expect(csvRows.length).toBe(csvSummary.events);
    expect(Object.values(csvSummary.by_type).reduce((a, b) => a + b, 0)).toBe(csvSummary.events);
    expect(truth.realized.events).toBe(csvSummary.events);
    expect(csvSummary.events / CUSTOMERS).toBeGreaterThan(35); // ≈ 50 a customer a year by design
    expect(csvSummary.events / CUSTOMERS).toBeLessThan(70);
  });

  it('holds only rows that are valid under the contract', () => {
    const problems: string[] = [];
    const ids = new Set<string>();
    const customerIds = new Set(truth.customers.map((c) => c.customer_id));
    const bad = (row: Record<string, string>, why: string) => problems.push(`${row.event_id}: ${why}`);
    for (const row of csvRows) {
      if (!(EVENT_TYPES as readonly string[]).includes(row.type!)) bad(row, `type ${row.type}`);
      if (!TS.test(row.ts!)) bad(row, `ts ${row.ts}`);
      const t = Date.parse(row.ts!);
      if (!(t >= START_MS && t < END_MS)) bad(row, `ts out of window ${row.ts}`);
      if (!row.customer_id && !row.member_id && !row.email && !row.phone) bad(row, 'no identifier');
      if (!row.event_id || ids.has(row.event_id)) bad(row, 'event_id missing or repeated');
      ids.add(row.event_id!);
      if (row.type === 'purchase' || row.type === 'refund') {
        const amount = Number(row.amount);
        if (row.amount === '' || !(amount >= 0)) bad(row, `amount ${row.amount}`);
      }
      if (row.type === 'purchase' && !(Number(row.margin) >= 0 && Number(row.margin) <= Number(row.amount))) bad(row, 'margin');
      if (['review', 'feedback', 'support_ticket'].includes(row.type!) || row.rating !== '') {
        if (!['1', '2', '3', '4', '5'].includes(row.rating!)) bad(row, `rating ${row.rating}`);
      }
      if (['visit', 'app_session'].includes(row.type!) && !(Number.isInteger(Number(row.duration_s)) && Number(row.duration_s) > 0)) {
        bad(row, `duration_s ${row.duration_s}`);
      }
      if (row.type!.startsWith('campaign_') && (!row.campaign_id || !row.action_id)) bad(row, 'campaign ids');
      if (row.type === 'referral' && !customerIds.has(row.related_customer_id!)) bad(row, 'referral target');
      if (row.customer_id && !CUSTOMER_ID.test(row.customer_id)) bad(row, 'customer_id format');
    }
    expect(problems.slice(0, 20)).toEqual([]);
  });

  it('round-trips: CSV and NDJSON of the same seed parse back to the same rows', () => {
    expect(ndRows.length).toBe(csvRows.length);
    const numeric = new Set(['amount', 'margin', 'quantity', 'duration_s', 'rating']);
    const mismatches: string[] = [];
    for (let i = 0; i < csvRows.length; i++) {
      const csv = csvRows[i]!;
      const nd = ndRows[i]!;
      for (const col of EVENT_COLUMNS) {
        const fromCsv = csv[col] === '' ? undefined : numeric.has(col) ? Number(csv[col]) : csv[col];
        if (fromCsv !== nd[col]) mismatches.push(`${i}.${col}: ${String(fromCsv)} vs ${String(nd[col])}`);
      }
      for (const key of Object.keys(nd)) if (!(EVENT_COLUMNS as readonly string[]).includes(key)) mismatches.push(`${i}: extra ${key}`);
    }
    expect(mismatches.slice(0, 10)).toEqual([]);
  });
});

describe('customers file', () => {
  it('has one row per customer with the contract columns and true/false consents, in CSV and NDJSON alike', () => {
    const [header] = parseCsv(readText(join(dir, 'cust.csv')).split('\n', 1)[0] + '\n');
    expect(header).toEqual([...CUSTOMER_COLUMNS]);
    const rows = readCsvObjects(join(dir, 'cust.csv'));
    expect(rows.map((r) => r.customer_id)).toEqual(truth.customers.map((c) => c.customer_id));
    for (const r of rows) for (const c of ['consent_email', 'consent_sms', 'consent_line', 'consent_push']) expect(['true', 'false']).toContain(r[c]);
    const signups = new Map(csvRows.filter((e) => e.type === 'signup').map((e) => [e.customer_id, e.ts]));
    for (const r of rows) expect(r.signup_ts === '' ? undefined : r.signup_ts).toBe(signups.get(r.customer_id));
    const nd = readNdjson(join(dir, 'cust.ndjson'));
    expect(nd.length).toBe(rows.length);
    expect(typeof nd[0]!.consent_email).toBe('boolean');
  });
});

describe('identities (One ID)', () => {
  type Kind = 'member_id' | 'email' | 'phone';
  const normal = (kind: Kind, v: string) => (kind === 'email' ? normaliseEmail(v) : kind === 'phone' ? normalisePhone(v) : v);

  it('links every identifier to one customer by a row with customer_id, except the listed unlinked ones', () => {
    const owner = new Map<string, Set<string>>(); // "kind:value" → customer ids seen with it
    const seen = new Set<string>();
    const together = new Map<string, number>(); // identifier → rows where it sits beside another identifier
    for (const row of csvRows) {
      const keys = (['member_id', 'email', 'phone'] as Kind[]).filter((k) => row[k]).map((k) => `${k}:${normal(k, row[k]!)}`);
      for (const key of keys) {
        seen.add(key);
        if (row.customer_id) owner.set(key, (owner.get(key) ?? new Set()).add(row.customer_id));
        if (keys.length > 1 || row.customer_id) together.set(key, (together.get(key) ?? 0) + 1);
      }
    }
    const unlinked = new Set(truth.unlinked_identities.map((u) => `${u.kind}:${u.value}`));
    expect(truth.unlinked_identities.length).toBeGreaterThan(5);
    const orphans = [...seen].filter((k) => !owner.has(k) && !unlinked.has(k));
    expect(orphans).toEqual([]);
    const ambiguous = [...owner].filter(([, ids]) => ids.size > 1);
    expect(ambiguous).toEqual([]);
    const leaked = [...unlinked].filter((k) => together.has(k));
    expect(leaked).toEqual([]);
    // The unlinked identities do show up in events (otherwise the test above proves nothing).
    expect([...unlinked].filter((k) => seen.has(k)).length).toBeGreaterThan(0);
  });

  it('writes identifier variants that the documented normalisers reconcile', () => {
    const emails = csvRows.map((r) => r.email!).filter(Boolean);
    const phones = csvRows.map((r) => r.phone!).filter(Boolean);
    expect(emails.some((e) => e !== normaliseEmail(e))).toBe(true);
    expect(phones.some((p) => p !== normalisePhone(p))).toBe(true);
    const profiles = readCsvObjects(join(dir, 'cust.csv'));
    const canonicalEmails = new Set(profiles.map((p) => p.email).filter(Boolean));
    const canonicalPhones = new Set(profiles.map((p) => p.phone).filter(Boolean));
    const unlinked = new Set(truth.unlinked_identities.map((u) => u.value));
    for (const e of emails) if (!unlinked.has(normaliseEmail(e))) expect(canonicalEmails.has(normaliseEmail(e))).toBe(true);
    for (const p of phones) if (!unlinked.has(normalisePhone(p))) expect(canonicalPhones.has(normalisePhone(p))).toBe(true);
    expect([...canonicalPhones].every((p) => /^09\d{8}$/.test(p!))).toBe(true);
  });

  it('records rows that carry only a phone, only an e-mail or only a member id', () => {
    const only = (k: string) => csvRows.filter((r) => r[k] && ['customer_id', 'member_id', 'email', 'phone'].every((o) => o === k || !r[o])).length;
    expect(only('phone')).toBeGreaterThan(100);
    expect(only('email')).toBeGreaterThan(100);
    expect(only('member_id')).toBeGreaterThan(100);
  });
});

describe('truth file', () => {
  it('holds the true parameters and a customer record for everyone', () => {
    expect(truth.model.bgnbd).toEqual({ r: 0.8, alpha: 40, a: 0.8, b: 2.5, time_unit: 'days', variant: 'BG/NBD' });
    expect(truth.model.gamma_gamma).toMatchObject({ p: 6, q: 4, v: 50 });
    expect(truth.customers).toHaveLength(CUSTOMERS);
    const types = new Set(truth.customers.map((c) => c.type));
    expect([...types].sort()).toEqual(['bargain', 'browser', 'influencer', 'prospect', 'regular', 'vip']);
  });

  it('has purchaser lambdas averaging r/alpha and dropouts consistent with p', () => {
    const { r, alpha } = truth.model.bgnbd;
    const purchasers = truth.customers.filter((c) => c.type !== 'prospect');
    const lambdas = purchasers.map((c) => c.lambda!);
    const meanLambda = lambdas.reduce((s, x) => s + x, 0) / lambdas.length;
    expect(Math.abs(meanLambda - r / alpha)).toBeLessThan((5 * Math.sqrt(r)) / alpha / Math.sqrt(lambdas.length));
    let dropped = 0;
    let expected = 0;
    let variance = 0;
    for (const c of purchasers) {
      const q = 1 - Math.exp(-c.lambda! * c.p! * c.T!);
      dropped += c.dropout_day === null ? 0 : 1;
      expected += q;
      variance += q * (1 - q);
    }
    expect(Math.abs(dropped - expected)).toBeLessThan(5 * Math.sqrt(variance));
    expect(truth.customers.filter((c) => c.type === 'prospect').every((c) => c.lambda === null && c.p === null && c.nu === null)).toBe(true);
  });

  it('shows influencers spending less but referring more than vips', () => {
    const group = (t: string) => truth.customers.filter((c) => c.type === t);
    const meanOf = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const p = truth.model.gamma_gamma.p;
    expect(meanOf(group('influencer').map((c) => p / c.nu!))).toBeLessThan(meanOf(group('vip').map((c) => p / c.nu!)));
    expect(meanOf(group('influencer').map((c) => c.referrals))).toBeGreaterThan(meanOf(group('vip').map((c) => c.referrals)));
  });
});

describe('command line', () => {
  const script = join(process.cwd(), 'scripts', 'generate.ts');
  it('writes the files and ends stdout with a one-line JSON summary', () => {
    const out = join(dir, 'cli.ndjson.gz');
    const stdout = execFileSync(
      process.execPath,
      ['--import', 'tsx', script, '--customers', '40', '--days', '30', '--seed', '3', '--start', '2023-06-01', '--out', out, '--customers-out', join(dir, 'cli-c.csv')],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const summary = JSON.parse(stdout.trimEnd().split('\n').at(-1)!) as GenerateSummary;
    expect(summary).toMatchObject({ customers: 40, out, truth: `${out}.truth.json`, seed: 3, days: 30, start: '2023-06-01' });
    expect(summary.events).toBeGreaterThan(0);
    expect(existsSync(summary.truth)).toBe(true);
    const rows = readNdjson(out);
    expect(rows).toHaveLength(summary.events);
    const lo = Date.parse('2023-06-01T00:00:00Z');
    const hi = Date.parse('2023-07-01T00:00:00Z');
    expect(rows.every((r) => Date.parse(r.ts as string) >= lo && Date.parse(r.ts as string) < hi)).toBe(true);
  });

  it('fails with exit code 2 and a message on bad options', () => {
    const res = spawnSync(process.execPath, ['--import', 'tsx', script, '--customers', 'many', '--out', join(dir, 'x.parquet')], {
      encoding: 'utf8',
    });
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/--customers|format/);
    expect(existsSync(join(dir, 'x.parquet'))).toBe(false);
  });
});
