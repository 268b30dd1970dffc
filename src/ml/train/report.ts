import fs from 'node:fs/promises';
import path from 'node:path';
import type { TrainedPropensity } from './propensity.js';

/** Writes report.html beside the model (placeholder until the report renderer lands). */
export async function renderReportFile(dir: string, version: string, trained: TrainedPropensity): Promise<void> {
  const m = trained.evaluation.model;
  const b = trained.evaluation.baseline;
  await fs.writeFile(
    path.join(dir, 'report.html'),
    `<!doctype html><meta charset="utf-8"><title>${trained.target} ${version}</title><h1>${trained.target} ${version}</h1>` +
      `<p>AUC ${m.rocAuc.toFixed(4)} (baseline ${b.rocAuc.toFixed(4)})</p>`,
  );
}
