/**
 * `npm run bench -- <name> [options]`: benchmarks that print figures (never timed tests).
 * Each bench runs its baseline in the same run, so the ratio is meaningful on any machine.
 */
const BENCHES: Record<string, () => Promise<{ run: (argv: string[]) => Promise<void> }>> = {
  ingest: () => import('./bench/ingest.js'),
  features: () => import('./bench/features.js'),
  gbt: () => import('./bench/gbt.js'),
  train: () => import('./bench/train.js'),
  export: () => import('./bench/export.js'),
  http: () => import('./bench/http.js'),
};

const [name, ...rest] = process.argv.slice(2);
const load = name ? BENCHES[name] : undefined;
if (!load) {
  process.stderr.write(`usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> [options]\n`);
  process.exit(name ? 1 : 2);
}
await (await load()).run(rest);
