import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

/**
 * Picks and starts the TensorFlow.js backend.
 *
 * Order: `node` (@tensorflow/tfjs-node, native TensorFlow, only if the package is installed and a test op
 * runs) → `wasm` (@tensorflow/tfjs-backend-wasm, .wasm files read from the package's own dist folder in
 * node_modules, nothing downloaded) → `cpu` (pure JS, always there).
 *
 * Which one to try first: the `preferred` argument, else env PROPEL_TF_BACKEND (node|wasm|cpu), else `node`.
 * If the preferred one fails, the next ones in the order above are tried and the reasons are recorded.
 */
export type BackendChoice = 'node' | 'wasm' | 'cpu';
/** The name tf.getBackend() reports: tfjs-node registers itself as 'tensorflow'. */
export type TfBackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendReport {
  /** Backend running now, as tf.getBackend() names it. */
  backend: TfBackendName;
  /** The same in PROPEL_TF_BACKEND vocabulary. */
  choice: BackendChoice;
  /** What was asked for (argument or env), if anything. */
  requested: BackendChoice | undefined;
  /** Backends tried before the one that ran, with why each failed. */
  fallbacks: { choice: BackendChoice; reason: string }[];
  /** wasm only: SIMD / threads available. */
  wasmSimd?: boolean;
  wasmThreads?: boolean;
}

const ORDER: readonly BackendChoice[] = ['node', 'wasm', 'cpu'];
const TF_NAME: Record<BackendChoice, TfBackendName> = { node: 'tensorflow', wasm: 'wasm', cpu: 'cpu' };

let current: BackendReport | undefined;
let wasmPathsSet = false;
let pending: Promise<BackendReport> | undefined;

export function parseBackendChoice(value: string | undefined): BackendChoice | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const v = value.trim().toLowerCase();
  if (v === 'node' || v === 'tensorflow' || v === 'tfjs-node') return 'node';
  if (v === 'wasm' || v === 'cpu') return v;
  throw new RangeError(`PROPEL_TF_BACKEND must be one of node, wasm, cpu (got "${value}")`);
}

/**
 * Start a backend (see module doc) and return its tf name ('tensorflow' | 'wasm' | 'cpu').
 * Idempotent: later calls return the running backend without re-initialising, unless they explicitly
 * prefer a different one, in which case the selection runs again starting from that preference.
 */
export async function initBackend(preferred?: BackendChoice): Promise<TfBackendName> {
  return (await initBackendReport(preferred)).backend;
}

/** Like initBackend, but returns the full report (what was requested, what failed and why). */
export async function initBackendReport(preferred?: BackendChoice): Promise<BackendReport> {
  if (pending) await pending.catch(() => undefined);
  const requested = preferred ?? parseBackendChoice(process.env.PROPEL_TF_BACKEND);
  if (current && tf.getBackend() === current.backend && (preferred === undefined || preferred === current.choice)) {
    return current;
  }
  pending = select(requested);
  try {
    current = await pending;
    return current;
  } finally {
    pending = undefined;
  }
}

/** The report of the last successful initBackend, if any. */
export function backendReport(): BackendReport | undefined {
  return current;
}

async function select(requested: BackendChoice | undefined): Promise<BackendReport> {
  const start = requested ? ORDER.indexOf(requested) : 0;
  const fallbacks: BackendReport['fallbacks'] = [];
  for (const choice of ORDER.slice(start)) {
    try {
      await TRY[choice]();
      const name = TF_NAME[choice];
      if (tf.getBackend() !== name) throw new Error(`tf.getBackend() is ${tf.getBackend()} after setBackend('${name}')`);
      // A backend that registers but cannot compute is worse than a slower one that can.
      const probe = tf.tidy(() => tf.tensor1d([1, 2, 3]).square().sum().dataSync()[0]);
      if (probe !== 14) throw new Error(`self-test returned ${probe}, expected 14`);
      const report: BackendReport = { backend: name, choice, requested, fallbacks };
      if (choice === 'wasm') {
        report.wasmSimd = tf.env().getBool('WASM_HAS_SIMD_SUPPORT');
        report.wasmThreads = tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT');
      }
      return report;
    } catch (err) {
      fallbacks.push({ choice, reason: err instanceof Error ? err.message.split('\n')[0]! : String(err) });
    }
  }
  // Unreachable in practice: cpu is bundled with @tensorflow/tfjs.
  throw new Error(`no TensorFlow.js backend could start: ${fallbacks.map((f) => `${f.choice}: ${f.reason}`).join('; ')}`);
}

const TRY: Record<BackendChoice, () => Promise<void>> = {
  async node() {
    // Not a dependency (its install downloads libtensorflow); a variable specifier keeps tsc and bundlers
    // from resolving it. It registers the 'tensorflow' backend in the shared global tf engine on import.
    const spec = '@tensorflow/tfjs-node';
    await import(spec);
    if (!tf.findBackendFactory('tensorflow')) throw new Error('@tensorflow/tfjs-node loaded but registered no backend');
    if (!(await tf.setBackend('tensorflow'))) throw new Error("tf.setBackend('tensorflow') returned false");
  },
  async wasm() {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (!wasmPathsSet) {
      const require = createRequire(import.meta.url);
      // main is dist/tf-backend-wasm.node.js; the .wasm binaries sit beside it. A file-system prefix makes
      // the emscripten loader read them with fs; nothing is fetched from the network.
      const distDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
      wasm.setWasmPaths(distDir + path.sep);
      wasmPathsSet = true;
    }
    if (!(await tf.setBackend('wasm'))) throw new Error("tf.setBackend('wasm') returned false");
  },
  async cpu() {
    if (!(await tf.setBackend('cpu'))) throw new Error("tf.setBackend('cpu') returned false");
    // The cpu backend prints a "install tfjs-node" banner on first use; we report the backend ourselves.
    const cpu = tf.backend() as unknown as { firstUse?: boolean };
    if (typeof cpu.firstUse === 'boolean') cpu.firstUse = false;
  },
};
