import { InvalidArgumentError, Option, type Command } from 'commander';
import { FUNCTION_FORM, parseFunction, parseQueueUrl, QUEUE_URL_FORM, type QueueAddress } from '../../lib/dead-letters/addresses.ts';
import type { RedriveEntry, RedriveReport } from '../../lib/dead-letters/redrive.ts';
import type { CliContext } from '../context.ts';
import { usageError } from '../usage.ts';

/** The stack output that names the notice queue, and the variable `--to` defaults to. */
export const NOTICE_QUEUE_OUTPUT = 'InterruptionNoticeQueueUrl';
export const NOTICE_QUEUE_ENV = 'LIFEGUARD_NOTICE_QUEUE_URL';

const DEFAULT_MAX = 100;
const MAX_MAX = 10_000;
const DEFAULT_VISIBILITY_SECONDS = 30;
/** SQS's longest visibility timeout: 12 hours. */
const MAX_VISIBILITY_SECONDS = 43_200;

interface RedriveOptions {
  queue: QueueAddress;
  to?: QueueAddress;
  toFunction?: string;
  dryRun?: boolean;
  max: number;
  visibilityTimeout: number;
  json?: boolean;
}

const queueUrl = (url: string) => {
  const address = parseQueueUrl(url);
  if (!address) throw new InvalidArgumentError(`'${url}' is not an SQS queue URL (${QUEUE_URL_FORM})`);
  return address;
};

const integer = (min: number, max: number) => (text: string) => {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < min || n > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}, got '${text}'`);
  return n;
};

/**
 * `lifeguard redrive --queue URL [--to URL | --to-function NAME|ARN] [--dry-run] [--max N] [--json]`:
 * replays what a dead-letter queue holds. Exit 0 when everything read was replayed (or, with
 * --dry-run, would be); 1 when anything was left behind or failed; 2 on bad usage; 3 SQS did not answer.
 */
export function registerRedrive(program: Command, ctx: CliContext): Command {
  const command = program
    .command('redrive')
    .summary('replay the messages of a dead-letter queue to the interruption function')
    .description(
      'Reads one of Lifeguard\'s dead-letter queues (the rule targets\' InterruptionDeadLetterQueue, the on-failure ' +
        'InterruptionFailureQueue, the schedules\' InterruptionScheduleDeadLetterQueue, the notice queue\'s DLQ), unwraps each ' +
        'message to the event or continuation inside it, prints a line per message and sends each payload to the notice ' +
        `queue (--to, default $${NOTICE_QUEUE_ENV}: the stack output ${NOTICE_QUEUE_OUTPUT}) or straight to the function ` +
        '(--to-function). A message is deleted from the dead-letter queue only after it was sent; one that does not unwrap, ' +
        'or that the target refused, stays and is reported. The function ignores a duplicate and resumes a partial drain, ' +
        'so a replay is safe to repeat.',
    )
    .addOption(new Option('--queue <url>', 'the dead-letter queue to read (its URL)').argParser(queueUrl).makeOptionMandatory())
    .addOption(new Option('--to <url>', `the queue to send to (default: $${NOTICE_QUEUE_ENV}, the stack output ${NOTICE_QUEUE_OUTPUT})`).argParser(queueUrl))
    .addOption(
      new Option('--to-function <name>', 'invoke the interruption function instead, asynchronously (a name or ARN)')
        .argParser((text: string) => {
          if (!parseFunction(text)) throw new InvalidArgumentError(`'${text}' is not ${FUNCTION_FORM}`);
          return text;
        })
        .conflicts('to'),
    )
    .option('--dry-run', 'show what would be replayed; send nothing, delete nothing')
    .addOption(new Option('--max <n>', `read at most this many messages (1 to ${MAX_MAX})`).argParser(integer(1, MAX_MAX)).default(DEFAULT_MAX))
    .addOption(
      new Option('--visibility-timeout <seconds>', 'how long what is read stays hidden from other readers; what is left reappears after it')
        .argParser(integer(1, MAX_VISIBILITY_SECONDS))
        .default(DEFAULT_VISIBILITY_SECONDS),
    )
    .option('--json', 'print one JSON document: every message and its outcome')
    .addHelpText(
      'after',
      `
