/**
 * People known only by e-mail, phone or member id have no customer id; the score file, audiences
 * and the API list them as `anon-<person_id>`. Ingest refuses real ids with this prefix (any case),
 * so a listed id always names one person.
 */
export const ANONYMOUS_ID_PREFIX = 'anon-';

/** The listed id of a person, in SQL: their customer id, else anon-<person_id>. */
export function listedIdSql(customerIdColumn: string, personIdColumn: string): string {
  return `coalesce(${customerIdColumn}, '${ANONYMOUS_ID_PREFIX}' || ${personIdColumn})`;
}

/** The person id an `anon-<person_id>` names, or undefined for any other id. */
export function personOfAnonymousId(id: string): number | undefined {
  const match = /^anon-(\d{1,15})$/.exec(id);
  return match ? Number(match[1]) : undefined;
}
