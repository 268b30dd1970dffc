import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { projectRoot } from '../src/config/paths.js';

/** Where `npm run build` writes the service, and what `npm start` runs. */
export const SERVER_BUNDLE = path.join(projectRoot(), 'dist', 'server.js');

/**
 * `npm run build`: the service as one ES module (dependencies stay imports from node_modules), with
 * a source map so stack traces name the TypeScript lines. Production runs this rather than tsx:
 * plain JavaScript without tsx's run-time hooks, whose transform also wraps every named closure
 * in a `__name` call on each creation (measurable on the request path; see README, Benchmarks).
 */
export async function buildServer(): Promise<string> {
  await build({
    entryPoints: [path.join(projectRoot(), 'src', 'server.ts')],
    outfile: SERVER_BUNDLE,
    bundle: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: true,
    logLevel: 'warning',
  });
  return SERVER_BUNDLE;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildServer();
}