Exit codes: 0 every message read was replayed (--dry-run: would be), 1 a message was left in the
queue or a call failed, 2 bad usage, 3 SQS could not be reached (checked first: a connect bounded
to 3 s, then sts:GetCallerIdentity).

Examples:
  $ lifeguard redrive --queue https://sqs.us-east-1.amazonaws.com/123456789012/lifeguard-dev-InterruptionDeadLetterQueue-1A2B3C --dry-run
  $ lifeguard redrive --queue https://sqs.us-east-1.amazonaws.com/123456789012/lifeguard-dev-InterruptionFailureQueue-4D5E6F \\
      --to-function lifeguard-dev-interruption
  $ ${NOTICE_QUEUE_ENV}=https://sqs.us-east-1.amazonaws.com/123456789012/lifeguard-dev-InterruptionNoticeQueue-7G8H9I \\
      lifeguard redrive --queue https://sqs.us-east-1.amazonaws.com/123456789012/lifeguard-dev-InterruptionScheduleDeadLetterQueue-0J1K2L --max 500 --json`,
    );
  return command.action(async (options: RedriveOptions) => {
    const fromEnv = ctx.env[NOTICE_QUEUE_ENV];
    let to = options.to;
    if (!to && !options.toFunction && fromEnv) {
      to = parseQueueUrl(fromEnv);
      if (!to) usageError(command, `$${NOTICE_QUEUE_ENV}: '${fromEnv}' is not an SQS queue URL (${QUEUE_URL_FORM})`);
    }
    if (!to && !options.toFunction && !options.dryRun) {
      usageError(
        command,
        `nowhere to replay to: pass --to QUEUE_URL (the notice queue, stack output ${NOTICE_QUEUE_OUTPUT}; or set ${NOTICE_QUEUE_ENV}) ` +
          'or --to-function NAME|ARN (the interruption function, lifeguard-STAGE-interruption); --dry-run needs neither',
      );
    }
    if (to && to.url === options.queue.url) usageError(command, '--to: that is the queue being read; replay to the queue the function consumes');
    const region = options.queue.region ?? ctx.env.AWS_REGION ?? ctx.env.AWS_DEFAULT_REGION;
    if (!region) usageError(command, `--queue: its host names no region (${QUEUE_URL_FORM}): set AWS_REGION`);
    ctx.exit(await run(options, to, region, ctx));
  });
}


async function run(options: RedriveOptions, to: QueueAddress | undefined, region: string, ctx: CliContext): Promise<number> {
  // Loaded on use: `--help` and usage errors should not wait for the AWS SDK.
  const { redrive, needsAttention } = await import('../../lib/dead-letters/redrive.ts');
  const { functionTarget, queueTarget } = await import('../../lib/dead-letters/targets.ts');
  const { systemClock } = await import('../../lib/util/clock.ts');
  if (!ctx.queues) {
    // The queue URL is the endpoint SQS is called at: checked before anything is read.
    const { awsTarget } = await import('../reach/aws-target.ts');
    const { unreachable } = await import('../reach/check.ts');
    const { UNREACHABLE_EXIT } = await import('../reach/probe.ts');
    const problem = await unreachable(awsTarget({ service: 'Amazon SQS', endpoint: new URL(options.queue.url).origin, region, env: ctx.env }), ctx);
    if (problem) {
      ctx.err(`lifeguard redrive: ${problem}`);
      return UNREACHABLE_EXIT;
    }
  }
  const queues = ctx.queues ?? (await sdkQueues(region));
  const target = options.toFunction
    ? functionTarget(ctx.invokerFor ? ctx.invokerFor(options.toFunction) : await sdkInvoker(options.toFunction, region), options.toFunction)
    : to
      ? queueTarget(queues, to.url)
      : undefined;
  const dryRun = options.dryRun === true;
  if (!options.json) {
    ctx.out(dryRun ? `reading ${options.queue.url} (dry run: nothing is sent or deleted)` : `replaying ${options.queue.url} to ${target!.description}`);
  }
  const report = await redrive({
    queue: queues,
    source: options.queue.url,
    ...(target ? { target } : {}),
    dryRun,
    max: options.max,
    visibilityTimeoutSeconds: options.visibilityTimeout,
    clock: ctx.clock ?? systemClock,
    ...(options.json ? {} : { onEntry: (entry: RedriveEntry) => ctx.out(line(entry)) }),
  });
  const counts = tally(report);
  if (options.json) ctx.out(JSON.stringify({ ...report, counts }, null, 2));
  else for (const text of closing(report, counts, options)) ctx.out(text);
  if (report.error) ctx.err(`lifeguard redrive: ${report.error}`);
  return report.error || report.entries.some(needsAttention) ? 1 : 0;
}

