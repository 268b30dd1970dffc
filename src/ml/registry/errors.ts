import { DomainError, type Issue } from '../../domain/errors.js';

/**
 * Stable codes of the model registry:
 * - `version_not_found` (404): no such version directory, or it has no metadata.json (not registered).
 * - `no_current_model` (404): open() without a version while the target has no CURRENT pointer.
 * - `corrupt_artifact` (422): the version cannot be trusted (refused, not a fault of the server): metadata.json unreadable/invalid, a listed file
 *   missing, or a file's sha256 differs. `file` names the (first) file concerned; `issues` lists all.
 * - `schema_mismatch` (409): the model was trained with another feature schema; `issues` list the
 *   added / removed / changed features.
 * - `worse_than_baseline` (409): promote refused a version that does not beat the rule baseline (use force).
 * - `no_previous_version` (409): rollback with nothing to go back to.
 * - `already_registered` (409): register() on a version that already has metadata.json.
 * - `corrupt_pointer` (500): models/<target>/CURRENT holds something that is not a version id.
 * - `registry_busy` (503): another process holds the target's lock for too long.
 * - `registry_io` (500): the registry directory could not be read or written.
 */
export type RegistryErrorCode =
  | 'version_not_found'
  | 'no_current_model'
  | 'corrupt_artifact'
  | 'schema_mismatch'
  | 'worse_than_baseline'
  | 'no_previous_version'
  | 'already_registered'
  | 'corrupt_pointer'
  | 'registry_busy'
  | 'registry_io';

const STATUS: Record<RegistryErrorCode, number> = {
  version_not_found: 404,
  no_current_model: 404,
  corrupt_artifact: 422,
  schema_mismatch: 409,
  worse_than_baseline: 409,
  no_previous_version: 409,
  already_registered: 409,
  corrupt_pointer: 500,
  registry_busy: 503,
  registry_io: 500,
};

export class RegistryError extends DomainError {
  constructor(
    override readonly code: RegistryErrorCode,
    message: string,
    readonly details: { target?: string; version?: string; file?: string; issues?: Issue[]; cause?: unknown } = {},
  ) {
    super(code, message, STATUS[code], details.issues ?? []);
    if (details.cause !== undefined) (this as { cause?: unknown }).cause = details.cause;
  }

  get target(): string | undefined {
    return this.details.target;
  }
  get version(): string | undefined {
    return this.details.version;
  }
  /** The file concerned (absolute path), for corrupt_artifact. */
  get file(): string | undefined {
    return this.details.file;
  }
}
