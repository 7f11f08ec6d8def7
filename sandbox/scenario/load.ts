import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { formatIssues } from '../../lib/config/load.ts';
import { kubernetesSpellings } from './kubernetes-spellings.ts';
import { scenarioSchema, type Scenario } from './schema.ts';
import { LifeguardError } from '../../lib/util/errors.ts';

export class ScenarioError extends LifeguardError {}

export function parseScenario(raw: unknown, origin = 'scenario'): Scenario {
  const { doc, problems } = kubernetesSpellings(raw);
  const result = scenarioSchema.safeParse(doc);
  if (!result.success || problems.length) {
    // What was written is shown with each problem (`got …`), and an unknown field gets its suggestion.
    const lines = [...problems, ...(result.success ? [] : [formatIssues(result.error, doc, scenarioSchema)])];
    throw new ScenarioError(`${origin} is invalid:\n${lines.join('\n')}`);
  }
  const scenario = result.data;
  const nodes = new Set(scenario.cluster?.nodes.map((n) => n.name));
  scenario.cluster?.pods.forEach((pod, i) => {
    if (!nodes.has(pod.node)) {
      throw new ScenarioError(`${origin} is invalid:\n  - cluster.pods.${i}.node: no node named '${pod.node}' in cluster.nodes`);
    }
  });
  return scenario;
}

/** Reads a YAML or JSON scenario file (JSON is YAML). */
export function loadScenarioFile(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ScenarioError(`cannot read scenario ${path}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text, { merge: true });
  } catch (err) {
    throw new ScenarioError(`${path} is not valid YAML or JSON: ${(err as Error).message}`);
  }
  return parseScenario(raw, path);
}
