import { describe, expect, it } from 'vitest';
import { FEATURE_SCHEMA } from '../../features/schema.js';
import { ModelMetadataSchema, describeFeatureSchemaDiff, diffFeatureSchemas } from './metadata.js';
import { SMALL_SCHEMA, metadataFor } from './test-helpers.js';

describe('diffFeatureSchemas', () => {
  it('finds no difference between a schema and itself (the real feature schema included)', () => {
    expect(diffFeatureSchemas(FEATURE_SCHEMA, structuredClone(FEATURE_SCHEMA))).toBeNull();
  });

  it('reports a changed window as a change of meaning', () => {
    const changed = SMALL_SCHEMA.map((f) => (f.name === 'purchases_90' ? { ...f, window: 30 } : f));
    expect(diffFeatureSchemas(SMALL_SCHEMA, changed)).toEqual({
      added: [],
      removed: [],
      changed: [{ name: 'purchases_90', field: 'window', expected: 90, actual: 30 }],
      firstReorderedIndex: null,
    });
  });

  it("reports a changed description as a change of definition (clv_monetary's spend became net of refunds)", () => {
    const before = SMALL_SCHEMA.map((f) => (f.name === 'purchases_90' ? { ...f, description: 'purchases, refunds included' } : f));
    const diff = diffFeatureSchemas(SMALL_SCHEMA, before)!;
    expect(diff.changed).toEqual([{ name: 'purchases_90', field: 'description', expected: SMALL_SCHEMA[1]!.description, actual: 'purchases, refunds included' }]);
    expect(describeFeatureSchemaDiff(diff, SMALL_SCHEMA, before)).toEqual([`changed definition: purchases_90 is now '${SMALL_SCHEMA[1]!.description}'`]);
  });

  it('reports the first reordered position when the same features come in another order', () => {
    const reordered = [SMALL_SCHEMA[0]!, SMALL_SCHEMA[2]!, SMALL_SCHEMA[1]!];
    expect(diffFeatureSchemas(SMALL_SCHEMA, reordered)?.firstReorderedIndex).toBe(1);
  });
});

describe('ModelMetadataSchema', () => {
  const full = (target: 'churn' | 'clv') => ({
    ...metadataFor(target),
    target,
    version: 'v0001-20261124T150203Z',
    created_at: '2026-11-24T15:02:03.000Z',
    files: { 'model.json': 'a'.repeat(64) },
  });

  it('accepts a classifier and a clv metadata object', () => {
    expect(ModelMetadataSchema.safeParse(full('churn')).success).toBe(true);
    expect(ModelMetadataSchema.safeParse(full('clv')).success).toBe(true);
  });

  it('requires baseline metrics for a classifier and fit statistics for clv', () => {
    const churn = full('churn');
    const noBaseline = { ...churn, metrics: { model: churn.metrics.model } };
    expect(ModelMetadataSchema.safeParse(noBaseline).error?.issues.map((i) => i.path.join('.'))).toEqual(['metrics.baseline']);
    const clv = { ...full('clv'), metrics: {} };
    expect(ModelMetadataSchema.safeParse(clv).error?.issues.map((i) => i.path.join('.'))).toEqual(['metrics.fit']);
  });

  it('refuses a file hash that is not a sha256 and duplicate feature names', () => {
    expect(ModelMetadataSchema.safeParse({ ...full('churn'), files: { 'model.json': 'abc' } }).success).toBe(false);
    const dup = { ...full('churn'), feature_schema: [SMALL_SCHEMA[0]!, SMALL_SCHEMA[0]!] };
    expect(ModelMetadataSchema.safeParse(dup).error?.issues[0]?.message).toMatch(/duplicate feature/);
  });
});
