import { personOfAnonymousId } from '../domain/anonymous-id.js';
import { NotFoundError } from '../domain/errors.js';
import type { Db } from '../store/database.js';

/**
 * The person behind a customer id (any of the customer's ids: merged people keep all of theirs).
 * Identifiers were moved to the survivor at merge time, so one lookup is enough.
 */
export async function personOfCustomer(db: Db, customerId: string): Promise<number> {
  const row = await db.one<{ person_id: number }>('SELECT person_id FROM identifiers WHERE id_key = ?', [`customer_id:${customerId}`]);
  if (row) return Number(row.person_id);
  const anon = personOfAnonymousId(customerId);
  if (anon !== undefined) {
    const person = await db.one<{ person_id: number }>(
      'SELECT person_id FROM persons WHERE person_id = ? AND customer_id IS NULL AND merged_into IS NULL',
      [anon],
    );
    if (person) return Number(person.person_id);
  }
  throw new NotFoundError(`No customer with id '${customerId}'`);
}
