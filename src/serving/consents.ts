import { CONSENT_CHANNELS, type ConsentChannel } from '../domain/event.js';
import type { Db } from '../store/database.js';
import { chunksInTurns } from '../store/result-chunks.js';
import { numbersOf } from '../store/vector-items.js';

/**
 * Contact consents per customer, from the profile files (`consent_email`, … in the customers table;
 * absent means no consent, CONTRACT.md §1). Kept as one bit per channel so the whole base fits in a
 * byte per customer: next-best-action and audience filters read them without a query.
 */
export type Consents = Record<ConsentChannel, boolean>;

export const CONSENT_BIT: Record<ConsentChannel, number> = { email: 1, sms: 2, line: 4, push: 8 };

export function consentsFromBits(bits: number): Consents {
  return { email: (bits & 1) !== 0, sms: (bits & 2) !== 0, line: (bits & 4) !== 0, push: (bits & 8) !== 0 };
}

// A person with two profile rows (merged identities) follows the most recently loaded one.
const BITS_SQL = `
  SELECT person_id,
         arg_max(${CONSENT_CHANNELS.map((c) => `(CASE WHEN consent_${c} THEN ${CONSENT_BIT[c]} ELSE 0 END)`).join(' + ')}, batch_id) AS bits
  FROM customers`;

/** Consent bits aligned with `personIds` (0 for a person without a profile). */
export async function consentBitsByRow(db: Db, personIds: readonly number[]): Promise<Uint8Array> {
  // Read chunk by chunk with a turn of the event loop now and then: as row objects, 100k profiles
  // held a rescoring service's requests up for ≈0.1 s.
  const result = await db.connection.run(`SELECT person_id::DOUBLE AS person_id, bits::UINTEGER AS bits FROM (${BITS_SQL} GROUP BY person_id)`);
  const byPerson = new Map<number, number>();
  for await (const chunk of chunksInTurns(result, 8)) {
    const ids = numbersOf(chunk.getColumnVector(0), Float64Array);
    const bits = numbersOf(chunk.getColumnVector(1), Uint32Array);
    for (let r = 0; r < chunk.rowCount; r++) byPerson.set(ids[r]!, bits[r]!);
  }
  const out = new Uint8Array(personIds.length);
  personIds.forEach((id, i) => (out[i] = byPerson.get(id) ?? 0));
  return out;
}

export async function consentBitsOf(db: Db, personId: number): Promise<number> {
  const row = await db.one<{ bits: number }>(`${BITS_SQL} WHERE person_id = ? GROUP BY person_id`, [personId]);
  return Number(row?.bits ?? 0);
}
