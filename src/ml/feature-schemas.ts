import { FEATURE_SCHEMA, type FeatureSpec } from '../features/schema.js';
import { CLV_FEATURES } from './clv-model/summary-rows.js';
import { isClassifierTarget, type ModelTarget } from './registry/metadata.js';

/** The features CLV reads (its repeat-purchase summary), as the schema its versions record. */
export const CLV_FEATURE_SCHEMA: readonly FeatureSpec[] = FEATURE_SCHEMA.filter((f) => (CLV_FEATURES as readonly string[]).includes(f.name));

/**
 * The feature schema this code computes for a target's model: what a version must have been trained
 * with to be served. Purchase and churn read every feature; CLV only its summary, so a change to
 * another feature does not retire a CLV model, but one to clv_monetary's definition does.
 */
export function expectedFeatureSchema(target: ModelTarget): readonly FeatureSpec[] {
  return isClassifierTarget(target) ? FEATURE_SCHEMA : CLV_FEATURE_SCHEMA;
}
