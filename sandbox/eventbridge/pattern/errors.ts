import { LifeguardError } from '../../../lib/util/errors.ts';
/** A pattern EventBridge would refuse (PutRule's InvalidEventPatternException, in spirit). */
export class InvalidPatternError extends LifeguardError {
  override readonly name = 'InvalidPatternError';

  /** Where in the pattern, e.g. `detail.state[0].numeric`; `$` for the pattern itself. */
  readonly path: string;

  constructor(path: string, problem: string) {
    super(`${path}: ${problem}`);
    this.path = path;
  }
}

export type PathSegment = string | number;

/** `detail.state[0].numeric`, `$or[1].source`; `$` for the root. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out ? `.${segment}` : segment;
  }
  return out || '$';
}
