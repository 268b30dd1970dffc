import fs from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import type { Predictions } from '../scoring/index.js';
import type { ScoredBase } from './base-scores.js';

/** The score file's columns (CONTRACT.md §2), in order. */
export const SCORE_COLUMNS = [
  'customer_id',
  'purchase_probability',
  'churn_probability',
  'expected_purchases',
  'p_alive',
  'predicted_clv',
  'rfm_score',
  'rfm_segment',
  'lifecycle_segment',
  'value_tier',
  'super_user_score',
  'potential_tier',
] as const;

/** Model outputs beyond the rule scores; empty columns until models exist. */
export interface ModelColumns extends Predictions {
  expected_purchases?: ArrayLike<number>;
  p_alive?: ArrayLike<number>;
}

const csvText = (value: string) => (/[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
const num = (values: ArrayLike<number> | undefined, i: number, digits: number) => {
  const v = values?.[i];
  return v === undefined || Number.isNaN(v) ? '' : Number(v.toFixed(digits)).toString();
};

/** Writes every customer's scores as CSV, streaming; a value that cannot be computed is empty. */
export async function writeScoreFile(file: string, base: ScoredBase, models: ModelColumns = base.predictions ?? {}): Promise<number> {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const out = fs.createWriteStream(file);
  out.write(SCORE_COLUMNS.join(',') + '\n');
  for (let i = 0; i < base.scores.length; i++) {
    const s = base.scores[i]!;
    const line = [
      csvText(s.customer_id),
      num(models.purchase_probability, i, 6),
      num(models.churn_probability, i, 6),
      num(models.expected_purchases, i, 4),
      num(models.p_alive, i, 6),
      num(models.predicted_clv, i, 2),
      s.rfm_score ?? '',
      s.rfm_segment ?? '',
      s.lifecycle_segment ?? '',
      s.value_tier ?? '',
      s.super_user_score === null ? '' : s.super_user_score.toFixed(2),
      s.potential_tier ?? '',
    ].join(',');
    if (!out.write(line + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  return base.scores.length;
}
