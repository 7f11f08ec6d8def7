import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { runCli } from '../../cli/program.ts';
import type { RtoReport } from '../../lib/dr/rto.ts';
import type { DrScenarioSpec } from '../../sandbox/dr/scenario.ts';
import { captureIo } from '../unit/cli/capture.ts';
import { outage, run, scenario } from './fixtures.ts';

/**
 * What was lost, said plainly: the scheduled probe (scenario `alarms`, the deployed trigger path)
 * keeps what it sees running while the cluster is healthy; Failover Completed and the drill list it.
 */
const running = {
  yarnApplications: [{ id: 'application_1767225600000_0042', name: 'transform' }],
  livySessions: [
    { id: 7, kind: 'pyspark', state: 'busy' },
    { id: 8, kind: 'sql', state: 'idle' },
    { id: 9, kind: 'spark', state: 'dead' },
  ],
};

const outageAt150: DrScenarioSpec = scenario({ triggers: [], alarms: { deliveryDelaySeconds: 5 }, until: 1500 }, { running, health: [{ at: 150, ...outage }] });

describe('the work the outage took with it', () => {
  it('Failover Completed lists the YARN applications and Livy sessions the last healthy probe saw, and when', async () => {
    const result = await run(outageAt150);
    const completed = result.events.find((e) => e.detailType === 'Failover Completed')!.detail as RtoReport;
    expect(completed.lostWork).toEqual({
      // The probes at 60 s and 120 s saw the cluster healthy; from 180 s on it was down.
      at: new Date(Date.parse('2026-01-01T00:00:00Z') + 120_000).toISOString(),
      yarnApplications: { count: 1, ids: ['application_1767225600000_0042'] },
      livySessions: { count: 2, ids: ['session 7', 'session 8'] },
    });
    // The probe's write and the state machine's read, by the callers the IAM simulation evaluates.
    // Read before any target switches: afterwards the probe follows the replacement and records what runs there.
    expect(result.calls.filter((c) => c.service === 'dynamodb' && c.action !== 'DeleteItem').map((c) => `${c.caller}:${c.action}`).slice(0, 4)).toEqual([
      'probe:PutItem',
      'probe:PutItem',
      'stateMachine:PutItem',
      'stateMachine:GetItem',
    ]);
  });

  it('without a healthy probe on record the report says so (null), and the failover completes', async () => {
    const result = await run(scenario({}, { running, health: [{ at: 0, ...outage }] }));
    const completed = result.events.find((e) => e.detailType === 'Failover Completed')!.detail as RtoReport;
    expect(completed.lostWork).toBeNull();
  });

  it('the drill prints them (kept on the old cluster) and gives them in --json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifeguard-lost-work-'));
    const file = join(dir, 'drill.yaml');
    writeFileSync(file, stringify({ emr: scenario({ alarms: { deliveryDelaySeconds: 5 }, until: 1200 }, { running }) }));
    const io = captureIo();
    expect(await runCli(['drill', '--cluster', 'analytics', '--sandbox', file], { ...io.io, env: {} })).toBe(0);
    expect(io.stdout()).toContain('running on the old cluster (kept by the drill):');
    expect(io.stdout()).toContain('YARN applications: 1 — application_1767225600000_0042');
    expect(io.stdout()).toContain('Livy sessions: 2 — session 7, session 8');
    const json = captureIo();
    expect(await runCli(['drill', '--cluster', 'analytics', '--sandbox', file, '--json'], { ...json.io, env: {} })).toBe(0);
    expect(JSON.parse(json.stdout()).lostWork.livySessions).toEqual({ count: 2, ids: ['session 7', 'session 8'] });
  });
});
