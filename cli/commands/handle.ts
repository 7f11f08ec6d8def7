import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { LifeguardConfig } from '../../lib/config/schema.ts';
import type { DeadLetterSummary } from '../../lib/dead-letters/describe.ts';
import type { Replayable } from '../../lib/dead-letters/payload.ts';
import type { Unwrapped } from '../../lib/dead-letters/unwrap.ts';
import { InvalidEventError, type Notice } from '../../lib/events/notice.ts';
import type { InterruptionReport } from '../../lib/interruption/handle.ts';
import type { KubeApi } from '../../lib/kube/port.ts';
import { systemClock, type Clock } from '../../lib/util/clock.ts';
import { didYouMean } from '../../lib/util/suggest.ts';
import type { CliContext } from '../context.ts';
import { InputError, readDocument } from '../read-document.ts';
import { terminalLog } from '../terminal-log.ts';

/**
 * How long one Kubernetes call retries transient failures from the command line: a person is
 * waiting, and the reachability check already ruled out a cluster that does not answer at all.
 */
const CLI_RETRY_BUDGET_MS = 10_000;
/** Tries of one HTTP call inside that budget (the Lambda's client makes 5). */
const CLI_CALL_ATTEMPTS = 3;

interface HandleOptions {
  dryRun?: boolean;
  validateOnly?: boolean;
  kubeconfig?: string;
  context?: string;
  config?: string;
  json?: boolean;
  html?: string;
}

/** `lifeguard handle`: exit 0 when handled (or nothing to do), 1 on failure, 2 on bad usage or a bad event, 3 the cluster could not be reached. */
export function registerHandle(program: Command, ctx: CliContext): Command {
  return program
    .command('handle')
    .summary('run one EventBridge event against the cluster in your kubeconfig')
    .description(
      'Feeds one EventBridge event or Lifeguard continuation (JSON or YAML) to the interruption handler. ' +
        'A dead letter is taken as it comes: an EventBridge or Scheduler DLQ message (aws sqs receive-message ' +
        'output, or one message of it), Lambda\'s on-failure record (requestPayload) or an SQS record; the payload ' +
        'inside is unwrapped. The event is checked first, before any cluster is contacted. ' +
        '--validate-only stops there; --dry-run reads the node and its pods and prints the cordon patch ' +
        'and the ordered eviction plan, changing nothing. No Auto Scaling lifecycle action is completed ' +
        'and no Lifeguard event is published from here.',
    )
    .argument('<event-file>', 'the event as EventBridge delivers it, or a dead letter holding it')
    .option('--validate-only', 'check the event and show what it means; contact no cluster')
    .option('--dry-run', 'show the cordon patch and the eviction plan; change nothing')
    .option('--kubeconfig <path>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context (default: its current context)')
    .option('--config <file>', 'Lifeguard configuration for the policies (default: $LIFEGUARD_CONFIG, else the defaults)')
    .option('--json', 'print the handler report as JSON')
    .option('--html <file>', 'also write a picture of the drain (one self-contained HTML page)')
    .addHelpText(
      'after',
      `
Exit codes: 0 handled (or nothing to do), 1 failed, 2 bad usage or a bad event, 3 the cluster could
not be reached (checked before anything else: a connect bounded to 3 s, then one read).

Examples:
  $ lifeguard handle dead-letter.json --validate-only
  $ lifeguard handle dead-letter.json --dry-run --kubeconfig ~/.kube/config --context prod
  $ lifeguard handle dead-letter.json --config lifeguard.config.yaml --json`,
    )
    .action(async (file: string, options: HandleOptions) => ctx.exit(await handle(file, options, ctx)));
}


/** How a step ends the command early: the message is said as `lifeguard handle: …` and the code is the exit. */
type Fail = (message: string, code: number) => number;

async function handle(file: string, options: HandleOptions, ctx: CliContext): Promise<number> {
  const clock = ctx.clock ?? systemClock;
  const fail: Fail = (message, code) => {
    ctx.err(`lifeguard handle: ${message}`);
    return code;
  };
  // The event first: a dead letter can be checked with no cluster and no credentials.
  const replayable = await readReplayable(file, fail);
  if (typeof replayable === 'number') return replayable;
  await showEvent(replayable, options, ctx, clock);
  if (options.validateOnly) return 0;
  const config = await loadHandleConfig(options, ctx, fail);
  if (typeof config === 'number') return config;
  const kube = await connectKube(options, ctx, clock, fail);
  if (typeof kube === 'number') return kube;
  return replay(replayable, { options, ctx, clock, config, kube }, fail);
}

