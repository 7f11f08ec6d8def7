import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { emulatorKubeconfig, KUBECONFIG_MARKER } from '../../sandbox/kube/kubeconfig.ts';
import { loopbackHost } from '../../sandbox/kube/listen.ts';
import type { CliContext } from '../context.ts';
import { readDocument } from '../read-document.ts';

/**
 * `lifeguard emulator SCENARIO [--port N] [--host ADDRESS] [--kubeconfig FILE] [--quiet]`: serves
 * the scenario's cluster (nodes, pods, PodDisruptionBudgets, the controllers its pods name) as a
 * Kubernetes API on loopback, in real time, with a kubeconfig for kubectl and your own tools,
 * until Ctrl-C. The scenario's events are not run: what happens to the cluster is what its clients do.
 */

const DEFAULT_KUBECONFIG = 'lifeguard-emulator.kubeconfig';

interface EmulatorOptions {
  port: number;
  host: string;
  kubeconfig: string;
  quiet?: boolean;
}

function parsePort(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65_535) throw new InvalidArgumentError(`'${value}' is not a TCP port (0 to 65535; 0 picks a free one)`);
  return Number(value);
}

function parseHost(value: string): string {
  try {
    return loopbackHost(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

export function registerEmulator(program: Command, ctx: CliContext): Command {
  return program
    .command('emulator')
    .summary("serve a scenario's cluster as a Kubernetes API on loopback, for kubectl and your own tools")
    .description(
      "Serves the cluster of a scenario file (nodes, pods, PodDisruptionBudgets and the DaemonSets, ReplicaSets " +
        'and StatefulSets its pods name; see docs/scenarios.md) as a Kubernetes API on a loopback address, in real ' +
        'time, and writes a kubeconfig for it. kubectl, client libraries and your own drain scripts or admission ' +
        "tooling can then cordon, evict, delete and watch: pods shut down, budgets hold and controllers replace pods " +
        "as in a simulation. The scenario's events are not run. It runs until Ctrl-C, then removes the kubeconfig. " +
        'kubectl sends no credentials to a plain-HTTP server, so a request without any acts as the cluster ' +
        'administrator, and the emulator listens on loopback only. The kubeconfig\'s <cluster>-emulator-lifeguard ' +
        "context signs Lifeguard's own client in as its function, held to deploy/kubernetes-rbac.yaml.",
    )
    .argument('<scenario>', 'scenario file (YAML or JSON) with a cluster section')
    .addOption(new Option('--port <n>', 'TCP port to listen on').argParser(parsePort).default(0, 'a free one'))
    .addOption(new Option('--host <address>', 'loopback address to listen on: 127.0.0.0/8, ::1 or localhost').argParser(parseHost).default('127.0.0.1'))
    .option('--kubeconfig <file>', 'where to write the kubeconfig', DEFAULT_KUBECONFIG)
    .option('-q, --quiet', "do not print the cluster's changes as they happen")
    .addHelpText(
      'after',
      `
Exit codes: 0 stopped with Ctrl-C (or SIGTERM), 1 could not serve (the port is taken), 2 bad usage or
an invalid scenario, or a --kubeconfig file it did not write.

Examples:
  $ lifeguard emulator sandbox/scenarios/demo.yaml
  $ lifeguard emulator my-cluster.yaml --port 8001 --kubeconfig /tmp/emulator.kubeconfig
  $ kubectl --kubeconfig lifeguard-emulator.kubeconfig get pods -A -o wide`,
    )
    .action(async (file: string, options: EmulatorOptions) => ctx.exit(await serve(file, options, ctx)));
}


async function serve(file: string, options: EmulatorOptions, ctx: CliContext): Promise<number> {
  const fail = (message: string, code: number) => {
    ctx.err(`lifeguard emulator: ${message}`);
    return code;
  };
  const { parseScenario } = await import('../../sandbox/scenario/load.ts');
  let scenario;
  try {
    scenario = parseScenario(readDocument(file), file);
  } catch (err) {
    return fail((err as Error).message, 2);
  }
  const cluster = scenario.cluster;
  if (!cluster) return fail(`${file} has no cluster section to serve (only an emr section); see docs/scenarios.md`, 2);
  // Never overwrite a kubeconfig someone else wrote (~/.kube/config by a slip of the finger).
  if (existsSync(options.kubeconfig) && !readFileSync(options.kubeconfig, 'utf8').startsWith(KUBECONFIG_MARKER)) {
    return fail(`--kubeconfig: ${options.kubeconfig} exists and was not written by lifeguard emulator; name another file`, 2);
  }

  const { systemClock } = await import('../../lib/util/clock.ts');
  const { startCluster } = await import('../../sandbox/scenario/cluster.ts');
  const started = Date.now();
  const log = (entry: { at?: number; actor: string; action: string; node?: string; pod?: string; detail?: string }) => {
    if (options.quiet) return;
    const subject = entry.pod ?? entry.node ?? '';
    ctx.out(`  ${new Date(entry.at ?? Date.now()).toISOString().slice(11, 19)} ${entry.actor} ${entry.action}${subject ? ` ${subject}` : ''}${entry.detail ? ` (${entry.detail})` : ''}`);
  };
  let running;
  try {
    running = await startCluster(scenario, cluster, systemClock, log, { host: options.host, port: options.port });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') return fail(`port ${options.port} is in use on ${options.host}: pick another --port, or 0 for a free one`, 1);
    if (code === 'EADDRNOTAVAIL') return fail(`--host: ${options.host} is not an address of this machine`, 1);
    return fail((err as Error).message, err instanceof Error && err.message.startsWith('invalid') ? 2 : 1);
  }
  const { emulator } = running;
  // Listening for Ctrl-C before the kubeconfig exists: from here on it is always removed again.
  const stopped = stopRequested(ctx.stop);
  try {
    writeFileSync(options.kubeconfig, emulatorKubeconfig({ server: emulator.url, cluster: cluster.name }), { mode: 0o600 });
  } catch (err) {
    await emulator.close();
    return fail(`--kubeconfig: cannot write ${options.kubeconfig}: ${(err as Error).message}`, 2);
  }
  ctx.out(
    [
      `serving cluster ${cluster.name} of ${file} at ${emulator.url} (${count(cluster.nodes.length, 'node')}, ${count(cluster.pods.length, 'pod')}, ${count(cluster.pdbs.length, 'PodDisruptionBudget')}; set up in ${Date.now() - started} ms)`,
      `kubeconfig: ${options.kubeconfig}`,
      `  $ kubectl --kubeconfig ${options.kubeconfig} get pods -A -o wide`,
      'Ctrl-C to stop.',
    ].join('\n'),
  );
  await stopped;
  await emulator.close();
  rmSync(options.kubeconfig, { force: true });
  ctx.out(`stopped; removed ${options.kubeconfig}`);
  return 0;
}

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** Resolves on `stop`, or on SIGINT / SIGTERM when there is none (their default, exiting at once, would leave the kubeconfig behind). */
function stopRequested(stop: AbortSignal | undefined): Promise<void> {
  if (stop) return stop.aborted ? Promise.resolve() : new Promise((resolve) => stop.addEventListener('abort', () => resolve(), { once: true }));
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
}
