import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ConflictError, ValidationError, type Issue } from '../../domain/errors.js';
import type { FeatureSpec } from '../../features/schema.js';
import { RegistryError } from './errors.js';
import { isErrno, listFilesRecursive, resolveInside, sha256File, withLock, writeAtomic } from './fs-util.js';
import {
  METADATA_FILE,
  METADATA_VERSION,
  MODEL_TARGETS,
  ModelMetadataSchema,
  StrictModelMetadataSchema,
  describeFeatureSchemaDiff,
  diffFeatureSchemas,
  type ModelMetadata,
  type ModelTarget,
  type RegisterMetadataInput,
} from './metadata.js';

/**
 * The versioned model registry on disk:
 *
 *   <root>/<target>/<version>/...            model files written by the trainer (model.json, weights.bin, params.json, ...)
 *   <root>/<target>/<version>/metadata.json  written by register(): what the model is, how it scored, sha256 of every file
 *   <root>/<target>/CURRENT                  the served version id (one line), replaced atomically
 *   <root>/<target>/HISTORY.jsonl            one JSON object per promote / rollback
 *   <root>/<target>/.lock                    held briefly while creating a version or moving CURRENT
 *
 * Version ids are `v<seq>-<UTC yyyymmddThhmmssZ>`, e.g. `v0007-20261124T150203Z`. The sequence number is
 * allocated under the target's lock, so ids sort by creation even within one second and across processes.
 */

export const CURRENT_FILE = 'CURRENT';
export const HISTORY_FILE = 'HISTORY.jsonl';
const LOCK_FILE = '.lock';

const VERSION_ID = /^v(\d{4,})-(\d{8}T\d{6}Z)$/;
/** Any version directory name the registry will touch (ids it did not create are allowed, but no paths). */
const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Sequence number of a registry-made version id, or undefined for other names. */
export function versionSequence(version: string): number | undefined {
  const m = VERSION_ID.exec(version);
  return m ? Number(m[1]) : undefined;
}

/** Newest first: by sequence number; names without one after them, by name descending. */
export function compareVersionsNewestFirst(a: string, b: string): number {
  const sa = versionSequence(a) ?? -1;
  const sb = versionSequence(b) ?? -1;
  if (sa !== sb) return sb - sa;
  return a < b ? 1 : a > b ? -1 : 0;
}

function formatVersionId(seq: number, now: Date): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
  return `v${String(seq).padStart(4, '0')}-${stamp}`;
}

export function parseTarget(value: string): ModelTarget {
  if ((MODEL_TARGETS as readonly string[]).includes(value)) return value as ModelTarget;
  throw new ValidationError(`unknown model target '${value}'; expected one of ${MODEL_TARGETS.join(', ')}`, [
    { path: ['target'], message: `one of ${MODEL_TARGETS.join(', ')}` },
  ]);
}

function checkVersionName(version: string): void {
  if (!SAFE_NAME.test(version)) {
    throw new ValidationError(`'${version}' is not a version id (e.g. v0003-20261124T150203Z)`, [
      { path: ['version'], message: 'letters, digits, ".", "_" and "-" only' },
    ]);
  }
}

export interface HistoryEntry {
  action: 'promote' | 'rollback';
  version: string;
  /** The version that was current before; null if none. */
  previous: string | null;
  at: string;
  /** promote: whether --force was given. */
  force: boolean;
  /** promote: whether the version beats the rule baseline (false + force = promoted anyway). */
  beats_baseline: boolean | null;
  reason: string | null;
}

export interface VersionSummary {
  target: ModelTarget;
  version: string;
  current: boolean;
  dir: string;
  created_at: string;
  kind: string;
  backend: string;
  as_of: string;
  cutoff: string | null;
  horizon_days: number;
  beats_baseline: boolean;
  /** purchase/churn: validation AUC of the model and of the rule baseline; null for clv or when undefined. */
  auc: number | null;
  baseline_auc: number | null;
}

/** A version directory list() could not read; it is left out of `versions`. */
export interface ListProblem {
  target: ModelTarget;
  version: string;
  /** `unregistered` (no metadata.json yet/at all), `corrupt_artifact`, `corrupt_pointer`, `version_not_found` (CURRENT points nowhere). */
  code: string;
  message: string;
  issues: Issue[];
}

