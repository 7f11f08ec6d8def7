import type { DrainReport } from './drain.ts';
import { LifeguardError } from '../util/errors.ts';

/** A drain that ended in permanent Kubernetes API errors: the delivery fails, the report travels with it (for its metrics). */
export class DrainFailedError extends LifeguardError {
  constructor(
    message: string,
    readonly drain: DrainReport,
  ) {
    super(message);
  }
}
