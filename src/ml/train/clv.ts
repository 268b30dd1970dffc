import type { Db } from '../../store/database.js';
import type { ModelRegistry } from '../registry/registry.js';
import type { ClvLoader } from '../serving/model-set.js';
import type { TargetResult, TrainRequest } from './run.js';

export async function trainAndSaveClv(_db: Db, _registry: ModelRegistry, _request: TrainRequest, _log: (m: string) => void): Promise<TargetResult> {
  throw new Error('CLV training is being wired in');
}

export const loadClvPredictor: ClvLoader = async () => {
  throw new Error('CLV serving is being wired in');
};
