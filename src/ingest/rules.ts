import { ANONYMOUS_ID_PREFIX } from '../domain/anonymous-id.js';
import { EVENT_TYPES } from '../domain/event.js';
import { EMAIL_PATTERN, PHONE_MAX_DIGITS, PHONE_MIN_DIGITS } from '../identity/normalize.js';
import { sqlIdent, sqlString } from '../store/database.js';

/**
 * Validation rules as data: each names a field, a SQL condition that is true when the row breaks
 * the rule, and a SQL expression for the message. The CLI (files) and the HTTP ingest both stage
 * rows as text and run these same rules, so an event is judged the same way on either path.
 */
export interface Rule {
  field: string;
  broken: string;
  message: string;
}

/**
 * The rules of one kind of row and the typed values they read. Each typed value (`v_<column>`,
 * name → SQL over the text columns) is computed once per row while staging, next to the text:
 * the rules test it instead of casting again in every rule, and the insert stores it as it is.
 */
export interface RuleSet {
  typed: Record<string, string>;
  rules: Rule[];
}

const col = (name: string) => sqlIdent(name);
const quoted = (name: string) => `'''' || ${col(name)} || ''''`;
/** The staged typed value of a column (see RuleSet). */
export const typedColumn = (name: string) => sqlIdent(`v_${name}`);

/**
 * SQL that parses an ISO 8601 date or date-time; no zone means UTC (the session runs in UTC).
 * The TIMESTAMPTZ → TIMESTAMP cast goes through ICU's calendar and costs ~4× the parse itself; in
 * a UTC session it keeps the instant's microseconds, which make_timestamp(epoch_us(..)) does
 * directly. It gives NULL only for ±infinity, which then take the cast.
 */
export function timestampSql(column: string, format?: string): string {
  if (format) return `try_strptime(${col(column)}, ${sqlString(format)})`;
  const tz = instantSql(col(column));
  return `coalesce(make_timestamp(epoch_us(${tz})), TRY_CAST(${tz} AS TIMESTAMP))`;
}

/**
 * The text as TIMESTAMPTZ. Values with a zone name (two letters in a row: ISO 8601 has only the
 * single letters T and Z) are cast apart from the rest: DuckDB's ICU cast keeps the last zone name
 * it read for the zoneless values after it, so a zone name would shift the next rows.
 */
function instantSql(text: string): string {
  return `CASE WHEN regexp_matches(${text}, '[A-Za-z]{2}') THEN TRY_CAST(${text} AS TIMESTAMPTZ) ELSE TRY_CAST(${text} AS TIMESTAMPTZ) END`;
}

const numberSql = (name: string) => `TRY_CAST(${col(name)} AS DOUBLE)`;
const present = (name: string) => `${col(name)} IS NOT NULL`;
const notNumber = (name: string) => `(${present(name)} AND (${typedColumn(name)} IS NULL OR NOT isfinite(${typedColumn(name)})))`;

function numberRule(name: string, min?: number): Rule[] {
  const rules: Rule[] = [{ field: name, broken: notNumber(name), message: `'${name} ' || ${quoted(name)} || ' is not a number'` }];
  if (min !== undefined) {
    rules.push({ field: name, broken: `(${typedColumn(name)} < ${min})`, message: `'${name} must be ≥ ${min}, got ' || ${col(name)}` });
  }
  return rules;
}

/** Typed values: `v_<name>` for each named number and timestamp column. */
function typedValues(numbers: string[], timestamps: string[], format?: string): Record<string, string> {
  const typed: Record<string, string> = {};
  for (const name of numbers) typed[`v_${name}`] = numberSql(name);
  for (const name of timestamps) typed[`v_${name}`] = timestampSql(name, format);
  return typed;
}

/** A customer id column must not start with the prefix of the ids given to people without one (any case). */
export function reservedPrefixRule(name: string): Rule {
  return {
    field: name,
    broken: `(${col(name)} ILIKE ${sqlString(ANONYMOUS_ID_PREFIX + '%')})`, // any case
    message: `'${name} ' || ${quoted(name)} || ' starts with ${ANONYMOUS_ID_PREFIX}, a prefix reserved for the ids given to people known only by e-mail, phone or member id'`,
  };
}

