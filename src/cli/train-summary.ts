import type { TargetResult } from '../ml/train/run.js';

/** The summary: one target's result itself, several keyed by target (CONTRACT.md §2). */
export function trainSummary(results: TargetResult[]): TargetResult | Record<string, TargetResult> {
  return results.length === 1 ? results[0]! : Object.fromEntries(results.map((r) => [r.target, r]));
}

/** Non-zero when any target failed, so scripts notice even though the others' results are printed. */
export function trainExitCode(results: TargetResult[]): number {
  return results.some((r) => r.error) ? 1 : 0;
}

/** One readable line (and report path) per target. */
export function trainText(results: TargetResult[]): string {
  return results
    .map((r) => {
      if (r.error) return `${r.target}: training failed (${r.error.code}): ${r.error.message}`;
      const m = r.metrics as { auc?: number; baseline?: { auc?: number }; holdout?: { warnings?: string[] } } | undefined;
      const vs = m?.auc !== undefined ? ` AUC ${m.auc?.toFixed(4)} vs baseline ${m.baseline?.auc?.toFixed(4)}` : '';
      // CLV's holdout warnings do not block promotion; the closing summary repeats them so they are read.
      const warnings = (m?.holdout?.warnings ?? []).map((w) => `\n  warning: ${w}`).join('');
      return `${r.target}: ${r.version} (${r.kind}, ${r.backend})${vs}${r.promoted ? ', promoted' : ', not promoted'}${r.report ? `\n  report: ${r.report}` : ''}${warnings}`;
    })
    .join('\n');
}
