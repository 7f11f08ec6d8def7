import { parseArgs } from 'node:util';
import { loadScenarioFile, ScenarioError } from '../../sandbox/scenario/load.ts';
import { formatSummary } from '../../sandbox/scenario/format.ts';
import { narrate } from '../../sandbox/scenario/narrate.ts';
import { runScenario } from '../../sandbox/scenario/runner.ts';

const usage = 'usage: lifeguard simulate SCENARIO [--json]\n  SCENARIO  a scenario file (YAML or JSON); see docs/scenarios.md';

/** `lifeguard simulate`: exit 0 when the scenario ran (whatever Lifeguard decided), 2 when it is invalid, 1 when the sandbox failed. */
export async function run(argv: string[]): Promise<number> {
  let values: { json?: boolean; verbose?: boolean; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, allowPositionals: true, options: { json: { type: 'boolean' }, verbose: { type: 'boolean', short: 'v' }, help: { type: 'boolean', short: 'h' } } }));
  } catch (err) {
    console.error(`lifeguard simulate: ${(err as Error).message}\n${usage}`);
    return 2;
  }
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const [file, ...extra] = positionals;
  if (!file || extra.length) {
    console.error(`lifeguard simulate: expected exactly one scenario file\n${usage}`);
    return 2;
  }
  let scenario;
  try {
    scenario = loadScenarioFile(file);
  } catch (err) {
    console.error(`lifeguard simulate: ${(err as Error).message}`);
    return 2;
  }
  try {
    const result = await runScenario(scenario);
    if (values.json) console.log(JSON.stringify(result, null, 2));
    else console.log([...narrate(result, { verbose: values.verbose === true }), formatSummary(result)].join('\n'));
    return 0;
  } catch (err) {
    // Events are checked before the run starts, so an invalid one lands here too.
    console.error(`lifeguard simulate: ${(err as Error).message}`);
    return err instanceof ScenarioError ? 2 : 1;
  }
}
