/**
 * The truth file `<out>.truth.json`: the parameters the data was generated from and what was
 * drawn for each customer, so model tests can compare fitted values with the truth.
 *
 * Shape (written streamed, one customer per line inside `customers`):
 * {
 *   "generator", "version", "options": {customers, days, seed, start, end},
 *   "model": { "bgnbd": {r, alpha, a, b, time_unit, variant}, "gamma_gamma": {p, q, v, currency},
 *              "expected": {...}, "prospect_share", "type_weights" },
 *   "identity_normalisation": {...}, "params": <all GeneratorParams>, "files": {...},
 *   "customers": [ CustomerTruth, ... ],
 *   "unlinked_identities": [ {customer_id, kind, value}, ... ],
 *   "realized": { counts of what was generated }
 * }
 * Per customer: type, acquisition_day / first_touch_day / dropout_day (days since start, null when
 * not applicable), T, lambda (per day), p, nu, x and t_x (BG/NBD repeat count and recency in days),
 * purchases, referrals, engagement multiplier, unlinked identifier kind.
 */
import { CUSTOMER_TYPES, type GeneratorParams, type RunOptions } from './params.js';
import type { CustomerTruth, UnlinkedIdentity } from './rows.js';
import { openTextWriter, type TextWriter } from './write.js';

export const TRUTH_VERSION = 1;

export function truthPath(out: string): string {
  return `${out}.truth.json`;
}

/** The model part of the truth: what a CLV fit should recover. */
export function modelTruth(params: GeneratorParams) {
  const { r, alpha, a, b, dropoutAtFirstPurchase } = params.bgnbd;
  const { p, q, v, currency } = params.gammaGamma;
  return {
    bgnbd: { r, alpha, a, b, time_unit: 'days', variant: dropoutAtFirstPurchase ? 'MBG/NBD' : 'BG/NBD' },
    gamma_gamma: { p, q, v, currency },
    expected: {
      /** E[lambda] = r/alpha, purchases per day while alive. */
      mean_lambda: r / alpha,
      /** E[p] = a/(a+b). */
      mean_p: a / (a + b),
      /** E[z] = p·v/(q−1), mean purchase amount over the population. */
      mean_amount: q > 1 ? (p * v) / (q - 1) : null,
    },
    prospect_share: params.population.prospectShare,
    type_weights: Object.fromEntries(CUSTOMER_TYPES.map((t) => [t, params.types[t].weight])),
  };
}

/** Rounds to `decimals` places (cheap; keeps the file small where full precision says nothing). */
function round(x: number | null, decimals: number): number | null {
  if (x === null) return null;
  const f = 10 ** decimals;
  return Math.round(x * f) / f;
}

/** A customer's truth with day positions rounded to 1e-6 day (0.09 s); model parameters kept exact. */
function compact(t: CustomerTruth): CustomerTruth {
  return {
    ...t,
    acquisition_day: round(t.acquisition_day, 6),
    first_touch_day: round(t.first_touch_day, 6) ?? 0,
    T: round(t.T, 6),
    dropout_day: round(t.dropout_day, 6),
    t_x: round(t.t_x, 6) ?? 0,
    engagement: round(t.engagement, 4) ?? 0,
  };
}

export interface TruthWriter {
  add(customer: CustomerTruth, unlinked: UnlinkedIdentity | null): void;
  readonly needsDrain: boolean;
  drain(): Promise<void>;
  close(realized: Record<string, unknown>): Promise<number>;
}

export function openTruthWriter(
  path: string,
  params: GeneratorParams,
  options: RunOptions,
  files: { events: string; customers: string | null },
): TruthWriter {
  const out: TextWriter = openTextWriter(path, false);
  const end = new Date(Date.parse(`${options.start}T00:00:00Z`) + options.days * 86_400_000).toISOString().slice(0, 10);
  const header = {
    generator: 'propel generate',
    version: TRUTH_VERSION,
    options: { ...options, end, window: '[start, end)' },
    model: modelTruth(params),
    identity_normalisation: {
      email: 'trim surrounding whitespace, then lowercase',
      phone: 'remove every non-digit character',
      phone_international_share: params.identity.phoneInternationalShare,
      note:
        'E-mail and phone variants in events differ from the canonical value only in ways these two rules undo. ' +
        (params.identity.phoneInternationalShare > 0
          ? 'Some phones are written +886 9xx xxx xxx: their digits match the national form 09… only if the normaliser replaces a leading 0 with 886.'
          : 'No +886 international forms are written.'),
    },
    params,
    files,
  };
  const head = JSON.stringify(header, null, 2);
  out.write(`${head.slice(0, head.lastIndexOf('}')).trimEnd()},\n"customers": [\n`);
  const unlinked: UnlinkedIdentity[] = [];
  let first = true;
  return {
    add(customer, u) {
      out.write((first ? '' : ',\n') + JSON.stringify(compact(customer)));
      first = false;
      if (u) unlinked.push(u);
    },
    get needsDrain() {
      return out.needsDrain;
    },
    drain: () => out.drain(),
    async close(realized) {
      out.write('\n],\n"unlinked_identities": [\n');
      out.write(unlinked.map((u) => JSON.stringify(u)).join(',\n'));
      out.write(`\n],\n"realized": ${JSON.stringify(realized, null, 2)}\n}\n`);
      return out.close();
    },
  };
}
