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

const USAGE = `usage: npm run bench -- <${Object.keys(BENCHES).join('|')}> [options]  (each bench's options: README, Benchmarks)\n`;
const [name, ...rest] = process.argv.slice(2);
if (name === '--help' || rest.includes('--help')) {
  process.stdout.write(USAGE);
  process.exit(0);
}
const load = name ? BENCHES[name] : undefined;
if (!load) {
  process.stderr.write(USAGE);
  process.exit(name ? 1 : 2);
}
try {
  await (await load()).run(rest);
} catch (error) {
  // A bad option or count is the caller's to fix: one line, not a stack.
  process.stderr.write(`bench ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