interface ReadEvent {
  unwrapped: Unwrapped;
  read: Replayable;
}

/** The event or continuation in `file`, out of any dead-letter envelope; a bad one is exit 2 with what is wrong. */
async function readReplayable(file: string, fail: Fail): Promise<ReadEvent | number> {
  const { supportedEvents } = await import('../../lib/events/parse.ts');
  const { unwrapDocument } = await import('../../lib/dead-letters/unwrap.ts');
  const { readPayload } = await import('../../lib/dead-letters/payload.ts');
  let unwrapped: Unwrapped | undefined;
  try {
    unwrapped = unwrapDocument(readDocument(file));
    return { unwrapped, read: readPayload(unwrapped.payload, unwrapped.location) };
  } catch (err) {
    if (err instanceof InputError) return fail(err.message, 2);
    if (err instanceof InvalidEventError) {
      const unsupported = err.name === 'UnsupportedEventError';
      const typed = unwrapped ? detailTypeOf(unwrapped.payload) : undefined;
      const suggestion =
        unsupported && err.field?.endsWith('detail-type') && typeof typed === 'string' ? didYouMean(typed, supportedEvents.map((e) => e.detailType)) : undefined;
      return fail(`${file}: ${unsupported ? 'not an event Lifeguard acts on' : 'not a valid event'}: ${err.message}${suggestion ? ` (did you mean ${JSON.stringify(suggestion)}?)` : ''}`, 2);
    }
    throw err;
  }
}

/** What the event says and what carried it (or, with --validate-only --json, the checked event as JSON). */
async function showEvent({ unwrapped, read }: ReadEvent, options: HandleOptions, ctx: CliContext, clock: Clock): Promise<void> {
  const { summarize: summarizeDeadLetter } = await import('../../lib/dead-letters/describe.ts');
  const { notice } = read;
  const deadLetter = summarizeDeadLetter(unwrapped, read);
  const facts = describeNotice(notice, clock);
  if (!options.json) for (const line of [...facts.lines, ...describeDelivery(unwrapped, read, deadLetter)]) ctx.out(line);
  if (facts.deadlinePassed) ctx.err(`warning: ${facts.deadlinePassed}`);
  if (options.validateOnly && options.json) {
    const envelope = unwrapped.envelopes.length ? { envelopes: unwrapped.envelopes, failure: unwrapped.failure } : {};
    const continuation = read.kind === 'continuation' ? { continuation: read.continuation } : {};
    ctx.out(JSON.stringify({ valid: true, notice, ...continuation, ...envelope, deadlinePassed: Boolean(facts.deadlinePassed) }, null, 2));
  }
}

/** --config, else LIFEGUARD_CONFIG, else the defaults; a bad file is exit 2. */
async function loadHandleConfig(options: HandleOptions, ctx: CliContext, fail: Fail): Promise<LifeguardConfig | number> {
  const { parseConfig } = await import('../../lib/config/load.ts');
  const { loadConfigFile } = await import('../../lib/config/file.ts');
  try {
    const configFile = options.config ?? ctx.env.LIFEGUARD_CONFIG;
    return configFile ? loadConfigFile(configFile) : parseConfig({});
  } catch (err) {
    return fail((err as Error).message, 2);
  }
}

/** A client of the kubeconfig's cluster, once it answers; a bad kubeconfig is exit 2, a cluster that does not answer UNREACHABLE_EXIT. */
async function connectKube(options: HandleOptions, ctx: CliContext, clock: Clock, fail: Fail): Promise<KubeApi | number> {
  // Loaded on use: --validate-only must not need the Kubernetes client.
  const { createKubeApi } = await import('../../lib/kube/client.ts');
  const { kubeConfigFromFile, kubeconfigSource } = await import('../../lib/kube/connect.ts');
  const { unreachable } = await import('../reach/check.ts');
  const { kubeTarget } = await import('../reach/kube-target.ts');
  const { UNREACHABLE_EXIT } = await import('../reach/probe.ts');
  let kc;
  try {
    kc = kubeConfigFromFile(options.kubeconfig, options.context);
  } catch (err) {
    return fail((err as Error).message, 2);
  }
  // A cluster that does not answer is said at once, not after minutes of retrying every call.
  const problem = await unreachable(kubeTarget(kc, kubeconfigSource(options.kubeconfig)), ctx);
  if (problem) return fail(problem, UNREACHABLE_EXIT);
  return createKubeApi(kc, { clock, maxAttempts: CLI_CALL_ATTEMPTS });
}

