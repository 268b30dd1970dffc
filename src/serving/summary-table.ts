import type { BaseSummary } from '../scoring/index.js';

const pct = (share: number | null | undefined) => (share === null || share === undefined ? '—' : `${(share * 100).toFixed(1)}%`);

/** A short text table of segment shares, tiers and the Pareto figure (for stderr of `npm run score`). */
export function summaryTable(summary: BaseSummary): string {
  const lines: string[] = [];
  lines.push(`as of ${summary.as_of ?? '—'}: ${summary.customers} customers, ${summary.purchasers} with purchases`);
  const section = (title: string, groups: Record<string, { count: number; share: number | null }>, empty: number) => {
    lines.push(`${title}:`);
    for (const [name, g] of Object.entries(groups)) lines.push(`  ${name.padEnd(20)} ${String(g.count).padStart(8)}  ${pct(g.share).padStart(6)}`);
    if (empty > 0) lines.push(`  ${'(empty)'.padEnd(20)} ${String(empty).padStart(8)}`);
  };
  section('lifecycle segments', summary.lifecycle_segments.groups, summary.lifecycle_segments.empty);
  section('value tiers', summary.value_tiers.groups, summary.value_tiers.empty);
  section('potential tiers', summary.potential_tiers.groups, summary.potential_tiers.empty);
  const p = summary.pareto;
  lines.push(
    `Pareto: the top ${pct(p.top_customer_share)} of customers (${p.top_customers}) bring ${pct(p.top_revenue_share)} of trailing-12-month revenue; ` +
      `${pct(p.customer_share_for_revenue_share)} of customers bring ${pct(p.revenue_share)}`,
  );
  lines.push(`typical purchase gap: ${summary.typical_gap.days.toFixed(1)} days (${summary.typical_gap.source})`);
  return lines.join('\n');
}
