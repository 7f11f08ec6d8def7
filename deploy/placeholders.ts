import type { LifeguardConfig } from '../lib/config/schema.ts';

/**
 * The values lifeguard.config.example.yaml stands in with for the user's own. A copy deployed
 * unedited would subscribe nobody, protect a cluster that is not there and hand the failover roles
 * of an account that is not the user's; `package` and `deploy` refuse them unless told
 * `--allow-placeholders` (the project's own tests package the example that way).
 */
/** AWS's documentation account id, in the example's ARNs. */
export const EXAMPLE_ACCOUNT = '123456789012';
/** Reserved for documentation by RFC 2606: no address there reaches anyone. */
const EXAMPLE_DOMAIN = /(^|[@./])example\.(com|org|net)\b/i;
/** The example's clusters and the resources named after them. */
const EXAMPLE_VALUES = new Map([
  ['spark-prod', "the example's EKS cluster name"],
  ['analytics', "the example's EMR cluster name"],
  ['j-2AXXXXXXGAPLF', "the example's EMR cluster id"],
  ['subnet-0bbb2222', "the example's subnet"],
  ['subnet-0ccc3333', "the example's subnet"],
  ['analytics-nlb-0123456789abcdef.elb.us-east-1.amazonaws.com', "the example's load balancer"],
]);

export const ALLOW_PLACEHOLDERS_FLAG = '--allow-placeholders';

export interface Placeholder {
  /** `dr.clusters.0.roles.service` */
  path: string;
  value: string;
  why: string;
}

/** Every string of the configuration that is one of the example's placeholders, with its path. */
export function placeholdersIn(config: LifeguardConfig): Placeholder[] {
  const found: Placeholder[] = [];
  const visit = (value: unknown, path: string) => {
    if (typeof value === 'string') {
      const why = reason(value);
      if (why) found.push({ path, value, why });
    } else if (Array.isArray(value)) value.forEach((v, i) => visit(v, `${path}.${i}`));
    else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) visit(v, path ? `${path}.${k}` : k);
  };
  visit(config, '');
  return found;
}

function reason(value: string): string | undefined {
  const example = EXAMPLE_VALUES.get(value);
  if (example) return example;
  if (value.includes(EXAMPLE_ACCOUNT)) return `account ${EXAMPLE_ACCOUNT} is AWS's documentation account`;
  if (EXAMPLE_DOMAIN.test(value)) return 'example.com reaches nobody';
  return undefined;
}

/** The refusal: one line per placeholder field, and the way past it. */
export function placeholderMessage(file: string, found: readonly Placeholder[]): string {
  return [
    `${file} still has the example's placeholders; put your own values in (or pass ${ALLOW_PLACEHOLDERS_FLAG} to package it anyway):`,
    ...found.map((p) => `  - ${p.path}: ${JSON.stringify(p.value)} (${p.why})`),
  ].join('\n');
}