/** The interruption handler on the event, and its report (text, --json, --html); a failure is exit 1. */
async function replay(
  { unwrapped, read }: ReadEvent,
  on: { options: HandleOptions; ctx: CliContext; clock: Clock; config: LifeguardConfig; kube: KubeApi },
  fail: Fail,
): Promise<number> {
  const { options, ctx, clock, config, kube } = on;
  const { NodeIndex } = await import('../../lib/kube/node-index.ts');
  const { handleInterruption } = await import('../../lib/interruption/handle.ts');
  const log = terminalLog(ctx.err, options.json === true);
  let report: InterruptionReport;
  try {
    // A continuation names its cluster (the kubeconfig must reach it); from the command line there is
    // no scheduler to hand further work to, so a step that needs one fails and says so.
    const clusterName = read.kind === 'continuation' ? read.continuation.cluster : (options.context ?? 'kubeconfig');
    report = await handleInterruption(unwrapped.payload, { config, clock, log, kube, nodes: new NodeIndex(kube, { clock, log, region: config.region }), clusterName, dryRun: options.dryRun === true, retryBudgetMs: CLI_RETRY_BUDGET_MS });
  } catch (err) {
    return fail(`${(err as Error).message} (nothing is retried from the command line: fix the cause and run it again; a rerun resumes)`, 1);
  }
  if (options.json) ctx.out(JSON.stringify(report, null, 2));
  else for (const line of summarize(report)) ctx.out(line);
  if (options.html) {
    const { renderHandleHtml } = await import('../html-report.ts');
    writeFileSync(options.html, renderHandleHtml(report));
    ctx.err(`wrote ${options.html}`);
  }
  return 0;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** The detail-type a did-you-mean can be offered for: the event's, or the event of a continuation. */
function detailTypeOf(payload: Record<string, unknown>): unknown {
  const continuation = payload['lifeguard-continuation'] as { event?: Record<string, unknown> } | undefined;
  return (continuation?.event ?? payload)['detail-type'];
}

/** What carried the payload here: the continuation it is, and the dead-letter envelope with its failure. */
function describeDelivery(unwrapped: Unwrapped, read: Replayable, deadLetter: DeadLetterSummary): string[] {
  const lines: string[] = [];
  if (read.kind === 'continuation') {
    const c = read.continuation;
    lines.push(`  continuation: ${c.type} of node ${c.nodeName} in cluster ${c.cluster}${c.round ? `, round ${c.round}` : ''}`);
  }
  if (unwrapped.envelopes.length) lines.push(`  unwrapped from: ${deadLetter.envelope}; failed: ${deadLetter.failure}`);
  return lines;
}
const ago = (ms: number) => (ms < 120_000 ? `${Math.round(ms / 1000)} s` : ms < 7_200_000 ? `${Math.round(ms / 60_000)} min` : ms < 172_800_000 ? `${Math.round(ms / 3_600_000)} h` : `${Math.round(ms / 86_400_000)} days`);

/** What the event says, in one line per fact, and whether its deadline is already behind us. */
function describeNotice(notice: Notice, clock: Clock): { lines: string[]; deadlinePassed?: string } {
  const now = clock.now();
  const lines = [
    `${notice.kind} event ${notice.eventId} (${notice.detailType}), sent ${iso(notice.eventTime)}, ${ago(Math.max(0, now - notice.eventTime))} ago`,
    `  instances: ${notice.instanceIds.join(', ')}`,
    `  deadline: ${notice.deadline === null ? 'none (the event promises no time)' : iso(notice.deadline)}`,
  ];
  if (notice.deadline !== null && notice.deadline < now) {
    return {
      lines,
      deadlinePassed: `the deadline ${iso(notice.deadline)} passed ${ago(now - notice.deadline)} ago: the instance is probably gone already; only what is still there is acted on`,
    };
  }
  return { lines };
}

function summarize(report: InterruptionReport): string[] {
  if (report.ignored) return [`nothing done: ${report.reason}`];
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