export const IDENTIFIER_RULES: Rule[] = [
  {
    field: 'customer_id',
    broken: `(customer_id IS NULL AND member_id IS NULL AND email IS NULL AND phone IS NULL)`,
    message: `'no identifier: one of customer_id, member_id, email, phone is required'`,
  },
  reservedPrefixRule('customer_id'),
  {
    field: 'email',
    broken: `(${present('email')} AND NOT regexp_matches(lower(trim(email)), ${sqlString(EMAIL_PATTERN)}))`,
    // The value is not echoed: rejects are stored, and raw e-mail and phone never are.
    message: `'email is not an e-mail address'`,
  },
  {
    field: 'phone',
    broken: `(${present('phone')} AND length(regexp_replace(phone, '[^0-9]', '', 'g')) NOT BETWEEN ${PHONE_MIN_DIGITS} AND ${PHONE_MAX_DIGITS})`,
    message: `'phone must have ${PHONE_MIN_DIGITS} to ${PHONE_MAX_DIGITS} digits'`,
  },
];

/**
 * How many hours past the ingest time an event's ts may lie. A date-time written without a zone
 * is read as UTC, and zones run up to UTC+14: a local clock's "now" written without its zone reads
 * up to 14 h ahead, so 24 h keeps every real event while one stamped days or years ahead (which
 * would move the default as-of date of every score) is refused.
 */
export const DEFAULT_FUTURE_TOLERANCE_HOURS = 24;

/** What the event rules need besides the row: the ts format and the latest ts accepted. */
export interface EventRuleOptions {
  /** strptime format for ts columns that are not ISO 8601. */
  tsFormat?: string;
  /** The ingest time; a ts later than this plus the tolerance is rejected. */
  now: Date;
  futureToleranceHours?: number;
}

/** The newest time accepted for something that happened (an event, an outcome, a decision) when it is `now`. */
export function latestAcceptedTime(now: Date, toleranceHours = DEFAULT_FUTURE_TOLERANCE_HOURS): Date {
  return new Date(now.getTime() + toleranceHours * 3_600_000);
}

/** The newest ts accepted, as a UTC TIMESTAMP literal. */
function latestTsSql(now: Date, toleranceHours: number): string {
  return `TIMESTAMP '${latestAcceptedTime(now, toleranceHours).toISOString().replace('T', ' ').replace('Z', '')}'`;
}

function notInFutureRule(name: string, options: EventRuleOptions): Rule {
  const hours = options.futureToleranceHours ?? DEFAULT_FUTURE_TOLERANCE_HOURS;
  return {
    field: name,
    broken: `(${typedColumn(name)} > ${latestTsSql(options.now, hours)})`,
    message: `'${name} ' || ${quoted(name)} || ' is in the future (after the ingest time + ${hours} h)'`,
  };
}

function timestampRules(name: string, required: boolean, format?: string): Rule[] {
  const rules: Rule[] = [];
  if (required) rules.push({ field: name, broken: `(${col(name)} IS NULL)`, message: `'${name} is required'` });
  rules.push({
    field: name,
    broken: `(${present(name)} AND ${typedColumn(name)} IS NULL)`,
    message: format
      ? `'${name} ' || ${quoted(name)} || ' does not match the format ${format.replaceAll("'", "''")}'`
      : `'${name} ' || ${quoted(name)} || ' is not an ISO 8601 date or date-time'`,
  });
  return rules;
}

const TYPE_LIST = EVENT_TYPES.map((t) => sqlString(t)).join(', ');

/** The typed values of an event row (v_amount, v_ts, ...). */
export function eventTypedValues(tsFormat?: string): Record<string, string> {
  return typedValues(['amount', 'margin', 'quantity', 'duration_s', 'rating'], ['ts'], tsFormat);
}

