import fs from 'node:fs';
import path from 'node:path';

/** A name part safe in any file system: runs of other characters become '_'. */
const safe = (name: string) => name.replace(/[^\w.-]+/g, '_');

/**
 * The rejects file of one batch: `<store>-batch-<N>-<input>.rejects.csv` in `dir`. The store's
 * name keeps two stores in one folder apart; a file of that name already there (a store made
 * anew restarts its batches at 1) gets a `-2`, `-3`, ... suffix instead of being overwritten.
 * The file is created here, empty, so two ingests at once cannot claim the same name.
 */
export function claimRejectsFile(dir: string, storeFile: string, batchId: number, input: string): string {
  fs.mkdirSync(dir, { recursive: true });
  const store = storeFile === ':memory:' ? 'memory' : path.basename(storeFile).replace(/\.duckdb$/i, '');
  const stem = `${safe(store)}-batch-${batchId}-${safe(input)}`;
  for (let n = 1; ; n++) {
    const file = path.join(dir, `${stem}${n === 1 ? '' : `-${n}`}.rejects.csv`);
    try {
      fs.closeSync(fs.openSync(file, 'wx'));
      return file;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