export interface ListResult {
  /** Grouped by target (purchase, churn, clv), newest first within a target. */
  versions: VersionSummary[];
  /** The current version per listed target, null if none. */
  current: Partial<Record<ModelTarget, string | null>>;
  problems: ListProblem[];
}

export interface OpenOptions {
  /** When given, the model's feature schema must equal it (names, order, type, window, description), else schema_mismatch. */
  expectedFeatureSchema?: readonly FeatureSpec[];
}

export interface OpenedModel {
  target: ModelTarget;
  version: string;
  dir: string;
  metadata: ModelMetadata;
}

export interface PromoteOptions extends OpenOptions {
  /** Promote even if the version does not beat the rule baseline. */
  force?: boolean;
  /** Free text kept in HISTORY.jsonl. */
  reason?: string;
}

export interface SwitchResult {
  target: ModelTarget;
  version: string;
  previous: string | null;
  /** False when the version was already current (nothing written). */
  changed: boolean;
  /** promote: true when it went through only because of force (does not beat the baseline). */
  forced: boolean;
}

export class ModelRegistry {
  readonly root: string;

  constructor(rootDir: string) {
    this.root = path.resolve(rootDir);
  }

  targetDir(target: ModelTarget): string {
    return path.join(this.root, parseTarget(target));
  }

  versionDir(target: ModelTarget, version: string): string {
    checkVersionName(version);
    return path.join(this.targetDir(target), version);
  }

  /** Creates a fresh, empty version directory for a trainer to write into; register() it when done. */
  async newVersionDir(target: ModelTarget, now: Date = new Date()): Promise<{ version: string; dir: string }> {
    const targetDir = this.targetDir(target);
    await this.mkdirp(targetDir);
    return withLock(path.join(targetDir, LOCK_FILE), async () => {
      let seq = (await this.highestSequence(target)) + 1;
      for (;;) {
        const version = formatVersionId(seq, now);
        const dir = path.join(targetDir, version);
        try {
          await fs.mkdir(dir);
          return { version, dir };
        } catch (error) {
          if (!isErrno(error, 'EEXIST')) throw new RegistryError('registry_io', `could not create ${dir}: ${(error as Error).message}`, { cause: error });
          seq++;
        }
      }
    });
  }

  /**
   * Registers a version whose files the trainer has written: hashes every file in the directory (except
   * metadata.json) into `files` and writes metadata.json atomically. A version is registered once.
   */
  async register(target: ModelTarget, version: string, input: RegisterMetadataInput): Promise<ModelMetadata> {
    const dir = this.versionDir(target, version);
    await this.requireDir(target, version, dir);
    const metadataPath = path.join(dir, METADATA_FILE);
    if (await exists(metadataPath)) {
      throw new RegistryError('already_registered', `${target}/${version} is already registered`, { target, version, file: metadataPath });
    }
    const given = input as unknown as Record<string, unknown>;
    for (const key of ['target', 'version'] as const) {
      const value = given[key];
      if (value !== undefined && value !== (key === 'target' ? target : version)) {
        throw new ValidationError(`metadata.${key} '${String(value)}' does not match the registered ${key}`, [{ path: [key], message: 'mismatch' }]);
      }
    }
    let relPaths: string[];
    try {
      relPaths = (await listFilesRecursive(dir)).filter((p) => p !== METADATA_FILE);
    } catch (error) {
      throw new RegistryError('registry_io', `could not read ${dir}: ${(error as Error).message}`, { target, version, cause: error });
    }
    if (relPaths.length === 0) {
      throw new ValidationError(`${target}/${version} holds no model files; write the model before registering it`, [
        { path: ['files'], message: 'empty' },
      ]);
    }
    const files: Record<string, string> = {};
    for (const rel of relPaths) files[rel] = await sha256File(path.join(dir, rel));

    // JSON round trip: NaN/Infinity metrics become null, undefined fields vanish, Dates become strings.
    const plain = JSON.parse(JSON.stringify(input)) as Record<string, unknown>;
    const candidate = {
      metadata_version: METADATA_VERSION,
      target,
      version,
      created_at: new Date().toISOString(),
      ...plain,
      files,
    };
    const parsed = StrictModelMetadataSchema.safeParse(candidate);
    if (!parsed.success) {
      const issues = zodIssues(parsed.error.issues);
      throw new ValidationError(`invalid metadata for ${target}/${version}: ${issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`, issues);
    }
    await writeAtomic(metadataPath, JSON.stringify(parsed.data, null, 2) + '\n');
    return parsed.data;
  }

