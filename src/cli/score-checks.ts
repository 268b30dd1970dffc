import fs from 'node:fs';
import { MS_PER_DAY, type AsOf } from '../features/as-of.js';
import type { ModelVersions } from '../ml/serving/model-set.js';
import type { DataSpan } from '../ml/dataset/cutoffs.js';
import type { ModelRegistry } from '../ml/registry/registry.js';

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
 * `registered` counts the target's registered versions (undefined: no models directory); some but
 * none current means promotion was refused.
 */
export function missingModelWarning(target: keyof ModelVersions, modelsDir: string, registered: number | undefined): string {
  const columns = MODEL_COLUMNS[target];
  const where = registered === undefined ? `${modelsDir} (no such directory)` : modelsDir;
  const fix =
    registered !== undefined && registered > 0
      ? `${registered} version(s) registered but none promoted: see npm run models -- list --target ${target}`
      : `train with npm run train -- --target ${target}`;
  return `warning: no current ${target} model in ${where}: ${columns.join(', ')} ${columns.length === 1 ? 'stays' : 'stay'} empty (${fix})`;
}

/** The registered versions of a target; undefined when the models directory does not exist. */
export async function registeredVersions(registry: ModelRegistry, target: keyof ModelVersions): Promise<number | undefined> {
  if (!fs.existsSync(registry.root)) return undefined;
  return (await registry.list(target)).versions.length;
}

/** Warnings for an --as-of outside the data: before it no event counts; after it every recency grows. */
export function asOfWarnings(asOf: AsOf, span: DataSpan | undefined, customers: number): string[] {
  if (!span) return [];
  if (asOf < span.firstEventDay) {
    return [`warning: --as-of ${asOf} is before the first event (${span.firstEventDay}): no event counts, and the file holds ${customers} customer(s)`];
  }
  if (asOf > span.latestEventDay) {
    const gap = Math.round((Date.parse(asOf) - Date.parse(span.latestEventDay)) / MS_PER_DAY);
    return [
      `warning: --as-of ${asOf} is ${gap} day(s) after the latest event (${span.latestEventDay}): every customer's recency grows by that much, ` +
        'moving lifecycle segments towards inactive and leaving churn empty for customers without an event in its active window',
    ];
  }
  return [];
}
