import { describe, expect, it } from 'vitest';
import { cliVersion, runCli } from '../../../cli/program.ts';
import { captureIo } from './capture.ts';

const ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:lifeguard-dev-failover';
const DLQ = 'https://sqs.us-east-1.amazonaws.com/123456789012/lifeguard-dev-InterruptionDeadLetterQueue-1A2B3C';
const NOTICES = 'https://sqs.us-east-1.amazonaws.com/123456789012/lifeguard-dev-InterruptionNoticeQueue-7G8H9I';

// Every usage error: exit 2, a message naming what is wrong, and the pointer to --help. None of
// these reaches a command's action (no AWS, no cluster, no sandbox).
const usageErrors: Array<{ argv: string[]; env?: NodeJS.ProcessEnv; message: RegExp }> = [
  { argv: [], message: /Usage: lifeguard/ },
  { argv: ['simulat', 'x.yaml'], message: /unknown command 'simulat'\n\(Did you mean simulate\?\)/ },
  { argv: ['simulate', 'x.yaml', '--jsno'], message: /unknown option '--jsno'\n\(Did you mean --json\?\)/ },
  { argv: ['simulate'], message: /missing required argument 'scenario'/ },
  { argv: ['simulate', 'a.yaml', 'b.yaml'], message: /too many arguments for 'simulate'/ },
  { argv: ['handle'], message: /missing required argument 'event-file'/ },
  { argv: ['handle', 'e.json', '--dry-rn'], message: /unknown option '--dry-rn'\n\(Did you mean --dry-run\?\)/ },
  { argv: ['handle', 'e.json', '--kubeconfig'], message: /option '--kubeconfig <path>' argument missing/ },
  { argv: ['redrive'], message: /required option '--queue <url>' not specified/ },
  { argv: ['redrive', '--queue', 'lifeguard-dlq'], message: /'lifeguard-dlq' is not an SQS queue URL \(https:\/\/sqs\.REGION\.amazonaws\.com\/ACCOUNT\/NAME\)/ },
  { argv: ['redrive', '--queue', DLQ], message: /nowhere to replay to: pass --to QUEUE_URL \(the notice queue, stack output InterruptionNoticeQueueUrl; or set LIFEGUARD_NOTICE_QUEUE_URL\) or --to-function NAME\|ARN/ },
  { argv: ['redrive', '--queue', DLQ, '--to', NOTICES, '--to-function', 'lifeguard-dev-interruption'], message: /option '--to-function <name>' cannot be used with option '--to <url>'/ },
  { argv: ['redrive', '--queue', DLQ, '--to', DLQ], message: /--to: that is the queue being read/ },
  { argv: ['redrive', '--queue', DLQ, '--to-function', 'arn:aws:lambda:us-east-1:function'], message: /is not a function name \(lifeguard-STAGE-interruption\) or ARN/ },
  { argv: ['redrive', '--queue', DLQ, '--dry-run', '--max', '0'], message: /option '--max <n>' argument '0' is invalid\. expected a whole number from 1 to 10000, got '0'/ },
  { argv: ['redrive', '--queue', DLQ, '--dry-run', '--visibility-timeout', '1.5'], message: /expected a whole number from 1 to 43200, got '1\.5'/ },
  { argv: ['redrive', '--queue', DLQ, '--dry-run'], env: { LIFEGUARD_NOTICE_QUEUE_URL: 'lifeguard-notices' }, message: /\$LIFEGUARD_NOTICE_QUEUE_URL: 'lifeguard-notices' is not an SQS queue URL/ },
  { argv: ['redrive', '--queue', 'http://localhost:4566/000000000000/dlq', '--dry-run'], message: /--queue: its host names no region .*: set AWS_REGION/ },
  { argv: ['drill'], message: /required option '--cluster <name>' not specified/ },
  { argv: ['drill', '--cluster', 'a', '--keep', '--retire'], message: /option '--keep' cannot be used with option '--retire'/ },
  { argv: ['drill', '--cluster', 'a', '--state-machine-arn', 'nope'], message: /'nope' is not a state machine ARN/ },
  { argv: ['drill', '--cluster', 'a', '--state-machine-arn', ARN, '--sandbox', 's.yaml'], message: /cannot be used with option '--sandbox/ },
  { argv: ['drill', '--cluster', 'a', '--sandbox', 's.yaml'], env: { LIFEGUARD_STATE_MACHINE_ARN: ARN }, message: /--sandbox cannot be used with a state machine ARN/ },
  { argv: ['drill', '--cluster', 'a'], env: { LIFEGUARD_STATE_MACHINE_ARN: 'nope' }, message: /\$LIFEGUARD_STATE_MACHINE_ARN: 'nope' is not a state machine ARN/ },
  { argv: ['drill', '--cluster', 'nosuch', '--sandbox', 'sandbox/dr/examples/az-outage.yaml'], message: /error: --cluster: 'nosuch' is not a cluster of sandbox\/dr\/examples\/az-outage.yaml \(it has: analytics \(j-2AXXXXXXGAPLF\)\)/ },
  { argv: ['emulator'], message: /missing required argument 'scenario'/ },
  { argv: ['emulator', 's.yaml', '--host', '0.0.0.0'], message: /'0.0.0.0' is not a loopback address/ },
  { argv: ['emulator', 's.yaml', '--port', '65536'], message: /'65536' is not a TCP port/ },
  { argv: ['audit', '--jsn'], message: /unknown option '--jsn'\n\(Did you mean --json\?\)/ },
  { argv: ['audit', 'extra'], message: /too many arguments for 'audit'/ },
  { argv: ['config'], message: /Usage: lifeguard config/ },
  { argv: ['config', 'valdate'], message: /unknown command 'valdate'\n\(Did you mean validate\?\)/ },
  { argv: ['config', 'validate', 'a.yaml', 'b.yaml'], message: /too many arguments for 'validate'/ },
];

describe('lifeguard usage errors', () => {
  it.each(usageErrors)('$argv exits 2 and says why', async ({ argv, env, message }) => {
    const io = captureIo();
    expect(await runCli(argv, { ...io.io, env: env ?? {} })).toBe(2);
    expect(io.stderr()).toMatch(message);
    expect(io.stdout()).toBe('');
  });

  it('points to the help of the command that was misused', async () => {
    const io = captureIo();
    await runCli(['drill', '--bogus'], { ...io.io, env: {} });
    expect(io.stderr()).toContain("run 'lifeguard drill --help' for usage and examples");
  });
});

describe('lifeguard help and version', () => {
  it('prints the package version with --version and -V', async () => {
    for (const flag of ['--version', '-V']) {
      const io = captureIo();
      expect(await runCli([flag], io.io)).toBe(0);
      expect(io.out).toEqual([cliVersion]);
    }
    expect(cliVersion).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('lists every command with --help, exit 0', async () => {
    const io = captureIo();
    expect(await runCli(['--help'], io.io)).toBe(0);
    for (const command of ['simulate', 'emulator', 'handle', 'redrive', 'drill', 'audit', 'config']) expect(io.stdout()).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(io.stdout()).toContain('Exit codes: 0 done, 1 failed (audit: a severe finding), 2 bad usage or input');
  });

  it.each(['simulate', 'emulator', 'handle', 'redrive', 'drill', 'audit', 'config validate'])('has help with examples for %s', async (command) => {
    const io = captureIo();
    expect(await runCli([...command.split(' '), '--help'], io.io)).toBe(0);
    expect(io.stdout()).toContain(`Usage: lifeguard ${command}`);
    expect(io.stdout()).toMatch(new RegExp(`Examples:\\n  \\$ .*lifeguard ${command}`));
  });

  it('answers `help COMMAND` like COMMAND --help', async () => {
    const viaHelp = captureIo();
    const viaFlag = captureIo();
    expect(await runCli(['help', 'drill'], viaHelp.io)).toBe(0);
    expect(await runCli(['drill', '--help'], viaFlag.io)).toBe(0);
    expect(viaHelp.stdout()).toBe(viaFlag.stdout());
  });
});
