import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { RegistryError } from './errors.js';

export const isErrno = (error: unknown, code: string): boolean => (error as NodeJS.ErrnoException | undefined)?.code === code;

/** sha256 (hex) of a file, streamed so large weight files are not read into memory at once. */
export function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('error', reject)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** Marks temp files of atomic writes (ours and tf-io's `<file>.tmp-<pid>-<time>`): never part of a model. */
export const isTempFile = (name: string): boolean => /\.tmp-/.test(name);

/** Writes via a temp file in the same directory, fsync, then rename: readers see the old or the new content. */
export async function writeAtomic(file: string, data: string): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const handle = await fs.open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
  } catch (error) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw new RegistryError('registry_io', `could not write ${file}: ${(error as Error).message}`, { file, cause: error });
  }
}

/** Relative POSIX paths of every regular file under `dir` (recursively), sorted; temp files are left out. */
export async function listFilesRecursive(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string): Promise<void> => {
    const entries = await fs.readdir(path.join(dir, rel), { withFileTypes: true });
    for (const entry of entries) {
      if (isTempFile(entry.name)) continue;
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(relPath);
      else if (entry.isFile()) out.push(relPath);
      else if (entry.isSymbolicLink()) {
        const stat = await fs.stat(path.join(dir, relPath));
        if (stat.isFile()) out.push(relPath);
      }
    }
  };
  await walk('');
  return out.sort();
}

/** Resolves a relative path from metadata inside `dir`; undefined if it would escape `dir`. */
export function resolveInside(dir: string, relPath: string): string | undefined {
  const resolved = path.resolve(dir, relPath);
  const root = path.resolve(dir);
  return resolved.startsWith(root + path.sep) ? resolved : undefined;
}

/**
 * A cross-process lock file (`open(..., 'wx')`). A lock older than `staleMs` is taken to belong to a
 * crashed process and removed. Waits up to `timeoutMs`, then throws registry_busy.
 */
export async function withLock<T>(lockFile: string, fn: () => Promise<T>, { timeoutMs = 10_000, staleMs = 60_000 } = {}): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      const handle = await fs.open(lockFile, 'wx');
      await handle.writeFile(`${process.pid} ${new Date().toISOString()}\n`).finally(() => handle.close());
      break;
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) {
        throw new RegistryError('registry_io', `could not create lock ${lockFile}: ${(error as Error).message}`, { file: lockFile, cause: error });
      }
      const stat = await fs.stat(lockFile).catch(() => undefined);
      if (stat && Date.now() - stat.mtimeMs > staleMs) {
        await fs.rm(lockFile, { force: true });
        continue;
      }
      if (Date.now() - started > timeoutMs) {
        const holder = await fs.readFile(lockFile, 'utf8').catch(() => '?');
        throw new RegistryError('registry_busy', `the model registry lock ${lockFile} is held (${holder.trim()}); try again shortly`, { file: lockFile });
      }
      await new Promise((r) => setTimeout(r, 25 + Math.random() * 50));
    }
  }
  try {
    return await fn();
  } finally {
    await fs.rm(lockFile, { force: true }).catch(() => undefined);
  }
}