/** Rules for one event row (CONTRACT.md §1). */
export function eventRules(options: EventRuleOptions): RuleSet {
  const { tsFormat } = options;
  const typed = eventTypedValues(tsFormat);
  const rules: Rule[] = [
    ...IDENTIFIER_RULES,
    { field: 'type', broken: `(type IS NULL)`, message: `'type is required'` },
    {
      field: 'type',
      broken: `(type IS NOT NULL AND type NOT IN (${TYPE_LIST}))`,
      message: `'type ' || ${quoted('type')} || ' is not one of ${EVENT_TYPES.join(', ')}'`,
    },
    ...timestampRules('ts', true, tsFormat),
    notInFutureRule('ts', options),
    {
      field: 'amount',
      broken: `(type IN ('purchase', 'refund') AND amount IS NULL)`,
      message: `'amount is required for a ' || type`,
    },
    ...numberRule('amount', 0),
    ...numberRule('margin'),
    ...numberRule('quantity'),
    ...numberRule('duration_s', 0),
    // A referral names a real customer; a made-up anon- id never resolves to one.
    reservedPrefixRule('related_customer_id'),
    {
      field: 'rating',
      broken: `(${present('rating')} AND (${typedColumn('rating')} IS NULL OR ${typedColumn('rating')} NOT IN (1, 2, 3, 4, 5)))`,
      message: `'rating must be a whole number from 1 to 5, got ' || ${quoted('rating')}`,
    },
  ];
  return { typed, rules };
}

/** Rules for one order line in `--lines` mode; the order becomes a purchase or refund event. */
export function orderLineRules(options: EventRuleOptions): RuleSet {
  const { tsFormat } = options;
  const typed = typedValues(['quantity', 'unit_price', 'margin'], ['ts'], tsFormat);
  const rules: Rule[] = [
    ...IDENTIFIER_RULES,
    { field: 'order_id', broken: `(order_id IS NULL)`, message: `'order_id is required with --lines'` },
    ...timestampRules('ts', true, tsFormat),
    notInFutureRule('ts', options),
    { field: 'quantity', broken: `(quantity IS NULL)`, message: `'quantity is required with --lines'` },
    ...numberRule('quantity'),
    { field: 'unit_price', broken: `(unit_price IS NULL)`, message: `'unit_price is required with --lines'` },
    ...numberRule('unit_price', 0),
    ...numberRule('margin'),
  ];
  return { typed, rules };
}

const BOOLEAN_TEXT = `['true','false','1','0','yes','no','y','n','t','f']`;

export function booleanSql(name: string): string {
  return `coalesce(lower(${col(name)}) IN ('true','1','yes','y','t'), false)`;
}

/** Rules for one row of the customers (profile) file. */
export function customerRules(tsFormat?: string): RuleSet {
  const typed = typedValues([], ['signup_ts'], tsFormat);
  const rules: Rule[] = [
    { field: 'customer_id', broken: `(customer_id IS NULL)`, message: `'customer_id is required in a customers file'` },
    ...IDENTIFIER_RULES.slice(1), // all but "no identifier": the reserved prefix, e-mail, phone
    ...timestampRules('signup_ts', false, tsFormat),
    ...['consent_email', 'consent_sms', 'consent_line', 'consent_push'].map((name) => ({
      field: name,
      broken: `(${present(name)} AND NOT list_contains(${BOOLEAN_TEXT}, lower(${col(name)})))`,
      message: `'${name} must be true or false, got ' || ${quoted(name)}`,
    })),
  ];
  return { typed, rules };
}

/**
 * SQL that is true when a row breaks none of the rules (a rule whose condition is NULL is kept).
 * A CASE condition is evaluated with selection vectors, so each AND stops at the rows it already
 * failed (an absent value skips its number checks); a plain boolean expression evaluates every
 * part for every row.
 */
export function validSql(rules: Rule[]): string {
  return `CASE WHEN ${rules.map((r) => `(${r.broken})`).join(' OR ')} THEN false ELSE true END`;
}

/** SQL for a LIST of STRUCT(field, reason): every rule the row breaks, empty when valid. */
export function issuesSql(rules: Rule[]): string {
  const items = rules.map(
    (r) => `CASE WHEN coalesce(${r.broken}, false) THEN {'field': ${sqlString(r.field)}, 'reason': ${r.message}} END`,
  );
  return `list_filter([${items.join(',\n ')}], x -> x IS NOT NULL)`;
}
