import { EVENT_COLUMNS } from '../domain/event.js';
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
