/**
 * Scenario files describe pods and budgets in a shorter form than Kubernetes objects
 * (sandbox/kube/specs.ts). People write them the Kubernetes way first; this takes the spellings
 * that mean the same thing (a budget's `selector: { matchLabels: … }`) and explains the ones that
 * have a shorter field instead (a pod's `lifecycle.preStop.exec.command` is `preStop:`).
 */

export interface Spellings {
  /** The document with the accepted spellings rewritten (the input is not changed). */
  doc: unknown;
  /** One `path: what to write instead (got …)` line per spelling that has another field. */
  problems: string[];
}

type Mapping = Record<string, unknown>;
const isMapping = (v: unknown): v is Mapping => v !== null && typeof v === 'object' && !Array.isArray(v);
const SHELLS = /^(\/(usr\/)?bin\/)?(ba|da)?sh$/;

export function kubernetesSpellings(raw: unknown): Spellings {
  const cluster = isMapping(raw) ? raw.cluster : undefined;
  if (!isMapping(raw) || !isMapping(cluster)) return { doc: raw, problems: [] };
  const problems: string[] = [];
  const pods = Array.isArray(cluster.pods) ? cluster.pods.map((pod, i) => (isMapping(pod) ? pod_(pod, i, problems) : pod)) : cluster.pods;
  const pdbs = Array.isArray(cluster.pdbs) ? cluster.pdbs.map((pdb, i) => (isMapping(pdb) ? pdb_(pdb, i, problems) : pdb)) : cluster.pdbs;
  return { doc: { ...raw, cluster: { ...cluster, ...(pods === undefined ? {} : { pods }), ...(pdbs === undefined ? {} : { pdbs }) } }, problems };
}

/** A pod's `lifecycle`: the scenario field is `preStop`, the command the emulator puts in lifecycle.preStop.exec.command. */
function pod_(pod: Mapping, i: number, problems: string[]): Mapping {
  if (!('lifecycle' in pod)) return pod;
  const { lifecycle, ...rest } = pod;
  const preStop = isMapping(lifecycle) && isMapping(lifecycle.preStop) ? lifecycle.preStop : undefined;
  const command = preStop && isMapping(preStop.exec) ? preStop.exec.command : undefined;
  const path = `cluster.pods.${i}.lifecycle`;
  if (Array.isArray(command) && command.length > 0 && command.every((c) => typeof c === 'string')) {
    // `sh -c SCRIPT` runs SCRIPT: that is the command to name.
    const script = command.length === 3 && SHELLS.test(command[0]!) && command[1] === '-c' ? command[2]! : command.join(' ');
    problems.push(`  - ${path}: a scenario pod names its preStop command directly: write \`preStop: ${JSON.stringify(script)}\` instead of lifecycle (got lifecycle.preStop.exec.command ${JSON.stringify(command)})`);
  } else {
    problems.push(`  - ${path}: not a field of a scenario pod: its preStop hook is written \`preStop: "/opt/spark/decom.sh"\` (the command; docs/scenarios.md)`);
  }
  return rest;
}

/** A budget's `selector: { matchLabels: {...} }` is its labels; matchExpressions are not modelled. */
function pdb_(pdb: Mapping, i: number, problems: string[]): Mapping {
  const selector = pdb.selector;
  if (!isMapping(selector) || !('matchLabels' in selector || 'matchExpressions' in selector)) return pdb;
  const { matchLabels, matchExpressions, ...other } = selector;
  const expressions = Array.isArray(matchExpressions) ? matchExpressions.length : matchExpressions === undefined ? 0 : 1;
  if (expressions > 0) {
    problems.push(`  - cluster.pdbs.${i}.selector.matchExpressions: not modelled: a scenario budget selects by labels only; write them under matchLabels (got ${expressions} expression(s))`);
  }
  if (Object.keys(other).length > 0) return pdb; // labels beside matchLabels: the schema names them
  return { ...pdb, selector: matchLabels ?? {} };
}
