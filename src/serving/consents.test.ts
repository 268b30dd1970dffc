import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { csv, tempDir, testStore, writeFile } from '../../test/helpers.js';
import { ingestCustomers } from '../ingest/ingest.js';
import { consentBitsByRow, consentBitsOf, consentsFromBits } from './consents.js';

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('consents', () => {
  it('reads each customer’s consent bits from the latest profile, absent meaning none', async () => {
    const opened = await testStore();
    const load = (name: string, rows: Record<string, string>[]) =>
      ingestCustomers(opened.store, {
        identity: opened.identity,
        origin: 'cli',
        source: { kind: 'file', file: writeFile(dir, name, csv(rows)), format: 'csv' },
      });
    await load('a.csv', [
      { customer_id: 'Q', consent_email: 'true', consent_push: 'true' },
      { customer_id: 'R', consent_sms: 'false' },
    ]);
    const persons = await opened.store.all<{ person_id: number; customer_id: string }>('SELECT person_id, customer_id FROM persons ORDER BY customer_id');
    const ids = persons.map((p) => Number(p.person_id));
    const bits = await consentBitsByRow(opened.store, [...ids, 999]);
    expect(consentsFromBits(bits[0]!)).toEqual({ email: true, sms: false, line: false, push: true });
    expect(bits[1]).toBe(0);
    expect(bits[2]).toBe(0);
    // Consent withdrawn in a later profile file.
    await load('b.csv', [{ customer_id: 'Q', consent_email: 'false', consent_push: 'true' }]);
    expect(consentsFromBits(await consentBitsOf(opened.store, ids[0]!))).toEqual({ email: false, sms: false, line: false, push: true });
    opened.store.close();
  });
});