async function sdkQueues(region: string) {
  const { SQSClient } = await import('@aws-sdk/client-sqs');
  const { SqsMessageQueue } = await import('../../lib/aws/sqs-queue.ts');
  return new SqsMessageQueue(new SQSClient({ region }));
}

async function sdkInvoker(functionName: string, queueRegion: string) {
  const { LambdaInvoker } = await import('../../lib/aws/lambda-invoker.ts');
  return new LambdaInvoker({ region: parseFunction(functionName)?.region ?? queueRegion, functionName });
}

const OUTCOME_WORDS: Record<RedriveEntry['outcome'], string> = {
  'would-replay': 'would replay',
  replayed: 'replayed',
  'replayed-not-deleted': 'replayed, NOT deleted',
  'send-failed': 'left (send failed)',
  'not-replayable': 'left (not replayable)',
};

/** One line per message: what it is, where it came from, why it failed; or why it stays. */
function line(entry: RedriveEntry): string {
  const head = `${OUTCOME_WORDS[entry.outcome]}  ${entry.messageId}`;
  const s = entry.summary;
  const what = s ? `${s.envelope}: ${s.payload}, ${s.subject}, event at ${s.eventTime}; failed: ${s.failure}` : '';
  return [head, what, entry.problem ? `— ${entry.problem}` : ''].filter(Boolean).join('  ');
}

function tally(report: RedriveReport): Record<RedriveEntry['outcome'], number> {
  const counts: Record<RedriveEntry['outcome'], number> = { 'would-replay': 0, replayed: 0, 'replayed-not-deleted': 0, 'send-failed': 0, 'not-replayable': 0 };
  for (const e of report.entries) counts[e.outcome]++;
  return counts;
}

function closing(report: RedriveReport, counts: ReturnType<typeof tally>, options: RedriveOptions): string[] {
  if (report.read === 0) return report.error ? [] : ['the queue is empty (or holds only messages another reader has hidden for now)'];
  const parts = report.dryRun
    ? [`${counts['would-replay']} would be replayed`, counts['not-replayable'] && `${counts['not-replayable']} not replayable (they would stay)`]
    : [
        `${counts.replayed} replayed`,
        counts['replayed-not-deleted'] && `${counts['replayed-not-deleted']} replayed but not deleted (a later redrive sends them again: delete them by hand)`,
        counts['send-failed'] && `${counts['send-failed']} refused by the target (left in the queue)`,
        counts['not-replayable'] && `${counts['not-replayable']} not replayable (left in the queue: fix or delete them by hand, see \`lifeguard handle FILE --validate-only\`)`,
      ];
  const lines = [`${report.read} read: ${parts.filter(Boolean).join(', ')}`];
  if (report.stoppedAtMax) lines.push(`stopped at --max ${options.max}: the queue may hold more`);
  const hidden = report.dryRun ? counts['would-replay'] + counts['not-replayable'] : counts['send-failed'] + counts['not-replayable'];
  if (hidden) lines.push(`what was read and left is hidden from other readers for ${options.visibilityTimeout} s (--visibility-timeout), then visible again`);
  return lines;
}
