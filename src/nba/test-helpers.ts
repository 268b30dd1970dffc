import { ActionSchema, PolicySchema, type Action, type ActionInput, type Policy, type PolicyInput } from './catalog.js';
import type { DecideInput } from './decide.js';

/** Test fixtures (used by the *.test.ts files of this folder only). */

/** A policy without control group, learning off and no caps unless given. */
export function testPolicy(overrides: PolicyInput = {}): Policy {
  return PolicySchema.parse({
    frequency_caps: [],
    control_group: { share: 0 },
    learning: { mode: 'off' },
    ...overrides,
  });
}

export function action(a: Partial<ActionInput> & { id: string }): Action {
  return ActionSchema.parse({
    description: a.id,
    channel: 'email',
    octalysis_drive: 'meaning',
    response_model: { type: 'fixed', base_rate: 0.1 },
    business_value: 100,
    placements: ['*'],
    ...a,
  });
}

export function input(over: Partial<DecideInput> = {}): DecideInput {
  return {
    customer_id: 'c1',
    scores: { lifecycle_segment: 'core', value_tier: 'gold', potential_tier: 'high', rfm_segment: 'loyal', super_user_score: 70, social_score: 60 },
    predictions: { purchase_probability: 0.4, churn_probability: 0.3, predicted_clv: 3000 },
    tags: [],
    consents: { email: true, sms: true, line: true, push: true },
    history: [],
    context: { channel: 'email', placement: 'outbound' },
    now: '2025-03-01T12:00:00Z',
    ...over,
  };
}
