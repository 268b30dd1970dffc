import { DomainError } from '../domain/errors.js';

/**
 * Stable codes for problems with a saved model directory:
 * - `artifact_missing`: model.json or weights.bin is not there (or the directory is not).
 * - `artifact_corrupt`: a file is there but unreadable: bad JSON, wrong size, checksum mismatch, non-finite weights.
 * - `artifact_incompatible`: readable, but not something this code can load (unknown format/version, not a layers model).
 * - `artifact_write_failed`: saving failed (disk full, permissions, ...).
 */
export type ArtifactErrorCode =
  | 'artifact_missing'
  | 'artifact_corrupt'
  | 'artifact_incompatible'
  | 'artifact_write_failed';

/** A model artifact on disk could not be written or read. `path` is the file (or directory) concerned. */
export class ArtifactError extends DomainError {
  constructor(
    override readonly code: ArtifactErrorCode,
    message: string,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, 500);
    if (options?.cause !== undefined) (this as { cause?: unknown }).cause = options.cause;
  }
}
