import { keyedHashSql, normalizedEmailSql, normalizedPhoneSql, type IdentitySettings } from '../identity/normalize.js';
import { sqlString } from '../store/database.js';

/**
 * SQL for the identity keys of a row, '<kind>:<value>' with e-mail and phone as keyed hashes:
 * `k_customer_id, k_member_id, k_email, k_phone`, and `anchor`, the first of them.
 */
export function identityKeyColumns(identity: IdentitySettings): Record<string, string> {
  const keys = { ...plainKeyColumns(), ...hashedKeyColumns(identity) };
  return { ...keys, anchor: `coalesce(${Object.values(keys).join(', ')})` };
}

/** The identity keys as a SELECT list (`<sql> AS k_customer_id, ...`). */
export function identityKeySelect(identity: IdentitySettings): string {
  return Object.entries(identityKeyColumns(identity))
    .map(([name, sql]) => `${sql} AS ${name}`)
    .join(', ');
}

/** The keys that need a keyed hash, `k_email` and `k_phone`: worth computing once per row. */
export function hashedKeyColumns(identity: IdentitySettings): Record<string, string> {
  return {
    k_email: `'email:' || ${keyedHashSql(normalizedEmailSql('email'), 'email', identity.hashKey)}`,
    k_phone: `'phone:' || ${keyedHashSql(normalizedPhoneSql('phone', identity.phoneCountryCode), 'phone', identity.hashKey)}`,
  };
}

function plainKeyColumns(): Record<string, string> {
  return { k_customer_id: `'customer_id:' || customer_id`, k_member_id: `'member_id:' || member_id` };
}

/**
 * The distinct identity tuples `(customer_id, member_id, k_email, k_phone)` of `table` with all
 * their keys and anchor: what resolveIdentities needs, from a few rows per person instead of every row.
 */
export function identityTuplesSql(table: string): string {
  const plain = plainKeyColumns();
  const keys = [...Object.values(plain), 'k_email', 'k_phone'];
  return `SELECT customer_id, member_id, k_email, k_phone,
            ${Object.entries(plain).map(([name, sql]) => `${sql} AS ${name}`).join(', ')}, coalesce(${keys.join(', ')}) AS anchor
          FROM (SELECT DISTINCT customer_id, member_id, k_email, k_phone FROM ${table})`;
}

/** Joins rows of a table to the person of their identity tuple (`b_tuple_person`, see identityTuplesSql). */
export const TUPLE_PERSON_JOIN = ['customer_id', 'member_id', 'k_email', 'k_phone'].map((c) => `v.${c} IS NOT DISTINCT FROM p.${c}`).join(' AND ');

/**
 * The event id: the given `event_id`, else a keyed hash of the row's content, so re-ingesting a
 * file without ids adds nothing (two identical rows count as one event). Keyed, so the id does
 * not let anyone test guesses of the e-mail or phone inside it.
 */
export function eventIdSql(identity: IdentitySettings, contentColumns: readonly string[]): string {
  // Every column keeps its place and an empty value its own marker, so rows that differ only in
  // which column holds a value (customer_id 1001 vs member_id 1001) get different ids.
  const fields = contentColumns.map((c) => `coalesce(CAST(${c} AS VARCHAR), chr(0))`);
  return `coalesce(event_id, 'h:' || md5(${sqlString(identity.hashKey + '|')} || concat_ws(chr(31), ${fields.join(', ')})))`;
}
