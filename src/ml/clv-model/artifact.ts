import fs from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import type { Issue } from '../../domain/errors.js';
import { ArtifactError, type ArtifactErrorCode } from '../errors.js';
import { CLV_MODEL_FORMAT, CLV_MODEL_FORMAT_VERSION, ClvModelSchema, type ClvModel } from './model.js';

/**
 * The CLV model on disk: one JSON file, `clv.json`, in a model directory (e.g. a registry version
 * directory). Loading validates every field; a corrupt or incomplete file is refused with an error that
 * names the field, never half-loaded.
 */
export const CLV_MODEL_FILE = 'clv.json';

/** An artifact problem with the offending fields as contract issues (path + message). */
export class ClvArtifactError extends ArtifactError {
  constructor(code: ArtifactErrorCode, message: string, file: string, issues: Issue[] = [], options?: { cause?: unknown }) {
    super(code, message, file, options);
    (this as { issues: Issue[] }).issues = issues;
  }
}

/** Writes `<dir>/clv.json` (creating dir), after checking the model is one loadClvModel accepts. */
export async function saveClvModel(dir: string, model: ClvModel): Promise<string> {
  const file = path.join(dir, CLV_MODEL_FILE);
  const checked = ClvModelSchema.safeParse(model);
  if (!checked.success) {
    const issues = zodIssues(checked.error);
    throw new ClvArtifactError('artifact_write_failed', `refusing to save an invalid CLV model: ${describe(issues)}`, file, issues);
  }
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    await fs.mkdir(dir, { recursive: true });
    await fs.writeFile(tmp, `${JSON.stringify(checked.data, null, 2)}\n`, 'utf8');
    await fs.rename(tmp, file);
  } catch (error) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw new ClvArtifactError('artifact_write_failed', `could not write ${file}: ${(error as Error).message}`, file, [], { cause: error });
  }
  return file;
}

/** Reads and validates `<dir>/clv.json`. */
export async function loadClvModel(dir: string): Promise<ClvModel> {
  const file = path.join(dir, CLV_MODEL_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new ClvArtifactError(
      missing ? 'artifact_missing' : 'artifact_corrupt',
      missing ? `CLV model file ${file} does not exist` : `could not read ${file}: ${(error as Error).message}`,
      file,
      [],
      { cause: error },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ClvArtifactError('artifact_corrupt', `${file} is not valid JSON: ${(error as Error).message}`, file, [], { cause: error });
  }
  const head = json !== null && typeof json === 'object' ? (json as Record<string, unknown>) : {};
  if (head.format === CLV_MODEL_FORMAT && head.format_version !== CLV_MODEL_FORMAT_VERSION) {
    throw new ClvArtifactError(
      'artifact_incompatible',
      `${file} has format_version ${JSON.stringify(head.format_version)}; this code reads version ${CLV_MODEL_FORMAT_VERSION}`,
      file,
      [{ path: ['format_version'], message: `expected ${CLV_MODEL_FORMAT_VERSION}` }],
    );
  }
  const parsed = ClvModelSchema.safeParse(json);
  if (!parsed.success) {
    const issues = zodIssues(parsed.error);
    throw new ClvArtifactError('artifact_corrupt', `${file} is not a valid CLV model: ${describe(issues)}`, file, issues);
  }
  return parsed.data;
}

function zodIssues(error: z.ZodError): Issue[] {
  return error.issues.map((i) => ({ path: i.path.map((p) => (typeof p === 'number' ? p : String(p))), message: i.message }));
}

/** "params.bgnbd.alpha: Invalid input: expected number, received undefined; ..." (first few). */
function describe(issues: Issue[]): string {
  const shown = issues.slice(0, 5).map((i) => `field ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
  return shown.join('; ') + (issues.length > 5 ? `; and ${issues.length - 5} more` : '');
}
