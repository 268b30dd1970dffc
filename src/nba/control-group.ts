import { hash } from 'node:crypto';

/**
 * Deterministic control group (hold-out) so the uplift of next-best actions can be measured.
 *
 * u = first 48 bits of sha256(`${salt}:${customer_id}`) ÷ 2^48, uniform in [0, 1); the customer is in
 * the control group when u < share. The same id and salt give the same answer in every process and on
 * every machine; a new salt draws a new, independent group. Membership is per customer (not per
 * request), so a held-out customer stays held out across channels and days, and outcomes of the
 * group can be compared with those of treated customers (experiment.ts).
 */
export function controlGroupDraw(customerId: string, salt: string): number {
  const digest = hash('sha256', `${salt}:${customerId}`, 'buffer');
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

export function isInControlGroup(customerId: string, group: { share: number; salt: string }): boolean {
  return group.share > 0 && controlGroupDraw(customerId, group.salt) < group.share;
}