  /** Reads and validates metadata.json only (no checksums): for listings. */
  async readMetadata(target: ModelTarget, version: string): Promise<OpenedModel> {
    const dir = this.versionDir(target, version);
    await this.requireDir(target, version, dir);
    const file = path.join(dir, METADATA_FILE);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      if (isErrno(error, 'ENOENT')) {
        throw new RegistryError('version_not_found', `${target}/${version} is not registered (no ${METADATA_FILE}: training did not finish or failed)`, {
          target,
          version,
          file,
        });
      }
      throw new RegistryError('corrupt_artifact', `${target}/${version}: cannot read ${METADATA_FILE}: ${(error as Error).message}`, { target, version, file, cause: error });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (error) {
      throw new RegistryError('corrupt_artifact', `${target}/${version}: ${METADATA_FILE} is not valid JSON (${(error as Error).message})`, {
        target,
        version,
        file,
        issues: [{ path: [METADATA_FILE], message: 'not valid JSON' }],
      });
    }
    const parsed = ModelMetadataSchema.safeParse(json);
    if (!parsed.success) {
      const issues = zodIssues(parsed.error.issues).map((i) => ({ ...i, path: [METADATA_FILE, ...i.path] }));
      throw new RegistryError(
        'corrupt_artifact',
        `${target}/${version}: ${METADATA_FILE} is invalid: ${issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
        { target, version, file, issues },
      );
    }
    const metadata = parsed.data;
    if (metadata.target !== target || metadata.version !== version) {
      throw new RegistryError(
        'corrupt_artifact',
        `${target}/${version}: ${METADATA_FILE} describes ${metadata.target}/${metadata.version} (directory copied or renamed?)`,
        { target, version, file, issues: [{ path: [METADATA_FILE, 'version'], message: `is ${metadata.target}/${metadata.version}` }] },
      );
    }
    return { target, version, dir, metadata };
  }

  /**
   * Opens a version (default: the current one) after verifying it: metadata.json parses, every listed file
   * exists with the recorded sha256, and (if asked) the feature schema matches. Throws RegistryError
   * (`no_current_model`, `version_not_found`, `corrupt_artifact`, `schema_mismatch`); never returns a model
   * that fails a check, so a caller swapping models keeps the old one on error.
   */
  async open(target: ModelTarget, version?: string, options: OpenOptions = {}): Promise<OpenedModel> {
    const chosen = version ?? (await this.current(target));
    if (chosen === undefined) {
      throw new RegistryError('no_current_model', `no ${target} model is current; train one (npm run train -- --target ${target}) or promote a version`, { target });
    }
    const opened = await this.readMetadata(target, chosen);
    await this.verifyFiles(opened);
    if (options.expectedFeatureSchema) this.checkFeatureSchema(opened, options.expectedFeatureSchema);
    return opened;
  }

  /** The current version id of a target, or undefined if none has been promoted. */
  async current(target: ModelTarget): Promise<string | undefined> {
    const file = path.join(this.targetDir(target), CURRENT_FILE);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return undefined;
      throw new RegistryError('registry_io', `cannot read ${file}: ${(error as Error).message}`, { target, file, cause: error });
    }
    const version = text.trim();
    if (version === '') return undefined;
    if (!SAFE_NAME.test(version)) {
      throw new RegistryError('corrupt_pointer', `${file} does not hold a version id`, { target, file });
    }
    return version;
  }

  /** Promotions and rollbacks of a target, oldest first (unparsable lines are skipped). */
  async history(target: ModelTarget): Promise<HistoryEntry[]> {
    const file = path.join(this.targetDir(target), HISTORY_FILE);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return [];
      throw new RegistryError('registry_io', `cannot read ${file}: ${(error as Error).message}`, { target, file, cause: error });
    }
    const entries: HistoryEntry[] = [];
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const entry = JSON.parse(line) as HistoryEntry;
        if ((entry.action === 'promote' || entry.action === 'rollback') && typeof entry.version === 'string') entries.push(entry);
      } catch {
        // a torn last line after a crash: ignore
      }
    }
    return entries;
  }

  /**
   * Makes a version current. Refuses an unknown or corrupt version (or one with another feature schema, if
   * expectedFeatureSchema is given) and, unless `force`, one whose metadata says it does not beat the baseline.
   */
  async promote(target: ModelTarget, version: string, options: PromoteOptions = {}): Promise<SwitchResult> {
    await this.requireDir(target, version, this.versionDir(target, version));
    return withLock(path.join(this.targetDir(target), LOCK_FILE), async () => {
      const { metadata } = await this.open(target, version, options);
      const force = options.force ?? false;
      if (!metadata.beats_baseline && !force) {
        // Both measures the purchase and churn gate looks at, so a refusal with the better AUC still says why.
        const compared = (['auc', 'log_loss'] as const)
          .filter((k) => metadata.metrics.model?.[k] !== undefined || metadata.metrics.baseline?.[k] !== undefined)
          .map((k) => `${k === 'log_loss' ? 'log loss' : k.toUpperCase()} ${fmt(metadata.metrics.model?.[k])} vs baseline ${fmt(metadata.metrics.baseline?.[k])}`);
        throw new RegistryError(
          'worse_than_baseline',
          `${target}/${version} does not beat the rule baseline${compared.length ? ` (${compared.join('; ')})` : ''}; promote it anyway with --force`,
          { target, version },
        );
      }
      const previous = (await this.current(target)) ?? null;
      const forced = force && !metadata.beats_baseline;
      if (previous === version) return { target, version, previous, changed: false, forced };
      await this.switchTo(target, {
        action: 'promote',
        version,
        previous,
        at: new Date().toISOString(),
        force,
        beats_baseline: metadata.beats_baseline,
        reason: options.reason ?? null,
      });
      return { target, version, previous, changed: true, forced };
    });
  }

  /**
   * Makes the previously promoted version current again (undo of the last promote; repeated rollbacks go
   * further back). The version rolled back to is verified like open() first.
   */
  async rollback(target: ModelTarget, options: OpenOptions & { reason?: string } = {}): Promise<SwitchResult> {
    const targetDir = this.targetDir(target);
    if (!(await exists(targetDir))) {
      throw new RegistryError('no_previous_version', `${target} has no previously promoted version to roll back to`, { target });
    }
    return withLock(path.join(targetDir, LOCK_FILE), async () => {
      const stack = replay(await this.history(target));
      const current = (await this.current(target)) ?? null;
      if (stack.length > 0 && stack[stack.length - 1] === current) stack.pop();
      const back = stack[stack.length - 1];
      if (back === undefined) {
        throw new RegistryError('no_previous_version', `${target} has no previously promoted version to roll back to`, { target });
      }
      const { metadata } = await this.open(target, back, options);
      await this.switchTo(target, {
        action: 'rollback',
        version: back,
        previous: current,
        at: new Date().toISOString(),
        force: false,
        beats_baseline: metadata.beats_baseline,
        reason: options.reason ?? null,
      });
      return { target, version: back, previous: current, changed: true, forced: false };
    });
  }

  /** Versions with a metadata summary, newest first; unreadable version directories are reported in `problems`. */
  /**
   * Every version of the target(s), which is current, and the problems found. With `verify`, each
   * version's files are also checked against their checksums (as open does), so a corrupt artifact
   * shows here rather than only when someone tries to serve it.
   */
  async list(target?: ModelTarget, options: { verify?: boolean } = {}): Promise<ListResult> {
    const targets = target ? [parseTarget(target)] : [...MODEL_TARGETS];
    const result: ListResult = { versions: [], current: {}, problems: [] };
    for (const t of targets) {
      let current: string | undefined;
      try {
        current = await this.current(t);
      } catch (error) {
        const e = error as RegistryError;
        result.problems.push({ target: t, version: CURRENT_FILE, code: e.code ?? 'registry_io', message: e.message, issues: [] });
      }
      result.current[t] = current ?? null;
      const names = await this.versionNames(t);
      for (const name of names) {
        try {
          const opened = await this.readMetadata(t, name);
          result.versions.push(summarize(opened.metadata, opened.dir, name === current));
          if (options.verify) await this.verifyFiles(opened);
        } catch (error) {
          const e = error as RegistryError;
          const unregistered = e.code === 'version_not_found';
          result.problems.push({
            target: t,
            version: name,
            code: unregistered ? 'unregistered' : (e.code ?? 'registry_io'),
            message: e.message,
            issues: e.issues ?? [],
          });
        }
      }
      if (current !== undefined && !names.includes(current)) {
        result.problems.push({ target: t, version: current, code: 'version_not_found', message: `${t}/CURRENT points at ${current}, which does not exist`, issues: [] });
      }
    }
    return result;
  }

  /** Removes a version directory that was never registered (e.g. after a failed training run). */
  async discard(target: ModelTarget, version: string): Promise<void> {
    const dir = this.versionDir(target, version);
    if (await exists(path.join(dir, METADATA_FILE))) {
      throw new ConflictError(`${target}/${version} is registered; registered versions are kept`);
    }
    await fs.rm(dir, { recursive: true, force: true });
  }

  // -------------------------------------------------------------------------------------------------------

  private async verifyFiles({ target, version, dir, metadata }: OpenedModel): Promise<void> {
    const issues: Issue[] = [];
    let firstFile: string | undefined;
    const entries = Object.entries(metadata.files).sort(([a], [b]) => (a < b ? -1 : 1));
    if (entries.length === 0) issues.push({ path: ['files'], message: 'metadata lists no model files' });
    for (const [rel, expected] of entries) {
      const file = resolveInside(dir, rel);
      const fail = (message: string) => {
        issues.push({ path: ['files', rel], message });
        firstFile ??= file ?? path.join(dir, rel);
      };
      if (!file || rel === METADATA_FILE) {
        fail('not a file of the version directory');
        continue;
      }
      let actual: string;
      try {
        actual = await sha256File(file);
      } catch (error) {
        fail(isErrno(error, 'ENOENT') ? 'missing' : `unreadable: ${(error as Error).message}`);
        continue;
      }
      if (actual !== expected) fail(`sha256 mismatch: the file changed or was damaged after registration (expected ${expected.slice(0, 12)}…, found ${actual.slice(0, 12)}…)`);
    }
    if (issues.length > 0) {
      const list = issues.map((i) => `${String(i.path[1] ?? i.path[0])}: ${i.message}`).join('; ');
      throw new RegistryError('corrupt_artifact', `${target}/${version} failed verification: ${list}`, {
        target,
        version,
        file: firstFile,
        issues,
      });
    }
  }

  private checkFeatureSchema({ target, version, metadata }: OpenedModel, expected: readonly FeatureSpec[]): void {
    const actual = metadata.feature_schema;
    if (!actual) {
      throw new RegistryError('schema_mismatch', `${target}/${version} records no feature schema, but ${expected.length} features were expected`, {
        target,
        version,
        issues: [{ path: ['feature_schema'], message: 'missing' }],
      });
    }
    const diff = diffFeatureSchemas(expected, actual);
    if (!diff) return;
    const lines = describeFeatureSchemaDiff(diff, expected, actual);
    const issues: Issue[] = [
      ...diff.added.map((name) => ({ path: ['feature_schema', name], message: 'added: computed now, unknown to the model' })),
      ...diff.removed.map((name) => ({ path: ['feature_schema', name], message: 'removed: the model uses it, it is no longer computed' })),
      ...diff.changed.map((c) => ({ path: ['feature_schema', c.name, c.field], message: `changed: ${String(c.actual)} in the model, ${String(c.expected)} now` })),
      ...(diff.firstReorderedIndex !== null ? [{ path: ['feature_schema', diff.firstReorderedIndex], message: lines[lines.length - 1] ?? 'reordered' }] : []),
    ];
    throw new RegistryError(
      'schema_mismatch',
      `${target}/${version} was trained with a different feature schema; retrain it. ${lines.join('; ')}`,
      { target, version, issues },
    );
  }

  /** CURRENT first, then HISTORY: after a crash in between, rollback still goes to the right version (see replay). */
  private async switchTo(target: ModelTarget, entry: HistoryEntry): Promise<void> {
    const targetDir = this.targetDir(target);
    await writeAtomic(path.join(targetDir, CURRENT_FILE), entry.version + '\n');
    try {
      await fs.appendFile(path.join(targetDir, HISTORY_FILE), JSON.stringify({ target, ...entry }) + '\n');
    } catch (error) {
      throw new RegistryError('registry_io', `${target} is now ${entry.version}, but ${HISTORY_FILE} could not be written: ${(error as Error).message}`, {
        target,
        cause: error,
      });
    }
  }

  private async versionNames(target: ModelTarget): Promise<string[]> {
    let entries;
    try {
      entries = await fs.readdir(this.targetDir(target), { withFileTypes: true });
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return [];
      throw new RegistryError('registry_io', `cannot read ${this.targetDir(target)}: ${(error as Error).message}`, { target, cause: error });
    }
    return entries
      .filter((e) => e.isDirectory() && SAFE_NAME.test(e.name))
      .map((e) => e.name)
      .sort(compareVersionsNewestFirst);
  }

  private async highestSequence(target: ModelTarget): Promise<number> {
    let max = 0;
    for (const name of await this.versionNames(target)) max = Math.max(max, versionSequence(name) ?? 0);
    for (const entry of await this.history(target)) {
      max = Math.max(max, versionSequence(entry.version) ?? 0, entry.previous ? (versionSequence(entry.previous) ?? 0) : 0);
    }
    return max;
  }

  private async requireDir(target: ModelTarget, version: string, dir: string): Promise<void> {
    const stat = await fs.stat(dir).catch((error: unknown) => {
      if (isErrno(error, 'ENOENT') || isErrno(error, 'ENOTDIR')) return undefined;
      throw new RegistryError('registry_io', `cannot read ${dir}: ${(error as Error).message}`, { target, version, cause: error });
    });
    if (!stat?.isDirectory()) {
      throw new RegistryError('version_not_found', `no ${target} model version '${version}' in ${this.root}`, { target, version });
    }
  }

  private async mkdirp(dir: string): Promise<void> {
    try {
      await fs.mkdir(dir, { recursive: true });
    } catch (error) {
      throw new RegistryError('registry_io', `cannot create ${dir}: ${(error as Error).message}`, { cause: error });
    }
  }
}

/**
 * The stack of promoted versions implied by the history: promote pushes; rollback pops back to the
 * version it switched to (pushing it if CURRENT had been changed by hand in between).
 */
export function replay(history: readonly HistoryEntry[]): string[] {
  const stack: string[] = [];
  for (const entry of history) {
    if (entry.action === 'promote') {
      if (stack[stack.length - 1] !== entry.version) stack.push(entry.version);
    } else {
      stack.pop();
      if (stack[stack.length - 1] !== entry.version) stack.push(entry.version);
    }
  }
  return stack;
}

function summarize(m: ModelMetadata, dir: string, current: boolean): VersionSummary {
  return {
    target: m.target,
    version: m.version,
    current,
    dir,
    created_at: m.created_at,
    kind: m.kind,
    backend: m.backend,
    as_of: m.as_of,
    cutoff: m.cutoff,
    horizon_days: m.horizon_days,
    beats_baseline: m.beats_baseline,
    auc: m.metrics.model?.auc ?? null,
    baseline_auc: m.metrics.baseline?.auc ?? null,
  };
}

function zodIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[]): Issue[] {
  return issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)), message: i.message }));
}

const fmt = (v: number | null | undefined): string => (typeof v === 'number' ? v.toFixed(3) : 'n/a');

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}
