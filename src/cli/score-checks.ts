import fs from 'node:fs';
import path from 'node:path';
import { MS_PER_DAY, type AsOf } from '../features/as-of.js';
import type { ModelVersions } from '../ml/serving/model-set.js';
import type { Db } from '../store/database.js';

/** Which score-file columns each model fills (CONTRACT.md §2). */
const MODEL_COLUMNS: Record<keyof ModelVersions, readonly string[]> = {
  purchase: ['purchase_probability'],
  churn: ['churn_probability'],
  clv: ['expected_purchases', 'p_alive', 'predicted_clv'],
};

/** Targets with no current model, whose columns stay empty. */
export function missingModels(versions: ModelVersions): (keyof ModelVersions)[] {
  return (Object.keys(MODEL_COLUMNS) as (keyof ModelVersions)[]).filter((target) => versions[target] === null);
}

/**
 * Says which columns stay empty and how to fill them, so an empty column is never a silent surprise.
 * `registered` counts the target's versions on disk: some but none current means promotion was refused.
 */
export function missingModelWarning(target: keyof ModelVersions, modelsDir: string, registered = registeredVersions(modelsDir, target)): string {
  const columns = MODEL_COLUMNS[target];
  const where = registered === undefined ? `${modelsDir} (no such directory)` : modelsDir;
  const fix =
    registered !== undefined && registered > 0
      ? `${registered} version(s) registered but none promoted: see npm run models -- list --target ${target}`
      : `train with npm run train -- --target ${target}`;
  return `warning: no current ${target} model in ${where}: ${columns.join(', ')} ${columns.length === 1 ? 'stays' : 'stay'} empty (${fix})`;
}

/** Version directories of a target (the registry's vNNNN-... ids); undefined when the models directory does not exist. */
export function registeredVersions(modelsDir: string, target: string): number | undefined {
  if (!fs.existsSync(modelsDir)) return undefined;
  const dir = path.join(modelsDir, target);
  if (!fs.existsSync(dir)) return 0;
  return fs.readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory() && /^v\d{4,}-/.test(entry.name)).length;
}

export interface EventDays {
  first: AsOf;
  last: AsOf;
}

export async function eventDays(db: Db): Promise<EventDays | undefined> {
  const row = await db.one<{ first: string | null; last: string | null }>(
    "SELECT strftime(min(ts), '%Y-%m-%d') AS first, strftime(max(ts), '%Y-%m-%d') AS last FROM events",
  );
  return row?.first && row.last ? { first: row.first, last: row.last } : undefined;
}

/** Warnings for an --as-of outside the data: before it no event counts; after it every recency grows. */
export function asOfWarnings(asOf: AsOf, days: EventDays | undefined, customers: number): string[] {
  if (!days) return [];
  if (asOf < days.first) {
    return [`warning: --as-of ${asOf} is before the first event (${days.first}): no event counts, and the file holds ${customers} customer(s)`];
  }
  if (asOf > days.last) {
    const gap = Math.round((Date.parse(asOf) - Date.parse(days.last)) / MS_PER_DAY);
    return [
      `warning: --as-of ${asOf} is ${gap} day(s) after the latest event (${days.last}): every customer's recency grows by that much, ` +
        'moving lifecycle segments and churn scores towards inactive',
    ];
  }
  return [];
}
