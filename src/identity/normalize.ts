import { sqlString } from '../store/database.js';

/**
 * SQL expressions that normalise identifiers before matching. E-mail: trimmed, lower case.
 * Phone: digits only, an international 00 prefix dropped, and a national leading 0 replaced by
 * the configured country code so `+886 912-345-678` and `0912345678` match.
 */
export interface IdentitySettings {
  hashKey: string;
  phoneCountryCode: string;
}

export function normalizedEmailSql(column: string): string {
  return `nullif(lower(trim(${column})), '')`;
}

export function normalizedPhoneSql(column: string, countryCode: string): string {
  const digits = `regexp_replace(${column}, '[^0-9]', '', 'g')`;
  const international = `CASE WHEN starts_with(${digits}, '00') THEN substr(${digits}, 3) ELSE ${digits} END`;
  const withCountry = countryCode
    ? `CASE WHEN starts_with(${digits}, '0') AND NOT starts_with(${digits}, '00') THEN ${sqlString(countryCode)} || substr(${digits}, 2) ELSE ${international} END`
    : international;
  return `nullif(${withCountry}, '')`;
}

/** Keyed hash (secret-prefixed SHA-256) of a normalised value; the raw value is never stored. */
export function keyedHashSql(normalized: string, kind: 'email' | 'phone', key: string): string {
  return `CASE WHEN ${normalized} IS NULL THEN NULL ELSE sha256(${sqlString(`${key}|${kind}|`)} || ${normalized}) END`;
}

export const EMAIL_PATTERN = '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$';
export const PHONE_MIN_DIGITS = 6;
export const PHONE_MAX_DIGITS = 15; // E.164 maximum
