import { EVENT_COLUMNS } from '../domain/event.js';
import { normalizedEmailSql, normalizedPhoneSql, type IdentitySettings } from '../identity/normalize.js';
import { sqlIdent, type Db } from '../store/database.js';
import { timestampSql } from './rules.js';

/**
 * Columns of an order-line file (`--lines`): one row per product line of an order, like the
 * online-retail file (InvoiceNo, StockCode, Quantity, UnitPrice, InvoiceDate, CustomerID).
 */
export const ORDER_LINE_COLUMNS = [
  'customer_id',
  'member_id',
  'email',
  'phone',
  'order_id',
  'ts',
  'quantity',
  'unit_price',
  'margin',
  'product_id',
  'category',
  'channel',
] as const;

/**
 * Lines of one order become one `purchase` of the summed amount; lines with a negative quantity
 * (cancellations, returns) become one `refund` of that order with a positive amount. The event id
 * is the order id (`:refund` for the refund), so re-loading the same file adds nothing. Each line
 * is kept in `order_items` for product and category features.
 */
export async function aggregateOrderLines(db: Db, linesTable: string, eventsTable: string, tsFormat?: string): Promise<void> {
  await db.run(
    `CREATE OR REPLACE TEMP TABLE order_lines AS
     SELECT line, customer_id, member_id, email, phone, order_id, ${timestampSql('ts', tsFormat)} AS ts,
            CAST(quantity AS DOUBLE) AS quantity, CAST(unit_price AS DOUBLE) AS unit_price,
            TRY_CAST(margin AS DOUBLE) AS margin, product_id, category, channel,
            CASE WHEN CAST(quantity AS DOUBLE) < 0 THEN order_id || ':refund' ELSE order_id END AS event_id
     FROM ${linesTable}`,
  );
  const outputs: Record<string, string> = {
    line: 'min(line)',
    customer_id: 'min(customer_id)',
    member_id: 'min(member_id)',
    email: 'min(email)',
    phone: 'min(phone)',
    type: `CASE WHEN min(quantity) < 0 THEN 'refund' ELSE 'purchase' END`,
    event_id: 'event_id',
    amount: 'CAST(round(sum(abs(quantity) * unit_price), 2) AS VARCHAR)',
    margin: 'CAST(sum(margin) AS VARCHAR)',
    quantity: 'CAST(sum(abs(quantity)) AS VARCHAR)',
    product_id: 'CASE WHEN count(DISTINCT product_id) = 1 THEN min(product_id) END',
    category: 'CASE WHEN count(DISTINCT category) = 1 THEN min(category) END',
    channel: 'min(channel)',
  };
  const select = ['line', ...EVENT_COLUMNS]
    .map((c) => (c === 'ts' ? 'min(ts) AS ts' : `${outputs[c] ?? 'NULL::VARCHAR'} AS ${sqlIdent(c)}`))
    .join(', ');
  await db.run(`CREATE OR REPLACE TEMP TABLE ${eventsTable} AS SELECT ${select} FROM order_lines GROUP BY event_id`);
  await db.run(
    `CREATE OR REPLACE TEMP TABLE order_items AS
     SELECT event_id, product_id, category, abs(quantity) AS quantity, round(abs(quantity) * unit_price, 2) AS amount
     FROM order_lines`,
  );
}

/** The identifiers of a line as the identity step compares them (e-mail and phone normalised). */
function ownerColumns(identity: IdentitySettings): string[] {
  return ['customer_id', 'member_id', normalizedEmailSql('email'), normalizedPhoneSql('phone', identity.phoneCountryCode)];
}

/**
 * An order belongs to the customer of its first line. A later line of the order whose identifiers
 * differ from the first line's would otherwise be summed into that customer's purchase (and its
 * identifiers linked to theirs), so it is rejected instead: its line and reason are added to
 * `rejectsTable` and it is deleted from `linesTable`. Returns how many lines were rejected.
 */
export async function rejectLinesOfOthersOrders(db: Db, linesTable: string, rejectsTable: string, identity: IdentitySettings): Promise<number> {
  const owner = ownerColumns(identity);
  // An exact test per order that needs no window: a column differs when its values are not all
  // equal, or present on some lines only. Most files have no such order and stop here.
  const differs = owner.map((c) => `min(${c}) <> max(${c}) OR count(${c}) NOT IN (0, count(*))`).join(' OR ');
  await db.run(`CREATE OR REPLACE TEMP TABLE split_orders AS SELECT order_id FROM ${linesTable} GROUP BY order_id HAVING ${differs}`);
  const split = Number((await db.one<{ n: number }>('SELECT count(*) AS n FROM split_orders'))!.n);
  if (split === 0) return 0;
  const tuple = `[${owner.join(', ')}]`;
  await db.run(
    `CREATE OR REPLACE TEMP TABLE split_lines AS
     SELECT line, order_id, first_line FROM (
       SELECT line, order_id, ${tuple} AS owner,
              first_value(line) OVER w AS first_line, first_value(${tuple}) OVER w AS first_owner
       FROM ${linesTable} WHERE order_id IN (SELECT order_id FROM split_orders)
       WINDOW w AS (PARTITION BY order_id ORDER BY line)
     ) WHERE owner IS DISTINCT FROM first_owner`,
  );
  await db.run(
    `INSERT INTO ${rejectsTable} (line, field, reason)
     SELECT line, 'order_id', 'order ' || order_id || ' already belongs to another customer (the identifiers of its line ' || first_line || ')'
     FROM split_lines`,
  );
  await db.run(`DELETE FROM ${linesTable} WHERE line IN (SELECT line FROM split_lines)`);
  const n = await db.one<{ n: number }>('SELECT count(*) AS n FROM split_lines');
  await db.run('DROP TABLE split_lines');
  await db.run('DROP TABLE split_orders');
  return Number(n!.n);
}
