import { LifeguardError } from '../util/errors.ts';

/** Configuration (a file, a setting, the function's environment) that Lifeguard cannot run with; the message names the field. */
export class ConfigError extends LifeguardError {}
