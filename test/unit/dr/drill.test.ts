import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { cliCommand } from '../../support/cli-command.ts';

const run = cliCommand('drill');
import type { Clock } from '../../../lib/util/clock.ts';

const ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:lifeguard-dev-failover';
const EXEC = 'arn:aws:states:us-east-1:123456789012:execution:lifeguard-dev-failover:drill-analytics-1';
const report = {
  rtoSeconds: 655,
  totalSeconds: 700,
  phases: { detect: 0, create: 610, register: 5, healthy: 40, retire: 45 },
  newClusterId: 'j-NEW',
  newMasterIp: '10.0.2.20',
  availabilityZone: 'us-east-1b',
  oldClusterRetired: false,
};

/** Sleeps advance a counter instead of waiting: the follow loop runs instantly and deterministically. */
function steppingClock(): Clock & { slept: number[] } {
  let now = Date.parse('2026-03-01T12:00:00Z');
  const slept: number[] = [];
  return { slept, now: () => now, sleep: async (ms) => { slept.push(ms); now += ms; }, io: (work) => work() };
}

const sfnMock = mockClient(SFNClient);
const entered = (name: string, s: number) => ({
  id: s,
  type: 'TaskStateEntered' as const,
  timestamp: new Date(Date.parse('2026-03-01T12:00:00Z') + s * 1000),
  stateEnteredEventDetails: { name },
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, deps: { out: (l: string) => out.push(l), err: (l: string) => err.push(l) } };
}

describe('lifeguard drill', () => {
  beforeEach(() => sfnMock.reset());

  it('starts a drill execution, follows it state by state and prints the RTO breakdown', async () => {
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: EXEC, startDate: new Date() });
    sfnMock
      .on(GetExecutionHistoryCommand)
      .resolvesOnce({ events: [entered('ValidateInput', 0), entered('AcquireLock', 1)] })
      .resolves({ events: [entered('ValidateInput', 0), entered('AcquireLock', 1), entered('CreateCluster', 2)] });
    sfnMock
      .on(DescribeExecutionCommand)
      .resolvesOnce({ status: 'RUNNING', executionArn: EXEC, stateMachineArn: ARN, startDate: new Date() })
      .resolves({ status: 'SUCCEEDED', executionArn: EXEC, stateMachineArn: ARN, startDate: new Date(), output: JSON.stringify({ outcome: 'FailoverCompleted', report }) });
    const clock = steppingClock();
    const io = capture();

    const code = await run(['--cluster', 'analytics', '--retire', '--state-machine-arn', ARN], { sfn: sfnMock as unknown as SFNClient, clock, ...io.deps });

    expect(code).toBe(0);
    const start = sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(start.stateMachineArn).toBe(ARN);
    expect(JSON.parse(start.input!)).toEqual({ cluster: 'analytics', mode: 'drill', dryRun: false, retireOldCluster: true });
    expect(clock.slept).toEqual([5000]);
    // Each state once, in order, across the two history reads.
    expect(io.out.filter((l) => l.includes('[+')).map((l) => l.split('] ')[1])).toEqual(['ValidateInput', 'AcquireLock', 'CreateCluster']);
    const text = io.out.join('\n');
    expect(text).toContain('outcome: FailoverCompleted (SUCCEEDED)');
    expect(text).toMatch(/RTO 655s \(total 700s\)/);
    expect(text).toMatch(/create\s+610s/);
  });

  it('prints exactly one JSON document with --json, and exits 1 on a failed execution', async () => {
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: EXEC, startDate: new Date() });
    sfnMock.on(GetExecutionHistoryCommand).resolves({ events: [entered('ValidateInput', 0)] });
    sfnMock.on(DescribeExecutionCommand).resolves({
      status: 'FAILED',
      executionArn: EXEC,
      stateMachineArn: ARN,
      startDate: new Date(),
      error: 'ClusterCreationFailed',
      cause: '{"State":"TERMINATED_WITH_ERRORS"}',
    });
    const io = capture();
    const code = await run(['--cluster', 'analytics', '--json'], { sfn: sfnMock as unknown as SFNClient, clock: steppingClock(), env: { LIFEGUARD_STATE_MACHINE_ARN: ARN }, ...io.deps });
    expect(code).toBe(1);
    expect(io.out).toHaveLength(1);
    const doc = JSON.parse(io.out[0]!);
    expect(doc).toMatchObject({ where: 'aws', status: 'FAILED', outcome: 'ClusterCreationFailed', rto: null, error: { error: 'ClusterCreationFailed' } });
  });

  it('rejects bad usage without calling AWS', async () => {
    for (const argv of [[], ['--cluster', 'a', '--keep', '--retire'], ['--cluster', 'a', '--state-machine-arn', 'nope'], ['--bogus']]) {
      const io = capture();
      expect(await run(argv, { sfn: sfnMock as unknown as SFNClient, env: {}, ...io.deps })).toBe(2);
      expect(io.err.join('\n')).toMatch(/usage|not a state machine ARN/);
    }
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it('exits 2 and says what to pass when neither a state machine ARN nor --sandbox is given', async () => {
    const io = capture();
    expect(await run(['--cluster', 'analytics'], { env: {}, ...io.deps })).toBe(2);
    expect(io.out).toEqual([]);
    expect(io.err.join('\n')).toMatch(/--state-machine-arn ARN.*LIFEGUARD_STATE_MACHINE_ARN.*--sandbox/s);
  });

  it('runs the drill in the DR sandbox when asked to', async () => {
    const io = capture();
    const code = await run(['--cluster', 'analytics', '--json', '--sandbox', 'builtin'], { env: {}, ...io.deps });
    expect(code).toBe(0);
    expect(io.out).toHaveLength(1);
    const doc = JSON.parse(io.out[0]!);
    expect(doc.where).toBe('sandbox');
    expect(doc.outcome).toBe('FailoverCompleted');
    expect(doc.rto.phases.create).toBeGreaterThanOrEqual(600);
    expect(doc.states.some((s: { state: string }) => s.state === 'ProbeCluster')).toBe(false);
  });

  it('returns the plan and creates nothing for a sandbox dry run', async () => {
    const io = capture();
    expect(await run(['--cluster', 'analytics', '--dry-run', '--sandbox', 'builtin'], { env: {}, ...io.deps })).toBe(0);
    const text = io.out.join('\n');
    expect(text).toContain('outcome: DryRun');
    expect(text).toContain('"targetAvailabilityZone"');
    expect(text).not.toContain('CreateCluster');
  });
});
