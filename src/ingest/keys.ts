import { keyedHashSql, normalizedEmailSql, normalizedPhoneSql, type IdentitySettings } from '../identity/normalize.js';

/**
 * SQL select items for the identity keys of a staged row: `k_customer_id, k_member_id, k_email,
 * k_phone` ('<kind>:<value>', e-mail and phone as keyed hashes) and `anchor`, the first of them.
 */
export function identityKeySql(identity: IdentitySettings): string {
  const keys = {
    k_customer_id: `'customer_id:' || customer_id`,
    k_member_id: `'member_id:' || member_id`,
    k_email: `'email:' || ${keyedHashSql(normalizedEmailSql('email'), 'email', identity.hashKey)}`,
    k_phone: `'phone:' || ${keyedHashSql(normalizedPhoneSql('phone', identity.phoneCountryCode), 'phone', identity.hashKey)}`,
  };
  const items = Object.entries(keys).map(([name, expr]) => `${expr} AS ${name}`);
  return [...items, `coalesce(${Object.values(keys).join(', ')}) AS anchor`].join(',\n');
}
