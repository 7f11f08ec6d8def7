import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse as parseYaml } from 'yaml';
import { loadConfigFile, parseConfig } from '../../lib/config/load.ts';
import { handleInterruption, type InterruptionReport } from '../../lib/interruption/handle.ts';
import { createKubeApi } from '../../lib/kube/client.ts';
import { kubeConfigFromFile } from '../../lib/kube/connect.ts';
import { NodeIndex } from '../../lib/kube/node-index.ts';
import type { Log } from '../../lib/observability/log.ts';
import { systemClock } from '../../lib/util/clock.ts';

const USAGE = `usage: lifeguard handle EVENT_FILE [--dry-run] [--kubeconfig PATH] [--context NAME] [--config FILE] [--json]
  Feeds one EventBridge event (JSON or YAML, e.g. a message from a dead-letter queue) to the
  interruption handler against the cluster in your kubeconfig. --dry-run reads the node and its
  pods and prints the cordon patch and the ordered eviction plan, changing nothing.
  No Auto Scaling lifecycle action is completed and no Lifeguard event is published from here.`;

export interface HandleDeps {
  out?: (line: string) => void;
  err?: (line: string) => void;
}

/** `lifeguard handle`: exit 0 when handled (or ignored, with the reason), 1 on failure, 2 on bad usage or input. */
export async function run(argv: string[], deps: HandleDeps = {}): Promise<number> {
  const out = deps.out ?? ((line) => console.log(line));
  const err = deps.err ?? ((line) => console.error(line));
  let values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'dry-run': { type: 'boolean', default: false },
        kubeconfig: { type: 'string' },
        context: { type: 'string' },
        config: { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (e) {
    err(`lifeguard handle: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    out(USAGE);
    return 0;
  }
  if (positionals.length !== 1) {
    err(`lifeguard handle: expected exactly one event file\n${USAGE}`);
    return 2;
  }

  let event: unknown;
  let kube;
  let config;
  try {
    event = parseYaml(readFileSync(positionals[0]!, 'utf8'));
    config = values.config ? loadConfigFile(values.config) : parseConfig({});
    kube = createKubeApi(kubeConfigFromFile(values.kubeconfig, values.context), { clock: systemClock });
  } catch (e) {
    err(`lifeguard handle: ${(e as Error).message}`);
    return 2;
  }

  const log: Log = {
    debug: () => {},
    info: (message, extra) => !values.json && err(`${message}${describe(extra)}`),
    warn: (message, extra) => err(`warning: ${message}${describe(extra)}`),
    error: (message, extra) => err(`error: ${message}${describe(extra)}`),
  };
  let report: InterruptionReport;
  try {
    report = await handleInterruption(event, {
      config,
      clock: systemClock,
      log,
      kube,
      nodes: new NodeIndex(kube, { clock: systemClock, log }),
      // Continuations name the cluster; from the command line there is no scheduler to name it to.
      clusterName: values.context ?? 'kubeconfig',
      dryRun: values['dry-run'],
    });
  } catch (e) {
    err(`lifeguard handle: ${(e as Error).message}`);
    return 1;
  }
  if (values.json) {
    out(JSON.stringify(report, null, 2));
  } else {
    for (const line of summarize(report)) out(line);
  }
  return report.ignored && report.field ? 2 : 0;
}

function describe(extra: Record<string, unknown> | undefined): string {
  const facts = Object.entries(extra ?? {}).filter(([, v]) => typeof v === 'string' || typeof v === 'number');
  return facts.length ? ` (${facts.map(([k, v]) => `${k}=${String(v)}`).join(', ')})` : '';
}

function summarize(report: InterruptionReport): string[] {
  if (report.ignored) return [`ignored: ${report.reason}`];
  const lines = [`${report.kind} ${report.eventId}${report.dryRun ? ' (dry run: nothing changed)' : ''}`];
  for (const instance of report.instances) {
    lines.push(`  ${instance.instanceId} → ${instance.nodeName ?? 'no node'}: ${instance.status}${instance.reason ? ` (${instance.reason})` : ''}`);
    const plan = instance.dryRun?.plan;
    if (plan) {
      for (const tier of plan.tiers) lines.push(`    ${tier.tier}: ${tier.pods.map((p) => `${p.namespace}/${p.name}`).join(', ')}`);
      if (plan.skipped.length) lines.push(`    skipped: ${plan.skipped.map((p) => `${p.namespace}/${p.name} (${p.reason})`).join(', ')}`);
      for (const w of plan.warnings) lines.push(`    warning: ${w.message}`);
    }
    for (const pod of instance.drain?.pods ?? []) {
      lines.push(`    ${pod.namespace}/${pod.name}: ${pod.outcome}${pod.forced ? ' (forced)' : ''}${pod.reason ? ` — ${pod.reason}` : ''}`);
    }
  }
  return lines;
}
