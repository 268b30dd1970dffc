import fs from 'node:fs';
import path from 'node:path';
import { ValidationError } from '../domain/errors.js';

/**
 * Checks, before any slow work, that `file` can be created as a file: it is not a directory and
 * its nearest existing ancestor is one (missing directories are created when writing).
 */
export function checkOutputFile(file: string, option = 'output'): void {
  if (statOf(file)?.isDirectory()) {
    throw new ValidationError(`--${option} ${file} is a directory; give a file name, e.g. ${path.join(file, 'scores.csv')}`, [
      { path: [option], message: 'is a directory' },
    ]);
  }
  for (let dir = path.dirname(path.resolve(file)); ; dir = path.dirname(dir)) {
    const stat = statOf(dir);
    if (stat && !stat.isDirectory()) {
      throw new ValidationError(`--${option} ${file} cannot be created: ${dir} is a file, not a directory`, [
        { path: [option], message: `${dir} is not a directory` },
      ]);
    }
    if (stat || path.dirname(dir) === dir) return;
  }
}

/** File-system errors that mean "this path cannot be written" → invalid input naming the option; others pass through. */
export function outputWriteError(error: unknown, file: string, option = 'output'): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (!code || !['EACCES', 'EPERM', 'EROFS', 'EISDIR', 'ENOTDIR'].includes(code)) return error;
  return new ValidationError(`--${option} ${file} cannot be written: ${(error as Error).message}`, [{ path: [option], message: code }]);
}

function statOf(file: string): fs.Stats | undefined {
  try {
    return fs.statSync(file);
  } catch {
    return undefined;
  }
}
