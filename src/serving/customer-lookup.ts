import { NotFoundError } from '../domain/errors.js';
import type { Db } from '../store/database.js';

/**
 * The person behind a customer id (any of the customer's ids: merged people keep all of theirs).
 * Identifiers were moved to the survivor at merge time, so one lookup is enough.
 */
export async function personOfCustomer(db: Db, customerId: string): Promise<number> {
  const row = await db.one<{ person_id: number }>('SELECT person_id FROM identifiers WHERE id_key = ?', [`customer_id:${customerId}`]);
  if (!row) throw new NotFoundError(`No customer with id '${customerId}'`);
  return Number(row.person_id);
}
